import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DigestChallenge,
  DigestCredentials,
  DigestParseError,
  parseAuthParams,
  quote,
} from '../../../src/sip/access/DigestHeaders.js';

/** RFC 7616 §3.9.1's Authorization (SHA-256), unfolded as the SIP parser hands it over. */
const RFC7616_AUTHORIZATION = [
  'Digest username="Mufasa",',
  'realm="http-auth@example.org",',
  'uri="/dir/index.html",',
  'algorithm=SHA-256,',
  'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",',
  'nc=00000001,',
  'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",',
  'qop=auth,',
  'response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",',
  'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
].join(' ');

const MINIMAL = 'Digest username="a", realm="r", nonce="n", uri="sip:x@y", response="0123abcd"';

function refusal(value: string, message: RegExp): void {
  assert.throws(
    () => DigestCredentials.parse(value),
    (err: unknown) => {
      assert.ok(err instanceof DigestParseError, String(err));
      assert.equal(err.code, 'CS_ERR_SIP_PARSE');
      assert.match(err.message, message);
      return true;
    },
    value,
  );
}

describe('Authorization: Digest parsing', () => {
  test("RFC 7616 §3.9.1's Authorization parses to its fields", () => {
    const c = DigestCredentials.parse(RFC7616_AUTHORIZATION);
    assert.ok(c);
    assert.equal(c.username, 'Mufasa');
    assert.equal(c.realm, 'http-auth@example.org');
    assert.equal(c.uri, '/dir/index.html');
    assert.equal(c.algorithm, 'SHA-256');
    assert.equal(c.nonce, '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v');
    assert.deepEqual(c.qop, {
      value: 'auth',
      nc: '00000001',
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    });
    assert.equal(c.response, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    assert.equal(c.opaque, 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS');
  });

  test('serialize() then parse() gives the same credentials', () => {
    const c = DigestCredentials.parse(RFC7616_AUTHORIZATION)!;
    assert.deepEqual(DigestCredentials.parse(c.serialize())!.toJSON(), c.toJSON());
  });

  test('quoted strings: escapes are undone, and commas, "=" and non-ASCII inside quotes are values', () => {
    const c = DigestCredentials.parse(
      'Digest username="Mu\\"fa\\\\sa, the=king", realm="Jäsøn", nonce="n", uri="sip:x@y", response="ab"',
    )!;
    assert.equal(c.username, 'Mu"fa\\sa, the=king');
    assert.equal(c.realm, 'Jäsøn');
    assert.equal(quote(c.username), '"Mu\\"fa\\\\sa, the=king"');
    assert.equal(DigestCredentials.parse(c.serialize())!.username, c.username);
  });

  test('whitespace (spaces and tabs) around "=" and "," is allowed; names are case-insensitive', () => {
    const c = DigestCredentials.parse(
      'digest  USERNAME = "a" ,\trealm=\t"r",nonce="n" , Uri="sip:x@y",response="AB12"',
    )!;
    assert.equal(c.username, 'a');
    assert.equal(c.uri, 'sip:x@y');
    assert.equal(c.response, 'ab12', 'hex is lower-cased');
  });

  test('token-valued parameters may be quoted (some user agents do), with the same meaning', () => {
    const c = DigestCredentials.parse(`${MINIMAL}, algorithm="MD5", qop="auth", nc="00000002", cnonce="c"`)!;
    assert.equal(c.algorithm, 'MD5');
    assert.deepEqual(c.qop, { value: 'auth', nc: '00000002', cnonce: 'c' });
  });

  test('another scheme is not ours to judge: null', () => {
    assert.equal(DigestCredentials.parse('Basic dXNlcjpwYXNz=='.replace('==', '')), null);
    assert.equal(DigestCredentials.parse('Bearer token=abc'), null);
  });

  test('a value without a scheme is no Digest (and no auth-params at all)', () => {
    assert.equal(DigestCredentials.parse('="a"'), null);
    assert.throws(() => parseAuthParams('="a"'), /expected an authentication scheme/);
  });

  test('absent algorithm, opaque and qop are null', () => {
    const c = DigestCredentials.parse(MINIMAL)!;
    assert.equal(c.algorithm, null);
    assert.equal(c.opaque, null);
    assert.equal(c.qop, null);
  });

  const malformed: [string, string, RegExp][] = [
    ['a parameter given twice', `${MINIMAL}, nonce="m"`, /nonce given twice/],
    ['a parameter given twice in another case', `${MINIMAL}, Realm="r"`, /realm given twice/],
    ['an empty parameter', 'Digest username="a",, realm="r"', /expected a parameter name/],
    ['a trailing comma', `${MINIMAL},`, /trailing comma/],
    ['a leading comma', 'Digest , username="a"', /expected a parameter name/],
    ['no "="', 'Digest username "a"', /expected "=" after username/],
    ['an empty value', 'Digest username=, realm="r"', /expected a value for username/],
    ['two values without a comma', 'Digest username="a" realm="r"', /expected "," between parameters/],
    ['an unterminated quoted string', 'Digest username="a, realm=r', /unterminated quoted string/],
    ['an escape at the very end', 'Digest username="a\\', /bad escape/],
    ['an escaped CR', 'Digest username="a\\\r", realm="r"', /bad escape/],
    ['a control character in quotes', 'Digest username="a\u0001b", realm="r"', /control character/],
    ['a raw CR LF in quotes', 'Digest username="a\r\nb", realm="r"', /control character/],
    ['DEL in quotes', 'Digest username="a\u007fb", realm="r"', /control character/],
    ['no whitespace after the scheme', 'Digest,username="a"', /whitespace after the scheme/],
    ['a scheme alone', 'Digest', /whitespace after the scheme/],
    ['a scheme and spaces', 'Digest   ', /expected a parameter name/],
    [
      'an unquoted username',
      'Digest username=a, realm="r", nonce="n", uri="sip:x@y", response="ab"',
      /username must be a quoted string/,
    ],
    [
      'an unquoted uri',
      'Digest username="a", realm="r", nonce="n", uri=sip, response="ab"',
      /uri must be a quoted string/,
    ],
    ['no response', 'Digest username="a", realm="r", nonce="n", uri="sip:x@y"', /no response parameter/],
    ['no nonce', 'Digest username="a", realm="r", uri="sip:x@y", response="ab"', /no nonce parameter/],
    ['no username', 'Digest realm="r", nonce="n", uri="sip:x@y", response="ab"', /no username parameter/],
    ['a response that is not hex', MINIMAL.replace('0123abcd', '0123abcg'), /response is not hexadecimal/],
    ['qop without cnonce', `${MINIMAL}, qop=auth, nc=00000001`, /cnonce and nc go with qop/],
    ['qop without nc', `${MINIMAL}, qop=auth, cnonce="c"`, /cnonce and nc go with qop/],
    ['cnonce without qop', `${MINIMAL}, cnonce="c", nc=00000001`, /cnonce and nc go with qop/],
    ['nc that is not 8 hex digits', `${MINIMAL}, qop=auth, cnonce="c", nc=1`, /nc is not 8 hex digits/],
    ['nc with a non-hex digit', `${MINIMAL}, qop=auth, cnonce="c", nc=0000000g`, /nc is not 8 hex digits/],
    [
      'username* (RFC 7616 §3.4.4)',
      `${MINIMAL.replace('username="a"', "username*=UTF-8''a")}`,
      /not supported/,
    ],
    ['userhash=true', `${MINIMAL}, userhash=true`, /not supported/],
    ['a header over 8 KiB', `${MINIMAL}, x="${'a'.repeat(8200)}"`, /longer than 8192/],
    [
      'more than 32 parameters',
      `${MINIMAL}, ${Array.from({ length: 30 }, (_, i) => `p${i}=x`).join(', ')}`,
      /more than 32/,
    ],
  ];
  for (const [what, value, message] of malformed) {
    test(`refuses ${what}`, () => refusal(value, message));
  }

  test('extension parameters are kept apart and do not disturb the known ones', () => {
    const { params } = parseAuthParams(`${MINIMAL}, x-extra=token, userhash=false`);
    assert.deepEqual(params.get('x-extra'), { value: 'token', quoted: false });
    assert.ok(DigestCredentials.parse(`${MINIMAL}, x-extra=token, userhash=false`));
  });

  test('every prefix of a valid header is either valid or refused with DigestParseError, never anything else', () => {
    for (let i = 0; i <= RFC7616_AUTHORIZATION.length; i++) {
      const prefix = RFC7616_AUTHORIZATION.slice(0, i);
      try {
        DigestCredentials.parse(prefix);
      } catch (err) {
        assert.ok(err instanceof DigestParseError, `${JSON.stringify(prefix)}: ${String(err)}`);
      }
    }
  });
});

describe('WWW-Authenticate: Digest', () => {
  test('serializes in the order RFC 8760 §2.4 shows: realm, qop, algorithm, nonce, opaque', () => {
    const challenge = new DigestChallenge({
      realm: 'callsight',
      qop: ['auth'],
      algorithm: 'SHA-256',
      nonce: 'abc',
      opaque: 'def',
      stale: false,
    });
    assert.equal(
      challenge.serialize(),
      'Digest realm="callsight", qop="auth", algorithm=SHA-256, nonce="abc", opaque="def"',
    );
    const stale = new DigestChallenge({ ...challenge.toJSON(), stale: true, realm: 'a "b"' });
    assert.equal(
      stale.serialize(),
      'Digest realm="a \\"b\\"", qop="auth", algorithm=SHA-256, nonce="abc", opaque="def", stale=true',
    );
  });

  test('parses the RFC 7616 §3.9.1 challenge, with its qop list', () => {
    const challenge = DigestChallenge.parse(
      'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, ' +
        'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    assert.equal(challenge.realm, 'http-auth@example.org');
    assert.deepEqual(challenge.qop, ['auth', 'auth-int']);
    assert.equal(challenge.algorithm, 'SHA-256');
    assert.equal(challenge.stale, false);
    assert.equal(DigestChallenge.parse(`${challenge.serialize()}, stale=TRUE`).stale, true);
  });

  test('a challenge without algorithm means MD5; one of another scheme is refused', () => {
    assert.equal(DigestChallenge.parse('Digest realm="r", nonce="n"').algorithm, 'MD5');
    assert.throws(() => DigestChallenge.parse('Basic realm="r"'), DigestParseError);
    assert.throws(() => DigestChallenge.parse('Digest realm=r, nonce="n"'), DigestParseError);
  });
});
