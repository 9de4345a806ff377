import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { AccessControl } from '../../access/AccessControl.js';
import { commaList, isLoopbackAddress } from '../../gateway/auth/RequestGuards.js';
import type { Config } from '../config/Config.js';
import type { CallsView, PipelineService, RoutesView } from '../../gateway/api/ApiSourceTypes.js';
import { registerApiRoutes } from '../../gateway/api/ApiRoutes.js';
import { registerCallRoutes } from '../../gateway/api/CallRoutes.js';
import { registerConfigurationRoutes } from '../../gateway/api/ConfigurationRoutes.js';
import { engineKinds } from '../speechEngines.js';
import { registerPipelineRoutes } from '../../gateway/api/PipelineRoutes.js';
import { registerRecordingRoutes } from '../../gateway/api/RecordingRoutes.js';
import { registerVoiceAnalyticsRoutes } from '../../gateway/api/VoiceAnalyticsRoutes.js';
import { registerVocabularyRoutes } from '../../gateway/api/VocabularyRoutes.js';
import type { VocabularyStore } from '../../configurations/Vocabulary.js';
import { registerVocabularyFilterRoutes } from '../../gateway/api/VocabularyFilterRoutes.js';
import type { VocabularyFilterStore } from '../../configurations/VocabularyFilter.js';
import type { ConnectionRegistry } from '../../gateway/ConnectionRegistryTypes.js';
import { bindFailure } from '../startChecks.js';
import { packageVersion } from '../version.js';
import { HttpServer } from '../../gateway/HttpServer.js';
import type { Logger } from '../../platform/logger.js';
import type { ConfigurationStore } from '../../configurations/ConfigurationStoreTypes.js';
import type { PostCallStore } from '../../pipeline/records/PostCall.js';
import type { RecordingStorage } from '../../recording/RecordingStoreTypes.js';
import type { CallErasure } from '../../calls/CallErasure.js';
import type { DataStream } from '../../stream/StreamTypes.js';

const BUNDLED_WEB_ROOT = fileURLToPath(new URL('../../../../web/dist', import.meta.url));

export interface GatewayRoleOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly stream: DataStream;
  readonly access: AccessControl;
  readonly registry: ConnectionRegistry;
  readonly configurations: ConfigurationStore;
  readonly vocabularies: VocabularyStore;
  /** After a vocabulary was written here (this process's vocabulary cache reloads). */
  readonly vocabulariesChanged?: () => void;
  readonly vocabularyFilters: VocabularyFilterStore;
  /** After a vocabulary filter was written here (this process's filter cache reloads). */
  readonly vocabularyFiltersChanged?: () => void;
  readonly postCall: PostCallStore;
  readonly recordings: RecordingStorage;
  readonly calls: CallsView;
  readonly routes: RoutesView;
  readonly pipelines: PipelineService;
  /** DELETE /api/calls/{callId}: the parts of this topology that keep calls. */
  readonly erasure: CallErasure;
  readonly metrics?: (registry: Registry) => void;
  readonly healthDetails?: () => Record<string, unknown>;
}

/** The REST API's routes (besides HttpServer's own): every one needs a rule in the route table. */
export function registerGatewayRoutes(
  server: FastifyInstance,
  options: Pick<
    GatewayRoleOptions,
    | 'config'
    | 'logger'
    | 'stream'
    | 'calls'
    | 'routes'
    | 'pipelines'
    | 'postCall'
    | 'configurations'
    | 'recordings'
    | 'erasure'
    | 'vocabularies'
    | 'vocabulariesChanged'
    | 'vocabularyFilters'
    | 'vocabularyFiltersChanged'
  >,
): void {
  const { config, logger, stream, calls, routes, pipelines, postCall, configurations, recordings, erasure } =
    options;
  registerApiRoutes(server, { calls, routes, stream });
  registerPipelineRoutes(server, pipelines);
  registerVoiceAnalyticsRoutes(server, { calls, pipelines });
  registerCallRoutes(server, { postCall, erasure });
  registerConfigurationRoutes(
    server,
    configurations,
    logger.child({ stage: 'gateway' }),
    engineKinds(config),
    async () => (await options.vocabularyFilters.list()).map((f) => f.VocabularyFilterName),
  );
  registerVocabularyRoutes(
    server,
    options.vocabularies,
    logger.child({ stage: 'gateway' }),
    options.vocabulariesChanged,
  );
  registerVocabularyFilterRoutes(
    server,
    options.vocabularyFilters,
    logger.child({ stage: 'gateway' }),
    options.vocabularyFiltersChanged,
  );
  registerRecordingRoutes(server, recordings);
}

/**
 * The `gateway` role: one HTTP port with the WebSocket gateway (each client reads the data stream
 * from its own ?from=), the REST API, the web app, /healthz and /metrics. Calls and pipelines come
 * from the sources given: this process's Voice Connector and PipelineManager, or the call directory
 * and NATS when scaled out.
 */
export class GatewayRole {
  readonly http: HttpServer;

  private constructor(http: HttpServer) {
    this.http = http;
  }

  static async start(options: GatewayRoleOptions): Promise<GatewayRole> {
    const { config, logger, stream, registry } = options;
    const tls = config.http.tlsCertFile
      ? { certFile: config.http.tlsCertFile, keyFile: config.http.tlsKeyFile }
      : undefined;
    if (!tls && !isLoopbackAddress(config.http.host))
      logger.warn(
        { host: config.http.host, port: config.http.port },
        'HTTP WITHOUT TLS on a network address: passwords, session cookies, tokens and call content cross the network in the clear. Set http.tlsCertFile and http.tlsKeyFile, or bind http.host to 127.0.0.1 behind a TLS reverse proxy (docs/security.md)',
      );
    const http = await HttpServer.start({
      ...(tls ? { tls } : {}),
      host: config.http.host,
      port: config.http.port,
      stream,
      access: options.access,
      hostPolicy: {
        allowedHosts: commaList(config.http.allowedHosts),
        allowedOrigins: commaList(config.http.allowedOrigins),
        publicUrl: config.http.publicUrl,
      },
      origin: { account: config.voiceConnector.account, region: config.voiceConnector.region },
      recheckMs: config.auth.recheckSeconds * 1000,
      registry,
      webRoot: config.webRoot || BUNDLED_WEB_ROOT,
      maxBufferedBytes: config.http.wsMaxBufferedBytes,
      maxClients: config.http.wsMaxClients,
      maxClientsPerSource: config.http.wsMaxClientsPerSource,
      deadlines: {
        headersTimeoutMs: config.http.headersTimeoutMs,
        requestTimeoutMs: config.http.requestTimeoutMs,
      },
      logger: logger.child({ stage: 'gateway' }),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.healthDetails ? { healthDetails: options.healthDetails } : {}),
      version: packageVersion(),
      routes: (server) => registerGatewayRoutes(server, options),
    }).catch((err: unknown) => {
      throw bindFailure(err, 'the HTTP port', 'http.port', 'http.host');
    });
    return new GatewayRole(http);
  }

  get port(): number {
    return this.http.port;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
