import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessControl } from '../../access/AccessControl.js';
import { auditEvent, type AuditEntry, type AuditOrigin } from '../../access/Audit.js';
import { CALLBACK_PATH } from '../../access/Oidc.js';
import { roleAllows, type Principal } from '../../access/Roles.js';
import { CallsightError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { DataStream } from '../../stream/StreamTypes.js';
import { HostPolicy, presentedCredentials } from './RequestGuards.js';
import { ruleFor } from './RouteTable.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking (null on a public route without credentials). */
    principal: Principal | null;
    /** The name a failed sign-in tried, for its audit record. */
    auditActor: string | null;
  }
}

export interface AccessHooksOptions {
  readonly access: AccessControl;
  readonly hosts: HostPolicy;
  /** Where audit records go; none (tests) writes none. */
  readonly stream?: DataStream;
  readonly origin: AuditOrigin;
  readonly logger: Logger;
  /** Adds Strict-Transport-Security (the server speaks HTTPS). */
  readonly hsts?: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const JSON_TYPE = /^application\/json\s*(;|$)/i;
const YAML_TYPE = /^(application|text)\/(x-)?yaml\s*(;|$)/i;

/**
 * The web app's and the API's security headers. The CSP allows only this origin's scripts (the
 * built app has no inline script); inline styles stay allowed for the editor and charts, which set
 * them at run time.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Locks every door of the HTTP server, in one place:
 * - Host header against the allowed names (DNS rebinding; /healthz and /metrics are exempt so that
 *   probes addressing the pod's IP keep working);
 * - on /api, the route table: credentials (bearer token or session cookie) and role, 401/403;
 * - a body on a state-changing request only as JSON (YAML where the route takes it): 415;
 * - a change authenticated by the cookie only from an allowed Origin (CSRF);
 * - security headers on every answer; an audit record for every change and audited read.
 */
export function installAccessHooks(app: FastifyInstance, options: AccessHooksOptions): void {
  const { access, hosts } = options;
  app.decorateRequest('principal', null);
  app.decorateRequest('auditActor', null);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!;
    if (path !== '/healthz' && path !== '/metrics' && !hosts.allowsHost(request.headers.host))
      throw new CallsightError(
        'CS_ERR_HOST_NOT_ALLOWED',
        `this server does not answer to ${request.headers.host ?? '(no Host)'}`,
      );
    if (!path.startsWith('/api/')) return;
    const url = request.routeOptions.url;
    if (url === undefined) return; // no such route: 404
    // auth.mode none has no rules to keep: every route is open, the body types are still checked.
    const rule =
      ruleFor(request.method, url) ?? (access.mode === 'none' ? { role: 'public' as const } : undefined);
    if (!rule) throw new CallsightError('CS_ERR_FORBIDDEN', `${request.method} ${url} has no access rule`);
    if (!SAFE_METHODS.has(request.method) && hasBody(request)) {
      const type = request.headers['content-type'] ?? '';
      if (!JSON_TYPE.test(type) && !(rule.yaml && YAML_TYPE.test(type)))
        throw new CallsightError(
          'CS_ERR_UNSUPPORTED_MEDIA_TYPE',
          `${request.method} ${url} takes application/json${rule.yaml ? ' or YAML' : ''}, not ${type || 'a body without a type'}`,
        );
    }
    const credentials = presentedCredentials(request.headers);
    const principal = await access.authenticate(credentials);
    request.principal = principal;
    if (rule.role === 'public') return;
    if (!principal)
      throw new CallsightError('CS_ERR_UNAUTHENTICATED', 'sign in, or send Authorization: Bearer <token>');
    if (!roleAllows(principal.role, rule.role))
      throw new CallsightError('CS_ERR_FORBIDDEN', `${request.method} ${url} needs the ${rule.role} role`);
    if (credentials.via === 'cookie' && !SAFE_METHODS.has(request.method)) refuseCrossSite(request, hosts);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    if (options.hsts) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    return payload;
  });
  const stream = options.stream;
  if (stream)
    app.addHook('onResponse', async (request, reply) => {
      const url = request.routeOptions.url;
      if (url === undefined || request.method === 'HEAD') return;
      const rule = ruleFor(request.method, url);
      if (!rule || !(rule.audit || !SAFE_METHODS.has(request.method))) return;
      const entry = auditEntry(request, reply, url);
      stream
        // Not keyed to the call: erasing a call must not erase who fetched or erased it.
        .append(auditEvent(entry, options.origin), { type: 'Callsight Audit', callId: null })
        .catch((err: unknown) => options.logger.error({ err }, 'audit record append failed'));
    });
}

function refuseCrossSite(request: FastifyRequest, hosts: HostPolicy): void {
  const origin = request.headers.origin ?? refererOrigin(request.headers.referer);
  if (!hosts.allowsOrigin(origin, request.headers.host))
    throw new CallsightError(
      'CS_ERR_ORIGIN_NOT_ALLOWED',
      `a change signed in with the session cookie from ${origin ?? '?'}`,
    );
}

function refererOrigin(referer: string | undefined): string | undefined {
  try {
    return referer === undefined ? undefined : new URL(referer).origin;
  } catch {
    return 'null';
  }
}

function auditEntry(request: FastifyRequest, reply: FastifyReply, url: string): AuditEntry {
  const principal = request.principal;
  const params = (request.params ?? {}) as Record<string, string>;
  return {
    actor: principal?.name ?? request.auditActor ?? 'unknown',
    actorKind: principal?.kind ?? 'unknown',
    // A single sign-on is a sign-in like a password's, told apart by its target.
    action:
      url === '/api/auth/login' || url === CALLBACK_PATH
        ? 'auth.login'
        : url === '/api/auth/logout'
          ? 'auth.logout'
          : `${request.method} ${url}`,
    target: url === CALLBACK_PATH ? { via: 'oidc' } : { ...params },
    outcome: reply.statusCode < 400 ? 'success' : 'failure',
    status: reply.statusCode,
    remoteAddress: request.ip,
    ...(params.callId ? { callId: params.callId } : {}),
  };
}
