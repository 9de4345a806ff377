import type { Role } from '../../access/Roles.js';

/**
 * Who may call each route of /api and open /ws: ONE table, enforced by the onRequest hook of
 * AccessHooks.ts (401 without valid credentials, 403 with a role that may not). A route missing here
 * is refused to everyone but fails the route-table test first (test/gateway/auth/RouteMatrix.test.ts
 * compares it with the routes Fastify has). The role is the least one allowed: admin ⊃ supervisor ⊃
 * viewer; `agent` means any signed-in user, whose answers the handler narrows to their calls.
 *
 * /healthz and /metrics are outside /api and stay open (probes and Prometheus scrape without
 * credentials; they carry counts, never call content); the web app's files are public too (they hold
 * no data). docs/security.md prints this table.
 */
export interface RouteRule {
  /** `public`: no credentials needed. */
  readonly role: Role | 'public';
  /** Writes an audit record for each request (changes always do). */
  readonly audit?: boolean;
  /** Bodies it takes besides application/json (the configuration API reads YAML too). */
  readonly yaml?: boolean;
}

export const ROUTE_TABLE: Readonly<Record<string, RouteRule>> = {
  'POST /api/auth/login': { role: 'public', audit: true },
  'POST /api/auth/logout': { role: 'public' },
  'GET /api/auth/me': { role: 'public' },
  'GET /api/auth/oidc/start': { role: 'public' },
  'GET /api/auth/oidc/callback': { role: 'public', audit: true },

  // The API's description and its reference page: the same for every installation (generated from
  // the code, no data, no settings), so public like the web app's files (docs/security.md).
  'GET /api/openapi.json': { role: 'public' },
  'GET /api/docs': { role: 'public' },
  'GET /api/docs/json': { role: 'public' },
  'GET /api/docs/yaml': { role: 'public' },
  'GET /api/docs/static/*': { role: 'public' },
  'GET /api/docs/static/index.html': { role: 'public' },
  'GET /api/docs/static/swagger-initializer.js': { role: 'public' },

  'GET /ws': { role: 'agent' },
  'GET /api/records': { role: 'agent' },
  'GET /api/stream': { role: 'agent' },

  'GET /api/calls': { role: 'viewer' },
  'GET /api/calls/:callId': { role: 'viewer' },
  'GET /api/calls/:callId/analytics': { role: 'viewer' },
  'GET /api/calls/:callId/recording': { role: 'supervisor', audit: true },
  'GET /api/calls/:callId/recording.wav': { role: 'supervisor', audit: true },
  'GET /api/calls/:callId/recording.redacted.wav': { role: 'supervisor', audit: true },
  'DELETE /api/calls/:callId': { role: 'admin' },
  'GET /api/routes': { role: 'viewer' },

  'GET /api/pipelines': { role: 'viewer' },
  'GET /api/pipelines/:id': { role: 'viewer' },
  'POST /api/pipelines': { role: 'supervisor' },
  'PUT /api/pipelines/:id/status': { role: 'supervisor' },
  'DELETE /api/pipelines/:id': { role: 'supervisor' },

  'GET /api/configurations': { role: 'viewer' },
  'GET /api/configurations/:identifier': { role: 'viewer' },
  'POST /api/configurations': { role: 'admin', yaml: true },
  'PUT /api/configurations/:identifier': { role: 'admin', yaml: true },
  'DELETE /api/configurations/:identifier': { role: 'admin' },

  'GET /api/vocabularies': { role: 'viewer' },
  'GET /api/vocabularies/:name': { role: 'viewer' },
  'POST /api/vocabularies': { role: 'admin' },
  'PUT /api/vocabularies/:name': { role: 'admin' },
  'DELETE /api/vocabularies/:name': { role: 'admin' },

  'GET /api/vocabulary-filters': { role: 'viewer' },
  'GET /api/vocabulary-filters/:name': { role: 'viewer' },
  'POST /api/vocabulary-filters': { role: 'admin' },
  'PUT /api/vocabulary-filters/:name': { role: 'admin' },
  'DELETE /api/vocabulary-filters/:name': { role: 'admin' },

  'POST /api/voice-connectors/:voiceConnectorId/voice-tone-analysis-tasks': { role: 'supervisor' },
  'GET /api/voice-connectors/:voiceConnectorId/voice-tone-analysis-tasks/:taskId': { role: 'viewer' },
  'POST /api/voice-connectors/:voiceConnectorId/voice-tone-analysis-tasks/:taskId': { role: 'supervisor' },
  'POST /api/voice-connectors/:voiceConnectorId/speaker-search-tasks': { role: 'supervisor' },
  'GET /api/voice-connectors/:voiceConnectorId/speaker-search-tasks/:taskId': { role: 'viewer' },
  'POST /api/voice-connectors/:voiceConnectorId/speaker-search-tasks/:taskId': { role: 'supervisor' },

  'GET /api/users': { role: 'admin' },
  'POST /api/users': { role: 'admin' },
  'PATCH /api/users/:username': { role: 'admin' },
  'DELETE /api/users/:username/sessions': { role: 'admin' },
  'GET /api/tokens': { role: 'admin' },
  'POST /api/tokens': { role: 'admin' },
  'DELETE /api/tokens/:id': { role: 'admin' },
};

/** The rule of a route by method and Fastify URL pattern; HEAD goes with GET. */
export function ruleFor(method: string, url: string): RouteRule | undefined {
  return ROUTE_TABLE[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}
