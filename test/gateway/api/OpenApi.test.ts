import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ROUTE_TABLE } from '../../../src/gateway/auth/RouteTable.js';
import { collectPageErrors, launchBrowser } from '../../web/browser.js';
import { ADMIN_TOKEN, startAuthGateway, type AuthGateway } from '../auth/gatewayWithAuth.js';

interface Operation {
  summary?: string;
  security?: unknown[];
  'x-callsight-role'?: string;
  requestBody?: { content: Record<string, { schema: object; example?: unknown; examples?: object }> };
  responses: Record<
    string,
    { content?: Record<string, { schema: object; example?: unknown; examples?: object }> }
  >;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

let gateway: AuthGateway;
let doc: Document;
before(async () => {
  gateway = await startAuthGateway();
  const res = await fetch(`${gateway.base}/api/openapi.json`);
  assert.equal(res.status, 200, 'the description is public');
  doc = (await res.json()) as Document;
});
after(() => gateway.close());

/** `/api/calls/:callId` → `/api/calls/{callId}`. */
const openapiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

/** The served /api routes the document must describe: all but the reference page's own files. */
function documentedRoutes(): string[] {
  return gateway.server.routeList.filter(
    (route) =>
      !route.startsWith('HEAD ') &&
      (route.split(' ')[1]!.startsWith('/api/') || route === 'GET /healthz' || route === 'GET /metrics') &&
      !route.split(' ')[1]!.startsWith('/api/docs') &&
      route !== 'GET /api/openapi.json',
  );
}

test('the document is OpenAPI 3.1 and describes every /api route Fastify serves, with the role of the route table', () => {
  assert.equal(doc.openapi, '3.1.0');
  const routes = documentedRoutes();
  assert.ok(routes.length >= 42, `only ${routes.length} routes`);
  const missing: string[] = [];
  for (const route of routes) {
    const [method, url] = route.split(' ') as [string, string];
    const operation = doc.paths[openapiPath(url)]?.[method.toLowerCase()];
    if (!operation) {
      missing.push(route);
      continue;
    }
    assert.ok(operation.summary, `${route}: no summary`);
    assert.equal(operation['x-callsight-role'], ROUTE_TABLE[route]?.role ?? 'public', `${route}: role`);
    const needsCredentials = (ROUTE_TABLE[route]?.role ?? 'public') !== 'public';
    assert.equal((operation.security ?? []).length > 0, needsCredentials, `${route}: security`);
    if (needsCredentials) assert.ok(operation.responses['401'] && operation.responses['403'], route);
    const described = Object.entries(operation.responses).filter(
      ([status, r]) => r.content || /^2/.test(status),
    );
    assert.ok(described.length > 0, `${route}: no response described`);
  }
  assert.deepEqual(missing, [], 'routes missing from /api/openapi.json');
  const described = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
  );
  const served = new Set(gateway.server.routeList.map((r) => openapiPath(r)));
  assert.deepEqual(
    described.filter((d) => !served.has(d)),
    [],
    'operations that are not served',
  );
});

test('every example in the document validates against its schema (JSON Schema 2020-12)', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  let checked = 0;
  const bodiesWithout: string[] = [];
  const check = (where: string, schema: object, example: unknown) => {
    const validate = ajv.compile(schema);
    assert.ok(validate(example), `${where}: ${ajv.errorsText(validate.errors)}`);
    checked += 1;
  };
  /** Examples inside a schema (`examples` keyword of 2020-12), each against the schema holding it. */
  const walk = (where: string, schema: unknown) => {
    if (typeof schema !== 'object' || schema === null) return;
    const s = schema as { examples?: unknown[] };
    if (Array.isArray(s.examples)) for (const example of s.examples) check(where, s, example);
    for (const [key, child] of Object.entries(s)) if (key !== 'examples') walk(`${where}.${key}`, child);
  };
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      const where = `${method.toUpperCase()} ${path}`;
      const media = [
        ...Object.entries(op.requestBody?.content ?? {}).map(
          ([type, m]) => [`${where} request ${type}`, m] as const,
        ),
        ...Object.entries(op.responses).flatMap(([status, r]) =>
          Object.entries(r.content ?? {}).map(([type, m]) => [`${where} ${status} ${type}`, m] as const),
        ),
      ];
      for (const [at, m] of media) {
        if (m.example !== undefined) check(at, m.schema, m.example);
        for (const [name, e] of Object.entries(m.examples ?? {}))
          check(`${at} ${name}`, m.schema, (e as { value: unknown }).value);
        walk(at, m.schema);
      }
      const body = op.requestBody?.content['application/json'];
      if (body && body.example === undefined && body.examples === undefined) bodiesWithout.push(where);
    }
  assert.deepEqual(bodiesWithout, [], 'request bodies without an example');
  assert.ok(checked >= 80, `only ${checked} examples`);
});

test('an example that breaks its schema fails the check (the validator is not vacuous)', () => {
  const ajv = new Ajv2020({ strict: false });
  const op = doc.paths['/api/tokens']!.post!;
  const validate = ajv.compile(op.requestBody!.content['application/json']!.schema);
  assert.equal(validate({ name: 'x', role: 'superuser' }), false);
  assert.equal(validate({ name: 'x', role: 'viewer', expiresInDays: 30 }), true);
});

test('the reference page at /api/docs is served by Callsight alone, under the strict CSP', async () => {
  const page = await fetch(`${gateway.base}/api/docs`);
  assert.equal(page.status, 200);
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self';/);
  assert.doesNotMatch(csp, /https?:|unsafe-eval/);
  const html = await page.text();
  assert.doesNotMatch(html, /https?:\/\//, 'the HTML names no other host');
  for (const src of [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!))
    assert.ok(src.startsWith('/api/docs/'), src);
  const initializer = await (await fetch(`${gateway.base}/api/docs/static/swagger-initializer.js`)).text();
  assert.doesNotMatch(
    initializer,
    /https?:\/\/(?!stackoverflow\.com\/a\/)/,
    'the initializer calls no other host',
  );

  const browser = await launchBrowser();
  try {
    const tab = await browser.newPage();
    const errors = collectPageErrors(tab);
    const requested: string[] = [];
    tab.on('request', (request) => requested.push(request.url()));
    await tab.goto(`${gateway.base}/api/docs`);
    await tab.waitForSelector('.opblock', { timeout: 20_000 });
    const operations = await tab.locator('.opblock').count();
    const expected = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    assert.equal(operations, expected, 'every operation is on the page');
    const origin = new URL(gateway.base).origin;
    const elsewhere = requested.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'));
    assert.deepEqual(elsewhere, [], 'requests to other hosts');
    assert.ok(
      requested.some((url) => url.endsWith('/api/docs/json')),
      'the page loads the document',
    );
    assert.deepEqual(errors, [], 'page errors (CSP violations are console errors)');
  } finally {
    await browser.close();
  }
});

test("real answers match the document's answer schemas (the answer schemas describe the server)", async () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const cases: [method: string, url: string, path: string, body?: unknown][] = [
    ['GET', '/api/auth/me', '/api/auth/me'],
    ['GET', '/api/users', '/api/users'],
    [
      'POST',
      '/api/users',
      '/api/users',
      { username: 'openapi-user', role: 'viewer', password: 'a-long-passphrase' },
    ],
    ['POST', '/api/users', '/api/users', { username: 'x', role: 'superuser' }],
    ['PATCH', '/api/users/openapi-user', '/api/users/{username}', { disabled: true }],
    ['POST', '/api/tokens', '/api/tokens', { name: 'openapi', role: 'viewer' }],
    ['GET', '/api/tokens', '/api/tokens'],
    ['GET', '/api/calls', '/api/calls'],
    ['GET', '/api/calls/nope', '/api/calls/{callId}'],
    ['GET', '/api/routes', '/api/routes'],
    ['GET', '/api/stream', '/api/stream'],
    ['GET', '/api/records?from=0&limit=5', '/api/records'],
    ['GET', '/api/pipelines', '/api/pipelines'],
    [
      'POST',
      '/api/vocabularies',
      '/api/vocabularies',
      { VocabularyName: 'openapi', LanguageCode: 'en-US', Phrases: ['Callsight'] },
    ],
    ['GET', '/api/vocabularies', '/api/vocabularies'],
    ['GET', '/api/vocabularies/openapi', '/api/vocabularies/{name}'],
    [
      'POST',
      '/api/vocabulary-filters',
      '/api/vocabulary-filters',
      { VocabularyFilterName: 'openapi', LanguageCode: 'en-US', Words: ['darn'] },
    ],
    ['POST', '/api/vocabulary-filters', '/api/vocabulary-filters', { Words: ['two words'] }],
    ['GET', '/api/vocabulary-filters', '/api/vocabulary-filters'],
    ['PUT', '/api/vocabulary-filters/openapi', '/api/vocabulary-filters/{name}', { Words: ['heck'] }],
    ['GET', '/api/vocabulary-filters/nope', '/api/vocabulary-filters/{name}'],
    ['GET', '/api/configurations', '/api/configurations'],
    [
      'POST',
      '/api/voice-connectors/vc/speaker-search-tasks',
      '/api/voice-connectors/{voiceConnectorId}/speaker-search-tasks',
      {},
    ],
    ['GET', '/healthz', '/healthz'],
  ];
  for (const [method, url, path, body] of cases) {
    const res = await fetch(`${gateway.base}${url}`, {
      method,
      headers: body === undefined ? { authorization: auth.authorization } : auth,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = doc.paths[path]?.[method.toLowerCase()]?.responses[String(res.status)];
    assert.ok(answer?.content, `${method} ${url}: ${res.status} is not in the document`);
    const validate = ajv.compile(answer.content['application/json']!.schema);
    const json: unknown = await res.json();
    assert.ok(validate(json), `${method} ${url} ${res.status}: ${ajv.errorsText(validate.errors)}`);
  }
  const anonymous = await fetch(`${gateway.base}/api/calls`);
  const unauthenticated = doc.paths['/api/calls']!.get!.responses['401']!.content!['application/json']!;
  assert.ok(ajv.validate(unauthenticated.schema, await anonymous.json()), ajv.errorsText());
});
