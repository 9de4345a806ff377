import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { registerHealthRoutes } from '../../gateway/HealthRoutes.js';
import { HttpDeadlines, httpDeadlineMetrics, type HttpDeadlineLimits } from '../../gateway/HttpDeadlines.js';
import { installErrorHandler, installNotFoundHandler } from '../../gateway/HttpErrors.js';
import type { Logger } from '../../platform/logger.js';
import { registerScrapedMetrics } from '../../platform/metrics.js';

export interface HealthServerOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  /** What /healthz reports besides its status (the role, its calls or pipelines). */
  readonly details: () => Record<string, unknown>;
  readonly logger: Logger;
  /** Default 10 s and 30 s (see HttpDeadlineLimits). */
  readonly deadlines?: Partial<HttpDeadlineLimits>;
}

/**
 * /healthz and /metrics for a process without the gateway role (a `sip` or `worker` process), on
 * http.port: 200 once the roles are up, 503 while starting or shutting down.
 */
export class HealthServer {
  readonly #app: FastifyInstance;
  #ready = false;
  #closing: Promise<void> | null = null;

  private constructor(app: FastifyInstance) {
    this.#app = app;
  }

  static async start(options: HealthServerOptions): Promise<HealthServer> {
    const logger = options.logger.child({ component: 'http' });
    const deadlines = new HttpDeadlines(options.deadlines ?? {}, logger);
    const app = Fastify({
      loggerInstance: logger,
      logController: new LogController({ disableRequestLogging: true }),
      ...deadlines.fastifyOptions(),
    }) as unknown as FastifyInstance;
    deadlines.watch(app.server);
    registerScrapedMetrics(options.registry, httpDeadlineMetrics(deadlines));
    const server = new HealthServer(app);
    installErrorHandler(app, logger);
    installNotFoundHandler(app);
    registerHealthRoutes(app, {
      readiness: () => (server.#ready ? 'ok' : server.#closing ? 'shutting down' : 'starting'),
      details: options.details,
      metrics: options.registry,
    });
    await app.listen({ host: options.host, port: options.port });
    return server;
  }

  get port(): number {
    const address = this.#app.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  setReady(ready: boolean): void {
    this.#ready = ready && this.#closing === null;
  }

  close(): Promise<void> {
    this.#ready = false;
    this.#closing ??= this.#app.close();
    return this.#closing;
  }
}
