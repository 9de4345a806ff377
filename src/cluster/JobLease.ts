import { performance } from 'node:perf_hooks';

/** Margin kept below the server's AckWait, for timer lateness and clock-rate differences. */
const SAFETY_MS = 250;

/**
 * How long a worker may still act on a job: the lease pattern over JetStream's AckWait. The server
 * redelivers a job AckWait after the last heartbeat (in-progress ack) it received; a heartbeat
 * confirmed by a round trip was received after it was sent, so the job is certainly still this
 * worker's until `sent + AckWait`. Past that (a long GC pause, a frozen VM, a lost connection) another
 * worker may have it: the holder must stop before acting again, so that a call's audio is handled by
 * exactly one worker at a time. Measured on the monotonic clock.
 */
export class JobLease {
  readonly #ackWaitMs: number;
  readonly #now: () => number;
  #expiresAt = Number.NEGATIVE_INFINITY;

  constructor(ackWaitMs: number, now: () => number = () => performance.now()) {
    this.#ackWaitMs = ackWaitMs;
    this.#now = now;
  }

  /** A heartbeat sent at `sentAt` (this lease's clock) was confirmed by the server. */
  renewed(sentAt: number): void {
    this.#expiresAt = Math.max(this.#expiresAt, sentAt + this.#ackWaitMs - SAFETY_MS);
  }

  /** Whether the job is certainly still this worker's. False before the first confirmed heartbeat. */
  valid(now = this.#now()): boolean {
    return now < this.#expiresAt;
  }

  now(): number {
    return this.#now();
  }
}
