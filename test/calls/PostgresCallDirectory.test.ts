import { PostgresCallDirectory } from '../../src/calls/PostgresCallDirectory.js';
import { useTestDatabase } from '../helpers/postgres.js';
import { callDirectoryContract } from './CallDirectoryContract.js';

const testDb = useTestDatabase();
let counter = 0;

callDirectoryContract({
  name: 'PostgresCallDirectory',
  skip: testDb.skip,
  fresh: async () => `directory_${++counter}`,
  // A pool per open: two opens of one schema stand for two processes.
  open: async (schema) => new PostgresCallDirectory(await testDb.open(schema, 2)),
});
