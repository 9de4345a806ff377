import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  constantTimeEqual,
  digestHa1,
  digestHash,
  digestResponse,
  parseDigestAlgorithms,
  type DigestAlgorithm,
} from '../../../src/sip/access/DigestAlgorithm.js';
import {
  DigestAuthenticator,
  parseDigestUsers,
  type DigestAuthOptions,
  type DigestVerdict,
} from '../../../src/sip/access/DigestAuth.js';
import { DigestChallenge } from '../../../src/sip/access/DigestHeaders.js';
import { errorMessage } from '../../../src/platform/errors.js';

const NODE_HASH: Record<DigestAlgorithm, string> = {
  MD5: 'md5',
  'SHA-256': 'sha256',
  'SHA-512-256': 'sha512-256',
};
/** The RFC 7616 §3.4.1 computation, spelled out here apart from the code under test. */
function reference(input: {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  nc?: string;
  cnonce?: string;
}): string {
  const H = (s: string) => createHash(NODE_HASH[input.algorithm]).update(s, 'utf8').digest('hex');
  const ha1 = H(`${input.username}:${input.realm}:${input.password}`);
  const ha2 = H(`${input.method}:${input.uri}`);
  return input.nc === undefined
    ? H(`${ha1}:${input.nonce}:${ha2}`)
    : H(`${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:auth:${ha2}`);
}

describe('digest computation: published test vectors', () => {
  // RFC 7616 §3.9.1: "Mufasa" / "Circle of Life", GET /dir/index.html, one challenge per algorithm.
  const rfc7616 = {
    username: 'Mufasa',
    realm: 'http-auth@example.org',
    password: 'Circle of Life',
    method: 'GET',
    uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    qop: { nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' },
  };

  test('RFC 7616 §3.9.1, SHA-256', () => {
    const ha1 = digestHa1('SHA-256', rfc7616.username, rfc7616.realm, rfc7616.password);
    assert.equal(
      digestResponse({ algorithm: 'SHA-256', ha1, ...rfc7616 }),
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });

  test('RFC 7616 §3.9.1, MD5', () => {
    const ha1 = digestHa1('MD5', rfc7616.username, rfc7616.realm, rfc7616.password);
    assert.equal(digestResponse({ algorithm: 'MD5', ha1, ...rfc7616 }), '8ca523f5e9506fed4657c9700eebdbec');
  });

  test('RFC 2617 §3.5, MD5 with qop=auth', () => {
    const ha1 = digestHa1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
    const response = digestResponse({
      algorithm: 'MD5',
      ha1,
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      qop: { nc: '00000001', cnonce: '0a4f113b' },
    });
    assert.equal(response, '6629fae49393a05397450978507c4ef1');
  });

  test('SHA-512/256 is FIPS 180-4 SHA-512/256 (its "abc" example), not truncated SHA-512', () => {
    // RFC 7616 §3.9.2's printed SHA-512-256 response does not match its inputs (a known erratum),
    // so the hash itself is checked against the NIST example instead.
    assert.equal(
      digestHash('SHA-512-256', 'abc'),
      '53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23',
    );
    assert.notEqual(
      digestHash('SHA-512-256', 'abc'),
      createHash('sha512').update('abc').digest('hex').slice(0, 64),
    );
  });

  test('without qop (RFC 2069 peers): H(HA1:nonce:HA2)', () => {
    const input = { username: 'u', realm: 'r', password: 'p', method: 'INVITE', uri: 'sip:x@y', nonce: 'n' };
    assert.equal(
      digestResponse({ algorithm: 'MD5', ha1: digestHa1('MD5', 'u', 'r', 'p'), ...input, qop: null }),
      reference({ algorithm: 'MD5', ...input }),
    );
  });

  test('constantTimeEqual: unequal lengths answer false instead of throwing as timingSafeEqual does', () => {
    assert.equal(constantTimeEqual('abcd', 'abcd'), true);
    assert.equal(constantTimeEqual('abcd', 'abce'), false);
    assert.equal(constantTimeEqual('abcd', 'abc'), false);
    assert.equal(constantTimeEqual('', ''), true);
    assert.equal(constantTimeEqual('é', 'e\u0301'), false);
  });
});

const REALM = 'callsight';
const URI = 'sip:+15550100@127.0.0.1';

/** An authenticator on a clock the test moves. */
function authenticator(options: Partial<DigestAuthOptions> = {}) {
  let now = 1_800_000_000_000;
  const auth = new DigestAuthenticator({
    realm: REALM,
    users: { alice: { password: 'wonderland' }, bob: { password: 'builder' } },
    algorithms: ['SHA-256', 'MD5'],
    nonceLifetimeMs: 60_000,
    now: () => now,
    ...options,
  });
  return { auth, advance: (ms: number) => (now += ms) };
}

interface Answer {
  algorithm?: DigestAlgorithm;
  username?: string;
  password?: string;
  realm?: string;
  method?: string;
  uri?: string;
  nc?: number | null;
  cnonce?: string;
  nonce?: string;
  opaque?: string | null;
  qop?: string;
  noAlgorithm?: boolean;
}

/** What a peer sends back for `challenge` (one of our WWW-Authenticate values), written out by hand. */
function answer(challenge: string, a: Answer = {}): string {
  const c = DigestChallenge.parse(challenge);
  const algorithm = a.algorithm ?? (c.algorithm as DigestAlgorithm);
  const username = a.username ?? 'alice';
  const realm = a.realm ?? c.realm;
  const nonce = a.nonce ?? c.nonce;
  const uri = a.uri ?? URI;
  const nc = a.nc === undefined ? 1 : a.nc;
  const ncText = nc === null ? undefined : nc.toString(16).padStart(8, '0');
  const cnonce = a.cnonce ?? 'f2/wE4q74E6z';
  const response = reference({
    algorithm,
    username,
    realm,
    password: a.password ?? 'wonderland',
    method: a.method ?? 'INVITE',
    uri,
    nonce,
    ...(ncText === undefined ? {} : { nc: ncText, cnonce }),
  });
  const parts = [
    `username="${username}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${uri}"`,
    `response="${response}"`,
  ];
  if (!a.noAlgorithm) parts.push(`algorithm=${algorithm}`);
  if (ncText !== undefined) parts.push(`cnonce="${cnonce}"`, `nc=${ncText}`, `qop=${a.qop ?? 'auth'}`);
  const opaque = a.opaque === undefined ? c.opaque : a.opaque;
  if (opaque !== null) parts.push(`opaque="${opaque}"`);
  return `Digest ${parts.join(', ')}`;
}

const invite = (...authorization: string[]) => ({ method: 'INVITE', uri: URI, authorization });
const reasonOf = (verdict: DigestVerdict) => (verdict.ok ? 'ok' : verdict.reason);
const staleOf = (verdict: DigestVerdict) => !verdict.ok && verdict.stale;

describe('DigestAuthenticator', () => {
  test('challenges: one per algorithm, strongest first, sharing a fresh nonce and opaque, qop="auth"', () => {
    const { auth } = authenticator({ algorithms: ['MD5', 'SHA-512-256', 'SHA-256'] });
    assert.deepEqual(auth.algorithms, ['SHA-512-256', 'SHA-256', 'MD5']);
    const values = auth.challenges();
    assert.equal(values.length, 3);
    const parsed = values.map((v) => DigestChallenge.parse(v));
    assert.deepEqual(
      parsed.map((c) => c.algorithm),
      ['SHA-512-256', 'SHA-256', 'MD5'],
    );
    for (const c of parsed) {
      assert.equal(c.realm, REALM);
      assert.deepEqual(c.qop, ['auth']);
      assert.equal(c.nonce, parsed[0]!.nonce);
      assert.equal(c.opaque, parsed[0]!.opaque);
      assert.equal(c.stale, false);
    }
    assert.match(
      values[1]!,
      /^Digest realm="callsight", qop="auth", algorithm=SHA-256, nonce="[0-9a-f]{60}", opaque="[0-9a-f]{32}"$/,
    );
    assert.notEqual(
      DigestChallenge.parse(auth.challenges()[0]!).nonce,
      parsed[0]!.nonce,
      'a new nonce each time',
    );
    assert.ok(auth.challenges({ stale: true }).every((v) => v.endsWith(', stale=true')));
  });

  for (const algorithm of ['SHA-512-256', 'SHA-256', 'MD5'] as const) {
    test(`accepts a right ${algorithm} answer to its challenge`, () => {
      const { auth } = authenticator({ algorithms: ['SHA-512-256', 'SHA-256', 'MD5'] });
      const challenge = auth.challenges().find((c) => c.includes(`algorithm=${algorithm},`))!;
      assert.deepEqual(auth.verify(invite(answer(challenge))), { ok: true, username: 'alice', algorithm });
    });
  }

  test('no Authorization: "missing", not stale', () => {
    const { auth } = authenticator();
    assert.deepEqual(auth.verify(invite()), { ok: false, reason: 'missing', stale: false, username: null });
  });

  test('credentials for other realms (a proxy) or schemes are passed over; ours decide', () => {
    const { auth } = authenticator();
    const [challenge] = auth.challenges();
    const proxy = answer(challenge!, { realm: 'proxy.example' });
    assert.equal(auth.verify(invite(proxy)).ok, false);
    assert.deepEqual(auth.verify(invite(proxy, 'Basic YWxpY2U6d29uZGVybGFuZA')), {
      ok: false,
      reason: 'other-realm',
      stale: false,
      username: null,
    });
    assert.equal(auth.verify(invite('Basic YWxpY2U6d29uZGVybGFuZA', proxy, answer(challenge!))).ok, true);
  });

  test('a wrong password: "wrong-response", not stale', () => {
    const { auth } = authenticator();
    const [challenge] = auth.challenges();
    assert.deepEqual(auth.verify(invite(answer(challenge!, { password: 'wonderlanD' }))), {
      ok: false,
      reason: 'wrong-response',
      stale: false,
      username: 'alice',
    });
  });

  test("another user's password, and an unknown user, are refused alike (the decoy HA1 path)", () => {
    const { auth } = authenticator();
    const [challenge] = auth.challenges();
    const asBob = auth.verify(invite(answer(challenge!, { username: 'bob', password: 'wonderland' })));
    assert.deepEqual(asBob, { ok: false, reason: 'wrong-response', stale: false, username: 'bob' });
    const unknown = auth.verify(invite(answer(challenge!, { username: 'mallory' })));
    assert.deepEqual(unknown, { ok: false, reason: 'unknown-user', stale: false, username: 'mallory' });
    assert.equal(auth.trackedNoncesForTesting, 0, 'failed attempts leave no state behind');
  });

  test("the realm must be ours, the uri the Request-URI, the method the request's", () => {
    const { auth } = authenticator();
    const [challenge] = auth.challenges();
    assert.equal(auth.verify(invite(answer(challenge!, { realm: 'Callsight' }))).ok, false);
    const otherUri = answer(challenge!, { uri: 'sip:+15550199@127.0.0.1' });
    assert.equal(reasonOf(auth.verify(invite(otherUri))), 'uri-mismatch');
    const sameUriAsText = { method: 'INVITE', uri: 'sip:+15550199@127.0.0.1', authorization: [otherUri] };
    assert.equal(auth.verify(sameUriAsText).ok, true, 'right when the Request-URI is that uri');
    const forRegister = answer(auth.challenges()[0]!, { method: 'REGISTER' });
    assert.equal(reasonOf(auth.verify(invite(forRegister))), 'wrong-response');
  });

  test('replay: a nonce count is good once; a higher one is good; one from far back is refused', () => {
    const { auth } = authenticator();
    const [challenge] = auth.challenges();
    const first = answer(challenge!, { nc: 1 });
    assert.equal(auth.verify(invite(first)).ok, true);
    assert.deepEqual(auth.verify(invite(first)), {
      ok: false,
      reason: 'replayed',
      stale: false,
      username: 'alice',
    });
    assert.equal(auth.verify(invite(answer(challenge!, { nc: 3 }))).ok, true);
    assert.equal(
      auth.verify(invite(answer(challenge!, { nc: 2 }))).ok,
      true,
      'out of order (UDP) but unseen',
    );
    assert.equal(reasonOf(auth.verify(invite(answer(challenge!, { nc: 2 })))), 'replayed');
    assert.equal(auth.verify(invite(answer(challenge!, { nc: 100 }))).ok, true);
    assert.equal(
      reasonOf(auth.verify(invite(answer(challenge!, { nc: 20 })))),
      'replayed',
      'below the 64-count window',
    );
    assert.equal(auth.trackedNoncesForTesting, 1);
  });

  test('stale: a right answer with an expired nonce gets stale=true; a wrong one does not', () => {
    const { auth, advance } = authenticator();
    const [challenge] = auth.challenges();
    advance(60_001);
    assert.deepEqual(auth.verify(invite(answer(challenge!))), {
      ok: false,
      reason: 'stale-nonce',
      stale: true,
      username: 'alice',
    });
    assert.deepEqual(auth.verify(invite(answer(challenge!, { password: 'guess', nc: 2 }))), {
      ok: false,
      reason: 'wrong-response',
      stale: false,
      username: 'alice',
    });
    assert.equal(auth.verify(invite(answer(auth.challenges()[0]!))).ok, true, 'a fresh nonce works');
  });

  test('a nonce used within its lifetime stays good until it expires', () => {
    const { auth, advance } = authenticator();
    const [challenge] = auth.challenges();
    assert.equal(auth.verify(invite(answer(challenge!, { nc: 1 }))).ok, true);
    advance(59_000);
    assert.equal(auth.verify(invite(answer(challenge!, { nc: 2 }))).ok, true);
    advance(2_000);
    assert.equal(staleOf(auth.verify(invite(answer(challenge!, { nc: 3 })))), true);
  });

  test('a nonce from before a restart (another secret) or a tampered one: stale only if the answer is right', () => {
    const before = authenticator().auth;
    const { auth } = authenticator();
    const old = before.challenges()[0]!;
    assert.deepEqual(auth.verify(invite(answer(old))), {
      ok: false,
      reason: 'stale-nonce',
      stale: true,
      username: 'alice',
    });
    assert.equal(staleOf(auth.verify(invite(answer(old, { password: 'x' })))), false);
    const c = DigestChallenge.parse(auth.challenges()[0]!);
    const tampered = c.nonce.slice(0, 10) + (c.nonce[10] === '0' ? '1' : '0') + c.nonce.slice(11);
    assert.equal(staleOf(auth.verify(invite(answer(c.serialize(), { nonce: tampered })))), true);
    assert.equal(staleOf(auth.verify(invite(answer(c.serialize(), { nonce: 'not-ours' })))), true);
  });

  test('a nonce from the future (the clock stepped back) is stale, not valid', () => {
    const { auth, advance } = authenticator();
    const [challenge] = auth.challenges();
    advance(-10_000);
    assert.equal(staleOf(auth.verify(invite(answer(challenge!)))), true);
  });

  test('the opaque must come back unchanged', () => {
    const { auth } = authenticator();
    const [challenge] = auth.challenges();
    for (const opaque of [null, 'ffff', DigestChallenge.parse(auth.challenges()[0]!).opaque]) {
      assert.equal(
        reasonOf(auth.verify(invite(answer(challenge!, { opaque })))),
        'opaque-mismatch',
        String(opaque),
      );
    }
  });

  test('an algorithm not offered, a -sess one, or an unknown one is refused', () => {
    const { auth } = authenticator({ algorithms: ['MD5'] });
    const [challenge] = auth.challenges();
    for (const algorithm of ['SHA-256', 'MD5-sess', 'SHA1']) {
      const value = answer(challenge!).replace('algorithm=MD5', `algorithm=${algorithm}`);
      assert.equal(reasonOf(auth.verify(invite(value))), 'unsupported-algorithm', algorithm);
    }
  });

  test('no algorithm parameter means MD5 (RFC 3261): right if MD5 is offered', () => {
    const md5 = authenticator().auth;
    const challenge = md5.challenges()[1]!;
    assert.equal(md5.verify(invite(answer(challenge, { noAlgorithm: true }))).ok, true);
    const sha = authenticator({ algorithms: ['SHA-256'] }).auth;
    const shaChallenge = sha.challenges()[0]!;
    const implicitMd5 = answer(shaChallenge, { noAlgorithm: true, algorithm: 'MD5' });
    assert.equal(reasonOf(sha.verify(invite(implicitMd5))), 'unsupported-algorithm');
  });

  test('qop: auth-int is refused; no qop is taken from MD5 peers only, and its nonce serves once', () => {
    const { auth } = authenticator();
    const [sha, md5] = auth.challenges();
    assert.equal(reasonOf(auth.verify(invite(answer(md5!, { qop: 'auth-int' })))), 'unsupported-qop');
    assert.equal(reasonOf(auth.verify(invite(answer(sha!, { nc: null })))), 'unsupported-qop');
    const legacy = answer(md5!, { nc: null });
    assert.deepEqual(auth.verify(invite(legacy)), { ok: true, username: 'alice', algorithm: 'MD5' });
    // An RFC 2069 peer reuses its nonce: it gets a fresh one (stale=true), not a password prompt.
    assert.deepEqual(auth.verify(invite(legacy)), {
      ok: false,
      reason: 'replayed',
      stale: true,
      username: 'alice',
    });
  });

  test('a malformed Authorization for us: "malformed" with the parser\'s reason', () => {
    const { auth } = authenticator();
    const verdict = auth.verify(invite('Digest username="alice", username="bob"'));
    assert.equal(verdict.ok, false);
    assert.ok(!verdict.ok);
    assert.equal(verdict.reason, 'malformed');
    assert.match(verdict.detail ?? '', /username given twice/);
  });

  test('pre-hashed HA1 credentials work without the password', () => {
    const { auth } = authenticator({
      users: {
        carol: {
          ha1: {
            'SHA-256': digestHa1('SHA-256', 'carol', REALM, 'hunter2'),
            MD5: digestHa1('MD5', 'carol', REALM, 'hunter2').toUpperCase(),
          },
        },
      },
    });
    // Both challenges share one nonce: each answer takes the next count.
    auth.challenges().forEach((challenge, i) => {
      const right = answer(challenge, { username: 'carol', password: 'hunter2', nc: 2 * i + 1 });
      assert.equal(auth.verify(invite(right)).ok, true, challenge);
      const wrong = answer(challenge, { username: 'carol', password: 'hunter3', nc: 2 * i + 2 });
      assert.equal(auth.verify(invite(wrong)).ok, false);
    });
  });

  test('replay memory is bounded: a forgotten nonce is refused as stale, never accepted twice', () => {
    const { auth } = authenticator({ maxTrackedNonces: 2 });
    const challenges = [0, 1, 2].map(() => auth.challenges()[0]!);
    const first = answer(challenges[0]!);
    assert.equal(auth.verify(invite(first)).ok, true);
    assert.equal(auth.verify(invite(answer(challenges[1]!))).ok, true);
    assert.equal(auth.verify(invite(answer(challenges[2]!))).ok, true);
    assert.equal(auth.trackedNoncesForTesting, 2);
    assert.deepEqual(auth.verify(invite(first)), {
      ok: false,
      reason: 'stale-nonce',
      stale: true,
      username: 'alice',
    });
    assert.equal(
      staleOf(auth.verify(invite(answer(challenges[0]!, { nc: 2 })))),
      true,
      'even with a new count',
    );
  });

  test('expired nonces are dropped from the replay memory', () => {
    const { auth, advance } = authenticator();
    assert.equal(auth.verify(invite(answer(auth.challenges()[0]!))).ok, true);
    advance(61_000);
    assert.equal(auth.verify(invite(answer(auth.challenges()[0]!))).ok, true);
    assert.equal(auth.trackedNoncesForTesting, 1);
  });

  test('bad options are refused, naming the user but never the password', () => {
    const build =
      (users: DigestAuthOptions['users'], extra: Partial<DigestAuthOptions> = {}) =>
      () =>
        new DigestAuthenticator({ users, ...extra });
    assert.throws(build({ dave: { password: '' } }), /"dave" has an empty password/);
    assert.throws(build({ 'da ve\u0001': { password: 'p' } }), /not printable/);
    assert.throws(build({ erin: { ha1: { MD5: 'abc' } } }), /"erin" has no valid SHA-256 HA1/);
    assert.throws(
      build({ erin: { ha1: { 'SHA-256': 'z'.repeat(64), MD5: '0'.repeat(32) } } }),
      /no valid SHA-256 HA1/,
    );
    assert.throws(build({}, { realm: '' }), /realm/);
    assert.throws(build({}, { realm: 'a\nb' }), /realm/);
    assert.throws(build({}, { algorithms: [] }), /at least one algorithm/);
    assert.throws(build({}, { algorithms: ['SHA1' as DigestAlgorithm] }), /unknown digest algorithm/);
    const auth = new DigestAuthenticator({ users: { frank: { password: 'p4ssw0rd' } } });
    assert.equal(JSON.stringify(auth), '{"realm":"callsight","algorithms":["SHA-256","MD5"],"users":1}');
    assert.equal(auth.userCount, 1);
  });
});

describe('settings parsers', () => {
  test('parseDigestUsers: user:password pairs; the password is everything after the first colon', () => {
    const users = parseDigestUsers(' alice:wonder:land , bob:x y ,,');
    assert.deepEqual(
      [...users],
      [
        ['alice', { password: 'wonder:land' }],
        ['bob', { password: 'x y' }],
      ],
    );
    assert.equal(parseDigestUsers('').size, 0);
  });

  test('parseDigestUsers errors name the entry and the user, never the password', () => {
    const cases: [string, RegExp][] = [
      ['alice:ok,s3cretNoColon', /entry 2 is not "user:password"/],
      ['alice:ok,:s3cret', /entry 2 is not "user:password"/],
      ['alice:ok,bob:', /entry 2: user "bob" has an empty password/],
      ['alice:ok,alice:s3cret', /entry 2: user "alice" is listed twice/],
      ['al"ice:s3cret', /entry 1: user "al\\"ice" must be printable ASCII/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseDigestUsers(text),
        (err: unknown) => {
          assert.match(errorMessage(err), message);
          assert.ok(!errorMessage(err).includes('s3cret'), errorMessage(err));
          return true;
        },
      );
    }
  });

  test('parseDigestAlgorithms: any order in, strongest first out; unknown or repeated names refused', () => {
    assert.deepEqual(parseDigestAlgorithms('md5, sha-256'), ['SHA-256', 'MD5']);
    assert.deepEqual(parseDigestAlgorithms('SHA-512-256'), ['SHA-512-256']);
    assert.throws(
      () => parseDigestAlgorithms('SHA-256,SHA1'),
      /"SHA1", not one of SHA-512-256, SHA-256, MD5/,
    );
    assert.throws(() => parseDigestAlgorithms('MD5,md5'), /MD5 twice/);
    assert.throws(() => parseDigestAlgorithms(' , '), /no algorithm/);
    assert.throws(() => parseDigestAlgorithms('MD5-sess'), /not one of/);
  });
});
