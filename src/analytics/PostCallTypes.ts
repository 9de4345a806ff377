/**
 * Amazon Transcribe Call Analytics' post-call output (chime-spec.md §2.10; Transcribe guide "Post-call
 * analytics output", compiled example), which Callsight stores per call.
 */
import type { IssueDetected, ParticipantRole, Sentiment, TimestampRange } from './AnalyticsTypes.js';
import type { UtteranceItem } from './UtteranceTypes.js';

export interface PostCallTranscriptEntry {
  readonly Id: string;
  readonly ParticipantRole: ParticipantRole;
  readonly Content: string;
  readonly BeginOffsetMillis: number;
  readonly EndOffsetMillis: number;
  readonly Sentiment: Sentiment;
  /** One per second of the utterance (Loudness.ts); empty when no audio was given. */
  readonly LoudnessScores: readonly number[];
  readonly IssuesDetected: readonly IssueDetected[];
  readonly Items: readonly UtteranceItem[];
}

export interface DurationRange extends TimestampRange {
  readonly DurationMillis: number;
}

export type ByRole<T> = Partial<Record<ParticipantRole, T>>;

export interface PeriodScore extends TimestampRange {
  /** -5 (negative) … +5 (positive). */
  readonly Score: number;
}

export interface ConversationCharacteristics {
  readonly TotalConversationDurationMillis: number;
  readonly TalkTime: {
    readonly TotalTimeMillis: number;
    readonly DetailsByParticipant: ByRole<{ readonly TotalTimeMillis: number }>;
  };
  readonly TalkSpeed: { readonly DetailsByParticipant: ByRole<{ readonly AverageWordsPerMinute: number }> };
  readonly NonTalkTime: { readonly TotalTimeMillis: number; readonly Instances: readonly DurationRange[] };
  readonly Interruptions: {
    readonly TotalCount: number;
    readonly TotalTimeMillis: number;
    /** Keyed by the participant who interrupted. */
    readonly InterruptionsByInterrupter: ByRole<readonly DurationRange[]>;
  };
  readonly Sentiment: {
    readonly OverallSentiment: ByRole<number>;
    readonly SentimentByPeriod: { readonly QUARTER: ByRole<readonly PeriodScore[]> };
  };
}

export interface PostCallAnalytics {
  readonly JobStatus: 'COMPLETED';
  readonly LanguageCode: string;
  readonly SessionId?: string;
  readonly Channel: 'VOICE';
  readonly Participants: readonly { readonly ParticipantRole: ParticipantRole }[];
  readonly Transcript: readonly PostCallTranscriptEntry[];
  readonly Categories: {
    readonly MatchedCategories: readonly string[];
    readonly MatchedDetails: Readonly<
      Record<string, { readonly PointsOfInterest: readonly TimestampRange[] }>
    >;
  };
  readonly ConversationCharacteristics: ConversationCharacteristics;
  /**
   * Where the call's recordings are, as Transcribe's call analytics job reports them: only with
   * ContentRedactionType and a recording in the configuration (the unredacted one only when kept).
   */
  readonly Media?: PostCallMedia;
}

/** Transcribe's `Media` of a call analytics job (GetCallAnalyticsJob), with the recordings' URLs. */
export interface PostCallMedia {
  readonly MediaFileUri?: string;
  readonly RedactedMediaFileUri?: string;
}
