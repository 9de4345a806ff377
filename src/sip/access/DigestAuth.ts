import { randomBytes } from 'node:crypto';
import {
  DIGEST_ALGORITHMS,
  DIGEST_HEX_LENGTH,
  constantTimeEqual,
  digestAlgorithm,
  digestHa1,
  digestResponse,
  type DigestAlgorithm,
} from './DigestAlgorithm.js';
import type {
  DigestAuthOptions,
  DigestCredential,
  DigestFailure,
  DigestRequest,
  DigestVerdict,
} from './DigestAuthTypes.js';
import { DigestChallenge, DigestCredentials, DigestParseError } from './DigestHeaders.js';
import { DigestNonces, newNonceSecret } from './DigestNonces.js';

export type { DigestAuthOptions, DigestCredential, DigestRequest, DigestVerdict };

const DEFAULT_REALM = 'callsight';
const DEFAULT_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];
const DEFAULT_NONCE_LIFETIME_MS = 300_000;
const DEFAULT_MAX_TRACKED_NONCES = 10_000;
/** What a realm or username must be: printable ASCII (a `"` or `\` in it is escaped in headers). */
const PRINTABLE = /^[\x20-\x7e]+$/;

/**
 * SIP digest authentication, server side (RFC 3261 §22 as updated by RFC 8760): a UAS challenges
 * with 401 and one `WWW-Authenticate` per algorithm it offers, strongest first (RFC 8760 §2.4), and
 * checks the `Authorization` of the retried request.
 *
 * - qop=auth (RFC 7616 §3.4); no qop only with MD5, for RFC 2069 peers, whose nonce then serves once.
 * - Nonces are verified without state (an HMAC of their issue time, see DigestNonces) and expire
 *   after `nonceLifetimeMs`: a right response with an expired nonce, or one from before a restart,
 *   is answered with `stale=true` so the peer retries without asking its user again.
 * - Nonce counts are tracked per nonce, so a captured request cannot be replayed.
 * - Responses, nonce MACs and opaque values are compared with crypto.timingSafeEqual, and an unknown
 *   user costs the same hashing as a known one (against a random decoy HA1).
 * - Passwords are turned into HA1s at construction and not kept; nothing here logs.
 *
 * The digest-uri must be the Request-URI exactly as sent (RFC 2617 §3.2.2.5), which is what peers
 * that compute over the request line do.
 */
export class DigestAuthenticator {
  readonly realm: string;
  /** Offered algorithms, strongest first. */
  readonly algorithms: readonly DigestAlgorithm[];
  readonly #ha1s = new Map<string, Partial<Record<DigestAlgorithm, string>>>();
  readonly #decoyHa1: Partial<Record<DigestAlgorithm, string>> = {};
  readonly #nonces: DigestNonces;

  /** Throws a plain Error naming the bad option (realm, algorithm, user; never a password). */
  constructor(options: DigestAuthOptions) {
    this.realm = options.realm ?? DEFAULT_REALM;
    if (!PRINTABLE.test(this.realm))
      throw new Error('the digest realm must be printable ASCII and not empty');
    const offered = new Set(options.algorithms ?? DEFAULT_ALGORITHMS);
    if (offered.size === 0) throw new Error('digest authentication needs at least one algorithm');
    this.algorithms = DIGEST_ALGORITHMS.filter((a) => offered.has(a));
    if (this.algorithms.length !== offered.size)
      throw new Error(`unknown digest algorithm in ${[...offered].join(', ')}`);
    const users: ReadonlyMap<string, DigestCredential> =
      options.users instanceof Map ? options.users : new Map(Object.entries(options.users));
    for (const [username, credential] of users) this.#ha1s.set(username, this.#resolve(username, credential));
    for (const algorithm of this.algorithms)
      this.#decoyHa1[algorithm] = digestHa1(
        algorithm,
        randomBytes(8).toString('hex'),
        this.realm,
        randomBytes(16).toString('hex'),
      );
    this.#nonces = new DigestNonces({
      realm: this.realm,
      secret: options.secret ?? newNonceSecret(),
      lifetimeMs: options.nonceLifetimeMs ?? DEFAULT_NONCE_LIFETIME_MS,
      maxTracked: options.maxTrackedNonces ?? DEFAULT_MAX_TRACKED_NONCES,
      now: options.now ?? Date.now,
    });
  }

  /** Number of users who can authenticate. */
  get userCount(): number {
    return this.#ha1s.size;
  }

  /** `WWW-Authenticate` values for a 401: one per algorithm, strongest first, sharing a fresh nonce. */
  challenges(options: { stale?: boolean } = {}): string[] {
    const nonce = this.#nonces.issue();
    const opaque = this.#nonces.opaqueFor(nonce);
    return this.algorithms.map((algorithm) =>
      new DigestChallenge({
        realm: this.realm,
        qop: ['auth'],
        algorithm,
        nonce,
        opaque,
        stale: options.stale ?? false,
      }).serialize(),
    );
  }

  /**
   * Judges a request's credentials: the first Digest `Authorization` for our realm decides (others,
   * for proxies' realms or other schemes, are passed over). A failure is answered with
   * `challenges({ stale: verdict.stale })`.
   */
  verify(request: DigestRequest): DigestVerdict {
    let malformed: string | null = null;
    for (const value of request.authorization) {
      let credentials: DigestCredentials | null;
      try {
        credentials = DigestCredentials.parse(value);
      } catch (err) {
        if (!(err instanceof DigestParseError)) throw err;
        malformed ??= err.message;
        continue;
      }
      if (credentials?.realm === this.realm) return this.#judge(credentials, request);
    }
    if (malformed !== null)
      return { ok: false, reason: 'malformed', stale: false, username: null, detail: malformed };
    const reason = request.authorization.length > 0 ? 'other-realm' : 'missing';
    return { ok: false, reason, stale: false, username: null };
  }

  /** Remembered nonces (replay protection state), for tests. */
  get trackedNoncesForTesting(): number {
    return this.#nonces.tracked;
  }

  toJSON(): { realm: string; algorithms: readonly DigestAlgorithm[]; users: number } {
    return { realm: this.realm, algorithms: this.algorithms, users: this.#ha1s.size };
  }

  #judge(credentials: DigestCredentials, request: DigestRequest): DigestVerdict {
    const { username } = credentials;
    const refuse = (reason: DigestFailure, stale = false): DigestVerdict => ({
      ok: false,
      reason,
      stale,
      username,
    });
    const algorithm = digestAlgorithm(credentials.algorithm ?? 'MD5');
    if (!algorithm || !this.algorithms.includes(algorithm)) return refuse('unsupported-algorithm');
    const { qop } = credentials;
    if (qop ? qop.value !== 'auth' : algorithm !== 'MD5') return refuse('unsupported-qop');
    if (credentials.uri !== request.uri) return refuse('uri-mismatch');
    const ha1 = this.#ha1s.get(username)?.[algorithm];
    const expected = digestResponse({
      algorithm,
      ha1: ha1 ?? this.#decoyHa1[algorithm]!,
      method: request.method,
      uri: credentials.uri,
      nonce: credentials.nonce,
      qop: qop ? { nc: qop.nc, cnonce: qop.cnonce } : null,
    });
    const right = constantTimeEqual(expected, credentials.response);
    if (ha1 === undefined) return refuse('unknown-user');
    if (!right) return refuse('wrong-response');
    // Only now does the nonce matter: stale=true promises the peer its password was right.
    if (this.#nonces.check(credentials.nonce) !== 'valid') return refuse('stale-nonce', true);
    if (!constantTimeEqual(this.#nonces.opaqueFor(credentials.nonce), credentials.opaque ?? ''))
      return refuse('opaque-mismatch');
    switch (this.#nonces.use(credentials.nonce, qop ? parseInt(qop.nc, 16) : null)) {
      case 'forgotten':
        return refuse('stale-nonce', true);
      case 'replayed':
        // A qop-less (RFC 2069) peer reuses its last nonce by design: send it a fresh one.
        return refuse('replayed', qop === null);
      case 'fresh':
        return { ok: true, username, algorithm };
    }
  }

  #resolve(username: string, credential: DigestCredential): Partial<Record<DigestAlgorithm, string>> {
    if (!PRINTABLE.test(username))
      throw new Error(`digest username ${JSON.stringify(username)} is not printable ASCII`);
    const ha1s: Partial<Record<DigestAlgorithm, string>> = {};
    for (const algorithm of this.algorithms) {
      if ('password' in credential) {
        if (credential.password === '')
          throw new Error(`digest user ${JSON.stringify(username)} has an empty password`);
        ha1s[algorithm] = digestHa1(algorithm, username, this.realm, credential.password);
        continue;
      }
      const ha1 = credential.ha1[algorithm]?.toLowerCase();
      if (ha1 === undefined || !new RegExp(`^[0-9a-f]{${DIGEST_HEX_LENGTH[algorithm]}}$`).test(ha1))
        throw new Error(`digest user ${JSON.stringify(username)} has no valid ${algorithm} HA1`);
      ha1s[algorithm] = ha1;
    }
    return ha1s;
  }
}

/**
 * Parses `user:password,user2:password2` (the `sip.authUsers` setting): whitespace around entries is
 * ignored, the password is everything after the first colon, and so cannot hold a comma. Throws a
 * plain Error that names the entry by position and user, never by its password.
 */
export function parseDigestUsers(text: string): Map<string, DigestCredential> {
  const users = new Map<string, DigestCredential>();
  const entries = text.split(',').map((e) => e.trim());
  entries.forEach((entry, index) => {
    if (entry === '') return;
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error(`entry ${index + 1} is not "user:password"`);
    const username = entry.slice(0, colon).trim();
    const password = entry.slice(colon + 1);
    if (!/^[\x21-\x7e]+$/.test(username) || /["\\]/.test(username))
      throw new Error(
        `entry ${index + 1}: user ${JSON.stringify(username)} must be printable ASCII ` +
          'without spaces, quotes or backslashes',
      );
    if (password === '')
      throw new Error(`entry ${index + 1}: user ${JSON.stringify(username)} has an empty password`);
    if (users.has(username))
      throw new Error(`entry ${index + 1}: user ${JSON.stringify(username)} is listed twice`);
    users.set(username, { password });
  });
  return users;
}
