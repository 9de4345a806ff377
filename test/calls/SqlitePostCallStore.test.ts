import { after } from 'node:test';
import path from 'node:path';
import { SqlitePostCallStore } from '../../src/calls/SqlitePostCallStore.js';
import { tempDir } from '../gateway/wsHarness.js';
import { postCallStoreContract } from './PostCallStoreContract.js';

const tmp = tempDir('callsight-postcall-');
after(tmp.cleanup);
let counter = 0;

postCallStoreContract({
  name: 'SqlitePostCallStore',
  skip: () => false,
  open: async () => new SqlitePostCallStore(path.join(tmp.dir, `${++counter}`, 'callsight.db')),
});
