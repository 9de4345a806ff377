import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync, chownSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import { PostgresDatabase } from '../../src/platform/database/PostgresDatabase.js';
import { freePort } from './ports.js';
import { errorMessage } from '../../src/platform/errors.js';

/**
 * A throwaway PostgreSQL database for one test file: `CREATE DATABASE callsight_test_<random>` on the
 * running server (CALLSIGHT_TEST_POSTGRES_URL, else 127.0.0.1:5432), dropped by drop(). When no server
 * runs, a private cluster (initdb + pg_ctl from Debian's postgresql package, on a free port, in a temp
 * folder) is started for the file and stopped by drop(). Without either, `skip` says why, loudly.
 */
export interface TestDatabase {
  /** Connection string of the throwaway database. */
  readonly url: string;
  readonly name: string;
  /** Drops the database (and stops the private cluster, if one was started). */
  drop(): Promise<void>;
}

export type TestDatabaseOrSkip = { database: TestDatabase; skip: false } | { database: null; skip: string };

function withUser(url: string): string {
  const parsed = new URL(url);
  if (!parsed.username && !process.env.PGUSER) parsed.username = userInfo().username;
  return parsed.toString();
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    await client.end().catch(() => undefined);
    return false;
  }
}

function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

interface PrivateCluster {
  readonly url: string;
  stop(): void;
}

/** initdb refuses to run as root: then the cluster belongs to the `postgres` user. */
async function startPrivateCluster(bin: string): Promise<PrivateCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'callsight-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
    else execFileSync(cmd, args, { stdio: 'pipe' });
  };
  if (asRoot) {
    chmodSync(dir, 0o755);
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  run(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-w',
    '-l',
    join(dir, 'log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function postgresIds(): { uid: number; gid: number } {
  const out = spawnSync('id', ['postgres'], { encoding: 'utf8' }).stdout;
  const uid = Number(/uid=(\d+)/.exec(out)?.[1]);
  const gid = Number(/gid=(\d+)/.exec(out)?.[1]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid))
    throw new Error('no postgres user to own a private cluster');
  return { uid, gid };
}

function loud(reason: string): string {
  process.stderr.write(`\n${'!'.repeat(100)}\n!! ${reason}\n${'!'.repeat(100)}\n\n`);
  return reason;
}

export async function createTestDatabase(): Promise<TestDatabaseOrSkip> {
  let serverUrl = withUser(process.env.CALLSIGHT_TEST_POSTGRES_URL ?? 'postgres://127.0.0.1:5432/postgres');
  let cluster: PrivateCluster | null = null;
  if (!(await reachable(serverUrl))) {
    const bin = postgresBin();
    if (!bin)
      return {
        database: null,
        skip: loud(
          'POSTGRESQL SKIPPED: no server at ' +
            new URL(serverUrl).host +
            ' and no initdb (apt-get install postgresql, or scripts/ensure-deps.sh --test as root)',
        ),
      };
    try {
      cluster = await startPrivateCluster(bin);
    } catch (err) {
      return {
        database: null,
        skip: loud(`POSTGRESQL SKIPPED: could not start a private cluster: ${errorMessage(err)}`),
      };
    }
    serverUrl = cluster.url;
  }
  const name = `callsight_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    database: {
      url: url.toString(),
      name,
      async drop() {
        try {
          const client = new pg.Client({ connectionString: serverUrl });
          await client.connect();
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await client.end();
        } finally {
          cluster?.stop();
        }
      },
    },
    skip: false,
  };
}

export interface TestDatabaseForFile {
  /** Why the file's PostgreSQL tests skip, or false once the database is there. */
  readonly skip: () => string | false;
  /** The throwaway database's connection string (only once skip() is false). */
  readonly url: () => string;
  /** A PostgresDatabase (its own pool) on `schema` of the throwaway database; closed after the file. */
  open(schema: string, poolSize: number): Promise<PostgresDatabase>;
}

/**
 * The usual set-up of a file of PostgreSQL tests: a throwaway database created before the file's
 * tests (createTestDatabase) and, after them, every database opened through it closed and it dropped.
 */
export function useTestDatabase(): TestDatabaseForFile {
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
  return {
    skip: () => skipReason,
    url: () => testDb!.url,
    async open(schema, poolSize) {
      const db = await PostgresDatabase.open({ url: testDb!.url, schema, poolSize });
      opened.push(db);
      return db;
    },
  };
}
