import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Registry } from 'prom-client';
import { ClusterEventPublisher } from '../cluster/ClusterEvents.js';
import { ensureClusterStreams } from '../cluster/ClusterStreams.js';
import { ClusterSubjects } from '../cluster/ClusterSubjects.js';
import { PipelineJobQueue } from '../cluster/PipelineJobs.js';
import { RemoteCallsView, RemotePipelineService, RemoteRoutesView } from '../cluster/RemoteApi.js';
import { registerTargetMetrics } from '../connector/trunk/TargetMetrics.js';
import { CallsightError } from '../platform/errors.js';
import { ResourceStack } from '../platform/ResourceStack.js';
import type { HttpServer } from '../gateway/HttpServer.js';
import { EventBus } from '../events/EventBus.js';
import { RecordingStore } from '../recording/RecordingStore.js';
import { RetentionSweep } from '../calls/RetentionSweep.js';
import { configurationRetentions } from '../configurations/ConfigurationRetentions.js';
import { PostgresCallDirectory } from '../calls/PostgresCallDirectory.js';
import { PostgresSipHeartbeats } from '../calls/PostgresSipHeartbeats.js';
import type { AppContext, RunningApp } from './AppTypes.js';
import { callErasure } from './callErasure.js';
import { openBackends, opened, type BackendPart } from './backends.js';
import { startClusterSip, type ClusterSip } from './clusterSip.js';
import { openClusterWorker } from './clusterWorker.js';
import { eventCallId } from './eventRules.js';
import { closeCallsOfLostSips } from './lostSip.js';
import { loadConfigurations } from './loadConfigurations.js';
import { bindFailure } from './startChecks.js';
import { recordingStoreOptions } from './recordings.js';
import { GatewayRole } from './roles/GatewayRole.js';
import { openAccess } from './access.js';
import { HealthServer } from './roles/HealthServer.js';
import { processRegistry, registerRoleMetrics } from './roles/RoleMetrics.js';
import { registerSpeechEngineMetrics } from './speechEngines.js';

/**
 * Roles other than `all`: this process runs some of sip, worker and gateway and meets the others
 * only through NATS (the event bus and pipeline jobs on JetStream, audio and requests on core NATS)
 * and PostgreSQL (the call directory, configurations, post-call analytics, connection registry).
 * docs/scale-out.md describes the whole; src/cluster/ holds the NATS connectors.
 */
export async function startCluster(ctx: AppContext): Promise<RunningApp> {
  const { config, roles, logger, dataDir, origin } = ctx;
  const subjects = new ClusterSubjects(config.nats.namespace);
  if (subjects.overlaps(config.nats.subjectPrefix))
    throw new CallsightError(
      'CS_ERR_CONFIG_INVALID',
      `nats.subjectPrefix ${config.nats.subjectPrefix} overlaps the subjects of nats.namespace ${config.nats.namespace}: choose another prefix or namespace`,
    );
  // Each part goes on the stack as it opens; shutdown, or a start that fails, closes them in reverse.
  const stack = new ResourceStack(logger);
  return stack.open(async () => {
    const parts: BackendPart[] = [];
    if (roles.worker || roles.gateway) parts.push('stream', 'configurations', 'postCall');
    if (roles.gateway) parts.push('registry');
    const backends = stack.use('backends', await openBackends(config, dataDir, logger, parts));
    const nats = opened(backends.nats, 'nats');
    const database = opened(backends.database, 'database');
    const directory = stack.use('call directory', new PostgresCallDirectory(database));
    const heartbeats = new PostgresSipHeartbeats(database);
    const js = jetstream(nats);
    const ackWaitMs = config.worker.jobAckWaitMs;
    await ensureClusterStreams(await jetstreamManager(nats), subjects, {
      replicas: config.nats.replicas,
      ackWaitMs,
      logger: logger.child({ stage: 'cluster' }),
    });
    const publisher = new ClusterEventPublisher({
      js,
      nc: nats,
      subjects,
      logger: logger.child({ stage: 'events' }),
    });
    let sip: ClusterSip | null = null;
    // What this process's Voice Connector and pipelines publish goes to NATS, with the call attached.
    const outBus = new EventBus(logger.child({ stage: 'events' }));
    outBus.addRule(
      'to NATS',
      () => true,
      (event) => {
        const callId = eventCallId(event);
        publisher.publish(event, (callId !== null && sip?.connector.getCall(callId)) || null);
      },
    );
    let jobs: PipelineJobQueue | null = null;
    if (roles.worker || roles.gateway) {
      const configurations = opened(backends.configurations, 'configurations');
      await loadConfigurations(config, backends, origin, logger.child({ stage: 'configurations' }));
      jobs = new PipelineJobQueue({
        js,
        nc: nats,
        subjects,
        directory,
        configurations,
        origin,
        logger: logger.child({ stage: 'jobs' }),
      });
    }
    // A gateway without a worker serves the recordings from a store of its own.
    const gatewayRecordings =
      roles.gateway && !roles.worker
        ? stack.use(
            'recordings',
            await RecordingStore.open(
              recordingStoreOptions(config, dataDir, logger.child({ stage: 'recording' })),
            ),
          )
        : null;
    // HTTP opens once the roles are up, but closes after them: /healthz answers 503 while they finish
    // and a gateway's clients get their last records. So its place on the stack is taken here.
    // The gateway's users, tokens and sessions: closed after HTTP, whose last requests still ask who is calling.
    const gatewayAccess = roles.gateway ? await openAccess(config, dataDir, backends.database, logger) : null;
    if (gatewayAccess) stack.defer('identity store', gatewayAccess.close);
    let http: HttpServer | HealthServer | null = null;
    stack.defer('http', () => http?.close());

    // Worker: rules from the shared consumer, pipelines from jobs.
    const worker = roles.worker
      ? await openClusterWorker(
          {
            ctx,
            backends,
            nats,
            js,
            subjects,
            directory,
            jobs: jobs!,
            bus: outBus,
            httpPort: () => http?.port ?? 0,
          },
          stack,
        )
      : null;
    // Events reach NATS once the parts that publish them (the worker's intake, the sip) have stopped.
    stack.defer('events to NATS', () => publisher.settled());
    stack.defer('event bus', () => outBus.settled());
    worker?.takeWork();
    // A sip process that died and did not come back: its calls closed by a worker (FAILED, once).
    const lostSips = roles.worker
      ? stack.use(
          'lost sip processes',
          closeCallsOfLostSips({
            heartbeats,
            directory,
            bus: outBus,
            origin,
            log: logger.child({ stage: 'calls' }),
            lostAfterMs: config.worker.sipLostAfterMs,
            closed: (callId) => nats.publish(subjects.callEnded(callId)),
          }),
        )
      : null;

    // Sip: calls in, events and audio out. Closed first: its calls end (BYE), so that their pipelines
    // here finish rather than move to another worker.
    if (roles.sip)
      sip = stack.use(
        'sip',
        await startClusterSip({ ctx, nats, subjects, directory, heartbeats, bus: outBus }),
      );

    // Gateway: HTTP; otherwise /healthz and /metrics only.
    const details = () => ({
      role: roles.name,
      ...(worker?.runner ? { pipelines: worker.runner.held } : {}),
      ...(sip ? { calls: sip.connector.activeCount } : {}),
      ...(worker ? { recordings: worker.worker.recordings.space.health() } : {}),
    });
    const metrics = [
      ...publisher.metrics(),
      ...(worker?.metrics() ?? []),
      ...(lostSips?.metrics() ?? []),
      ...(worker?.worker.recordings.space.metrics() ?? []),
      ...(sip?.metrics() ?? []),
    ];
    const registerMetrics = (registry: Registry) => {
      registerRoleMetrics(registry, roles.name, metrics);
      registerSpeechEngineMetrics(registry);
      if (sip) registerTargetMetrics(registry, sip.connector.targets);
    };
    if (roles.gateway && gatewayAccess) {
      const stream = opened(backends.stream, 'stream');
      const eventsManager = await jetstreamManager(nats);
      const erasure = callErasure(stream, {
        // The records and the directory go last: a repeated request still finds the call by them.
        parts: {
          recordings: worker?.worker.recordings ?? gatewayRecordings!,
          postCall: opened(backends.postCall, 'postCall'),
          events: {
            eraseCall: async (callId) =>
              (
                await eventsManager.streams.purge(subjects.eventsStream, {
                  filter: subjects.eventsOfCall(callId),
                })
              ).purged,
          },
          records: stream,
          directory,
        },
        inProgress: async (callId) => {
          const entry = await directory.getCall(callId);
          const running = await directory.listPipelines({ callId, active: true, limit: 1 });
          return (entry !== null && entry.endedAt === null) || running.length > 0;
        },
        origin,
        logger,
      });
      const gateway = await GatewayRole.start({
        config,
        logger,
        access: gatewayAccess.access,
        stream,
        registry: opened(backends.registry, 'registry'),
        configurations: opened(backends.configurations, 'configurations'),
        vocabularies: opened(backends.vocabularies, 'vocabularies'),
        vocabularyFilters: opened(backends.vocabularyFilters, 'vocabularyFilters'),
        ...(worker
          ? {
              vocabulariesChanged: () => worker.wordLists.vocabularies.refresh(),
              vocabularyFiltersChanged: () => worker.wordLists.filters.refresh(),
            }
          : {}),
        postCall: opened(backends.postCall, 'postCall'),
        recordings: worker?.worker.recordings ?? gatewayRecordings!,
        calls: new RemoteCallsView({ nc: nats, subjects, directory, logger }),
        routes: new RemoteRoutesView({ nc: nats, subjects, logger }),
        pipelines: new RemotePipelineService({ nc: nats, subjects, directory, jobs: jobs!, logger }),
        erasure,
        metrics: (registry) => registerMetrics(registry),
        healthDetails: details,
      });
      http = gateway.http;
      // Every gateway sweeps: erasure is idempotent, and a call another one erased is skipped.
      const retention = new RetentionSweep({
        directory,
        retentions: () => configurationRetentions(opened(backends.configurations, 'configurations')),
        erasure,
        logger: logger.child({ stage: 'calls' }),
      });
      retention.start();
      stack.defer('retention sweep', () => retention.stop());
    } else {
      const registry = processRegistry();
      registerMetrics(registry);
      http = await HealthServer.start({
        host: config.http.host,
        port: config.http.port,
        registry,
        details,
        logger,
        deadlines: {
          headersTimeoutMs: config.http.headersTimeoutMs,
          requestTimeoutMs: config.http.requestTimeoutMs,
        },
      }).catch((err: unknown) => {
        throw bindFailure(err, 'the health port', 'http.port', 'http.host');
      });
    }
    const server = http;
    server.setReady(true);
    stack.defer('readiness', () => server.setReady(false));
    return {
      sipUdpPort: sip?.udpPort ?? 0,
      sipTcpPort: sip?.tcpPort ?? 0,
      httpPort: server.port,
      ...(gatewayAccess?.adminPassword ? { adminPassword: gatewayAccess.adminPassword } : {}),
      close: () => stack.closeAll(),
    };
  });
}
