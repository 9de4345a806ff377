import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { readWav } from '../../src/media/wav/WavFile.js';
import { SipCaller } from '../../scripts/lib/SipCaller.js';
import { startCallsight, type RunningCallsight, authFetch } from '../helpers/callsight.js';
import { uniqueName, type NatsServer } from '../helpers/natsServer.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { scaleOutEnv, startScaleOutBackends } from '../helpers/scaleOut.js';
import { RecordCollector, callIdOf, detailOf, type StreamFrame } from '../helpers/wsRecords.js';

const WAV = new URL('../fixtures/audio/demo-customer.wav', import.meta.url).pathname;
/** The first sentences are enough to show transcripts flowing; the whole file would add 13 s. */
const SECONDS = 9;
const isTranscribe = (f: StreamFrame) => f['detail-type'] === 'Transcribe';

/**
 * The whole app on the scale-out backends: the data stream in NATS JetStream, configurations and the
 * connection registry in PostgreSQL. A real SIP call's transcript reaches WebSocket clients, resuming
 * with ?from= works, and the records are the JetStream stream's messages.
 */
describe('a call on the scale-out backends: JetStream stream, PostgreSQL stores', () => {
  let nats: NatsServer | null = null;
  let database: TestDatabase | null = null;
  let skip: string | false = false;
  let callsight: RunningCallsight;
  let live: RecordCollector;
  let dropped: RecordCollector;
  let droppedAt = '0';
  let callId: string;
  const streamName = uniqueName('CS_E2E');
  const subjectPrefix = `cse2e.${streamName}`;

  before(async () => {
    ({ nats, database, skip } = await startScaleOutBackends());
    if (skip) return;
    callsight = await startCallsight({
      env: scaleOutEnv(nats!, database!, { name: streamName, subjectPrefix }),
    });
    const ws = `ws://127.0.0.1:${callsight.httpPort}/ws`;
    live = new RecordCollector(ws);
    dropped = new RecordCollector(ws);
    await Promise.all([live.opened, dropped.opened]);
    const caller = await SipCaller.open('127.0.0.1');
    const audio = readWav(WAV);
    const call = caller.call({
      host: '127.0.0.1',
      port: callsight.sipPort,
      fromNumber: '+15555550100',
      toNumber: '+15555550199',
      samples: audio.samples.subarray(0, audio.sampleRate * SECONDS),
      tailMs: 600,
    });
    try {
      // A client that loses its connection mid-call, after the first transcript.
      await dropped.waitFor(isTranscribe, 30_000, 'the first transcript');
      droppedAt = dropped.frames.at(-1)!.sequenceNumber;
      dropped.close();
      await call;
    } finally {
      caller.close();
    }
    const ended = await live.waitFor((f) => detailOf(f).streamingStatus === 'ENDED', 15_000, 'ENDED');
    callId = callIdOf(ended)!;
    await live.waitFor(
      (f) => detailOf(f).eventType === 'chime:MediaInsightsStopped' && callIdOf(f) === callId,
      30_000,
      'the pipeline to stop',
    );
  });

  after(async () => {
    live?.close();
    if (callsight) {
      const code = await callsight.stop();
      assert.equal(code, 0, `callsight did not exit cleanly:\n${callsight.stderr()}`);
    }
    await nats?.stop();
    await database?.drop();
  });

  test('the live transcript arrives over the WebSocket, in sequence order', (t) => {
    if (skip) return t.skip(skip);
    const transcripts = live.frames.filter(isTranscribe);
    assert.ok(
      transcripts.some((f) => !(f.TranscriptEvent as { IsPartial: boolean }).IsPartial),
      'a final transcript',
    );
    const seqs = live.frames.map((f) => BigInt(f.sequenceNumber));
    for (let i = 1; i < seqs.length; i++)
      assert.ok(seqs[i]! > seqs[i - 1]!, `sequence ${seqs[i]} after ${seqs[i - 1]}`);
  });

  test('a client reconnecting with ?from= receives exactly the records it missed', async (t) => {
    if (skip) return t.skip(skip);
    const resumed = new RecordCollector(`http://127.0.0.1:${callsight.httpPort}`, { from: droppedAt });
    await resumed.opened;
    const lastSeq = live.frames.at(-1)!.sequenceNumber;
    await resumed.waitFor((f) => f.sequenceNumber === lastSeq, 10_000, 'the newest record');
    resumed.close();
    const beforeDrop = dropped.frames.filter((f) => BigInt(f.sequenceNumber) <= BigInt(droppedAt));
    assert.deepEqual([...beforeDrop, ...resumed.frames], live.frames);
  });

  test('every record is a message of the JetStream stream, sequence for sequence', async (t) => {
    if (skip) return t.skip(skip);
    const nc = await connect({ servers: nats!.url });
    try {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info(streamName);
      assert.equal(info.config.storage, 'file');
      assert.equal(String(info.state.last_seq), live.frames.at(-1)!.sequenceNumber);
      const frame = live.frames.find(isTranscribe)!;
      const message = await jsm.streams.getMessage(streamName, { seq: Number(frame.sequenceNumber) });
      assert.equal(message!.subject, `${subjectPrefix}.Transcribe.${callId}`);
      const { sequenceNumber, ...record } = frame;
      assert.equal(sequenceNumber, frame.sequenceNumber);
      assert.deepEqual(message!.json(), record);
    } finally {
      await nc.close();
    }
    assert.equal(existsSync(join(callsight.dataDir, 'stream.db')), false, 'no embedded stream');
  });

  test('configurations and the connection registry live in PostgreSQL', async (t) => {
    if (skip) return t.skip(skip);
    const client = new pg.Client({ connectionString: database!.url });
    await client.connect();
    try {
      const configurations = await client.query('SELECT name FROM media_insights_pipeline_configurations');
      assert.deepEqual(configurations.rows, [{ name: 'callsight-default' }]);
      const connections = await client.query<{ last_sequence_sent: string | null }>(
        'SELECT last_sequence_sent FROM connections ORDER BY connected_at',
      );
      assert.ok(connections.rows.length >= 2, 'the WebSocket clients are registered');
      assert.equal(connections.rows[0]!.last_sequence_sent !== null, true);
    } finally {
      await client.end();
    }
    const res = await authFetch(
      `http://127.0.0.1:${callsight.httpPort}/api/configurations/callsight-default`,
    );
    assert.equal(res.status, 200);
    assert.equal(existsSync(join(callsight.dataDir, 'callsight.db')), false, 'no embedded database');
  });

  test('an erased call leaves the JetStream stream and PostgreSQL', async (t) => {
    if (skip) return t.skip(skip);
    // Records of the call can still come after its pipeline stopped (the post-call ones): erase once
    // none has come for 2 s, so that what this test counts is what the erasure found.
    for (let count = -1; count !== live.frames.length;) {
      count = live.frames.length;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    const res = await authFetch(`http://127.0.0.1:${callsight.httpPort}/api/calls/${callId}`, {
      method: 'DELETE',
    });
    assert.equal(res.status, 200);
    const { removed } = (await res.json()) as { removed: Record<string, number> };
    const mine = live.frames.filter((f) => callIdOf(f) === callId);
    assert.ok(
      removed.records! >= mine.length - 1,
      `removed ${JSON.stringify(removed)}; received ${mine.map((f) => f['detail-type']).join(', ')}`,
    );
    const nc = await connect({ servers: nats!.url });
    try {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info(streamName, { subjects_filter: `${subjectPrefix}.*.${callId}` });
      assert.deepEqual(info.state.subjects ?? {}, {}, 'no message of the call is left');
    } finally {
      await nc.close();
    }
    const client = new pg.Client({ connectionString: database!.url });
    await client.connect();
    try {
      const documents = await client.query('SELECT 1 FROM post_call_analytics WHERE call_id = $1', [callId]);
      assert.equal(documents.rowCount, 0);
    } finally {
      await client.end();
    }
    const replay = new RecordCollector(`http://127.0.0.1:${callsight.httpPort}`);
    try {
      await replay.opened;
      await replay.waitFor((f) => f['detail-type'] === 'Callsight Call Erased', 10_000, 'the audit record');
      assert.deepEqual(
        replay.frames.filter((f) => callIdOf(f) === callId && f['detail-type'] !== 'Callsight Call Erased'),
        [],
      );
    } finally {
      replay.close();
    }
  });
});
