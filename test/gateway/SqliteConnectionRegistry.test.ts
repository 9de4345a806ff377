import { after } from 'node:test';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteConnectionRegistry } from '../../src/gateway/SqliteConnectionRegistry.js';
import { connectionRegistryContract } from './ConnectionRegistryContract.js';
import { tempDir } from './wsHarness.js';

const tmp = tempDir('callsight-registry-');
after(tmp.cleanup);
let counter = 0;

connectionRegistryContract<string>({
  name: 'SqliteConnectionRegistry',
  skip: () => false,
  // A nested folder: open() creates the directories it needs.
  fresh: async () => path.join(tmp.dir, `run-${++counter}`, 'nested', 'callsight.db'),
  open: async (file, options = {}) => SqliteConnectionRegistry.open({ path: file, ...options }),
  storedLastSequence: async (file, connectionId) => {
    const spy = new Database(file, { readonly: true });
    try {
      const row = spy
        .prepare('SELECT last_sequence_sent AS s FROM connections WHERE connection_id = ?')
        .get(connectionId) as { s: unknown } | undefined;
      return row?.s;
    } finally {
      spy.close();
    }
  },
});
