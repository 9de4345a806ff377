import { PassThrough } from 'node:stream';
import {
  StartCallAnalyticsStreamTranscriptionCommand,
  StartStreamTranscriptionCommand,
  type AudioStream,
  type StartCallAnalyticsStreamTranscriptionCommandInput,
  type StartStreamTranscriptionCommandInput,
  type TranscribeStreamingClient,
} from '@aws-sdk/client-transcribe-streaming';
import type { PcmFrame } from '../../../media/MediaTypes.js';
import { PIPELINE_SAMPLE_RATE } from '../../../media/MediaTypes.js';
import type { Logger } from '../../../platform/logger.js';
import { EngineStream, concatSamples, durationMs } from '../../EngineStream.js';
import type { RecognitionSettings } from '../../SpeechEngineTypes.js';
import { callAnalyticsResult, categoryMatch, transcribeResult } from './TranscribeResults.js';

export interface AmazonTranscribeStreamOptions {
  readonly engineName: string;
  readonly client: TranscribeStreamingClient;
  readonly channel: number;
  readonly settings: RecognitionSettings;
  /** StartCallAnalyticsStreamTranscription instead of StartStreamTranscription. */
  readonly callAnalytics: boolean;
  readonly maxBufferedMs: number;
  readonly logger: Logger;
}

/** Audio per AudioEvent: Transcribe's guidance is 50–200 ms chunks. */
const CHUNK_MS = 100;
const CHUNK_SAMPLES = (PIPELINE_SAMPLE_RATE / 1000) * CHUNK_MS;

/**
 * One channel on Amazon Transcribe streaming (HTTP/2, event stream, through the AWS SDK): a mono
 * 16 kHz PCM stream per channel, opened at the channel's first audio. Results are mapped to
 * Callsight's (TranscribeResults.ts); the SDK pulling audio is what counts as processed.
 */
export class AmazonTranscribeStream extends EngineStream {
  readonly #options: AmazonTranscribeStreamOptions;
  readonly #audio = new PassThrough({ objectMode: true, highWaterMark: 1 });
  readonly #abort = new AbortController();
  #pending: Int16Array[] = [];
  #pendingSamples = 0;
  /** Call time of the stream's first sample; null before the first audio. */
  #baseMs: number | null = null;

  constructor(options: AmazonTranscribeStreamOptions) {
    super(options.channel, options.logger, {
      highWaterMs: options.maxBufferedMs / 2,
      maxBufferedMs: options.maxBufferedMs,
    });
    this.#options = options;
    // After a failure the queue is destroyed; nothing more is written to it (EngineStream).
    this.#audio.on('error', () => undefined);
  }

  protected sendAudio(frame: PcmFrame): void {
    if (this.#baseMs === null) {
      this.#baseMs = frame.offsetMs;
      void this.#run(frame.offsetMs);
    }
    this.#pending.push(frame.samples);
    this.#pendingSamples += frame.samples.length;
    if (this.#pendingSamples >= CHUNK_SAMPLES) this.#push();
  }

  protected sendEnd(): void {
    if (this.#baseMs === null) {
      // No audio, no stream: nothing to transcribe.
      this.finished();
      return;
    }
    if (this.#pendingSamples > 0) this.#push();
    this.#audio.end();
  }

  protected override onFailed(): void {
    this.#abort.abort();
    this.#audio.destroy();
  }

  #push(): void {
    const samples = concatSamples(this.#pending);
    this.#pending = [];
    this.#pendingSamples = 0;
    this.#audio.write(samples);
  }

  async *#audioEvents(): AsyncGenerator<AudioStream> {
    for await (const chunk of this.#audio as AsyncIterable<Int16Array>) {
      this.processed(durationMs(chunk));
      yield { AudioEvent: { AudioChunk: new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) } };
    }
  }

  async #run(baseMs: number): Promise<void> {
    const { client, channel, callAnalytics, engineName } = this.#options;
    try {
      if (callAnalytics) {
        const response = await client.send(
          new StartCallAnalyticsStreamTranscriptionCommand({
            ...this.#callAnalyticsInput(),
            AudioStream: this.#audioEvents(),
          }),
          { abortSignal: this.#abort.signal },
        );
        for await (const event of response.CallAnalyticsTranscriptResultStream ?? []) {
          if (event.UtteranceEvent) this.deliver(callAnalyticsResult(event.UtteranceEvent, channel, baseMs));
          else if (event.CategoryEvent) this.deliverCategory(categoryMatch(event.CategoryEvent, baseMs));
          else throwIfException(event);
        }
      } else {
        const response = await client.send(
          new StartStreamTranscriptionCommand({
            ...this.#transcribeInput(),
            AudioStream: this.#audioEvents(),
          }),
          { abortSignal: this.#abort.signal },
        );
        for await (const event of response.TranscriptResultStream ?? []) {
          if (event.TranscriptEvent) {
            for (const result of event.TranscriptEvent.Transcript?.Results ?? []) {
              this.deliver(transcribeResult(result, channel, baseMs));
            }
          } else throwIfException(event);
        }
      }
      this.finished();
    } catch (err) {
      if (this.done) return;
      const e = err as Error;
      this.fail(`${engineName}: Amazon Transcribe: ${e.name}: ${e.message}`, err);
    }
  }

  /** The configuration's options, as StartStreamTranscription takes them. */
  #transcribeInput(): Omit<StartStreamTranscriptionCommandInput, 'AudioStream'> {
    const s = this.#options.settings;
    const identifies = s.identifyLanguage === true || s.identifyMultipleLanguages === true;
    const vocabularies = s.vocabularyNames?.split(',') ?? [];
    const filters = s.vocabularyFilterNames?.split(',') ?? [];
    const single = (list: string[]) => !identifies && list.length === 1;
    return defined({
      MediaEncoding: 'pcm',
      MediaSampleRateHertz: PIPELINE_SAMPLE_RATE,
      LanguageCode: identifies ? undefined : s.languageCode,
      IdentifyLanguage: s.identifyLanguage,
      IdentifyMultipleLanguages: s.identifyMultipleLanguages,
      LanguageOptions: s.languageOptions,
      PreferredLanguage: s.preferredLanguage,
      VocabularyName: single(vocabularies) ? vocabularies[0] : undefined,
      VocabularyNames: vocabularies.length > 0 && !single(vocabularies) ? vocabularies.join(',') : undefined,
      VocabularyFilterName: single(filters) ? filters[0] : undefined,
      VocabularyFilterNames: filters.length > 0 && !single(filters) ? filters.join(',') : undefined,
      VocabularyFilterMethod: s.vocabularyFilterMethod,
      LanguageModelName: s.languageModelName,
      ShowSpeakerLabel: s.showSpeakerLabel,
      EnablePartialResultsStabilization: s.enablePartialResultsStabilization,
      PartialResultsStability: s.partialResultsStability,
      ContentIdentificationType: s.contentIdentificationType,
      ContentRedactionType: s.contentRedactionType,
      PiiEntityTypes: s.piiEntityTypes,
    } as Omit<StartStreamTranscriptionCommandInput, 'AudioStream'>);
  }

  /** The same for StartCallAnalyticsStreamTranscription (one vocabulary and filter, no identification). */
  #callAnalyticsInput(): Omit<StartCallAnalyticsStreamTranscriptionCommandInput, 'AudioStream'> {
    const s = this.#options.settings;
    return defined({
      MediaEncoding: 'pcm',
      MediaSampleRateHertz: PIPELINE_SAMPLE_RATE,
      LanguageCode: s.languageCode,
      VocabularyName: s.vocabularyNames?.split(',')[0],
      VocabularyFilterName: s.vocabularyFilterNames?.split(',')[0],
      VocabularyFilterMethod: s.vocabularyFilterMethod,
      LanguageModelName: s.languageModelName,
      EnablePartialResultsStabilization: s.enablePartialResultsStabilization,
      PartialResultsStability: s.partialResultsStability,
      ContentIdentificationType: s.contentIdentificationType,
      ContentRedactionType: s.contentRedactionType,
      PiiEntityTypes: s.piiEntityTypes,
    } as Omit<StartCallAnalyticsStreamTranscriptionCommandInput, 'AudioStream'>);
  }
}

/** The object without its undefined members (the SDK would send them as absent anyway; logs stay short). */
function defined<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as T;
}

/** An exception the service sent as an event of the result stream. */
function throwIfException(event: object): void {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('Exception')) {
      const message = (value as { Message?: string; message?: string } | undefined)?.Message;
      throw Object.assign(new Error(message ?? key), { name: key });
    }
  }
}
