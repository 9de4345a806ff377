import { after } from 'node:test';
import path from 'node:path';
import { SqliteCallDirectory } from '../../src/calls/SqliteCallDirectory.js';
import { tempDir } from '../gateway/wsHarness.js';
import { callDirectoryContract } from './CallDirectoryContract.js';

const tmp = tempDir('callsight-directory-');
after(tmp.cleanup);
let counter = 0;

callDirectoryContract({
  name: 'SqliteCallDirectory',
  skip: () => false,
  fresh: async () => path.join(tmp.dir, `${++counter}`, 'callsight.db'),
  open: async (file) => SqliteCallDirectory.open({ path: file }),
});
