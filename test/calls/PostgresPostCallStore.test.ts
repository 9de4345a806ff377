import { PostgresPostCallStore } from '../../src/calls/PostgresPostCallStore.js';
import { useTestDatabase } from '../helpers/postgres.js';
import { postCallStoreContract } from './PostCallStoreContract.js';

const testDb = useTestDatabase();
let counter = 0;

postCallStoreContract({
  name: 'PostgresPostCallStore',
  skip: testDb.skip,
  open: async () => new PostgresPostCallStore(await testDb.open(`post_call_${++counter}`, 2)),
});
