import { RecordingSpace } from './RecordingSpace.js';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { CallsightError, errorMessage } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { repairRecordings, type RepairResult } from './RecordingRepair.js';
import type {
  ByteRange,
  MaintenanceReport,
  RecordingFileKind,
  RecordingStorage,
  RecordingStoreOptions,
  StoredRecording,
} from './RecordingStoreTypes.js';
import { S3Bucket } from './S3Bucket.js';
import { IN_PROGRESS_SUFFIX } from './WavFileWriter.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const RECORDING_CONTENT_TYPE = 'audio/wav';
/** Call and pipeline ids as they appear in file names and object keys (UUIDs in practice). */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** The object keys Callsight writes: retention never touches anything else in the bucket. */
const KEY = /^([A-Za-z0-9][A-Za-z0-9._-]{0,127})\/([A-Za-z0-9][A-Za-z0-9._-]{0,127})\.wav$/;

const SUFFIX: Readonly<Record<RecordingFileKind, string>> = {
  recording: '.wav',
  redacted: '.redacted.wav',
  work: '.redacting.wav',
};

/** The kind and pipeline of a file name (`<pipelineId><suffix>`), longest suffix first. */
export function recordingFileOf(name: string): { pipelineId: string; kind: RecordingFileKind } | null {
  for (const kind of ['work', 'redacted', 'recording'] as const) {
    const suffix = SUFFIX[kind];
    if (name.endsWith(suffix) && name.length > suffix.length)
      return { pipelineId: name.slice(0, -suffix.length), kind };
  }
  return null;
}

/** True when `id` can name a recording (a call or pipeline id): no path separators, no `..`. */
export function isRecordingId(id: string): boolean {
  return SEGMENT.test(id) && !id.includes('..');
}

function safeSegment(id: string): string {
  return isRecordingId(id)
    ? id
    : id
        .replace(/[^A-Za-z0-9._-]/g, '_')
        .replace(/\.\.+/g, '_')
        .replace(/^[._-]/, '_') || '_';
}

/**
 * `<callId>/<pipelineId>.wav` (or `.redacted.wav`, `.redacting.wav`): the file's place under the
 * recordings folder, and its S3 key.
 */
export function recordingKey(
  callId: string,
  pipelineId: string,
  kind: RecordingFileKind = 'recording',
): string {
  return `${safeSegment(callId)}/${safeSegment(pipelineId)}${SUFFIX[kind]}`;
}

/**
 * The recordings of every call: written to a local folder, then (when `recording.s3Bucket` is set)
 * uploaded to an S3-compatible store and removed locally. A failed upload leaves the file where it
 * is, served from there, and retried (after a minute, doubling up to an hour, and at every start).
 *
 * Layout, locally and as S3 keys: `<callId>/<pipelineId>.wav`, and `<pipelineId>.redacted.wav` for
 * a recording with PII silenced (RecordingFileKind); `….part` while recording. `open()` repairs what a crash left before anything records. Retention (days, by the
 * file's or object's last modification) runs at open and hourly.
 */
export class RecordingStore implements RecordingStorage {
  readonly space = new RecordingSpace();
  readonly dir: string;
  readonly #options: RecordingStoreOptions;
  readonly #logger: Logger;
  readonly #s3: S3Bucket | null;
  /** Uploads in flight by key: a second request for the same file joins the first. */
  readonly #uploading = new Map<string, Promise<StoredRecording | null>>();
  readonly #busy = new Set<Promise<unknown>>();
  #maintenance: Promise<MaintenanceReport> | null = null;
  #interval: NodeJS.Timeout | null = null;
  #retry: NodeJS.Timeout | null = null;
  #failures = 0;
  #closed = false;

  private constructor(options: RecordingStoreOptions) {
    this.#options = options;
    this.dir = resolve(options.dir);
    this.#logger = options.logger;
    this.#s3 = options.s3 && options.s3.bucket ? new S3Bucket(options.s3) : null;
  }

  /**
   * Creates the folder, repairs recordings a crash left, then starts maintenance (pending uploads,
   * retention) in the background, now and every `maintenanceIntervalMs`.
   */
  static async open(options: RecordingStoreOptions): Promise<RecordingStore> {
    const store = new RecordingStore(options);
    await mkdir(store.dir, { recursive: true });
    await store.repair();
    store.#logger.info(
      { dir: store.dir, retentionDays: options.retentionDays, s3: store.#s3?.describe() ?? null },
      'recordings ready',
    );
    store.#track(store.maintain());
    store.#interval = setInterval(
      () => store.#track(store.maintain()),
      options.maintenanceIntervalMs ?? HOUR_MS,
    );
    store.#interval.unref();
    return store;
  }

  /** Finalizes what a killed process left (see RecordingRepair.ts). `open()` runs it. */
  repair(): Promise<RepairResult[]> {
    return repairRecordings(this.dir, this.#logger);
  }

  pathFor(callId: string, pipelineId: string, kind: RecordingFileKind = 'recording'): string {
    return join(this.dir, recordingKey(callId, pipelineId, kind));
  }

  async publish(
    path: string,
    callId: string,
    pipelineId: string,
    redacted = false,
  ): Promise<StoredRecording> {
    const info = await stat(path);
    const local: StoredRecording = {
      callId,
      pipelineId,
      redacted,
      where: 'local',
      location: path,
      sizeBytes: info.size,
      lastModified: info.mtime,
    };
    if (!this.#s3) return local;
    const uploaded = await this.#upload(
      path,
      recordingKey(callId, pipelineId, redacted ? 'redacted' : 'recording'),
    );
    if (uploaded) return uploaded;
    this.#scheduleRetry();
    return local;
  }

  async find(callId: string, pipelineId?: string, redacted = false): Promise<StoredRecording | null> {
    if (!isRecordingId(callId) || (pipelineId !== undefined && !isRecordingId(pipelineId))) return null;
    const wanted = (r: StoredRecording) =>
      r.redacted === redacted && (pipelineId === undefined || r.pipelineId === pipelineId);
    const local = (await this.#findLocal(callId)).filter(wanted);
    let remote: StoredRecording[] = [];
    try {
      remote = (await this.#findS3(callId)).filter(wanted);
    } catch (cause) {
      // A recording still kept locally (its upload failed) is served while S3 is down.
      this.#logger.warn({ err: cause, callId }, 'cannot list recordings in S3');
      if (local.length === 0) {
        throw new CallsightError(
          'CS_ERR_RECORDING_STORE_UNAVAILABLE',
          `the recordings bucket cannot be reached: ${errorMessage(cause)}`,
          { cause },
        );
      }
    }
    // Local first on a tie: an upload whose local removal failed is still the same recording.
    const candidates = [...local, ...remote];
    candidates.sort(
      (a, b) => b.lastModified.getTime() - a.lastModified.getTime() || (a.where === 'local' ? -1 : 1),
    );
    return candidates[0] ?? null;
  }

  async read(recording: StoredRecording, range?: ByteRange): Promise<Readable> {
    if (recording.where === 'local') {
      return createReadStream(recording.location, range ? { start: range.start, end: range.end } : {});
    }
    if (!this.#s3) throw new Error('recording is in S3 but no S3 store is configured');
    const kind = recording.redacted ? 'redacted' : 'recording';
    return this.#s3.read(recordingKey(recording.callId, recording.pipelineId, kind), range);
  }

  async eraseCall(callId: string): Promise<number> {
    if (!isRecordingId(callId)) return 0;
    const uploads = [...this.#uploading].filter(([key]) => key.startsWith(`${callId}/`));
    await Promise.allSettled(uploads.map(([, upload]) => upload));
    const folder = join(this.dir, callId);
    const names = await readdir(folder).catch(() => [] as string[]);
    let erased = names.filter(
      (name) => name.endsWith('.wav') || name.endsWith(`.wav${IN_PROGRESS_SUFFIX}`),
    ).length;
    await rm(folder, { recursive: true, force: true });
    if (this.#s3) {
      for await (const object of this.#s3.list(`${callId}/`)) {
        if (KEY.exec(object.key)?.[1] !== callId) continue;
        await this.#s3.delete(object.key);
        erased++;
      }
    }
    this.#logger.info({ callId, erased }, 'recordings of a call erased');
    return erased;
  }

  /**
   * Uploads finished local recordings (S3 configured) and deletes those past retention. One pass at
   * a time; a call during a pass returns that pass.
   */
  maintain(): Promise<MaintenanceReport> {
    this.#maintenance ??= this.#maintain().finally(() => (this.#maintenance = null));
    return this.#maintenance;
  }

  /** Stops the timers and waits for uploads and maintenance in progress. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#interval) clearInterval(this.#interval);
    if (this.#retry) clearTimeout(this.#retry);
    this.#interval = this.#retry = null;
    while (this.#busy.size > 0) await Promise.allSettled([...this.#busy]);
    this.#s3?.close();
  }

  async #maintain(): Promise<MaintenanceReport> {
    let uploaded = 0;
    let uploadFailures = 0;
    let deletedLocal = 0;
    let deletedS3 = 0;
    const retentionMs = this.#options.retentionDays * DAY_MS;
    const cutoff = (this.#options.now ?? Date.now)() - retentionMs;
    try {
      for (const file of await this.#localFiles()) {
        if (this.#closed) break;
        const expired = retentionMs > 0 && file.lastModified.getTime() < cutoff;
        if (expired) {
          await unlink(file.path).catch((err: unknown) =>
            this.#logger.warn({ err, file: file.path }, 'cannot delete an expired recording'),
          );
          deletedLocal++;
          await rmdir(join(this.dir, file.callId)).catch(() => undefined);
        } else if (this.#s3 && !file.part && file.kind !== 'work') {
          const key = recordingKey(file.callId, file.pipelineId, file.kind);
          if (await this.#upload(file.path, key)) uploaded++;
          else uploadFailures++;
        }
      }
      if (this.#s3 && retentionMs > 0 && !this.#closed) {
        for await (const object of this.#s3.list()) {
          if (!KEY.test(object.key) || object.lastModified.getTime() >= cutoff) continue;
          await this.#s3.delete(object.key);
          deletedS3++;
        }
      }
    } catch (err) {
      this.#logger.error({ err }, 'recording maintenance failed');
    }
    if (uploadFailures > 0) this.#scheduleRetry();
    const report = { uploaded, uploadFailures, deletedLocal, deletedS3 };
    if (uploaded + uploadFailures + deletedLocal + deletedS3 > 0)
      this.#logger.info(report, 'recording maintenance');
    return report;
  }

  /** Uploads one file and removes it locally; null (logged) when the upload failed. */
  #upload(path: string, key: string): Promise<StoredRecording | null> {
    const running = this.#uploading.get(key);
    if (running) return running;
    const upload = this.#uploadOnce(path, key).finally(() => this.#uploading.delete(key));
    this.#uploading.set(key, upload);
    this.#track(upload);
    return upload;
  }

  async #uploadOnce(path: string, key: string): Promise<StoredRecording | null> {
    const s3 = this.#s3;
    if (!s3) return null;
    try {
      const info = await stat(path);
      await s3.upload(key, path, RECORDING_CONTENT_TYPE);
      await unlink(path).catch((err: unknown) =>
        this.#logger.warn({ err, path }, 'uploaded recording could not be removed locally'),
      );
      await rmdir(dirname(path)).catch(() => undefined);
      this.#failures = 0;
      this.#logger.info({ key, bucket: s3.name, sizeBytes: info.size }, 'recording uploaded');
      const match = KEY.exec(key);
      const file = recordingFileOf(`${match?.[2] ?? ''}.wav`);
      return {
        callId: match?.[1] ?? '',
        pipelineId: file?.pipelineId ?? '',
        redacted: file?.kind === 'redacted',
        where: 's3',
        location: s3.urlOf(key),
        sizeBytes: info.size,
        lastModified: new Date(),
      };
    } catch (err) {
      this.#logger.warn(
        { err, key, bucket: s3.name },
        'recording upload failed; kept locally and retried later',
      );
      return null;
    }
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retry) return;
    const first = this.#options.retryDelayMs ?? 60_000;
    const ceiling = this.#options.maintenanceIntervalMs ?? HOUR_MS;
    const delay = Math.min(ceiling, first * 2 ** this.#failures);
    this.#failures++;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.#track(this.maintain());
    }, delay);
    this.#retry.unref();
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch(() => undefined).finally(() => this.#busy.delete(tracked));
    this.#busy.add(tracked);
  }

  async #findLocal(callId: string): Promise<StoredRecording[]> {
    const folder = join(this.dir, callId);
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      return [];
    }
    const found: StoredRecording[] = [];
    for (const name of names) {
      const file = recordingFileOf(name);
      if (!file || file.kind === 'work') continue;
      const path = join(folder, name);
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) continue;
      found.push({
        callId,
        pipelineId: file.pipelineId,
        redacted: file.kind === 'redacted',
        where: 'local',
        location: path,
        sizeBytes: info.size,
        lastModified: info.mtime,
      });
    }
    return found;
  }

  async #findS3(callId: string): Promise<StoredRecording[]> {
    const s3 = this.#s3;
    if (!s3) return [];
    const found: StoredRecording[] = [];
    for await (const object of s3.list(`${callId}/`)) {
      const match = KEY.exec(object.key);
      const file = match ? recordingFileOf(`${match[2]!}.wav`) : null;
      if (!match || match[1] !== callId || !file || file.kind === 'work') continue;
      found.push({
        callId,
        pipelineId: file.pipelineId,
        redacted: file.kind === 'redacted',
        where: 's3',
        location: s3.urlOf(object.key),
        sizeBytes: object.sizeBytes,
        lastModified: object.lastModified,
      });
    }
    return found;
  }

  /** Every recording file in the folder, finished or (`part`) in progress. */
  async #localFiles(): Promise<
    {
      path: string;
      callId: string;
      pipelineId: string;
      kind: RecordingFileKind;
      part: boolean;
      lastModified: Date;
    }[]
  > {
    const files = [];
    let calls: string[];
    try {
      calls = await readdir(this.dir);
    } catch {
      return [];
    }
    for (const callId of calls) {
      const folder = join(this.dir, callId);
      let names: string[];
      try {
        names = await readdir(folder);
      } catch {
        continue; // a file, or gone
      }
      for (const name of names) {
        const part = name.endsWith(`.wav${IN_PROGRESS_SUFFIX}`);
        const file = recordingFileOf(part ? name.slice(0, -IN_PROGRESS_SUFFIX.length) : name);
        if (!file) continue;
        const path = join(folder, name);
        const info = await stat(path).catch(() => null);
        if (!info?.isFile()) continue;
        files.push({ path, callId, ...file, part, lastModified: info.mtime });
      }
    }
    return files;
  }
}
