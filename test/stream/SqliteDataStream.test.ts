import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';
import { recordFor } from './fixtures/killRecord.js';
import type { StoredRecord, StreamSubscription } from '../../src/stream/StreamTypes.js';
import { CallsightError, InvalidStateError } from '../../src/errors.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'callsight-stream-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dbCounter = 0;
const freshPath = (): string => path.join(tmpRoot, `stream-${++dbCounter}.db`);

const key = { type: 'Transcribe', callId: 'call-1' };

async function take(sub: StreamSubscription, n: number): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  if (n === 0) return out;
  for await (const record of { [Symbol.asyncIterator]: () => sub[Symbol.asyncIterator]() }) {
    out.push(record);
    if (out.length === n) break;
  }
  return out;
}

describe('SqliteDataStream', () => {
  test('appends get strictly increasing sequence numbers starting at 1, stored exactly', async () => {
    const stream = SqliteDataStream.open({ path: freshPath() });
    assert.equal(stream.lastSequence(), '0');
    const records = Array.from({ length: 50 }, (_, i) => ({
      'detail-type': 'Transcribe',
      i,
      text: `ü ${i}`,
    }));
    const seqs = await Promise.all(records.map((r) => stream.append(r, key)));
    assert.deepEqual(
      seqs,
      records.map((_, i) => String(i + 1)),
    );
    assert.equal(stream.lastSequence(), '50');
    const stored = await stream.read('0', 100);
    assert.deepEqual(
      stored.map((r) => r.json),
      records.map((r) => JSON.stringify(r)),
    );
    assert.equal(stored[0]?.type, 'Transcribe');
    assert.equal(stored[0]?.callId, 'call-1');
    assert.deepEqual(
      (await stream.read('45', 3)).map((r) => r.sequenceNumber),
      ['46', '47', '48'],
    );
    await stream.close();
  });

  test('appends in one tick share one transaction; later ticks get their own', async () => {
    const file = freshPath();
    const stream = SqliteDataStream.open({ path: file });
    const walFrames = (): number => Math.max(0, fs.statSync(`${file}-wal`).size - 32) / (4096 + 24);
    await stream.append({ warmup: true }, key);
    const before = walFrames();
    await Promise.all(Array.from({ length: 40 }, (_, i) => stream.append({ i }, key)));
    const oneTick = walFrames() - before;
    // Each commit appends at least one page frame to the WAL; one tick's burst is one commit.
    assert.ok(oneTick <= 3, `one burst wrote ${oneTick} WAL frames`);
    for (let i = 0; i < 10; i++) await stream.append({ i }, key);
    assert.ok(walFrames() - before - oneTick >= 10, 'ten awaited appends are ten commits');
    await stream.close();
  });

  test('sequence numbers are never reused, even after retention deleted every record and reopen', async () => {
    const file = freshPath();
    let stream = SqliteDataStream.open({ path: file, retention: { maxRecords: 2 } });
    for (let i = 0; i < 5; i++) await stream.append({ i }, key);
    stream.prune();
    assert.deepEqual(
      (await stream.read('0', 10)).map((r) => r.sequenceNumber),
      ['4', '5'],
    );
    await stream.close();
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
  });

  test('bad sequence numbers are refused with CS_ERR_STREAM_BAD_SEQUENCE', async () => {
    const stream = SqliteDataStream.open({ path: freshPath() });
    for (const bad of ['-1', '1.5', 'abc', '', ' 1', '99999999999999999', '0x10']) {
      await assert.rejects(stream.read(bad, 1), (err: unknown) => {
        assert.ok(err instanceof CallsightError);
        assert.equal(err.code, 'CS_ERR_STREAM_BAD_SEQUENCE');
        return true;
      });
      assert.throws(() => stream.subscribe(bad), /sequence number/);
    }
    await assert.rejects(stream.append([1, 2] as unknown as object, key), TypeError);
    await assert.rejects(stream.append({}, { type: '', callId: null }), TypeError);
    await stream.close();
  });

  test('subscribe hands off from stored to live records with no gap and no duplicate under concurrent appends', async () => {
    const stream = SqliteDataStream.open({ path: freshPath(), subscriptionQueueLimit: 16 });
    for (let i = 0; i < 300; i++) void stream.append({ i }, key);
    await stream.append({ i: 300 }, key);
    const total = 2000;
    const subs = ['0', '150', '301'].map((from) => ({ from: Number(from), sub: stream.subscribe(from) }));
    const writer = (async () => {
      for (let i = 301; i < total; i += 7) {
        await Promise.all(
          Array.from({ length: Math.min(7, total - i) }, (_, k) => stream.append({ i: i + k }, key)),
        );
      }
    })();
    const results = await Promise.all(
      subs.map(async ({ from, sub }) => {
        const got: number[] = [];
        for await (const r of sub) {
          got.push(Number(r.sequenceNumber));
          assert.equal(JSON.parse(r.json).i, Number(r.sequenceNumber) - 1);
          // A slow consumer: makes the live queue overflow so the database fallback is exercised.
          if (got.length % 50 === 0) await new Promise((res) => setTimeout(res, 5));
          if (got.at(-1) === total) break;
        }
        return { from, got, fallbacks: (sub as unknown as { fallbacks: number }).fallbacks };
      }),
    );
    await writer;
    for (const { from, got } of results) {
      assert.deepEqual(
        got,
        Array.from({ length: total - from }, (_, k) => from + 1 + k),
      );
    }
    assert.ok(
      results.some((r) => r.fallbacks > 0),
      'at least one subscriber fell behind the bounded queue and read from the database',
    );
    await stream.close();
  });

  test('close() flushes pending appends, ends subscriptions, is idempotent, and every method rejects afterwards', async () => {
    const file = freshPath();
    const stream = SqliteDataStream.open({ path: file });
    const sub = stream.subscribe('0');
    const iterated = take(sub, 1000);
    const pending = [stream.append({ a: 1 }, key), stream.append({ a: 2 }, key)];
    const closing = stream.close();
    assert.equal(stream.close(), closing);
    await closing;
    assert.deepEqual(await Promise.all(pending), ['1', '2']);
    assert.ok((await iterated).length <= 2, 'the subscription ended');
    assert.equal(stream.closed, true);
    await assert.rejects(stream.append({}, key), InvalidStateError);
    await assert.rejects(stream.read('0', 1), InvalidStateError);
    assert.throws(() => stream.subscribe('0'), InvalidStateError);
    assert.throws(() => stream.lastSequence(), InvalidStateError);
    assert.throws(() => stream.prune(), InvalidStateError);
    const reopened = SqliteDataStream.open({ path: file });
    assert.equal(reopened.lastSequence(), '2');
    await reopened.close();
  });

  test('kill -9 loses no acknowledged record', async () => {
    const file = freshPath();
    const fixture = fileURLToPath(new URL('./fixtures/appendLoop.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const acked = new Map<string, number>();
    let buffered = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
    const stdoutDone = new Promise<void>((resolve) => child.stdout.on('end', resolve));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [seq, index] = line.split(' ');
        if (seq !== undefined && index !== undefined) acked.set(seq, Number(index));
      }
      if (acked.size >= 1500 && child.signalCode === null) child.kill('SIGKILL');
    });
    assert.equal(await exited, 'SIGKILL');
    await stdoutDone;
    assert.ok(acked.size >= 1500, `child acknowledged ${acked.size} appends before the kill`);

    const stream = SqliteDataStream.open({ path: file });
    const stored = new Map((await stream.read('0', 1_000_000)).map((r) => [r.sequenceNumber, r.json]));
    for (const [seq, index] of acked) {
      assert.equal(stored.get(seq), JSON.stringify(recordFor(index)), `acknowledged record ${seq} survived`);
    }
    // Sequences are dense: the survivors are 1..N with nothing missing in between.
    const seqs = [...stored.keys()].map(Number);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
    );
    await stream.close();
  });
});
