import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteConnectionRegistry } from '../../src/gateway/SqliteConnectionRegistry.js';
import { SqliteConfigurationStore } from '../../src/configurations/SqliteConfigurationStore.js';
import { tempDir } from '../gateway/wsHarness.js';
import { configurationStoreContract, origin, request, steppingClock } from './ConfigurationStoreContract.js';

const tmp = tempDir('callsight-configurations-');
after(tmp.cleanup);
let counter = 0;

function open(file: string, options: Partial<Parameters<typeof SqliteConfigurationStore.open>[0]> = {}) {
  return SqliteConfigurationStore.open({ path: file, ...origin, now: steppingClock(), ...options });
}

configurationStoreContract({
  name: 'SqliteConfigurationStore',
  skip: () => false,
  open: async (options = {}) => open(path.join(tmp.dir, `store-${++counter}`, 'callsight.db'), options),
});

describe('SqliteConfigurationStore', () => {
  test('lives in the connection registry file beside its table, and survives a restart', async () => {
    const file = path.join(tmp.dir, 'shared', 'callsight.db');
    const registry = SqliteConnectionRegistry.open({ path: file });
    const store = open(file);
    const created = await store.create(request('persisted'));
    await registry.add({
      connectionId: 'c1',
      connectedAt: 1,
      remoteAddress: '127.0.0.1:1',
      filters: { from: null, types: null, callId: null },
    });
    const spy = new Database(file, { readonly: true });
    const tables = (
      spy.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    assert.deepEqual(tables, [
      'callsight_schema_migrations',
      'connections',
      'media_insights_pipeline_configurations',
    ]);
    assert.equal((spy.pragma('journal_mode', { simple: true }) as string).toLowerCase(), 'wal');
    spy.close();
    await store.close();
    await registry.close();

    const reopened = open(file);
    assert.deepEqual(await reopened.get('persisted'), created);
    await reopened.close();
  });
});
