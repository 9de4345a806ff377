import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callErasure } from '../../src/app/callErasure.js';
import { silentLogger } from '../../src/platform/logger.js';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';

const root = mkdtempSync(join(tmpdir(), 'callsight-app-erasure-'));
after(() => rmSync(root, { recursive: true, force: true }));

test("the erasure's audit record goes on the data stream keyed to no call: erasing the call again leaves it", async () => {
  const stream = SqliteDataStream.open({ path: join(root, 'stream.db') });
  try {
    for (const callId of ['call-a', 'call-b'])
      await stream.append({ 'detail-type': 'Transcribe', callId }, { type: 'Transcribe', callId });
    const erasure = callErasure(stream, {
      parts: { records: stream },
      inProgress: async () => false,
      origin: { account: '111122223333', region: 'us-east-1' },
      logger: silentLogger,
    });
    const report = await erasure.erase('call-a');
    assert.deepEqual(report.removed, { records: 1 });
    const kept = await stream.read('0', 10);
    assert.deepEqual(
      kept.map((r) => [r.type, r.callId]),
      [
        ['Transcribe', 'call-b'],
        ['Callsight Call Erased', null],
      ],
    );
    assert.equal((JSON.parse(kept[1]!.json) as { detail: { callId: string } }).detail.callId, 'call-a');
    await assert.rejects(erasure.erase('call-a'), { code: 'CS_ERR_NOT_FOUND' });
    assert.equal((await stream.read('0', 10)).length, 2, 'the audit record stays');
  } finally {
    await stream.close();
  }
});
