import { isIP } from 'node:net';

/**
 * A SIP or SIPS URI (RFC 3261 §19.1): `sip:user:password@host:port;uri-parameters?headers`.
 * Parsed strictly: a URI that does not follow the grammar is refused with null, never guessed at.
 */
export interface SipUri {
  readonly scheme: 'sip' | 'sips';
  /** Unescaped user part, or null when the URI has none (`sip:example.com`). */
  readonly user: string | null;
  /** Host name or IP address; IPv6 without brackets. */
  readonly host: string;
  readonly port: number | null;
  /** URI parameters, names lower-cased; a parameter without a value maps to ''. */
  readonly params: ReadonlyMap<string, string>;
  /** The URI headers after `?` as written (`subject=x&priority=urgent`), or null. */
  readonly headers: string | null;
}

// RFC 3261 §25.1: unreserved / escaped / user-unreserved characters allowed in the user part.
const USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
const HOSTNAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?$/;
const PARAM_CHARS = /^(?:[A-Za-z0-9\-_.!~*'()[\]/:&+$]|%[0-9A-Fa-f]{2})+$/;

function unescape(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function parseHostPort(text: string): { host: string; port: number | null } | null {
  let host: string;
  let rest: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    host = text.slice(1, close);
    if (isIP(host) !== 6) return null;
    rest = text.slice(close + 1);
  } else {
    const colon = text.indexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    rest = colon < 0 ? '' : text.slice(colon);
    if (isIP(host) !== 4 && !HOSTNAME.test(host)) return null;
  }
  if (rest === '') return { host, port: null };
  if (!/^:\d{1,5}$/.test(rest)) return null;
  const port = Number(rest.slice(1));
  return port >= 1 && port <= 65535 ? { host, port } : null;
}

/** Parses `sip:`/`sips:` URIs; returns null for any other scheme or any grammar violation. */
export function parseSipUri(text: string): SipUri | null {
  const match = /^(sips?):(.+)$/i.exec(text);
  if (!match) return null;
  const scheme = match[1]!.toLowerCase() as 'sip' | 'sips';
  // The user part may itself hold `?` and `;` (RFC 3261 §25.1 user-unreserved): find the host
  // first, then the URI headers (`?subject=…`, only meaningful in Contact/Refer-To) after it.
  const rest = match[2]!;
  const at = rest.lastIndexOf('@');
  let user: string | null = null;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    // A password (`user:secret@`) is deprecated but legal; it is not kept.
    const userPart = userinfo.split(':', 1)[0]!;
    if (!USER.test(userPart)) return null;
    user = unescape(userPart);
    if (user === null) return null;
  }
  const afterUser = rest.slice(at + 1);
  const question = afterUser.indexOf('?');
  const hostAndParams = question < 0 ? afterUser : afterUser.slice(0, question);
  const headers = question < 0 ? null : afterUser.slice(question + 1);
  const [hostPort, ...paramParts] = hostAndParams.split(';');
  const parsedHost = parseHostPort(hostPort ?? '');
  if (!parsedHost) return null;
  const params = new Map<string, string>();
  for (const part of paramParts) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (!PARAM_CHARS.test(name) || (eq >= 0 && !PARAM_CHARS.test(value))) return null;
    params.set(name.toLowerCase(), value);
  }
  return { scheme, user, ...parsedHost, params, headers };
}

/** The URI's user part if it has one, else the whole URI (as Chime's fromNumber/toNumber carry numbers). */
export function userOrUri(uri: SipUri | null, raw: string): string {
  return uri?.user ?? raw;
}

/** Formats a host for a URI or Via: IPv6 addresses in brackets. */
export function formatHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
