import { errors as natsErrors, RequestError } from '@nats-io/transport-node';
import type { CallInfo, CallStream } from '../connector/CallTypes.js';
import type { RouteView, VoiceConnector } from '../connector/VoiceConnector.js';
import { CallsightError } from '../platform/errors.js';
import type {
  ActiveCallView,
  CallsView,
  CreatePipelineOptions,
  PipelineService,
  PipelineSummary,
  RoutesView,
} from '../gateway/api/ApiSourceTypes.js';
import type { Logger } from '../platform/logger.js';
import type { NatsConnection } from '../platform/nats/NatsConnection.js';
import { pipelineIdOf } from '../pipeline/PipelineDocument.js';
import {
  ACTIVE_PIPELINE_STATUSES,
  type CallDirectory,
  type PipelineEntry,
} from '../calls/CallDirectoryTypes.js';
import { callInfoFromJson } from './ClusterEvents.js';
import type { ClusterSubjects } from './ClusterSubjects.js';
import { encodeControl, errorOf, type ControlReply, type ControlRequest } from './PipelineControl.js';
import type { VoiceToneTaskState } from '../pipeline/PipelineTypes.js';
import { voiceToneTaskId } from '../pipeline/records/VoiceAnalyticsEvents.js';
import type { PipelineJobQueue } from './PipelineJobs.js';

/** How long a gateway waits for the worker running a pipeline, and for a sip process's call list. */
const CONTROL_TIMEOUT_MS = 5000;
const CALLS_TIMEOUT_MS = 1000;
/** The directory lists at most this many (its limit); enough for the call view and stream lookups. */
const LIST_LIMIT = 1000;

export interface RemoteApiOptions {
  readonly nc: NatsConnection;
  readonly subjects: ClusterSubjects;
  readonly directory: CallDirectory;
  readonly jobs: PipelineJobQueue;
  readonly logger: Logger;
}

function noAnswer(err: unknown): boolean {
  return (
    err instanceof natsErrors.NoRespondersError ||
    err instanceof natsErrors.TimeoutError ||
    (err instanceof RequestError && (err.isNoResponders() || err.cause instanceof natsErrors.TimeoutError))
  );
}

const active = (entry: PipelineEntry) => ACTIVE_PIPELINE_STATUSES.includes(entry.status);

/**
 * The REST API's pipelines on a gateway: state from the call directory (PostgreSQL), creation as a
 * pipeline job, pause/resume/stop as a request to the worker running the pipeline. Answers as one
 * process does: 404 for an unknown pipeline, 409 for a transition its status does not allow; and 503
 * (CS_ERR_PIPELINE_UNAVAILABLE) while no worker has it (starting, or failing over).
 */
export class RemotePipelineService implements PipelineService {
  readonly #options: RemoteApiOptions;

  constructor(options: RemoteApiOptions) {
    this.#options = options;
  }

  async findStream(streamArn: string): Promise<{ call: CallInfo; stream: CallStream } | undefined> {
    for (const entry of await this.#options.directory.listCalls({ which: 'active', limit: LIST_LIMIT })) {
      const stream = entry.info.streams.find((s) => s.streamArn === streamArn);
      if (stream) return { call: callInfoFromJson(entry.info), stream };
    }
    return undefined;
  }

  async create(call: CallInfo, configuration: string, options: CreatePipelineOptions): Promise<object> {
    return this.#options.jobs.submit(call, configuration, options);
  }

  async list(): Promise<PipelineSummary[]> {
    const entries = await this.#options.directory.listPipelines({ limit: LIST_LIMIT });
    return entries.map((p) => ({
      MediaPipelineId: p.pipelineId,
      MediaPipelineArn: typeof p.document.MediaPipelineArn === 'string' ? p.document.MediaPipelineArn : '',
      Status: p.status,
      CallId: p.callId,
      MediaInsightsPipelineConfigurationName: p.configurationName,
      CreatedTimestamp: new Date(p.createdAt).toISOString(),
    }));
  }

  async get(identifier: string): Promise<object> {
    return (await this.#entry(identifier)).document;
  }

  async setStatus(identifier: string, status: 'Pause' | 'Resume'): Promise<void> {
    await this.#control(identifier, { op: status });
  }

  async stop(identifier: string): Promise<void> {
    await this.#control(identifier, { op: 'Stop' });
  }

  /** Asked of the worker running the pipeline; a finished one answers from its stored element status. */
  async voiceTone(identifier: string, action: 'get' | 'stop'): Promise<VoiceToneTaskState> {
    const reply = await this.#control(identifier, { op: 'VoiceTone', action });
    if (reply?.ok && reply.task) return reply.task;
    const entry = await this.#entry(identifier);
    const elements = (entry.document.ElementStatuses ?? []) as readonly { Type: string; Status: string }[];
    const element = elements.find((e) => e.Type === 'VoiceAnalyticsProcessor');
    if (!element)
      throw new CallsightError('CS_ERR_NOT_FOUND', `pipeline ${identifier} has no voice tone analysis`);
    const leg =
      element.Status === 'Failed' ? { status: 'FAILED' as const } : { status: 'SUCCEEDED' as const };
    return {
      taskId: voiceToneTaskId(entry.pipelineId),
      startedAt: String(entry.document.CreatedTimestamp),
      updatedAt: String(entry.document.UpdatedTimestamp),
      caller: leg,
      callee: leg,
    };
  }

  async #entry(identifier: string): Promise<PipelineEntry> {
    const entry = await this.#options.directory.getPipeline(pipelineIdOf(identifier));
    if (!entry) throw new CallsightError('CS_ERR_NOT_FOUND', `no media insights pipeline ${identifier}`);
    return entry;
  }

  /** The worker's reply, or undefined when the pipeline has finished (Stop and VoiceTone: nothing to ask). */
  async #control(
    identifier: string,
    request: Exclude<ControlRequest, { op: 'claim' }>,
  ): Promise<ControlReply | undefined> {
    const { nc, subjects } = this.#options;
    const { op } = request;
    const settled = (entry: PipelineEntry) => {
      // Stopping a stopped pipeline is a no-op, as in one process; pausing or resuming it a conflict.
      if (op === 'Stop' || op === 'VoiceTone') return undefined;
      throw new CallsightError(
        'CS_ERR_PIPELINE_STATE',
        `cannot ${op.toLowerCase()} pipeline ${entry.pipelineId}: it is ${entry.status}`,
      );
    };
    const entry = await this.#entry(identifier);
    if (!active(entry)) return settled(entry);
    let reply: ControlReply;
    try {
      const msg = await nc.request(subjects.pipelineControl(entry.pipelineId), encodeControl(request), {
        timeout: CONTROL_TIMEOUT_MS,
      });
      reply = msg.json<ControlReply>();
    } catch (err) {
      if (!noAnswer(err)) throw err;
      const now = await this.#entry(identifier);
      if (!active(now)) return settled(now);
      throw new CallsightError(
        'CS_ERR_PIPELINE_UNAVAILABLE',
        `no worker answers for pipeline ${entry.pipelineId} (${now.status}); it may be moving to another worker: retry`,
      );
    }
    const error = errorOf(reply);
    if (error) throw error;
    return reply;
  }
}

/**
 * GET /api/calls on a gateway: the calls in progress from the call directory, each with the RTP
 * counters its sip process reports (one request per sip process, answered within a second; a call
 * whose process does not answer is listed without them).
 */
export class RemoteCallsView implements CallsView {
  readonly #options: Pick<RemoteApiOptions, 'nc' | 'subjects' | 'directory' | 'logger'>;

  constructor(options: Pick<RemoteApiOptions, 'nc' | 'subjects' | 'directory' | 'logger'>) {
    this.#options = options;
  }

  async active(): Promise<ActiveCallView[]> {
    const { nc, subjects, directory, logger } = this.#options;
    const calls = await directory.listCalls({ which: 'active', limit: LIST_LIMIT });
    const owners = [...new Set(calls.map((c) => c.owner).filter((o): o is string => o !== null))];
    const live = new Map<string, ActiveCallView>();
    await Promise.all(
      owners.map(async (owner) => {
        try {
          const msg = await nc.request(subjects.sipCalls(owner), undefined, { timeout: CALLS_TIMEOUT_MS });
          for (const call of msg.json<ActiveCallView[]>()) live.set(call.callId, call);
        } catch (err) {
          logger.debug({ err, owner }, 'sip process did not list its calls');
        }
      }),
    );
    return calls.map((c) => live.get(c.callId) ?? { ...c.info, confirmed: true, rtp: [] });
  }
}

/** The sip side of RemoteCallsView: answers with the Voice Connector's calls in progress. */
export function answerCallListRequests(
  nc: NatsConnection,
  subjects: ClusterSubjects,
  owner: string,
  connector: VoiceConnector,
): { close(): void } {
  const subscription = nc.subscribe(subjects.sipCalls(owner), {
    callback: (err, msg) => {
      if (!err) msg.respond(Buffer.from(JSON.stringify(connector.activeCalls()), 'utf8'));
    },
  });
  return { close: () => subscription.unsubscribe() };
}

/**
 * GET /api/routes on a gateway: the routes as each sip process sees them (each pings the targets
 * itself), gathered for a second; every route carries the `owner` that answered.
 */
export class RemoteRoutesView implements RoutesView {
  readonly #options: Pick<RemoteApiOptions, 'nc' | 'subjects' | 'logger'>;

  constructor(options: Pick<RemoteApiOptions, 'nc' | 'subjects' | 'logger'>) {
    this.#options = options;
  }

  async routes(): Promise<RouteView[]> {
    const { nc, subjects, logger } = this.#options;
    const routes: RouteView[] = [];
    try {
      const replies = await nc.requestMany(subjects.sipRoutes, undefined, {
        strategy: 'timer',
        maxWait: CALLS_TIMEOUT_MS,
      });
      for await (const msg of replies) routes.push(...msg.json<RouteView[]>());
    } catch (err) {
      if (!noAnswer(err)) throw err;
      logger.debug({ err }, 'no sip process listed its routes');
    }
    return routes;
  }
}

/** The sip side of RemoteRoutesView: answers with the Voice Connector's routes, marked with `owner`. */
export function answerRouteRequests(
  nc: NatsConnection,
  subjects: ClusterSubjects,
  owner: string,
  connector: VoiceConnector,
): { close(): void } {
  const subscription = nc.subscribe(subjects.sipRoutes, {
    callback: (err, msg) => {
      if (!err)
        msg.respond(Buffer.from(JSON.stringify(connector.routes().map((r) => ({ ...r, owner }))), 'utf8'));
    },
  });
  return { close: () => subscription.unsubscribe() };
}
