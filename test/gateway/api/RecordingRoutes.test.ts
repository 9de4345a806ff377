import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandler } from '../../../src/gateway/HttpErrors.js';
import { registerRecordingRoutes } from '../../../src/gateway/api/RecordingRoutes.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { RecordingStore } from '../../../src/recording/RecordingStore.js';
import { WavHeader } from '../../../src/media/wav/WavHeader.js';
import { s3ServerUnavailable, startS3Server, type S3TestServer } from '../../helpers/s3Server.js';

const root = mkdtempSync(join(tmpdir(), 'callsight-recording-routes-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A finished stereo recording of `frames` frames (samples encode `tag`), written at `path`. */
function recordingAt(path: string, frames: number, tag: number): Buffer {
  mkdirSync(dirname(path), { recursive: true });
  const data = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames * 2; i++) data.writeInt16LE((i * tag) % 30000, i * 2);
  const bytes = Buffer.concat([
    new WavHeader({ channels: 2, sampleRate: 16_000, dataBytes: data.length }).serialize(),
    data,
  ]);
  writeFileSync(path, bytes);
  return bytes;
}

/** A fastify server with the API error handler and the recording route, as App registers them. */
async function serve(store: RecordingStore): Promise<{ server: FastifyInstance; base: string }> {
  const server = Fastify();
  installErrorHandler(server, silentLogger);
  registerRecordingRoutes(server, store);
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  return { server, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

const bytesOf = async (res: Response) => Buffer.from(await res.arrayBuffer());

describe('GET /api/calls/{callId}/recording (local folder)', () => {
  let store: RecordingStore;
  let server: FastifyInstance;
  let base: string;
  let older: Buffer;
  let latest: Buffer;

  before(async () => {
    store = await RecordingStore.open({
      dir: join(root, 'local'),
      retentionDays: 0,
      s3: null,
      logger: silentLogger,
    });
    ({ server, base } = await serve(store));
    older = recordingAt(store.pathFor('call-1', 'pipeline-a'), 8000, 3);
    const past = new Date(Date.now() - 60_000);
    utimesSync(store.pathFor('call-1', 'pipeline-a'), past, past);
    latest = recordingAt(store.pathFor('call-1', 'pipeline-b'), 16_000, 5);
    recordingAt(`${store.pathFor('call-1', 'pipeline-c')}.part`, 100, 9); // still recording
  });
  after(async () => {
    await server.close();
    await store.close();
  });

  test("serves the call's latest recording whole, as audio/wav that can be ranged", async () => {
    const res = await fetch(`${base}/api/calls/call-1/recording`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/wav');
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.equal(res.headers.get('content-length'), String(latest.length));
    assert.equal(res.headers.get('content-disposition'), 'inline; filename="call-1-pipeline-b.wav"');
    const body = await bytesOf(res);
    assert.deepEqual(body, latest);
    assert.deepEqual(WavHeader.parse(body)?.toJSON(), {
      channels: 2,
      sampleRate: 16_000,
      dataBytes: 64_000,
      riffBytes: 64_036,
      dataOffset: 44,
    });
  });

  test('?pipelineId= picks one; a recording in progress, an unknown pipeline or call is a 404', async () => {
    const picked = await fetch(`${base}/api/calls/call-1/recording?pipelineId=pipeline-a`);
    assert.equal(picked.status, 200);
    assert.deepEqual(await bytesOf(picked), older);
    // The path records link to ends in a file name; it serves the same.
    const named = await fetch(`${base}/api/calls/call-1/recording.wav?pipelineId=pipeline-a`);
    assert.equal(named.status, 200);
    assert.equal(named.headers.get('content-type'), 'audio/wav');
    assert.deepEqual(await bytesOf(named), older);
    for (const url of [
      '/api/calls/call-1/recording?pipelineId=pipeline-c',
      '/api/calls/call-1/recording?pipelineId=nope',
      '/api/calls/call-2/recording',
      '/api/calls/call-2/recording.wav',
    ]) {
      const res = await fetch(`${base}${url}`);
      assert.equal(res.status, 404, url);
      const body = (await res.json()) as { code: string; exception: string };
      assert.deepEqual([body.code, body.exception], ['CS_ERR_NOT_FOUND', 'NotFoundException'], url);
    }
  });

  test('recording.redacted.wav serves the copy with the PII silenced, never the recording as recorded', async () => {
    const missing = await fetch(`${base}/api/calls/call-1/recording.redacted.wav?pipelineId=pipeline-a`);
    assert.equal(missing.status, 404, 'no redacted copy of this one');
    assert.match(((await missing.json()) as { message: string }).message, /no finished redacted recording/);
    const redacted = recordingAt(store.pathFor('call-1', 'pipeline-a', 'redacted'), 8000, 11);
    const res = await fetch(`${base}/api/calls/call-1/recording.redacted.wav?pipelineId=pipeline-a`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-disposition'), 'inline; filename="call-1-pipeline-a-redacted.wav"');
    assert.deepEqual(await bytesOf(res), redacted);
    const ranged = await fetch(`${base}/api/calls/call-1/recording.redacted.wav?pipelineId=pipeline-a`, {
      headers: { range: 'bytes=0-99' },
    });
    assert.equal(ranged.status, 206);
    assert.deepEqual(await bytesOf(ranged), redacted.subarray(0, 100));
    const plain = await fetch(`${base}/api/calls/call-1/recording.wav?pipelineId=pipeline-a`);
    assert.deepEqual(await bytesOf(plain), older, 'recording.wav stays the recording as recorded');
  });

  test('one range is a 206 with Content-Range: first bytes, an open end, a suffix, an end past the file', async () => {
    const size = latest.length;
    const cases: [string, number, number][] = [
      ['bytes=0-43', 0, 43],
      ['bytes=1000-', 1000, size - 1],
      ['bytes=-100', size - 100, size - 1],
      ['bytes=64000-99999999', 64_000, size - 1],
      ['bytes=10-20,15-30', 10, 30], // overlapping ranges are combined into one
    ];
    for (const [range, start, end] of cases) {
      const res = await fetch(`${base}/api/calls/call-1/recording`, { headers: { range } });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${size}`, range);
      assert.equal(res.headers.get('content-length'), String(end - start + 1), range);
      assert.equal(res.headers.get('content-type'), 'audio/wav', range);
      assert.deepEqual(await bytesOf(res), latest.subarray(start, end + 1), range);
    }
  });

  test('a range outside the file is a 416 with Content-Range */size; several or malformed ranges get the whole file', async () => {
    const size = latest.length;
    const unsatisfiable = await fetch(`${base}/api/calls/call-1/recording`, {
      headers: { range: `bytes=${size}-` },
    });
    assert.equal(unsatisfiable.status, 416);
    assert.equal(unsatisfiable.headers.get('content-range'), `bytes */${size}`);
    assert.match(unsatisfiable.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await unsatisfiable.json(), {
      code: 'CS_ERR_RANGE_NOT_SATISFIABLE',
      exception: 'BadRequestException',
      message: `range bytes=${size}- lies outside the recording (${size} bytes)`,
    });
    for (const range of ['bytes=0-1,100-200', 'bytes=abc', 'items=0-5']) {
      const res = await fetch(`${base}/api/calls/call-1/recording`, { headers: { range } });
      assert.equal(res.status, 200, range);
      assert.equal((await bytesOf(res)).length, size, range);
    }
  });

  test('HEAD answers the headers alone', async () => {
    const res = await fetch(`${base}/api/calls/call-1/recording`, {
      method: 'HEAD',
      headers: { range: 'bytes=0-9' },
    });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 0-9/${latest.length}`);
    assert.equal((await bytesOf(res)).length, 0);
  });

  test('ids that could leave the recordings folder are refused with 400', async () => {
    for (const url of [
      '/api/calls/..%2F..%2Fetc/recording',
      '/api/calls/call-1/recording?pipelineId=..%2Fx',
    ]) {
      const res = await fetch(`${base}${url}`);
      assert.equal(res.status, 400, url);
      assert.equal(((await res.json()) as { code: string }).code, 'CS_ERR_BAD_REQUEST', url);
    }
  });
});

const unavailable = s3ServerUnavailable();
if (unavailable) process.stderr.write(`\n*** SKIPPING the S3 recording route tests: ${unavailable} ***\n\n`);

describe(
  'GET /api/calls/{callId}/recording (S3-compatible store, s3rver)',
  { skip: unavailable ?? false },
  () => {
    let s3: S3TestServer;
    let store: RecordingStore;
    let server: FastifyInstance;
    let base: string;

    before(async () => {
      s3 = await startS3Server({ bucket: 'route-recordings' });
      store = await RecordingStore.open({
        dir: join(root, 's3'),
        retentionDays: 30,
        s3: s3.settings,
        logger: silentLogger,
      });
      ({ server, base } = await serve(store));
    });
    after(async () => {
      await server?.close();
      await store?.close();
      await s3?.stop();
    });

    test('a recording uploaded at the end of its call is streamed from the bucket, whole and by range', async () => {
      const path = store.pathFor('call-s3', 'pipeline-1');
      const bytes = recordingAt(path, 48_000, 7); // 3 s, 192 KB
      const stored = await store.publish(path, 'call-s3', 'pipeline-1');
      assert.equal(stored.location, 's3://route-recordings/call-s3/pipeline-1.wav');
      assert.ok(!existsSync(path), 'no local copy left');

      const whole = await fetch(`${base}/api/calls/call-s3/recording`);
      assert.equal(whole.status, 200);
      assert.equal(whole.headers.get('content-type'), 'audio/wav');
      assert.equal(whole.headers.get('content-length'), String(bytes.length));
      assert.deepEqual(await bytesOf(whole), bytes);

      const ranged = await fetch(`${base}/api/calls/call-s3/recording?pipelineId=pipeline-1`, {
        headers: { range: 'bytes=100000-100999' },
      });
      assert.equal(ranged.status, 206);
      assert.equal(ranged.headers.get('content-range'), `bytes 100000-100999/${bytes.length}`);
      assert.deepEqual(await bytesOf(ranged), bytes.subarray(100_000, 101_000));

      const outside = await fetch(`${base}/api/calls/call-s3/recording`, {
        headers: { range: 'bytes=999999-' },
      });
      assert.equal(outside.status, 416);
    });
  },
);
