import { copyFile, rename, unlink } from 'node:fs/promises';
import { DetailType } from '../../events/DetailTypes.js';
import type { PcmFrame } from '../../media/MediaTypes.js';
import type { PipelineContext, PipelineProcessor } from '../PipelineTypes.js';
import type { RecordingStorage } from '../../recording/RecordingStoreTypes.js';
import { StereoWavRecorder, type RecordingSummary } from '../../recording/StereoWavRecorder.js';
import { IN_PROGRESS_SUFFIX } from '../../recording/WavFileWriter.js';
import { recordingRecord, type RecordingUrls } from '../records/RecordingRecord.js';
import type { StoredRecording } from '../../recording/RecordingStoreTypes.js';
import { silenceSpans, type SilencedSpan } from '../../recording/WavRedaction.js';
import { CallsightError } from '../../platform/errors.js';
import type { RedactedSpans } from './RedactedSpans.js';

/**
 * How far each redacted entity's silence reaches beyond its word times, before and after. The times
 * are the recogniser's word boundaries (10 ms frames), which put the weak edges of a word — the
 * unvoiced "f" of "four", "s" of "six", "th" of "three", a trailing "t" of "eight" — a frame or
 * several inside the word; the speech detector's blocks add up to 20 ms. 150 ms covers that with room,
 * and costs at most a short syllable of the neighbouring words (see docs/privacy.md for the measure).
 */
export const REDACTION_MARGIN_MS = 150;

export interface RecordingProcessorOptions {
  readonly storage: RecordingStorage;
  /**
   * The URL a browser opens for a recording, put in the record's `s3MediaObjectConsoleUrl` (App
   * builds it from the advertised HTTP address; see docs/recordings.md).
   */
  readonly urlFor: (callId: string, pipelineId: string, redacted?: boolean) => string;
  /** Rate of the file: the pipeline's 16 kHz. */
  readonly sampleRate: number;
  /** Overrides for tests (see StereoWavRecorderOptions). */
  readonly holdbackMs?: number;
  readonly headerIntervalMs?: number;
  /**
   * ContentRedactionType in the configuration: the PII spans its redacting processor found, silenced
   * in a redacted copy when the call ends; `output` says whether the recording as recorded is kept too.
   */
  readonly redaction?: RedactedSpans;
}

/**
 * Chime's S3RecordingSink: the call's two pipeline channels as one stereo WAV (channel 0 left,
 * channel 1 right), written while the call goes on, handed to the storage at the end (local folder,
 * or uploaded to S3), then announced with a "Recording" record. Paused time is not recorded. A
 * pipeline that received no audio leaves no file and sends no record.
 *
 * With redaction (ContentRedactionType), when the call ends and the redacting processor has emitted
 * its last final, the spans of its redacted entities (plus REDACTION_MARGIN_MS each side) are
 * silenced in the speaker's channel of a copy, `<pipelineId>.redacted.wav`, which the record links to.
 * With ContentRedactionOutput `redacted` the call is recorded into `<pipelineId>.redacting.wav` and
 * silenced in place, so no unredacted copy is ever published, uploaded or left behind (a crash leaves
 * it for the start-up repair to delete); with `redacted_and_unredacted` the recording is kept as well.
 *
 * When writing fails the element fails (CS_ERR_RECORDING_FAILED) and what was written stays as a
 * `.part` file that the next start repairs.
 */
export class RecordingProcessor implements PipelineProcessor {
  readonly type = 'S3RecordingSink';
  readonly #options: RecordingProcessorOptions;
  readonly #context: PipelineContext;
  readonly #fail: (error: Error) => void;
  #recorder: StereoWavRecorder | null = null;
  #frames = 0;
  #failed = false;
  /** During stop() a failure is reported by stop() rejecting, not through fail(). */
  #stopping = false;
  /** The disk had no room at some point of this call (logged once per call). */
  #lostSpace = false;

  constructor(options: RecordingProcessorOptions, context: PipelineContext, fail: (error: Error) => void) {
    this.#options = options;
    this.#context = context;
    this.#fail = fail;
  }

  start(): void {
    try {
      this.#start();
    } catch (err) {
      this.#options.redaction?.recorded(null);
      throw err;
    }
  }

  #start(): void {
    const { call, pipelineId } = this.#context;
    this.#recorder = new StereoWavRecorder({
      path: this.#options.storage.pathFor(call.callId, pipelineId, this.#redactedOnly ? 'work' : 'recording'),
      sampleRate: this.#options.sampleRate,
      ...(this.#options.holdbackMs !== undefined ? { holdbackMs: this.#options.holdbackMs } : {}),
      ...(this.#options.headerIntervalMs !== undefined
        ? { headerIntervalMs: this.#options.headerIntervalMs }
        : {}),
      onError: (error) => this.#onError(error),
      onSpace: (space) => this.#onSpace(space),
    });
  }

  write(frame: PcmFrame): void {
    if (this.#failed) return;
    this.#frames++;
    this.#recorder?.write(frame);
  }

  async pause(): Promise<void> {
    await this.#recorder?.pause().catch(() => undefined); // a failure reaches #onError
  }

  resume(): void {
    this.#recorder?.resume();
  }

  async stop(): Promise<void> {
    let urls: RecordingUrls | null = null;
    try {
      urls = await this.#stop();
    } finally {
      this.#options.redaction?.recorded(urls);
    }
  }

  /** Finishes, redacts and publishes the recording; its URLs when redaction is on and one was kept. */
  async #stop(): Promise<RecordingUrls | null> {
    const recorder = this.#recorder;
    if (!recorder || this.#failed) return null;
    this.#stopping = true;
    const summary = await recorder.finish();
    if (this.#frames === 0 || summary.durationMs === 0) {
      await unlink(summary.path).catch(() => undefined);
      this.#context.logger.info({ path: summary.path }, 'no audio reached the recording: no file kept');
      return null;
    }
    // A whole recording written since the disk was found full: there is room again (a recording that
    // never ran out of room reports nothing as it writes).
    if (summary.lostMs === 0) this.#options.storage.space.returned();
    const { call, pipelineId } = this.#context;
    const { storage } = this.#options;
    const redacted = this.#options.redaction ? await this.#redact(recorder, summary.path) : null;
    const unredacted = this.#redactedOnly
      ? null
      : await storage.publish(summary.path, call.callId, pipelineId);
    const stored = redacted ?? unredacted;
    if (!stored) return null;
    // A local file's path stays in the log: records go to browsers, which have no business with it.
    const published = stored.where === 's3' ? stored.location : null;
    const urls = this.#options.redaction ? this.#urls(unredacted, redacted) : undefined;
    this.#context.emit(this.#record(summary, published, stored, urls), {
      type: DetailType.Recording,
      callId: call.callId,
    });
    this.#context.logger.info(
      {
        location: stored.location,
        ...(redacted && unredacted ? { unredactedLocation: unredacted.location } : {}),
        durationSeconds: summary.durationMs / 1000,
        skippedSeconds: summary.skippedMs / 1000,
        lateMs: summary.lateMs,
        ...(summary.lostMs > 0 ? { lostToFullDiskSeconds: summary.lostMs / 1000 } : {}),
      },
      'recording finished',
    );
    return urls ?? null;
  }

  /** Another worker carries the pipeline on: drop what was recorded here (no file, no record). */
  async abort(): Promise<void> {
    this.#options.redaction?.recorded(null);
    const recorder = this.#recorder;
    if (!recorder) return;
    this.#failed = true;
    await recorder.abort().catch(() => undefined);
    const { call, pipelineId } = this.#context;
    const kind = this.#redactedOnly ? 'work' : 'recording';
    await unlink(
      `${this.#options.storage.pathFor(call.callId, pipelineId, kind)}${IN_PROGRESS_SUFFIX}`,
    ).catch(() => undefined);
  }

  /** Only the redacted copy is to be kept (ContentRedactionOutput `redacted`, the default). */
  get #redactedOnly(): boolean {
    return this.#options.redaction?.output === 'redacted';
  }

  /**
   * The redacted copy, published; null (logged) when the spans are incomplete and the unredacted
   * recording is kept anyway. Rejects (CS_ERR_RECORDING_NOT_REDACTED) after deleting the recording
   * when only a redacted copy may be kept and none can be made.
   */
  async #redact(recorder: StereoWavRecorder, recorded: string): Promise<StoredRecording | null> {
    const spans = this.#options.redaction!;
    const { call, pipelineId, logger } = this.#context;
    const { storage } = this.#options;
    const work = storage.pathFor(call.callId, pipelineId, 'work');
    if ((await spans.settled()) === 'incomplete') {
      const error = new CallsightError(
        'CS_ERR_RECORDING_NOT_REDACTED',
        'the redacting element did not finish, so the PII in this recording is not all known',
      );
      if (this.#redactedOnly) {
        await unlink(work).catch(() => undefined);
        logger.error({ code: error.code }, 'recording deleted: it could not be redacted');
        throw error;
      }
      logger.warn({ code: error.code }, 'recording kept unredacted only: it could not be redacted');
      return null;
    }
    if (!this.#redactedOnly) await copyFile(recorded, work);
    const margin = REDACTION_MARGIN_MS;
    const silenced: SilencedSpan[] = spans.spans.flatMap((span) =>
      recorder
        .framesOf(span.startMs - margin, span.endMs + margin)
        .map(([start, end]) => ({ channel: span.channel, start, end })),
    );
    const result = await silenceSpans(work, silenced);
    const path = storage.pathFor(call.callId, pipelineId, 'redacted');
    await rename(work, path);
    logger.info(
      {
        entities: spans.spans.length,
        silencedSpans: result.spans,
        silencedSeconds: result.silencedFrames / recorder.sampleRate,
      },
      'recording redacted',
    );
    return storage.publish(path, call.callId, pipelineId, true);
  }

  /** `oneTimeMetadata`'s URLs (Chime's names): the object's `s3://` URL, or Callsight's link to a local file. */
  #urls(unredacted: StoredRecording | null, redacted: StoredRecording | null): RecordingUrls {
    const { call, pipelineId } = this.#context;
    const where = (stored: StoredRecording) =>
      stored.where === 's3'
        ? stored.location
        : this.#options.urlFor(call.callId, pipelineId, stored.redacted);
    return {
      ...(unredacted ? { s3RecordingUrl: where(unredacted) } : {}),
      ...(redacted ? { s3RecordingUrlRedacted: where(redacted) } : {}),
    };
  }

  #record(
    summary: RecordingSummary,
    location: string | null,
    stored: StoredRecording,
    urls: RecordingUrls | undefined,
  ) {
    const { call, pipelineId, metadata } = this.#context;
    const startedAt = call.startedAt.getTime();
    return recordingRecord(
      {
        call,
        pipelineId,
        metadata,
        startTime: new Date(startedAt + summary.startOffsetMs),
        endTime: new Date(startedAt + summary.endOffsetMs),
        url: this.#options.urlFor(call.callId, pipelineId, stored.redacted),
        durationSeconds: summary.durationMs / 1000,
        location,
        sizeBytes: stored.sizeBytes,
        ...(urls ? { urls } : {}),
        sampleRate: summary.sampleRate,
        channels: summary.channels,
      },
      new Date(),
    );
  }

  /**
   * The recordings disk ran out of room, or has it again: the call goes on (its transcript too), the
   * recording gets silence for what found no room. Logged once per call, not per write.
   */
  #onSpace(space: { readonly full: true; readonly code: string } | { readonly full: false }): void {
    const { storage } = this.#options;
    if (!space.full) {
      storage.space.returned();
      return;
    }
    storage.space.lost(space.code, !this.#lostSpace);
    if (this.#lostSpace) return;
    this.#lostSpace = true;
    this.#context.logger.warn(
      { code: 'CS_ERR_RECORDING_DISK_FULL', reason: space.code, path: this.#recorder?.partPath },
      'recordings disk has no room: this call is recorded as silence until it has again',
    );
  }

  #onError(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#options.redaction?.recorded(null);
    if (this.#stopping) return;
    void this.#recorder?.abort();
    this.#fail(error);
  }
}
