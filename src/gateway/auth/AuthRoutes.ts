import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseBody } from '../HttpErrors.js';
import type { AccessControl } from '../../access/AccessControl.js';
import { ROLES } from '../../access/Roles.js';
import { CallsightError } from '../../platform/errors.js';
import { registerOidcRoutes } from './OidcRoutes.js';
import { presentedCredentials, sessionCookie } from './RequestGuards.js';

const loginSchema = z.strictObject({ username: z.string().max(64), password: z.string().max(1024) });
const roleSchema = z.enum(ROLES);
const patternsSchema = z.array(z.string().min(1).max(256)).max(32);
const newUserSchema = z.strictObject({
  username: z.string(),
  role: roleSchema,
  password: z.string().max(1024).optional(),
  agentPatterns: patternsSchema.optional(),
});
const userChangeSchema = z.strictObject({
  role: roleSchema.optional(),
  agentPatterns: patternsSchema.optional(),
  password: z.string().max(1024).optional(),
  disabled: z.boolean().optional(),
});
const newTokenSchema = z.strictObject({
  name: z.string(),
  role: roleSchema,
  /** Null: never expires. Default 90 days. */
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(90),
});

function actorOf(request: FastifyRequest): string {
  return request.principal?.name ?? 'unknown';
}

/**
 * Signing in and out (`/api/auth/…`, the web app's session cookie; single sign-on in OidcRoutes.ts), and the administration of users
 * and API tokens (`/api/users`, `/api/tokens`; admins only, by the route table). A token's secret is
 * in the answer to its creation and nowhere else.
 */
export function registerAuthRoutes(
  app: FastifyInstance,
  access: AccessControl,
  options: { secureCookies: boolean },
): void {
  app.post('/api/auth/login', async (request, reply) => {
    if (access.mode === 'none')
      throw new CallsightError('CS_ERR_BAD_REQUEST', 'authentication is off (auth.mode none)');
    if (!access.passwordSignIn)
      throw new CallsightError('CS_ERR_BAD_REQUEST', 'sign in with single sign-on (auth.mode oidc)');
    const { username, password } = parseBody(loginSchema, request.body, 'sign-in');
    request.auditActor = username;
    const waitMs = access.loginWaitMs(username, request.ip);
    if (waitMs > 0) {
      reply.header('retry-after', Math.ceil(waitMs / 1000));
      throw new CallsightError('CS_ERR_RATE_LIMITED', 'too many failed sign-ins: wait and try again');
    }
    const signedIn = await access.login(username, password, request.ip);
    if (!signedIn) throw new CallsightError('CS_ERR_UNAUTHENTICATED', 'wrong user name or password');
    request.principal = signedIn.principal;
    const maxAge = Math.floor((signedIn.expiresAt - Date.now()) / 1000);
    reply.header('set-cookie', sessionCookie(signedIn.session, maxAge, options.secureCookies));
    return { user: whoAmI(signedIn.principal), expiresAt: new Date(signedIn.expiresAt).toISOString() };
  });
  app.post('/api/auth/logout', async (request, reply: FastifyReply) => {
    const { session } = presentedCredentials(request.headers);
    if (session && access.mode === 'local') await access.logout(session);
    reply.header('set-cookie', sessionCookie('', 0, options.secureCookies));
    return reply.code(204).send();
  });
  app.get('/api/auth/me', async (request) => ({
    mode: access.mode,
    /** How the sign-in page may sign in: with a password, with single sign-on. */
    signIn: { password: access.passwordSignIn, sso: access.oidc !== null },
    user: request.principal ? whoAmI(request.principal) : null,
  }));
  registerOidcRoutes(app, access, options);

  app.get('/api/users', async () => ({ users: await access.listUsers() }));
  app.post('/api/users', async (request, reply) => {
    const body = parseBody(newUserSchema, request.body, 'POST /api/users');
    return reply.code(201).send({ user: await access.addUser(body) });
  });
  app.patch<{ Params: { username: string } }>('/api/users/:username', async (request) => {
    const { username } = request.params;
    const change = parseBody(userChangeSchema, request.body, 'PATCH /api/users');
    if (change.password !== undefined) await access.setPassword(username, change.password);
    if (change.disabled !== undefined) await access.setDisabled(username, change.disabled);
    return {
      user: await access.updateUser(username, {
        ...(change.role ? { role: change.role } : {}),
        ...(change.agentPatterns ? { agentPatterns: change.agentPatterns } : {}),
      }),
    };
  });
  app.delete<{ Params: { username: string } }>('/api/users/:username/sessions', async (request) => ({
    ended: await access.endSessions(request.params.username),
  }));

  app.get('/api/tokens', async () => ({ tokens: await access.listTokens() }));
  app.post('/api/tokens', async (request, reply) => {
    const body = parseBody(newTokenSchema, request.body, 'POST /api/tokens');
    const created = await access.createToken({ ...body, createdBy: actorOf(request) });
    return reply.code(201).send({ token: created.token, ...created.info });
  });
  app.delete<{ Params: { id: string } }>('/api/tokens/:id', async (request, reply) => {
    await access.revokeToken(request.params.id);
    return reply.code(204).send();
  });
}

function whoAmI(principal: NonNullable<FastifyRequest['principal']>) {
  return {
    name: principal.name,
    kind: principal.kind,
    role: principal.role,
    agentPatterns: principal.agentPatterns,
  };
}
