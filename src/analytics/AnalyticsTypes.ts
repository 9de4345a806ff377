/**
 * Shared contract of the call analytics models (src/analytics/): what they take (final ASR
 * utterances with word timings) and the Amazon Transcribe Call Analytics shapes they produce
 * (chime-spec.md §2.6, §2.7, §2.10; Transcribe API reference `UtteranceEvent`, `CategoryEvent`).
 *
 * Every model is a pure function or a small incremental evaluator with no timers or I/O, so the
 * processor that wires them into the pipeline can run them in the ASR worker or on the main thread.
 */
import type { RecognizedWord } from '../transcribe/SpeechEngineTypes.js';

export const PARTICIPANT_ROLES = ['AGENT', 'CUSTOMER'] as const;
/** TCA `ParticipantRole`: the channel mapping decides which channel is which. */
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

export const SENTIMENTS = ['POSITIVE', 'NEGATIVE', 'NEUTRAL', 'MIXED'] as const;
/** TCA `Sentiment` of an utterance. */
export type Sentiment = (typeof SENTIMENTS)[number];

/** A recognised word with its timing in ms from the call start (the recogniser's own type). */
export type AnalyticsWord = RecognizedWord;

/** One final utterance of one participant, as the analytics models take it. */
export interface AnalyticsUtterance {
  /** `UtteranceId` (the recogniser's `resultId`). */
  readonly utteranceId: string;
  readonly role: ParticipantRole;
  /** ms from the call start. */
  readonly beginMs: number;
  readonly endMs: number;
  /** The words in order, lower-case, no punctuation (ASR output). */
  readonly words: readonly AnalyticsWord[];
}

/** `CharacterOffsets` of TCA: `Begin` inclusive, `End` exclusive, into the utterance's `Transcript`. */
export interface CharacterOffsets {
  readonly Begin: number;
  readonly End: number;
}

/** One element of TCA `IssuesDetected`. */
export interface IssueDetected {
  readonly CharacterOffsets: CharacterOffsets;
}

/** A span of call time, ms from the call start (TCA `TimestampRange` / `PointsOfInterest`). */
export interface TimestampRange {
  readonly BeginOffsetMillis: number;
  readonly EndOffsetMillis: number;
}

/**
 * A final utterance as processors tell each other about it (the call analytics processor adds its
 * sentiment; voice tone analysis combines it with what the voice carries).
 */
export interface SharedUtterance {
  readonly channelId: number;
  readonly participantRole: ParticipantRole | null;
  readonly beginMs: number;
  readonly endMs: number;
  readonly wordCount: number;
  readonly sentiment?: Sentiment;
  /** The sentiment model's score, -1 (negative) … 1 (positive), when known. */
  readonly sentimentScore?: number;
}
