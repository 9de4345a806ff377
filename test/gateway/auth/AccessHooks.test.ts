import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import { ADMIN_TOKEN, PASSWORD, cookie, startAuthGateway, type AuthGateway } from './gatewayWithAuth.js';

const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** A WebSocket to the gateway: its frames, how it closed, or the status its upgrade was refused with. */
function openWs(
  gateway: AuthGateway,
  query: string,
  options: { headers?: Record<string, string>; protocols?: string[] } = {},
) {
  const ws = new WebSocket(`${gateway.base.replace('http', 'ws')}/ws${query}`, options.protocols ?? [], {
    headers: options.headers ?? {},
  });
  const frames: { 'detail-type'?: string; callId?: string; detail?: { callId?: string } }[] = [];
  ws.on('message', (data) =>
    frames.push(JSON.parse((data as Buffer).toString('utf8')) as (typeof frames)[number]),
  );
  const opened = new Promise<number>((resolve, reject) => {
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', reject);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return { ws, frames, opened, closed };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A raw HTTP request, for headers fetch will not send (Host). */
function raw(gateway: AuthGateway, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${gateway.base}${path}`, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

describe('the gateway with auth.mode local', () => {
  let gateway: AuthGateway;
  before(async () => {
    gateway = await startAuthGateway({ recheckMs: 60_000 });
  });
  after(() => gateway.close());

  test('WebSocket: bearer header, subprotocol (answered `callsight`, never the token), ?access_token=, cookie; none: 401', async () => {
    for (const options of [
      { query: '', headers: ADMIN },
      { query: '', protocols: ['callsight', `callsight.bearer.${ADMIN_TOKEN}`] },
      { query: `?access_token=${ADMIN_TOKEN}` },
      { query: '', headers: cookie(gateway.sessions.viewer) },
    ]) {
      const client = openWs(gateway, options.query, options);
      assert.equal(await client.opened, 101, JSON.stringify(options));
      if (options.protocols) assert.equal(client.ws.protocol, 'callsight');
      client.ws.close();
    }
    assert.equal(await openWs(gateway, '').opened, 401);
    assert.equal(await openWs(gateway, '?access_token=cs_wrong').opened, 401);
  });

  test('a cross-site WebSocket is refused (403); the same origin and no Origin (not a browser) are not', async () => {
    const evil = openWs(gateway, '', {
      headers: { ...cookie(gateway.sessions.admin), origin: 'https://evil.example' },
    });
    assert.equal(await evil.opened, 403);
    const same = openWs(gateway, '', {
      headers: { ...cookie(gateway.sessions.admin), origin: gateway.base },
    });
    assert.equal(await same.opened, 101);
    same.ws.close();
  });

  test('revoking a token closes its live WebSocket with 4401; ?from= resume still works with a good one', async () => {
    const created = await fetch(`${gateway.base}/api/tokens`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'wallboard', role: 'viewer', expiresInDays: 1 }),
    });
    assert.equal(created.status, 201);
    const { token, id } = (await created.json()) as { token: string; id: string };
    const first = await gateway.stream.append(
      { 'detail-type': 'Transcribe', callId: 'c1' },
      { type: 'Transcribe', callId: 'c1' },
    );
    const client = openWs(gateway, '?from=0', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(await client.opened, 101);
    await until(() => client.frames.length >= 1, 'the first frame');
    const revoked = await fetch(`${gateway.base}/api/tokens/${id}`, { method: 'DELETE', headers: ADMIN });
    assert.equal(revoked.status, 204);
    assert.equal(await client.closed, 4401);
    assert.equal(await openWs(gateway, '', { headers: { authorization: `Bearer ${token}` } }).opened, 401);
    await gateway.stream.append(
      { 'detail-type': 'Transcribe', callId: 'c1' },
      { type: 'Transcribe', callId: 'c1' },
    );
    const resumed = openWs(gateway, `?from=${first}`, { headers: ADMIN });
    await until(() => resumed.frames.length >= 1, 'the resumed frame');
    assert.equal(
      (resumed.frames[0] as { sequenceNumber?: string }).sequenceNumber,
      String(Number(first) + 1),
    );
    resumed.ws.close();
  });

  test('an agent sees only the calls where they are a party, live and through /api/records; audit records only admins', async () => {
    const from = gateway.stream.lastSequence();
    const agent = openWs(gateway, `?from=${from}`, { headers: cookie(gateway.sessions.agent) });
    const admin = openWs(gateway, `?from=${from}`, { headers: ADMIN });
    assert.equal(await agent.opened, 101);
    const started = (callId: string, toNumber: string) =>
      gateway.stream.append(
        {
          'detail-type': 'Chime VoiceConnector Streaming Status',
          detail: { callId, fromNumber: '+12065550100', toNumber },
        },
        { type: 'Chime VoiceConnector Streaming Status', callId },
      );
    const transcript = (callId: string) =>
      gateway.stream.append({ 'detail-type': 'Transcribe', callId }, { type: 'Transcribe', callId });
    await started('agents-call', '+15550001');
    await started('other-call', '+15550777');
    await transcript('other-call');
    await transcript('agents-call');
    await until(() => admin.frames.length >= 4, 'the admin sees all four');
    await until(() => agent.frames.length >= 2, "the agent's two");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const callOf = (f: (typeof agent.frames)[number]) => f.callId ?? f.detail?.callId;
    assert.deepEqual(agent.frames.map(callOf), ['agents-call', 'agents-call']);
    const polled = (await (
      await fetch(`${gateway.base}/api/records?from=${from}`, { headers: cookie(gateway.sessions.agent) })
    ).json()) as typeof agent.frames;
    assert.deepEqual(polled.map(callOf), ['agents-call', 'agents-call']);
    const all = (await (
      await fetch(`${gateway.base}/api/records?from=0&limit=1000`, { headers: ADMIN })
    ).json()) as typeof agent.frames;
    const viewerSees = (await (
      await fetch(`${gateway.base}/api/records?from=0&limit=1000`, {
        headers: cookie(gateway.sessions.viewer),
      })
    ).json()) as typeof agent.frames;
    assert.ok(
      all.some((f) => f['detail-type'] === 'Callsight Audit'),
      'the token changes were audited',
    );
    assert.ok(!viewerSees.some((f) => f['detail-type'] === 'Callsight Audit'));
    agent.ws.close();
    admin.ws.close();
  });

  test('a cross-site text/plain "simple" POST is refused (415); YAML only where documented; an alias bomb is 400', async () => {
    const post = (type: string, body: string, headers: Record<string, string> = ADMIN) =>
      fetch(`${gateway.base}/api/configurations`, {
        method: 'POST',
        headers: { ...headers, 'content-type': type },
        body,
      });
    const plain = await post('text/plain', '{"MediaInsightsPipelineConfigurationName":"x"}');
    assert.equal(plain.status, 415);
    assert.equal(((await plain.json()) as { code: string }).code, 'CS_ERR_UNSUPPORTED_MEDIA_TYPE');
    assert.equal((await post('application/x-www-form-urlencoded', 'a=b')).status, 415);
    const yamlOnUsers = await fetch(`${gateway.base}/api/users`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/yaml' },
      body: 'username: x\nrole: viewer\n',
    });
    assert.equal(yamlOnUsers.status, 415);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(',')}]`,
      );
    const bombed = await post('application/yaml', bomb.join('\n'));
    assert.equal(bombed.status, 400);
  });

  test('Host header: loopback names only on a loopback server (DNS rebinding: 421); /healthz answers any', async () => {
    assert.equal(await raw(gateway, '/api/auth/me', { host: 'attacker.example' }), 421);
    assert.equal(await raw(gateway, '/', { host: 'attacker.example' }), 421);
    assert.equal(await raw(gateway, '/api/auth/me', { host: `localhost:${gateway.server.port}` }), 200);
    assert.equal(await raw(gateway, '/healthz', { host: '10.1.2.3' }), 200);
  });

  test('CSRF: a change signed in with the cookie from another origin is refused; from the same origin it goes', async () => {
    const change = (origin: string) =>
      fetch(`${gateway.base}/api/tokens`, {
        method: 'POST',
        headers: { ...cookie(gateway.sessions.admin), origin, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'csrf', role: 'viewer' }),
      });
    const evil = await change('https://evil.example');
    assert.equal(evil.status, 403);
    assert.equal(((await evil.json()) as { code: string }).code, 'CS_ERR_ORIGIN_NOT_ALLOWED');
    assert.equal((await change(gateway.base)).status, 201);
  });

  test('sign-in: cookie HttpOnly SameSite=Strict; failures back off (429 with Retry-After); both audited', async () => {
    const login = (password: string) =>
      fetch(`${gateway.base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'viewer-user', password }),
      });
    const ok = await login(PASSWORD);
    assert.equal(ok.status, 200);
    assert.match(
      ok.headers.get('set-cookie') ?? '',
      /^callsight_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );
    for (let i = 0; i < 5; i++) assert.equal((await login('wrong password')).status, 401);
    const throttled = await login(PASSWORD);
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
    const records = (await (
      await fetch(`${gateway.base}/api/records?from=0&limit=1000`, { headers: ADMIN })
    ).json()) as {
      'detail-type': string;
      detail: { action: string; actor: string; outcome: string };
    }[];
    const logins = records.filter(
      (r) => r['detail-type'] === 'Callsight Audit' && r.detail.action === 'auth.login',
    );
    assert.deepEqual(
      logins.slice(-3).map((r) => [r.detail.actor, r.detail.outcome]),
      [
        ['viewer-user', 'failure'],
        ['viewer-user', 'failure'],
        ['viewer-user', 'failure'],
      ],
    );
    assert.ok(logins.some((r) => r.detail.outcome === 'success'));
    assert.ok(!JSON.stringify(records).includes(PASSWORD), 'no password in any record');
  });

  test('security headers on the API and the web app', async () => {
    const res = await fetch(`${gateway.base}/api/auth/me`);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.deepEqual(await res.json(), { mode: 'local', signIn: { password: true, sso: false }, user: null });
  });
});
