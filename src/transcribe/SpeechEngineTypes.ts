import type { LabelledMetric } from '../platform/metrics.js';
import type { PcmFrame } from '../media/MediaTypes.js';

/**
 * The speech-engine boundary. Every engine — the embedded pocketsphinx, Amazon Transcribe, an
 * OpenAI-compatible transcription server, a Vosk server — is one `SpeechEngine`; the pipeline opens
 * one `RecognitionStream` per channel, writes that channel's 16 kHz frames into it, and gets
 * partial and final results out. Failures and back-pressure are events, never exceptions thrown at
 * the writer (it runs on the media path). docs/asr.md describes each engine.
 */

/** One recognised item with its timing (ms from call start) and a 0..1 confidence. */
export interface RecognizedWord {
  readonly word: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly confidence: number;
  /** Transcribe's item type; absent: a word. Punctuation comes only from engines that write it. */
  readonly type?: 'pronunciation' | 'punctuation';
  /** Partial-results stabilization: this item will not change any more (absent: stable on finals only). */
  readonly stable?: boolean;
  /** The item matched a vocabulary filter (Transcribe's VocabularyFilterMatch). */
  readonly vocabularyFilterMatch?: boolean;
  /**
   * The recogniser's own words this item was written from, when readable formatting changed them
   * ("4111" from "four one one one", "I" from "i"; ReadableText.ts).
   */
  readonly spoken?: readonly RecognizedWord[];
}

/** Content an engine identified or redacted (Amazon Transcribe's PII entities). */
export interface RecognizedEntity {
  readonly category: string;
  readonly type: string;
  readonly content: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly confidence: number;
}

export type ParticipantRole = 'AGENT' | 'CUSTOMER';

/**
 * What an engine that analyses as it recognises (Transcribe Call Analytics) says of a final
 * utterance, in Transcribe's names; the call analytics processor uses it instead of its own models.
 */
export interface EngineUtteranceAnalysis {
  readonly sentiment?: 'POSITIVE' | 'NEGATIVE' | 'NEUTRAL' | 'MIXED';
  /** Character offsets into the transcript. */
  readonly issues: readonly { readonly begin: number; readonly end: number }[];
}

/**
 * One hypothesis for an utterance. Partials for an utterance share its resultId and are followed by
 * exactly one final with the same resultId; a stream's finals come in time order.
 */
export interface RecognitionResult {
  readonly resultId: string;
  readonly channel: number;
  readonly isPartial: boolean;
  readonly startMs: number;
  readonly endMs: number;
  readonly transcript: string;
  /** The recogniser's own transcript (lower case, numbers in words), when `transcript` was made readable. */
  readonly spokenTranscript?: string;
  /** Finals: every word, inside [startMs, endMs]. Partials: may be empty (pocketsphinx times finals only). */
  readonly words: readonly RecognizedWord[];
  /** PII the engine identified (ContentIdentificationType) or redacted (ContentRedactionType). */
  readonly entities?: readonly RecognizedEntity[];
  /** The language the engine heard (language identification) or was told. */
  readonly languageCode?: string;
  /** Set only by engines that do call analytics themselves. */
  readonly analysis?: EngineUtteranceAnalysis;
}

/** A category an engine matched itself (Transcribe Call Analytics' CategoryEvent), in its names. */
export interface EngineCategoryMatch {
  readonly MatchedCategories: readonly string[];
  readonly MatchedDetails: Readonly<Record<string, unknown>>;
}

export interface RecognitionStreamEvents {
  result: (result: RecognitionResult) => void;
  /** Only from engines that match categories themselves (Transcribe Call Analytics). */
  category: (match: EngineCategoryMatch) => void;
  /**
   * The engine failed for this stream (CS_ERR_ASR_FAILED, or CS_ERR_ASR_OVERLOADED when it fell
   * `maxBufferedMs` behind); no more results will come, and `end()` rejects with this error.
   */
  error: (error: Error) => void;
  /** The audio held for the engine fell back below its high-water mark (after write() returned false). */
  drain: () => void;
}

/** A streaming recognition session for one channel. */
export interface RecognitionStream {
  /**
   * Queues audio (16 kHz mono frames of this channel, in order) and never blocks. Returns false
   * when the engine holds more unrecognised audio than its high-water mark: the writer cannot slow
   * a live call down, so this is a signal, and 'drain' follows; past the engine's hard limit the
   * stream fails with CS_ERR_ASR_OVERLOADED instead of holding more.
   */
  write(frame: PcmFrame): boolean;
  /** Milliseconds of written audio the engine has not processed yet. */
  readonly bufferedMs: number;
  /** Flush: the final result of any open utterance is emitted before this resolves. */
  end(): Promise<void>;
  on<K extends keyof RecognitionStreamEvents>(event: K, listener: RecognitionStreamEvents[K]): this;
}

/**
 * A custom vocabulary in Amazon Transcribe's shape (CreateVocabulary: `Phrases`, or a `Table` of
 * rows), as stored under /api/vocabularies; docs/asr.md says how each engine honours it.
 */
export interface CustomVocabulary {
  readonly VocabularyName: string;
  readonly Phrases?: readonly string[];
  readonly Table?: readonly {
    readonly Phrase: string;
    readonly SoundsLike?: string;
    readonly IPA?: string;
    readonly DisplayAs?: string;
  }[];
}

/**
 * A vocabulary filter in Amazon Transcribe's shape (CreateVocabularyFilter's inline `Words`), as
 * stored under /api/vocabulary-filters; VocabularyFilter.ts applies it to results.
 */
export interface VocabularyFilterList {
  readonly VocabularyFilterName: string;
  /** Its language: it applies to results of that language only (absent: any). */
  readonly LanguageCode?: string;
  readonly Words: readonly string[];
}

/**
 * What the call analytics configuration asks of recognition (the Transcribe processors' settings
 * that an engine may honour; docs/asr.md says which engine honours which).
 */
export interface RecognitionSettings {
  readonly languageCode: string;
  readonly identifyLanguage?: boolean;
  readonly identifyMultipleLanguages?: boolean;
  /** Comma-separated, as Chime passes it. */
  readonly languageOptions?: string;
  readonly preferredLanguage?: string;
  /** Comma-separated; VocabularyName and VocabularyNames both end up here. */
  readonly vocabularyNames?: string;
  /** The named vocabularies that exist (engines that take words, not names, read these). */
  readonly vocabularies?: readonly CustomVocabulary[];
  readonly vocabularyFilterNames?: string;
  /** The named filters that exist, applied to the results of engines that do not filter themselves. */
  readonly vocabularyFilters?: readonly VocabularyFilterList[];
  readonly vocabularyFilterMethod?: 'remove' | 'mask' | 'tag';
  readonly languageModelName?: string;
  readonly enablePartialResultsStabilization?: boolean;
  readonly partialResultsStability?: 'high' | 'medium' | 'low';
  readonly contentIdentificationType?: 'PII';
  readonly contentRedactionType?: 'PII';
  readonly piiEntityTypes?: string;
  readonly showSpeakerLabel?: boolean;
}

export interface OpenStreamOptions {
  readonly channel: number;
  /** The channel's participant (null: not known). */
  readonly role: ParticipantRole | null;
  readonly settings: RecognitionSettings;
  /** Transcribe Call Analytics instead of plain transcription (engines that have it). */
  readonly callAnalytics?: boolean;
  /** An id for the engine's logs and its own session ids (the pipeline's id). */
  readonly sessionId?: string;
}

/** Engine kinds Callsight ships (the config file's `speechEngines[].kind`). */
export const SPEECH_ENGINE_KINDS = ['pocketsphinx', 'amazon-transcribe', 'openai', 'vosk'] as const;
export type SpeechEngineKind = (typeof SPEECH_ENGINE_KINDS)[number];

/** A speech recognition engine. */
export interface SpeechEngine {
  /** The name it is declared and chosen by (`CallsightSpeechEngine`). */
  readonly name: string;
  readonly kind: SpeechEngineKind;
  /** Resolves once the engine can open streams (rejects with CS_ERR_ASR_UNAVAILABLE if not). */
  ready(): Promise<void>;
  openStream(options: OpenStreamOptions): RecognitionStream;
  close(): Promise<void>;
  /** Its numbers for /metrics, labelled with `engine` (its name). */
  metrics?(): LabelledMetric[];
}
