import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';
import type { StoredRecord } from '../../src/stream/StreamTypes.js';
import { capturedLogger } from '../helpers/capturedLogger.js';
import { fillDisk, mountSmallDisk } from '../helpers/smallDisk.js';

const small = mountSmallDisk();
after(() => small.remove());

const text = 'x'.repeat(1000);

describe('the embedded data stream on a data disk that fills up', { skip: small.skip }, () => {
  test('records go on live and wait in memory (bounded), logged once, written when space returns', async () => {
    const disk = small.path!;
    const captured = capturedLogger();
    const stream = SqliteDataStream.open({
      path: join(disk, 'stream.db'),
      maxHeldRecords: 60,
      retryIntervalMs: 100,
      logger: captured.logger,
    });
    const live: StoredRecord[] = [];
    const subscription = stream.subscribe('0');
    const reading = (async () => {
      for await (const record of subscription) live.push(record);
    })();
    for (let i = 0; i < 5; i++) await stream.append({ i, text }, { type: 'Transcribe', callId: 'call-1' });
    const filler = fillDisk(disk);

    // 100 records (about 100 KB) on a disk with no room: each append resolves, in order, numbered on.
    const sequences: string[] = [];
    for (let i = 5; i < 105; i++)
      sequences.push(await stream.append({ i, text }, { type: 'Transcribe', callId: 'call-1' }));
    assert.deepEqual(
      sequences.map(Number),
      Array.from({ length: 100 }, (_, k) => 6 + k),
    );
    const full = stream.space.health();
    assert.equal(full.disk, 'full');
    assert.equal(full.lastError, 'SQLITE_FULL');
    assert.equal(full.held, 60);
    assert.equal(full.lost, 40, 'the oldest beyond maxHeldRecords');
    const fullLines = () => captured.lines.filter((l) => String(l.msg).startsWith('data disk full'));
    assert.equal(fullLines().length, 1, 'logged once, not per record');
    await sleep(50);
    assert.equal(live.length, 105, 'every record reached the subscriber live');
    // The held records read like the rest (a WebSocket client catching up from a sequence number).
    assert.deepEqual(
      (await stream.read('50', 1000)).map((r) => Number(r.sequenceNumber)),
      Array.from({ length: 55 }, (_, k) => 51 + k),
    );

    rmSync(filler);
    // Nothing is appended: the retry timer writes the held records.
    await sleep(400);
    const back = stream.space.health();
    assert.equal(back.disk, 'ok');
    assert.equal(back.held, 0);
    assert.equal(
      captured.lines.filter((l) => String(l.msg).startsWith('data disk has room again')).length,
      1,
    );
    const next = await stream.append({ i: 105, text }, { type: 'Transcribe', callId: 'call-1' });
    assert.equal(next, '106');
    await stream.close();
    await reading;

    // On disk after a reopen: the first five, the held 60 under the numbers they were pushed with, the next one.
    const reopened = SqliteDataStream.open({ path: join(disk, 'stream.db') });
    const stored = (await reopened.read('0', 1000)).map((r) => Number(r.sequenceNumber));
    assert.deepEqual(stored, [1, 2, 3, 4, 5, ...Array.from({ length: 60 }, (_, k) => 46 + k), 106]);
    const held = await reopened.read('45', 1);
    assert.equal((JSON.parse(held[0]!.json) as { i: number }).i, 45);
    await reopened.close();
  });
});
