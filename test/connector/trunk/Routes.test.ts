import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { chooseRoute, parseRoutes, type RouteSubject } from '../../../src/connector/trunk/Routes.js';
import { CallsightError } from '../../../src/platform/errors.js';

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
  const routes = parseRoutes(documentedRoutes());

  test('a PSTN call from the carrier to a routed number goes to the PBX over TCP, Inbound, caller CUSTOMER', () => {
    const route = chooseRoute(routes, call('203.0.113.5', '+18005550123'))!;
    assert.equal(route.name, 'pstn-to-pbx');
    assert.deepEqual(route.target, {
      uri: 'sip:pbx.example.com:5060;transport=tcp',
      transport: 'tcp',
      host: 'pbx.example.com',
      port: 5060,
    });
    assert.equal(route.direction, 'Inbound');
    assert.equal(route.callerRole, 'CUSTOMER');
    assert.equal(route.timeoutMs, 20_000);
  });

  test("the PBX's external call goes to the carrier, Outbound, caller AGENT; its internal ones are answered here", () => {
    const out = chooseRoute(routes, call('10.0.0.5', '+442079460000', '2001'))!;
    assert.equal(out.name, 'pbx-to-pstn');
    assert.equal(out.target?.transport, 'udp');
    assert.equal(out.direction, 'Outbound');
    assert.equal(out.callerRole, 'AGENT');
    assert.equal(out.timeoutMs, 10_000);
    const internal = chooseRoute(routes, call('10.0.0.5', '2002', '2001'))!;
    assert.equal(internal.name, 'listen-to-the-rest');
    assert.equal(internal.target, null);
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
});

describe('routes: targets over TLS', () => {
  test('sips: and ;transport=tls go over TLS, on port 5061 unless the URI names one', () => {
    const [secure, tls, tcp] = parseRoutes([
      { name: 'sbc', target: 'sips:sbc.example.com' },
      { name: 'pbx', target: 'sip:pbx.example.com:5071;transport=TLS' },
      { name: 'old', target: 'sip:pbx.example.com;transport=tcp' },
    ]);
    assert.deepEqual(secure!.target, {
      uri: 'sips:sbc.example.com',
      transport: 'tls',
      host: 'sbc.example.com',
      port: 5061,
    });
    assert.equal(tls!.target?.transport, 'tls');
    assert.equal(tls!.target?.port, 5071);
    assert.equal(tcp!.target?.transport, 'tcp');
    assert.equal(tcp!.target?.port, 5060);
  });
});
