import type { JetStreamClient } from '@nats-io/jetstream';
import { createHash, randomUUID } from 'node:crypto';
import type { CallInfo } from '../connector/CallTypes.js';
import { CallsightError } from '../platform/errors.js';
import type { EventOrigin } from '../events/EventEnvelope.js';
import type { Logger } from '../platform/logger.js';
import { publishWithRetry } from '../platform/nats/JetStreamPublish.js';
import type { NatsConnection } from '../platform/nats/NatsConnection.js';
import type { ConfigurationStore } from '../configurations/ConfigurationStoreTypes.js';
import type { MediaInsightsPipelineConfiguration } from '../configurations/ConfigurationTypes.js';
import { pipelineArn, pipelineDocument } from '../pipeline/PipelineDocument.js';
import { defaultChannels } from '../pipeline/PipelineManager.js';
import type { ChannelDefinition } from '../pipeline/PipelineTypes.js';
import { callInfoJson } from '../calls/CallDirectoryRows.js';
import type { CallDirectory, CallInfoJson, PipelineEntry } from '../calls/CallDirectoryTypes.js';
import type { ClusterSubjects } from './ClusterSubjects.js';

/**
 * A pipeline job: everything a worker needs to run (or, after a failover, resume) one pipeline of one
 * call, fixed when the job is created: the pipeline id, the call, the configuration document (so
 * a resumed pipeline runs the same elements even if the configuration was edited meanwhile), the
 * channel mapping and the runtime metadata. Published to the work queue `<NS>_JOBS` with the pipeline
 * id as Nats-Msg-Id, acknowledged by the worker when the pipeline stops.
 */
export interface PipelineJob {
  readonly version: 1;
  readonly pipelineId: string;
  readonly call: CallInfoJson;
  readonly configuration: MediaInsightsPipelineConfiguration;
  readonly channels: readonly ChannelDefinition[];
  readonly runtimeMetadata: Readonly<Record<string, string>>;
  /** ISO 8601. */
  readonly createdAt: string;
}

export function parseJob(data: Uint8Array): PipelineJob | null {
  try {
    const job = JSON.parse(Buffer.from(data).toString('utf8')) as PipelineJob;
    const ok =
      job?.version === 1 &&
      typeof job.pipelineId === 'string' &&
      typeof job.call?.callId === 'string' &&
      typeof job.configuration?.MediaInsightsPipelineConfigurationName === 'string' &&
      Array.isArray(job.channels);
    return ok ? job : null;
  } catch {
    return null;
  }
}

/**
 * A UUID that is the same every time for the same inputs: the pipeline a rule starts for an event,
 * so that the event handled twice (its worker died before acknowledging it) submits one job.
 */
export function derivedUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface SubmitOptions {
  readonly channels?: readonly ChannelDefinition[];
  readonly runtimeMetadata?: Readonly<Record<string, string>>;
  /** Fixed by the caller (derivedUuid for rules); default a new UUID. */
  readonly pipelineId?: string;
}

export interface PipelineJobQueueOptions {
  readonly js: JetStreamClient;
  readonly nc: NatsConnection;
  readonly subjects: ClusterSubjects;
  readonly directory: CallDirectory;
  readonly configurations: ConfigurationStore;
  readonly origin: EventOrigin;
  readonly logger: Logger;
}

const PUBLISH_TIMEOUT_MS = 30_000;

/**
 * Creates pipeline jobs (a rule's startPipeline target on a worker, CreateMediaInsightsPipeline on a
 * gateway): the pipeline appears in the call directory as Initializing, then a worker takes the job.
 */
export class PipelineJobQueue {
  readonly #options: PipelineJobQueueOptions;

  constructor(options: PipelineJobQueueOptions) {
    this.#options = options;
  }

  /**
   * Submits a pipeline of `configuration` (name, id or ARN) for the call and resolves with its
   * GetMediaPipeline document. Like one process: the running pipeline of the same call and
   * configuration is returned instead of a second one; a call that has ended is CS_ERR_NOT_FOUND, as
   * is a configuration that does not exist.
   */
  async submit(
    call: CallInfo,
    configuration: string,
    options: SubmitOptions = {},
  ): Promise<Record<string, unknown>> {
    const { directory, configurations, origin, subjects, logger } = this.#options;
    const stored = await configurations.get(configuration);
    const name = stored.MediaInsightsPipelineConfigurationName;
    const running = (await directory.listPipelines({ callId: call.callId, active: true })).find(
      (p) => p.configurationName === name,
    );
    // The same job submitted again (its event handled twice) is published again, in case the first
    // attempt stopped between the directory and the queue: JetStream drops the duplicate.
    if (running && running.pipelineId !== options.pipelineId) return running.document;
    const entry = await directory.getCall(call.callId);
    if (entry?.endedAt != null) throw new CallsightError('CS_ERR_NOT_FOUND', `call ${call.callId} has ended`);
    const pipelineId = options.pipelineId ?? randomUUID();
    const createdAt = running ? new Date(running.createdAt) : new Date();
    const channels = options.channels ?? defaultChannels(call);
    const runtimeMetadata = options.runtimeMetadata ?? {};
    const document = pipelineDocument({
      id: pipelineId,
      arn: pipelineArn(origin, pipelineId),
      configurationArn: stored.MediaInsightsPipelineConfigurationArn,
      configurationName: name,
      status: 'Initializing',
      call,
      channels,
      runtimeMetadata,
      createdAt,
      updatedAt: createdAt,
      elements: [],
    });
    const pipeline: PipelineEntry = {
      pipelineId,
      callId: call.callId,
      status: 'Initializing',
      configurationName: name,
      configurationArn: stored.MediaInsightsPipelineConfigurationArn,
      owner: null,
      createdAt: createdAt.getTime(),
      updatedAt: createdAt.getTime(),
      document,
    };
    if (!running) await directory.putPipeline(pipeline);
    const job: PipelineJob = {
      version: 1,
      pipelineId,
      call: callInfoJson(call),
      configuration: stored,
      channels,
      runtimeMetadata,
      createdAt: createdAt.toISOString(),
    };
    const ack = await publishWithRetry(
      this.#options.js,
      subjects.job(pipelineId),
      Buffer.from(JSON.stringify(job), 'utf8'),
      pipelineId,
      {
        what: `publish to ${subjects.jobsStream}`,
        timeoutMs: PUBLISH_TIMEOUT_MS,
        ackTimeoutMs: 5000,
        connection: this.#options.nc,
        logger,
      },
    );
    logger.info(
      { pipelineId, callId: call.callId, configuration: name, duplicate: ack.duplicate },
      'pipeline job submitted',
    );
    return running?.document ?? document;
  }
}
