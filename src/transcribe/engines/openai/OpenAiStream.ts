import { randomUUID } from 'node:crypto';
import type { PcmFrame } from '../../../media/MediaTypes.js';
import type { Logger } from '../../../platform/logger.js';
import { EngineStream, concatSamples, durationMs } from '../../EngineStream.js';
import type { RecognitionResult } from '../../SpeechEngineTypes.js';
import { Vad, type VadOutput } from '../../Vad.js';
import {
  responseWords,
  type TranscriptionRequest,
  type TranscriptionResponse,
} from './TranscriptionResponse.js';

export interface OpenAiStreamOptions {
  readonly channel: number;
  readonly partialIntervalMs: number;
  readonly maxBufferedMs: number;
  readonly language?: string;
  /** Sent with every request: the custom vocabularies' terms. */
  readonly prompt?: string;
  readonly transcribe: (request: TranscriptionRequest) => Promise<TranscriptionResponse>;
  readonly logger: Logger;
}

interface Utterance {
  readonly resultId: string;
  readonly startMs: number;
  endMs: number;
  readonly chunks: Int16Array[];
  speechMs: number;
  sinceLastPartialMs: number;
  partialInFlight: boolean;
  lastPartial: string;
  /** The final was requested: partials that answer later are dropped. */
  closed: boolean;
}

/**
 * One channel on an OpenAI-compatible server. The VAD cuts utterances; each finished one is sent
 * for its final. With `partialIntervalMs`, the growing utterance is also sent every that many ms
 * of speech (one partial request at a time) for a partial. Finals are delivered in utterance
 * order whatever order the server answers in; a final request that fails fails the stream (a
 * partial's failure is only logged). Back-pressure counts speech not yet answered.
 */
export class OpenAiStream extends EngineStream {
  readonly #options: OpenAiStreamOptions;
  readonly #vad = new Vad();
  #utterance: Utterance | null = null;
  /** Finals are handed on in this order. */
  #delivery: Promise<void> = Promise.resolve();

  constructor(options: OpenAiStreamOptions) {
    super(options.channel, options.logger, {
      highWaterMs: options.maxBufferedMs / 2,
      maxBufferedMs: options.maxBufferedMs,
    });
    this.#options = options;
  }

  protected sendAudio(frame: PcmFrame): void {
    let speechMs = 0;
    for (const event of this.#vad.processInput(frame.samples, frame.offsetMs))
      speechMs += this.#handle(event);
    // Audio outside speech is done with at once; speech waits for its answer.
    this.processed(Math.max(0, durationMs(frame.samples) - speechMs));
  }

  protected sendEnd(): void {
    for (const event of this.#vad.flush()) this.#handle(event);
    void this.#delivery.then(() => this.finished());
  }

  /** Handles one VAD event; returns the ms of speech it added to an utterance. */
  #handle(event: VadOutput): number {
    switch (event.kind) {
      case 'start':
        this.#utterance = {
          resultId: randomUUID(),
          startMs: event.offsetMs,
          endMs: event.offsetMs,
          chunks: [],
          speechMs: 0,
          sinceLastPartialMs: 0,
          partialInFlight: false,
          lastPartial: '',
          closed: false,
        };
        return 0;
      case 'audio': {
        const u = this.#utterance;
        if (!u) return 0;
        const ms = durationMs(event.samples);
        u.chunks.push(event.samples);
        u.endMs = event.offsetMs + ms;
        u.speechMs += ms;
        u.sinceLastPartialMs += ms;
        const interval = this.#options.partialIntervalMs;
        if (interval > 0 && u.sinceLastPartialMs >= interval && !u.partialInFlight) this.#requestPartial(u);
        return ms;
      }
      case 'end': {
        const u = this.#utterance;
        this.#utterance = null;
        if (u) this.#requestFinal(u);
        return 0;
      }
    }
  }

  #request(u: Utterance): Promise<TranscriptionResponse> {
    const { language, prompt } = this.#options;
    return this.#options.transcribe({
      samples: concatSamples(u.chunks),
      ...(language ? { language } : {}),
      ...(prompt ? { prompt } : {}),
    });
  }

  #requestPartial(u: Utterance): void {
    u.partialInFlight = true;
    u.sinceLastPartialMs = 0;
    const span = { startMs: u.startMs, endMs: u.endMs };
    this.#request(u)
      .then((response) => {
        const transcript = response.text.trim();
        if (u.closed || this.done || transcript === '' || transcript === u.lastPartial) return;
        u.lastPartial = transcript;
        this.deliver(this.#result(u, true, transcript, response, span));
      })
      .catch((err: unknown) => this.logger.debug({ err }, 'partial transcription failed'))
      .finally(() => {
        u.partialInFlight = false;
      });
  }

  #requestFinal(u: Utterance): void {
    u.closed = true;
    const answer = this.#request(u);
    // Started now, handed on in order.
    answer.catch(() => undefined);
    this.#delivery = this.#delivery.then(async () => {
      if (this.done) return;
      try {
        const response = await answer;
        const transcript = response.text.trim();
        // Noise that decoded to nothing has no final unless partials were shown.
        if (transcript !== '' || u.lastPartial !== '') {
          this.deliver(this.#result(u, false, transcript, response, u));
        }
        this.processed(u.speechMs);
      } catch (err) {
        this.fail(`speech recognition failed: ${(err as Error).message}`, err);
      }
    });
  }

  #result(
    u: Utterance,
    isPartial: boolean,
    transcript: string,
    response: TranscriptionResponse,
    span: { startMs: number; endMs: number },
  ): RecognitionResult {
    return {
      resultId: u.resultId,
      channel: this.channel,
      isPartial,
      startMs: span.startMs,
      endMs: span.endMs,
      transcript,
      // verbose_json's `language` is a name ("english"), not a code: not passed on.
      words: responseWords(response, span),
    };
  }
}
