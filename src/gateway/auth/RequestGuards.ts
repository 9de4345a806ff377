import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type { Credentials } from '../../access/AccessControl.js';

/** The web app's session cookie: HttpOnly, SameSite=Strict, Path=/ (AuthRoutes.ts sets it). */
export const SESSION_COOKIE = 'callsight_session';
/**
 * Browsers cannot set headers on a WebSocket: they offer the subprotocols `callsight` and
 * `callsight.bearer.<token>`; the server answers `callsight` (never echoing the token).
 */
export const WS_PROTOCOL = 'callsight';
export const WS_BEARER_PREFIX = 'callsight.bearer.';

export interface PresentedCredentials extends Credentials {
  /** How they came: a session cookie needs the Origin check on changes (CSRF); a bearer token does not. */
  readonly via: 'bearer' | 'cookie' | 'none';
}

/** A Set-Cookie value for the session cookie (an empty value and 0 s: signed out). */
export function sessionCookie(value: string, maxAgeSec: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSec}${secure ? '; Secure' : ''}`;
}

export function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/**
 * A request's credentials: `Authorization: Bearer`, then (WebSocket upgrades only) the
 * `callsight.bearer.` subprotocol or `?access_token=`, then the session cookie.
 */
export function presentedCredentials(
  headers: IncomingHttpHeaders,
  query?: URLSearchParams,
): PresentedCredentials {
  const auth = headers.authorization;
  const bearer = auth && /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
  if (bearer) return { bearer, via: 'bearer' };
  if (query) {
    const offered = (headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const fromProtocol = offered.find((p) => p.startsWith(WS_BEARER_PREFIX))?.slice(WS_BEARER_PREFIX.length);
    const fromQuery = query.get('access_token');
    if (fromProtocol || fromQuery) return { bearer: fromProtocol || fromQuery, via: 'bearer' };
  }
  const session = cookieValue(headers.cookie, SESSION_COOKIE);
  return session ? { session, via: 'cookie' } : { via: 'none' };
}

/** localhost, *.localhost, 127.0.0.0/8 or ::1. */
export function isLoopbackAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    bare === 'localhost' ||
    bare.endsWith('.localhost') ||
    bare === '::1' ||
    (isIP(bare) === 4 && bare.startsWith('127.'))
  );
}

/** `host[:port]` → the lower-case host name (brackets kept off IPv6). */
function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

export interface HostPolicyOptions {
  /** The address the server binds to. */
  readonly bindHost: string;
  /** http.allowedHosts, parsed; empty: the default (see allowsHost). */
  readonly allowedHosts?: readonly string[];
  /** http.allowedOrigins, parsed. */
  readonly allowedOrigins?: readonly string[];
  /** http.publicUrl (its host is allowed). */
  readonly publicUrl?: string;
}

/**
 * Which Host and Origin headers the server accepts. Host: the names of http.allowedHosts (with or
 * without port); when that is empty, a server bound to loopback answers only loopback names (DNS
 * rebinding) and one bound elsewhere every name. Origin: absent (not a browser), the server's own
 * (same host and port as Host), or one of http.allowedOrigins.
 */
export class HostPolicy {
  readonly #hosts: ReadonlySet<string> | null;
  readonly #loopbackOnly: boolean;
  readonly #origins: ReadonlySet<string>;

  constructor(options: HostPolicyOptions) {
    const hosts = new Set((options.allowedHosts ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean));
    if (options.publicUrl) hosts.add(new URL(options.publicUrl).host.toLowerCase());
    this.#loopbackOnly = (options.allowedHosts ?? []).length === 0 && isLoopbackAddress(options.bindHost);
    this.#hosts = (options.allowedHosts ?? []).length > 0 || this.#loopbackOnly ? hosts : null;
    this.#origins = new Set(
      (options.allowedOrigins ?? []).map((o) => o.trim().toLowerCase().replace(/\/$/, '')),
    );
  }

  allowsHost(host: string | undefined): boolean {
    if (this.#hosts === null) return true;
    if (!host) return false;
    const full = host.trim().toLowerCase();
    const name = hostName(full);
    if (this.#hosts.has(full) || this.#hosts.has(name)) return true;
    return this.#loopbackOnly && isLoopbackAddress(name);
  }

  allowsOrigin(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true;
    const lower = origin.toLowerCase();
    if (this.#origins.has(lower)) return true;
    try {
      return host !== undefined && new URL(lower).host === host.trim().toLowerCase();
    } catch {
      return false;
    }
  }
}

/** A comma-separated setting as a list. */
export function commaList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
