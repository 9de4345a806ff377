import { counter, gauge, type ScrapedMetric } from '../platform/metrics.js';

/** The data disk as the embedded data stream finds it, for /healthz. */
export interface StreamSpaceHealth {
  /** `full`: the latest write found no space (disk full, quota) and none has succeeded since. */
  readonly disk: 'ok' | 'full';
  /** When the disk was last found full (ISO time), if ever. */
  readonly lastFullAt: string | null;
  /** Why (SQLite's error code), if ever. */
  readonly lastError: string | null;
  /** Records pushed live but not yet on disk, waiting for space (at most stream.maxHeldRecords). */
  readonly held: number;
  /** Records that never reached the disk: the oldest held ones beyond stream.maxHeldRecords. */
  readonly lost: number;
}

/**
 * The embedded data stream's view of its disk: a commit that fails for lack of space marks it full
 * and the records wait in memory; the next commit that succeeds marks it ok again. Shown on /healthz
 * and /metrics (SqliteDataStream keeps it).
 */
export class StreamSpace {
  #full = false;
  #lastFullAt: Date | null = null;
  #lastError: string | null = null;
  #held = 0;
  #lost = 0;
  #episodes = 0;

  /** A commit found no space; true when the disk was fine until now (the caller logs that once). */
  full(code: string): boolean {
    const first = !this.#full;
    this.#full = true;
    this.#lastFullAt = new Date();
    this.#lastError = code;
    if (first) this.#episodes++;
    return first;
  }

  /** A commit succeeded: true when the disk was full until now. */
  returned(): boolean {
    const was = this.#full;
    this.#full = false;
    return was;
  }

  get isFull(): boolean {
    return this.#full;
  }

  set held(count: number) {
    this.#held = count;
  }

  lose(count: number): void {
    this.#lost += count;
  }

  health(): StreamSpaceHealth {
    return {
      disk: this.#full ? 'full' : 'ok',
      lastFullAt: this.#lastFullAt?.toISOString() ?? null,
      lastError: this.#lastError,
      held: this.#held,
      lost: this.#lost,
    };
  }

  metrics(): ScrapedMetric[] {
    return [
      gauge(
        'callsight_stream_disk_full',
        '1 while the data stream finds no room on the data disk (disk full or quota), as its latest commit found it.',
        () => (this.#full ? 1 : 0),
      ),
      counter(
        'callsight_stream_disk_full_total',
        'Times the data stream found the data disk full (each time until a commit succeeds again counts once).',
        () => this.#episodes,
      ),
      gauge(
        'callsight_stream_records_held',
        'Records pushed live but held in memory until the data disk has room (at most stream.maxHeldRecords).',
        () => this.#held,
      ),
      counter(
        'callsight_stream_records_lost_total',
        'Records that never reached the data disk: held beyond stream.maxHeldRecords while it was full.',
        () => this.#lost,
      ),
    ];
  }
}
