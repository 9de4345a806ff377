import type { Logger } from '../platform/logger.js';
import type { AudioEncoding, PcmFrame } from './MediaTypes.js';
import type { PortAllocator } from './rtp/PortAllocator.js';
import type { SrtpMasterKey } from './srtp/SrtpSuite.js';

/** What one stream's decoding needs, whoever owns its socket. */
export interface RtpStreamTapOptions {
  /** Channel index stamped on every frame (0 → ch_0, 1 → ch_1). */
  channel: number;
  /** Address and port from the SDP (c= and m= lines); null or '0.0.0.0': none known (see SourceLock). */
  expectedRemote: { address: string; port: number } | null;
  /** Symmetric RTP with learning (default true); false keeps RTP to the SDP's address (`media.strictRtpSource`). */
  learnSource?: boolean;
  payloadTypes: { audio: number; encoding: AudioEncoding; telephoneEvent: number | null };
  /** The key the peer encrypts with (SDES), when the stream is SRTP; null or absent for plain RTP. */
  srtp?: SrtpMasterKey | null;
  /** Wall-clock time the call started (same clock as `now`); frame offsets are relative to it. */
  callStartMs: number;
  /** Reordering depth of the jitter buffer. Default 60 ms. */
  jitterDepthMs?: number;
  logger: Logger;
  /** Clock for arrival times, in ms. Default: performance.timeOrigin + performance.now() (sub-ms). */
  now?: () => number;
}

export interface RtpReceiverOptions extends RtpStreamTapOptions {
  /** Local address to bind, e.g. '0.0.0.0' or '127.0.0.1'. */
  host: string;
  ports: PortAllocator;
}

/** One RFC 4733 telephone-event, reported once when its end packet arrives. */
export interface DtmfEvent {
  /** '0'–'9', '*', '#', 'A'–'D', or '!' for hook flash. */
  readonly digit: string;
  readonly durationMs: number;
  /** Start of the event on the call's media clock. */
  readonly offsetMs: number;
}

export type RtpReceiverEvents = {
  frame: [frame: PcmFrame];
  dtmf: [event: DtmfEvent];
  firstPacket: [at: { offsetMs: number }];
};
