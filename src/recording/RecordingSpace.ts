import { counter, gauge, type ScrapedMetric } from '../platform/metrics.js';

/** The recordings disk as /healthz shows it. */
export interface RecordingSpaceHealth {
  /** `full`: the latest write found no space (disk full, quota, file-size limit) and none has succeeded since. */
  readonly disk: 'ok' | 'full';
  /** When the disk was last found full (ISO time), if ever. */
  readonly lastFullAt: string | null;
  /** Why (the system's error code), if ever. */
  readonly lastError: string | null;
  /** Recordings that lost audio to a full disk since the process started. */
  readonly recordingsAffected: number;
}

/**
 * Whether the recordings disk has room, as the recordings being written find it: a write that fails
 * for lack of space marks it full, the next one that succeeds marks it ok again. Owned by the store,
 * shown on /healthz and /metrics.
 */
export class RecordingSpace {
  #full = false;
  #lastFullAt: Date | null = null;
  #lastError: string | null = null;
  #recordingsAffected = 0;

  /** A recording found no space; `firstForRecording` when it is the first time for that recording. */
  lost(code: string, firstForRecording: boolean): void {
    this.#full = true;
    this.#lastFullAt = new Date();
    this.#lastError = code;
    if (firstForRecording) this.#recordingsAffected++;
  }

  /** A write succeeded after a failure: there is room again. */
  returned(): void {
    this.#full = false;
  }

  health(): RecordingSpaceHealth {
    return {
      disk: this.#full ? 'full' : 'ok',
      lastFullAt: this.#lastFullAt?.toISOString() ?? null,
      lastError: this.#lastError,
      recordingsAffected: this.#recordingsAffected,
    };
  }

  metrics(): ScrapedMetric[] {
    return [
      gauge(
        'callsight_recording_disk_full',
        '1 while the recordings disk has no room (disk full, quota or file-size limit), as the latest write found it.',
        () => (this.#full ? 1 : 0),
      ),
      counter(
        'callsight_recordings_disk_full_total',
        'Recordings that lost audio (written as silence) because the recordings disk had no room.',
        () => this.#recordingsAffected,
      ),
    ];
  }
}
