/**
 * Backoff on failed sign-ins, per user name and per client address: after FREE_FAILURES failures in a
 * row, each further attempt must wait twice as long as the last (1 s, 2 s, 4 s… up to 15 minutes).
 * A success clears the name's count. In memory, per gateway: a rate limit, not an account lockout.
 */
const FREE_FAILURES = 5;
const MAX_WAIT_MS = 15 * 60_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  failures: number;
  lockedUntil: number;
}

export class LoginThrottle {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Milliseconds to wait before another attempt for these keys (0: go ahead). */
  waitMs(keys: readonly string[]): number {
    const now = this.#now();
    return Math.max(0, ...keys.map((key) => (this.#entries.get(key)?.lockedUntil ?? 0) - now));
  }

  failed(keys: readonly string[]): void {
    const now = this.#now();
    if (this.#entries.size > MAX_ENTRIES) this.#forgetIdle(now);
    for (const key of keys) {
      const entry = this.#entries.get(key) ?? { failures: 0, lockedUntil: 0 };
      entry.failures++;
      if (entry.failures >= FREE_FAILURES)
        entry.lockedUntil = now + Math.min(MAX_WAIT_MS, 1000 * 2 ** (entry.failures - FREE_FAILURES));
      this.#entries.set(key, entry);
    }
  }

  succeeded(key: string): void {
    this.#entries.delete(key);
  }

  #forgetIdle(now: number): void {
    for (const [key, entry] of this.#entries)
      if (entry.lockedUntil + MAX_WAIT_MS < now) this.#entries.delete(key);
  }
}
