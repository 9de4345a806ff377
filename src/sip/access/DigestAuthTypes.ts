import type { DigestAlgorithm } from './DigestAlgorithm.js';

/**
 * A peer's secret: its password, or its HA1 = H(username:realm:password) for each algorithm the
 * authenticator offers (lower-case hex), so that the password itself need not be stored.
 */
export type DigestCredential =
  { readonly password: string } | { readonly ha1: Partial<Readonly<Record<DigestAlgorithm, string>>> };

export interface DigestAuthOptions {
  /** The protection space named in challenges (default 'callsight'). */
  readonly realm?: string;
  /** Username → credential. */
  readonly users: ReadonlyMap<string, DigestCredential> | Readonly<Record<string, DigestCredential>>;
  /** Algorithms offered, in any order: challenges go strongest first (default SHA-256 and MD5). */
  readonly algorithms?: readonly DigestAlgorithm[];
  /** How long a nonce may be used (default 300 000 ms); an older one gets a stale=true challenge. */
  readonly nonceLifetimeMs?: number;
  /** At most this many used nonces are remembered for replay checks (default 10 000). */
  readonly maxTrackedNonces?: number;
  /** HMAC key of the nonces (default: 32 random bytes per process). */
  readonly secret?: Buffer;
  /** Clock, in ms (default Date.now): tests move it to expire nonces. */
  readonly now?: () => number;
}

/** What a request offers to be judged: its method, Request-URI and every Authorization value. */
export interface DigestRequest {
  readonly method: string;
  readonly uri: string;
  readonly authorization: readonly string[];
}

/** Why credentials were refused (for logs and stats: the peer sees only the new challenge). */
export type DigestFailure =
  | 'missing' // no Authorization header
  | 'other-realm' // Authorization only for other realms
  | 'malformed' // a Digest Authorization that breaks the grammar
  | 'unsupported-algorithm' // an algorithm not offered (or -sess)
  | 'unsupported-qop' // auth-int, or no qop with an algorithm other than MD5
  | 'unknown-user'
  | 'uri-mismatch' // digest-uri is not the Request-URI
  | 'wrong-response' // wrong password (or a tampered parameter)
  | 'opaque-mismatch'
  | 'stale-nonce' // right response, nonce expired or from an earlier process: stale=true
  | 'replayed'; // this nonce count (or a qop-less nonce) was used before

export type DigestVerdict =
  | { readonly ok: true; readonly username: string; readonly algorithm: DigestAlgorithm }
  | {
      readonly ok: false;
      readonly reason: DigestFailure;
      /** Challenge again with stale=true: the peer knew the password, only the nonce was old. */
      readonly stale: boolean;
      /** The username the peer claimed, if it got that far (never a password). */
      readonly username: string | null;
      /** Parser message for 'malformed'. */
      readonly detail?: string;
    };
