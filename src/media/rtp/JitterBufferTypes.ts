import type { RtpPacket } from './RtpPacket.js';

/** A received packet released in sequence order. */
export interface ReleasedPacket {
  readonly kind: 'packet';
  readonly packet: RtpPacket;
  readonly arrivalMs: number;
}

/** A sequence number given up on: the depth elapsed (or the stream ended) before it arrived. */
export interface LostPacket {
  readonly kind: 'lost';
  readonly sequence: number;
  /** RTP timestamp interpolated between the neighbouring packets. */
  readonly timestamp: number;
}

/** The stream restarted (new SSRC, or a sequence/timestamp jump confirmed by two packets): re-anchor clocks. */
export interface StreamResync {
  readonly kind: 'resync';
  readonly ssrc: number;
}

export type JitterItem = ReleasedPacket | LostPacket | StreamResync;

export interface JitterBufferOptions {
  /** How long a gap may stay open, measured from the arrival of the first packet after it. Default 60 ms. */
  depthMs?: number;
  /** RTP clock rate of the stream. Default 8000 (G.711). */
  clockRate?: number;
  /** Most packets held at once (power of two); a gap wider than this is given up at once. Default 256. */
  capacity?: number;
  /** Timestamp vs arrival-time disagreement that counts as a restart of the stream. Default 30 000 ms. */
  maxTimestampJumpMs?: number;
}

export interface JitterBufferCounters {
  /** Packets accepted into the buffer (not duplicates, late or discarded). */
  received: number;
  duplicate: number;
  late: number;
  lost: number;
  reordered: number;
  resyncs: number;
  /** Packets that looked like a restart but were not confirmed by the next packet. */
  discarded: number;
}
