import { DetailType } from './DetailTypes.js';

/**
 * The records of Callsight's data stream (docs/messages.md) as TypeScript types, with a type guard
 * per `detail-type`. The types say what Callsight writes; a guard checks only the `detail-type`, so
 * code reading records from other producers still checks the fields it relies on.
 */

/** One WebSocket frame: the stored record plus Callsight's `sequenceNumber`. */
export type StreamRecord = Readonly<Record<string, unknown>> & { readonly sequenceNumber: string };

export function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type ParticipantRole = 'AGENT' | 'CUSTOMER';

/** Family 1: an EventBridge envelope. */
export interface EnvelopeRecord<T extends string, D> {
  readonly sequenceNumber: string;
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': T;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: D;
}

/** Family 2: a flat pipeline record; `metadata` is a JSON-encoded string of the call's fields. */
export interface PipelineRecord<T extends string> {
  readonly sequenceNumber: string;
  readonly time: string;
  readonly 'service-type': 'CallAnalytics';
  readonly 'detail-type': T;
  readonly mediaInsightsPipelineId: string;
  readonly metadata: string;
}

/** The call fields most records carry (envelopes in `detail`, pipeline records in `metadata`). */
export interface CallFields {
  readonly callId: string;
  readonly transactionId: string;
  readonly voiceConnectorId: string;
  readonly fromNumber?: string;
  readonly toNumber?: string;
  readonly direction?: 'Inbound' | 'Outbound';
}

export interface StreamingStatusDetail extends CallFields {
  readonly streamingStatus: 'STARTED' | 'ALL_STARTED' | 'UPDATED' | 'ENDED' | 'FAILED';
  readonly version?: string;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly failTime?: string;
  readonly failureReason?: string;
  readonly isCaller?: boolean;
  readonly streamArn?: string;
  readonly mediaType?: string;
  readonly [field: string]: unknown;
}

export interface StateChangeDetail {
  readonly eventType: string;
  readonly mediaInsightsPipelineArn?: string;
  readonly callId?: string;
  readonly transactionId?: string;
  readonly failureReason?: string;
  readonly [field: string]: unknown;
}

export interface TranscriptItem {
  readonly StartTime: number;
  readonly EndTime: number;
  readonly ItemType: 'pronunciation' | 'punctuation';
  readonly Content: string;
  readonly Confidence: number;
  readonly Stable?: boolean;
  readonly Speaker?: string | null;
  readonly VocabularyFilterMatch?: boolean;
}

export interface TranscriptEntity {
  readonly Category: string;
  readonly Type: string;
  readonly Content: string;
  readonly StartTime: number;
  readonly EndTime: number;
  readonly Confidence: number;
}

export interface TranscribeRecordFields {
  readonly TranscriptEvent: {
    readonly ResultId: string;
    readonly StartTime: number;
    readonly EndTime: number;
    readonly IsPartial: boolean;
    readonly ChannelId: string;
    readonly LanguageCode?: string;
    readonly Alternatives: readonly {
      readonly Transcript: string;
      readonly Items: readonly TranscriptItem[];
      readonly Entities: readonly TranscriptEntity[] | null;
    }[];
  };
}

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
  readonly Category: 'PII';
  readonly Type: string;
  readonly Content: string;
  readonly Confidence: number;
  readonly BeginOffsetMillis: number;
  readonly EndOffsetMillis: number;
}

export interface TranscribeCallAnalyticsRecordFields {
  readonly UtteranceEvent: {
    readonly UtteranceId: string;
    readonly ParticipantRole: ParticipantRole;
    readonly IsPartial: boolean;
    readonly BeginOffsetMillis: number;
    readonly EndOffsetMillis: number;
    readonly Transcript: string;
    readonly Sentiment?: 'POSITIVE' | 'NEGATIVE' | 'NEUTRAL' | 'MIXED';
    readonly Items: readonly UtteranceItem[];
    readonly Entities: readonly UtteranceEntity[];
    readonly IssuesDetected?: readonly {
      readonly CharacterOffsets: { readonly Begin: number; readonly End: number };
    }[];
  };
}

export interface CategoryEventRecordFields {
  readonly CategoryEvent: {
    readonly MatchedCategories: readonly string[];
    readonly MatchedDetails: Readonly<Record<string, unknown>>;
  };
}

export interface RecordingRecordFields {
  readonly s3MediaObjectConsoleUrl: string;
  readonly recordingDurationSeconds: string;
  readonly sizeBytes: number;
  readonly sampleRate: number;
  readonly channels: number;
  readonly location?: string;
}

export type StreamingStatusRecord = EnvelopeRecord<typeof DetailType.StreamingStatus, StreamingStatusDetail>;
export type StateChangeRecord = EnvelopeRecord<typeof DetailType.StateChange, StateChangeDetail>;
export type CallAnalyticsMetadataRecord = PipelineRecord<typeof DetailType.CallAnalyticsMetadata> &
  Readonly<Record<string, unknown>>;
export type TranscribeRecord = PipelineRecord<typeof DetailType.Transcribe> & TranscribeRecordFields;
export type TranscribeCallAnalyticsRecord = PipelineRecord<typeof DetailType.TranscribeCallAnalytics> &
  TranscribeCallAnalyticsRecordFields;
export type CategoryEventRecord = PipelineRecord<typeof DetailType.CategoryEvent> & CategoryEventRecordFields;
export type RulesMatchedRecord = EnvelopeRecord<
  typeof DetailType.RulesMatched,
  Readonly<Record<string, unknown>>
>;
export type PostCallRecord = EnvelopeRecord<
  typeof DetailType.PostCall,
  {
    readonly StreamingSessionId: string;
    readonly PostCallStatus: string;
    readonly Transcript: { readonly TranscriptFileUri: string; readonly RedactedTranscriptFileUri: string };
    readonly callId: string;
    readonly [field: string]: unknown;
  }
>;
export type SummarizationRecord = PipelineRecord<typeof DetailType.Summarization> & {
  readonly summarization: string;
};
export type RecordingRecord = PipelineRecord<typeof DetailType.Recording> & RecordingRecordFields;
/** Family 3: voice analytics events (envelopes with `service-type: VoiceAnalytics`). */
export type VoiceToneAnalysisStatusRecord = EnvelopeRecord<
  typeof DetailType.VoiceToneAnalysisStatus,
  Readonly<Record<string, unknown>>
> & { readonly 'service-type': 'VoiceAnalytics' };
export type SpeakerSearchStatusRecord = EnvelopeRecord<
  typeof DetailType.SpeakerSearchStatus,
  Readonly<Record<string, unknown>>
> & { readonly 'service-type': 'VoiceAnalytics' };
export type VoiceAnalyticsStatusRecord = EnvelopeRecord<
  typeof DetailType.VoiceAnalyticsStatus,
  Readonly<Record<string, unknown>>
>;
export type PipelineAlertRecord = EnvelopeRecord<
  typeof DetailType.PipelineAlert,
  {
    readonly severity: string;
    readonly elementType: string;
    readonly reason: string;
    readonly callId?: string;
    readonly [field: string]: unknown;
  }
>;
export type WebhookDeadLetterRecord = EnvelopeRecord<
  typeof DetailType.WebhookDeadLetter,
  Readonly<Record<string, unknown>>
>;
export type CallErasedRecord = EnvelopeRecord<
  typeof DetailType.CallErased,
  {
    readonly callId: string;
    readonly erasedAt: string;
    readonly removed: Readonly<Record<string, number>>;
  }
>;

/** Every record Callsight writes, by its `detail-type`. */
export interface RecordsByType {
  [DetailType.StreamingStatus]: StreamingStatusRecord;
  [DetailType.StateChange]: StateChangeRecord;
  [DetailType.CallAnalyticsMetadata]: CallAnalyticsMetadataRecord;
  [DetailType.Transcribe]: TranscribeRecord;
  [DetailType.TranscribeCallAnalytics]: TranscribeCallAnalyticsRecord;
  [DetailType.CategoryEvent]: CategoryEventRecord;
  [DetailType.RulesMatched]: RulesMatchedRecord;
  [DetailType.PostCall]: PostCallRecord;
  [DetailType.Summarization]: SummarizationRecord;
  [DetailType.Recording]: RecordingRecord;
  [DetailType.VoiceToneAnalysisStatus]: VoiceToneAnalysisStatusRecord;
  [DetailType.SpeakerSearchStatus]: SpeakerSearchStatusRecord;
  [DetailType.VoiceAnalyticsStatus]: VoiceAnalyticsStatusRecord;
  [DetailType.PipelineAlert]: PipelineAlertRecord;
  [DetailType.WebhookDeadLetter]: WebhookDeadLetterRecord;
  [DetailType.CallErased]: CallErasedRecord;
}

export type KnownDetailType = keyof RecordsByType;

/** A type guard for one `detail-type`: `isRecordOf(record, DetailType.Transcribe)`. */
export function isRecordOf<T extends KnownDetailType>(record: unknown, type: T): record is RecordsByType[T] {
  return isObject(record) && record['detail-type'] === type;
}

export const isStreamingStatus = (r: unknown): r is StreamingStatusRecord =>
  isRecordOf(r, DetailType.StreamingStatus);
export const isStateChange = (r: unknown): r is StateChangeRecord => isRecordOf(r, DetailType.StateChange);
export const isTranscribe = (r: unknown): r is TranscribeRecord => isRecordOf(r, DetailType.Transcribe);
export const isTranscribeCallAnalytics = (r: unknown): r is TranscribeCallAnalyticsRecord =>
  isRecordOf(r, DetailType.TranscribeCallAnalytics);
export const isCategoryEvent = (r: unknown): r is CategoryEventRecord =>
  isRecordOf(r, DetailType.CategoryEvent);
export const isRecording = (r: unknown): r is RecordingRecord => isRecordOf(r, DetailType.Recording);
export const isSummarization = (r: unknown): r is SummarizationRecord =>
  isRecordOf(r, DetailType.Summarization);

/** The call a record belongs to: `detail.callId` of envelopes, the `metadata` of pipeline records. */
export function callIdOf(record: unknown): string | null {
  if (!isObject(record)) return null;
  const detail = record.detail;
  if (isObject(detail) && typeof detail.callId === 'string') return detail.callId;
  if (typeof record.metadata === 'string') {
    try {
      const metadata: unknown = JSON.parse(record.metadata);
      if (isObject(metadata) && typeof metadata.callId === 'string') return metadata.callId;
    } catch {
      return null;
    }
  }
  return null;
}
