import type { PcmFrame } from '../media/MediaTypes.js';
import { CallsightError, InvalidStateError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { TypedEmitter } from '../platform/TypedEmitter.js';
import { readableResult, writesBareWords } from './ReadableText.js';
import { ReplayBuffer } from './ReplayBuffer.js';
import { VocabularyFilter } from './VocabularyFilter.js';
import type {
  OpenStreamOptions,
  RecognitionResult,
  RecognitionStream,
  RecognitionStreamEvents,
  SpeechEngine,
} from './SpeechEngineTypes.js';

type StreamEvents = { [K in keyof RecognitionStreamEvents]: Parameters<RecognitionStreamEvents[K]> };

/** An engine gave up on a channel and the next one took over. */
export interface EngineSwitch {
  readonly channel: number;
  readonly from: string;
  readonly to: string;
  readonly error: Error;
}

/**
 * One channel's recognition on a chain of engines (an engine and its `fallback`s). When the current
 * engine's stream fails, the audio since its last final — kept here — is written to a stream of
 * the next engine, which carries the channel for the rest of the call. The utterance that was open
 * keeps its resultId: the next engine's first result takes it over, so the partials already sent
 * are followed by a final as for any utterance. Only the last engine's failure is an 'error'.
 * Results of engines that write bare lower-case words leave here readable (ReadableText.ts), and
 * those of engines that do not filter themselves leave here with the vocabulary filters applied
 * (VocabularyFilter.ts) — before anything downstream, the analytics included, reads them.
 */
export class FallbackStream implements RecognitionStream {
  readonly #chain: readonly SpeechEngine[];
  readonly #options: OpenStreamOptions;
  readonly #onSwitch: (event: EngineSwitch) => void;
  readonly #emitter: TypedEmitter<StreamEvents>;
  #index = 0;
  #stream: RecognitionStream | null = null;
  readonly #replay = new ReplayBuffer();
  /** resultId of the utterance with partials but no final yet (of the current engine). */
  #openResultId: string | null = null;
  /** The open utterance of a failed engine, whose id the next engine's first result takes. */
  #orphanResultId: string | null = null;
  #adoptedFrom: string | null = null;
  #ending = false;
  #failed = false;
  /** The configuration's vocabulary filters in its language (null: none). */
  readonly #filter: VocabularyFilter | null;

  constructor(
    chain: readonly SpeechEngine[],
    options: OpenStreamOptions,
    onSwitch: (event: EngineSwitch) => void,
    logger: Logger,
  ) {
    if (chain.length === 0) throw new RangeError('FallbackStream needs an engine');
    this.#chain = chain;
    this.#options = options;
    this.#onSwitch = onSwitch;
    this.#emitter = new TypedEmitter<StreamEvents>(logger);
    this.#filter = VocabularyFilter.of(options.settings);
    this.#openCurrent();
  }

  /** The engine carrying the channel now. */
  get engine(): SpeechEngine {
    return this.#chain[this.#index]!;
  }

  get bufferedMs(): number {
    return this.#stream?.bufferedMs ?? 0;
  }

  write(frame: PcmFrame): boolean {
    if (this.#ending) throw new InvalidStateError('recognition stream');
    if (this.#failed) return false;
    this.#replay.keep(frame);
    return this.#stream?.write(frame) ?? false;
  }

  async end(): Promise<void> {
    this.#ending = true;
    // A failure while ending hands over to the next engine, which is then ended in turn.
    for (;;) {
      const stream = this.#stream;
      if (!stream) {
        if (this.#failed) throw new CallsightError('CS_ERR_ASR_FAILED', 'speech recognition failed');
        return;
      }
      try {
        await stream.end();
        if (stream === this.#stream) return;
      } catch (err) {
        if (stream === this.#stream || this.#failed) throw err;
      }
    }
  }

  on<K extends keyof RecognitionStreamEvents>(event: K, listener: RecognitionStreamEvents[K]): this {
    this.#emitter.on(event, listener as (...args: StreamEvents[K]) => void);
    return this;
  }

  /** Opens the current engine's stream; false when it could not (the next one was tried instead). */
  #openCurrent(): boolean {
    const engine = this.engine;
    let stream: RecognitionStream;
    try {
      stream = engine.openStream(this.#options);
    } catch (err) {
      this.#failover(err as Error);
      return false;
    }
    this.#stream = stream;
    stream.on('result', (result) => {
      if (this.#stream === stream) this.#onResult(result);
    });
    stream.on('category', (match) => {
      if (this.#stream === stream) this.#emitter.safeEmit('category', match);
    });
    stream.on('drain', () => {
      if (this.#stream === stream) this.#emitter.safeEmit('drain');
    });
    stream.on('error', (error) => {
      if (this.#stream === stream) this.#failover(error);
    });
    return true;
  }

  #failover(error: Error): void {
    const from = this.engine.name;
    this.#stream = null;
    if (this.#index + 1 >= this.#chain.length) {
      this.#failed = true;
      this.#emitter.safeEmit('error', error);
      return;
    }
    this.#index++;
    this.#orphanResultId = this.#openResultId ?? this.#orphanResultId;
    this.#openResultId = null;
    this.#adoptedFrom = null;
    this.#onSwitch({ channel: this.#options.channel, from, to: this.engine.name, error });
    if (!this.#openCurrent()) return;
    const stream = this.#stream as RecognitionStream | null;
    if (!stream) return;
    for (const frame of this.#replay.frames) stream.write(frame);
    if (this.#ending) void stream.end().catch(() => undefined);
  }

  #onResult(result: RecognitionResult): void {
    let out = result;
    // The next engine's first utterance takes over the failed engine's open one.
    if (
      this.#orphanResultId !== null &&
      (this.#adoptedFrom === null || this.#adoptedFrom === result.resultId)
    ) {
      this.#adoptedFrom = result.resultId;
      out = { ...result, resultId: this.#orphanResultId };
      if (!result.isPartial) this.#orphanResultId = null;
    }
    if (result.isPartial) {
      this.#openResultId = out.resultId;
    } else {
      this.#openResultId = null;
      this.#replay.forget(result.endMs);
    }
    if (writesBareWords(this.engine.kind)) out = readableResult(out);
    this.#emitter.safeEmit('result', this.#filtered(out));
  }

  /** Amazon Transcribe was given the filter names and applied them; every other engine's results are filtered here. */
  #filtered(result: RecognitionResult): RecognitionResult {
    if (this.engine.kind === 'amazon-transcribe') return result;
    const language = result.languageCode;
    const filter =
      language === undefined || language === this.#options.settings.languageCode
        ? this.#filter
        : VocabularyFilter.of(this.#options.settings, language);
    return filter ? filter.result(result) : result;
  }
}
