import { createHash } from 'node:crypto';
import type { CallInfo } from '../../connector/CallTypes.js';
import { DetailType } from '../../events/DetailTypes.js';
import { makeEvent, type EventEnvelope, type EventOrigin } from '../../events/EventEnvelope.js';
import type { ParticipantRole } from '../PipelineTypes.js';
import type { ToneSpan } from '../../analytics/voice/VoiceToneTracker.js';

/*
 * Chime's voice analytics notifications (developer guide, "Understanding notifications"; spec §2.9):
 * an EventBridge-like envelope plus `service-type: "VoiceAnalytics"`, with the media insights
 * pipeline's identifiers and the call's Voice Connector identifiers in `detail`.
 */

export const VOICE_ANALYTICS_SERVICE = 'VoiceAnalytics';

export type VoiceToneDetailStatus =
  'VoiceToneAnalysisSuccessful' | 'VoiceToneAnalysisFailure' | 'VoiceToneAnalysisCompleted';

export type VoiceAnalyticsEvent = EventEnvelope & { readonly 'service-type': typeof VOICE_ANALYTICS_SERVICE };

/** The pipeline task and the stream an event is about. */
export interface VoiceTaskInput {
  readonly call: CallInfo;
  readonly pipelineId: string;
  readonly pipelineArn: string;
  readonly taskId: string;
  readonly channelId: number;
  readonly participantRole: ParticipantRole | null;
  /** The call's stream on that channel, when known. */
  readonly isCaller: boolean;
  readonly streamArn: string | null;
  readonly startFragmentNumber: string | null;
}

/** Chime's `currentAverageVoiceTone` / `overallAverageVoiceTone`. */
export interface VoiceToneAverage {
  readonly startTime: string;
  readonly endTime: string;
  readonly voiceToneLabel: string;
  readonly voiceToneScore: { readonly neutral: number; readonly positive: number; readonly negative: number };
  readonly beginOffsetMillis: number;
  readonly endOffsetMillis: number;
}

function envelope(
  detailType: DetailType,
  detail: object,
  origin: EventOrigin,
  at: Date,
): VoiceAnalyticsEvent {
  const event = makeEvent(detailType, detail as Record<string, unknown>, origin, at);
  // Key order as in Chime's examples; voice analytics events keep the milliseconds in `time`.
  return {
    version: event.version,
    id: event.id,
    'detail-type': event['detail-type'],
    'service-type': VOICE_ANALYTICS_SERVICE,
    source: event.source,
    account: event.account,
    time: at.toISOString(),
    region: event.region,
    resources: event.resources,
    detail: event.detail,
  };
}

function taskDetail(input: VoiceTaskInput): Record<string, unknown> {
  return {
    taskId: input.taskId,
    isCaller: input.isCaller,
    transactionId: input.call.transactionId,
    voiceConnectorId: input.call.voiceConnectorId,
    callId: input.call.callId,
    mediaInsightsPipelineId: input.pipelineId,
    sourceArn: input.pipelineArn,
    ...(input.streamArn !== null ? { streamArn: input.streamArn } : {}),
    channelId: input.channelId,
    ...(input.participantRole ? { participantRole: input.participantRole } : {}),
    ...(input.startFragmentNumber !== null ? { startFragmentNumber: input.startFragmentNumber } : {}),
  };
}

/** A tone average on the call's clock: ISO times from the call's start plus the media offsets. */
export function voiceToneAverage(span: ToneSpan, callStartedAt: Date): VoiceToneAverage {
  const iso = (offsetMs: number) => new Date(callStartedAt.getTime() + Math.round(offsetMs)).toISOString();
  return {
    startTime: iso(span.beginMs),
    endTime: iso(span.endMs),
    voiceToneLabel: span.label,
    voiceToneScore: {
      neutral: span.score.neutral,
      positive: span.score.positive,
      negative: span.score.negative,
    },
    beginOffsetMillis: Math.round(span.beginMs),
    endOffsetMillis: Math.round(span.endMs),
  };
}

/** A VoiceToneAnalysisStatus event: periodic (Successful), final (Completed) or Failure. */
export function voiceToneEvent(
  input: VoiceTaskInput & {
    readonly detailStatus: VoiceToneDetailStatus;
    readonly statusMessage?: string;
    readonly current?: ToneSpan;
    readonly overall?: ToneSpan;
  },
  origin: EventOrigin,
  at: Date,
): VoiceAnalyticsEvent {
  const { current, overall } = input;
  return envelope(
    DetailType.VoiceToneAnalysisStatus,
    {
      taskId: input.taskId,
      detailStatus: input.detailStatus,
      ...(input.statusMessage ? { statusMessage: input.statusMessage } : {}),
      ...taskDetail(input),
      ...(current && overall
        ? {
            voiceToneAnalysisDetails: {
              currentAverageVoiceTone: voiceToneAverage(current, input.call.startedAt),
              overallAverageVoiceTone: voiceToneAverage(overall, input.call.startedAt),
            },
          }
        : {}),
    },
    origin,
    at,
  );
}

/**
 * The voice tone analysis task id of a pipeline: derived from the pipeline id (a UUID-shaped hash),
 * so that whoever knows the pipelines can find the task of an id without keeping a table of tasks.
 */
export function voiceToneTaskId(pipelineId: string): string {
  const hex = createHash('sha256').update(`voice-tone-analysis-task:${pipelineId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Chime's "voice analytics ready" event (`VoiceAnalyticsStatus` / `AnalyticsReady`; developer guide,
 * "Using voice APIs to run voice analytics"): the call identified by `voiceConnectorId` and
 * `transactionId` can have voice tone analysis started through the Voice API, as the seed's Lambda
 * sink does on it.
 */
export function analyticsReadyEvent(call: CallInfo, origin: EventOrigin, at: Date): VoiceAnalyticsEvent {
  return envelope(
    DetailType.VoiceAnalyticsStatus,
    {
      detailStatus: 'AnalyticsReady',
      callId: call.callId,
      transactionId: call.transactionId,
      voiceConnectorId: call.voiceConnectorId,
      isCaller: true,
    },
    origin,
    at,
  );
}

/** What speaker search says in Callsight, always: it is not available. */
export const SPEAKER_SEARCH_UNAVAILABLE =
  'speaker search is not available in Callsight: it needs voice embeddings that are not shipped';

/** The one SpeakerSearchStatus event a call gets when SpeakerSearchStatus is Enabled. */
export function speakerSearchUnavailableEvent(
  input: VoiceTaskInput,
  origin: EventOrigin,
  at: Date,
): VoiceAnalyticsEvent {
  return envelope(
    DetailType.SpeakerSearchStatus,
    {
      taskId: input.taskId,
      detailStatus: 'IdentificationFailure',
      statusMessage: SPEAKER_SEARCH_UNAVAILABLE,
      ...taskDetail(input),
    },
    origin,
    at,
  );
}
