import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresConnectionRegistry } from '../../src/gateway/PostgresConnectionRegistry.js';
import { PostgresDatabase } from '../../src/platform/database/PostgresDatabase.js';
import { useTestDatabase } from '../helpers/postgres.js';
import { connectionRegistryContract } from './ConnectionRegistryContract.js';

const testDb = useTestDatabase();

let counter = 0;
/** One schema per test: the tables of one test never meet another's. */
function database(schema: string): Promise<PostgresDatabase> {
  return testDb.open(schema, 4);
}

connectionRegistryContract<string>({
  name: 'PostgresConnectionRegistry',
  skip: testDb.skip,
  fresh: async () => `registry_${++counter}`,
  // The same owner on reopen: a restart of the same gateway.
  open: async (schema, options = {}) =>
    PostgresConnectionRegistry.open({ database: await database(schema), owner: 'gateway-a', ...options }),
  storedLastSequence: async (schema, connectionId) => {
    const db = await database(schema);
    const { rows } = await db.query<{ s: string | null }>(
      'SELECT last_sequence_sent AS s FROM connections WHERE connection_id = $1',
      [connectionId],
    );
    return rows[0]?.s;
  },
});

describe('PostgresConnectionRegistry', () => {
  test('gateways share the table; a gateway whose heartbeat stops has its connections ended', async (t) => {
    const skip = testDb.skip();
    if (skip) return t.skip(skip);
    const db = await database('registry_shared');
    const filters = { from: null, types: null, callId: null };
    const a = await PostgresConnectionRegistry.open({
      database: db,
      owner: 'gw-a',
      staleAfterMs: 300,
      heartbeatIntervalMs: 50,
      flushIntervalMs: 50,
    });
    const b = await PostgresConnectionRegistry.open({
      database: db,
      owner: 'gw-b',
      staleAfterMs: 300,
      heartbeatIntervalMs: 50,
      flushIntervalMs: 50,
    });
    await a.add({ connectionId: 'a1', connectedAt: 1, remoteAddress: 'x', filters });
    await b.add({ connectionId: 'b1', connectedAt: 2, remoteAddress: 'y', filters });
    assert.deepEqual(
      (await a.list('active')).map((r) => r.connectionId),
      ['a1', 'b1'],
    );
    // gw-b dies without a word: its timer stops, its heartbeat goes stale.
    await b.close();
    await new Promise((r) => setTimeout(r, 500));
    const rows = await a.list('all');
    assert.deepEqual(
      rows.map((r) => [r.connectionId, r.disconnectedAt === null]),
      [
        ['a1', true],
        ['b1', false],
      ],
    );
    // A restart of gw-a (same owner) ends what its previous run held.
    await a.close();
    const again = await PostgresConnectionRegistry.open({ database: db, owner: 'gw-a' });
    assert.deepEqual(await again.list('active'), []);
    await again.close();
  });
});
