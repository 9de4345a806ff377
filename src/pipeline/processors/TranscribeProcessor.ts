import type { PcmFrame } from '../../media/MediaTypes.js';
import type { PipelineContext, PipelineProcessor } from '../PipelineTypes.js';
import { callAnalyticsMetadataRecord } from '../records/PipelineRecord.js';
import { transcribeRecord } from '../records/TranscribeRecord.js';
import type { RecognitionResult, RecognitionStream, SpeechEngine } from '../transcribe/SpeechEngineTypes.js';

export interface TranscribeProcessorOptions {
  readonly engine: SpeechEngine;
  readonly languageCode: string;
  /** Chime's FilterPartialResults: only finals reach the sinks. */
  readonly filterPartialResults: boolean;
}

/**
 * Chime's AmazonTranscribeProcessor: one recognition stream per channel, each result a
 * "Transcribe" record. Pausing ends the open utterances (their finals are emitted) and resuming
 * opens new streams, so no utterance spans the paused time.
 */
export class TranscribeProcessor implements PipelineProcessor {
  readonly type = 'AmazonTranscribeProcessor';
  readonly #options: TranscribeProcessorOptions;
  readonly #context: PipelineContext;
  readonly #fail: (error: Error) => void;
  readonly #streams = new Map<number, RecognitionStream>();
  #failed = false;
  #paused = false;

  constructor(options: TranscribeProcessorOptions, context: PipelineContext, fail: (error: Error) => void) {
    this.#options = options;
    this.#context = context;
    this.#fail = fail;
  }

  start(): void {
    const { call, pipelineId, metadata } = this.#context;
    this.#context.emit(callAnalyticsMetadataRecord(call, pipelineId, metadata, new Date()), {
      type: 'CallAnalyticsMetadata',
      callId: call.callId,
    });
    this.#open();
  }

  #open(): void {
    for (const { channelId } of this.#context.channels) this.#openChannel(channelId);
  }

  #openChannel(channelId: number): RecognitionStream {
    const stream = this.#options.engine.openStream({ channel: channelId, languageCode: this.#options.languageCode });
    stream.on('result', (result) => this.#onResult(result));
    stream.on('error', (error) => this.#onError(error));
    this.#streams.set(channelId, stream);
    return stream;
  }

  write(frame: PcmFrame): void {
    if (this.#failed || this.#paused) return;
    // A channel added to the call after the start (a SIPREC stream) is opened on its first audio.
    (this.#streams.get(frame.channel) ?? this.#openChannel(frame.channel)).write(frame);
  }

  async pause(): Promise<void> {
    this.#paused = true;
    await this.#endAll();
  }

  resume(): void {
    this.#paused = false;
    if (!this.#failed) this.#open();
  }

  async stop(): Promise<void> {
    this.#paused = true;
    await this.#endAll();
  }

  async #endAll(): Promise<void> {
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    await Promise.allSettled(streams.map((stream) => stream.end()));
  }

  #onResult(result: RecognitionResult): void {
    if (result.isPartial && this.#options.filterPartialResults) return;
    const { call, pipelineId, metadata } = this.#context;
    this.#context.emit(transcribeRecord(result, pipelineId, metadata, new Date()), {
      type: 'Transcribe',
      callId: call.callId,
    });
  }

  #onError(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    // The other channels' streams are useless without this one: end them too.
    void this.#endAll();
    this.#fail(error);
  }
}
