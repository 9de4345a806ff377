import type { Logger } from '../../platform/logger.js';
import { CallsightError, InvalidStateError } from '../../platform/errors.js';
import type { PcmFrame } from '../../media/MediaTypes.js';
import { TypedEmitter } from '../../platform/TypedEmitter.js';
import type { RecognitionResult, RecognitionStream, RecognitionStreamEvents } from '../SpeechEngineTypes.js';
import type { ToWorker } from './WorkerProtocol.js';

type StreamEvents = { [K in keyof RecognitionStreamEvents]: Parameters<RecognitionStreamEvents[K]> };

/** The main-thread side of one recognition stream; its decoding happens in a worker. */
export class PocketsphinxStream implements RecognitionStream {
  readonly id: number;
  readonly channel: number;
  readonly #emitter: TypedEmitter<StreamEvents>;
  readonly #send: (message: ToWorker, transfer?: ArrayBuffer[]) => void;
  #ending: Promise<void> | null = null;
  #settleEnd: { resolve: () => void; reject: (err: Error) => void } | null = null;
  #done = false;
  #failure: CallsightError | null = null;

  constructor(
    id: number,
    channel: number,
    send: (message: ToWorker, transfer?: ArrayBuffer[]) => void,
    logger: Logger,
  ) {
    this.id = id;
    this.channel = channel;
    this.#send = send;
    this.#emitter = new TypedEmitter<StreamEvents>(logger);
  }

  /** True once the stream ended or failed. */
  get done(): boolean {
    return this.#done;
  }

  write(frame: PcmFrame): void {
    if (this.#ending) throw new InvalidStateError('recognition stream');
    if (this.#done || frame.samples.length === 0) return;
    // A copy, so the caller keeps its buffer (the recording sink may still read it); the copy moves.
    const samples = frame.samples.slice();
    this.#send({ type: 'audio', streamId: this.id, samples: samples.buffer, offsetMs: frame.offsetMs }, [
      samples.buffer,
    ]);
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
    this.#send({ type: 'end', streamId: this.id });
    return this.#ending;
  }

  on<K extends keyof RecognitionStreamEvents>(event: K, listener: RecognitionStreamEvents[K]): this {
    this.#emitter.on(event, listener as (...args: StreamEvents[K]) => void);
    return this;
  }

  /** @internal From the engine: a result from the worker. */
  deliver(result: RecognitionResult): void {
    if (!this.#done) this.#emitter.safeEmit('result', result);
  }

  /** @internal From the engine: the worker flushed the stream. */
  ended(): void {
    this.#done = true;
    this.#settleEnd?.resolve();
    this.#settleEnd = null;
  }

  /** @internal From the engine: the stream's worker or decoder failed. */
  fail(message: string, cause?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    const error = new CallsightError('CS_ERR_ASR_FAILED', message, { cause });
    this.#failure = error;
    this.#emitter.safeEmit('error', error);
    this.#settleEnd?.reject(error);
    this.#settleEnd = null;
  }
}
