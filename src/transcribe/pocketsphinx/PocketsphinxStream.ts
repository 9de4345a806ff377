import type { Logger } from '../../platform/logger.js';
import type { PcmFrame } from '../../media/MediaTypes.js';
import { EngineStream } from '../EngineStream.js';
import type { ToWorker } from './WorkerProtocol.js';

/** The main-thread side of one recognition stream; its decoding happens in a worker. */
export class PocketsphinxStream extends EngineStream {
  readonly id: number;
  readonly #send: (message: ToWorker, transfer?: ArrayBuffer[]) => void;

  constructor(
    id: number,
    channel: number,
    send: (message: ToWorker, transfer?: ArrayBuffer[]) => void,
    logger: Logger,
  ) {
    super(channel, logger);
    this.id = id;
    this.#send = send;
  }

  protected sendAudio(frame: PcmFrame): void {
    // A copy, so the caller keeps its buffer (the recording sink may still read it); the copy moves.
    const samples = frame.samples.slice();
    this.#send({ type: 'audio', streamId: this.id, samples: samples.buffer, offsetMs: frame.offsetMs }, [
      samples.buffer,
    ]);
  }

  protected sendEnd(): void {
    this.#send({ type: 'end', streamId: this.id });
  }

  /** @internal From the engine: the worker decoded `ms` more of this stream's audio. */
  progress(ms: number): void {
    this.processed(ms);
  }
}
