import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../../platform/logger.js';

export interface HealthServerOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  /** What /healthz reports besides its status (the role, its calls or pipelines). */
  readonly details: () => Record<string, unknown>;
  readonly logger: Logger;
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
    const app = Fastify({
      loggerInstance: options.logger.child({ component: 'http' }),
      logController: new LogController({ disableRequestLogging: true }),
    }) as unknown as FastifyInstance;
    const server = new HealthServer(app);
    app.get('/healthz', async (_request, reply) => {
      const details = options.details();
      if (!server.#ready)
        return reply.code(503).send({ status: server.#closing ? 'shutting down' : 'starting', ...details });
      return { status: 'ok', ...details };
    });
    app.get('/metrics', async (_request, reply) => {
      reply.type(options.registry.contentType);
      return options.registry.metrics();
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
