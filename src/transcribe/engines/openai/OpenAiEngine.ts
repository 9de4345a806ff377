import pLimit, { type LimitFunction } from 'p-limit';
import { encodeWav } from '../../../media/wav/WavFile.js';
import { PIPELINE_SAMPLE_RATE } from '../../../media/MediaTypes.js';
import { CallsightError, InvalidStateError } from '../../../platform/errors.js';
import { silentLogger, type Logger } from '../../../platform/logger.js';
import { publishQueueDelay } from '../../EngineDiagnostics.js';
import type { OpenStreamOptions, SpeechEngine } from '../../SpeechEngineTypes.js';
import { OpenAiStream } from './OpenAiStream.js';
import { vocabularyPrompt } from '../../Vocabularies.js';
import {
  isoLanguage,
  transcriptionResponseSchema,
  type TranscriptionRequest,
  type TranscriptionResponse,
} from './TranscriptionResponse.js';

export interface OpenAiEngineOptions {
  readonly name: string;
  /** The transcription URL (…/v1/audio/transcriptions). */
  readonly endpoint: string;
  /** Sent as `Authorization: Bearer …` (never logged). */
  readonly apiKey?: string;
  readonly model: string;
  readonly maxConcurrency: number;
  /** 0: finals only. */
  readonly partialIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly maxBufferedMs: number;
  readonly logger?: Logger;
}

/**
 * An OpenAI-compatible transcription server (`POST /v1/audio/transcriptions`, multipart: OpenAI,
 * whisper.cpp's server, faster-whisper servers, vLLM, LocalAI). Callsight's VAD cuts each channel
 * into utterances (OpenAiStream); each is sent as a 16 kHz WAV. At most `maxConcurrency` requests
 * run at once for the whole engine; the others wait in a queue, and how long each waited is
 * published (EngineDiagnostics) for the `callsight_asr_queue_delay_seconds` metric.
 */
export class OpenAiEngine implements SpeechEngine {
  readonly name: string;
  readonly kind = 'openai';
  readonly #options: OpenAiEngineOptions;
  readonly #logger: Logger;
  readonly #limit: LimitFunction;
  readonly #closing = new AbortController();

  constructor(options: OpenAiEngineOptions) {
    this.name = options.name;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#limit = pLimit(options.maxConcurrency);
  }

  /** Nothing to load: a server that is down fails the streams that need it (and they fall back). */
  ready(): Promise<void> {
    return this.#closing.signal.aborted
      ? Promise.reject(new InvalidStateError('speech engine'))
      : Promise.resolve();
  }

  openStream(options: OpenStreamOptions): OpenAiStream {
    if (this.#closing.signal.aborted) throw new InvalidStateError('speech engine');
    const settings = options.settings;
    const identify = settings.identifyLanguage === true || settings.identifyMultipleLanguages === true;
    const prompt = vocabularyPrompt(settings.vocabularies);
    return new OpenAiStream({
      channel: options.channel,
      partialIntervalMs: this.#options.partialIntervalMs,
      maxBufferedMs: this.#options.maxBufferedMs,
      ...(identify ? {} : { language: isoLanguage(settings.languageCode) }),
      ...(prompt ? { prompt } : {}),
      transcribe: (request) => this.transcribe(request),
      logger: this.#logger.child({ engine: this.name, channel: options.channel }),
    });
  }

  /** Requests waiting for a slot, and running. */
  queueStats(): { readonly pending: number; readonly active: number } {
    return { pending: this.#limit.pendingCount, active: this.#limit.activeCount };
  }

  /** Sends one utterance, after waiting for a free slot. */
  transcribe(request: TranscriptionRequest): Promise<TranscriptionResponse> {
    const queuedAt = performance.now();
    return this.#limit(() => {
      publishQueueDelay({ engine: this.name, delayMs: performance.now() - queuedAt });
      return this.#post(request);
    });
  }

  async #post(request: TranscriptionRequest): Promise<TranscriptionResponse> {
    const { endpoint, apiKey, model, requestTimeoutMs } = this.#options;
    const form = new FormData();
    const wav = encodeWav(request.samples, PIPELINE_SAMPLE_RATE);
    form.append('file', new Blob([new Uint8Array(wav)], { type: 'audio/wav' }), 'utterance.wav');
    form.append('model', model);
    form.append('response_format', 'verbose_json');
    form.append('timestamp_granularities[]', 'word');
    form.append('timestamp_granularities[]', 'segment');
    form.append('temperature', '0');
    if (request.language) form.append('language', request.language);
    if (request.prompt) form.append('prompt', request.prompt);
    const signal = AbortSignal.any([this.#closing.signal, AbortSignal.timeout(requestTimeoutMs)]);
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        body: form,
        signal,
        ...(apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {}),
      });
    } catch (cause) {
      throw new CallsightError('CS_ERR_ASR_FAILED', `${this.name}: ${describeFetchError(cause)}`, { cause });
    }
    const body = await response.text();
    if (!response.ok) {
      throw new CallsightError(
        'CS_ERR_ASR_FAILED',
        `${this.name}: the server answered ${response.status} ${response.statusText}: ${body.slice(0, 200)}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new CallsightError(
        'CS_ERR_ASR_FAILED',
        `${this.name}: the answer is not JSON: ${body.slice(0, 100)}`,
      );
    }
    const parsed = transcriptionResponseSchema.safeParse(json);
    if (!parsed.success) {
      throw new CallsightError(
        'CS_ERR_ASR_FAILED',
        `${this.name}: the answer is not a transcription: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    }
    return parsed.data;
  }

  close(): Promise<void> {
    this.#closing.abort(new InvalidStateError('speech engine'));
    this.#limit.clearQueue();
    return Promise.resolve();
  }
}

function describeFetchError(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'the request timed out';
  const cause =
    err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
