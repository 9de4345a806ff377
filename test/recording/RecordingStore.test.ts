import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { silentLogger } from '../../src/platform/logger.js';
import { RecordingStore } from '../../src/recording/RecordingStore.js';
import type { RecordingStoreOptions } from '../../src/recording/RecordingStoreTypes.js';
import { WavHeader } from '../../src/media/wav/WavHeader.js';
import { freePort } from '../helpers/ports.js';
import {
  S3_TEST_SECRET,
  s3ServerUnavailable,
  startS3Server,
  type S3TestServer,
} from '../helpers/s3Server.js';

const DAY = 24 * 3_600_000;
const root = mkdtempSync(join(tmpdir(), 'callsight-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const freshDir = () => join(root, `store-${++folders}`);

/** A finished stereo recording of `frames` frames whose samples encode `tag`, at `path`. */
function recordingAt(path: string, frames = 1600, tag = 7): Buffer {
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

function setAge(path: string, days: number): void {
  const when = new Date(Date.now() - days * DAY);
  utimesSync(path, when, when);
}

async function open(options: Partial<RecordingStoreOptions> & { dir: string }): Promise<RecordingStore> {
  return RecordingStore.open({ retentionDays: 30, s3: null, logger: silentLogger, ...options });
}

describe('RecordingStore: local folder', () => {
  test('finished recordings are found by call (latest) or pipeline, and read whole or by range', async () => {
    const dir = freshDir();
    const store = await open({ dir });
    try {
      assert.equal(store.pathFor('call-a', 'p1'), join(dir, 'call-a', 'p1.wav'));
      const first = recordingAt(store.pathFor('call-a', 'p1'), 800, 3);
      setAge(store.pathFor('call-a', 'p1'), 0.01);
      const second = recordingAt(store.pathFor('call-a', 'p2'), 1600, 5);
      recordingAt(`${store.pathFor('call-a', 'p3')}.part`); // still recording: not served
      const published = await store.publish(store.pathFor('call-a', 'p2'), 'call-a', 'p2');
      assert.deepEqual(
        [published.where, published.location, published.sizeBytes],
        ['local', store.pathFor('call-a', 'p2'), second.length],
      );

      const latest = await store.find('call-a');
      assert.equal(latest?.pipelineId, 'p2');
      assert.equal((await store.find('call-a', 'p1'))?.sizeBytes, first.length);
      assert.equal(await store.find('call-a', 'p3'), null, 'a recording in progress is not found');
      assert.equal(await store.find('call-b'), null);
      assert.equal(await store.find('../etc'), null, 'no path escapes the folder');
      assert.deepEqual(await buffer(await store.read(latest)), second);
      assert.deepEqual(
        await buffer(await store.read(latest, { start: 40, end: 139 })),
        second.subarray(40, 140),
      );
    } finally {
      await store.close();
    }
  });

  test('a redacted copy sits beside the recording as <pipelineId>.redacted.wav; each is found only as what it is', async () => {
    const dir = freshDir();
    const store = await open({ dir });
    try {
      assert.equal(store.pathFor('call-r', 'p1', 'redacted'), join(dir, 'call-r', 'p1.redacted.wav'));
      const plain = recordingAt(store.pathFor('call-r', 'p1'), 800, 3);
      const redacted = recordingAt(store.pathFor('call-r', 'p1', 'redacted'), 800, 5);
      recordingAt(store.pathFor('call-r', 'p2', 'work')); // awaiting redaction: never found
      const found = await store.find('call-r');
      assert.deepEqual([found?.pipelineId, found?.redacted], ['p1', false]);
      assert.deepEqual(await buffer(await store.read(found!)), plain);
      const copy = await store.find('call-r', 'p1', true);
      assert.deepEqual([copy?.pipelineId, copy?.redacted], ['p1', true]);
      assert.deepEqual(await buffer(await store.read(copy!)), redacted);
      assert.equal(await store.find('call-r', 'p2'), null);
      assert.equal(await store.find('call-r', 'p2', true), null);
      assert.equal(
        await store.eraseCall('call-r'),
        3,
        'erasure counts the redacted copy and the file awaiting redaction',
      );
      assert.ok(!existsSync(join(dir, 'call-r')));
    } finally {
      await store.close();
    }
  });

  test('open() finalizes what a crash left before anything records', async () => {
    const dir = freshDir();
    const crashed = join(dir, 'call-c', 'p1.wav');
    const bytes = recordingAt(`${crashed}.part`, 1600);
    bytes.writeUInt32LE(0, 40); // the provisional header of a call killed before its first header update
    writeFileSync(`${crashed}.part`, bytes);
    const store = await open({ dir });
    try {
      assert.ok(existsSync(crashed) && !existsSync(`${crashed}.part`));
      assert.equal(WavHeader.parse(readFileSync(crashed))?.dataBytes, 1600 * 4);
      assert.equal((await store.find('call-c'))?.pipelineId, 'p1');
    } finally {
      await store.close();
    }
  });

  test('retention deletes recordings older than retentionDays (and their empty call folders); 0 keeps them', async () => {
    const dir = freshDir();
    const old = join(dir, 'call-old', 'p1.wav');
    const oldRedacted = join(dir, 'call-old', 'p1.redacted.wav');
    const recent = join(dir, 'call-new', 'p1.wav');
    recordingAt(old);
    recordingAt(oldRedacted);
    recordingAt(recent);
    setAge(old, 31);
    setAge(oldRedacted, 31);
    setAge(recent, 29);
    const keeper = await open({ dir, retentionDays: 0 });
    assert.deepEqual(await keeper.maintain(), {
      uploaded: 0,
      uploadFailures: 0,
      deletedLocal: 0,
      deletedS3: 0,
    });
    await keeper.close();
    assert.ok(existsSync(old));

    const store = await open({ dir, retentionDays: 30 });
    await store.maintain(); // the pass open() started
    await store.close();
    assert.ok(!existsSync(oldRedacted), 'its redacted copy too');
    assert.ok(!existsSync(old) && !existsSync(dirname(old)), 'expired recording and its folder removed');
    assert.ok(existsSync(recent));
  });
});

const unavailable = s3ServerUnavailable();
if (unavailable) {
  process.stderr.write(`\n*** SKIPPING the S3 recording tests: ${unavailable} ***\n\n`);
}

describe('RecordingStore: S3-compatible store (s3rver)', { skip: unavailable ?? false }, () => {
  let s3: S3TestServer;
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });

  before(async () => {
    s3 = await startS3Server({ bucket: 'callsight-recordings' });
  });
  after(async () => {
    await s3?.stop();
  });

  test('a finished recording is uploaded, removed locally, and read back from S3 whole or by range', async () => {
    const dir = freshDir();
    const store = await open({ dir, s3: s3.settings, logger });
    try {
      const path = store.pathFor('call-s3', 'p1');
      const bytes = recordingAt(path, 16_000);
      const published = await store.publish(path, 'call-s3', 'p1');
      assert.deepEqual(
        [published.where, published.location, published.sizeBytes],
        ['s3', 's3://callsight-recordings/call-s3/p1.wav', bytes.length],
      );
      assert.ok(!existsSync(path) && !existsSync(dirname(path)), 'the local copy is gone');
      const found = await store.find('call-s3');
      assert.deepEqual([found?.where, found?.pipelineId, found?.sizeBytes], ['s3', 'p1', bytes.length]);
      assert.deepEqual(await buffer(await store.read(found!)), bytes);
      assert.deepEqual(
        await buffer(await store.read(found!, { start: 44, end: 1043 })),
        bytes.subarray(44, 1044),
      );
    } finally {
      await store.close();
    }
  });

  test('a failed upload keeps the recording local, served from there, and is retried until it succeeds', async () => {
    const port = await freePort();
    const down = { ...s3.settings, endpoint: `http://127.0.0.1:${port}` };
    const dir = freshDir();
    const store = await open({ dir, s3: down, logger, retryDelayMs: 300 });
    let later: S3TestServer | undefined;
    try {
      await assert.rejects(store.find('call-elsewhere'), { code: 'CS_ERR_RECORDING_STORE_UNAVAILABLE' });
      const path = store.pathFor('call-retry', 'p1');
      const bytes = recordingAt(path);
      const published = await store.publish(path, 'call-retry', 'p1');
      assert.deepEqual([published.where, published.location], ['local', path]);
      assert.ok(existsSync(path), 'kept locally');
      assert.equal((await store.find('call-retry'))?.where, 'local');
      // The store comes up on that port: the scheduled retry uploads the recording.
      later = await startS3Server({ bucket: s3.bucket, port });
      const deadline = Date.now() + 15_000;
      while (existsSync(path) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok(!existsSync(path), 'uploaded by a retry, then removed locally');
      const found = await store.find('call-retry');
      assert.equal(found?.where, 's3');
      assert.deepEqual(await buffer(await store.read(found)), bytes);
    } finally {
      await store.close();
      await later?.stop();
    }
  });

  test('retention deletes old recordings in the bucket and nothing else there', async () => {
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.settings.accessKeyId, secretAccessKey: s3.settings.secretAccessKey },
    });
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: 'notes/readme.txt', Body: 'not a recording' }),
    );
    for (const Key of ['call-x/p9.wav', 'call-x/p9.redacted.wav'])
      await client.send(
        new PutObjectCommand({ Bucket: s3.bucket, Key, Body: recordingAt(join(freshDir(), 'x.wav')) }),
      );
    client.destroy();
    // Thirty-one days from now, everything in the bucket is older than 30 days.
    const store = await open({ dir: freshDir(), s3: s3.settings, logger, now: () => Date.now() + 31 * DAY });
    const report = await store.maintain();
    await store.close();
    assert.ok(report.deletedS3 >= 2, `${report.deletedS3} objects deleted`);
    const after = await open({ dir: freshDir(), s3: s3.settings, logger, retentionDays: 0 });
    try {
      assert.equal(await after.find('call-x'), null, 'the old recording is gone');
      assert.equal(await after.find('call-x', undefined, true), null, 'and its redacted copy');
      assert.equal(await after.find('call-s3'), null);
      const listing = await fetch(`${s3.endpoint}/${s3.bucket}?list-type=2`).then((r) => r.text());
      assert.match(listing, /notes\/readme\.txt/, 'a foreign object is left alone');
    } finally {
      await after.close();
    }
  });

  test('eraseCall deletes the recordings of the call in the bucket and locally, and no other call', async () => {
    const dir = freshDir();
    const store = await open({ dir, s3: s3.settings, logger });
    try {
      for (const [callId, pipelineId, redacted] of [
        ['call-erase', 'p1', false],
        ['call-erase', 'p1', true],
        ['call-erase', 'p2', false],
        ['call-erase-kept', 'p1', false],
      ] as const) {
        const path = store.pathFor(callId, pipelineId, redacted ? 'redacted' : 'recording');
        recordingAt(path);
        const published = await store.publish(path, callId, pipelineId, redacted);
        if (redacted)
          assert.deepEqual(
            [published.location, published.redacted],
            ['s3://callsight-recordings/call-erase/p1.redacted.wav', true],
          );
      }
      assert.equal(
        (await store.find('call-erase', 'p1', true))?.where,
        's3',
        'the redacted copy is in the bucket',
      );
      recordingAt(`${store.pathFor('call-erase', 'p3')}.part`); // a leftover of a crash, never uploaded
      assert.equal(await store.eraseCall('call-erase'), 4);
      assert.equal(await store.find('call-erase'), null);
      assert.equal(await store.find('call-erase', 'p1', true), null, 'the redacted copy is gone too');
      assert.ok(!existsSync(join(dir, 'call-erase')), 'the local folder is gone');
      assert.equal((await store.find('call-erase-kept'))?.where, 's3', 'another call keeps its recording');
      assert.equal(await store.eraseCall('call-erase'), 0);
      assert.equal(await store.eraseCall('../call-erase-kept'), 0, 'not a call id: nothing');
    } finally {
      await store.close();
    }
  });

  test('the secret access key is never logged', () => {
    assert.ok(logs.length > 5, `${logs.length} log lines`);
    assert.ok(logs.some((l) => l.includes('recordings ready') && l.includes('callsight-recordings')));
    assert.ok(!logs.some((l) => l.includes(S3_TEST_SECRET)));
  });
});
