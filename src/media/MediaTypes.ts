/** PCM audio handed from the media stage to the pipeline: one channel, 16-bit signed, 16 kHz mono. */
export interface PcmFrame {
  /** Channel index: 0 → `ch_0`, 1 → `ch_1`. */
  readonly channel: number;
  /** 16 kHz mono samples. */
  readonly samples: Int16Array;
  /** Time of the first sample, in milliseconds since the call started (media clock, not wall clock). */
  readonly offsetMs: number;
  /** True when the frame was synthesised (silence) to fill a lost packet. */
  readonly concealed: boolean;
}

export const PIPELINE_SAMPLE_RATE = 16_000;

/** Per-stream RTP counters (RFC 3550 §6.4.1 interarrival jitter, in milliseconds). */
export interface RtpStreamStats {
  packetsReceived: number;
  packetsLost: number;
  packetsDuplicate: number;
  packetsLate: number;
  packetsReordered: number;
  packetsSpoofed: number;
  packetsInvalid: number;
  /** SRTP packets whose authentication tag did not verify (wrong key, forged, corrupted). */
  packetsUnauthenticated: number;
  /** SRTP packets refused by the replay list (RFC 3711 §3.3.2). */
  packetsReplayed: number;
  jitterMs: number;
}

/** RTCP counters of a stream, kept beside its RTP counters. */
export interface RtcpCounters {
  /** RTCP (or authentic SRTCP) packets accepted. */
  rtcpPackets: number;
  /** RTCP refused: from an unexpected address, malformed, unauthenticated or replayed SRTCP. */
  rtcpRefused: number;
}

export type MediaStreamStats = RtpStreamStats &
  RtcpCounters & {
    /**
     * Where the stream's RTP comes from when that is not the address and port of the party's SDP
     * (a party behind NAT, learned by symmetric RTP), as `address:port`; null when it is the SDP's.
     */
    learnedSource: string | null;
  };

export type G711Encoding = 'PCMU' | 'PCMA';

/** The codecs an RTP stream may carry (see codec/AudioCodecs.ts). */
export type AudioEncoding = G711Encoding | 'G722' | 'OPUS';
