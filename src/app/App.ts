import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/Config.js';
import { parseHeaderAllowList } from '../connector/InviteHeaders.js';
import { VoiceConnector } from '../connector/VoiceConnector.js';
import { deadLetterEvent } from '../events/DeadLetter.js';
import { EventBus } from '../events/EventBus.js';
import { defaultRules, parseRules } from '../events/RuleConfig.js';
import type { WebhookDelivery } from '../events/Webhook.js';
import { registerApiRoutes } from '../gateway/api/ApiRoutes.js';
import { registerConfigurationRoutes } from '../gateway/api/ConfigurationRoutes.js';
import { registerCallRoutes } from '../gateway/api/CallRoutes.js';
import { registerPipelineRoutes } from '../gateway/api/PipelineRoutes.js';
import { registerRecordingRoutes } from '../gateway/api/RecordingRoutes.js';
import type { ConnectionRegistry } from '../gateway/ConnectionRegistryTypes.js';
import { HttpServer } from '../gateway/HttpServer.js';
import type { Logger } from '../log/logger.js';
import { PortAllocator } from '../media/rtp/PortAllocator.js';
import type { ConfigurationStore } from '../pipeline/config/ConfigurationStoreTypes.js';
import { blueprintFor, type ElementFactoryDeps } from '../pipeline/ElementFactory.js';
import { AnalyticsPool } from '../pipeline/analytics/worker/AnalyticsPool.js';
import { PipelineManager } from '../pipeline/PipelineManager.js';
import type { PostCallStore } from '../pipeline/records/PostCall.js';
import { RecordingStore } from '../pipeline/recording/RecordingStore.js';
import { PocketsphinxEngine } from '../pipeline/transcribe/pocketsphinx/PocketsphinxEngine.js';
import type { SpeechEngine } from '../pipeline/transcribe/SpeechEngineTypes.js';
import { VoiceToneEngine } from '../pipeline/voice/VoiceToneEngine.js';
import { SipUserAgent } from '../sip/SipUserAgent.js';
import type { AppendKey, DataStream } from '../stream/StreamTypes.js';
import { resolveAdvertisedAddress } from './advertisedAddress.js';
import { openBackends, type Backends } from './backends.js';
import { checkRuleConfigurations, installRules } from './eventRules.js';
import { loadConfigurations } from './loadConfigurations.js';
import { httpBaseUrl, recordingStoreOptions, recordingUrl } from './recordings.js';
import { describeSipAccess, sipAccess } from './sipAccess.js';

const BUNDLED_WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));
/** How long shutdown lets webhooks retry before their payloads go to the dead letter. */
const WEBHOOK_DRAIN_MS = 5000;

interface AppParts {
  readonly config: Config;
  readonly advertisedAddress: string;
  readonly logger: Logger;
  readonly backends: Backends;
  readonly stream: DataStream;
  readonly registry: ConnectionRegistry;
  readonly configurations: ConfigurationStore;
  readonly analyticsPool: AnalyticsPool;
  readonly postCall: PostCallStore;
  readonly engine: SpeechEngine | null;
  readonly voiceTone: VoiceToneEngine;
  readonly bus: EventBus;
  readonly webhooks: readonly WebhookDelivery[];
  readonly pipelines: PipelineManager;
  readonly recordings: RecordingStore;
  readonly connector: VoiceConnector;
  readonly uas: SipUserAgent;
  readonly http: HttpServer;
}

/**
 * The whole of Callsight in one process: SIP → media → pipeline → stream → gateway, wired in the
 * order packets flow, and torn down in reverse so a shutdown loses nothing.
 */
export class App {
  readonly config: Config;
  readonly advertisedAddress: string;
  readonly #parts: AppParts;
  #closing: Promise<void> | null = null;

  private constructor(parts: AppParts) {
    this.config = parts.config;
    this.advertisedAddress = parts.advertisedAddress;
    this.#parts = parts;
  }

  static async start(config: Config, logger: Logger): Promise<App> {
    const dataDir = resolve(config.dataDir);
    mkdirSync(dataDir, { recursive: true });
    const origin = { account: config.voiceConnector.account, region: config.voiceConnector.region };
    const advertisedAddress = resolveAdvertisedAddress(config.sip.advertisedAddress, config.sip.host);

    // SQLite files in dataDir by default; NATS JetStream and PostgreSQL when configured (backends.ts).
    const backends = await openBackends(config, dataDir, logger);
    const { stream, registry, configurations, postCall } = backends;
    await loadConfigurations(config, configurations, origin, logger.child({ stage: 'configurations' }));

    let engine: SpeechEngine | null = null;
    if (config.asr.enabled) {
      engine = new PocketsphinxEngine({
        workers: config.asr.workers > 0 ? config.asr.workers : availableParallelism(),
        logger: logger.child({ stage: 'asr' }),
      });
      await engine.ready();
    }

    const append = (record: object, key: AppendKey) => {
      stream
        .append(record, key)
        .catch((err: unknown) => logger.error({ err, type: key.type }, 'stream append failed'));
    };
    const bus = new EventBus(logger.child({ stage: 'events' }));
    const deadLetter: ElementFactoryDeps['deadLetter'] = (input) => {
      const record = deadLetterEvent(input, origin, new Date());
      append(record, { type: record['detail-type'], callId: input.callId });
    };
    // Repairs what a crash left before any call records; the URL base is known once HTTP listens.
    const recordings = await RecordingStore.open(recordingStoreOptions(config, dataDir, logger.child({ stage: 'recording' })));
    let httpBase = '';
    const analyticsPool = new AnalyticsPool(config.analytics.workers, logger.child({ stage: 'analytics' }));
    await analyticsPool.ready();
    // Voice tone analysis (VoiceAnalyticsProcessor): two worker threads shared by all calls.
    const voiceTone = new VoiceToneEngine({ logger: logger.child({ stage: 'voice-tone' }) });
    await voiceTone.ready();
    const elementDeps: ElementFactoryDeps = {
      engine,
      append,
      deadLetter,
      logger: logger.child({ stage: 'pipeline' }),
      origin,
      recordings: { storage: recordings, urlFor: (callId, pipelineId) => recordingUrl(httpBase, callId, pipelineId) },
      analytics: { pool: analyticsPool, postCall, categories: config.categories },
      voiceTone,
    };
    const pipelines = new PipelineManager({
      resolve: async (identifier) => blueprintFor(await configurations.get(identifier), elementDeps),
      origin,
      publish: (event) => bus.publish(event),
      logger: logger.child({ stage: 'pipeline' }),
    });
    const connector = new VoiceConnector({
      voiceConnectorId: config.voiceConnector.id,
      origin,
      advertisedAddress,
      rtpHost: config.rtp.host,
      ports: new PortAllocator({ min: config.rtp.portMin, max: config.rtp.portMax }),
      jitterBufferMs: config.rtp.jitterBufferMs,
      mediaTimeoutMs: config.rtp.mediaTimeoutSec * 1000,
      ...(config.routes ? { routes: config.routes } : {}),
      inviteHeaders: parseHeaderAllowList(config.voiceConnector.inviteHeaders),
      siprec: config.voiceConnector.agentAorPattern ? { agentAorPattern: config.voiceConnector.agentAorPattern } : {},
      bus,
      logger: logger.child({ stage: 'connector' }),
    });
    const rules = config.rules ?? parseRules(defaultRules(config.pipeline.defaultConfiguration));
    await checkRuleConfigurations(rules, configurations);
    const webhooks = installRules(rules, { bus, connector, pipelines, append, origin, logger: logger.child({ stage: 'events' }) });
    connector.on('frame', (call, frame) => pipelines.write(call.callId, frame));
    connector.on('streamAdded', (call, stream) => pipelines.streamAdded(call.callId, stream));
    connector.on('mediaEnded', (call) => {
      pipelines
        .callEnded(call.callId)
        .catch((err: unknown) => logger.error({ err, callId: call.callId }, 'pipeline stop failed'));
    });

    const access = sipAccess(config.sip);
    const uas = await SipUserAgent.start({
      host: config.sip.host,
      udpPort: config.sip.udpPort,
      tcpPort: config.sip.tcpPort,
      advertisedAddress,
      handler: connector,
      logger: logger.child({ stage: 'sip' }),
      access,
      // RFC 7866 §6.1.1: a recording client requires the siprec option tag.
      supportedOptionTags: ['siprec'],
    });
    connector.attach(uas);
    logger.info({ stage: 'sip', ...describeSipAccess(access) }, 'SIP access control');
    connector.on('mediaTimeout', (call) => {
      uas.hangup(call.sipCallId).catch((err: unknown) => logger.error({ err, callId: call.callId }, 'hangup failed'));
    });
    const http = await HttpServer.start({
      host: config.http.host,
      port: config.http.port,
      stream,
      registry,
      webRoot: config.webRoot || BUNDLED_WEB_ROOT,
      maxBufferedBytes: config.http.wsMaxBufferedBytes,
      logger: logger.child({ stage: 'gateway' }),
      routes: (server) => {
        registerApiRoutes(server, { connector, stream });
        registerPipelineRoutes(server, { connector, pipelines });
        registerCallRoutes(server, { postCall });
        registerConfigurationRoutes(server, configurations, logger.child({ stage: 'gateway' }));
        registerRecordingRoutes(server, recordings);
      },
    });
    const app = new App({
      config,
      advertisedAddress,
      logger,
      backends,
      stream,
      registry,
      configurations,
      analyticsPool,
      postCall,
      engine,
      voiceTone,
      bus,
      webhooks,
      pipelines,
      recordings,
      connector,
      uas,
      http,
    });
    httpBase = httpBaseUrl(config.http.host, advertisedAddress, http.port);
    http.setReady(true);
    logger.info(
      { sipUdp: uas.udpPort, sipTcp: uas.tcpPort, http: http.port, asr: engine?.name ?? 'off' },
      'callsight ready',
    );
    return app;
  }

  get sipUdpPort(): number {
    return this.#parts.uas.udpPort;
  }

  get sipTcpPort(): number {
    return this.#parts.uas.tcpPort;
  }

  get httpPort(): number {
    return this.#parts.http.port;
  }

  banner(): string {
    const host = this.advertisedAddress;
    return [
      '',
      'Callsight is running.',
      `  Point a SIP trunk (or SIPREC) at  sip:callsight@${host}:${this.sipUdpPort}  (UDP; TCP on ${this.sipTcpPort})`,
      `  Watch calls live at               http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${this.httpPort}/`,
      `  WebSocket stream                  ws://${host}:${this.httpPort}/ws?from=0`,
      `  Health / metrics                  http://${host}:${this.httpPort}/healthz  /metrics`,
      `  Place a demo call                 npm run demo-call`,
      '',
    ].join('\n');
  }

  /**
   * Graceful shutdown: stop taking calls, hang up the ones in progress (BYE), let their media and
   * pipelines flush their last transcripts into the stream, then close the stream and the gateway.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const {
      http,
      uas,
      connector,
      pipelines,
      recordings,
      bus,
      webhooks,
      engine,
      analyticsPool,
      voiceTone,
    } = this.#parts;
    const { backends, logger } = this.#parts;
    http.setReady(false);
    await uas.close();
    await connector.drain();
    await pipelines.close();
    await recordings.close();
    await bus.settled();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(webhooks.map((w) => w.close())),
      new Promise((resolve) => (timer = setTimeout(resolve, WEBHOOK_DRAIN_MS))),
    ]);
    clearTimeout(timer);
    for (const webhook of webhooks) webhook.abort();
    await Promise.all(webhooks.map((w) => w.idle()));
    await engine?.close();
    await analyticsPool.close();
    await voiceTone.close();
    await http.close();
    // The stream, the stores, then their connections (NATS, PostgreSQL) when scaled out.
    await backends.close();
    logger.info('all calls finished and the stream is flushed');
  }
}
