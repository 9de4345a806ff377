import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CallsightError } from '../../src/platform/errors.js';
import { JetStreamDataStream } from '../../src/stream/JetStreamDataStream.js';
import { freePort } from '../helpers/ports.js';
import { startNatsServer, uniqueName, type NatsServer } from '../helpers/natsServer.js';
import { dataStreamContract, take } from './DataStreamContract.js';
import { openStream, type StreamSpec } from './fixtures/openStream.js';

let nats: NatsServer | null = null;
let skipReason: string | false = 'NATS not started yet';
before(async () => {
  const started = await startNatsServer();
  nats = started.server;
  skipReason = started.skip;
});
after(async () => {
  await nats?.stop();
});

const fresh = (): StreamSpec & { kind: 'jetstream' } => {
  const name = uniqueName('CS_TEST');
  return { kind: 'jetstream', url: nats!.url, streamName: name, subjectPrefix: `cstest.${name}` };
};
const key = { type: 'Transcribe', callId: 'call-1' };

dataStreamContract({
  name: 'JetStreamDataStream',
  skip: () => skipReason,
  fresh,
  open: openStream,
  // JetStream applies max_msgs and max_bytes as each message is stored.
  enforceRetention: async () => {},
});

describe('JetStreamDataStream', () => {
  test('subjects are <prefix>.<type token>.<call token>, and a subject filter picks one call or type', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const spec = fresh();
    const stream = await openStream(spec);
    await stream.append({ a: 1 }, { type: 'Media Insights State Change', callId: 'call 1.x' });
    await stream.append({ a: 2 }, { type: 'Transcribe', callId: null });
    await stream.append({ a: 3 }, { type: 'Transcribe', callId: 'call 1.x' });
    const nc = await connect({ servers: spec.url });
    const jsm = await jetstreamManager(nc);
    const subjects = [];
    for (let seq = 1; seq <= 3; seq++)
      subjects.push((await jsm.streams.getMessage(spec.streamName, { seq }))!.subject);
    assert.deepEqual(subjects, [
      `${spec.subjectPrefix}.Media%20Insights%20State%20Change.call%201%2Ex`,
      `${spec.subjectPrefix}.Transcribe.~`,
      `${spec.subjectPrefix}.Transcribe.call%201%2Ex`,
    ]);
    const info = await jsm.streams.info(spec.streamName, {
      subjects_filter: `${spec.subjectPrefix}.*.call%201%2Ex`,
    });
    assert.deepEqual(Object.keys(info.state.subjects ?? {}).sort(), [subjects[0], subjects[2]]);
    await nc.close();
    await stream.close();
  });

  test("recentOfCall: a call's records of every type since a time, oldest first, no other call's", async (t) => {
    if (skipReason) return t.skip(skipReason);
    const spec = fresh();
    const stream = (await openStream(spec)) as JetStreamDataStream;
    await stream.append({ n: 1 }, { type: 'Transcribe', callId: 'c 1' });
    await new Promise((res) => setTimeout(res, 50));
    const since = new Date();
    await stream.append({ n: 2 }, { type: 'Transcribe', callId: 'c 1' });
    await stream.append({ n: 3 }, { type: 'Transcribe', callId: 'c 2' });
    await stream.append({ n: 4 }, { type: 'TranscribeCallAnalytics', callId: 'c 1' });
    await stream.append({ n: 5 }, { type: 'Transcribe', callId: null });
    const recent = await stream.recentOfCall('c 1', since, 100);
    assert.deepEqual(
      recent.map((r) => [r.type, (JSON.parse(r.json) as { n: number }).n]),
      [
        ['Transcribe', 2],
        ['TranscribeCallAnalytics', 4],
      ],
    );
    assert.equal((await stream.recentOfCall('c 1', new Date(0), 100)).length, 3);
    assert.equal((await stream.recentOfCall('c 1', new Date(0), 1)).length, 1);
    assert.deepEqual(await stream.recentOfCall('c 1', new Date(Date.now() + 60_000), 100), []);
    await stream.close();
  });

  test('the stream is on file storage with the retention limits asked for, updated when they change', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const spec = fresh();
    const stream = await openStream(spec, {
      retention: { maxAgeMs: 3_600_000, maxRecords: 1000, maxBytes: 1_000_000 },
    });
    const nc = await connect({ servers: spec.url });
    const jsm = await jetstreamManager(nc);
    let { config } = await jsm.streams.info(spec.streamName);
    assert.equal(config.storage, 'file');
    assert.deepEqual(config.subjects, [`${spec.subjectPrefix}.>`]);
    assert.equal(config.max_age, 3_600_000 * 1e6);
    assert.equal(config.max_msgs, 1000);
    assert.equal(config.max_bytes, 1_000_000);
    assert.equal(config.duplicate_window, 120_000 * 1e6);
    await stream.close();
    const reopened = await openStream(spec, { retention: { maxRecords: 10 } });
    ({ config } = await jsm.streams.info(spec.streamName));
    assert.equal(config.max_age, 0);
    assert.equal(config.max_msgs, 10);
    assert.equal(config.max_bytes, -1);
    await reopened.close();
    await nc.close();
  });

  test('records older than the age limit are dropped by the server; the sequence goes on', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const stream = await openStream(fresh(), { retention: { maxAgeMs: 1000 } });
    await stream.append({ old: 1 }, key);
    await stream.append({ old: 2 }, key);
    const deadline = Date.now() + 5000;
    while ((await stream.read('0', 10)).length > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await stream.read('0', 10), []);
    assert.equal(stream.lastSequence(), '2');
    assert.equal(await stream.append({ young: 1 }, key), '3');
    await stream.close();
  });

  test('processes sharing the stream see each other: subscriptions get records appended elsewhere, lastSequence follows', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const spec = fresh();
    const writer = await openStream(spec);
    const reader = await openStream(spec);
    const sub = reader.subscribe('0');
    const got = take(sub, 20);
    for (let i = 0; i < 20; i++) await writer.append({ i }, key);
    assert.deepEqual(
      (await got).map((r) => (JSON.parse(r.json) as { i: number }).i),
      Array.from({ length: 20 }, (_, i) => i),
    );
    const deadline = Date.now() + 2000;
    while (reader.lastSequence() !== '20' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(reader.lastSequence(), '20', "another process's appends move lastSequence");
    await reader.close();
    await writer.close();
  });

  test('acknowledged records survive kill -9 of the NATS server itself (file store)', async (t) => {
    if (skipReason) return t.skip(skipReason);
    if (!nats!.private) return t.skip('needs a private nats-server');
    const spec = fresh();
    const stream = await openStream(spec);
    const seqs = await Promise.all(Array.from({ length: 500 }, (_, i) => stream.append({ i }, key)));
    await stream.close();
    await nats!.kill();
    await nats!.restart();
    const reopened = await openStream(spec);
    const stored = await reopened.read('0', 1000);
    assert.deepEqual(
      stored.map((r) => r.sequenceNumber),
      seqs,
    );
    assert.equal(reopened.lastSequence(), '500');
    await reopened.close();
  });

  test('appends made while NATS is down are retried and stored once each when it is back', async (t) => {
    if (skipReason) return t.skip(skipReason);
    if (!nats!.private) return t.skip('needs a private nats-server');
    const spec = fresh();
    const stream = await JetStreamDataStream.open({
      url: spec.url,
      streamName: spec.streamName,
      subjectPrefix: spec.subjectPrefix,
      ackTimeoutMs: 500,
    });
    const sub = stream.subscribe('0');
    const seen = take(sub, 40);
    for (let i = 0; i < 20; i++) await stream.append({ i }, key);
    await nats!.kill();
    const during = Array.from({ length: 20 }, (_, i) => stream.append({ i: 20 + i }, key));
    await new Promise((r) => setTimeout(r, 1000));
    await nats!.restart();
    const seqs = await Promise.all(during);
    assert.equal(new Set(seqs).size, 20);
    const stored = await stream.read('0', 100);
    assert.deepEqual(
      stored.map((r) => r.sequenceNumber),
      Array.from({ length: 40 }, (_, i) => String(i + 1)),
    );
    assert.deepEqual(
      stored.map((r) => (JSON.parse(r.json) as { i: number }).i).sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => i),
      'each record once',
    );
    assert.deepEqual(
      (await seen).map((r) => r.sequenceNumber),
      stored.map((r) => r.sequenceNumber),
      'the subscription resumed after the outage with no gap or duplicate',
    );
    await stream.close();
  });

  test('an append that cannot be acknowledged in time fails with CS_ERR_STREAM_UNAVAILABLE', async (t) => {
    if (skipReason) return t.skip(skipReason);
    if (!nats!.private) return t.skip('needs a private nats-server');
    const spec = fresh();
    const stream = await JetStreamDataStream.open({
      url: spec.url,
      streamName: spec.streamName,
      subjectPrefix: spec.subjectPrefix,
      appendTimeoutMs: 800,
      ackTimeoutMs: 300,
    });
    await nats!.kill();
    try {
      await assert.rejects(stream.append({ lost: true }, key), (err: unknown) => {
        assert.ok(err instanceof CallsightError);
        assert.equal(err.code, 'CS_ERR_STREAM_UNAVAILABLE');
        assert.equal(err.status, 503);
        return true;
      });
    } finally {
      await nats!.restart();
    }
    await stream.close();
  });

  test('opening without a reachable NATS fails fast with CS_ERR_STREAM_UNAVAILABLE and no password in the message', async () => {
    const port = await freePort();
    await assert.rejects(
      JetStreamDataStream.open({ url: `nats://user:s3cret@127.0.0.1:${port}`, streamName: 'NOPE' }),
      (err: unknown) => {
        assert.ok(err instanceof CallsightError);
        assert.equal(err.code, 'CS_ERR_STREAM_UNAVAILABLE');
        assert.doesNotMatch(err.message, /s3cret/);
        return true;
      },
    );
  });

  test('a shared connection stays open after close()', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const spec = fresh();
    const nc = await connect({ servers: spec.url });
    const stream = await JetStreamDataStream.open({
      connection: nc,
      streamName: spec.streamName,
      subjectPrefix: spec.subjectPrefix,
    });
    await stream.append({ a: 1 }, key);
    await stream.close();
    assert.equal(nc.isClosed(), false);
    await nc.close();
  });
});
