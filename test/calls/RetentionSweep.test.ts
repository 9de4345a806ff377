import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CallErasure } from '../../src/calls/CallErasure.js';
import { RetentionSweep } from '../../src/calls/RetentionSweep.js';
import { configurationRetentions } from '../../src/configurations/ConfigurationRetentions.js';
import { SqliteCallDirectory } from '../../src/calls/SqliteCallDirectory.js';
import { SqlitePostCallStore } from '../../src/calls/SqlitePostCallStore.js';
import type { PostCallAnalytics } from '../../src/analytics/PostCallTypes.js';
import { SqliteConfigurationStore } from '../../src/configurations/SqliteConfigurationStore.js';
import { silentLogger } from '../../src/platform/logger.js';
import { RecordingStore } from '../../src/recording/RecordingStore.js';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';
import { call, pipeline } from './CallDirectoryContract.js';
import { request } from '../configurations/ConfigurationStoreContract.js';

const root = mkdtempSync(join(tmpdir(), 'callsight-retention-'));
after(() => rmSync(root, { recursive: true, force: true }));

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

/**
 * The embedded stores with three ended calls: `week` under a configuration kept 7 days, `month` under
 * one kept 30, `plain` under one without a retention; each with records, a recording, a post-call
 * document and directory entries, all ended at T0.
 */
async function embeddedWithThreeCalls() {
  const dir = mkdtempSync(join(root, 'app-'));
  const db = join(dir, 'callsight.db');
  const configurations = SqliteConfigurationStore.open({ path: db, region: 'us-east-1', account: '1' });
  await configurations.create(request('week', { CallsightRetentionDays: 7 }));
  await configurations.create(request('month', { CallsightRetentionDays: 30 }));
  await configurations.create(request('plain'));
  const directory = SqliteCallDirectory.open({ path: db });
  const stream = SqliteDataStream.open({ path: join(dir, 'stream.db') });
  const postCall = new SqlitePostCallStore(db);
  const recordings = await RecordingStore.open({
    dir: join(dir, 'recordings'),
    retentionDays: 0,
    s3: null,
    logger: silentLogger,
  });
  for (const name of ['week', 'month', 'plain']) {
    await directory.callStarted(call(name, T0 - 60_000));
    await directory.putPipeline({ ...pipeline(`p-${name}`, name, 'Stopped', T0), configurationName: name });
    await directory.callEnded(name, T0);
    for (let i = 0; i < 3; i++)
      await stream.append({ Transcript: `${name} card 4111 ${i}` }, { type: 'Transcribe', callId: name });
    await postCall.save({
      callId: name,
      pipelineId: `p-${name}`,
      analytics: { Transcript: [{ Content: 'card 4111' }] } as unknown as PostCallAnalytics,
    });
    const path = recordings.pathFor(name, `p-${name}`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.alloc(64));
    writeFileSync(recordings.pathFor(name, `p-${name}`, 'redacted'), Buffer.alloc(64));
  }
  let postCallDown = false;
  const erasure = new CallErasure({
    parts: {
      recordings,
      postCall: {
        eraseCall: (callId) =>
          postCallDown ? Promise.reject(new Error('database down')) : postCall.eraseCall(callId),
      },
      directory,
      records: stream,
    },
    inProgress: async () => false,
    audit: (event) => stream.append(event, { type: event['detail-type'], callId: null }),
    origin: { account: '1', region: 'us-east-1' },
    logger: silentLogger,
  });
  const clock = { now: T0 };
  const sweep = (pruneAfterMs?: number) =>
    new RetentionSweep({
      directory,
      retentions: () => configurationRetentions(configurations),
      erasure,
      logger: silentLogger,
      now: () => clock.now,
      ...(pruneAfterMs === undefined ? {} : { pruneAfterMs }),
    });
  const left = async (callId: string) => ({
    records: (await stream.read('0', 100)).filter((r) => r.callId === callId).length,
    // The recording and its redacted copy (ContentRedactionType): how many of the two are left.
    recording:
      Number((await recordings.find(callId)) !== null) +
      Number((await recordings.find(callId, undefined, true)) !== null),
    postCall: (await postCall.get(callId)) !== null,
    directory: (await directory.getCall(callId)) !== null,
  });
  const all = { records: 3, recording: 2, postCall: true, directory: true };
  const none = { records: 0, recording: 0, postCall: false, directory: false };
  const close = async () => {
    await stream.close();
    await postCall.close();
    await recordings.close();
    await directory.close();
    await configurations.close();
  };
  return {
    clock,
    sweep,
    left,
    all,
    none,
    stream,
    configurations,
    directory,
    setPostCallDown: (down: boolean) => (postCallDown = down),
    close,
  };
}

describe('RetentionSweep (embedded stores, a controlled clock)', () => {
  test("each configuration's calls go after its own number of days, through the erasure, audited with counts", async () => {
    const app = await embeddedWithThreeCalls();
    assert.deepEqual(
      await configurationRetentions(app.configurations),
      new Map([
        ['month', 30],
        ['week', 7],
      ]),
    );
    const sweep = app.sweep(86_400_000);

    app.clock.now = T0 + 7 * DAY - 1;
    assert.deepEqual(await sweep.sweep(), { erased: 0, failed: 0, pruned: 1 });
    assert.deepEqual(await app.left('week'), app.all);
    // The directory's 24 h prune took only the call without a retention; its records stay (global).
    assert.deepEqual(await app.left('plain'), { ...app.all, directory: false });

    app.clock.now = T0 + 7 * DAY + 1;
    assert.deepEqual(await sweep.sweep(), { erased: 1, failed: 0, pruned: 0 });
    assert.deepEqual(await app.left('week'), app.none);
    assert.deepEqual(await app.left('month'), app.all);
    const audit = (await app.stream.read('0', 100)).at(-1)!;
    const detail = (JSON.parse(audit.json) as { detail: Record<string, unknown> }).detail;
    assert.equal(audit.callId, null);
    assert.deepEqual(detail.removed, { recordings: 2, postCall: 1, directory: 2, records: 3 });
    assert.equal(detail.reason, 'retention');
    assert.equal(detail.callId, 'week');
    assert.ok(!audit.json.includes('4111'), 'nothing of the content in the audit record');

    app.clock.now = T0 + 30 * DAY + 1;
    assert.deepEqual(await sweep.sweep(), { erased: 1, failed: 0, pruned: 0 });
    assert.deepEqual(await app.left('month'), app.none);
    assert.deepEqual(await sweep.sweep(), { erased: 0, failed: 0, pruned: 0 });
    await app.close();
  });

  test('a part that is down leaves the call for the next sweep; two sweepers at once both finish', async () => {
    const app = await embeddedWithThreeCalls();
    app.clock.now = T0 + 31 * DAY;
    app.setPostCallDown(true);
    const first = app.sweep();
    assert.deepEqual(await first.sweep(), { erased: 0, failed: 2, pruned: 0 });
    assert.equal((await app.left('week')).directory, true, 'still found by the next sweep');
    app.setPostCallDown(false);
    // Two processes sweeping at once (a second gateway): both calls go, nothing fails.
    const [a, b] = await Promise.all([first.sweep(), app.sweep().sweep()]);
    assert.ok(a.erased + b.erased >= 2);
    assert.equal(a.failed + b.failed, 0);
    assert.deepEqual(await app.left('week'), app.none);
    assert.deepEqual(await app.left('month'), app.none);
    assert.deepEqual(await app.left('plain'), app.all, 'no retention: the global settings alone apply');
    await app.close();
  });

  test('a configuration whose retention is removed hands its calls back to the global settings', async () => {
    const app = await embeddedWithThreeCalls();
    const week = await app.configurations.get('week');
    await app.configurations.update('week', { Elements: week.Elements });
    app.clock.now = T0 + 8 * DAY;
    assert.deepEqual(await app.sweep(DAY).sweep(), { erased: 0, failed: 0, pruned: 2 });
    assert.equal((await app.left('week')).records, 3);
    await app.close();
  });
});
