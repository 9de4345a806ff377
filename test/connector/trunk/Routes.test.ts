import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { chooseRoute, parseRoutes, type RouteSubject } from '../../../src/connector/trunk/Routes.js';
import { CallsightError } from '../../../src/platform/errors.js';
import { DigestAuthenticator } from '../../../src/sip/access/DigestAuth.js';

const DOC = new URL('../../../docs/voice-connector.md', import.meta.url);

/** The `routes:` example of docs/voice-connector.md, as a reader would copy it. */
function documentedRoutes(): unknown {
  const text = readFileSync(DOC, 'utf8');
  const block = /```yaml\n(# callsight\.yaml\nroutes:[\s\S]*?)```/.exec(text);
  assert.ok(block, 'docs/voice-connector.md has a ```yaml block starting with `# callsight.yaml`');
  return (parse(block[1]!) as { routes: unknown }).routes;
}

const call = (source: string, toNumber: string, fromNumber = '+15555550100'): RouteSubject => ({
  requestUri: `sip:${toNumber}@callsight.example.com`,
  fromNumber,
  toNumber,
  fromUri: `sip:${fromNumber}@${source}`,
  toUri: `sip:${toNumber}@callsight.example.com`,
  source: { address: source, transport: 'udp' },
});

describe('routes: the documented example', () => {
  const secrets = { env: { CARRIER_TRUNK_PASSWORD: 'carrier-s3cret' }, readFile: () => '' };
  const routes = parseRoutes(documentedRoutes(), 'routes', secrets);

  test('a PSTN call from the carrier to a routed number goes to the PBX over TCP, Inbound, caller CUSTOMER', () => {
    const route = chooseRoute(routes, call('203.0.113.5', '+18005550123'))!;
    assert.equal(route.name, 'pstn-to-pbx');
    assert.deepEqual(route.targets, [
      {
        uri: 'sip:pbx.example.com:5060;transport=tcp',
        transport: 'tcp',
        host: 'pbx.example.com',
        port: 5060,
        priority: 1,
        weight: 1,
      },
    ]);
    assert.equal(route.credentials, null);
    assert.equal(route.direction, 'Inbound');
    assert.equal(route.callerRole, 'CUSTOMER');
    assert.equal(route.timeoutMs, 20_000);
  });

  test("the PBX's external call goes to the carrier, Outbound, caller AGENT; its internal ones are answered here", () => {
    const out = chooseRoute(routes, call('10.0.0.5', '+442079460000', '2001'))!;
    assert.equal(out.name, 'pbx-to-pstn');
    assert.equal(out.targets?.[0]?.transport, 'udp');
    assert.equal(out.direction, 'Outbound');
    assert.equal(out.callerRole, 'AGENT');
    assert.equal(out.timeoutMs, 10_000);
    const internal = chooseRoute(routes, call('10.0.0.5', '2002', '2001'))!;
    assert.equal(internal.name, 'listen-to-the-rest');
    assert.equal(internal.targets, null);
  });

  test('the carrier trunk: two targets by priority, credentials from the environment', () => {
    const route = chooseRoute(routes, call('10.0.0.6', '+442079460000', '2001'))!;
    assert.equal(route.name, 'pbx-to-carrier');
    assert.deepEqual(
      route.targets?.map((t) => [t.host, t.port, t.transport, t.priority, t.weight]),
      [
        ['sbc1.carrier.example.net', 5060, 'tcp', 1, 1],
        ['sbc2.carrier.example.net', 5060, 'tcp', 2, 1],
      ],
    );
    assert.equal(route.credentials?.username, 'acme-trunk-7');
    assert.ok(!JSON.stringify(route).includes('carrier-s3cret'), 'the password is not in the route as JSON');
  });

  test('anything else matches no route (404)', () => {
    assert.equal(chooseRoute(routes, call('198.51.100.9', '+18005550123')), null);
    assert.equal(chooseRoute(routes, call('203.0.113.5', '+13605550199')), null);
  });
});

describe('routes: refused at start, every problem named with its path', () => {
  const problems = (input: unknown): string => {
    try {
      parseRoutes(input);
    } catch (err) {
      assert.ok(err instanceof CallsightError);
      assert.equal(err.code, 'CS_ERR_CONFIG_INVALID');
      return err.message;
    }
    assert.fail('parseRoutes accepted it');
  };

  test('unknown keys, a target that is no SIP URI, a bad direction', () => {
    const message = problems([
      { name: 'a', target: 'http://pbx', color: 'red' },
      { name: 'b', target: 'local', direction: 'Sideways' },
    ]);
    assert.match(message, /routes\.0\.target/);
    assert.match(message, /routes\.0: Unrecognized key/);
    assert.match(message, /routes\.1\.direction/);
  });

  test('a malformed pattern and a repeated name', () => {
    const message = problems([
      { name: 'a', target: 'local', match: { toNumber: [{ prefix: 5 }] } },
      { name: 'b', target: 'sip:pbx.example.com' },
      { name: 'b', target: 'local' },
    ]);
    assert.match(message, /routes\.0\.match/);
    assert.match(message, /routes\.2\.name: duplicate route name "b"/);
  });

  test('target and targets together, or neither; bad priority and weight; auth on a local route', () => {
    const message = problems([
      { name: 'a', target: 'sip:pbx.example.com', targets: [{ uri: 'sip:pbx2.example.com' }] },
      { name: 'b' },
      { name: 'c', targets: [{ uri: 'sip:x.example.com', priority: 0, weight: 100 }] },
      { name: 'd', targets: [] },
      { name: 'e', target: 'local', auth: { username: 'u', passwordEnv: 'P' } },
    ]);
    assert.match(message, /routes\.0\.target: give exactly one of target, targets/);
    assert.match(message, /routes\.1\.target: give exactly one of target, targets/);
    assert.match(message, /routes\.2\.targets\.0\.priority/);
    assert.match(message, /routes\.2\.targets\.0\.weight/);
    assert.match(message, /routes\.3\.targets/);
    assert.match(message, /routes\.4\.auth: a local route has no target/);
  });

  test('the password: exactly one of passwordEnv and passwordFile, which must hold one; never a literal', () => {
    const target = 'sip:sbc.example.net';
    const message = problems([
      { name: 'a', target, auth: { username: 'u', password: 'literal-s3cret' } },
      { name: 'b', target, auth: { username: 'u', passwordEnv: 'P', passwordFile: '/run/secrets/p' } },
      { name: 'c', target, auth: { username: 'u' } },
    ]);
    assert.match(message, /routes\.0\.auth: Unrecognized key/);
    assert.match(message, /routes\.1\.auth: give the password as exactly one of passwordEnv, passwordFile/);
    assert.match(message, /routes\.2\.auth: give the password as exactly one of passwordEnv, passwordFile/);
    assert.ok(!message.includes('literal-s3cret'));
  });

  test('passwords are read from the environment or a file (its trailing line break dropped), and a missing one is named, not shown', () => {
    const files: Record<string, string> = {
      '/run/secrets/trunk': 'file-s3cret\n',
      '/run/secrets/empty': '\n',
    };
    const secrets = {
      env: { TRUNK_PASSWORD: 'env-s3cret', EMPTY: '' },
      readFile: (path: string) => {
        const text = files[path];
        if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
        return text;
      },
    };
    const routes = (auth: object) => [
      { name: 'r', target: 'sip:sbc.example.net', auth: { username: 'acme', ...auth } },
    ];
    assert.equal(
      parseRoutes(routes({ passwordEnv: 'TRUNK_PASSWORD' }), 'routes', secrets)[0]!.credentials?.username,
      'acme',
    );
    assert.ok(parseRoutes(routes({ passwordFile: '/run/secrets/trunk' }), 'routes', secrets)[0]!.credentials);
    const refused = (auth: object): string => {
      try {
        parseRoutes(routes(auth), 'routes', secrets);
      } catch (err) {
        return (err as Error).message;
      }
      assert.fail('accepted');
    };
    assert.match(
      refused({ passwordEnv: 'NOT_SET' }),
      /routes\.0\.auth: environment variable NOT_SET \(passwordEnv\) is not set or empty/,
    );
    assert.match(refused({ passwordEnv: 'EMPTY' }), /EMPTY \(passwordEnv\) is not set or empty/);
    assert.match(
      refused({ passwordFile: '/run/secrets/none' }),
      /cannot read passwordFile \/run\/secrets\/none: ENOENT/,
    );
    assert.match(
      refused({ passwordFile: '/run/secrets/empty' }),
      /passwordFile \/run\/secrets\/empty is empty/,
    );
  });

  test('the answers computed with a file password use the password without its line break', () => {
    const route = parseRoutes(
      [{ name: 'r', target: 'sip:sbc.example.net', auth: { username: 'acme', passwordFile: '/p' } }],
      'routes',
      { env: {}, readFile: () => 'pa55\r\n' },
    )[0]!;
    const server = new DigestAuthenticator({
      realm: 'r',
      users: { acme: { password: 'pa55' } },
      algorithms: ['MD5'],
    });
    const request = { method: 'INVITE', uri: 'sip:sbc.example.net' };
    const answer = route.credentials!.answer(401, server.challenges(), request)!;
    assert.equal(server.verify({ ...request, authorization: [answer.value] }).ok, true);
  });
});

describe('routes: targets over TLS', () => {
  test('sips: and ;transport=tls go over TLS, on port 5061 unless the URI names one', () => {
    const [secure, tls, tcp] = parseRoutes([
      { name: 'sbc', target: 'sips:sbc.example.com' },
      { name: 'pbx', target: 'sip:pbx.example.com:5071;transport=TLS' },
      { name: 'old', target: 'sip:pbx.example.com;transport=tcp' },
    ]);
    assert.deepEqual(secure!.targets, [
      {
        uri: 'sips:sbc.example.com',
        transport: 'tls',
        host: 'sbc.example.com',
        port: 5061,
        priority: 1,
        weight: 1,
      },
    ]);
    assert.equal(tls!.targets?.[0]?.transport, 'tls');
    assert.equal(tls!.targets?.[0]?.port, 5071);
    assert.equal(tcp!.targets?.[0]?.transport, 'tcp');
    assert.equal(tcp!.targets?.[0]?.port, 5060);
  });
});
