/** RTP payload samples per packet at 8 kHz and 20 ms ptime. */
const SAMPLES_PER_PACKET = 160;

/**
 * When each RTP packet of one call was sent, so that a time on Callsight's media clock can be turned
 * back into the wall-clock time its audio left the caller.
 *
 * Callsight's media clock starts when the INVITE arrives (≈ when it was sent, on loopback) and pins the
 * first RTP packet to its arrival offset; later samples follow the RTP timestamps. So media time T
 * (ms) is sample (T − (firstPacketSentAt − inviteSentAt)) · 8 of what was sent.
 */
export class SendLog {
  #inviteSentAt = Number.NaN;
  readonly #sentAt: number[] = [];
  /** Look-ups that fell outside the packets sent and were clamped to the first or last one. */
  clamped = 0;

  /** SipCaller's onAnswered hook. */
  readonly onAnswered = (info: { inviteSentAt: number }): void => {
    this.#inviteSentAt = info.inviteSentAt;
  };

  /** SipCaller's onPacket hook. */
  readonly onPacket = (sentAt: number, firstSample: number): void => {
    this.#sentAt[Math.floor(firstSample / SAMPLES_PER_PACKET)] = sentAt;
  };

  get packets(): number {
    return this.#sentAt.length;
  }

  /** Wall-clock ms the last packet left, or NaN before any. */
  get lastSentAt(): number {
    return this.#sentAt.at(-1) ?? Number.NaN;
  }

  /**
   * Wall-clock ms (Date.now()) at which the packet carrying the audio just before media time
   * `seconds` was sent (an EndTime is the end of its last sample); NaN when nothing was sent.
   */
  sentAtForMediaTime(seconds: number): number {
    const first = this.#sentAt[0];
    if (first === undefined || Number.isNaN(this.#inviteSentAt)) return Number.NaN;
    const firstOffsetMs = first - this.#inviteSentAt;
    const endSample = (seconds * 1000 - firstOffsetMs) * 8;
    let index = Math.ceil(endSample / SAMPLES_PER_PACKET) - 1;
    if (index < 0 || index >= this.#sentAt.length) {
      this.clamped++;
      index = Math.min(this.#sentAt.length - 1, Math.max(0, index));
    }
    return this.#sentAt[index] ?? Number.NaN;
  }
}
