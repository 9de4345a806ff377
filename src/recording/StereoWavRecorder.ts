import type { PcmFrame } from '../media/MediaTypes.js';
import type { CallsightError } from '../platform/errors.js';
import { RecordingClock } from './RecordingClock.js';
import { StereoInterleaver } from './StereoInterleaver.js';
import { WavFileWriter, type WavFileWriterOptions } from './WavFileWriter.js';

export interface StereoWavRecorderOptions {
  /** The finished file's path; `<path>.part` while recording. */
  readonly path: string;
  /** Rate of the frames, and of the file (the pipeline's 16 kHz). */
  readonly sampleRate: number;
  /** How long the other channel may lag before its samples count as late (default 1000 ms). */
  readonly holdbackMs?: number;
  /** Smallest write while streaming (default 250 ms of audio). */
  readonly blockMs?: number;
  /** The header's sizes are rewritten after each such stretch of audio (default 1000 ms). */
  readonly headerIntervalMs?: number;
  readonly onError?: (error: CallsightError) => void;
  /** See WavFileWriterOptions.onSpace: audio that finds no room on the disk is silence in the file. */
  readonly onSpace?: WavFileWriterOptions['onSpace'];
}

/** A finished recording. */
export interface RecordingSummary {
  readonly path: string;
  readonly sampleRate: number;
  readonly channels: 2;
  /** Length of the file's audio. */
  readonly durationMs: number;
  readonly sizeBytes: number;
  /** Call time (ms from the call's start) of the first and past the last recorded sample. */
  readonly startOffsetMs: number;
  readonly endOffsetMs: number;
  /** Call time not recorded because the pipeline was paused. */
  readonly skippedMs: number;
  /** Audio dropped because it arrived after its place in the file was written (ms, both channels). */
  readonly lateMs: number;
  /** Audio that found no room on the disk, silence in the file (ms). */
  readonly lostMs: number;
}

/**
 * A call's stereo WAV recording, written while the call goes on: pipeline channel 0 on the left,
 * channel 1 on the right, each frame at the place its `offsetMs` gives it (RecordingClock), the two
 * channels aligned and gaps filled with silence (StereoInterleaver), streamed to disk with a header
 * kept current (WavFileWriter). Paused time is skipped. `write` never blocks.
 */
export class StereoWavRecorder {
  readonly sampleRate: number;
  readonly #clock: RecordingClock;
  readonly #interleaver: StereoInterleaver;
  readonly #writer: WavFileWriter;
  #paused = false;
  #finished = false;

  constructor(options: StereoWavRecorderOptions) {
    this.sampleRate = options.sampleRate;
    const frames = (ms: number) => Math.max(1, Math.round((ms * options.sampleRate) / 1000));
    this.#clock = new RecordingClock(options.sampleRate);
    this.#interleaver = new StereoInterleaver({
      holdbackFrames: frames(options.holdbackMs ?? 1000),
      blockFrames: frames(options.blockMs ?? 250),
    });
    this.#writer = new WavFileWriter(options.path, {
      format: { channels: 2, sampleRate: options.sampleRate },
      headerIntervalBytes: frames(options.headerIntervalMs ?? 1000) * 4,
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.onSpace ? { onSpace: options.onSpace } : {}),
    });
  }

  get path(): string {
    return this.#writer.path;
  }

  /** The file's name while recording. */
  get partPath(): string {
    return this.#writer.partPath;
  }

  /** Audio handed to the disk so far, in ms. */
  get writtenMs(): number {
    return (this.#writer.dataBytes / 4 / this.sampleRate) * 1000;
  }

  /** Audio the header on disk declares, in ms. */
  get headerMs(): number {
    return (this.#writer.headerDataBytes / 4 / this.sampleRate) * 1000;
  }

  /** Resolves once the audio written so far is on disk (the header may lag by up to an interval). */
  written(): Promise<void> {
    return this.#writer.written();
  }

  /** Frames of channels other than 0 and 1 are ignored (a pipeline has at most two, as in Chime). */
  write(frame: PcmFrame): void {
    if (this.#paused || this.#finished || frame.channel < 0 || frame.channel > 1) return;
    const position = this.#clock.positionOf(frame.offsetMs);
    for (const block of this.#interleaver.processInput(frame.channel, frame.samples, position))
      this.#writer.append(block);
  }

  /**
   * Where a stretch of call time (ms from the call's start, as transcripts time words) lies in the
   * file: sample-frame ranges `[start, end)`, without what fell in a pause (see RecordingClock).
   */
  framesOf(startMs: number, endMs: number): [number, number][] {
    return this.#clock.framesOf(startMs, endMs);
  }

  /** Writes what it holds and updates the header; frames are ignored until resume(). */
  async pause(): Promise<void> {
    if (this.#paused || this.#finished) return;
    this.#paused = true;
    this.#drain();
    this.#clock.pause(this.#interleaver.finalFrames);
    await this.#writer.flush();
  }

  /** The next frame continues the file where the pause began. */
  resume(): void {
    if (!this.#paused || this.#finished) return;
    this.#paused = false;
    this.#clock.resume();
  }

  /** Writes the rest, finalizes the header and renames the file; rejects if writing failed. */
  async finish(): Promise<RecordingSummary> {
    this.#finished = true;
    this.#drain();
    const file = await this.#writer.close();
    const frames = this.#interleaver.finalFrames;
    const origin = this.#clock.originMs ?? 0;
    return {
      path: file.path,
      sampleRate: this.sampleRate,
      channels: 2,
      durationMs: (frames / this.sampleRate) * 1000,
      sizeBytes: file.sizeBytes,
      startOffsetMs: origin,
      endOffsetMs: this.#clock.mediaMsOf(frames),
      skippedMs: this.#clock.skippedMs,
      lateMs: (this.#interleaver.lateFrames / this.sampleRate) * 1000,
      lostMs: (this.#writer.lostBytes / 4 / this.sampleRate) * 1000,
    };
  }

  /** Stops without finalizing: the `.part` file stays for repair at the next start. */
  async abort(): Promise<void> {
    this.#finished = true;
    await this.#writer.abort();
  }

  #drain(): void {
    for (const block of this.#interleaver.drain()) this.#writer.append(block);
  }
}
