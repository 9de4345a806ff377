import * as client from 'openid-client';
import { isRole, roleAllows, ROLES, type Role } from './Roles.js';

/** The OpenID Connect settings (auth.oidc.* of the configuration, the secret already read). */
export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  /** Empty: a public client (PKCE only). Never logged. */
  readonly clientSecret: string;
  /** Empty: http.publicUrl's, else the request's own origin, + CALLBACK_PATH. */
  readonly redirectUrl: string;
  readonly scopes: string;
  readonly usernameClaim: string;
  readonly roleClaim: string;
  /** Claim value → role. */
  readonly roleMap: ReadonlyMap<string, Role>;
  readonly agentClaim: string;
}

export const CALLBACK_PATH = '/api/auth/oidc/callback';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** HTTPS, or plain HTTP to a provider on this machine (tests, a provider beside Callsight). */
export function issuerAllowed(issuer: URL): boolean {
  return issuer.protocol === 'https:' || (issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname));
}

/** `value=role,value2=role` (auth.oidc.roleMap); throws naming the bad pair. */
export function parseRoleMap(text: string): Map<string, Role> {
  const map = new Map<string, Role>();
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.lastIndexOf('=');
    const value = pair.slice(0, at).trim();
    const role = pair.slice(at + 1).trim();
    if (at < 1 || value === '') throw new Error(`"${pair.trim()}" is not claim-value=role`);
    if (!isRole(role)) throw new Error(`"${pair.trim()}": the role must be one of ${ROLES.join(', ')}`);
    map.set(value, role);
  }
  return map;
}

/** A claim's values by name or dotted path (`realm_access.roles`): strings, or the strings of a list. */
function claimValues(claims: Readonly<Record<string, unknown>>, path: string): string[] {
  let value: unknown = path in claims ? claims[path] : claims;
  if (!(path in claims))
    for (const part of path.split('.'))
      value =
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** What the claims of a signed-in user make of them in Callsight, or why they may not come in. */
export type ClaimMapping =
  | { readonly ok: true; readonly username: string; readonly role: Role; readonly agentPatterns: string[] }
  | { readonly ok: false; readonly username: string; readonly reason: string };

const USERNAME_CHARS = /[^A-Za-z0-9._@-]+/g;

/**
 * The role (the highest of those auth.oidc.roleMap gives the role claim's values), the agent
 * identities and the user name the claims give. No mapped value: refused.
 */
export function mapClaims(claims: Readonly<Record<string, unknown>>, settings: OidcSettings): ClaimMapping {
  const preferred = claimValues(claims, settings.usernameClaim)[0] ?? String(claims.sub);
  const username = preferred.replace(USERNAME_CHARS, '-').slice(0, 64) || 'sso-user';
  let role: Role | undefined;
  for (const value of claimValues(claims, settings.roleClaim)) {
    const mapped = settings.roleMap.get(value);
    if (mapped && (role === undefined || roleAllows(mapped, role))) role = mapped;
  }
  if (role === undefined)
    return {
      ok: false,
      username,
      reason: `your account has no Callsight role: none of the values of its "${settings.roleClaim}" claim is mapped to one (auth.oidc.roleMap). Ask a Callsight administrator.`,
    };
  const agentPatterns = role === 'agent' ? claimValues(claims, settings.agentClaim) : [];
  if (role === 'agent' && agentPatterns.length === 0)
    return {
      ok: false,
      username,
      reason: `your account maps to the agent role but its "${settings.agentClaim}" claim names no agent identity. Ask a Callsight administrator.`,
    };
  return { ok: true, username, role, agentPatterns };
}

/**
 * Why a code flow failed, for the refusal page and the log: openid-client's message and the one it
 * wraps, which names the check (`unexpected ID Token "nonce" claim value`, `"state" response
 * parameter`, the provider's `invalid_grant`). The messages carry no token or secret.
 */
export function failureReason(err: unknown): string {
  const messages: string[] = [];
  for (let at: unknown = err; at instanceof Error && messages.length < 3; at = at.cause)
    if (!messages.includes(at.message)) messages.push(at.message);
  return messages.join(': ') || String(err);
}

/** What the browser keeps between the redirect to the provider and its return (a short-lived cookie). */
export interface PendingSignIn {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** The verified identity a finished code flow gives: the issuer's subject and its claims. */
export interface OidcIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * The relying party of OpenID Connect's authorization code flow with PKCE, by openid-client: the
 * provider's metadata discovered on first use (and again after a failure, so a provider down at
 * Callsight's start does not need a restart), the redirect to the provider with state, nonce and
 * an S256 code challenge, and at the callback the code exchanged, the ID token verified (signature,
 * issuer, audience, expiry, nonce) and the user info fetched for the claims the ID token left out.
 */
export class OidcSignIn {
  readonly settings: OidcSettings;
  #configuration: Promise<client.Configuration> | null = null;

  constructor(settings: OidcSettings) {
    this.settings = settings;
  }

  #discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    const url = new URL(issuer);
    this.#configuration ??= client
      .discovery(
        url,
        clientId,
        undefined,
        clientSecret === '' ? client.None() : client.ClientSecretPost(clientSecret),
        url.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {},
      )
      .catch((err: unknown) => {
        this.#configuration = null;
        throw err;
      });
    return this.#configuration;
  }

  /** The provider's authorization URL to send the browser to, and what to keep until it returns. */
  async start(redirectUrl: string): Promise<{ url: string; pending: PendingSignIn }> {
    const configuration = await this.#discover();
    const pending = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    const scopes = new Set(this.settings.scopes.split(/\s+/).filter(Boolean));
    scopes.add('openid');
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUrl,
      scope: [...scopes].join(' '),
      response_type: 'code',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  /**
   * The provider's answer at the redirect URL (`query`: its query string): throws when it carries
   * an error, the state differs, the code does not go with the PKCE verifier, or the ID token does
   * not verify or carries another nonce.
   */
  async finish(redirectUrl: string, query: string, pending: PendingSignIn): Promise<OidcIdentity> {
    const configuration = await this.#discover();
    const current = new URL(redirectUrl);
    current.search = query;
    const tokens = await client.authorizationCodeGrant(configuration, current, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims()!;
    let userInfo: Record<string, unknown> = {};
    if (configuration.serverMetadata().userinfo_endpoint)
      userInfo = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
    return {
      issuer: idClaims.iss,
      subject: idClaims.sub,
      // The ID token's own claims win over the user info's.
      claims: { ...userInfo, ...idClaims },
    };
  }
}
