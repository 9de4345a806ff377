import { join } from 'node:path';
import { SqliteDataStream } from '../stream/SqliteDataStream.js';
import { RetentionSweep } from '../calls/RetentionSweep.js';
import { configurationRetentions } from '../configurations/ConfigurationRetentions.js';
import { PostgresCallDirectory } from '../calls/PostgresCallDirectory.js';
import { SqliteCallDirectory } from '../calls/SqliteCallDirectory.js';
import { EventBus } from '../events/EventBus.js';
import { registerSpeechEngineMetrics } from './speechEngines.js';
import { defaultRules, parseRules } from '../events/RuleConfig.js';
import type { WebhookDelivery } from '../events/Webhook.js';
import { ResourceStack } from '../platform/ResourceStack.js';
import type { AppendKey } from '../stream/StreamTypes.js';
import type { AppContext, RunningApp } from './AppTypes.js';
import { openBackends, opened } from './backends.js';
import { callErasure } from './callErasure.js';
import { checkRuleConfigurations, eventCallId, installRules } from './eventRules.js';
import { LocalCallsView, LocalPipelineService } from './local/LocalPipelineService.js';
import { loadConfigurations } from './loadConfigurations.js';
import { closeCallsLeftOpen, EMBEDDED_KEEP_MS, recordCalls, type CallRecorder } from './openCalls.js';
import { httpBaseUrl } from './recordings.js';
import { registerTargetMetrics } from '../connector/trunk/TargetMetrics.js';
import { GatewayRole } from './roles/GatewayRole.js';
import { openAccess } from './access.js';
import { registerRoleMetrics } from './roles/RoleMetrics.js';
import { SipRole } from './roles/SipRole.js';
import { WorkerRole } from './roles/WorkerRole.js';
import { openWordLists } from './vocabularies.js';

/** How long shutdown lets webhooks retry before their payloads go to the dead letter. */
export const WEBHOOK_DRAIN_MS = 5000;

/** Lets webhooks finish within WEBHOOK_DRAIN_MS, then dead-letters what is left. */
export async function drainWebhooks(webhooks: readonly WebhookDelivery[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(webhooks.map((w) => w.close())),
    new Promise((resolve) => (timer = setTimeout(resolve, WEBHOOK_DRAIN_MS))),
  ]);
  clearTimeout(timer);
  for (const webhook of webhooks) webhook.abort();
  await Promise.all(webhooks.map((w) => w.idle()));
}

/**
 * Role `all`: the three roles in one process with in-process connectors between them. The Voice
 * Connector publishes to an EventBus holding the rules; the rules' startPipeline target starts the
 * pipeline here; the connector's frames go straight to the PipelineManager; the REST API reads both.
 */
export async function startEmbedded(ctx: AppContext): Promise<RunningApp> {
  const { config, logger, dataDir, origin, advertisedAddress } = ctx;
  // Each part goes on the stack as it opens; shutdown, or a start that fails, closes them in reverse.
  const stack = new ResourceStack(logger);
  return stack.open(async () => {
    // SQLite files in dataDir by default; NATS JetStream and PostgreSQL when configured (backends.ts).
    // Closed last: the stream, the stores, then their connections.
    const backends = stack.use('backends', await openBackends(config, dataDir, logger));
    const stream = opened(backends.stream, 'stream');
    // The embedded stream's data disk, for /healthz and /metrics.
    const streamSpace = stream instanceof SqliteDataStream ? stream.space : null;
    const configurations = opened(backends.configurations, 'configurations');
    const postCall = opened(backends.postCall, 'postCall');
    // Which calls and pipelines are in progress, on disk: what a restart after a crash closes.
    const directory = stack.use(
      'call directory',
      backends.database
        ? new PostgresCallDirectory(backends.database)
        : SqliteCallDirectory.open({ path: join(dataDir, 'callsight.db') }),
    );
    // Stable across restarts when the SIP port is configured; a database of its own needs no name.
    const owner = `all@${advertisedAddress}:${config.sip.udpPort}`;
    let recorder: CallRecorder | null = null;
    await loadConfigurations(config, backends, origin, logger.child({ stage: 'configurations' }));
    const wordLists = await openWordLists(backends, stack, logger.child({ stage: 'configurations' }));

    // HTTP opens once the rest is up, but closes after it: /healthz answers 503 while the calls and
    // pipelines finish, and the WebSocket clients get the last records. So its place is taken here.
    // Closed after HTTP, whose last requests still ask who is calling.
    const {
      access,
      adminPassword,
      close: closeAccess,
    } = await openAccess(config, dataDir, backends.database, logger);
    stack.defer('identity store', closeAccess);
    let gateway: GatewayRole | null = null;
    stack.defer('http', () => gateway?.close());
    const append = (record: object, key: AppendKey) =>
      stream
        .append(record, key)
        .catch((err: unknown) => logger.error({ err, type: key.type }, 'stream append failed'));
    const bus = new EventBus(logger.child({ stage: 'events' }));
    // The URL base of recording links is known once HTTP listens.
    let httpBase = '';
    const worker = stack.adopt(
      'worker engines',
      await WorkerRole.start({
        ...ctx,
        configurations,
        postCall,
        vocabulary: (name) => wordLists.vocabularies.get(name),
        vocabularyFilter: (name) => wordLists.filters.get(name),
        append,
        publish: (event) => bus.publish(event),
        recordingBaseUrl: () => config.http.publicUrl || httpBase,
        stateChanged: (pipeline) => recorder?.pipelineChanged(pipeline, owner),
      }),
      (w) => w.closeEngines(),
    );
    const sip = SipRole.create({ config, advertisedAddress, origin, bus, logger });
    const { connector } = sip;
    const { pipelines } = worker;
    const theRecorder = recordCalls({
      connector,
      bus,
      directory,
      owner: () => owner,
      log: logger.child({ stage: 'calls' }),
    });
    recorder = theRecorder;
    // Closed after the calls and pipelines, whose ends it writes.
    stack.defer('call directory writes', () => theRecorder.close());
    const rules = config.rules ?? parseRules(defaultRules(config.pipeline.defaultConfiguration));
    await checkRuleConfigurations(rules, configurations);
    const webhooks = installRules(rules, {
      bus,
      findCall: (event) => connector.getCall(eventCallId(event) ?? ''),
      startPipeline: (call, configuration) => pipelines.start(call, configuration),
      append,
      origin,
      logger: logger.child({ stage: 'events' }),
    });
    stack.defer('webhooks', () => drainWebhooks(webhooks));
    stack.defer('event bus', () => bus.settled());
    stack.defer('pipelines', () => worker.closePipelines());
    // Once the rules are on the bus (the FAILED events go to the stream) and before any new call.
    if (!backends.database || config.sip.udpPort !== 0)
      await closeCallsLeftOpen({
        directory,
        owner: backends.database ? owner : null,
        bus,
        origin,
        log: logger.child({ stage: 'calls' }),
        pipelines: true,
      });
    connector.on('frame', (call, frame) => pipelines.write(call.callId, frame));
    connector.on('streamAdded', (call, added) => pipelines.streamAdded(call.callId, added));
    connector.on('mediaEnded', (call) => {
      pipelines
        .callEnded(call.callId)
        .catch((err: unknown) => logger.error({ err, callId: call.callId }, 'pipeline stop failed'));
    });
    // Closed first: the calls end (BYE), then their pipelines flush.
    await sip.listen();
    stack.defer('sip', () => sip.close());
    const calls = new LocalCallsView(connector);
    const erasure = callErasure(stream, {
      // The records go last: a request repeated after a failure still finds the call by them.
      parts: { recordings: worker.recordings, postCall, pipelines, directory, records: stream },
      inProgress: async (callId) =>
        (await calls.active()).some((call) => call.callId === callId) ||
        pipelines.list().some((pipeline) => pipeline.call.callId === callId && pipeline.active),
      origin,
      logger,
    });
    const theGateway = await GatewayRole.start({
      config,
      logger,
      stream,
      access,
      registry: opened(backends.registry, 'registry'),
      configurations,
      vocabularies: opened(backends.vocabularies, 'vocabularies'),
      vocabulariesChanged: () => wordLists.vocabularies.refresh(),
      vocabularyFilters: opened(backends.vocabularyFilters, 'vocabularyFilters'),
      vocabularyFiltersChanged: () => wordLists.filters.refresh(),
      postCall,
      recordings: worker.recordings,
      calls,
      routes: { routes: () => Promise.resolve(connector.routes()) },
      pipelines: new LocalPipelineService(pipelines, connector),
      erasure,
      metrics: (registry) => {
        registerRoleMetrics(registry, 'all', [
          ...sip.metrics,
          ...connector.metrics(),
          ...worker.metrics(),
          ...worker.recordings.space.metrics(),
          ...(streamSpace?.metrics() ?? []),
        ]);
        registerTargetMetrics(registry, connector.targets);
        registerSpeechEngineMetrics(registry);
      },
      healthDetails: () => ({
        recordings: worker.recordings.space.health(),
        ...(streamSpace ? { dataStream: streamSpace.health() } : {}),
      }),
    });
    gateway = theGateway;
    httpBase = httpBaseUrl(
      config.http.host,
      advertisedAddress,
      theGateway.port,
      config.http.tlsCertFile ? 'https' : 'http',
    );
    theGateway.http.setReady(true);
    stack.defer('readiness', () => theGateway.http.setReady(false));
    const retention = new RetentionSweep({
      directory,
      retentions: () => configurationRetentions(configurations),
      erasure,
      logger: logger.child({ stage: 'calls' }),
      // A directory of its own only serves restarts; a shared database's is left alone.
      ...(backends.database ? {} : { pruneAfterMs: EMBEDDED_KEEP_MS }),
    });
    retention.start();
    stack.defer('retention sweep', () => retention.stop());
    return {
      sipUdpPort: sip.udpPort,
      sipTcpPort: sip.tcpPort,
      httpPort: theGateway.port,
      ...(adminPassword ? { adminPassword } : {}),
      close: () => stack.closeAll(),
    };
  });
}
