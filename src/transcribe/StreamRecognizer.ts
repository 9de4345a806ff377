import { randomUUID } from 'node:crypto';
import { Downsampler2x } from '../media/codec/Resampler.js';
import { isWideband } from './Bandwidth.js';
import { concatSamples } from './EngineStream.js';
import type { RecognitionResult, RecognizedWord } from './SpeechEngineTypes.js';
import {
  DIGITS_GRAMMAR,
  looksLikeNumber,
  NUMBER_SCAN_GRAMMAR,
  numberStretches,
  spliceNumber,
} from './NumberPass.js';
import type { CmnState, DecodedSegment, GrammarDecoder, UtteranceDecoder } from './UtteranceDecoder.js';
import { Vad, VAD_SAMPLE_RATE, type VadOptions, type VadOutput } from './Vad.js';

/** Decoder frame length: pocketsphinx runs at 100 frames per second whatever the sample rate. */
const FRAME_MS = 10;

export interface StreamRecognizerOptions {
  readonly channel: number;
  /**
   * Lends a decoder for one utterance; it is given back through `release`. null: none is free (the
   * pool is at its bound), and the utterance's audio waits in `waiting` until `grant` hands one over.
   */
  readonly acquire: () => UtteranceDecoder | null;
  readonly release: (decoder: UtteranceDecoder) => void;
  /** Rate the decoder expects; 8000 halves the 16 kHz input. */
  readonly decoderSampleRate: 8000 | 16000;
  readonly partialIntervalMs: number;
  readonly vad?: VadOptions;
  /**
   * Per-stream cepstral mean normalisation. Decoders are pooled and lent per utterance, so without
   * this the CMN estimate belongs to the decoder and one caller's channel shapes the next caller's
   * first words. With it, each stream keeps its own state and lends it to whichever decoder it gets.
   */
  readonly cmn?: StreamCmnOptions;
  /**
   * `'batch-cmn'` decodes each finished utterance again, normalised with its own cepstral mean, for
   * the final result (partials stay live). Costs a second decode at the end of every utterance.
   */
  readonly finalPass?: 'live' | 'batch-cmn';
  /**
   * The decoder of the number pass: an utterance that reads out a number has its digits decoded
   * again with a digits grammar for the final (NumberPass.ts). Absent: no number pass.
   */
  readonly numberPass?: GrammarDecoder;
}

export interface StreamCmnOptions {
  /** The state a new stream starts from when its first utterance is band-limited (telephone). */
  readonly initial: CmnState;
  /** The state it starts from when that audio has content above 5 kHz (absent: `initial` always). */
  readonly initialWideband?: CmnState;
}

interface OpenUtterance {
  readonly resultId: string;
  readonly startMs: number;
  readonly decoder: UtteranceDecoder;
  readonly downsampler: Downsampler2x | null;
  /** What the decoder was fed, kept for a whole-utterance final pass or the number pass. */
  readonly fed: Int16Array[] | null;
  /** The stream's first utterance: its CMN start is chosen from its first audio. */
  needsInitialCmn: boolean;
  endMs: number;
  /** Audio (ms) fed since the last partial. */
  sinceLastPartialMs: number;
  lastPartial: string;
}

/**
 * One channel's recognition, as a pure processor: VAD gates 16 kHz audio into utterances, each
 * decoded by a borrowed decoder. Emits a partial whenever the hypothesis changed after at least
 * `partialIntervalMs` of new audio, and a final with word timings when the VAD ends the utterance.
 */
export class StreamRecognizer {
  readonly #options: StreamRecognizerOptions;
  readonly #vad: Vad;
  #utterance: OpenUtterance | null = null;
  /** This stream's CMN state between utterances (null before its first utterance). */
  #cmn: CmnState | null = null;
  /** VAD output from an utterance start on, held while no decoder is free. */
  #pending: VadOutput[] | null = null;
  /** A decoder handed over by `grant`, for the pending utterance's start. */
  #granted: UtteranceDecoder | null = null;

  constructor(options: StreamRecognizerOptions) {
    this.#options = options;
    this.#vad = new Vad(options.vad);
  }

  processInput(samples: Int16Array, offsetMs: number): RecognitionResult[] {
    const results: RecognitionResult[] = [];
    for (const event of this.#vad.processInput(samples, offsetMs)) this.#dispatch(event, results);
    return results;
  }

  /** End of stream: finalises an open utterance (later, through `grant`, if it is `waiting`). */
  flush(): RecognitionResult[] {
    const results: RecognitionResult[] = [];
    for (const event of this.#vad.flush()) this.#dispatch(event, results);
    return results;
  }

  /** An utterance started while no decoder was free: its audio is held until `grant`. */
  get waiting(): boolean {
    return this.#pending !== null;
  }

  /** Audio (ms) held while waiting for a decoder. */
  get pendingMs(): number {
    let ms = 0;
    for (const e of this.#pending ?? [])
      if (e.kind === 'audio') ms += (e.samples.length * 1000) / VAD_SAMPLE_RATE;
    return ms;
  }

  /** A decoder for the waiting utterance: the held audio is decoded now. */
  grant(decoder: UtteranceDecoder): RecognitionResult[] {
    const results: RecognitionResult[] = [];
    const events = this.#pending ?? [];
    this.#pending = null;
    this.#granted = decoder;
    try {
      for (const event of events) this.#dispatch(event, results);
    } finally {
      // Not waiting after all (cannot happen: the held output starts with the utterance's start).
      if (this.#granted) this.#options.release(this.#granted);
      this.#granted = null;
    }
    return results;
  }

  /** Gives back a borrowed decoder without a result (the stream is being torn down). */
  abandon(): void {
    this.#pending = null;
    const u = this.#utterance;
    this.#utterance = null;
    if (u) {
      u.decoder.endUtterance();
      this.#options.release(u.decoder);
    }
  }

  #dispatch(event: VadOutput, results: RecognitionResult[]): void {
    if (this.#pending) this.#pending.push(event);
    else this.#handle(event, results);
  }

  #handle(event: VadOutput, results: RecognitionResult[]): void {
    switch (event.kind) {
      case 'start': {
        const decoder = this.#granted ?? this.#options.acquire();
        this.#granted = null;
        if (!decoder) {
          this.#pending = [event];
          return;
        }
        decoder.startUtterance();
        // The stream's own CMN state; its first utterance gets one with its first audio (below).
        if (this.#options.cmn && this.#cmn) decoder.setCmn?.(this.#cmn);
        this.#utterance = {
          resultId: randomUUID(),
          startMs: event.offsetMs,
          endMs: event.offsetMs,
          decoder,
          downsampler: this.#options.decoderSampleRate === 8000 ? new Downsampler2x() : null,
          fed:
            (this.#options.finalPass === 'batch-cmn' && decoder.decodeWholeUtterance) ||
            this.#options.numberPass
              ? []
              : null,
          needsInitialCmn: this.#options.cmn !== undefined && this.#cmn === null,
          sinceLastPartialMs: 0,
          lastPartial: '',
        };
        return;
      }
      case 'audio': {
        const u = this.#utterance;
        if (!u) return;
        const durationMs = (event.samples.length * 1000) / VAD_SAMPLE_RATE;
        if (u.needsInitialCmn) {
          // The first audio of a stream's first utterance: the VAD's pre-roll and onset, ~0.3 s.
          u.needsInitialCmn = false;
          const cmn = this.#options.cmn!;
          const wideband = cmn.initialWideband !== undefined && isWideband(event.samples);
          u.decoder.setCmn?.(wideband ? cmn.initialWideband : cmn.initial);
        }
        const samples = u.downsampler ? u.downsampler.process(event.samples) : event.samples;
        u.decoder.process(samples);
        u.fed?.push(samples);
        u.endMs = event.offsetMs + durationMs;
        u.sinceLastPartialMs += durationMs;
        if (u.sinceLastPartialMs >= this.#options.partialIntervalMs) {
          const hyp = u.decoder.hypothesis();
          if (hyp !== u.lastPartial && hyp.length > 0) {
            u.lastPartial = hyp;
            u.sinceLastPartialMs = 0;
            results.push(this.#result(u, true, hyp, []));
          }
        }
        return;
      }
      case 'end': {
        const u = this.#utterance;
        if (!u) return;
        this.#utterance = null;
        try {
          u.decoder.endUtterance();
          if (this.#options.cmn) this.#cmn = u.decoder.getCmn?.() ?? null;
          const fed = u.fed ? concatSamples(u.fed) : null;
          if (fed && this.#options.finalPass === 'batch-cmn') u.decoder.decodeWholeUtterance?.(fed);
          let segments = u.decoder.segments();
          if (fed && this.#options.numberPass)
            segments = this.#numberPass(this.#options.numberPass, fed, segments);
          const words: RecognizedWord[] = segments.map((s) => ({
            word: s.word,
            startMs: u.startMs + s.startFrame * FRAME_MS,
            endMs: Math.min(u.endMs, u.startMs + (s.endFrame + 1) * FRAME_MS),
            confidence: s.confidence,
          }));
          const transcript = words.map((w) => w.word).join(' ');
          // An utterance that decoded to nothing but noise has no final unless partials were shown.
          if (transcript.length > 0 || u.lastPartial.length > 0) {
            results.push(this.#result(u, false, transcript, words));
          }
        } finally {
          this.#options.release(u.decoder);
        }
        return;
      }
    }
  }

  /** The number pass (NumberPass.ts): the segments with a number read out decoded again. */
  #numberPass(decoder: GrammarDecoder, fed: Int16Array, segments: DecodedSegment[]): DecodedSegment[] {
    if (!looksLikeNumber(segments.map((s) => s.word))) return segments;
    const samplesPerFrame = (this.#options.decoderSampleRate * FRAME_MS) / 1000;
    let spliced = segments;
    for (const stretch of numberStretches(decoder.decodeWithGrammar(fed, NUMBER_SCAN_GRAMMAR))) {
      const audio = fed.subarray(stretch.start * samplesPerFrame, (stretch.end + 1) * samplesPerFrame);
      spliced = spliceNumber(spliced, stretch, decoder.decodeWithGrammar(audio, DIGITS_GRAMMAR));
    }
    return spliced;
  }

  #result(
    u: OpenUtterance,
    isPartial: boolean,
    transcript: string,
    words: RecognizedWord[],
  ): RecognitionResult {
    return {
      resultId: u.resultId,
      channel: this.#options.channel,
      isPartial,
      startMs: u.startMs,
      endMs: u.endMs,
      transcript,
      words,
    };
  }
}
