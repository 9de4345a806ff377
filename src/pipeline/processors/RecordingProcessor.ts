import { unlink } from 'node:fs/promises';
import { DetailType } from '../../events/DetailTypes.js';
import type { PcmFrame } from '../../media/MediaTypes.js';
import type { PipelineContext, PipelineProcessor } from '../PipelineTypes.js';
import type { RecordingStorage } from '../../recording/RecordingStoreTypes.js';
import { StereoWavRecorder, type RecordingSummary } from '../../recording/StereoWavRecorder.js';
import { IN_PROGRESS_SUFFIX } from '../../recording/WavFileWriter.js';
import { recordingRecord } from '../records/RecordingRecord.js';

export interface RecordingProcessorOptions {
  readonly storage: RecordingStorage;
  /**
   * The URL a browser opens for a recording, put in the record's `s3MediaObjectConsoleUrl` (App
   * builds it from the advertised HTTP address; see docs/recordings.md).
   */
  readonly urlFor: (callId: string, pipelineId: string) => string;
  /** Rate of the file: the pipeline's 16 kHz. */
  readonly sampleRate: number;
  /** Overrides for tests (see StereoWavRecorderOptions). */
  readonly holdbackMs?: number;
  readonly headerIntervalMs?: number;
}

/**
 * Chime's S3RecordingSink: the call's two pipeline channels as one stereo WAV (channel 0 left,
 * channel 1 right), written while the call goes on, handed to the storage at the end (local folder,
 * or uploaded to S3), then announced with a "Recording" record. Paused time is not recorded. A
 * pipeline that received no audio leaves no file and sends no record.
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
    const { call, pipelineId } = this.#context;
    this.#recorder = new StereoWavRecorder({
      path: this.#options.storage.pathFor(call.callId, pipelineId),
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
    const recorder = this.#recorder;
    if (!recorder || this.#failed) return;
    this.#stopping = true;
    const summary = await recorder.finish();
    if (this.#frames === 0 || summary.durationMs === 0) {
      await unlink(summary.path).catch(() => undefined);
      this.#context.logger.info({ path: summary.path }, 'no audio reached the recording: no file kept');
      return;
    }
    // A whole recording written since the disk was found full: there is room again (a recording that
    // never ran out of room reports nothing as it writes).
    if (summary.lostMs === 0) this.#options.storage.space.returned();
    const { call, pipelineId } = this.#context;
    const stored = await this.#options.storage.publish(summary.path, call.callId, pipelineId);
    // A local file's path stays in the log: records go to browsers, which have no business with it.
    const published = stored.where === 's3' ? stored.location : null;
    this.#context.emit(this.#record(summary, published, stored.sizeBytes), {
      type: DetailType.Recording,
      callId: call.callId,
    });
    this.#context.logger.info(
      {
        location: stored.location,
        durationSeconds: summary.durationMs / 1000,
        skippedSeconds: summary.skippedMs / 1000,
        lateMs: summary.lateMs,
        ...(summary.lostMs > 0 ? { lostToFullDiskSeconds: summary.lostMs / 1000 } : {}),
      },
      'recording finished',
    );
  }

  /** Another worker carries the pipeline on: drop what was recorded here (no file, no record). */
  async abort(): Promise<void> {
    const recorder = this.#recorder;
    if (!recorder) return;
    this.#failed = true;
    await recorder.abort().catch(() => undefined);
    const { call, pipelineId } = this.#context;
    await unlink(`${this.#options.storage.pathFor(call.callId, pipelineId)}${IN_PROGRESS_SUFFIX}`).catch(
      () => undefined,
    );
  }

  #record(summary: RecordingSummary, location: string | null, sizeBytes: number) {
    const { call, pipelineId, metadata } = this.#context;
    const startedAt = call.startedAt.getTime();
    return recordingRecord(
      {
        call,
        pipelineId,
        metadata,
        startTime: new Date(startedAt + summary.startOffsetMs),
        endTime: new Date(startedAt + summary.endOffsetMs),
        url: this.#options.urlFor(call.callId, pipelineId),
        durationSeconds: summary.durationMs / 1000,
        location,
        sizeBytes,
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
    if (this.#stopping) return;
    void this.#recorder?.abort();
    this.#fail(error);
  }
}
