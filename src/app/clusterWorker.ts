import type { JetStreamClient } from '@nats-io/jetstream';
import { hostname } from 'node:os';
import { ClusterRulesEngine, callInfoFromJson } from '../cluster/ClusterEvents.js';
import type { ClusterSubjects } from '../cluster/ClusterSubjects.js';
import { JobRunner } from '../cluster/JobRunner.js';
import { derivedUuid, type PipelineJob, type PipelineJobQueue } from '../cluster/PipelineJobs.js';
import { resumeLookbackMs, resumePoints } from '../cluster/ResumePoints.js';
import { EventBus } from '../events/EventBus.js';
import { defaultRules, parseRules } from '../events/RuleConfig.js';
import type { AnyMetric } from '../platform/metrics.js';
import type { NatsConnection } from '../platform/nats/NatsConnection.js';
import type { ResourceStack } from '../platform/ResourceStack.js';
import type { CallDirectory } from '../calls/CallDirectoryTypes.js';
import { JetStreamDataStream } from '../stream/JetStreamDataStream.js';
import type { AppendKey } from '../stream/StreamTypes.js';
import type { AppContext } from './AppTypes.js';
import { opened, type Backends } from './backends.js';
import { drainWebhooks } from './embedded.js';
import { checkRuleConfigurations, eventCallId, installRules } from './eventRules.js';
import { httpBaseUrl } from './recordings.js';
import { WorkerRole } from './roles/WorkerRole.js';
import { openWordLists, type WordLists } from './vocabularies.js';

export interface ClusterWorker {
  readonly worker: WorkerRole;
  /** The custom vocabularies and vocabulary filters its pipelines use (reloaded after a write through this process). */
  readonly wordLists: WordLists;
  /** Null until takeWork. */
  readonly runner: JobRunner | null;
  /**
   * Starts pulling pipeline jobs and events, its parts on the stack given to openClusterWorker:
   * closed first, they stop the events, hand the pipelines of calls that go on to other workers
   * (or finish them) and finish the recordings.
   */
  takeWork(): void;
  /** Its pipelines', jobs' and events' numbers for /metrics. */
  metrics(): AnyMetric[];
}

/**
 * The `worker` role scaled out: the configured rules on a bus fed by the shared `rules` consumer
 * (ClusterRulesEngine), their startPipeline targets as pipeline jobs, and a JobRunner running the
 * jobs this worker takes. Pipelines publish their events to `bus` (forwarded to NATS) and append
 * their records to the data stream directly.
 *
 * In two steps on the process's stack: this opens the engines and the rules (closed last: webhooks
 * drained, then the worker threads); takeWork starts the intake once the bus its pipelines publish
 * to has its place on the stack below it.
 */
export async function openClusterWorker(
  input: {
    readonly ctx: AppContext;
    readonly backends: Backends;
    readonly nats: NatsConnection;
    readonly js: JetStreamClient;
    readonly subjects: ClusterSubjects;
    readonly directory: CallDirectory;
    readonly jobs: PipelineJobQueue;
    readonly bus: EventBus;
    /** This process's HTTP port (for recording links when http.publicUrl is not set). */
    readonly httpPort: () => number;
  },
  stack: ResourceStack,
): Promise<ClusterWorker> {
  const { ctx, backends, nats, js, subjects, directory, jobs, bus } = input;
  const { config, roles, logger, origin, advertisedAddress } = ctx;
  const stream = opened(backends.stream, 'stream');
  const configurations = opened(backends.configurations, 'configurations');
  const wordLists = await openWordLists(backends, stack, logger.child({ stage: 'configurations' }));
  const ackWaitMs = config.worker.jobAckWaitMs;
  let runner: JobRunner | null = null;
  let engine: ClusterRulesEngine | null = null;
  const worker = stack.adopt(
    'worker engines',
    await WorkerRole.start({
      ...ctx,
      configurations,
      postCall: opened(backends.postCall, 'postCall'),
      vocabulary: (name) => wordLists.vocabularies.get(name),
      vocabularyFilter: (name) => wordLists.filters.get(name),
      append: (record: object, key: AppendKey) => {
        // Results of a job whose lease lapsed unnoticed must not follow those of the worker now running it.
        if (key.callId !== null && runner && !runner.admits(key.callId)) return;
        return stream
          .append(record, key)
          .catch((err: unknown) => logger.error({ err, type: key.type }, 'stream append failed'));
      },
      publish: (event) => bus.publish(event),
      recordingBaseUrl: () =>
        config.http.publicUrl ||
        httpBaseUrl(
          config.http.host,
          advertisedAddress,
          input.httpPort(),
          config.http.tlsCertFile ? 'https' : 'http',
        ),
      stateChanged: (pipeline) => runner?.stateChanged(pipeline),
    }),
    (w) => w.closeEngines(),
  );
  if (!roles.gateway && !config.http.publicUrl)
    logger.warn(
      'recording links will name this worker, which serves no recordings: set http.publicUrl to a gateway',
    );
  if (!config.recording.s3Bucket)
    logger.warn(
      "recording.s3Bucket is not set: recordings stay on this worker's disk, out of the gateways' reach",
    );

  const rulesBus = new EventBus(logger.child({ stage: 'events' }));
  const rules = config.rules ?? parseRules(defaultRules(config.pipeline.defaultConfiguration));
  await checkRuleConfigurations(rules, configurations);
  const webhooks = installRules(rules, {
    bus: rulesBus,
    findCall: async (event) => {
      const attached = engine?.callOf(event);
      if (attached) return attached;
      const entry = await directory.getCall(eventCallId(event) ?? '');
      return entry && entry.endedAt === null ? callInfoFromJson(entry.info) : undefined;
    },
    // The same event and configuration always make the same pipeline id: one job however often it is handled.
    startPipeline: (call, configuration, event) =>
      jobs.submit(call, configuration, { pipelineId: derivedUuid(event.id, configuration) }),
    // A failed append fails the event's targets, and the event is tried again.
    append: (record, key) => stream.append(record, key),
    origin,
    logger: logger.child({ stage: 'events' }),
  });
  stack.defer('webhooks', () => drainWebhooks(webhooks));

  return {
    worker,
    wordLists,
    get runner() {
      return runner;
    },
    takeWork() {
      stack.defer('pipelines', () => worker.closePipelines());
      runner = stack.use(
        'job runner',
        new JobRunner({
          js,
          nc: nats,
          subjects,
          directory,
          pipelines: worker.pipelines,
          blueprint: (configuration) => worker.blueprint(configuration),
          publish: (event) => bus.publish(event),
          origin,
          owner: `worker@${hostname()}:${process.pid}`,
          ackWaitMs,
          staleAudioMs: config.rtp.mediaTimeoutSec > 0 ? config.rtp.mediaTimeoutSec * 1000 + 30_000 : 0,
          ...(stream instanceof JetStreamDataStream
            ? {
                resumePoints: async (job: PipelineJob) => {
                  const since = new Date(Date.now() - resumeLookbackMs(ackWaitMs));
                  return resumePoints(
                    await stream.recentOfCall(job.call.callId, since, 20_000),
                    job.channels,
                  );
                },
                appendsSettled: () => stream.settled(),
              }
            : {}),
          logger: logger.child({ stage: 'jobs' }),
        }),
      );
      engine = stack.use(
        'rules consumer',
        new ClusterRulesEngine({
          js,
          subjects,
          bus: rulesBus,
          ackWaitMs,
          logger: logger.child({ stage: 'rules' }),
        }),
      );
    },
    metrics: () => [...worker.metrics(), ...(runner?.metrics() ?? []), ...(engine?.metrics() ?? [])],
  };
}
