import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema, RouteShorthandOptions } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../platform/errors.js';
import { SESSION_COOKIE } from './auth/RequestGuards.js';
import { EXCEPTION } from './HttpErrors.js';
import { ruleFor } from './auth/RouteTable.js';

/** Where the OpenAPI document and its reference page are served (docs/api.md). */
export const OPENAPI_PATH = '/api/openapi.json';
export const API_DOCS_PREFIX = '/api/docs';

/** The error body of every answer >= 400 (HttpErrors.ts ErrorBody), for the document. */
const errorBodySchema = z
  .object({
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    exception: z.string().describe("Chime's exception name for the status"),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe("A validation error's problems, each with its path"),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('An error (docs/errors.md)');

/** Error answers of a route, by status, each with one example of its body. */
export function errorResponses(...codes: readonly ErrorCode[]): Record<string, z.ZodType> {
  const out: Record<string, z.ZodType> = {};
  for (const code of codes) {
    const status = String(ERROR_CODES[code].status);
    out[status] = errorBodySchema.meta({
      description: ERROR_CODES[code].summary,
      examples: [{ code, message: ERROR_CODES[code].summary, exception: exceptionOf(code) }],
    });
  }
  return out;
}

function exceptionOf(code: ErrorCode): string {
  return EXCEPTION[ERROR_CODES[code].status] ?? 'BadRequestException';
}

/**
 * Route options that describe a route with zod schemas for the OpenAPI document. The handlers keep
 * validating with the same schemas (parseBody), so the CS_ERR_BAD_REQUEST bodies, which list every
 * problem, stay as they are: Fastify's own validation is turned off for these routes, and replies
 * are serialised with JSON.stringify as on a route without a schema.
 */
export function documented(schema: FastifySchema & Record<string, unknown>): RouteShorthandOptions {
  return {
    schema,
    validatorCompiler: () => () => true,
    serializerCompiler: () => (data) => JSON.stringify(data),
  };
}

const ROLE_TEXT: Readonly<Record<string, string>> = {
  public: 'public: no credentials needed',
  agent: 'any signed-in user (agent and above); answers narrowed to their calls',
  viewer: 'viewer, supervisor or admin',
  supervisor: 'supervisor or admin',
  admin: 'admin',
};

/**
 * The OpenAPI 3.1 document at /api/openapi.json, generated from the routes' zod schemas
 * (fastify-type-provider-zod's transform), with each operation's access rule taken from the route
 * table (x-callsight-role, its security and 401/403 answers), and the reference page (Swagger UI,
 * bundled: no CDN) under /api/docs. Register before the routes: @fastify/swagger collects them as
 * they are added.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  const unauthenticated = errorResponses('CS_ERR_UNAUTHENTICATED', 'CS_ERR_FORBIDDEN');
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Callsight REST API',
        version,
        description:
          'Self-hosted real-time call analytics. Records stream over the WebSocket `/ws` (docs/messages.md); ' +
          'this document describes the REST routes under /api. Each operation names the least role it ' +
          'needs (`x-callsight-role`, from the route table of docs/security.md). Errors are ' +
          '`{code, message, exception, errors?}` with a CS_ERR_* code (docs/errors.md).',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          bearerToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token (`cs_…`): `callsight tokens create` or POST /api/tokens',
          },
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: "The web app's session (POST /api/auth/login); changes need a same-origin Origin",
          },
        },
      },
    },
    transform: (input) => {
      const { schema, url } = jsonSchemaTransform(input);
      const method = [input.route.method].flat()[0]!;
      // /healthz and /metrics are outside /api and open (RouteTable.ts).
      const rule = input.url.startsWith('/api/') ? ruleFor(method, input.url) : { role: 'public' as const };
      if (!schema || schema.hide || !rule) return { schema, url };
      const out = schema as Record<string, unknown> & { response?: Record<string, unknown> };
      out['x-callsight-role'] = rule.role;
      if (rule.audit) out['x-callsight-audited'] = true;
      out.description = [
        out.description,
        `Access: ${ROLE_TEXT[rule.role]}.${rule.audit ? ' Each request is audited.' : ''}`,
      ]
        .filter(Boolean)
        .join('\n\n');
      if (rule.role === 'public') out.security = [];
      else {
        out.security = [{ bearerToken: [] }, { sessionCookie: [] }];
        const converted = jsonSchemaTransform({
          ...input,
          schema: { response: unauthenticated },
        }).schema as { response: Record<string, unknown> };
        out.response = { ...out.response, ...converted.response };
      }
      return { schema: out, url };
    },
  });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
  await app.register(fastifySwaggerUi, {
    routePrefix: API_DOCS_PREFIX,
    // No validator badge: it would send the document to another host.
    validatorUrl: false,
    uiConfig: { deepLinking: true, tryItOutEnabled: false, persistAuthorization: false },
    theme: { title: 'Callsight REST API' },
  });
}
