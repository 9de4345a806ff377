/**
 * The DataStream contract (src/stream/StreamTypes.ts), run against every implementation: each test
 * file calls dataStreamContract() with a harness that opens its implementation.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CallsightError, InvalidStateError } from '../../src/platform/errors.js';
import type { StoredRecord, StreamRetention, StreamSubscription } from '../../src/stream/StreamTypes.js';
import { recordFor } from './fixtures/killRecord.js';
import type { OpenOptions, StreamSpec, TestStream } from './fixtures/openStream.js';

export interface StreamHarness {
  readonly name: string;
  /** A reason to skip every test (the server cannot be had), or false. */
  readonly skip: () => string | false;
  /** A storage no other test uses (a file, a JetStream stream and subject prefix). */
  fresh(): StreamSpec;
  open(spec: StreamSpec, options?: OpenOptions): Promise<TestStream>;
  /** Makes retention run now: SQLite prunes on a timer, JetStream enforces limits as records arrive. */
  enforceRetention(stream: TestStream): Promise<void>;
  /** Checks what the implementation shows of a subscriber that fell behind (optional). */
  checkSlowSubscribers?(subscriptions: readonly StreamSubscription[]): void;
}

const key = { type: 'Transcribe', callId: 'call-1' };
const FIXTURE = fileURLToPath(new URL('./fixtures/appendLoop.ts', import.meta.url));

export async function take(sub: StreamSubscription, n: number): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  if (n === 0) return out;
  for await (const record of { [Symbol.asyncIterator]: () => sub[Symbol.asyncIterator]() }) {
    out.push(record);
    if (out.length === n) break;
  }
  return out;
}

interface Appender {
  /** "<seq> <index>" lines the child printed: acknowledged appends. */
  readonly acked: Map<string, number>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

/** Starts fixtures/appendLoop.ts on the spec; onAck sees every acknowledged append. */
function startAppender(
  spec: StreamSpec,
  args: string[],
  onAck?: (acked: Map<string, number>) => void,
): Appender {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, JSON.stringify(spec), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const acked = new Map<string, number>();
  let buffered = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
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
    onAck?.(acked);
  });
  return {
    acked,
    exited: exited.then(async (result) => {
      await stdoutDone;
      return result;
    }),
    kill: () => {
      if (child.signalCode === null && child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export function dataStreamContract(harness: StreamHarness): void {
  const open = (spec: StreamSpec, options?: OpenOptions) => harness.open(spec, options);
  const fresh = (options?: OpenOptions) => open(harness.fresh(), options);

  describe(`DataStream contract: ${harness.name}`, () => {
    test('appends get strictly increasing sequence numbers starting at 1, stored exactly', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const stream = await fresh();
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
      assert.deepEqual(await stream.read('50', 10), [], 'nothing after the newest');
      assert.deepEqual(await stream.read('1000', 10), [], 'nothing after a sequence not reached yet');
      assert.deepEqual(await stream.read('0', 0), []);
      await stream.close();
    });

    test('a record keeps its type and call id, whatever characters they hold, and its append time', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const stream = await fresh();
      const keys = [
        { type: 'Media Insights State Change', callId: null },
        { type: 'Transcribe', callId: '0f8fad5b-d9cb-469f-a165-70867728950e' },
        { type: 'odd.type*>', callId: 'a.b c/%~é' },
        { type: 'Transcribe', callId: '' },
      ];
      const before = Date.now();
      for (const k of keys) await stream.append({ k }, k);
      const stored = await stream.read('0', 10);
      assert.deepEqual(
        stored.map((r) => ({ type: r.type, callId: r.callId })),
        keys,
      );
      for (const r of stored) {
        // Server clocks (JetStream) and this process's may differ by a little on one machine.
        assert.ok(
          r.appendedAt >= before - 1000 && r.appendedAt <= Date.now() + 1000,
          `appendedAt ${r.appendedAt}`,
        );
      }
      await stream.close();
    });

    test('sequence numbers are never reused, even after retention deleted records and reopen', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const spec = harness.fresh();
      const retention: StreamRetention = { maxRecords: 2 };
      let stream = await open(spec, { retention });
      for (let i = 0; i < 5; i++) await stream.append({ i }, key);
      await harness.enforceRetention(stream);
      assert.deepEqual(
        (await stream.read('0', 10)).map((r) => r.sequenceNumber),
        ['4', '5'],
      );
      await stream.close();
      stream = await open(spec, { retention });
      assert.equal(stream.lastSequence(), '5');
      assert.equal(await stream.append({ again: true }, key), '6');
      await harness.enforceRetention(stream);
      assert.deepEqual(
        (await stream.read('0', 10)).map((r) => r.sequenceNumber),
        ['5', '6'],
      );
      await stream.close();
    });

    test('eraseCall removes every record of that call, wherever it stands, and nothing else; replays skip the hole', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const spec = harness.fresh();
      let stream = await open(spec);
      const gone = 'call to forget.é';
      const keys = [key, { type: 'Transcribe', callId: gone }, { type: 'Recording', callId: null }];
      for (let i = 0; i < 12; i++) {
        const k = keys[i % 3]!;
        await stream.append({ i, secret: k.callId === gone ? 'card 4111' : 'kept' }, k);
      }
      await stream.append({ last: true }, { type: 'Media Insights State Change', callId: gone });
      const live = stream.subscribe('0');
      assert.equal(await stream.eraseCall(gone), 5);
      assert.equal(await stream.eraseCall(gone), 0, 'a second erasure finds nothing');
      const kept = await stream.read('0', 100);
      assert.equal(kept.length, 8);
      assert.ok(kept.every((r) => r.callId !== gone && !r.json.includes('4111')));
      assert.deepEqual(
        (await stream.read('1', 3)).map((r) => r.sequenceNumber),
        ['3', '4', '6'],
        'reads step over the hole',
      );
      const after = await stream.append({ next: true }, key);
      assert.equal(after, '14', 'sequence numbers are not reused');
      const replayed = await take(stream.subscribe('0'), 9);
      assert.ok(replayed.every((r) => r.callId !== gone));
      assert.equal(replayed.at(-1)?.sequenceNumber, '14');
      live.close();
      await stream.close();
      stream = await open(spec);
      assert.ok(
        (await stream.read('0', 100)).every((r) => r.callId !== gone),
        'gone after reopen',
      );
      await stream.close();
    });

    test('bad sequence numbers are refused with CS_ERR_STREAM_BAD_SEQUENCE, bad records with TypeError', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const stream = await fresh();
      for (const bad of ['-1', '1.5', 'abc', '', ' 1', '99999999999999999', '0x10']) {
        await assert.rejects(stream.read(bad, 1), (err: unknown) => {
          assert.ok(err instanceof CallsightError);
          assert.equal(err.code, 'CS_ERR_STREAM_BAD_SEQUENCE');
          return true;
        });
        assert.throws(() => stream.subscribe(bad), /sequence number/);
      }
      await assert.rejects(stream.read('0', -1), RangeError);
      await assert.rejects(stream.append([1, 2], key), TypeError);
      await assert.rejects(stream.append({}, { type: '', callId: null }), TypeError);
      await assert.rejects(stream.append({}, { type: 'x', callId: 7 as unknown as string }), TypeError);
      assert.equal(stream.lastSequence(), '0', 'nothing refused was stored');
      await stream.close();
    });

    test('subscribe hands off from stored to live records with no gap and no duplicate under concurrent appends', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const stream = await fresh({ subscriptionQueueLimit: 16 });
      const stored = Array.from({ length: 300 }, (_, i) => stream.append({ i }, key));
      await Promise.all(stored);
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
            assert.equal((JSON.parse(r.json) as { i: number }).i, Number(r.sequenceNumber) - 1);
            // A slow consumer: the appends outrun it, so its bounded queue is exercised.
            if (got.length % 50 === 0) await new Promise((res) => setTimeout(res, 5));
            if (got.at(-1) === total) break;
          }
          return { from, got };
        }),
      );
      await writer;
      for (const { from, got } of results) {
        assert.deepEqual(
          got,
          Array.from({ length: total - from }, (_, k) => from + 1 + k),
        );
      }
      harness.checkSlowSubscribers?.(subs.map((s) => s.sub));
      await stream.close();
    });

    test('a subscription from beyond the newest record waits for it; close() ends a waiting iteration', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const stream = await fresh();
      await stream.append({ i: 0 }, key);
      const ahead = stream.subscribe('2');
      const first = take(ahead, 1);
      await stream.append({ i: 1 }, key);
      await stream.append({ i: 2 }, key);
      assert.deepEqual(
        (await first).map((r) => r.sequenceNumber),
        ['3'],
      );
      const idle = stream.subscribe(stream.lastSequence());
      const waiting = take(idle, 1);
      await new Promise((res) => setTimeout(res, 100));
      idle.close();
      assert.deepEqual(await waiting, [], 'the iteration ended without a record');
      await stream.close();
    });

    test('close() waits for pending appends, ends subscriptions, is idempotent, and every method rejects afterwards', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const spec = harness.fresh();
      const stream = await open(spec);
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
      const reopened = await open(spec);
      assert.equal(reopened.lastSequence(), '2');
      await reopened.close();
    });

    test('two processes appending at once: every record stored once, sequences dense, each writer in its own order', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const spec = harness.fresh();
      const perWriter = 400;
      const writers = [1, 2].map((w) => startAppender(spec, [String(perWriter), String(w)]));
      const exits = await Promise.all(writers.map((w) => w.exited));
      assert.deepEqual(
        exits.map((e) => e.code),
        [0, 0],
      );
      const stream = await open(spec);
      const stored = await stream.read('0', 10_000);
      assert.deepEqual(
        stored.map((r) => Number(r.sequenceNumber)),
        Array.from({ length: 2 * perWriter }, (_, i) => i + 1),
      );
      const bySeq = new Map(
        stored.map((r) => [r.sequenceNumber, JSON.parse(r.json) as { writer: number; index: number }]),
      );
      for (const [w, writer] of writers.entries()) {
        assert.equal(writer.acked.size, perWriter, `writer ${w + 1} acknowledged every append`);
        for (const [seq, index] of writer.acked) {
          assert.deepEqual(
            bySeq.get(seq),
            recordFor(index, w + 1),
            `record ${seq} is writer ${w + 1}'s #${index}`,
          );
        }
        // Within one writer, records are stored in the order appended.
        const indexes = stored.map((r) => bySeq.get(r.sequenceNumber)!).filter((r) => r.writer === w + 1);
        assert.deepEqual(
          indexes.map((r) => r.index),
          Array.from({ length: perWriter }, (_, i) => i),
        );
      }
      await stream.close();
    });

    test('kill -9 of the appending process loses no acknowledged record', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const spec = harness.fresh();
      const appender = startAppender(spec, [], (acked) => {
        if (acked.size >= 1500) appender.kill();
      });
      const { signal } = await appender.exited;
      assert.equal(signal, 'SIGKILL');
      assert.ok(
        appender.acked.size >= 1500,
        `child acknowledged ${appender.acked.size} appends before the kill`,
      );

      const stream = await open(spec);
      const stored = new Map((await stream.read('0', 1_000_000)).map((r) => [r.sequenceNumber, r.json]));
      for (const [seq, index] of appender.acked) {
        assert.equal(
          stored.get(seq),
          JSON.stringify(recordFor(index)),
          `acknowledged record ${seq} survived`,
        );
      }
      // Sequences are dense: the survivors are 1..N with nothing missing in between.
      const seqs = [...stored.keys()].map(Number);
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => i + 1),
      );
      assert.equal(stream.lastSequence(), String(seqs.length));
      await stream.close();
    });
  });
}
