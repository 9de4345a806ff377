import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * The time a JobRunner measures its leases in and runs its periodic work on: the monotonic clock and
 * Node's timers, or a test's own clock, which can let time pass with no timer running (a process
 * frozen past its lease) or run the timers due.
 */
export interface JobClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Runs `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => unknown): () => void;
  /** Resolves after `ms`. */
  sleep(ms: number): Promise<void>;
}

export const monotonicClock: JobClock = {
  now: () => performance.now(),
  every(ms, tick) {
    const timer = setInterval(() => void tick(), ms);
    return () => clearInterval(timer);
  },
  sleep: (ms) => delay(ms),
};
