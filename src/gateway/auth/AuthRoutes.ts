import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseBody } from '../HttpErrors.js';
import { documented, errorResponses } from '../OpenApi.js';
import type { AccessControl } from '../../access/AccessControl.js';
import { ROLES } from '../../access/Roles.js';
import { CallsightError } from '../../platform/errors.js';
import { registerOidcRoutes } from './OidcRoutes.js';
import { presentedCredentials, sessionCookie } from './RequestGuards.js';

const loginSchema = z
  .strictObject({ username: z.string().max(64), password: z.string().max(1024) })
  .meta({ examples: [{ username: 'admin', password: 'a-long-passphrase' }] });
const roleSchema = z.enum(ROLES);
const patternsSchema = z.array(z.string().min(1).max(256)).max(32);
const newUserSchema = z
  .strictObject({
    username: z.string(),
    role: roleSchema,
    password: z.string().max(1024).optional(),
    agentPatterns: patternsSchema.optional(),
  })
  .meta({
    examples: [
      {
        username: 'alice',
        role: 'agent',
        password: 'a-long-passphrase',
        agentPatterns: ['^\\+15550001001$'],
      },
    ],
  });
const userChangeSchema = z
  .strictObject({
    role: roleSchema.optional(),
    agentPatterns: patternsSchema.optional(),
    password: z.string().max(1024).optional(),
    disabled: z.boolean().optional(),
  })
  .meta({ examples: [{ role: 'supervisor' }, { disabled: true }] });
const newTokenSchema = z
  .strictObject({
    name: z.string(),
    role: roleSchema,
    /** Null: never expires. Default 90 days. */
    expiresInDays: z.number().int().min(1).max(3650).nullable().default(90),
  })
  .meta({ examples: [{ name: 'crm-export', role: 'viewer', expiresInDays: 30 }] });

const whoAmISchema = z.object({
  name: z.string(),
  kind: z.enum(['user', 'token', 'anonymous']),
  role: roleSchema,
  agentPatterns: z.array(z.string()),
});
const ADMIN = { name: 'admin', kind: 'user', role: 'admin', agentPatterns: [] };
const userSchema = z.object({
  username: z.string(),
  role: roleSchema,
  agentPatterns: z.array(z.string()),
  disabled: z.boolean(),
  createdAt: z.string(),
  external: z.boolean().describe('Signs in with single sign-on (no password)'),
});
const USER = {
  username: 'alice',
  role: 'agent',
  agentPatterns: ['^\\+15550001001$'],
  disabled: false,
  createdAt: '2026-12-07T12:00:00.000Z',
  external: false,
};
const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revoked: z.boolean(),
});
const TOKEN = {
  id: 'f3c9a0d2',
  name: 'crm-export',
  role: 'viewer',
  createdBy: 'admin',
  createdAt: '2026-12-07T12:00:00.000Z',
  expiresAt: '2027-01-06T12:00:00.000Z',
  revoked: false,
};
const usernameParams = z.object({ username: z.string() });
const noContent = z.null().describe('No content');
const USERS = ['Users and tokens'];

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
  app.post(
    '/api/auth/login',
    documented({
      summary: 'Sign in: sets the session cookie',
      tags: ['Sign-in'],
      body: loginSchema,
      response: {
        200: z
          .object({ user: whoAmISchema, expiresAt: z.string() })
          .meta({ examples: [{ user: ADMIN, expiresAt: '2026-12-08T12:00:00.000Z' }] }),
        ...errorResponses('CS_ERR_BAD_REQUEST', 'CS_ERR_UNAUTHENTICATED', 'CS_ERR_RATE_LIMITED'),
      },
    }),
    async (request, reply) => {
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
    },
  );
  app.post(
    '/api/auth/logout',
    documented({
      summary: 'Sign out: ends the session and clears its cookie',
      tags: ['Sign-in'],
      response: { 204: noContent },
    }),
    async (request, reply: FastifyReply) => {
      const { session } = presentedCredentials(request.headers);
      if (session && access.mode === 'local') await access.logout(session);
      reply.header('set-cookie', sessionCookie('', 0, options.secureCookies));
      return reply.code(204).send();
    },
  );
  app.get(
    '/api/auth/me',
    documented({
      summary: 'Who is signed in (user: null when nobody)',
      tags: ['Sign-in'],
      response: {
        200: z
          .object({
            mode: z.enum(['local', 'none']),
            signIn: z.object({ password: z.boolean(), sso: z.boolean() }),
            user: whoAmISchema.nullable(),
          })
          .meta({
            examples: [
              { mode: 'local', signIn: { password: true, sso: false }, user: ADMIN },
              { mode: 'local', signIn: { password: true, sso: true }, user: null },
            ],
          }),
      },
    }),
    async (request) => ({
      mode: access.mode,
      /** How the sign-in page may sign in: with a password, with single sign-on. */
      signIn: { password: access.passwordSignIn, sso: access.oidc !== null },
      user: request.principal ? whoAmI(request.principal) : null,
    }),
  );
  registerOidcRoutes(app, access, options);

  app.get(
    '/api/users',
    documented({
      summary: 'Users',
      tags: USERS,
      response: { 200: z.object({ users: z.array(userSchema) }).meta({ examples: [{ users: [USER] }] }) },
    }),
    async () => ({ users: await access.listUsers() }),
  );
  app.post(
    '/api/users',
    documented({
      summary: 'Add a user',
      tags: USERS,
      body: newUserSchema,
      response: {
        201: z.object({ user: userSchema }).meta({ examples: [{ user: USER }] }),
        ...errorResponses('CS_ERR_BAD_REQUEST', 'CS_ERR_USER_EXISTS'),
      },
    }),
    async (request, reply) => {
      const body = parseBody(newUserSchema, request.body, 'POST /api/users');
      return reply.code(201).send({ user: await access.addUser(body) });
    },
  );
  app.patch<{ Params: { username: string } }>(
    '/api/users/:username',
    documented({
      summary: "Change a user's role, agent identities, password or disabled flag",
      tags: USERS,
      params: usernameParams,
      body: userChangeSchema,
      response: {
        200: z.object({ user: userSchema }).meta({ examples: [{ user: USER }] }),
        ...errorResponses('CS_ERR_BAD_REQUEST', 'CS_ERR_NOT_FOUND'),
      },
    }),
    async (request) => {
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
    },
  );
  app.delete<{ Params: { username: string } }>(
    '/api/users/:username/sessions',
    documented({
      summary: "End a user's sessions (signs them out everywhere)",
      tags: USERS,
      params: usernameParams,
      response: { 200: z.object({ ended: z.number().int() }).meta({ examples: [{ ended: 2 }] }) },
    }),
    async (request) => ({
      ended: await access.endSessions(request.params.username),
    }),
  );

  app.get(
    '/api/tokens',
    documented({
      summary: 'API tokens (never their secrets)',
      tags: USERS,
      response: { 200: z.object({ tokens: z.array(tokenSchema) }).meta({ examples: [{ tokens: [TOKEN] }] }) },
    }),
    async () => ({ tokens: await access.listTokens() }),
  );
  app.post(
    '/api/tokens',
    documented({
      summary: 'Create an API token: its secret is in this answer and nowhere else',
      tags: USERS,
      body: newTokenSchema,
      response: {
        201: tokenSchema
          .extend({ token: z.string() })
          .meta({ examples: [{ token: 'cs_3q2-example-secret', ...TOKEN }] }),
        ...errorResponses('CS_ERR_BAD_REQUEST'),
      },
    }),
    async (request, reply) => {
      const body = parseBody(newTokenSchema, request.body, 'POST /api/tokens');
      const created = await access.createToken({ ...body, createdBy: actorOf(request) });
      return reply.code(201).send({ token: created.token, ...created.info });
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/api/tokens/:id',
    documented({
      summary: 'Revoke an API token',
      tags: USERS,
      params: z.object({ id: z.string() }),
      response: { 204: noContent, ...errorResponses('CS_ERR_NOT_FOUND') },
    }),
    async (request, reply) => {
      await access.revokeToken(request.params.id);
      return reply.code(204).send();
    },
  );
}

function whoAmI(principal: NonNullable<FastifyRequest['principal']>) {
  return {
    name: principal.name,
    kind: principal.kind,
    role: principal.role,
    agentPatterns: principal.agentPatterns,
  };
}
