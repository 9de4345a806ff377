import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { JetStreamDataStream } from '../../src/stream/JetStreamDataStream.js';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';
import type { DataStream } from '../../src/stream/StreamTypes.js';
import { startNatsServer, uniqueName, type NatsServer } from '../helpers/natsServer.js';

const MAX_RECORDS = 2000;
const RECORDS = 20_000;
const BURST = 200;
const record = (i: number) => ({ i, transcript: 'w'.repeat(900) });
const key = { type: 'Transcribe', callId: 'call-1' };

/**
 * Appends RECORDS ~1 KB records as fast as the stream takes them (bursts of BURST in flight) with
 * stream.maxRecords at MAX_RECORDS, counting what the stream holds after every burst.
 */
async function appendUnderLoad(stream: DataStream, count: () => Promise<number>) {
  let most = 0;
  const started = performance.now();
  for (let i = 0; i < RECORDS; i += BURST) {
    await Promise.all(Array.from({ length: BURST }, (_, k) => stream.append(record(i + k), key)));
    most = Math.max(most, await count());
  }
  const perSecond = Math.round(RECORDS / ((performance.now() - started) / 1000));
  return { most, perSecond, last: await count() };
}

const dir = mkdtempSync(join(tmpdir(), 'callsight-retention-'));
let nats: NatsServer | null = null;
let skipNats: string | false = 'NATS not started yet';
before(async () => {
  const started = await startNatsServer();
  nats = started.server;
  skipNats = started.skip;
});
after(async () => {
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the data stream keeps its count bound while records arrive at a high rate', () => {
  test('embedded SQLite: within a tenth over stream.maxRecords, pruned between its minute timer ticks', async (t) => {
    const path = join(dir, 'stream.db');
    const stream = SqliteDataStream.open({ path, retention: { maxRecords: MAX_RECORDS } });
    const reader = new Database(path, { readonly: true });
    const counting = reader.prepare<[], { n: number }>('SELECT count(*) AS n FROM records');
    try {
      const { most, perSecond, last } = await appendUnderLoad(stream, async () => counting.get()!.n);
      t.diagnostic(`${perSecond} records/s; at most ${most} held (bound ${MAX_RECORDS}), ${last} at the end`);
      assert.ok(most <= MAX_RECORDS * 1.1 + BURST, `at most ${most} records`);
      assert.ok(last <= MAX_RECORDS * 1.1 + BURST);
      assert.equal(stream.lastSequence(), String(RECORDS), 'nothing refused');
    } finally {
      reader.close();
      await stream.close();
    }
  });

  test('NATS JetStream: never over stream.maxRecords (max_msgs, applied as each record is stored)', async (t) => {
    if (skipNats) return t.skip(skipNats);
    const streamName = uniqueName('CS_RETENTION');
    const stream = await JetStreamDataStream.open({
      url: nats!.url,
      streamName,
      subjectPrefix: `cstest.${streamName}`,
      retention: { maxRecords: MAX_RECORDS },
    });
    const nc = await connect({ servers: nats!.url });
    const jsm = await jetstreamManager(nc);
    try {
      const { most, perSecond, last } = await appendUnderLoad(
        stream,
        async () => (await jsm.streams.info(streamName)).state.messages,
      );
      t.diagnostic(`${perSecond} records/s; at most ${most} held (bound ${MAX_RECORDS}), ${last} at the end`);
      assert.ok(most <= MAX_RECORDS, `at most ${most} records`);
      assert.equal(last, MAX_RECORDS);
    } finally {
      await nc.close();
      await stream.close();
    }
  });
});
