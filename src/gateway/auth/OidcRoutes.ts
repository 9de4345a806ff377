import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccessControl } from '../../access/AccessControl.js';
import { CALLBACK_PATH, failureReason, mapClaims, type PendingSignIn } from '../../access/Oidc.js';
import { CallsightError } from '../../platform/errors.js';
import { documented, errorResponses } from '../OpenApi.js';
import { cookieValue, sessionCookie } from './RequestGuards.js';

/**
 * Between the redirect to the provider and its return, the browser holds state, nonce and PKCE
 * verifier in this cookie: HttpOnly, only sent to /api/auth/oidc, SameSite=Lax (the return is a
 * top-level navigation from the provider's site, which a Strict cookie would not follow), 10 minutes.
 */
const PENDING_COOKIE = 'callsight_oidc';
const PENDING_MAX_AGE_SEC = 600;
const pendingSchema = z.strictObject({
  state: z.string().min(1).max(512),
  nonce: z.string().min(1).max(512),
  codeVerifier: z.string().min(43).max(128),
});

function pendingCookie(value: string, maxAgeSec: number, secure: boolean): string {
  return `${PENDING_COOKIE}=${value}; Path=/api/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSec}${secure ? '; Secure' : ''}`;
}

function readPending(header: string | undefined): PendingSignIn | null {
  const value = cookieValue(header, PENDING_COOKIE);
  if (!value) return null;
  try {
    const parsed = pendingSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const redirect = z.null().describe('A redirect (Location header); no body');
const refusal = {
  description: 'A page saying why the sign-in was refused',
  content: { 'text/html': { schema: z.string() } },
};

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** The page a refused or failed single sign-on lands on (plain HTML: the web app is not loaded). */
function refusalPage(reply: FastifyReply, status: number, message: string): FastifyReply {
  const text = message.replace(/[&<>"]/g, (c) => ESCAPES[c]!);
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Callsight: sign-in refused</title></head>` +
        `<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">` +
        `<h1>Single sign-on refused</h1><p role="alert">${text}</p><p><a href="/">Back to Callsight's sign-in page</a></p></body></html>`,
    );
}

/**
 * Single sign-on with OpenID Connect (authorization code + PKCE): `GET /api/auth/oidc/start` sends
 * the browser to the provider; the provider sends it back to `GET /api/auth/oidc/callback`, where the
 * code is exchanged, the ID token verified, the claims mapped to a role (OidcSignIn, mapClaims) and
 * the same session cookie a password sign-in gives is set. A refusal is a page saying why, with 401
 * (the flow failed: wrong state, nonce or verifier, an error from the provider) or 403 (no role).
 * Both routes exist without single sign-on too, answering 404.
 */
export function registerOidcRoutes(
  app: FastifyInstance,
  access: AccessControl,
  options: { secureCookies: boolean },
): void {
  const oidcOf = () => {
    if (!access.oidc) throw new CallsightError('CS_ERR_NOT_FOUND', 'single sign-on is not configured');
    return access.oidc;
  };
  const redirectUrlOf = (request: FastifyRequest) =>
    oidcOf().settings.redirectUrl || `${request.protocol}://${request.host}${CALLBACK_PATH}`;

  app.get(
    '/api/auth/oidc/start',
    documented({
      summary: 'Single sign-on: redirects the browser to the OpenID provider (authorization code + PKCE)',
      tags: ['Sign-in'],
      response: { 303: redirect, ...errorResponses('CS_ERR_NOT_FOUND', 'CS_ERR_SSO_UNAVAILABLE') },
    }),
    async (request, reply) => {
      const oidc = oidcOf();
      const { url, pending } = await oidc.start(redirectUrlOf(request)).catch((err: unknown) => {
        request.log.warn({ err }, 'single sign-on: the OpenID provider cannot be reached');
        throw new CallsightError('CS_ERR_SSO_UNAVAILABLE', 'the single sign-on provider cannot be reached');
      });
      const value = Buffer.from(JSON.stringify(pending)).toString('base64url');
      reply.header('set-cookie', pendingCookie(value, PENDING_MAX_AGE_SEC, options.secureCookies));
      return reply.redirect(url, 303);
    },
  );

  app.get(
    CALLBACK_PATH,
    documented({
      summary: "Single sign-on: the provider's return; sets the session cookie and redirects to the web app",
      tags: ['Sign-in'],
      response: { 303: redirect, 401: refusal, 403: refusal, ...errorResponses('CS_ERR_NOT_FOUND') },
    }),
    async (request, reply) => {
      const oidc = oidcOf();
      reply.header('set-cookie', pendingCookie('', 0, options.secureCookies));
      const pending = readPending(request.headers.cookie);
      if (!pending)
        return refusalPage(reply, 401, 'The sign-in took too long or did not start here: start it again.');
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      let identity;
      try {
        identity = await oidc.finish(redirectUrlOf(request), query, pending);
      } catch (err) {
        // The library's message names the check that failed (state, nonce, PKCE, signature, error=…).
        request.log.warn({ err }, 'single sign-on failed');
        return refusalPage(reply, 401, `The single sign-on did not verify: ${failureReason(err)}`);
      }
      const mapping = mapClaims(identity.claims, oidc.settings);
      const result = await access.signInExternal(identity, mapping);
      request.auditActor = result.username;
      if ('refused' in result)
        return refusalPage(reply, 403, `Signed in as ${result.username}, but ${result.refused}`);
      const { signedIn } = result;
      request.principal = signedIn.principal;
      const maxAge = Math.floor((signedIn.expiresAt - Date.now()) / 1000);
      reply.header('set-cookie', [
        pendingCookie('', 0, options.secureCookies),
        sessionCookie(signedIn.session, maxAge, options.secureCookies),
      ]);
      return reply.redirect('/', 303);
    },
  );
}
