import { test, describe, before, after } from 'node:test';
import { AccessControl } from '../../src/access/AccessControl.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { registerApiRoutes } from '../../src/gateway/api/ApiRoutes.js';
import { HttpServer } from '../../src/gateway/HttpServer.js';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';
import { connect, rawRequest, tempDir } from './wsHarness.js';

const tmp = tempDir('callsight-http-');
const webRoot = path.join(tmp.dir, 'web');
let stream: SqliteDataStream;
let server: HttpServer;
let base: string;
const body = async (res: Response): Promise<Record<string, unknown>> =>
  (await res.json()) as Record<string, unknown>;

before(async () => {
  fs.mkdirSync(path.join(webRoot, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>Callsight</title>');
  fs.writeFileSync(path.join(webRoot, 'assets', 'app.js'), 'console.log(1);');
  fs.writeFileSync(path.join(tmp.dir, 'secret.txt'), 'do not serve');
  stream = SqliteDataStream.open({ path: path.join(tmp.dir, 'stream.db') });
  server = await HttpServer.start({
    access: AccessControl.none(),
    stream,
    webRoot,
    routes: (app) => {
      app.get('/api/hello', async () => ({ hello: 'host' }));
      app.post('/api/echo', (request) => request.body);
      app.get('/api/boom', () => {
        throw new Error('secret internals');
      });
      registerApiRoutes(app, {
        calls: { active: () => Promise.resolve([]) },
        routes: { routes: () => Promise.resolve([]) },
        stream,
      });
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
  await stream.close();
  tmp.cleanup();
});

describe('HttpServer', () => {
  test('/healthz is a 503 CS_ERR_NOT_READY error with its details until setReady(true), then 200', async () => {
    let res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 503);
    const starting = await body(res);
    assert.deepEqual(Object.keys(starting).sort(), ['code', 'details', 'exception', 'message']);
    assert.equal(starting.code, 'CS_ERR_NOT_READY');
    assert.equal(starting.exception, 'ServiceUnavailableException');
    assert.equal(starting.message, 'Callsight is starting');
    assert.deepEqual(starting.details, {
      status: 'starting',
      ...server.gateway.counts(),
      lastSequence: stream.lastSequence(),
    });
    server.setReady(true);
    res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    const details = await body(res);
    assert.equal(details.status, 'ok');
    assert.equal(details.lastSequence, stream.lastSequence());
  });

  test('/api/records returns stored records with sequenceNumber, paged by from and limit', async () => {
    const seqs: string[] = [];
    for (let i = 0; i < 5; i++)
      seqs.push(await stream.append({ 'detail-type': 'Transcribe', i }, { type: 'Transcribe', callId: 'c' }));
    const res = await fetch(`${base}/api/records?from=${seqs[1]}&limit=2`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await res.json(), [
      { sequenceNumber: seqs[2], 'detail-type': 'Transcribe', i: 2 },
      { sequenceNumber: seqs[3], 'detail-type': 'Transcribe', i: 3 },
    ]);
    assert.equal(((await (await fetch(`${base}/api/records`)).json()) as unknown[]).length, 5);
    const bad = await fetch(`${base}/api/records?from=-1`);
    assert.equal(bad.status, 400);
    assert.deepEqual(await body(bad), {
      code: 'CS_ERR_STREAM_BAD_SEQUENCE',
      exception: 'BadRequestException',
      message: 'sequence number must be a non-negative integer string, got "-1"',
    });
    for (const limit of ['0', '5000', 'x']) {
      const res = await fetch(`${base}/api/records?limit=${limit}`);
      assert.equal(res.status, 400);
      assert.deepEqual(await body(res), {
        code: 'CS_ERR_BAD_REQUEST',
        exception: 'BadRequestException',
        message: 'GET /api/records: limit: must be an integer 1..1000',
        errors: [{ path: 'limit', message: 'must be an integer 1..1000' }],
      });
    }
  });

  test('every /api error has the one body: 404, 415, 400 from Fastify, 500 without internals', async () => {
    const missing = await fetch(`${base}/api/calls/no-such-call`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await body(missing), {
      code: 'CS_ERR_NOT_FOUND',
      exception: 'NotFoundException',
      message: 'no active call no-such-call',
    });
    const noRoute = await fetch(`${base}/api/nothing-here`, { method: 'POST' });
    assert.equal(noRoute.status, 404);
    assert.deepEqual(await body(noRoute), {
      code: 'CS_ERR_NOT_FOUND',
      exception: 'NotFoundException',
      message: 'no route for POST /api/nothing-here',
    });
    const post = (contentType: string, text: string) =>
      fetch(`${base}/api/echo`, { method: 'POST', headers: { 'content-type': contentType }, body: text });
    const unsupported = await post('application/x-unknown', 'x');
    assert.equal(unsupported.status, 415);
    assert.deepEqual(
      { ...(await body(unsupported)), message: '…' },
      { code: 'CS_ERR_UNSUPPORTED_MEDIA_TYPE', exception: 'BadRequestException', message: '…' },
    );
    const malformed = await post('application/json', '{"unclosed"');
    assert.equal(malformed.status, 400);
    assert.equal((await body(malformed)).code, 'CS_ERR_BAD_REQUEST');
    const boom = await fetch(`${base}/api/boom`);
    assert.equal(boom.status, 500);
    assert.deepEqual(await body(boom), {
      code: 'CS_ERR_INTERNAL',
      exception: 'ServiceFailureException',
      message: 'internal error',
    });
  });

  test('/metrics has process metrics and the gateway counters', async () => {
    const c = await connect(server.port);
    const seq = await stream.append({ m: 1 }, { type: 'Transcribe', callId: null });
    await c.waitForFrames(1);
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /^process_cpu_user_seconds_total /m);
    assert.match(text, /^callsight_ws_clients 1$/m);
    assert.match(text, /^callsight_ws_frames_sent_total [1-9]\d*$/m);
    assert.match(text, /^callsight_ws_slow_disconnects_total 0$/m);
    assert.match(text, new RegExp(`^callsight_stream_last_sequence ${seq}$`, 'm'));
    c.ws.close();
    await c.closed;
  });

  test('serves the web app at / and its files, never outside webRoot; host routes work', async () => {
    const index = await fetch(`${base}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(await index.text(), '<!doctype html><title>Callsight</title>');
    const js = await fetch(`${base}/assets/app.js`);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    const missing = await fetch(`${base}/assets/missing.js`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await body(missing), {
      code: 'CS_ERR_NOT_FOUND',
      exception: 'NotFoundException',
      message: 'no route for GET /assets/missing.js',
    });
    for (const outside of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await rawRequest(server.port, outside);
      assert.equal(res.status, 404, outside);
      assert.ok(!res.body.toString().includes('do not serve'), outside);
    }
    assert.equal((await rawRequest(server.port, '/%E0%A4%A')).status, 400);
    assert.equal((await rawRequest(server.port, '/assets/')).status, 404);
    assert.deepEqual(await (await fetch(`${base}/api/hello`)).json(), { hello: 'host' });
  });

  test('close() turns health red, closes WebSocket clients with 1001, and is idempotent', async () => {
    const other = await HttpServer.start({ access: AccessControl.none(), stream });
    other.setReady(true);
    const healthy = await connect(other.port);
    const stuck = await connect(other.port);
    stuck.socket?.pause(); // never answers the close handshake, so shutdown waits for it
    const closing = other.close();
    assert.equal(other.close(), closing);
    const res = await fetch(`http://127.0.0.1:${other.port}/healthz`);
    assert.equal(res.status, 503);
    const closing503 = await body(res);
    assert.equal(closing503.code, 'CS_ERR_NOT_READY');
    assert.equal((closing503.details as Record<string, unknown>).status, 'shutting down');
    assert.deepEqual(await healthy.closed, { code: 1001, reason: 'server shutting down' });
    await closing;
    other.setReady(true);
    stuck.socket?.resume();
    assert.equal((await stuck.closed).code, 1001, 'the close frame was sent before the socket was cut');
    await assert.rejects(fetch(`http://127.0.0.1:${other.port}/healthz`));
    assert.equal((await fetch(`${base}/healthz`)).status, 200, 'the other server is unaffected');
  });
});
