import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The digest algorithms of RFC 8760 (SIP) / RFC 7616 (HTTP), strongest first. MD5 is the RFC 3261
 * default and what older peers speak; the `-sess` variants are not offered (SIP rarely uses them).
 */
export const DIGEST_ALGORITHMS = ['SHA-512-256', 'SHA-256', 'MD5'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

const NODE_HASH: Readonly<Record<DigestAlgorithm, string>> = {
  'SHA-512-256': 'sha512-256',
  'SHA-256': 'sha256',
  MD5: 'md5',
};

/** Length of the hex digest, which a `response` must have. */
export const DIGEST_HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = {
  'SHA-512-256': 64,
  'SHA-256': 64,
  MD5: 32,
};

/** The algorithm named in a header (names are case-insensitive), or null if not one of ours. */
export function digestAlgorithm(name: string): DigestAlgorithm | null {
  return DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === name.toLowerCase()) ?? null;
}

/**
 * Parses `SHA-256,MD5` (the `sip.authAlgorithms` setting) into a list ordered strongest first, as
 * challenges must be (RFC 8760 §2.4). Throws a plain Error naming the bad entry.
 */
export function parseDigestAlgorithms(text: string): DigestAlgorithm[] {
  const names = text.split(',').map((n) => n.trim());
  if (names.every((n) => n === '')) throw new Error('names no algorithm');
  const chosen = new Set<DigestAlgorithm>();
  for (const name of names) {
    const algorithm = digestAlgorithm(name);
    if (!algorithm)
      throw new Error(`names ${JSON.stringify(name)}, not one of ${DIGEST_ALGORITHMS.join(', ')}`);
    if (chosen.has(algorithm)) throw new Error(`names ${algorithm} twice`);
    chosen.add(algorithm);
  }
  return DIGEST_ALGORITHMS.filter((a) => chosen.has(a));
}

/** H(data) in lower-case hex. */
export function digestHash(algorithm: DigestAlgorithm, data: string): string {
  return createHash(NODE_HASH[algorithm]).update(data, 'utf8').digest('hex');
}

/** HA1 = H(username ":" realm ":" password) (RFC 7616 §3.4.2; what a pre-hashed credential stores). */
export function digestHa1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

export interface DigestResponseInput {
  readonly algorithm: DigestAlgorithm;
  readonly ha1: string;
  readonly method: string;
  readonly uri: string;
  readonly nonce: string;
  /** With qop=auth: the nonce count (8 hex digits as sent) and the client nonce. */
  readonly qop: { readonly nc: string; readonly cnonce: string } | null;
}

/**
 * The request-digest (RFC 7616 §3.4.1; RFC 2617 §3.2.2.1 without qop):
 * `H(HA1:nonce:nc:cnonce:auth:HA2)`, or `H(HA1:nonce:HA2)` for RFC 2069 peers, with
 * `HA2 = H(method:digest-uri)`.
 */
export function digestResponse(input: DigestResponseInput): string {
  const ha2 = digestHash(input.algorithm, `${input.method}:${input.uri}`);
  const middle = input.qop ? `${input.qop.nc}:${input.qop.cnonce}:auth:` : '';
  return digestHash(input.algorithm, `${input.ha1}:${input.nonce}:${middle}${ha2}`);
}

/**
 * Compares two strings in time that depends only on their lengths (crypto.timingSafeEqual, which
 * throws on unequal lengths: those are public here, e.g. 32 vs 64 hex digits, and answer false).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
