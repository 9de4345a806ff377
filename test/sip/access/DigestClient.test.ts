import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { DigestAuthenticator } from '../../../src/sip/access/DigestAuth.js';
import { DigestClient } from '../../../src/sip/access/DigestClient.js';
import { DigestCredentials } from '../../../src/sip/access/DigestHeaders.js';

const REQUEST = { method: 'INVITE', uri: 'sip:+15550100@carrier.example.net:5060' };

describe('DigestClient: answering a peer that challenges', () => {
  for (const algorithms of [['SHA-256', 'MD5'], ['MD5'], ['SHA-512-256']] as const) {
    test(`the UAS side accepts its answer to a ${algorithms.join(',')} challenge`, () => {
      const server = new DigestAuthenticator({
        realm: 'carrier',
        users: { acme: { password: 'pa55' } },
        algorithms,
      });
      const answer = new DigestClient('acme', 'pa55').answer(401, server.challenges(), REQUEST)!;
      assert.equal(answer.header, 'authorization');
      assert.equal(answer.stale, false);
      const verdict = server.verify({ ...REQUEST, authorization: [answer.value] });
      assert.deepEqual(verdict, { ok: true, username: 'acme', algorithm: algorithms[0] });
    });
  }

  test('the answer is RFC 7616 §3.4.1 with qop=auth, computed here apart from the code', () => {
    const challenge =
      'Digest realm="sbc.example.net", qop="auth,auth-int", algorithm=SHA-256, nonce="n0nce", opaque="op"';
    const answer = new DigestClient('acme', 'pa55').answer(407, [challenge], REQUEST)!;
    assert.equal(answer.header, 'proxy-authorization');
    const sent = DigestCredentials.parse(answer.value)!;
    const H = (s: string) => createHash('sha256').update(s).digest('hex');
    const expected = H(
      `${H('acme:sbc.example.net:pa55')}:n0nce:00000001:${sent.qop!.cnonce}:auth:${H(`INVITE:${REQUEST.uri}`)}`,
    );
    assert.deepEqual(
      { ...sent.toJSON(), qop: { ...sent.qop, cnonce: '' } },
      {
        username: 'acme',
        realm: 'sbc.example.net',
        nonce: 'n0nce',
        uri: REQUEST.uri,
        response: expected,
        algorithm: 'SHA-256',
        opaque: 'op',
        qop: { value: 'auth', nc: '00000001', cnonce: '' },
      },
    );
  });

  test('an RFC 2069 challenge (no qop) is answered without qop', () => {
    const answer = new DigestClient('acme', 'pa55').answer(401, ['Digest realm="r", nonce="n"'], REQUEST)!;
    const sent = DigestCredentials.parse(answer.value)!;
    const H = (s: string) => createHash('md5').update(s).digest('hex');
    assert.equal(sent.qop, null);
    assert.equal(sent.response, H(`${H('acme:r:pa55')}:n:${H(`INVITE:${REQUEST.uri}`)}`));
  });

  test('the first challenge it can answer wins; unknown algorithms, auth-int only and broken ones are passed over', () => {
    const answer = new DigestClient('acme', 'pa55').answer(
      401,
      [
        'Basic realm="x"',
        'Digest realm="r", nonce="a", algorithm=SHA-256-sess, qop="auth"',
        'Digest realm="r", nonce="b", algorithm=MD5, qop="auth-int"',
        'Digest realm=r, nonce="c"',
        'Digest realm="r", nonce="d", algorithm=MD5, qop="auth", stale=true',
        'Digest realm="r", nonce="e", algorithm=SHA-256, qop="auth"',
      ],
      REQUEST,
    )!;
    assert.equal(DigestCredentials.parse(answer.value)!.nonce, 'd');
    assert.equal(answer.stale, true);
    assert.equal(new DigestClient('acme', 'pa55').answer(401, ['Basic realm="x"'], REQUEST), null);
  });

  test('the password is never shown: not by JSON, not by util.inspect', () => {
    const client = new DigestClient('acme', 'sup3r-secret');
    assert.ok(!JSON.stringify({ client }).includes('sup3r-secret'));
    assert.ok(!inspect(client, { showHidden: true, depth: 5 }).includes('sup3r-secret'));
    assert.throws(() => new DigestClient('acme', ''), /empty password/);
  });
});
