import { before, after } from 'node:test';
import { PostgresCallDirectory } from '../../../src/pipeline/store/PostgresCallDirectory.js';
import { PostgresDatabase } from '../../../src/store/postgres/PostgresDatabase.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import { callDirectoryContract } from './CallDirectoryContract.js';

let testDb: TestDatabase | null = null;
let skipReason: string | false = 'PostgreSQL not set up yet';
const opened: PostgresDatabase[] = [];
before(async () => {
  const created = await createTestDatabase();
  testDb = created.database;
  skipReason = created.skip;
});
after(async () => {
  for (const db of opened) await db.close();
  await testDb?.drop();
});
let counter = 0;

callDirectoryContract({
  name: 'PostgresCallDirectory',
  skip: () => skipReason,
  fresh: async () => `directory_${++counter}`,
  // A pool per open: two opens of one schema stand for two processes.
  open: async (schema) => {
    const db = await PostgresDatabase.open({ url: testDb!.url, schema, poolSize: 2 });
    opened.push(db);
    return new PostgresCallDirectory(db);
  },
});
