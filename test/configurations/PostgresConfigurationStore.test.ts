import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresConfigurationStore } from '../../src/configurations/PostgresConfigurationStore.js';
import { ConfigurationConflictError } from '../../src/configurations/ConfigurationTypes.js';
import { defaultConfiguration } from '../../src/configurations/defaultConfiguration.js';
import { PostgresDatabase } from '../../src/platform/database/PostgresDatabase.js';
import { useTestDatabase } from '../helpers/postgres.js';
import { configurationStoreContract, origin, request, steppingClock } from './ConfigurationStoreContract.js';

const testDb = useTestDatabase();

let counter = 0;
function database(schema = `configurations_${++counter}`): Promise<PostgresDatabase> {
  return testDb.open(schema, 4);
}

configurationStoreContract({
  name: 'PostgresConfigurationStore',
  skip: testDb.skip,
  open: async (options = {}) =>
    PostgresConfigurationStore.open({
      database: await database(),
      ...origin,
      now: steppingClock(),
      ...options,
    }),
});

describe('PostgresConfigurationStore', () => {
  test('processes racing to create one name: one wins, the others get a Conflict; ensureDefault creates once', async (t) => {
    const skip = testDb.skip();
    if (skip) return t.skip(skip);
    // Separate pools on one schema stand for separate processes.
    const stores = await Promise.all(
      [1, 2, 3, 4].map(async () =>
        PostgresConfigurationStore.open({ database: await database('configurations_race'), ...origin }),
      ),
    );
    const results = await Promise.allSettled(stores.map((s) => s.create(request('contested'))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results)
      if (r.status === 'rejected')
        assert.ok(r.reason instanceof ConfigurationConflictError, String(r.reason));

    const ensured = await Promise.all(stores.map((s) => s.ensureDefault(defaultConfiguration(origin))));
    assert.deepEqual(ensured.map((e) => e.action).sort(), ['created', 'unchanged', 'unchanged', 'unchanged']);
    const ids = new Set(ensured.map((e) => e.configuration.MediaInsightsPipelineConfigurationId));
    assert.equal(ids.size, 1);
    for (const s of stores) await s.close();
  });

  test('documents come back exactly as stored, key order included', async (t) => {
    const skip = testDb.skip();
    if (skip) return t.skip(skip);
    const store = PostgresConfigurationStore.open({ database: await database(), ...origin });
    const created = await store.create(
      request('ordered', { RealTimeAlertConfiguration: { Rules: [], Disabled: false } }),
    );
    const got = await store.get('ordered');
    assert.equal(JSON.stringify(got), JSON.stringify(created));
    assert.equal(JSON.stringify(got.RealTimeAlertConfiguration), '{"Rules":[],"Disabled":false}');
    await store.close();
  });
});
