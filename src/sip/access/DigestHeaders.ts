import { CallsightError } from '../../platform/errors.js';

/**
 * The two digest headers (RFC 3261 §20.44, §20.7, §25.1; RFC 7616 §3.3, §3.4):
 *
 *   WWW-Authenticate: Digest realm="callsight", qop="auth", algorithm=SHA-256,
 *                     nonce="…", opaque="…"[, stale=true]
 *   Authorization:    Digest username="alice", realm="callsight", nonce="…", uri="sip:…",
 *                     response="…", algorithm=SHA-256, cnonce="…", nc=00000001, qop=auth, opaque="…"
 *
 * Both are a scheme token, whitespace, then `name=value` pairs separated by commas, each value a
 * token or a quoted-string (`\` escapes the next character). Parsing is strict: a parameter given
 * twice, an empty one (`,,`), a trailing comma, a bad escape or a control character refuses the
 * whole header.
 */

/** A malformed digest header; the message says where. */
export class DigestParseError extends CallsightError {
  override name = 'DigestParseError';
  constructor(message: string) {
    super('CS_ERR_SIP_PARSE', message);
  }
}

/** Longest header value read; SIP messages are capped anyway, but a parser should not rely on it. */
const MAX_HEADER_LENGTH = 8192;
const MAX_PARAMS = 32;
const TOKEN_CHAR = /[A-Za-z0-9\-.!%*_+`'~]/;

export interface AuthParam {
  readonly value: string;
  /** Whether the value was a quoted-string (some parameters must be, some must not). */
  readonly quoted: boolean;
}

export interface AuthParams {
  /** As written (compare case-insensitively). */
  readonly scheme: string;
  /** Names lower-cased, values unquoted and unescaped. */
  readonly params: ReadonlyMap<string, AuthParam>;
}

/** `Scheme name=value, name="quoted value", …`; throws DigestParseError. */
export function parseAuthParams(text: string): AuthParams {
  if (text.length > MAX_HEADER_LENGTH)
    throw new DigestParseError(`longer than ${MAX_HEADER_LENGTH} characters`);
  let pos = 0;
  const fail = (what: string): never => {
    throw new DigestParseError(`${what} at offset ${pos}`);
  };
  const skipSpace = () => {
    while (text[pos] === ' ' || text[pos] === '\t') pos++;
  };
  const token = () => {
    const start = pos;
    while (pos < text.length && TOKEN_CHAR.test(text[pos]!)) pos++;
    return text.slice(start, pos);
  };
  const quoted = () => {
    let out = '';
    pos++; // the opening quote
    for (;;) {
      const c = text[pos];
      if (c === undefined) return fail('unterminated quoted string');
      if (c === '"') {
        pos++;
        return out;
      }
      if (c === '\\') {
        // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
        const next = text[pos + 1];
        if (next === undefined || next === '\r' || next === '\n' || next.charCodeAt(0) > 0x7f)
          return fail('bad escape in quoted string');
        out += next;
        pos += 2;
        continue;
      }
      const code = c.charCodeAt(0);
      // qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
      if ((code < 0x20 && c !== '\t') || code === 0x7f) return fail('control character in quoted string');
      out += c;
      pos++;
    }
  };

  skipSpace();
  const scheme = token();
  if (scheme === '') fail('expected an authentication scheme');
  if (text[pos] !== ' ' && text[pos] !== '\t') fail('expected whitespace after the scheme');
  skipSpace();
  const params = new Map<string, AuthParam>();
  for (;;) {
    const name = token().toLowerCase();
    if (name === '') fail('expected a parameter name');
    skipSpace();
    if (text[pos] !== '=') fail(`expected "=" after ${name}`);
    pos++;
    skipSpace();
    let param: AuthParam;
    if (text[pos] === '"') param = { value: quoted(), quoted: true };
    else {
      const value = token();
      if (value === '') fail(`expected a value for ${name}`);
      param = { value, quoted: false };
    }
    if (params.has(name)) fail(`parameter ${name} given twice`);
    if (params.size === MAX_PARAMS) fail(`more than ${MAX_PARAMS} parameters`);
    params.set(name, param);
    skipSpace();
    if (pos === text.length) break;
    if (text[pos] !== ',') fail('expected "," between parameters');
    pos++;
    skipSpace();
    if (pos === text.length) fail('trailing comma');
  }
  return { scheme, params };
}

/** A quoted-string holding `value` (RFC 3261 §25.1), escaping `"` and `\`. */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** The scheme that starts a credentials or challenge value (`Digest`, `Basic`…), '' if none. */
export function authScheme(text: string): string {
  return /^[ \t]*([A-Za-z0-9\-.!%*_+`'~]+)/.exec(text)?.[1] ?? '';
}

function isDigest(scheme: string): boolean {
  return scheme.toLowerCase() === 'digest';
}

export interface DigestChallengeFields {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm: string;
  readonly opaque: string | null;
  /** The qop options offered; Callsight offers ['auth']. Empty: none (an RFC 2069 challenge). */
  readonly qop: readonly string[];
  /** The previous request's nonce had expired but its response was right (RFC 7616 §3.3). */
  readonly stale: boolean;
}

/** One `WWW-Authenticate: Digest …` value. */
export class DigestChallenge implements DigestChallengeFields {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm: string;
  readonly opaque: string | null;
  readonly qop: readonly string[];
  readonly stale: boolean;

  constructor(fields: DigestChallengeFields) {
    this.realm = fields.realm;
    this.nonce = fields.nonce;
    this.algorithm = fields.algorithm;
    this.opaque = fields.opaque;
    this.qop = fields.qop;
    this.stale = fields.stale;
  }

  /** Reads a challenge (what a client does with our 401; the tests use it so). Throws DigestParseError. */
  static parse(value: string): DigestChallenge {
    const { scheme, params } = parseAuthParams(value);
    if (!isDigest(scheme)) throw new DigestParseError(`not a Digest challenge (${scheme})`);
    const realm = params.get('realm');
    const nonce = params.get('nonce');
    if (!realm?.quoted || !nonce?.quoted)
      throw new DigestParseError('a challenge needs a quoted realm and nonce');
    const qop = params.get('qop');
    return new DigestChallenge({
      realm: realm.value,
      nonce: nonce.value,
      algorithm: params.get('algorithm')?.value ?? 'MD5',
      opaque: params.get('opaque')?.value ?? null,
      qop: qop
        ? qop.value
            .split(',')
            .map((q) => q.trim())
            .filter((q) => q !== '')
        : [],
      stale: params.get('stale')?.value.toLowerCase() === 'true',
    });
  }

  serialize(): string {
    const parts = [`realm=${quote(this.realm)}`];
    if (this.qop.length > 0) parts.push(`qop=${quote(this.qop.join(','))}`);
    parts.push(`algorithm=${this.algorithm}`, `nonce=${quote(this.nonce)}`);
    if (this.opaque !== null) parts.push(`opaque=${quote(this.opaque)}`);
    if (this.stale) parts.push('stale=true');
    return `Digest ${parts.join(', ')}`;
  }

  toJSON(): DigestChallengeFields {
    return { ...this };
  }
}

export interface DigestCredentialsFields {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  /** digest-uri: the Request-URI the response was computed over. */
  readonly uri: string;
  /** request-digest, in hex. */
  readonly response: string;
  /** As sent; null when absent (which means MD5). */
  readonly algorithm: string | null;
  readonly opaque: string | null;
  /** With qop: `auth` (or what the client chose), its client nonce and nonce count (8 hex digits). */
  readonly qop: { readonly value: string; readonly cnonce: string; readonly nc: string } | null;
}

/** Parameters that are quoted-strings in the grammar (RFC 3261 §25.1, RFC 7616 §3.4). */
const QUOTED = ['username', 'realm', 'nonce', 'uri', 'response', 'cnonce', 'opaque'] as const;
/**
 * Parameters that are tokens in the grammar. Some user agents quote them anyway; the value is the
 * same either way, so both are taken.
 */
type TokenValued = 'algorithm' | 'qop' | 'nc';

/** One `Authorization: Digest …` value. */
export class DigestCredentials implements DigestCredentialsFields {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  readonly algorithm: string | null;
  readonly opaque: string | null;
  readonly qop: { readonly value: string; readonly cnonce: string; readonly nc: string } | null;

  constructor(fields: DigestCredentialsFields) {
    this.username = fields.username;
    this.realm = fields.realm;
    this.nonce = fields.nonce;
    this.uri = fields.uri;
    this.response = fields.response;
    this.algorithm = fields.algorithm;
    this.opaque = fields.opaque;
    this.qop = fields.qop;
  }

  /**
   * Parses credentials. Returns null for another scheme (Basic, Bearer…: not ours to judge);
   * throws DigestParseError for a Digest header that breaks the grammar.
   */
  static parse(value: string): DigestCredentials | null {
    // Other schemes may not even be auth-params (Basic's token68): leave them unparsed.
    if (!isDigest(authScheme(value))) return null;
    const { params } = parseAuthParams(value);
    for (const name of QUOTED) {
      const param = params.get(name);
      if (param && !param.quoted) throw new DigestParseError(`${name} must be a quoted string`);
    }
    const text = (name: (typeof QUOTED)[number] | TokenValued) => params.get(name)?.value ?? null;
    const required = (name: (typeof QUOTED)[number]) => {
      const value = text(name);
      if (value === null) throw new DigestParseError(`no ${name} parameter`);
      return value;
    };
    if (params.has('username*') || (params.get('userhash')?.value.toLowerCase() ?? 'false') !== 'false')
      throw new DigestParseError('username* and userhash are not supported in SIP');
    const response = required('response');
    if (!/^[0-9a-fA-F]+$/.test(response)) throw new DigestParseError('response is not hexadecimal');
    const qop = text('qop');
    const cnonce = text('cnonce');
    const nc = text('nc');
    if (qop === null ? cnonce !== null || nc !== null : cnonce === null || nc === null)
      throw new DigestParseError('cnonce and nc go with qop, and only with it');
    if (nc !== null && !/^[0-9a-fA-F]{8}$/.test(nc)) throw new DigestParseError('nc is not 8 hex digits');
    return new DigestCredentials({
      username: required('username'),
      realm: required('realm'),
      nonce: required('nonce'),
      uri: required('uri'),
      response: response.toLowerCase(),
      algorithm: text('algorithm'),
      opaque: text('opaque'),
      qop: qop === null ? null : { value: qop, cnonce: cnonce!, nc: nc! },
    });
  }

  serialize(): string {
    const parts = [
      `username=${quote(this.username)}`,
      `realm=${quote(this.realm)}`,
      `nonce=${quote(this.nonce)}`,
      `uri=${quote(this.uri)}`,
      `response=${quote(this.response)}`,
    ];
    if (this.algorithm !== null) parts.push(`algorithm=${this.algorithm}`);
    if (this.qop)
      parts.push(`cnonce=${quote(this.qop.cnonce)}`, `nc=${this.qop.nc}`, `qop=${this.qop.value}`);
    if (this.opaque !== null) parts.push(`opaque=${quote(this.opaque)}`);
    return `Digest ${parts.join(', ')}`;
  }

  toJSON(): DigestCredentialsFields {
    return { ...this };
  }
}
