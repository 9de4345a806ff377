import type { CallInfo, CallStream } from '../connector/CallTypes.js';
import { CallsightError } from '../platform/errors.js';
import type { EventEnvelope, EventOrigin } from '../events/EventEnvelope.js';
import type { Logger } from '../platform/logger.js';
import { gauge, type ScrapedMetric } from '../platform/metrics.js';
import type { PcmFrame } from '../media/MediaTypes.js';
import { Pipeline, type PipelineOptions } from './Pipeline.js';
import { pipelineIdOf } from './PipelineDocument.js';
import type { ChannelDefinition } from './PipelineTypes.js';

/** A configuration made ready to instantiate: its identity and how to build a pipeline's elements. */
export interface PipelineBlueprint {
  readonly configurationName: string;
  readonly configurationArn: string;
  readonly build: PipelineOptions['build'];
}

/** Finds a configuration by name, id or ARN; throws CS_ERR_NOT_FOUND when there is none. */
export type BlueprintResolver = (identifier: string) => Promise<PipelineBlueprint>;

export interface PipelineManagerOptions {
  readonly resolve: BlueprintResolver;
  readonly origin: EventOrigin;
  readonly publish: (event: EventEnvelope) => void;
  readonly logger: Logger;
  /** Called after each pipeline's every state change (e.g. to record it in the call directory). */
  readonly stateChanged?: (pipeline: Pipeline) => void;
}

export interface StartOptions {
  readonly channels?: readonly ChannelDefinition[];
  readonly runtimeMetadata?: Readonly<Record<string, string>>;
  /** A pipeline id fixed beforehand (a pipeline job's). Default: a new one. */
  readonly pipelineId?: string;
  /** When the pipeline was first created (a job resumed after a failover). */
  readonly createdAt?: Date;
}

/** Stopped pipelines kept for GET and listing. */
const HISTORY = 1000;
/** Ended calls remembered, so a start that raced the call's end is refused. */
const ENDED_CALLS = 10_000;

/**
 * Chime's default channel mapping for a Voice Connector call, as the seed starts its pipelines: the
 * caller's stream (first) is channel 0 / CUSTOMER, the other channel 1 / AGENT — unless the connector
 * knows better from SIPREC metadata or the trunk's legs.
 */
export function defaultChannels(call: CallInfo): ChannelDefinition[] {
  return call.streams.map((stream) => ({
    streamChannel: stream.channel,
    channelId: stream.channel,
    participantRole: stream.participantRole ?? (stream.channel === 0 ? 'CUSTOMER' : 'AGENT'),
  }));
}

/**
 * Every media insights pipeline of the process: created by a rule target or the API, fed with the
 * call's audio, paused, resumed and stopped, and kept for a while after they stop.
 */
export class PipelineManager {
  readonly #options: PipelineManagerOptions;
  readonly #byCall = new Map<string, Pipeline[]>();
  readonly #byId = new Map<string, Pipeline>();
  readonly #endedCalls = new Set<string>();
  #closed = false;

  constructor(options: PipelineManagerOptions) {
    this.#options = options;
  }

  /**
   * Starts a pipeline of `configuration` (name, id or ARN) for the call. A second start for the same
   * call and configuration returns the running pipeline (a repeated ALL_STARTED must not double it).
   */
  async start(
    call: CallInfo,
    configuration: string | PipelineBlueprint,
    options: StartOptions = {},
  ): Promise<Pipeline> {
    const blueprint =
      typeof configuration === 'string' ? await this.#options.resolve(configuration) : configuration;
    if (this.#closed) throw new CallsightError('CS_ERR_CLOSED', 'pipelines are shutting down');
    if (this.#endedCalls.has(call.callId))
      throw new CallsightError('CS_ERR_NOT_FOUND', `call ${call.callId} has ended`);
    const running = this.#byCall
      .get(call.callId)
      ?.find((p) => p.active && p.configurationName === blueprint.configurationName);
    if (running) return running;
    const pipeline = new Pipeline({
      call,
      configurationName: blueprint.configurationName,
      configurationArn: blueprint.configurationArn,
      channels: options.channels ?? defaultChannels(call),
      runtimeMetadata: options.runtimeMetadata ?? {},
      origin: this.#options.origin,
      publish: this.#options.publish,
      logger: this.#options.logger.child({ callId: call.callId }),
      build: blueprint.build,
      ...(options.pipelineId ? { id: options.pipelineId } : {}),
      ...(options.createdAt ? { createdAt: options.createdAt } : {}),
      ...(this.#options.stateChanged ? { stateChanged: this.#options.stateChanged } : {}),
    });
    this.#byCall.set(call.callId, [...(this.#byCall.get(call.callId) ?? []), pipeline]);
    this.#byId.set(pipeline.id, pipeline);
    pipeline.start();
    return pipeline;
  }

  write(callId: string, frame: PcmFrame): void {
    const pipelines = this.#byCall.get(callId);
    if (pipelines) for (const pipeline of pipelines) pipeline.write(frame);
  }

  /** A re-INVITE added a stream to the call: its pipelines take it as a new channel. */
  streamAdded(callId: string, stream: CallStream): void {
    for (const pipeline of this.#byCall.get(callId) ?? []) {
      pipeline.addChannel({
        streamChannel: stream.channel,
        channelId: stream.channel,
        participantRole: stream.participantRole ?? null,
      });
    }
  }

  /** The call's media ended: stop its pipelines (each flushes its last results). */
  async callEnded(callId: string): Promise<void> {
    this.#endedCalls.add(callId);
    if (this.#endedCalls.size > ENDED_CALLS) this.#endedCalls.delete(this.#endedCalls.values().next().value!);
    const pipelines = this.#byCall.get(callId) ?? [];
    this.#byCall.delete(callId);
    await Promise.all(pipelines.map((pipeline) => pipeline.stop()));
    this.#trimHistory();
  }

  /** By id or ARN. */
  get(identifier: string): Pipeline {
    const pipeline = this.#byId.get(pipelineIdOf(identifier));
    if (!pipeline) throw new CallsightError('CS_ERR_NOT_FOUND', `no media insights pipeline ${identifier}`);
    return pipeline;
  }

  /** Newest first. */
  list(): Pipeline[] {
    return [...this.#byId.values()].reverse();
  }

  /** DeleteMediaPipeline: stops one pipeline; the call goes on. */
  async stop(identifier: string): Promise<void> {
    const pipeline = this.get(identifier);
    await pipeline.stop();
    const siblings = this.#byCall.get(pipeline.call.callId)?.filter((p) => p !== pipeline);
    if (siblings) this.#byCall.set(pipeline.call.callId, siblings);
  }

  /**
   * Erasure: forgets the call's stopped pipelines (the listing's history); resolves with how many.
   * A call with a pipeline still running is the caller's to refuse.
   */
  async eraseCall(callId: string): Promise<number> {
    let erased = 0;
    for (const pipeline of [...this.#byId.values()]) {
      if (pipeline.call.callId !== callId || pipeline.active) continue;
      this.#byId.delete(pipeline.id);
      erased++;
    }
    return erased;
  }

  /** Lets another worker carry the pipeline on (Pipeline.release) and forgets it here. */
  async release(identifier: string, options: { readonly flush?: boolean } = {}): Promise<void> {
    const pipeline = this.get(identifier);
    this.#byId.delete(pipeline.id);
    const callId = pipeline.call.callId;
    const siblings = this.#byCall.get(callId)?.filter((p) => p !== pipeline) ?? [];
    if (siblings.length > 0) this.#byCall.set(callId, siblings);
    else this.#byCall.delete(callId);
    await pipeline.release(options);
  }

  get active(): number {
    let count = 0;
    for (const pipeline of this.#byId.values()) if (pipeline.active) count++;
    return count;
  }

  /** What it reports on /metrics. */
  metrics(): ScrapedMetric[] {
    return [gauge('callsight_pipelines_active', 'Pipelines running on this worker.', () => this.active)];
  }

  #trimHistory(): void {
    for (const [id, pipeline] of this.#byId) {
      if (this.#byId.size <= HISTORY) break;
      if (!pipeline.active) this.#byId.delete(id);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#byCall.keys()].map((callId) => this.callEnded(callId)));
  }
}
