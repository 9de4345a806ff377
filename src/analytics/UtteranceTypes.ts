/**
 * TCA `UtteranceEvent` as the `TranscribeCallAnalytics` record carries it (chime-spec.md §2.6): DG-OUT
 * keys (`ItemType`, entity `BeginOffset`/`EndOffset` in ms from the call start).
 */
import type { IssueDetected, ParticipantRole, Sentiment } from './AnalyticsTypes.js';
import type { PiiEntityType } from './PiiTypes.js';

export interface UtteranceItem {
  readonly Content: string;
  readonly Confidence: number;
  readonly VocabularyFilterMatch: boolean;
  readonly Stable: boolean;
  readonly ItemType: 'pronunciation' | 'punctuation';
  readonly BeginOffsetMillis: number;
  readonly EndOffsetMillis: number;
}

export interface UtteranceEntity {
  readonly Content: string;
  readonly Confidence: number;
  readonly Category: 'PII';
  readonly Type: PiiEntityType;
  /** ms from the call start (DG-OUT writes `BeginOffset`; the Transcribe API `BeginOffsetMillis`). */
  readonly BeginOffset: number;
  readonly EndOffset: number;
}

export interface UtteranceEvent {
  readonly UtteranceId: string;
  readonly ParticipantRole: ParticipantRole;
  readonly IsPartial: boolean;
  readonly BeginOffsetMillis: number;
  readonly EndOffsetMillis: number;
  readonly Transcript: string;
  /** Finals only (TCA computes sentiment and issues on finals). */
  readonly Sentiment?: Sentiment;
  readonly Items: readonly UtteranceItem[];
  readonly Entities: readonly UtteranceEntity[];
  readonly IssuesDetected: readonly IssueDetected[];
}
