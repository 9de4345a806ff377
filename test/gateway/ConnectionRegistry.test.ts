import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteConnectionRegistry } from '../../src/gateway/ConnectionRegistry.js';
import { InvalidStateError } from '../../src/errors.js';
import { tempDir, until } from './wsHarness.js';

const tmp = tempDir('callsight-registry-');
after(tmp.cleanup);
const filters = { from: null, types: ['transcribe'], callId: null };

describe('SqliteConnectionRegistry', () => {
  test('tracks connections, batches last-sequence writes, and marks disconnects', async () => {
    const file = path.join(tmp.dir, 'nested', 'callsight.db');
    const registry = SqliteConnectionRegistry.open({ path: file, flushIntervalMs: 100 });
    const spy = new Database(file, { readonly: true });
    const stored = (): unknown =>
      (
        spy.prepare("SELECT last_sequence_sent AS s FROM connections WHERE connection_id = 'a'").get() as {
          s: unknown;
        }
      ).s;
    await registry.add({ connectionId: 'a', connectedAt: 1000, remoteAddress: '127.0.0.1:5000', filters });
    await registry.add({ connectionId: 'b', connectedAt: 2000, remoteAddress: '127.0.0.1:5001', filters });
    for (let i = 1; i <= 500; i++) registry.updateLastSequence('a', String(i));
    assert.equal(stored(), null, 'per-frame updates are not written one by one');
    await until(() => stored() === '500', 2000);

    registry.updateLastSequence('b', '7');
    await registry.markDisconnected('b', 3000);
    const all = await registry.list('all');
    assert.deepEqual(
      all.map((r) => [r.connectionId, r.lastSequenceSent, r.disconnectedAt]),
      [
        ['a', '500', null],
        ['b', '7', 3000],
      ],
    );
    assert.deepEqual(all[0]?.filters, filters);
    assert.equal(all[0]?.remoteAddress, '127.0.0.1:5000');
    assert.deepEqual(
      (await registry.list('active')).map((r) => r.connectionId),
      ['a'],
    );
    spy.close();
    await registry.close();
    await registry.close();

    await assert.rejects(
      registry.add({ connectionId: 'c', connectedAt: 1, remoteAddress: 'x', filters }),
      InvalidStateError,
    );
    await assert.rejects(registry.list('all'), InvalidStateError);
    await assert.rejects(registry.markDisconnected('a'), InvalidStateError);
    assert.throws(() => registry.updateLastSequence('a', '1'), InvalidStateError);

    // A restart means every connection the old process held is gone.
    const reopened = SqliteConnectionRegistry.open({ path: file });
    assert.deepEqual(await reopened.list('active'), []);
    assert.equal((await reopened.list('all')).length, 2);
    await reopened.close();
  });
});
