import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { documented, errorResponses } from './OpenApi.js';
import { NotReadyError } from '../platform/errors.js';

type Readiness = 'ok' | 'starting' | 'shutting down';

export interface HealthRoutesOptions {
  /** 'ok' once every stage of the process is up. */
  readonly readiness: () => Readiness;
  /** What /healthz reports besides its status (the roles, calls, pipelines, stream position). */
  readonly details: () => Record<string, unknown>;
  /** Served at /metrics as Prometheus text. */
  readonly metrics: Registry;
}

/**
 * GET /healthz and GET /metrics, for the gateway's server and for a process without one alike.
 * /healthz is 200 `{status: 'ok', …details}` when ready; while starting or shutting down it is a 503
 * CS_ERR_NOT_READY error whose `details` hold the same fields (`status: 'starting'` or
 * `'shutting down'`), so that a probe sees how far the process got.
 */
export function registerHealthRoutes(app: FastifyInstance, options: HealthRoutesOptions): void {
  app.get(
    '/healthz',
    documented({
      summary: 'Readiness: 200 once every stage is up, 503 while starting or shutting down',
      tags: ['Operations'],
      response: {
        200: z
          .looseObject({ status: z.literal('ok') })
          .meta({ examples: [{ status: 'ok', roles: ['sip', 'worker', 'gateway'], lastSequence: '1234' }] }),
        ...errorResponses('CS_ERR_NOT_READY'),
      },
    }),
    () => {
      const status = options.readiness();
      const health = { status, ...options.details() };
      if (status !== 'ok') throw new NotReadyError(`Callsight is ${status}`, health);
      return health;
    },
  );
  app.get(
    '/metrics',
    documented({
      summary: 'Prometheus metrics (docs/metrics.md)',
      tags: ['Operations'],
      produces: ['text/plain'],
      response: {
        200: {
          description: 'Prometheus text exposition format',
          content: { 'text/plain': { schema: z.string() } },
        },
      },
    }),
    async (_request, reply) => {
      reply.type(options.metrics.contentType);
      return options.metrics.metrics();
    },
  );
}
