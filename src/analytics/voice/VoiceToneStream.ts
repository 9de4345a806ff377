import { CallsightError, InvalidStateError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { PcmFrame } from '../../media/MediaTypes.js';
import { TypedEmitter } from '../../platform/TypedEmitter.js';
import type { ToVoiceWorker } from './VoiceToneProtocol.js';
import type { AcousticWindow, VoiceFeatureStream, VoiceStreamStats } from './VoiceToneTypes.js';

/** Audio is posted to the worker in batches of this much (fewer messages; windows are 5 s anyway). */
const BATCH_SAMPLES = 16 * 200;

type Events = { window: [AcousticWindow]; error: [Error] };

/**
 * The main-thread side of one channel's acoustic analysis. Frames are copied into a batch and the
 * batch moves to the worker (transferred), so writers never wait on the analysis.
 */
export class VoiceToneStream implements VoiceFeatureStream {
  readonly id: number;
  readonly #send: (message: ToVoiceWorker, transfer?: ArrayBuffer[]) => void;
  readonly #emitter: TypedEmitter<Events>;
  #batch = new Int16Array(BATCH_SAMPLES);
  #batchLength = 0;
  #batchOffsetMs = 0;
  #nextRequest = 1;
  readonly #flushes = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  #ending: Promise<VoiceStreamStats> | null = null;
  #settleEnd: { resolve: (stats: VoiceStreamStats) => void; reject: (err: Error) => void } | null = null;
  #failure: CallsightError | null = null;

  constructor(id: number, send: (message: ToVoiceWorker, transfer?: ArrayBuffer[]) => void, logger: Logger) {
    this.id = id;
    this.#send = send;
    this.#emitter = new TypedEmitter<Events>(logger);
  }

  write(frame: PcmFrame): void {
    if (this.#ending) throw new InvalidStateError('voice tone stream');
    if (this.#failure || frame.samples.length === 0) return;
    if (this.#batchLength > 0 && this.#batchLength + frame.samples.length > BATCH_SAMPLES) this.#post();
    if (this.#batchLength === 0) this.#batchOffsetMs = frame.offsetMs;
    if (frame.samples.length > BATCH_SAMPLES) {
      const samples = frame.samples.slice();
      this.#send({ type: 'audio', streamId: this.id, samples: samples.buffer, offsetMs: frame.offsetMs }, [
        samples.buffer,
      ]);
      return;
    }
    this.#batch.set(frame.samples, this.#batchLength);
    this.#batchLength += frame.samples.length;
    if (this.#batchLength === BATCH_SAMPLES) this.#post();
  }

  flush(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#ending) return this.#ending.then(() => undefined);
    this.#post();
    const requestId = this.#nextRequest++;
    return new Promise<void>((resolve, reject) => {
      this.#flushes.set(requestId, { resolve, reject });
      this.#send({ type: 'flush', streamId: this.id, requestId });
    });
  }

  end(): Promise<VoiceStreamStats> {
    if (this.#ending) return this.#ending;
    if (this.#failure) {
      this.#ending = Promise.reject(this.#failure);
      return this.#ending;
    }
    this.#post();
    this.#ending = new Promise<VoiceStreamStats>((resolve, reject) => {
      this.#settleEnd = { resolve, reject };
    });
    this.#send({ type: 'end', streamId: this.id });
    return this.#ending;
  }

  on(event: 'window', listener: (window: AcousticWindow) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(
    event: 'window' | 'error',
    listener: ((window: AcousticWindow) => void) | ((error: Error) => void),
  ): this {
    this.#emitter.on(event, listener as never);
    return this;
  }

  #post(): void {
    if (this.#batchLength === 0) return;
    const samples = this.#batch.slice(0, this.#batchLength);
    this.#batchLength = 0;
    this.#send({ type: 'audio', streamId: this.id, samples: samples.buffer, offsetMs: this.#batchOffsetMs }, [
      samples.buffer,
    ]);
  }

  /** @internal From the engine: a window from the worker. */
  deliver(window: AcousticWindow): void {
    if (!this.#failure) this.#emitter.safeEmit('window', window);
  }

  /** @internal From the engine: a flush request was answered. */
  flushed(requestId: number): void {
    this.#flushes.get(requestId)?.resolve();
    this.#flushes.delete(requestId);
  }

  /** @internal From the engine: the worker released the stream. */
  ended(stats: VoiceStreamStats): void {
    this.#settleEnd?.resolve(stats);
    this.#settleEnd = null;
  }

  /** @internal From the engine: the stream's worker failed. */
  fail(message: string, cause?: unknown): void {
    if (this.#failure) return;
    const error = new CallsightError('CS_ERR_VOICE_TONE_FAILED', message, { cause });
    this.#failure = error;
    this.#emitter.safeEmit('error', error);
    for (const waiter of this.#flushes.values()) waiter.reject(error);
    this.#flushes.clear();
    this.#settleEnd?.reject(error);
    this.#settleEnd = null;
  }
}
