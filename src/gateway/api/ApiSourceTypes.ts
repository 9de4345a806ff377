import type { CallInfo, CallStream } from '../../connector/CallTypes.js';
import type { RouteView } from '../../connector/VoiceConnector.js';
import type { RtpStreamStats } from '../../media/MediaTypes.js';
import type { ChannelDefinition, VoiceToneTaskState } from '../../pipeline/PipelineTypes.js';

/**
 * What the REST API reads calls and pipelines from. In one process these are the Voice Connector and
 * the PipelineManager (src/app/local/); scaled out, the call directory in PostgreSQL and requests over
 * NATS to the process that holds the call or runs the pipeline (src/cluster/).
 */

/** A call in progress as GET /api/calls lists it: the call, whether it is answered, its RTP counters. */
export type ActiveCallView = Omit<CallInfo, 'startedAt'> & {
  readonly startedAt: Date | string;
  readonly confirmed: boolean;
  readonly rtp: readonly RtpStreamStats[];
};

export interface CallsView {
  /** Calls in progress, with their per-stream RTP counters where the process holding them answers. */
  active(): Promise<ActiveCallView[]>;
}

export interface RoutesView {
  /** The configured routes, each target with its state on OPTIONS pings. */
  routes(): Promise<RouteView[]>;
}

/** ListMediaPipelines' entry. */
export interface PipelineSummary {
  readonly MediaPipelineId: string;
  readonly MediaPipelineArn: string;
  readonly Status: string;
  readonly CallId: string;
  readonly MediaInsightsPipelineConfigurationName: string;
  readonly CreatedTimestamp: string;
}

export interface CreatePipelineOptions {
  readonly channels: readonly ChannelDefinition[];
  readonly runtimeMetadata: Readonly<Record<string, string>>;
}

/** The media insights pipeline operations, wherever the pipelines run. Errors are CallsightErrors (404, 409, 503). */
export interface PipelineService {
  /** The call in progress and its stream that a streamArn (from a STARTED event) names. */
  findStream(streamArn: string): Promise<{ call: CallInfo; stream: CallStream } | undefined>;
  /** CreateMediaInsightsPipeline: the pipeline's GetMediaPipeline document. */
  create(call: CallInfo, configuration: string, options: CreatePipelineOptions): Promise<object>;
  /** Newest first. */
  list(): Promise<PipelineSummary[]>;
  /** GetMediaPipeline's MediaInsightsPipeline; CS_ERR_NOT_FOUND when there is none. */
  get(identifier: string): Promise<object>;
  /** UpdateMediaInsightsPipelineStatus; CS_ERR_PIPELINE_STATE when the status does not allow it. */
  setStatus(identifier: string, status: 'Pause' | 'Resume'): Promise<void>;
  /** DeleteMediaPipeline: the pipeline stops, the call goes on. */
  stop(identifier: string): Promise<void>;
  /**
   * The pipeline's voice tone analysis task (the Voice API's Get, or Stop and then its state);
   * CS_ERR_NOT_FOUND when the pipeline has no voice tone analysis.
   */
  voiceTone(identifier: string, action: 'get' | 'stop'): Promise<VoiceToneTaskState>;
}
