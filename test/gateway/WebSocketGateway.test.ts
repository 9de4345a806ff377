import { test, describe, before, after } from 'node:test';
import { AccessControl } from '../../src/access/AccessControl.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { WebSocket } from 'ws';
import { HttpServer } from '../../src/gateway/HttpServer.js';
import { SqliteConnectionRegistry } from '../../src/gateway/SqliteConnectionRegistry.js';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';
import { capturedLogger } from '../helpers/capturedLogger.js';
import { connect, refusedUpgradeAt, tempDir, until, type TestClient } from './wsHarness.js';

const tmp = tempDir('callsight-ws-');
let stream: SqliteDataStream;
let registry: SqliteConnectionRegistry;
let server: HttpServer;
const log = capturedLogger();
const clients: TestClient[] = [];

async function client(query = '', options = {}): Promise<TestClient> {
  const c = await connect(server.port, query, options);
  clients.push(c);
  return c;
}

/** One frame as the gateway sends it: a record with its sequence number spliced in. */
function frame(text: string | undefined): { sequenceNumber: string; 'detail-type'?: string; text?: string } {
  return JSON.parse(text ?? '') as { sequenceNumber: string; 'detail-type'?: string; text?: string };
}

function transcribe(callId: string, text: string): object {
  return {
    'detail-type': 'Transcribe',
    'service-type': 'CallAnalytics',
    metadata: `{"callId":"${callId}"}`,
    text,
  };
}

const append = (record: object, type = 'Transcribe', callId: string | null = 'call-1'): Promise<string> =>
  stream.append(record, { type, callId });

const refusedUpgrade = (pathAndQuery: string) => refusedUpgradeAt(server.port, pathAndQuery);

before(async () => {
  stream = SqliteDataStream.open({ path: path.join(tmp.dir, 'stream.db') });
  registry = SqliteConnectionRegistry.open({ path: path.join(tmp.dir, 'callsight.db'), flushIntervalMs: 50 });
  server = await HttpServer.start({
    access: AccessControl.none(),
    stream,
    registry,
    maxBufferedBytes: 256 * 1024,
    slowConsumerGraceMs: 200,
    logger: log.logger,
  });
});

after(async () => {
  for (const c of clients) c.ws.terminate();
  await server.close();
  await registry.close();
  await stream.close();
  tmp.cleanup();
});

describe('WebSocketGateway', () => {
  test('without from, a client gets only live records, each the stored JSON plus a sequenceNumber string', async () => {
    await append(transcribe('call-1', 'before connect'));
    const c = await client();
    const seqs = [await append(transcribe('call-1', 'héllo')), await append({})];
    const frames = await c.waitForFrames(2);
    const stored = await stream.read(String(Number(seqs[0]) - 1), 2);
    assert.deepEqual(frames, [
      `{"sequenceNumber":"${seqs[0]}",${stored[0]?.json.slice(1)}`,
      `{"sequenceNumber":"${seqs[1]}"}`,
    ]);
    assert.equal(frame(frames[0]).sequenceNumber, seqs[0]);
    assert.equal(frame(frames[0]).text, 'héllo');
  });

  test('?from= replays exactly the missed records, then continues live with no gap or duplicate', async () => {
    const start = Number(stream.lastSequence());
    for (let i = 0; i < 100; i++) void append(transcribe('call-1', `r${i}`));
    await append(transcribe('call-1', 'r100'));
    const resumeAfter = start + 40;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 60; i++) {
        await Promise.all([append({ i, a: 1 }), append({ i, b: 2 })]);
      }
      writing = false;
    })();
    const c = await client(`?from=${resumeAfter}`);
    await writer;
    assert.equal(writing, false);
    const end = Number(stream.lastSequence());
    const frames = await c.waitForFrames(end - resumeAfter);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(
      frames.map((f) => Number(frame(f).sequenceNumber)),
      Array.from({ length: end - resumeAfter }, (_, k) => resumeAfter + 1 + k),
    );
  });

  test('types and callId filter by detail-type (case-insensitive) and call', async () => {
    const c = await client('?types=transcribe,RECORDING&callId=call-9');
    await append(transcribe('call-9', 'keep 1'), 'Transcribe', 'call-9');
    await append({ 'detail-type': 'VoiceAnalyticsStatus' }, 'VoiceAnalyticsStatus', 'call-9');
    await append(transcribe('call-8', 'other call'), 'Transcribe', 'call-8');
    await append({ 'detail-type': 'Recording', s3MediaObjectConsoleUrl: '/r.wav' }, 'Recording', 'call-9');
    const last = await append({ 'detail-type': 'Recording', done: true }, 'Recording', 'call-9');
    const frames = await c.waitForFrames(3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(
      frames.map((f) => frame(f)['detail-type']),
      ['Transcribe', 'Recording', 'Recording'],
    );
    assert.equal(frame(frames[2]).sequenceNumber, last);
  });

  test('a bad from is refused with HTTP 400 and the one error body', async () => {
    for (const bad of ['-3', 'abc', '1e3']) {
      const { status, body } = await refusedUpgrade(`/ws?from=${bad}`);
      assert.equal(status, 400);
      assert.equal(body.code, 'CS_ERR_STREAM_BAD_SEQUENCE');
      assert.equal(body.exception, 'BadRequestException');
      assert.match(String(body.message), /non-negative integer/);
    }
  });

  test('an upgrade on another path is refused with 404 CS_ERR_NOT_FOUND', async () => {
    assert.deepEqual(await refusedUpgrade('/elsewhere'), {
      status: 404,
      body: {
        code: 'CS_ERR_NOT_FOUND',
        exception: 'NotFoundException',
        message: 'no WebSocket at /elsewhere',
      },
    });
  });

  test('a client that stops reading is closed with 4008 while another keeps receiving every record', async () => {
    const slow = await client('?types=Big');
    const healthy = await client('?types=Big');
    slow.socket?.pause();
    const before = server.gateway.counts().slowDisconnects;
    const payload = 'x'.repeat(32 * 1024);
    // Appends until the gateway gives up on the slow client: how much the kernel's socket buffers
    // hide before the gateway sees a backlog depends on the machine (tcp_rmem/tcp_wmem), so the test
    // does not guess it (at most ~128 MB).
    const seqs: string[] = [];
    while (server.gateway.counts().slowDisconnects === before && seqs.length < 4000) {
      const i = seqs.length;
      seqs.push(
        ...(await Promise.all(Array.from({ length: 20 }, (_, k) => append({ i: i + k, payload }, 'Big')))),
      );
    }
    await until(() => server.gateway.counts().slowDisconnects === before + 1, 60_000);
    const n = seqs.length;
    const frames = await healthy.waitForFrames(n, 60_000);
    assert.deepEqual(
      frames.map((f) => frame(f).sequenceNumber),
      seqs,
    );
    slow.socket?.resume();
    const { code, reason } = await slow.closed;
    assert.equal(code, 4008);
    assert.match(reason, /^slow consumer: \d+ bytes pending$/);
    const warned = log.lines.filter((line) => line.msg === 'closing slow websocket consumer');
    assert.deepEqual(
      warned.map((line) => [line.level, line.code]),
      [[40, 'CS_ERR_WS_SLOW_CLIENT']],
    );
    assert.ok(slow.frames.length < n, `slow client got ${slow.frames.length} frames before it was cut off`);
    assert.equal(healthy.ws.readyState, WebSocket.OPEN);
  });

  test('the registry shows each connection and the last sequence sent to it', async () => {
    const a = await client('?types=Reg');
    const b = await client('?types=Reg&callId=call-r');
    await append({ n: 1 }, 'Reg', 'call-r');
    const last = await append({ n: 2 }, 'Reg', 'other');
    await a.waitForFrames(2);
    await b.waitForFrames(1);
    const rows = async (): Promise<Map<string, { last: string | null; types: readonly string[] | null }>> =>
      new Map(
        (await registry.list('active'))
          .filter((r) => r.filters.types?.[0] === 'reg')
          .map((r) => [r.filters.callId ?? 'any', { last: r.lastSequenceSent, types: r.filters.types }]),
      );
    await until(async () => (await rows()).get('any')?.last === last);
    assert.equal((await rows()).get('call-r')?.last, String(Number(last) - 1));
    b.ws.close();
    await until(async () => !(await rows()).has('call-r'));
    const gone = (await registry.list('all')).find((r) => r.filters.callId === 'call-r');
    assert.ok(gone?.disconnectedAt);
  });

  test('client messages are ignored; oversized ones close the socket', async () => {
    const c = await client();
    c.ws.send('hello');
    const seq = await append({ after: 'hello' });
    assert.equal(frame((await c.waitForFrames(1))[0]).sequenceNumber, seq);
    c.ws.send(Buffer.alloc(65 * 1024));
    assert.equal((await c.closed).code, 1009);
  });

  test('a client that does not answer pings is terminated; one that does stays', async () => {
    const beating = await HttpServer.start({
      access: AccessControl.none(),
      stream,
      heartbeatIntervalMs: 100,
    });
    try {
      const mute = await connect(beating.port, '', { autoPong: false });
      const chatty = await connect(beating.port);
      clients.push(mute, chatty);
      const { code } = await mute.closed;
      assert.equal(code, 1006);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(chatty.ws.readyState, WebSocket.OPEN);
    } finally {
      await beating.close();
    }
  });

  test('counts report connected clients and frames sent', async () => {
    const counts = server.gateway.counts();
    assert.equal(counts.connectedClients, clients.filter((c) => c.ws.readyState === WebSocket.OPEN).length);
    assert.ok(counts.framesSent > 600);
  });
});
