import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CallErasure } from '../../src/calls/CallErasure.js';
import { SqlitePostCallStore } from '../../src/calls/SqlitePostCallStore.js';
import type { PostCallAnalytics } from '../../src/analytics/PostCallTypes.js';
import { silentLogger } from '../../src/platform/logger.js';
import { RecordingStore } from '../../src/recording/RecordingStore.js';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';

const root = mkdtempSync(join(tmpdir(), 'callsight-erasure-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The embedded stores of one process, with two calls in them. */
async function storesWithTwoCalls() {
  const stream = SqliteDataStream.open({ path: join(root, `stream-${Math.random()}.db`) });
  const postCall = new SqlitePostCallStore(join(root, `callsight-${Math.random()}.db`));
  const recordings = await RecordingStore.open({
    dir: join(root, `recordings-${Math.random()}`),
    retentionDays: 0,
    s3: null,
    logger: silentLogger,
  });
  for (const callId of ['call-a', 'call-b']) {
    for (let i = 0; i < 3; i++)
      await stream.append({ Transcript: `${callId} card 4111 ${i}` }, { type: 'Transcribe', callId });
    await postCall.save({
      callId,
      pipelineId: 'p1',
      analytics: { Transcript: [{ Content: 'card 4111' }] } as unknown as PostCallAnalytics,
    });
    const path = recordings.pathFor(callId, 'p1');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.alloc(64));
    writeFileSync(recordings.pathFor(callId, 'p1', 'redacted'), Buffer.alloc(64)); // ContentRedactionType's copy
  }
  const close = async () => {
    await stream.close();
    await postCall.close();
    await recordings.close();
  };
  return { stream, postCall, recordings, close };
}

describe('CallErasure on the embedded stores', () => {
  test('a finished call is erased from every part, then audited with counts only; other calls stay', async () => {
    const { stream, postCall, recordings, close } = await storesWithTwoCalls();
    const erasure = new CallErasure({
      parts: { recordings, postCall, records: stream },
      inProgress: async () => false,
      audit: (event) => stream.append(event, { type: event['detail-type'], callId: null }),
      origin: { account: '111122223333', region: 'us-east-1' },
      logger: silentLogger,
    });
    const report = await erasure.erase('call-a');
    assert.deepEqual(report.removed, { recordings: 2, postCall: 1, records: 3 });
    assert.equal(await postCall.get('call-a'), null);
    assert.equal(await recordings.find('call-a'), null);
    assert.equal(await recordings.find('call-a', 'p1', true), null, 'the redacted copy too');
    const left = await stream.read('0', 100);
    assert.deepEqual(
      left.map((r) => r.callId),
      ['call-b', 'call-b', 'call-b', null],
    );
    const audit = JSON.parse(left.at(-1)!.json) as Record<string, unknown>;
    assert.equal(audit['detail-type'], 'Callsight Call Erased');
    assert.equal(audit.source, 'callsight');
    assert.deepEqual((audit.detail as { removed: unknown }).removed, report.removed);
    assert.ok(!left.at(-1)!.json.includes('4111'), 'no content in the audit record');
    assert.notEqual(await postCall.get('call-b'), null);
    assert.notEqual(await recordings.find('call-b'), null);
    await assert.rejects(erasure.erase('call-a'), { code: 'CS_ERR_NOT_FOUND', status: 404 });
    await close();
  });

  test('a call in progress is refused (409); a part that fails stops the erasure, and repeating it finishes', async () => {
    const { stream, postCall, recordings, close } = await storesWithTwoCalls();
    let live = true;
    let postCallDown = true;
    const erasure = new CallErasure({
      parts: {
        recordings,
        postCall: {
          eraseCall: (callId) =>
            postCallDown ? Promise.reject(new Error('database unreachable')) : postCall.eraseCall(callId),
        },
        records: stream,
      },
      inProgress: async (callId) => live && callId === 'call-a',
      audit: (event) => stream.append(event, { type: event['detail-type'], callId: null }),
      origin: { account: '111122223333', region: 'us-east-1' },
      logger: silentLogger,
    });
    await assert.rejects(erasure.erase('call-a'), { code: 'CS_ERR_CALL_IN_PROGRESS', status: 409 });
    assert.notEqual(await recordings.find('call-a'), null, 'nothing was touched');
    live = false;
    await assert.rejects(erasure.erase('call-a'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'CS_ERR_ERASURE_INCOMPLETE');
      assert.match(err.message, /postCall.*database unreachable.*repeat/);
      return true;
    });
    assert.equal(await recordings.find('call-a'), null, 'the recording went before the failure');
    assert.equal((await stream.read('0', 100)).length, 6, 'the records are still there to find the call by');
    postCallDown = false;
    const report = await erasure.erase('call-a');
    assert.deepEqual(report.removed, { recordings: 0, postCall: 1, records: 3 });
    await close();
  });
});
