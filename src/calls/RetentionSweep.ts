import { CallsightError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import type { CallDirectory } from './CallDirectoryTypes.js';
import type { CallErasure } from './CallErasure.js';

const DAY_MS = 86_400_000;

/** How often the sweep runs by default: retention is counted in days, so minutes late is on time. */
export const RETENTION_SWEEP_MS = 10 * 60_000;

/** Calls erased per configuration per query; the sweep goes on until none is left. */
const BATCH = 100;

export interface RetentionSweepOptions {
  readonly directory: Pick<CallDirectory, 'endedCallsOf' | 'prune'>;
  /** The configurations that have a `CallsightRetentionDays`, name → days; read at every sweep. */
  readonly retentions: () => Promise<ReadonlyMap<string, number>>;
  readonly erasure: Pick<CallErasure, 'erase'>;
  readonly logger: Logger;
  /** Clock (tests). Default Date.now. */
  readonly now?: () => number;
  /**
   * The embedded directory only serves restarts: after the sweep, ended calls older than this (ms) are
   * pruned from it, except those of configurations with a retention (the sweep erases those later).
   */
  readonly pruneAfterMs?: number;
}

export interface SweepResult {
  readonly erased: number;
  /** Calls left for the next sweep (a part could not be reached). */
  readonly failed: number;
  readonly pruned: number;
}

/**
 * Retention per configuration: erases, through CallErasure (records, recordings, post-call documents,
 * directory entries, audited with counts only), every call that ended more than its configuration's
 * `CallsightRetentionDays` ago. Which configuration a call ran under and when it ended come from the
 * call directory. Cheap: one indexed query per configuration with a retention per run. Several
 * processes may sweep at once: erasure is idempotent and a call another one erased is skipped.
 */
export class RetentionSweep {
  readonly #options: RetentionSweepOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<SweepResult> | null = null;

  constructor(options: RetentionSweepOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Sweeps now and then every `intervalMs` until stop(). */
  start(intervalMs = RETENTION_SWEEP_MS): void {
    const run = () => void this.sweep().catch(() => undefined);
    run();
    this.#timer = setInterval(run, intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a sweep under way. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  /** One sweep; a sweep already under way is joined, not doubled. */
  sweep(): Promise<SweepResult> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #sweep(): Promise<SweepResult> {
    const { directory, erasure, logger } = this.#options;
    let erased = 0;
    let failed = 0;
    let retentions: ReadonlyMap<string, number>;
    try {
      retentions = await this.#options.retentions();
    } catch (err) {
      logger.error({ err }, 'retention sweep: configurations not read');
      throw err;
    }
    const now = this.#now();
    for (const [name, days] of retentions) {
      const skip = new Set<string>();
      for (;;) {
        const due = (await directory.endedCallsOf(name, now - days * DAY_MS, BATCH + skip.size)).filter(
          (callId) => !skip.has(callId),
        );
        if (due.length === 0) break;
        for (const callId of due) {
          try {
            await erasure.erase(callId, 'retention');
            erased++;
          } catch (err) {
            // Another process erased it first: the directory entry went with it.
            if (err instanceof CallsightError && err.code === 'CS_ERR_NOT_FOUND') continue;
            logger.warn({ err, callId, configuration: name }, 'retention sweep: call not erased');
            failed++;
            skip.add(callId);
          }
        }
        if (skip.size >= 1000 - BATCH) break;
      }
    }
    let pruned = 0;
    if (this.#options.pruneAfterMs !== undefined)
      pruned = await directory.prune(now - this.#options.pruneAfterMs, [...retentions.keys()]);
    if (erased + failed + pruned > 0) logger.info({ erased, failed, pruned }, 'retention sweep');
    return { erased, failed, pruned };
  }
}
