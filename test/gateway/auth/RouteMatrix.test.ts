import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { ROLES, roleAllows, type Role } from '../../../src/access/Roles.js';
import { ROUTE_TABLE } from '../../../src/gateway/auth/RouteTable.js';
import { cookie, startAuthGateway, type AuthGateway } from './gatewayWithAuth.js';

let gateway: AuthGateway;
before(async () => {
  gateway = await startAuthGateway();
});
after(() => gateway.close());

const path = (url: string) => url.replace(/:(\w+)/g, (_m, name: string) => `${name}-1`);

async function call(route: string, headers: Record<string, string>): Promise<number> {
  const [method, url] = route.split(' ') as [string, string];
  const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
  const res = await fetch(`${gateway.base}${path(url)}`, {
    method,
    headers: { ...headers, ...(withBody ? { 'content-type': 'application/json' } : {}) },
    ...(withBody ? { body: '{}' } : {}),
  });
  await res.arrayBuffer();
  return res.status;
}

function upgrade(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${gateway.base.replace('http', 'ws')}/ws`, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', reject);
  });
}

const request = (route: string, headers: Record<string, string>) =>
  route === 'GET /ws' ? upgrade(headers) : call(route, headers);

test('every /api route the gateway serves has a rule in the route table, and every rule a route', () => {
  const served = new Set(
    gateway.server.routeList
      .filter((route) => route.split(' ')[1]!.startsWith('/api/'))
      // Fastify adds HEAD beside each GET; the table's GET rule covers it.
      .filter((route) => !route.startsWith('HEAD ')),
  );
  const ruled = new Set(Object.keys(ROUTE_TABLE).filter((route) => route !== 'GET /ws'));
  assert.deepEqual([...served].filter((r) => !ruled.has(r)).sort(), [], 'routes without a rule');
  assert.deepEqual([...ruled].filter((r) => !served.has(r)).sort(), [], 'rules without a route');
});

test('docs/security.md prints every rule of the route table', () => {
  const doc = readFileSync('docs/security.md', 'utf8');
  for (const [route, rule] of Object.entries(ROUTE_TABLE))
    assert.match(
      doc,
      new RegExp(`^\\| \`${route.replace(/[/.*+?^${}()|[\]\\]/g, '\\$&')}\` \\| ${rule.role}\\b`, 'm'),
      route,
    );
});

for (const [route, rule] of Object.entries(ROUTE_TABLE)) {
  test(`${route}: ${rule.role === 'public' ? 'public' : `401 without credentials, 403 below ${rule.role}, allowed from ${rule.role}`}`, async () => {
    const anonymous = await request(route, {});
    if (rule.role === 'public') {
      assert.ok(anonymous !== 401 && anonymous !== 403, `${route} anonymous: ${anonymous}`);
      return;
    }
    assert.equal(anonymous, 401, `${route} without credentials`);
    assert.equal(
      await request(route, { authorization: 'Bearer cs_not-a-token' }),
      401,
      `${route} unknown token`,
    );
    for (const role of ROLES as readonly Role[]) {
      const status = await request(route, cookie(gateway.sessions[role]));
      if (roleAllows(role, rule.role))
        assert.ok(status !== 401 && status !== 403, `${route} as ${role}: ${status}`);
      else assert.equal(status, 403, `${route} as ${role}`);
    }
  });
}
