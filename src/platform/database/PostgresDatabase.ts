import pg from 'pg';
import { userInfo } from 'node:os';
import { CallsightError, InvalidStateError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { pendingMigrations, type Migration } from './Migration.js';
import { MIGRATIONS } from './migrations.js';
import { errorMessage } from '../errors.js';

export interface PostgresDatabaseOptions {
  /** `postgres://[user[:password]@]host[:port]/database`; never logged with its password. */
  readonly url: string;
  /** Schema the tables live in, created if missing. Default `public`. */
  readonly schema?: string;
  /** Connections in the process's pool. Default 10. */
  readonly poolSize?: number;
  /** Create the database named in the URL when it does not exist (needs CREATEDB). Default true. */
  readonly createDatabase?: boolean;
  /** How long connecting may take. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  readonly logger?: Logger;
  /** The schema's migrations (tests). Default: MIGRATIONS. */
  readonly migrations?: readonly Migration[];
}

/** Something queries can run on: the pool, or one client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/** The URL as it may be logged: the password replaced by `***`. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}

/** Connection-level failures (the server is down, unreachable, restarting, out of slots). */
function isUnavailable(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (
      ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN'].includes(
        code,
      )
    )
      return true;
    // 08: connection exception; 57P0x: admin/crash shutdown, cannot connect now; 53300: too many connections.
    if (code.startsWith('08') || code.startsWith('57P0') || code === '53300') return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    err.message,
  );
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The process's PostgreSQL: one pg.Pool shared by every PostgreSQL adapter (connection registry,
 * configurations, post-call analytics, call directory), opened once per process; open() brings the
 * schema up to date first (MIGRATIONS, under an advisory lock, so processes starting together
 * migrate once). Connection failures surface as CallsightError CS_ERR_DATABASE_UNAVAILABLE (503);
 * the pool reconnects by itself when PostgreSQL is back.
 */
export class PostgresDatabase implements Queryable {
  readonly #pool: pg.Pool;
  readonly #logger: Logger;
  readonly #redactedUrl: string;
  readonly schema: string;
  #closePromise: Promise<void> | undefined;

  static async open(options: PostgresDatabaseOptions): Promise<PostgresDatabase> {
    const logger = (options.logger ?? silentLogger).child({ component: 'postgres' });
    const schema = options.schema ?? 'public';
    if (!IDENTIFIER.test(schema))
      throw new CallsightError(
        'CS_ERR_CONFIG_INVALID',
        `database schema must be a lower-case SQL identifier, got ${JSON.stringify(schema)}`,
      );
    const database = new PostgresDatabase(options, schema, logger);
    try {
      await database.#migrate(options.migrations ?? MIGRATIONS).catch(async (err: unknown) => {
        if ((err as { code?: unknown }).code !== '3D000' || options.createDatabase === false) throw err;
        // invalid_catalog_name: the database itself is missing.
        await createDatabase(options, logger);
        await database.#migrate(options.migrations ?? MIGRATIONS);
      });
    } catch (err) {
      await database.close();
      throw database.wrap(err, `cannot open the database at ${database.#redactedUrl}`);
    }
    logger.info({ url: database.#redactedUrl, schema }, 'database opened (PostgreSQL)');
    return database;
  }

  private constructor(options: PostgresDatabaseOptions, schema: string, logger: Logger) {
    this.schema = schema;
    this.#logger = logger;
    this.#redactedUrl = redactDatabaseUrl(options.url);
    this.#pool = new pg.Pool({
      ...poolConfig(options),
      max: options.poolSize ?? 10,
      // Every connection works in the schema; `public` stays on the path for extensions.
      options: `-c search_path=${schema},public`,
    });
    // An idle client losing its server (restart, failover) must not crash the process.
    this.#pool.on('error', (err) => this.#logger.warn({ err }, 'idle PostgreSQL connection lost'));
  }

  get closed(): boolean {
    return this.#closePromise !== undefined;
  }

  get redactedUrl(): string {
    return this.#redactedUrl;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    if (this.closed) throw new InvalidStateError('database');
    try {
      return await this.#pool.query<R>(text, values);
    } catch (err) {
      throw this.wrap(err, 'database query failed');
    }
  }

  /** Runs fn in one transaction on one connection; rolls back when it throws. */
  async transaction<T>(fn: (client: Queryable) => Promise<T>): Promise<T> {
    if (this.closed) throw new InvalidStateError('database');
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw this.wrap(err, 'database connection failed');
    }
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A connection that failed mid-transaction is not given back to the pool.
      client.release(isUnavailable(err) ? err : undefined);
      throw this.wrap(err, 'database transaction failed');
    }
  }

  /** Turns a connection-level failure into CS_ERR_DATABASE_UNAVAILABLE; other errors pass unchanged. */
  wrap(err: unknown, what: string): unknown {
    if (err instanceof CallsightError || !isUnavailable(err)) return err;
    return new CallsightError(
      'CS_ERR_DATABASE_UNAVAILABLE',
      `${what}: PostgreSQL unavailable (${errorMessage(err)})`,
      { cause: err },
    );
  }

  /** Ends the pool (idempotent). Adapters sharing it must be closed first. */
  close(): Promise<void> {
    this.#closePromise ??= this.#pool
      .end()
      .catch((err: unknown) => this.#logger.warn({ err }, 'closing the pool failed'));
    return this.#closePromise;
  }

  async #migrate(migrations: readonly Migration[]): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      // One migrator at a time across every process on this database.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`callsight-schema:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS callsight_schema_migrations (
           version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const applied = (
        await client.query<{ version: number }>('SELECT version FROM callsight_schema_migrations')
      ).rows.map((r) => r.version);
      const where = `the database schema ${this.schema} at ${this.#redactedUrl}`;
      for (const migration of pendingMigrations(migrations, applied, where)) {
        await client.query(migration.sql);
        await client.query('INSERT INTO callsight_schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        this.#logger.info({ version: migration.version, name: migration.name }, 'database migrated');
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

function poolConfig(options: PostgresDatabaseOptions): pg.PoolConfig {
  const url = new URL(options.url);
  return {
    connectionString: options.url,
    // Without a user in the URL or PGUSER, connect as the OS user (pg would need USER set).
    ...(url.username || process.env.PGUSER ? {} : { user: userInfo().username }),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
  };
}

async function createDatabase(options: PostgresDatabaseOptions, logger: Logger): Promise<void> {
  const url = new URL(options.url);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  url.pathname = '/postgres';
  const client = new pg.Client(poolConfig({ ...options, url: url.toString() }));
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    logger.info({ database: name }, 'created the database');
  } catch (err) {
    // Another process created it meanwhile: 42P04 duplicate_database when its creation had committed,
    // 23505 unique_violation (on pg_database's name index) when both were creating it at once.
    const code = (err as { code?: unknown }).code;
    if (code !== '42P04' && code !== '23505') throw err;
    logger.debug({ database: name, code }, 'the database was created by another process');
  } finally {
    await client.end();
  }
}
