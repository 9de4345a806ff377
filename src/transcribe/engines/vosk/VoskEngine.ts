import { InvalidStateError } from '../../../platform/errors.js';
import { silentLogger, type Logger } from '../../../platform/logger.js';
import type { OpenStreamOptions, SpeechEngine } from '../../SpeechEngineTypes.js';
import { VoskStream, type VoskEngineOptions } from './VoskStream.js';

export type { VoskEngineOptions };

/**
 * A Vosk server (Kaldi models for 20+ languages) over its WebSocket protocol: one connection per
 * channel (VoskStream). The server's model decides the language; Vosk's own endpointer cuts the
 * utterances.
 */
export class VoskEngine implements SpeechEngine {
  readonly name: string;
  readonly kind = 'vosk';
  readonly #options: VoskEngineOptions;
  readonly #logger: Logger;
  readonly #streams = new Set<VoskStream>();
  #closed = false;

  constructor(options: VoskEngineOptions) {
    this.name = options.name;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
  }

  /** Nothing to load: a server that is down fails the streams that need it (and they fall back). */
  ready(): Promise<void> {
    return this.#closed ? Promise.reject(new InvalidStateError('speech engine')) : Promise.resolve();
  }

  openStream(options: OpenStreamOptions): VoskStream {
    if (this.#closed) throw new InvalidStateError('speech engine');
    const stream = new VoskStream({
      ...this.#options,
      channel: options.channel,
      logger: this.#logger.child({ engine: this.name, channel: options.channel }),
      onClose: (s) => this.#streams.delete(s),
    });
    this.#streams.add(stream);
    return stream;
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const stream of [...this.#streams]) stream.abort();
    return Promise.resolve();
  }
}
