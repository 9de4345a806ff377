import type { RtpPacket } from './RtpPacket.js';
import type {
  JitterBufferCounters,
  JitterBufferOptions,
  JitterItem,
  LostPacket,
  ReleasedPacket,
} from './JitterBufferTypes.js';

/** RFC 3550 A.1: a backward step larger than this, or a forward one larger than MAX_DROPOUT, is a restart. */
const MAX_MISORDER = 100;
const MAX_DROPOUT = 3000;

/**
 * Puts RTP packets back in sequence order. A pure processor: the caller supplies arrival times and
 * calls drain() on its own clock. A packet that continues the sequence is released at once, so an
 * in-order stream pays no latency; packets after a gap wait until the gap is filled or until `depthMs`
 * has passed since the first of them arrived, and the gap is then released as `lost` markers.
 *
 * Sequence numbers are extended past 16 bits internally (`ext`), so wrap-around is ordinary arithmetic.
 */
export class JitterBuffer {
  readonly counters: JitterBufferCounters = {
    received: 0,
    duplicate: 0,
    late: 0,
    lost: 0,
    reordered: 0,
    resyncs: 0,
    discarded: 0,
  };

  readonly #depthMs: number;
  readonly #clockRate: number;
  readonly #capacity: number;
  readonly #mask: number;
  readonly #maxTimestampJumpMs: number;
  /** Held packets, indexed by ext & mask. */
  readonly #slots: (ReleasedPacket | undefined)[];
  /** The ext of the packet released from each recent slot (NaN if lost), to tell duplicates from late packets. */
  readonly #released: Float64Array;

  #started = false;
  #ssrc = 0;
  #nextExt = 0;
  #highestExt = 0;
  #held = 0;
  #lastExt = 0;
  #lastTimestamp = 0;
  #lastArrivalMs = 0;
  /** First packet of a possible restart, waiting for its successor to confirm it (RFC 3550 A.1 probation). */
  #probe: ReleasedPacket | null = null;

  constructor(options: JitterBufferOptions = {}) {
    this.#depthMs = options.depthMs ?? 60;
    this.#clockRate = options.clockRate ?? 8000;
    this.#capacity = options.capacity ?? 256;
    if (this.#capacity < 2 || (this.#capacity & (this.#capacity - 1)) !== 0) {
      throw new RangeError(`JitterBuffer capacity must be a power of two, got ${this.#capacity}`);
    }
    this.#mask = this.#capacity - 1;
    this.#maxTimestampJumpMs = options.maxTimestampJumpMs ?? 30_000;
    this.#slots = new Array<ReleasedPacket | undefined>(this.#capacity).fill(undefined);
    this.#released = new Float64Array(this.#capacity).fill(NaN);
  }

  /** Packets currently waiting for a gap before them to close. */
  get heldCount(): number {
    return this.#held;
  }

  push(packet: RtpPacket, arrivalMs: number): JitterItem[] {
    const out: JitterItem[] = [];
    const item: ReleasedPacket = { kind: 'packet', packet, arrivalMs };
    if (!this.#started) {
      this.#start(item, out);
      return out;
    }
    if (packet.ssrc !== this.#ssrc) {
      this.#probeRestart(item, out);
      return out;
    }
    const delta = ((packet.sequenceNumber - this.#nextExt) << 16) >> 16;
    if (delta < -MAX_MISORDER || delta > MAX_DROPOUT || this.#timestampJumped(packet, arrivalMs)) {
      this.#probeRestart(item, out);
      return out;
    }
    const ext = this.#nextExt + delta;
    if (delta < 0) {
      if (ext > this.#nextExt - this.#capacity && this.#released[ext & this.#mask] === ext)
        this.counters.duplicate++;
      else this.counters.late++;
      return out;
    }
    this.#insert(ext, item, out);
    if (this.#held > 0) this.#expire(arrivalMs, out);
    return out;
  }

  /** Gives up on gaps whose depth has elapsed by `nowMs`. */
  drain(nowMs: number): JitterItem[] {
    const out: JitterItem[] = [];
    if (this.#held > 0) this.#expire(nowMs, out);
    return out;
  }

  /** End of stream: releases every held packet, with the gaps between them as lost. */
  flush(): JitterItem[] {
    const out: JitterItem[] = [];
    while (this.#held > 0) this.#giveUpGap(out);
    return out;
  }

  #start(item: ReleasedPacket, out: JitterItem[]): void {
    this.#started = true;
    this.#ssrc = item.packet.ssrc;
    this.#nextExt = item.packet.sequenceNumber;
    this.#highestExt = this.#nextExt;
    this.#released.fill(NaN);
    this.counters.received++;
    this.#emitPacket(this.#nextExt, item, out);
    this.#nextExt++;
  }

  #insert(ext: number, item: ReleasedPacket, out: JitterItem[]): void {
    while (ext - this.#nextExt >= this.#capacity) {
      if (this.#held > 0) this.#giveUpGap(out);
      else this.#emitLostUntil(ext, item.packet.timestamp, out);
    }
    const slot = ext & this.#mask;
    if (this.#slots[slot] !== undefined) {
      this.counters.duplicate++;
      return;
    }
    this.counters.received++;
    if (ext < this.#highestExt) this.counters.reordered++;
    else this.#highestExt = ext;
    if (ext === this.#nextExt && this.#held === 0) {
      this.#emitPacket(ext, item, out);
      this.#nextExt++;
      return;
    }
    this.#slots[slot] = item;
    this.#held++;
    this.#releaseReady(out);
  }

  #releaseReady(out: JitterItem[]): void {
    while (this.#held > 0) {
      const slot = this.#nextExt & this.#mask;
      const item = this.#slots[slot];
      if (item === undefined) return;
      this.#slots[slot] = undefined;
      this.#held--;
      this.#emitPacket(this.#nextExt, item, out);
      this.#nextExt++;
    }
  }

  #expire(nowMs: number, out: JitterItem[]): void {
    while (this.#held > 0) {
      let oldestArrival = Infinity;
      for (let ext = this.#nextExt; ext <= this.#highestExt; ext++) {
        const item = this.#slots[ext & this.#mask];
        if (item !== undefined && item.arrivalMs < oldestArrival) oldestArrival = item.arrivalMs;
      }
      if (oldestArrival + this.#depthMs > nowMs) return;
      this.#giveUpGap(out);
    }
  }

  /** Declares the gap at the head lost and releases the run of packets after it. */
  #giveUpGap(out: JitterItem[]): void {
    let ext = this.#nextExt;
    while (this.#slots[ext & this.#mask] === undefined) ext++;
    this.#emitLostUntil(ext, this.#slots[ext & this.#mask]!.packet.timestamp, out);
    this.#releaseReady(out);
  }

  /** Emits lost markers from the head up to (not including) `untilExt`, whose timestamp is given. */
  #emitLostUntil(untilExt: number, untilTimestamp: number, out: JitterItem[]): void {
    const span = untilExt - this.#lastExt;
    const tsSpan = (untilTimestamp - this.#lastTimestamp) | 0;
    for (let ext = this.#nextExt; ext < untilExt; ext++) {
      const timestamp = (this.#lastTimestamp + Math.round((tsSpan * (ext - this.#lastExt)) / span)) >>> 0;
      const lost: LostPacket = { kind: 'lost', sequence: ext & 0xffff, timestamp };
      this.#released[ext & this.#mask] = NaN;
      this.counters.lost++;
      out.push(lost);
    }
    this.#nextExt = untilExt;
  }

  #emitPacket(ext: number, item: ReleasedPacket, out: JitterItem[]): void {
    this.#released[ext & this.#mask] = ext;
    this.#lastExt = ext;
    this.#lastTimestamp = item.packet.timestamp;
    this.#lastArrivalMs = item.arrivalMs;
    out.push(item);
  }

  #timestampJumped(packet: RtpPacket, arrivalMs: number): boolean {
    const mediaMs = (((packet.timestamp - this.#lastTimestamp) | 0) * 1000) / this.#clockRate;
    return Math.abs(mediaMs - (arrivalMs - this.#lastArrivalMs)) > this.#maxTimestampJumpMs;
  }

  /** A restart is believed only when the next packet continues it; a lone stray packet is discarded. */
  #probeRestart(item: ReleasedPacket, out: JitterItem[]): void {
    const probe = this.#probe;
    const confirms =
      probe !== null &&
      probe.packet.ssrc === item.packet.ssrc &&
      item.packet.sequenceNumber === ((probe.packet.sequenceNumber + 1) & 0xffff);
    if (!confirms) {
      this.#probe = item;
      this.counters.discarded++;
      return;
    }
    this.#probe = null;
    this.counters.discarded--;
    while (this.#held > 0) this.#giveUpGap(out);
    this.counters.resyncs++;
    out.push({ kind: 'resync', ssrc: item.packet.ssrc });
    this.#start(probe, out);
    for (const released of this.push(item.packet, item.arrivalMs)) out.push(released);
  }
}
