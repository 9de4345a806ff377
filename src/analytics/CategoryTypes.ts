/**
 * Call analytics categories, in Amazon Transcribe's own model (API reference: CreateCallAnalyticsCategory,
 * CategoryProperties, Rule, TranscriptFilter, SentimentFilter, InterruptionFilter, NonTalkTimeFilter,
 * AbsoluteTimeRange, RelativeTimeRange), so a category written for Transcribe loads unchanged.
 *
 * A category matches when all of its rules (1–20) match. A `Rule` is a union: exactly one filter.
 */
import type { ParticipantRole, Sentiment, TimestampRange } from './AnalyticsTypes.js';

/** Milliseconds into the call: StartTime+EndTime, or First (the first N ms), or Last (the last N ms). */
export interface AbsoluteTimeRange {
  readonly StartTime?: number;
  readonly EndTime?: number;
  readonly First?: number;
  readonly Last?: number;
}

/** Percentages (0–100) of the call: StartPercentage+EndPercentage, or First, or Last. */
export interface RelativeTimeRange {
  readonly StartPercentage?: number;
  readonly EndPercentage?: number;
  readonly First?: number;
  readonly Last?: number;
}

interface TimeRanged {
  readonly AbsoluteTimeRange?: AbsoluteTimeRange;
  readonly RelativeTimeRange?: RelativeTimeRange;
}

/** Words or phrases spoken (or, with Negate, never spoken). Only EXACT matching exists. */
export interface TranscriptFilter extends TimeRanged {
  readonly TranscriptFilterType: 'EXACT';
  /** Phrases; any of them matches. */
  readonly Targets: readonly string[];
  readonly ParticipantRole?: ParticipantRole;
  /** true: match when none of the Targets is spoken. */
  readonly Negate?: boolean;
}

/** Utterances with one of the sentiments (Transcribe allows exactly one). */
export interface SentimentFilter extends TimeRanged {
  readonly Sentiments: readonly Sentiment[];
  readonly ParticipantRole?: ParticipantRole;
  /** true: match utterances whose sentiment is NOT one of Sentiments (Transcribe's definition). */
  readonly Negate?: boolean;
}

/** Interruptions, by an interrupter (or either), totalling at least Threshold ms. */
export interface InterruptionFilter extends TimeRanged {
  readonly Threshold?: number;
  readonly ParticipantRole?: ParticipantRole;
  /** true: match when there is no such interruption. */
  readonly Negate?: boolean;
}

/** A silence of at least Threshold ms (neither participant talking). */
export interface NonTalkTimeFilter extends TimeRanged {
  readonly Threshold?: number;
  /** true: match when there is no such silence (Transcribe: "flag periods of speech"). */
  readonly Negate?: boolean;
}

export type Rule =
  | { readonly TranscriptFilter: TranscriptFilter }
  | { readonly SentimentFilter: SentimentFilter }
  | { readonly InterruptionFilter: InterruptionFilter }
  | { readonly NonTalkTimeFilter: NonTalkTimeFilter };

export const CATEGORY_INPUT_TYPES = ['REAL_TIME', 'POST_CALL'] as const;
export type CategoryInputType = (typeof CATEGORY_INPUT_TYPES)[number];

/** CreateCallAnalyticsCategory's body and CategoryProperties (less the timestamps). */
export interface CallAnalyticsCategory {
  /** 1–200 characters. */
  readonly CategoryName: string;
  /** 1–20 rules, all of which must match. */
  readonly Rules: readonly Rule[];
  /** Default POST_CALL, as in Transcribe. */
  readonly InputType?: CategoryInputType;
}

/** TCA `CategoryEvent` (chime-spec.md §2.7). */
export interface CategoryEvent {
  readonly MatchedCategories: readonly string[];
  readonly MatchedDetails: Readonly<Record<string, { readonly TimestampRanges: readonly TimestampRange[] }>>;
}
