import type { PcmFrame } from '../media/MediaTypes.js';
import { PIPELINE_SAMPLE_RATE } from '../media/MediaTypes.js';
import { CallsightError, InvalidStateError, type ErrorCode } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { TypedEmitter } from '../platform/TypedEmitter.js';
import type {
  EngineCategoryMatch,
  RecognitionResult,
  RecognitionStream,
  RecognitionStreamEvents,
} from './SpeechEngineTypes.js';

type StreamEvents = { [K in keyof RecognitionStreamEvents]: Parameters<RecognitionStreamEvents[K]> };

/** How much unrecognised audio a stream may hold (RecognitionStream.write). */
export interface BackPressureLimits {
  /** Above this, write() returns false until 'drain'. */
  readonly highWaterMs: number;
  /** Above this, the stream fails with CS_ERR_ASR_OVERLOADED. */
  readonly maxBufferedMs: number;
}

export const DEFAULT_BACK_PRESSURE: BackPressureLimits = { highWaterMs: 5_000, maxBufferedMs: 30_000 };

export function durationMs(samples: Int16Array): number {
  return (samples.length * 1000) / PIPELINE_SAMPLE_RATE;
}

/** The chunks as one buffer. */
export function concatSamples(chunks: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * What every engine's stream does the same way: the events, end() settled once by the engine
 * (`finished`) or by a failure (`fail`), and the back-pressure bookkeeping — audio written versus
 * audio the engine reports as processed. An engine implements `sendAudio` and `sendEnd`.
 */
export abstract class EngineStream implements RecognitionStream {
  readonly channel: number;
  protected readonly logger: Logger;
  readonly #emitter: TypedEmitter<StreamEvents>;
  readonly #limits: BackPressureLimits;
  #writtenMs = 0;
  #processedMs = 0;
  #aboveHighWater = false;
  #ending: Promise<void> | null = null;
  #settleEnd: { resolve: () => void; reject: (err: Error) => void } | null = null;
  #done = false;
  #failure: Error | null = null;

  constructor(channel: number, logger: Logger, limits: BackPressureLimits = DEFAULT_BACK_PRESSURE) {
    this.channel = channel;
    this.logger = logger;
    this.#limits = limits;
    this.#emitter = new TypedEmitter<StreamEvents>(logger);
  }

  /** Hands audio to the engine; it reports what it has processed through `processed`. */
  protected abstract sendAudio(frame: PcmFrame): void;
  /** No more audio: the engine finalises, delivers the last results, then calls `finished`. */
  protected abstract sendEnd(): void;

  /** Releases what the engine holds for a failed stream (a connection, a timer). */
  protected onFailed(): void {}

  /** True once the stream ended or failed. */
  get done(): boolean {
    return this.#done;
  }

  get bufferedMs(): number {
    return this.#writtenMs - this.#processedMs;
  }

  write(frame: PcmFrame): boolean {
    if (this.#ending) throw new InvalidStateError('recognition stream');
    if (this.#done || frame.samples.length === 0) return !this.#aboveHighWater;
    this.#writtenMs += durationMs(frame.samples);
    if (this.bufferedMs > this.#limits.maxBufferedMs) {
      this.fail(
        `the engine fell ${Math.round(this.bufferedMs)} ms behind the audio (limit ${this.#limits.maxBufferedMs} ms)`,
        undefined,
        'CS_ERR_ASR_OVERLOADED',
      );
      return false;
    }
    this.sendAudio(frame);
    if (this.bufferedMs > this.#limits.highWaterMs) this.#aboveHighWater = true;
    return !this.#aboveHighWater;
  }

  end(): Promise<void> {
    if (this.#ending) return this.#ending;
    if (this.#done) {
      this.#ending = this.#failure ? Promise.reject(this.#failure) : Promise.resolve();
      return this.#ending;
    }
    this.#ending = new Promise<void>((resolve, reject) => {
      this.#settleEnd = { resolve, reject };
    });
    this.sendEnd();
    return this.#ending;
  }

  on<K extends keyof RecognitionStreamEvents>(event: K, listener: RecognitionStreamEvents[K]): this {
    this.#emitter.on(event, listener as (...args: StreamEvents[K]) => void);
    return this;
  }

  /** The engine processed `ms` more of the written audio. */
  protected processed(ms: number): void {
    this.#processedMs = Math.min(this.#writtenMs, this.#processedMs + ms);
    if (this.#aboveHighWater && this.bufferedMs <= this.#limits.highWaterMs / 2) {
      this.#aboveHighWater = false;
      this.#emitter.safeEmit('drain');
    }
  }

  /** Everything written so far has been processed (e.g. the engine answered a final). */
  protected processedAll(): void {
    this.processed(this.#writtenMs - this.#processedMs);
  }

  deliver(result: RecognitionResult): void {
    if (!this.#done) this.#emitter.safeEmit('result', result);
  }

  protected deliverCategory(match: EngineCategoryMatch): void {
    if (!this.#done) this.#emitter.safeEmit('category', match);
  }

  /** The engine flushed the stream: end() resolves. */
  finished(): void {
    if (this.#done) return;
    this.#done = true;
    this.processedAll();
    this.#settleEnd?.resolve();
    this.#settleEnd = null;
  }

  /** The stream failed: 'error' once, end() rejects, later audio is dropped. */
  fail(message: string, cause?: unknown, code: ErrorCode = 'CS_ERR_ASR_FAILED'): void {
    if (this.#done) return;
    this.#done = true;
    const error = new CallsightError(code, message, { cause });
    this.#failure = error;
    this.onFailed();
    this.#emitter.safeEmit('error', error);
    this.#settleEnd?.reject(error);
    this.#settleEnd = null;
  }
}
