import type { PcmFrame } from '../../media/MediaTypes.js';
import type { PipelineContext } from '../PipelineTypes.js';
import type {
  RecognitionResult,
  RecognitionStream,
  SpeechEngine,
} from '../../transcribe/SpeechEngineTypes.js';

export interface RecognitionChannelsOptions {
  readonly engine: SpeechEngine;
  readonly languageCode: string;
  readonly context: PipelineContext;
  readonly onResult: (result: RecognitionResult) => void;
  /** The engine failed: no more results will come. Called once. */
  readonly onError: (error: Error) => void;
}

/**
 * The speech recognition half of a Transcribe or call analytics processor: one recognition stream
 * per pipeline channel. Pausing ends the open utterances (their finals come out) and resuming opens
 * new streams, so no utterance spans paused time; a channel added mid-call is opened on its first
 * audio. One failed stream ends them all: the processor is no use with a channel missing.
 */
export class RecognitionChannels {
  readonly #options: RecognitionChannelsOptions;
  readonly #streams = new Map<number, RecognitionStream>();
  #failed = false;
  #paused = false;

  constructor(options: RecognitionChannelsOptions) {
    this.#options = options;
  }

  start(): void {
    for (const { channelId } of this.#options.context.channels) this.#open(channelId);
  }

  #open(channelId: number): RecognitionStream {
    const stream = this.#options.engine.openStream({
      channel: channelId,
      languageCode: this.#options.languageCode,
    });
    stream.on('result', (result) => this.#options.onResult(result));
    stream.on('error', (error) => this.#onError(error));
    this.#streams.set(channelId, stream);
    return stream;
  }

  write(frame: PcmFrame): void {
    if (this.#failed || this.#paused) return;
    (this.#streams.get(frame.channel) ?? this.#open(frame.channel)).write(frame);
  }

  async pause(): Promise<void> {
    this.#paused = true;
    await this.#endAll();
  }

  resume(): void {
    this.#paused = false;
    if (!this.#failed) this.start();
  }

  /** Flushes every channel: the last finals are out when this resolves. */
  async stop(): Promise<void> {
    this.#paused = true;
    await this.#endAll();
  }

  async #endAll(): Promise<void> {
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    await Promise.allSettled(streams.map((stream) => stream.end()));
  }

  #onError(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    void this.#endAll();
    this.#options.onError(error);
  }
}
