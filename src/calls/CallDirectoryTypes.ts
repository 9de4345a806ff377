/**
 * The call directory: which calls and pipelines exist, across every Callsight process. In one process
 * the Voice Connector and the PipelineManager know this in memory; scaled out, the `sip` role records
 * calls and the `worker` role pipelines here, and any `gateway` answers GET /api/calls and
 * /api/pipelines from it. Implementations: SqliteCallDirectory.ts (embedded) and
 * PostgresCallDirectory.ts; test/calls/CallDirectoryContract.ts is the contract both pass.
 *
 * Writes are upserts that only move forward in time, so processes writing out of order (a slow worker,
 * a retried write) cannot take a pipeline back to an older status.
 */
import type { CallInfo } from '../connector/CallTypes.js';
import type { PipelineStatus } from '../pipeline/PipelineTypes.js';

/** CallInfo as stored: JSON, with `startedAt` as an ISO 8601 string. */
export type CallInfoJson = Omit<CallInfo, 'startedAt'> & { readonly startedAt: string };

export interface CallEntry {
  readonly callId: string;
  readonly info: CallInfoJson;
  /** The process that holds the call's SIP dialog and media (e.g. `sip-1` or `host:port`), if known. */
  readonly owner: string | null;
  /** Epoch milliseconds, from info.startedAt. */
  readonly startedAt: number;
  readonly endedAt: number | null;
  /**
   * Epoch milliseconds when media last arrived, as its owner marks it every few seconds while the
   * call lasts (null before the first mark): what a restart closes a call it left open at.
   */
  readonly lastMediaAt: number | null;
  readonly updatedAt: number;
}

export interface PipelineEntry {
  readonly pipelineId: string;
  readonly callId: string;
  readonly status: PipelineStatus;
  readonly configurationName: string;
  readonly configurationArn: string;
  /** The worker running the pipeline, if known; null once no worker has it. */
  readonly owner: string | null;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds of the state this entry describes; writes with an older one are ignored. */
  readonly updatedAt: number;
  /** GetMediaPipeline's `MediaInsightsPipeline` document as of updatedAt (Pipeline.toJSON()). */
  readonly document: Readonly<Record<string, unknown>>;
}

export interface ListCallsOptions {
  /** `active`: not ended. Default `all`. */
  readonly which?: 'active' | 'all';
  /** 1..1000, default 100. */
  readonly limit?: number;
}

export interface ListPipelinesOptions {
  readonly callId?: string;
  readonly owner?: string;
  /** Only pipelines not yet Stopped or Failed. */
  readonly active?: boolean;
  /** 1..1000, default 100. */
  readonly limit?: number;
}

/** Statuses of a pipeline that is still running (listPipelines' `active`). */
export const ACTIVE_PIPELINE_STATUSES: readonly PipelineStatus[] = [
  'Initializing',
  'InProgress',
  'Paused',
  'Stopping',
];

export interface CallDirectory {
  /**
   * Records a call when it starts; again with new info when it changes (a stream added, SIPREC
   * metadata updated): the latest info wins, the start and end times stay.
   */
  callStarted(info: CallInfo, owner?: string | null): Promise<void>;
  /**
   * Marks the call ended; the first end time is kept. Unknown calls are ignored. Resolves true when
   * this write is the one that ended it, so that of several processes closing a call only one
   * publishes its closing records.
   */
  callEnded(callId: string, endedAt?: number): Promise<boolean>;
  /** Marks when media last arrived for calls in progress (epoch ms); ended calls are left alone. */
  mediaSeen(marks: ReadonlyMap<string, number>): Promise<void>;
  getCall(callId: string): Promise<CallEntry | null>;
  /** Newest first (startedAt, then callId). */
  listCalls(options?: ListCallsOptions): Promise<CallEntry[]>;
  /** Creates or updates a pipeline's entry; ignored when the stored one has a later updatedAt. */
  putPipeline(entry: PipelineEntry): Promise<void>;
  getPipeline(pipelineId: string): Promise<PipelineEntry | null>;
  /** Newest first (createdAt, then pipelineId). */
  listPipelines(options?: ListPipelinesOptions): Promise<PipelineEntry[]>;
  /** Erasure: deletes the call and its pipelines; resolves with how many entries went (call and pipelines). */
  eraseCall(callId: string): Promise<number>;
  /**
   * Deletes calls that ended before `before` (epoch ms), with their pipelines; resolves with how many
   * calls. Calls with a pipeline run under a configuration named in `keep` stay (retention erases them).
   */
  prune(before: number, keep?: readonly string[]): Promise<number>;
  /**
   * Retention: the ids of calls that ended before `endedBefore` (epoch ms) with a pipeline run under
   * the configuration of that name, the longest ended first, at most `limit` (1..1000).
   */
  endedCallsOf(configurationName: string, endedBefore: number, limit: number): Promise<string[]>;
  readonly closed: boolean;
  /** Idempotent; every method rejects with InvalidStateError afterwards. */
  close(): Promise<void>;
}
