import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';
import { InvalidStateError } from '../../src/platform/errors.js';
import { dataStreamContract } from './DataStreamContract.js';
import { openStream } from './fixtures/openStream.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'callsight-stream-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dbCounter = 0;
const freshPath = (): string => path.join(tmpRoot, `stream-${++dbCounter}.db`);

const key = { type: 'Transcribe', callId: 'call-1' };

dataStreamContract({
  name: 'SqliteDataStream',
  skip: () => false,
  fresh: () => ({ kind: 'sqlite', path: freshPath() }),
  open: openStream,
  enforceRetention: async (stream) => {
    (stream as SqliteDataStream).prune();
  },
  checkSlowSubscribers: (subscriptions) => {
    const fallbacks = subscriptions.map((s) => (s as unknown as { fallbacks: number }).fallbacks);
    assert.ok(
      fallbacks.some((n) => n > 0),
      'at least one subscriber fell behind the bounded queue and read from the database',
    );
  },
});

describe('SqliteDataStream', () => {
  test('appends in one tick share one transaction; later ticks get their own', async () => {
    const file = freshPath();
    const stream = SqliteDataStream.open({ path: file });
    const walFrames = (): number => Math.max(0, fs.statSync(`${file}-wal`).size - 32) / (4096 + 24);
    await stream.append({ warmup: true }, key);
    const before = walFrames();
    await Promise.all(Array.from({ length: 40 }, (_, i) => stream.append({ i }, key)));
    const oneTick = walFrames() - before;
    // Each commit appends a frame per page it changed (the table, its two indexes, the sequence
    // table); one tick's burst is one commit, where forty commits would be forty times that.
    assert.ok(oneTick <= 5, `one burst wrote ${oneTick} WAL frames`);
    for (let i = 0; i < 10; i++) await stream.append({ i }, key);
    assert.ok(walFrames() - before - oneTick >= 10, 'ten awaited appends are ten commits');
    await stream.close();
  });

  test('an erased call leaves no trace in the database file or its write-ahead log', async () => {
    const file = freshPath();
    const stream = SqliteDataStream.open({ path: file });
    for (let i = 0; i < 200; i++)
      await stream.append(
        { i, text: i % 2 ? 'my card is 4111 1111 1111 1111' : 'kept' },
        {
          type: 'Transcribe',
          callId: i % 2 ? 'erase-me' : 'call-1',
        },
      );
    const onDisk = (): string =>
      [file, `${file}-wal`]
        .filter((f) => fs.existsSync(f))
        .map((f) => fs.readFileSync(f).toString('latin1'))
        .join('');
    assert.ok(onDisk().includes('4111 1111'), 'the fixture wrote the secret');
    assert.equal(await stream.eraseCall('erase-me'), 100);
    assert.equal(onDisk().includes('4111 1111'), false);
    assert.equal(onDisk().includes('erase-me'), false);
    assert.equal((await stream.read('0', 1000)).length, 100);
    await stream.close();
  });

  test('sequence numbers are not reused after retention deleted every record', async () => {
    const file = freshPath();
    let stream = SqliteDataStream.open({ path: file });
    for (let i = 0; i < 5; i++) await stream.append({ i }, key);
    await stream.close();
    // Age pruning keeps records from the current millisecond; step past it so every record is old.
    await new Promise((res) => setTimeout(res, 5));
    stream = SqliteDataStream.open({ path: file, retention: { maxAgeMs: 0 } });
    assert.equal(stream.prune(Date.now() + 1), 0, 'open already pruned by age');
    assert.deepEqual(await stream.read('0', 10), []);
    assert.equal(stream.lastSequence(), '5');
    assert.equal(await stream.append({ again: true }, key), '6');
    await stream.close();
  });

  test('retention by age and by bytes deletes oldest first', async () => {
    const stream = SqliteDataStream.open({ path: freshPath(), retention: { maxBytes: 250 } });
    for (let i = 0; i < 10; i++) await stream.append({ pad: 'x'.repeat(90), i }, key); // 109 bytes each
    assert.equal(stream.prune(), 8);
    assert.deepEqual(
      (await stream.read('0', 10)).map((r) => r.sequenceNumber),
      ['9', '10'],
    );
    await stream.close();

    const aged = SqliteDataStream.open({ path: freshPath(), retention: { maxAgeMs: 60_000 } });
    await aged.append({ old: true }, key);
    await new Promise((res) => setTimeout(res, 5));
    await aged.append({ young: true }, key);
    const youngAt = (await aged.read('1', 1))[0]?.appendedAt ?? 0;
    assert.equal(aged.prune(youngAt + 59_000), 0);
    assert.equal(aged.prune(youngAt + 60_000), 1);
    assert.deepEqual(
      (await aged.read('0', 10)).map((r) => r.json),
      ['{"young":true}'],
    );
    await aged.close();
    assert.throws(() => aged.prune(), InvalidStateError);
  });
});
