import type { JobClock } from '../../src/cluster/JobClock.js';

interface Timer {
  readonly every: number;
  next: number;
  readonly tick: () => unknown;
}

interface Sleeper {
  readonly at: number;
  readonly wake: () => void;
}

/**
 * A JobClock the test moves by hand. `freeze(ms)` lets time pass with no timer running, as for a
 * process stopped past its lease (SIGSTOP, a suspended VM, a long pause); `advance(ms)` runs every
 * timer falling due on the way, in order, and waits for what each tick started (a heartbeat's round
 * trip). Like Node's, an overdue interval runs once and is then due `every` after that.
 */
export class TestClock implements JobClock {
  #now = 0;
  readonly #timers = new Set<Timer>();
  readonly #sleepers = new Set<Sleeper>();

  now(): number {
    return this.#now;
  }

  every(ms: number, tick: () => unknown): () => void {
    const timer: Timer = { every: ms, next: this.#now + ms, tick };
    this.#timers.add(timer);
    return () => this.#timers.delete(timer);
  }

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((wake) => this.#sleepers.add({ at: this.#now + ms, wake }));
  }

  freeze(ms: number): void {
    this.#now += ms;
  }

  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      const timer = [...this.#timers].sort((a, b) => a.next - b.next)[0];
      const sleeper = [...this.#sleepers].sort((a, b) => a.at - b.at)[0];
      const timerAt = timer?.next ?? Infinity;
      const sleeperAt = sleeper?.at ?? Infinity;
      if (Math.min(timerAt, sleeperAt) > end) break;
      if (sleeper && sleeperAt <= timerAt) {
        this.#now = Math.max(this.#now, sleeperAt);
        this.#sleepers.delete(sleeper);
        sleeper.wake();
        continue;
      }
      this.#now = Math.max(this.#now, timerAt);
      timer!.next = this.#now + timer!.every;
      await timer!.tick();
    }
    this.#now = end;
  }
}
