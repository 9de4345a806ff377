import type { PcmFrame } from '../media/MediaTypes.js';

/** One recognised word with its timing (ms from call start) and a 0..1 confidence. */
export interface RecognizedWord {
  readonly word: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly confidence: number;
}

/**
 * One hypothesis for an utterance. Partials for an utterance share its resultId and are followed by
 * exactly one final with the same resultId.
 */
export interface RecognitionResult {
  readonly resultId: string;
  readonly channel: number;
  readonly isPartial: boolean;
  readonly startMs: number;
  readonly endMs: number;
  readonly transcript: string;
  readonly words: readonly RecognizedWord[];
}

export interface RecognitionStreamEvents {
  result: (result: RecognitionResult) => void;
  /** The engine failed for this stream; no more results will come. */
  error: (error: Error) => void;
}

/** A streaming recognition session for one channel. */
export interface RecognitionStream {
  /** Queue audio (16 kHz mono frames, in order). Never blocks the caller. */
  write(frame: PcmFrame): void;
  /** Flush: the final result of any open utterance is emitted before this resolves. */
  end(): Promise<void>;
  on<K extends keyof RecognitionStreamEvents>(event: K, listener: RecognitionStreamEvents[K]): this;
}

/** A speech recognition engine (pocketsphinx today; Vosk, sherpa-onnx or Amazon Transcribe later). */
export interface SpeechEngine {
  readonly name: string;
  /** Resolves once the engine is loaded and can open streams (throws CS_ERR_ASR_UNAVAILABLE if not). */
  ready(): Promise<void>;
  openStream(options: { channel: number; languageCode: string }): RecognitionStream;
  close(): Promise<void>;
}
