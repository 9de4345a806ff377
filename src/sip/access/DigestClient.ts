import { randomBytes } from 'node:crypto';
import { digestAlgorithm, digestHa1, digestResponse } from './DigestAlgorithm.js';
import { DigestChallenge, DigestCredentials, DigestParseError } from './DigestHeaders.js';

/** The request a challenge was for: its method and Request-URI (the digest-uri). */
export interface ChallengedRequest {
  readonly method: string;
  readonly uri: string;
}

/** What answers a 401 or 407: the header to add to the retried request, and whether the nonce was stale. */
export interface DigestAnswer {
  /** `authorization` for a 401, `proxy-authorization` for a 407 (RFC 3261 §22.2, §22.3). */
  readonly header: 'authorization' | 'proxy-authorization';
  readonly value: string;
  /** The challenge said stale=true: the previous answer was right, only its nonce had expired. */
  readonly stale: boolean;
}

/**
 * SIP digest authentication, client side (RFC 3261 §22.2 as updated by RFC 8760): the credentials a
 * UAC holds for a peer that challenges it, and the answer to that peer's challenges. The first
 * challenge of an algorithm we know (SHA-512-256, SHA-256, MD5) is answered, in the peer's order
 * (RFC 8760 §2.4: the UAS lists them by preference); qop=auth when offered, the RFC 2069 form when no
 * qop is. A challenge for `auth-int` only, or for a `-sess` algorithm, is not answered.
 *
 * The password stays in a private field: logging or serialising this object shows the username only.
 */
export class DigestClient {
  readonly username: string;
  readonly #password: string;

  /** Throws a plain Error naming what is wrong (never the password). */
  constructor(username: string, password: string) {
    if (!/^[\x20-\x7e]+$/.test(username))
      throw new Error('the digest username must be printable ASCII and not empty');
    if (password === '') throw new Error(`digest user ${JSON.stringify(username)} has an empty password`);
    this.username = username;
    this.#password = password;
  }

  /**
   * The answer to a 401 (`WWW-Authenticate` values) or 407 (`Proxy-Authenticate` values) for
   * `request`, or null when no challenge is one we can answer (or none parses).
   */
  answer(status: 401 | 407, challenges: readonly string[], request: ChallengedRequest): DigestAnswer | null {
    for (const value of challenges) {
      let challenge: DigestChallenge;
      try {
        challenge = DigestChallenge.parse(value);
      } catch (err) {
        if (err instanceof DigestParseError) continue;
        throw err;
      }
      const algorithm = digestAlgorithm(challenge.algorithm);
      const qop = challenge.qop.length === 0 ? null : challenge.qop.includes('auth') ? 'auth' : undefined;
      if (!algorithm || qop === undefined) continue;
      const nonceCount = qop && { nc: '00000001', cnonce: randomBytes(12).toString('hex') };
      const response = digestResponse({
        algorithm,
        ha1: digestHa1(algorithm, this.username, challenge.realm, this.#password),
        method: request.method,
        uri: request.uri,
        nonce: challenge.nonce,
        qop: nonceCount,
      });
      const credentials = new DigestCredentials({
        username: this.username,
        realm: challenge.realm,
        nonce: challenge.nonce,
        uri: request.uri,
        response,
        algorithm: challenge.algorithm,
        opaque: challenge.opaque,
        qop: nonceCount && { value: 'auth', ...nonceCount },
      });
      return {
        header: status === 401 ? 'authorization' : 'proxy-authorization',
        value: credentials.serialize(),
        stale: challenge.stale,
      };
    }
    return null;
  }

  toJSON(): { username: string } {
    return { username: this.username };
  }
}
