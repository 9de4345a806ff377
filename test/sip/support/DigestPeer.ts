import { createHash } from 'node:crypto';
import { DigestChallenge } from '../../../src/sip/access/DigestHeaders.js';

const NODE_HASH: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-256': 'sha256',
  'SHA-512-256': 'sha512-256',
};

export interface DigestAnswer {
  readonly username: string;
  readonly password: string;
  readonly method: string;
  readonly uri: string;
  /** Nonce count (default 1). */
  readonly nc?: number;
}

/**
 * The Authorization a peer computes for one of our WWW-Authenticate values (RFC 7616 §3.4.1, with
 * qop=auth), written out here apart from the code under test.
 */
export function answerChallenge(challengeValue: string, a: DigestAnswer): string {
  const challenge = DigestChallenge.parse(challengeValue);
  const hash = NODE_HASH[challenge.algorithm];
  if (!hash) throw new Error(`no hash for ${challenge.algorithm}`);
  const H = (s: string) => createHash(hash).update(s, 'utf8').digest('hex');
  const nc = (a.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = createHash('md5').update(`${challenge.nonce}${nc}`).digest('hex').slice(0, 16);
  const ha1 = H(`${a.username}:${challenge.realm}:${a.password}`);
  const ha2 = H(`${a.method}:${a.uri}`);
  const response = H(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return (
    `Digest username="${a.username}", realm="${challenge.realm}", nonce="${challenge.nonce}", uri="${a.uri}", ` +
    `response="${response}", algorithm=${challenge.algorithm}, cnonce="${cnonce}", nc=${nc}, qop=auth` +
    (challenge.opaque === null ? '' : `, opaque="${challenge.opaque}"`)
  );
}
