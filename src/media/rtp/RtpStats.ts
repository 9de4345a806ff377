import type { RtpStreamStats } from '../MediaTypes.js';
import type { JitterBufferCounters } from './JitterBufferTypes.js';

/**
 * Counters the receiver keeps itself (source lock, parse failures) and the RFC 3550 A.8 interarrival
 * jitter estimate; the ordering counters come from the jitter buffer at snapshot time.
 */
export class RtpStats {
  spoofed = 0;
  invalid = 0;
  unauthenticated = 0;
  replayed = 0;

  readonly #unitsPerMs: number;
  /** Jitter in RTP timestamp units, as RFC 3550 A.8 keeps it. */
  #jitter = 0;
  #hasReference = false;
  #previousTimestamp = 0;
  #previousArrivalMs = 0;

  constructor(clockRate = 8000) {
    this.#unitsPerMs = clockRate / 1000;
  }

  /**
   * J(i) = J(i−1) + (|D(i−1,i)| − J(i−1))/16, where D is the change in transit time. Computed from
   * differences, so the 32-bit timestamp wrap and the unknown sender clock offset cancel out.
   */
  onPacket(timestamp: number, arrivalMs: number): void {
    if (this.#hasReference) {
      const arrivalUnits = (arrivalMs - this.#previousArrivalMs) * this.#unitsPerMs;
      const timestampUnits = (timestamp - this.#previousTimestamp) | 0;
      const d = Math.abs(arrivalUnits - timestampUnits);
      this.#jitter += (d - this.#jitter) / 16;
    }
    this.#hasReference = true;
    this.#previousTimestamp = timestamp;
    this.#previousArrivalMs = arrivalMs;
  }

  /** After a stream restart the old timestamps say nothing about the new transit times. */
  resetReference(): void {
    this.#hasReference = false;
  }

  get jitterMs(): number {
    return this.#jitter / this.#unitsPerMs;
  }

  snapshot(buffer: JitterBufferCounters): RtpStreamStats {
    return {
      packetsReceived: buffer.received,
      packetsLost: buffer.lost,
      packetsDuplicate: buffer.duplicate,
      packetsLate: buffer.late,
      packetsReordered: buffer.reordered,
      packetsSpoofed: this.spoofed,
      packetsInvalid: this.invalid + buffer.discarded,
      packetsUnauthenticated: this.unauthenticated,
      packetsReplayed: this.replayed,
      jitterMs: this.jitterMs,
    };
  }
}
