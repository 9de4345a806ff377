import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { registerSpeechEngineMetrics } from './speechEngines.js';
import { ClusterEventPublisher } from '../cluster/ClusterEvents.js';
import { ensureClusterStreams } from '../cluster/ClusterStreams.js';
import { ClusterSubjects } from '../cluster/ClusterSubjects.js';
import { PipelineJobQueue } from '../cluster/PipelineJobs.js';
import { RemoteCallsView, RemotePipelineService } from '../cluster/RemoteApi.js';
import { CallsightError } from '../platform/errors.js';
import { EventBus } from '../events/EventBus.js';
import { RecordingStore } from '../recording/RecordingStore.js';
import { PostgresCallDirectory } from '../calls/PostgresCallDirectory.js';
import type { AppContext, RunningApp } from './AppTypes.js';
import { openBackends, opened, type BackendPart } from './backends.js';
import { startClusterSip, type ClusterSip } from './clusterSip.js';
import { startClusterWorker } from './clusterWorker.js';
import { eventCallId } from './eventRules.js';
import { loadConfigurations } from './loadConfigurations.js';
import { recordingStoreOptions } from './recordings.js';
import { GatewayRole } from './roles/GatewayRole.js';
import { HealthServer } from './roles/HealthServer.js';
import { processRegistry, registerRoleMetrics, type RoleMetric } from './roles/RoleMetrics.js';

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
  const parts: BackendPart[] = [];
  if (roles.worker || roles.gateway) parts.push('stream', 'configurations', 'postCall');
  if (roles.gateway) parts.push('registry');
  const backends = await openBackends(config, dataDir, logger, parts);
  const nats = opened(backends.nats, 'nats');
  const directory = new PostgresCallDirectory(opened(backends.database, 'database'));
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
  const metrics: RoleMetric[] = [
    {
      name: 'callsight_events_published_total',
      help: 'Events published to the event bus.',
      kind: 'counter',
      value: () => publisher.published,
    },
  ];

  // Worker: rules from the shared consumer, pipelines from jobs.
  let jobs: PipelineJobQueue | null = null;
  let httpPort = 0;
  if (roles.worker || roles.gateway) {
    const configurations = opened(backends.configurations, 'configurations');
    await loadConfigurations(config, configurations, origin, logger.child({ stage: 'configurations' }));
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
  const worker = roles.worker
    ? await startClusterWorker({
        ctx,
        backends,
        nats,
        js,
        subjects,
        directory,
        jobs: jobs!,
        bus: outBus,
        httpPort: () => httpPort,
      })
    : null;
  if (worker) metrics.push(...worker.metrics);

  // Sip: calls in, events and audio out.
  if (roles.sip) {
    sip = await startClusterSip({ ctx, nats, subjects, directory, bus: outBus });
    const theSip = sip;
    metrics.push(
      {
        name: 'callsight_calls_active',
        help: 'Calls this process holds.',
        kind: 'gauge',
        value: () => theSip.connector.activeCount,
      },
      {
        name: 'callsight_audio_frames_sent_total',
        help: 'Audio frames published to the workers.',
        kind: 'counter',
        value: () => theSip.audio.framesSent,
      },
      {
        name: 'callsight_audio_bytes_sent_total',
        help: 'Bytes of audio frames published.',
        kind: 'counter',
        value: () => theSip.audio.bytesSent,
      },
    );
  }

  // Gateway: HTTP; otherwise /healthz and /metrics only.
  const details = () => ({
    role: roles.name,
    ...(worker ? { pipelines: worker.runner.held } : {}),
    ...(sip ? { calls: sip.connector.activeCount } : {}),
  });
  let gateway: GatewayRole | null = null;
  let health: HealthServer | null = null;
  let gatewayRecordings: RecordingStore | null = null;
  if (roles.gateway) {
    const recordings =
      worker?.worker.recordings ??
      (gatewayRecordings = await RecordingStore.open(
        recordingStoreOptions(config, dataDir, logger.child({ stage: 'recording' })),
      ));
    gateway = await GatewayRole.start({
      config,
      logger,
      stream: opened(backends.stream, 'stream'),
      registry: opened(backends.registry, 'registry'),
      configurations: opened(backends.configurations, 'configurations'),
      postCall: opened(backends.postCall, 'postCall'),
      recordings,
      calls: new RemoteCallsView({ nc: nats, subjects, directory, logger }),
      pipelines: new RemotePipelineService({ nc: nats, subjects, directory, jobs: jobs!, logger }),
      metrics: (registry) => {
        registerRoleMetrics(registry, roles.name, metrics);
        registerSpeechEngineMetrics(registry);
      },
      healthDetails: details,
    });
    httpPort = gateway.port;
  } else {
    const registry = processRegistry();
    registerRoleMetrics(registry, roles.name, metrics);
    registerSpeechEngineMetrics(registry);
    health = await HealthServer.start({
      host: config.http.host,
      port: config.http.port,
      registry,
      details,
      logger,
    });
    httpPort = health.port;
  }
  gateway?.http.setReady(true);
  health?.setReady(true);
  return {
    sipUdpPort: sip?.udpPort ?? 0,
    sipTcpPort: sip?.tcpPort ?? 0,
    httpPort,
    async close() {
      gateway?.http.setReady(false);
      health?.setReady(false);
      // Calls end first (BYE), so their pipelines here finish rather than move to another worker.
      await sip?.close();
      await worker?.closeIntake();
      await outBus.settled();
      await publisher.settled();
      await worker?.close();
      await gateway?.close();
      await health?.close();
      await gatewayRecordings?.close();
      await directory.close();
      await backends.close();
    },
  };
}
