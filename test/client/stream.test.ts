import { after, before, describe, test } from 'node:test';
import { AccessControl } from '../../src/access/AccessControl.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import {
  CallsightApi,
  CallsightApiError,
  DetailType,
  callIdOf,
  isTranscribe,
  stream,
  StreamClosedError,
  type StreamRecord,
} from '../../client/src/index.js';
import { HttpServer } from '../../src/gateway/HttpServer.js';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';
import { tempDir } from '../gateway/wsHarness.js';

const tmp = tempDir('callsight-client-');
let data: SqliteDataStream;
let server: HttpServer;

/** A pipeline record of `callId` as Callsight writes them (family 2). */
function transcribe(callId: string, i: number): object {
  return {
    time: new Date().toISOString(),
    'service-type': 'CallAnalytics',
    'detail-type': DetailType.Transcribe,
    mediaInsightsPipelineId: 'p1',
    metadata: JSON.stringify({ callId, transactionId: 't1', voiceConnectorId: 'vc' }),
    TranscriptEvent: { ResultId: `r${i}`, IsPartial: false, ChannelId: 'ch_0', Alternatives: [] },
  };
}

async function appendMany(callId: string, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++)
    await data.append(transcribe(callId, i), { type: DetailType.Transcribe, callId });
}

before(async () => {
  data = SqliteDataStream.open({ path: path.join(tmp.dir, 'stream.db') });
  server = await HttpServer.start({ access: AccessControl.none(), stream: data });
});

after(async () => {
  await server.close();
  await data.close();
  tmp.cleanup();
});

describe('the client package against a real gateway', () => {
  test('stream() resumes across a gateway restart: every record once, in order, none lost', async () => {
    await appendMany('call-a', 0, 30);
    const port = server.port;
    const received: StreamRecord[] = [];
    const controller = new AbortController();
    const iteration = (async () => {
      for await (const record of stream({
        url: `http://127.0.0.1:${port}`,
        from: '0',
        backoffMs: [50, 100],
        signal: controller.signal,
        WebSocket,
      })) {
        received.push(record);
        if (received.length === 60) controller.abort();
      }
    })();
    while (received.length < 30) await new Promise((r) => setTimeout(r, 20));
    // The gateway goes away (1001 to every client) and comes back on the same port.
    await server.close();
    await appendMany('call-a', 30, 15);
    server = await HttpServer.start({ access: AccessControl.none(), stream: data, port });
    await appendMany('call-a', 45, 15);
    await iteration;
    assert.deepEqual(
      received.map((r) => r.sequenceNumber),
      Array.from({ length: 60 }, (_, i) => String(i + 1)),
    );
    assert.ok(received.every(isTranscribe));
    assert.equal(callIdOf(received[0]), 'call-a');
  });

  test('stream() passes the server-side filters and takes live records only without from', async () => {
    const port = server.port;
    const controller = new AbortController();
    const seen: StreamRecord[] = [];
    const iteration = (async () => {
      for await (const record of stream({
        url: `ws://127.0.0.1:${port}/ws`,
        callId: 'call-b',
        types: [DetailType.Transcribe],
        signal: controller.signal,
      })) {
        seen.push(record);
        if (seen.length === 3) controller.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 200)); // connected: only what comes next
    await data.append(
      { 'detail-type': 'Recording', metadata: '{"callId":"call-b"}' },
      {
        type: 'Recording',
        callId: 'call-b',
      },
    );
    await appendMany('call-c', 0, 2);
    await appendMany('call-b', 0, 3);
    await iteration;
    assert.deepEqual(
      seen.map((r) => [callIdOf(r), r['detail-type']]),
      Array.from({ length: 3 }, () => ['call-b', DetailType.Transcribe]),
    );
  });

  test('stream() ends with StreamClosedError when the server closes for good (4401), offering the token as a subprotocol', async () => {
    const offered: string[] = [];
    const refusing = new WebSocketServer({
      port: 0,
      handleProtocols: (protocols) => [...protocols][0] ?? false,
    });
    refusing.on('connection', (ws, request) => {
      // ws sends "a,b", the global WebSocket of Node 22 and later (undici) "a, b": the same list.
      offered.push((request.headers['sec-websocket-protocol'] ?? '').replace(/,\s*/g, ','));
      ws.close(4401, 'token revoked');
    });
    await new Promise((r) => refusing.once('listening', r));
    const { port } = refusing.address() as { port: number };
    try {
      await assert.rejects(
        (async () => {
          for await (const record of stream({
            url: `http://127.0.0.1:${port}`,
            credentials: { token: 'cs_test_token' },
          }))
            assert.fail(`no record expected, got ${record.sequenceNumber}`);
        })(),
        (err: unknown) =>
          err instanceof StreamClosedError && err.code === 4401 && err.reason === 'token revoked',
      );
      assert.deepEqual(
        offered,
        ['callsight,callsight.bearer.cs_test_token'],
        'one attempt, no reconnect loop',
      );
    } finally {
      refusing.close();
    }
  });

  test('CallsightApi reads records and maps error bodies to CallsightApiError', async () => {
    const api = new CallsightApi({ url: `http://127.0.0.1:${server.port}/` });
    const page = await api.records('10', 5);
    assert.deepEqual(
      page.map((r) => r.sequenceNumber),
      ['11', '12', '13', '14', '15'],
    );
    await assert.rejects(
      api.records('x'),
      (err: unknown) =>
        err instanceof CallsightApiError && err.status === 400 && err.code === 'CS_ERR_STREAM_BAD_SEQUENCE',
    );
    await assert.rejects(
      api.calls(),
      (err: unknown) => err instanceof CallsightApiError && err.status === 404,
    );
  });
});
