/**
 * Rate limit for log lines about untrusted sources (refused hosts, failed authentication), so that a
 * scanner cannot flood the logs: each key (a source address) gets at most one line per interval,
 * and all keys together at most `maxLinesPerInterval`. Lines held back are counted and reported on
 * the next line that goes out. Pure: no timers; the clock is injectable.
 *
 * Memory is bounded by the line budget: a key is remembered only for an interval after its last
 * line, so at most about two intervals' worth of lines are tracked.
 */
export interface LogThrottleOptions {
  /** Each key logs at most once per interval (default 60 000 ms). */
  readonly intervalMs?: number;
  /** All keys together log at most this many lines per interval (default 20). */
  readonly maxLinesPerInterval?: number;
  readonly now?: () => number;
}

export interface Admitted {
  /** Lines for this key held back since its previous line. */
  readonly suppressed: number;
  /** Lines for other keys held back and not reported with a line of their own. */
  readonly othersSuppressed: number;
}

export class LogThrottle {
  readonly #intervalMs: number;
  readonly #maxLines: number;
  readonly #now: () => number;
  /** Keys that logged within the last interval, oldest line first. */
  readonly #keys = new Map<string, { loggedAt: number; suppressed: number }>();
  #windowStart = -Infinity;
  #linesInWindow = 0;
  #othersSuppressed = 0;

  constructor(options: LogThrottleOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 60_000;
    this.#maxLines = options.maxLinesPerInterval ?? 20;
    this.#now = options.now ?? Date.now;
  }

  /** Whether a line about `key` may be written now: null to stay quiet. */
  admit(key: string): Admitted | null {
    const now = this.#now();
    const entry = this.#keys.get(key);
    if (entry && now - entry.loggedAt < this.#intervalMs) {
      entry.suppressed++;
      return null;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.#keys.delete(key);
    this.#forgetQuietKeys(now);
    if (now - this.#windowStart >= this.#intervalMs) {
      this.#windowStart = now;
      this.#linesInWindow = 0;
    }
    if (this.#linesInWindow >= this.#maxLines) {
      this.#othersSuppressed += suppressed + 1;
      return null;
    }
    this.#linesInWindow++;
    const admitted = { suppressed, othersSuppressed: this.#othersSuppressed };
    this.#othersSuppressed = 0;
    this.#keys.set(key, { loggedAt: now, suppressed: 0 });
    return admitted;
  }

  /** Keys remembered (for tests: stays bounded under a flood of distinct keys). */
  get trackedKeys(): number {
    return this.#keys.size;
  }

  #forgetQuietKeys(now: number): void {
    for (const [key, entry] of this.#keys) {
      if (now - entry.loggedAt < this.#intervalMs) break;
      // Its held-back lines would otherwise be lost: report them with the next line.
      this.#othersSuppressed += entry.suppressed;
      this.#keys.delete(key);
    }
  }
}
