import { test, describe, before, after } from 'node:test';
import { AccessControl } from '../../src/access/AccessControl.js';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { HttpServer } from '../../src/gateway/HttpServer.js';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';
import { capturedLogger } from '../helpers/capturedLogger.js';
import { connect, refusedUpgradeAt, tempDir, until, type TestClient } from './wsHarness.js';

const tmp = tempDir('callsight-limits-');
const log = capturedLogger();
let stream: SqliteDataStream;
let server: HttpServer;
const clients: TestClient[] = [];

const HEADERS_TIMEOUT_MS = 400;
const REQUEST_TIMEOUT_MS = 800;

async function client(localAddress: string): Promise<TestClient> {
  const c = await connect(server.port, '', { localAddress });
  clients.push(c);
  return c;
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} on /metrics`);
  return Number(line.split(' ')[1]);
}

const warnings = (code: string) => log.lines.filter((l) => l.code === code);

/** A raw TCP client: what it wrote, everything the server answered, and when the server closed it. */
function rawClient(): { socket: net.Socket; received: () => string; closed: Promise<number> } {
  const socket = net.connect(server.port, '127.0.0.1');
  const started = Date.now();
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (text += d));
  socket.on('error', () => undefined);
  return {
    socket,
    received: () => text,
    closed: new Promise((resolve) => socket.on('close', () => resolve(Date.now() - started))),
  };
}

function errorBody(answer: string): Record<string, unknown> {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
}

before(async () => {
  stream = SqliteDataStream.open({ path: path.join(tmp.dir, 'stream.db') });
  server = await HttpServer.start({
    access: AccessControl.none(),
    stream,
    logger: log.logger,
    maxClients: 3,
    maxClientsPerSource: 2,
    deadlines: { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS },
    routes: (app) => {
      app.post('/echo', (request) => request.body);
    },
  });
});

after(async () => {
  for (const c of clients) c.ws.terminate();
  await server.close();
  await stream.close();
  tmp.cleanup();
});

describe('HTTP deadlines', () => {
  test('a client trickling its headers a byte every 100 ms is answered 408 and cut off', async () => {
    const slow = rawClient();
    slow.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => slow.socket.write('X'), 100);
    const afterMs = await slow.closed;
    clearInterval(trickle);
    // Without the deadline the trickle would keep it open; it is cut within the deadline plus checks.
    assert.ok(afterMs >= HEADERS_TIMEOUT_MS - 50 && afterMs < 5000, `closed after ${afterMs} ms`);
    assert.match(slow.received(), /^HTTP\/1\.1 408 /);
    assert.equal(errorBody(slow.received()).code, 'CS_ERR_HTTP_TIMEOUT');
    assert.equal(await metric('callsight_http_header_timeouts_total'), 1);
  });

  test('a connection that sends nothing is cut off at the header deadline', async () => {
    const idle = rawClient();
    const afterMs = await idle.closed;
    assert.ok(afterMs < 5000, `closed after ${afterMs} ms`);
    assert.equal(await metric('callsight_http_header_timeouts_total'), 2);
  });

  test('a body that stops after 5 of its 100 bytes is answered 408 and cut off; whole requests still pass', async () => {
    const stalled = rawClient();
    stalled.socket.write(
      'POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
    );
    const afterMs = await stalled.closed;
    assert.ok(afterMs >= REQUEST_TIMEOUT_MS - 50 && afterMs < 5000, `closed after ${afterMs} ms`);
    assert.match(stalled.received(), /^HTTP\/1\.1 408 /);
    assert.deepEqual(errorBody(stalled.received()), {
      code: 'CS_ERR_HTTP_TIMEOUT',
      exception: 'BadRequestException',
      message: `request not received within http.requestTimeoutMs (${REQUEST_TIMEOUT_MS} ms)`,
    });
    assert.equal(await metric('callsight_http_body_timeouts_total'), 1);

    const whole = await fetch(`http://127.0.0.1:${server.port}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    assert.deepEqual(await whole.json(), { a: 1 });
  });

  test('the cut-off clients were logged once, not once each', () => {
    const lines = warnings('CS_ERR_HTTP_TIMEOUT');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.setting, 'http.headersTimeoutMs');
  });
});

describe('WebSocket client cap', () => {
  test('the third client from one address is refused 503 while the first two keep receiving', async () => {
    const a1 = await client('127.0.0.1');
    const a2 = await client('127.0.0.1');
    const refused = await refusedUpgradeAt(server.port, '/ws', { localAddress: '127.0.0.1' });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.code, 'CS_ERR_WS_CLIENT_LIMIT');
    assert.equal(refused.body.exception, 'ServiceUnavailableException');
    // Another address still gets in.
    const b1 = await client('127.0.0.2');

    // Over the total cap now, from an address with no client yet.
    const overTotal = await refusedUpgradeAt(server.port, '/ws', { localAddress: '127.0.0.3' });
    assert.equal(overTotal.status, 503);
    assert.equal(overTotal.body.code, 'CS_ERR_WS_CLIENT_LIMIT');
    await refusedUpgradeAt(server.port, '/ws', { localAddress: '127.0.0.3' });

    await stream.append(
      { 'detail-type': 'Transcribe', text: 'still flowing' },
      { type: 'Transcribe', callId: 'c1' },
    );
    for (const c of [a1, a2, b1]) {
      const [frame] = await c.waitForFrames(1);
      assert.match(frame ?? '', /still flowing/);
    }
    assert.equal(await metric('callsight_ws_refused_clients_total'), 3);
    assert.equal(await metric('callsight_ws_clients'), 3);
    // Each limit logged once when reached, not per refusal.
    const lines = warnings('CS_ERR_WS_CLIENT_LIMIT');
    assert.equal(lines.length, 2);
    assert.deepEqual(
      lines.map((l) => l.limit),
      [2, 3],
    );

    // A place freed is a place taken again.
    a1.ws.close();
    await a1.closed;
    await until(async () => (await metric('callsight_ws_clients')) === 2);
    const c1 = await client('127.0.0.3');
    assert.equal(c1.ws.readyState, c1.ws.OPEN);
  });
});
