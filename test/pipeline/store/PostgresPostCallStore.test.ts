import { before, after } from 'node:test';
import { PostgresPostCallStore } from '../../../src/pipeline/store/PostgresPostCallStore.js';
import { PostgresDatabase } from '../../../src/store/postgres/PostgresDatabase.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import { postCallStoreContract } from './PostCallStoreContract.js';

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

postCallStoreContract({
  name: 'PostgresPostCallStore',
  skip: () => skipReason,
  open: async () => {
    const db = await PostgresDatabase.open({
      url: testDb!.url,
      schema: `post_call_${++counter}`,
      poolSize: 2,
    });
    opened.push(db);
    return new PostgresPostCallStore(db);
  },
});
