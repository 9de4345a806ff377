/** RFC 3261 §17 / Table 4 timer base values, in milliseconds. */
export interface SipTimers {
  /** RTT estimate: first retransmission interval. */
  readonly t1: number;
  /** Longest retransmission interval for non-INVITE requests and INVITE responses. */
  readonly t2: number;
  /** Longest time a message stays in the network. */
  readonly t4: number;
}

export const DEFAULT_TIMERS: SipTimers = { t1: 500, t2: 4000, t4: 5000 };

/**
 * One retransmission schedule: fires `onRetransmit` at T1, 2·T1, 4·T1 … capped at T2 (unreliable
 * transports only), and `onTimeout` once after 64·T1, unless stopped first.
 */
export class RetransmitSchedule {
  #interval: number;
  #retransmitTimer: NodeJS.Timeout | null = null;
  readonly #timeoutTimer: NodeJS.Timeout;
  readonly #timers: SipTimers;
  readonly #onRetransmit: (() => void) | null;

  constructor(timers: SipTimers, onRetransmit: (() => void) | null, onTimeout: () => void) {
    this.#timers = timers;
    this.#interval = timers.t1;
    this.#onRetransmit = onRetransmit;
    if (onRetransmit) this.#arm();
    this.#timeoutTimer = setTimeout(() => {
      this.stop();
      onTimeout();
    }, 64 * timers.t1);
  }

  #arm(): void {
    this.#retransmitTimer = setTimeout(() => {
      this.#onRetransmit?.();
      this.#interval = Math.min(this.#interval * 2, this.#timers.t2);
      this.#arm();
    }, this.#interval);
  }

  stop(): void {
    if (this.#retransmitTimer) clearTimeout(this.#retransmitTimer);
    this.#retransmitTimer = null;
    clearTimeout(this.#timeoutTimer);
  }
}
