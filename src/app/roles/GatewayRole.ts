import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import type { Config } from '../config/Config.js';
import type { CallsView, PipelineService, RoutesView } from '../../gateway/api/ApiSourceTypes.js';
import { registerApiRoutes } from '../../gateway/api/ApiRoutes.js';
import { registerCallRoutes } from '../../gateway/api/CallRoutes.js';
import { registerConfigurationRoutes } from '../../gateway/api/ConfigurationRoutes.js';
import { engineKinds } from '../speechEngines.js';
import { registerPipelineRoutes } from '../../gateway/api/PipelineRoutes.js';
import { registerRecordingRoutes } from '../../gateway/api/RecordingRoutes.js';
import type { ConnectionRegistry } from '../../gateway/ConnectionRegistryTypes.js';
import { bindFailure } from '../startChecks.js';
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
  readonly registry: ConnectionRegistry;
  readonly configurations: ConfigurationStore;
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
    const {
      config,
      logger,
      stream,
      registry,
      configurations,
      postCall,
      recordings,
      calls,
      routes,
      pipelines,
    } = options;
    const http = await HttpServer.start({
      host: config.http.host,
      port: config.http.port,
      stream,
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
      routes: (server) => {
        registerApiRoutes(server, { calls, routes, stream });
        registerPipelineRoutes(server, pipelines);
        registerCallRoutes(server, { postCall, erasure: options.erasure });
        registerConfigurationRoutes(
          server,
          configurations,
          logger.child({ stage: 'gateway' }),
          engineKinds(config),
        );
        registerRecordingRoutes(server, recordings);
      },
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
