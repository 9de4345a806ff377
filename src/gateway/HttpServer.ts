import type { Server as HttpsServer } from 'node:https';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { AccessControl } from '../access/AccessControl.js';
import { RecordScope } from '../access/RecordScope.js';
import type { AuditOrigin } from '../access/Audit.js';
import { ValidationError } from '../platform/errors.js';
import { silentLogger, type Logger } from '../platform/logger.js';
import { parseSequence } from '../stream/Sequence.js';
import type { DataStream } from '../stream/StreamTypes.js';
import type { ConnectionRegistry } from './ConnectionRegistryTypes.js';
import { createGatewayMetrics } from './GatewayMetrics.js';
import { HttpDeadlines, type HttpDeadlineLimits } from './HttpDeadlines.js';
import { registerHealthRoutes } from './HealthRoutes.js';
import { installErrorHandler, installNotFoundHandler } from './HttpErrors.js';
import { recordFrame } from './RecordFrame.js';
import { installAccessHooks } from './auth/AccessHooks.js';
import { registerAuthRoutes } from './auth/AuthRoutes.js';
import { HostPolicy, type HostPolicyOptions } from './auth/RequestGuards.js';
import { z } from 'zod';
import { documented, errorResponses, registerOpenApi } from './OpenApi.js';
import { answerNotBuilt, registerStaticFiles } from './StaticFiles.js';
import { readTlsFiles, watchTlsFiles, type TlsFileOptions } from './TlsFiles.js';
import { WebSocketGateway } from './WebSocketGateway.js';

export interface HttpServerOptions {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 0 (any free port; read it back from `port`). */
  readonly port?: number;
  readonly stream: DataStream;
  /**
   * Who may do what (src/access/): `AccessControl.none()` opens every door (auth.mode none, tests that
   * are not about access).
   */
  readonly access: AccessControl;
  /** Allowed Host and Origin headers besides the defaults (RequestGuards.ts). */
  readonly hostPolicy?: Omit<HostPolicyOptions, 'bindHost'>;
  /** Account and region of audit records. Default: the Voice Connector defaults. */
  readonly origin?: AuditOrigin;
  /** How often open WebSockets' credentials are re-checked. Default 10 000 ms. */
  readonly recheckMs?: number;
  readonly registry?: ConnectionRegistry;
  /** Directory served at `/`; no static files when absent. */
  readonly webRoot?: string;
  readonly logger?: Logger;
  /** Per-WebSocket-client outgoing budget. Default 4 MiB. */
  readonly maxBufferedBytes?: number;
  /** See WebSocketGatewayOptions.slowConsumerGraceMs. Default 2000 ms. */
  readonly slowConsumerGraceMs?: number;
  /** See WebSocketGatewayOptions.heartbeatIntervalMs. Default 30 000 ms. */
  readonly heartbeatIntervalMs?: number;
  /** See WebSocketGatewayOptions.maxClients. Default 256. */
  readonly maxClients?: number;
  /** See WebSocketGatewayOptions.maxClientsPerSource. Default 32. */
  readonly maxClientsPerSource?: number;
  /** HTTPS and WSS with these files (reloaded when they change), and HSTS; absent: plain HTTP. */
  readonly tls?: TlsFileOptions;
  /** Header and whole-request deadlines (see HttpDeadlineLimits). Default 10 s and 30 s. */
  readonly deadlines?: Partial<HttpDeadlineLimits>;
  /** Registers the host's own routes before the server listens. */
  readonly routes?: (app: FastifyInstance) => void | Promise<void>;
  /** Adds the host's own metrics to /metrics (e.g. a role's pipelines and jobs). */
  readonly metrics?: (registry: Registry) => void;
  /** More fields for /healthz (e.g. the roles). */
  readonly healthDetails?: () => Record<string, unknown>;
  /** Callsight's version, for the OpenAPI document. Default `0.0.0`. */
  readonly version?: string;
}

const DEFAULT_RECORDS_LIMIT = 100;
const MAX_RECORDS_LIMIT = 1000;

/**
 * The gateway's HTTP side: health, Prometheus metrics, a polling API over the stream, the web app's
 * files, and the WebSocket gateway on the same port.
 */
export class HttpServer {
  readonly #app: FastifyInstance;
  readonly #gateway: WebSocketGateway;
  readonly #metrics: Registry;
  readonly #logger: Logger;
  readonly #healthDetails: () => Record<string, unknown>;
  readonly #routeList: string[] = [];
  #stopTlsWatch: () => void = () => undefined;
  #ready = false;
  #closePromise: Promise<void> | undefined;

  static async start(options: HttpServerOptions): Promise<HttpServer> {
    const server = new HttpServer(options);
    // @fastify/swagger must be loaded before any route is added: it collects them as they come.
    await registerOpenApi(server.#app, options.version ?? '0.0.0');
    server.#addRoutes(options);
    await options.routes?.(server.#app);
    try {
      await server.#app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
    } catch (err) {
      await server.close();
      throw err;
    }
    server.#logger.info({ port: server.port }, 'http server listening');
    return server;
  }

  private constructor(options: HttpServerOptions) {
    this.#logger = (options.logger ?? silentLogger).child({ component: 'http' });
    // Fastify logs through the host's logger, but not a line per request. The cast drops the pino
    // logger type parameter so hosts' route callbacks take a plain FastifyInstance.
    const deadlines = new HttpDeadlines(options.deadlines ?? {}, this.#logger);
    const { http: serverOptions, ...fastifyOptions } = deadlines.fastifyOptions();
    const tls = options.tls;
    this.#app = Fastify({
      loggerInstance: this.#logger,
      logController: new LogController({ disableRequestLogging: true }),
      ...fastifyOptions,
      ...(tls ? { https: { ...serverOptions, ...readTlsFiles(tls) } } : { http: serverOptions }),
    }) as unknown as FastifyInstance;
    if (tls)
      this.#stopTlsWatch = watchTlsFiles(this.#app.server as unknown as HttpsServer, tls, this.#logger);
    this.#app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) this.#routeList.push(`${method} ${route.url}`);
    });
    const hosts = new HostPolicy({ ...options.hostPolicy, bindHost: options.host ?? '127.0.0.1' });
    deadlines.watch(this.#app.server);
    this.#gateway = new WebSocketGateway({
      server: this.#app.server,
      stream: options.stream,
      access: options.access,
      hosts,
      ...(options.recheckMs !== undefined ? { recheckMs: options.recheckMs } : {}),
      registry: options.registry,
      maxBufferedBytes: options.maxBufferedBytes,
      slowConsumerGraceMs: options.slowConsumerGraceMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      maxClients: options.maxClients,
      maxClientsPerSource: options.maxClientsPerSource,
      logger: options.logger,
    });
    const stream = options.stream;
    const gateway = this.#gateway;
    this.#metrics = createGatewayMetrics({
      stream,
      counts: () => gateway.counts(),
      deadlines,
    });
    options.metrics?.(this.#metrics);
    this.#healthDetails = options.healthDetails ?? (() => ({}));
    installErrorHandler(this.#app, this.#logger);
    installAccessHooks(this.#app, {
      access: options.access,
      hosts,
      stream: options.stream,
      hsts: tls !== undefined,
      origin: options.origin ?? { account: '000000000000', region: 'us-east-1' },
      logger: this.#logger,
    });
  }

  #addRoutes(options: HttpServerOptions): void {
    registerAuthRoutes(this.#app, options.access, { secureCookies: options.tls !== undefined });
    const webRoot = options.webRoot;
    installNotFoundHandler(
      this.#app,
      webRoot === undefined ? undefined : (request, reply) => answerNotBuilt(webRoot, request, reply),
    );
    this.#routes(options.stream);
    if (webRoot !== undefined) registerStaticFiles(this.#app, webRoot);
  }

  get port(): number {
    const address = this.#app.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** Every route served, as `METHOD /url/:param` (what the route table must cover). */
  get routeList(): readonly string[] {
    return this.#routeList;
  }

  get gateway(): WebSocketGateway {
    return this.#gateway;
  }

  get closed(): boolean {
    return this.#closePromise !== undefined;
  }

  /** Turns /healthz green; the host calls it once every stage is up. */
  setReady(ready: boolean): void {
    this.#ready = ready && !this.closed;
  }

  /** Stops accepting, closes WebSocket clients with 1001, then the HTTP server. Idempotent. */
  close(): Promise<void> {
    this.#closePromise ??= (async () => {
      this.#stopTlsWatch();
      this.#ready = false;
      await this.#gateway.close();
      await this.#app.close();
      this.#logger.info('http server closed');
    })();
    return this.#closePromise;
  }

  #routes(stream: DataStream): void {
    const app = this.#app;
    registerHealthRoutes(app, {
      readiness: () => (this.#ready ? 'ok' : this.closed ? 'shutting down' : 'starting'),
      details: () => ({
        ...this.#healthDetails(),
        ...this.#gateway.counts(),
        lastSequence: safeLastSequence(stream),
      }),
      metrics: this.#metrics,
    });
    app.get<{ Querystring: { from?: string; limit?: string } }>(
      '/api/records',
      documented({
        summary: 'Records of the data stream from a sequence number (polling instead of the WebSocket)',
        description: 'The records of docs/messages.md, an agent sees only their calls.',
        tags: ['Records'],
        querystring: z.object({
          from: z.string().regex(/^\d+$/).optional().describe('First sequence number (default 0)'),
          limit: z
            .string()
            .regex(/^\d+$/)
            .optional()
            .describe(`1..${MAX_RECORDS_LIMIT}, default ${DEFAULT_RECORDS_LIMIT}`),
        }),
        response: {
          200: z
            .array(
              z.looseObject({
                sequenceNumber: z.string(),
                'detail-type': z.string().optional(),
                detail: z.unknown().optional(),
              }),
            )
            .meta({
              examples: [
                [
                  {
                    sequenceNumber: '42',
                    version: '0',
                    id: 'a7d1b8a2-7c1e-4c57-9b5a-2f7e33c3f6a1',
                    'detail-type': 'Media Insights State Change',
                    source: 'aws.chime',
                    time: '2026-12-07T12:00:00Z',
                    detail: {
                      callId: '6f1c1c4e-3a59-4a55-9d4c-1b0f0c3d2a10',
                      eventType: 'media_insights_started',
                    },
                  },
                ],
              ],
            }),
          ...errorResponses('CS_ERR_BAD_REQUEST'),
        },
      }),
      async (request, reply) => {
        const from = parseSequence(request.query.from ?? '0');
        let limit = DEFAULT_RECORDS_LIMIT;
        if (request.query.limit !== undefined) {
          limit = Number(request.query.limit);
          if (!/^\d{1,4}$/.test(request.query.limit) || limit < 1 || limit > MAX_RECORDS_LIMIT) {
            throw new ValidationError('GET /api/records', [
              { path: 'limit', message: `must be an integer 1..${MAX_RECORDS_LIMIT}` },
            ]);
          }
        }
        const scope = new RecordScope(request.principal!);
        const records = (await stream.read(String(from), limit)).filter((record) => scope.allows(record));
        return reply.type('application/json; charset=utf-8').send(`[${records.map(recordFrame).join(',')}]`);
      },
    );
  }
}

function safeLastSequence(stream: DataStream): string | null {
  try {
    return stream.lastSequence();
  } catch {
    return null;
  }
}
