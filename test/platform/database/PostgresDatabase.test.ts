import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { CallsightError, errorMessage } from '../../../src/platform/errors.js';
import { MIGRATIONS } from '../../../src/platform/database/migrations.js';
import { PostgresDatabase, redactDatabaseUrl } from '../../../src/platform/database/PostgresDatabase.js';
import { freePort } from '../../helpers/ports.js';
import { useTestDatabase } from '../../helpers/postgres.js';

const testDb = useTestDatabase();

describe('PostgresDatabase', () => {
  test('processes opening together migrate the schema once; reopening applies nothing', async (t) => {
    const skip = testDb.skip();
    if (skip) return t.skip(skip);
    const databases = await Promise.all(
      Array.from({ length: 5 }, () =>
        PostgresDatabase.open({ url: testDb.url(), schema: 'migrate_race', poolSize: 2 }),
      ),
    );
    const { rows } = await databases[0]!.query<{ version: number }>(
      'SELECT version FROM callsight_schema_migrations',
    );
    assert.deepEqual(
      rows.map((r) => r.version),
      MIGRATIONS.map((m) => m.version),
    );
    const tables = await databases[0]!.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'migrate_race' ORDER BY table_name",
    );
    assert.deepEqual(tables.rows.map((r) => r.table_name).sort(), [
      'auth_sessions',
      'auth_tokens',
      'auth_users',
      'calls',
      'callsight_schema_migrations',
      'connections',
      'custom_vocabularies',
      'gateway_heartbeats',
      'media_insights_pipeline_configurations',
      'pipelines',
      'post_call_analytics',
      'sip_heartbeats',
      'vocabulary_filters',
    ]);
    for (const db of databases) await db.close();
    const again = await PostgresDatabase.open({ url: testDb.url(), schema: 'migrate_race' });
    await again.close();
    await again.close();
    await assert.rejects(again.query('SELECT 1'), /closed/);
  });

  test('a new migration is applied on the next open, in a transaction with the others', async (t) => {
    const skip = testDb.skip();
    if (skip) return t.skip(skip);
    const extra = [
      ...MIGRATIONS,
      { version: 99, name: 'test column', sql: 'ALTER TABLE calls ADD COLUMN note text' },
    ];
    const db = await PostgresDatabase.open({
      url: testDb.url(),
      schema: 'migrate_more',
      migrations: MIGRATIONS,
    });
    await db.close();
    const upgraded = await PostgresDatabase.open({
      url: testDb.url(),
      schema: 'migrate_more',
      migrations: extra,
    });
    await upgraded.query(
      "INSERT INTO calls (call_id, info, started_at, updated_at, note) VALUES ('c', '{}', 1, 1, 'n')",
    );
    await upgraded.close();
    const broken = [...extra, { version: 100, name: 'fails', sql: 'CREATE TABLE calls (x int)' }];
    await assert.rejects(
      PostgresDatabase.open({ url: testDb.url(), schema: 'migrate_more', migrations: broken }),
      /already exists/,
    );
    const check = await PostgresDatabase.open({
      url: testDb.url(),
      schema: 'migrate_more',
      migrations: extra,
    });
    const { rows } = await check.query<{ version: number }>(
      'SELECT max(version) AS version FROM callsight_schema_migrations',
    );
    assert.equal(rows[0]?.version, 99);
    await check.close();
  });

  test('a schema a newer Callsight migrated is refused, naming the database', async (t) => {
    const skip = testDb.skip();
    if (skip) return t.skip(skip);
    const newer = [...MIGRATIONS, { version: 99, name: 'from the future', sql: 'SELECT 1' }];
    await (
      await PostgresDatabase.open({ url: testDb.url(), schema: 'migrate_newer', migrations: newer })
    ).close();
    await assert.rejects(
      PostgresDatabase.open({ url: testDb.url(), schema: 'migrate_newer' }),
      (err: unknown) => {
        assert.ok(err instanceof CallsightError);
        assert.equal(err.code, 'CS_ERR_CONFIG_INVALID');
        assert.match(
          err.message,
          new RegExp(
            `^the database schema migrate_newer at postgres://.+ was written by a newer Callsight: it is at schema version 99, this Callsight knows versions up to ${MIGRATIONS.at(-1)!.version}\\.`,
          ),
        );
        return true;
      },
    );
  });

  test('a missing database is created', async (t) => {
    const skip = testDb.skip();
    if (skip) return t.skip(skip);
    const url = new URL(testDb.url());
    const name = `${url.pathname.slice(1)}_created`;
    url.pathname = `/${name}`;
    const db = await PostgresDatabase.open({ url: url.toString() });
    await db.close();
    url.pathname = '/postgres';
    const admin = new pg.Client({
      connectionString: new URL(testDb.url()).toString().replace(/\/[^/]*$/, '/postgres'),
    });
    await admin.connect();
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  });

  test('processes starting together against a missing database all open it, created once and migrated once', async (t) => {
    const skip = testDb.skip();
    if (skip) return t.skip(skip);
    const url = new URL(testDb.url());
    const name = `${url.pathname.slice(1)}_together`;
    url.pathname = `/${name}`;
    const admin = new pg.Client({
      connectionString: new URL(testDb.url()).toString().replace(/\/[^/]*$/, '/postgres'),
    });
    await admin.connect();
    try {
      // Several rounds: the race to CREATE DATABASE is lost in more than one way.
      for (let round = 0; round < 3; round++) {
        const opened = await Promise.allSettled(
          Array.from({ length: 8 }, () => PostgresDatabase.open({ url: url.toString(), poolSize: 1 })),
        );
        const failed = opened.flatMap((o) => (o.status === 'rejected' ? [errorMessage(o.reason)] : []));
        const one = opened.find((o) => o.status === 'fulfilled');
        if (one) {
          const { rows } = await one.value.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM callsight_schema_migrations',
          );
          assert.equal(rows[0]?.n, MIGRATIONS.length);
        }
        for (const o of opened) if (o.status === 'fulfilled') await o.value.close();
        assert.deepEqual(failed, [], 'every process opened it');
        await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  test('an unreachable server is CS_ERR_DATABASE_UNAVAILABLE, and the password never appears', async () => {
    const port = await freePort();
    await assert.rejects(
      PostgresDatabase.open({
        url: `postgres://callsight:s3cret@127.0.0.1:${port}/callsight`,
        connectTimeoutMs: 1000,
      }),
      (err: unknown) => {
        assert.ok(err instanceof CallsightError);
        assert.equal(err.code, 'CS_ERR_DATABASE_UNAVAILABLE');
        assert.equal(err.status, 503);
        assert.doesNotMatch(err.message, /s3cret/);
        assert.match(err.message, /callsight:\*\*\*@127\.0\.0\.1/);
        return true;
      },
    );
    assert.equal(redactDatabaseUrl('postgres://u:p@h:5432/d'), 'postgres://u:***@h:5432/d');
    assert.equal(redactDatabaseUrl('postgres://h/d'), 'postgres://h/d');
  });

  test('a schema name that is not a plain identifier is refused', async () => {
    await assert.rejects(
      PostgresDatabase.open({ url: 'postgres://127.0.0.1/x', schema: 'a; DROP' }),
      /schema/,
    );
  });
});
