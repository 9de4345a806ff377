import type { CallInfo, ParticipantRole } from '../connector/CallTypes.js';
import type { EventEnvelope } from '../events/EventEnvelope.js';
import type { Logger } from '../platform/logger.js';
import type { PcmFrame } from '../media/MediaTypes.js';
import type { AppendKey } from '../stream/StreamTypes.js';
import type { SharedUtterance } from '../analytics/AnalyticsTypes.js';

/** Pipeline status, as Chime's GetMediaPipeline reports it (API reference, MediaPipelineStatus). */
export type PipelineStatus = 'Initializing' | 'InProgress' | 'Paused' | 'Stopping' | 'Stopped' | 'Failed';

/** Status of one element (Chime: MediaInsightsPipelineElementStatus, plus the events' TemporarilyFailed). */
export type ElementStatusValue =
  | 'NotStarted'
  | 'Initializing'
  | 'InProgress'
  | 'Paused'
  | 'Stopping'
  | 'Stopped'
  | 'Failed'
  | 'TemporarilyFailed'
  | 'NotSupported';

export type { ParticipantRole, SharedUtterance };

/**
 * Which of the call's media streams feeds which pipeline channel (Chime: StreamChannelDefinition).
 * `streamChannel` is the connector's channel of the stream; `channelId` the pipeline's (ch_N).
 */
export interface ChannelDefinition {
  readonly streamChannel: number;
  readonly channelId: number;
  readonly participantRole: ParticipantRole | null;
}

/** What every element of a pipeline may use. */
export interface PipelineContext {
  readonly pipelineId: string;
  readonly pipelineArn: string;
  readonly call: CallInfo;
  readonly channels: readonly ChannelDefinition[];
  /** The `metadata` object of the pipeline's records (call fields plus runtime metadata). */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
  /** Sends a record to the pipeline's sinks (data stream, webhooks). */
  emit(record: object, key: AppendKey): void;
  /** Publishes an event on the event bus (alerts, rules matched). */
  publish(event: EventEnvelope): void;
  /** Tells the pipeline's other processors about a final utterance. */
  shareUtterance(utterance: SharedUtterance): void;
  onUtterance(listener: (utterance: SharedUtterance) => void): void;
}

/** Chime SDK Voice API's VoiceToneAnalysisTaskStatus. */
export type VoiceToneTaskStatus =
  'IN_QUEUE' | 'IN_PROGRESS' | 'PARTIAL_SUCCESS' | 'SUCCEEDED' | 'FAILED' | 'STOPPED';

/** One leg (the caller's stream or the other) of a voice tone analysis task. */
export interface VoiceToneLeg {
  readonly status: VoiceToneTaskStatus;
  readonly statusMessage?: string;
}

/** A pipeline's voice tone analysis as the Voice API's task sees it: one task per call, both legs. */
export interface VoiceToneTaskState {
  readonly taskId: string;
  /** ISO 8601: when the analysis started (with the pipeline) and last changed state. */
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly caller: VoiceToneLeg;
  readonly callee: VoiceToneLeg;
}

/** What the VoiceAnalyticsProcessor offers StartVoiceToneAnalysisTask and its Get and Stop. */
export interface VoiceToneTaskControl {
  state(): VoiceToneTaskState;
  /** StopVoiceToneAnalysisTask: no more analysis and no more events for the call; idempotent. */
  stop(): Promise<void>;
}

/**
 * A processor of a pipeline (a Chime configuration element with a status: Transcribe, call
 * analytics, voice analytics, recording). Audio arrives with its pipeline channel already mapped.
 * A processor that breaks calls `fail(error)` (given to its factory) and is then left alone.
 */
export interface PipelineProcessor {
  /** Chime's element type, e.g. `AmazonTranscribeProcessor`. */
  readonly type: string;
  start(): void;
  write(frame: PcmFrame): void;
  /** Stop taking audio, flushing what is in flight; resume() picks up at the next frame. */
  pause(): Promise<void>;
  resume(): void;
  /** Flush and finish; resolves when the processor's last record has been emitted. */
  stop(): Promise<void>;
  /**
   * Let go without finishing: release what the processor holds and leave no result behind (no
   * post-call document, no recording), because another worker carries the pipeline on. Without it,
   * the pipeline calls stop() with its output muted.
   */
  abort?(): Promise<void>;
  /** The VoiceAnalyticsProcessor's voice tone task, when voice tone analysis is enabled. */
  readonly voiceToneTask?: VoiceToneTaskControl;
}

/** Where a pipeline's records go (Chime: KinesisDataStreamSink, LambdaFunctionSink, …). */
export interface PipelineRecordSink {
  readonly type: string;
  deliver(record: object, key: AppendKey): void;
  /** Resolves when everything delivered so far has been handed on (or given up on). */
  close(): Promise<void>;
}

/** One Chime element status entry, as state-change events carry it. */
export interface ElementStatus {
  readonly type: string;
  readonly status: ElementStatusValue;
  readonly updatedOn: number;
  readonly statusDetail?: string;
}
