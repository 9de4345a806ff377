import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/Config.js';
import { STREAMING_STATUS } from '../connector/StreamingStatus.js';
import { VoiceConnector } from '../connector/VoiceConnector.js';
import { EventBus } from '../events/EventBus.js';
import type { EventEnvelope } from '../events/EventEnvelope.js';
import { registerApiRoutes } from '../gateway/api/ApiRoutes.js';
import { SqliteConnectionRegistry } from '../gateway/ConnectionRegistry.js';
import { HttpServer } from '../gateway/HttpServer.js';
import type { Logger } from '../log/logger.js';
import { PortAllocator } from '../media/rtp/PortAllocator.js';
import { PipelineManager } from '../pipeline/PipelineManager.js';
import { PocketsphinxEngine } from '../pipeline/transcribe/pocketsphinx/PocketsphinxEngine.js';
import type { SpeechEngine } from '../pipeline/transcribe/SpeechEngineTypes.js';
import { UserAgentServer } from '../sip/UserAgentServer.js';
import { SqliteDataStream } from '../stream/SqliteDataStream.js';
import type { AppendKey, DataStream } from '../stream/StreamTypes.js';
import { resolveAdvertisedAddress } from './advertisedAddress.js';

const BUNDLED_WEB_ROOT = fileURLToPath(new URL('../../../web/static', import.meta.url));

function eventCallId(event: EventEnvelope): string | null {
  const callId = (event.detail as { callId?: unknown }).callId;
  return typeof callId === 'string' ? callId : null;
}

/**
 * The whole of Callsight in one process: SIP → media → pipeline → stream → gateway, wired in the
 * order packets flow, and torn down in reverse so a shutdown loses nothing.
 */
export class App {
  readonly config: Config;
  readonly advertisedAddress: string;
  readonly #logger: Logger;
  readonly #stream: DataStream;
  readonly #registry: SqliteConnectionRegistry;
  readonly #engine: SpeechEngine | null;
  readonly #bus: EventBus;
  readonly #pipelines: PipelineManager;
  readonly #connector: VoiceConnector;
  readonly #uas: UserAgentServer;
  readonly #http: HttpServer;
  #closing: Promise<void> | null = null;

  private constructor(parts: {
    config: Config;
    advertisedAddress: string;
    logger: Logger;
    stream: DataStream;
    registry: SqliteConnectionRegistry;
    engine: SpeechEngine | null;
    bus: EventBus;
    pipelines: PipelineManager;
    connector: VoiceConnector;
    uas: UserAgentServer;
    http: HttpServer;
  }) {
    this.config = parts.config;
    this.advertisedAddress = parts.advertisedAddress;
    this.#logger = parts.logger;
    this.#stream = parts.stream;
    this.#registry = parts.registry;
    this.#engine = parts.engine;
    this.#bus = parts.bus;
    this.#pipelines = parts.pipelines;
    this.#connector = parts.connector;
    this.#uas = parts.uas;
    this.#http = parts.http;
  }

  static async start(config: Config, logger: Logger): Promise<App> {
    const dataDir = resolve(config.dataDir);
    mkdirSync(dataDir, { recursive: true });
    const origin = { account: config.voiceConnector.account, region: config.voiceConnector.region };
    const advertisedAddress = resolveAdvertisedAddress(config.sip.advertisedAddress, config.sip.host);

    const stream = SqliteDataStream.open({
      path: join(dataDir, 'stream.db'),
      retention: {
        ...(config.stream.retentionHours > 0 ? { maxAgeMs: config.stream.retentionHours * 3_600_000 } : {}),
        ...(config.stream.maxRecords > 0 ? { maxRecords: config.stream.maxRecords } : {}),
      },
      logger: logger.child({ stage: 'stream' }),
    });
    const registry = SqliteConnectionRegistry.open({ path: join(dataDir, 'callsight.db'), logger: logger.child({ stage: 'registry' }) });

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
    const pipelines = new PipelineManager({
      engine,
      languageCode: config.asr.languageCode,
      origin,
      bus,
      sink: append,
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
      bus,
      logger: logger.child({ stage: 'connector' }),
    });

    // The seed's EventBridge rule and Lambda: every event goes to the data stream, and ALL_STARTED
    // starts the call's pipeline. The stream rule comes first so each event is stored before what it causes.
    bus.addRule(
      'forward-to-stream',
      () => true,
      (event) => {
        append(event, { type: event['detail-type'], callId: eventCallId(event) });
      },
    );
    bus.addRule(
      'start-pipeline-on-all-started',
      (event) => event['detail-type'] === STREAMING_STATUS && event.detail.streamingStatus === 'ALL_STARTED',
      (event) => {
        const call = connector.getCall(eventCallId(event) ?? '');
        if (call) pipelines.start(call);
      },
    );
    connector.on('frame', (call, frame) => pipelines.write(call.callId, frame));
    connector.on('mediaEnded', (call) => {
      pipelines
        .stop(call.callId)
        .catch((err: unknown) => logger.error({ err, callId: call.callId }, 'pipeline stop failed'));
    });

    const uas = await UserAgentServer.start({
      host: config.sip.host,
      udpPort: config.sip.udpPort,
      tcpPort: config.sip.tcpPort,
      advertisedAddress,
      handler: connector,
      logger: logger.child({ stage: 'sip' }),
    });
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
      routes: (server) => registerApiRoutes(server, { connector, pipelines, stream }),
    });
    const app = new App({
      config,
      advertisedAddress,
      logger,
      stream,
      registry,
      engine,
      bus,
      pipelines,
      connector,
      uas,
      http,
    });
    http.setReady(true);
    logger.info(
      { sipUdp: uas.udpPort, sipTcp: uas.tcpPort, http: http.port, asr: engine?.name ?? 'off' },
      'callsight ready',
    );
    return app;
  }

  get sipUdpPort(): number {
    return this.#uas.udpPort;
  }

  get sipTcpPort(): number {
    return this.#uas.tcpPort;
  }

  get httpPort(): number {
    return this.#http.port;
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
    this.#http.setReady(false);
    await this.#uas.close();
    await this.#connector.drain();
    await this.#pipelines.close();
    await this.#bus.settled();
    await this.#engine?.close();
    await this.#http.close();
    await this.#stream.close();
    await this.#registry.close();
    this.#logger.info('all calls finished and the stream is flushed');
  }
}
