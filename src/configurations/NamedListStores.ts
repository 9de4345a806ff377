import type Database from 'better-sqlite3';
import { openSqliteDatabase, type SqliteSchema } from '../platform/database/SqliteDatabase.js';
import type { PostgresDatabase } from '../platform/database/PostgresDatabase.js';
import { InvalidStateError, type ErrorCode } from '../platform/errors.js';
import { NamedListConflictError, NamedListNotFoundError } from './NamedList.js';
import { silentLogger, type Logger } from '../platform/logger.js';

/**
 * The storage Transcribe's named word lists share — custom vocabularies (/api/vocabularies) and
 * vocabulary filters (/api/vocabulary-filters): a row per name with its language, its entries as
 * JSON and when it was last written, in SQLite (callsight.db) or PostgreSQL. Each kind says its table,
 * how a request becomes entries, how a row is answered and its errors.
 */

/** A stored row, entries parsed. */
export interface NamedListRow<E> {
  readonly name: string;
  readonly language_code: string;
  readonly entries: E;
  readonly updated_at: string;
}

export interface NamedListKind<T, R, E> {
  readonly table: string;
  /** How logs and errors name one ("vocabulary"). */
  readonly noun: string;
  /** The request's language; undefined on an update keeps the stored one. */
  readonly languageOf: (request: R) => string | undefined;
  readonly entriesOf: (request: R) => E;
  readonly answer: (row: NamedListRow<E>) => T;
  /** The code of a create whose name is taken. */
  readonly conflict: ErrorCode;
}

/** Create, get, list, update and delete of one kind of named list. */
export interface NamedListStore<T, R> {
  /** Create; a Conflict when the name is taken. */
  create(name: string, request: R): Promise<T>;
  /** Get; NotFound when there is none. */
  get(name: string): Promise<T>;
  /** Every one, by name, with its entries. */
  list(): Promise<T[]>;
  /** Replaces the entries (and the language when given); NotFound when there is none. */
  update(name: string, request: R): Promise<T>;
  /** Delete; NotFound when there is none. */
  delete(name: string): Promise<void>;
  close(): Promise<void>;
}

/** The SQLite store's table (its migration list), named as in PostgreSQL. */
export function namedListSchema(store: string, table: string): SqliteSchema {
  return {
    store,
    migrations: [
      {
        version: 1,
        name: table,
        sql: `
CREATE TABLE IF NOT EXISTS ${table} (
  name TEXT PRIMARY KEY,
  language_code TEXT NOT NULL,
  entries TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`,
      },
    ],
  };
}

/** What both backends keep: the kind, the logger, the clock and whether it was closed. */
abstract class NamedListStoreBase<T, R, E> {
  protected readonly kind: NamedListKind<T, R, E>;
  protected readonly logger: Logger;
  protected readonly now: () => Date;
  protected closed = false;

  constructor(kind: NamedListKind<T, R, E>, options: { logger?: Logger; now?: () => Date }) {
    this.kind = kind;
    this.logger = (options.logger ?? silentLogger).child({
      component: `${kind.noun.replaceAll(' ', '-')}-store`,
    });
    this.now = options.now ?? (() => new Date());
  }

  protected assertOpen(): void {
    if (this.closed) throw new InvalidStateError(`${this.kind.noun} store`);
  }

  protected notFound(name: string): Error {
    return new NamedListNotFoundError(this.kind.noun, name);
  }

  protected conflict(name: string): Error {
    return new NamedListConflictError(this.kind.conflict, this.kind.noun, name);
  }

  protected written(name: string, what: 'created' | 'updated' | 'deleted'): void {
    this.logger.info({ name }, `${this.kind.noun} ${what}`);
  }
}

interface SqliteRow {
  name: string;
  language_code: string;
  entries: string;
  updated_at: string;
}

/** One kind of named list in SQLite (callsight.db, its own connection, synchronous statements). */
export class SqliteNamedListStore<T, R, E>
  extends NamedListStoreBase<T, R, E>
  implements NamedListStore<T, R>
{
  readonly #db: Database.Database;

  constructor(
    kind: NamedListKind<T, R, E>,
    schema: SqliteSchema,
    options: { path: string; logger?: Logger; now?: () => Date },
  ) {
    super(kind, options);
    this.#db = openSqliteDatabase(options.path, schema, this.logger);
  }

  async create(name: string, request: R): Promise<T> {
    this.assertOpen();
    const at = this.now().toISOString();
    const entries = this.kind.entriesOf(request);
    const language = this.kind.languageOf(request) ?? '';
    const inserted = this.#db
      .prepare(
        `INSERT INTO ${this.kind.table} (name, language_code, entries, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
      )
      .run(name, language, JSON.stringify(entries), at);
    if (inserted.changes === 0) throw this.conflict(name);
    this.written(name, 'created');
    return this.kind.answer({ name, language_code: language, entries, updated_at: at });
  }

  async get(name: string): Promise<T> {
    this.assertOpen();
    const row = this.#db.prepare(`SELECT * FROM ${this.kind.table} WHERE name = ?`).get(name) as
      SqliteRow | undefined;
    if (!row) throw this.notFound(name);
    return this.#answer(row);
  }

  async list(): Promise<T[]> {
    this.assertOpen();
    const rows = this.#db.prepare(`SELECT * FROM ${this.kind.table} ORDER BY name`).all() as SqliteRow[];
    return rows.map((row) => this.#answer(row));
  }

  async update(name: string, request: R): Promise<T> {
    this.assertOpen();
    const row = this.#db
      .prepare(
        `UPDATE ${this.kind.table} SET language_code = COALESCE(?, language_code), entries = ?, updated_at = ? WHERE name = ? RETURNING *`,
      )
      .get(
        this.kind.languageOf(request) ?? null,
        JSON.stringify(this.kind.entriesOf(request)),
        this.now().toISOString(),
        name,
      ) as SqliteRow | undefined;
    if (!row) throw this.notFound(name);
    this.written(name, 'updated');
    return this.#answer(row);
  }

  async delete(name: string): Promise<void> {
    this.assertOpen();
    if (this.#db.prepare(`DELETE FROM ${this.kind.table} WHERE name = ?`).run(name).changes === 0)
      throw this.notFound(name);
    this.written(name, 'deleted');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.#db.close();
  }

  #answer(row: SqliteRow): T {
    return this.kind.answer({ ...row, entries: JSON.parse(row.entries) as E });
  }
}

interface PostgresRow<E> {
  name: string;
  language_code: string;
  entries: E;
  updated_at: Date;
}

/** One kind of named list in PostgreSQL, shared by every Callsight process (the database stays open on close()). */
export class PostgresNamedListStore<T, R, E>
  extends NamedListStoreBase<T, R, E>
  implements NamedListStore<T, R>
{
  readonly #db: PostgresDatabase;

  constructor(
    kind: NamedListKind<T, R, E>,
    options: { database: PostgresDatabase; logger?: Logger; now?: () => Date },
  ) {
    super(kind, options);
    this.#db = options.database;
  }

  async create(name: string, request: R): Promise<T> {
    this.assertOpen();
    const result = await this.#db.query<PostgresRow<E>>(
      `INSERT INTO ${this.kind.table} (name, language_code, entries, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO NOTHING RETURNING *`,
      [name, this.kind.languageOf(request) ?? '', JSON.stringify(this.kind.entriesOf(request)), this.now()],
    );
    const row = result.rows[0];
    if (!row) throw this.conflict(name);
    this.written(name, 'created');
    return this.#answer(row);
  }

  async get(name: string): Promise<T> {
    this.assertOpen();
    const { rows } = await this.#db.query<PostgresRow<E>>(
      `SELECT * FROM ${this.kind.table} WHERE name = $1`,
      [name],
    );
    if (!rows[0]) throw this.notFound(name);
    return this.#answer(rows[0]);
  }

  async list(): Promise<T[]> {
    this.assertOpen();
    const { rows } = await this.#db.query<PostgresRow<E>>(`SELECT * FROM ${this.kind.table} ORDER BY name`);
    return rows.map((row) => this.#answer(row));
  }

  async update(name: string, request: R): Promise<T> {
    this.assertOpen();
    const { rows } = await this.#db.query<PostgresRow<E>>(
      `UPDATE ${this.kind.table} SET language_code = COALESCE($2::text, language_code), entries = $3, updated_at = $4
       WHERE name = $1 RETURNING *`,
      [name, this.kind.languageOf(request) ?? null, JSON.stringify(this.kind.entriesOf(request)), this.now()],
    );
    if (!rows[0]) throw this.notFound(name);
    this.written(name, 'updated');
    return this.#answer(rows[0]);
  }

  async delete(name: string): Promise<void> {
    this.assertOpen();
    const result = await this.#db.query(`DELETE FROM ${this.kind.table} WHERE name = $1`, [name]);
    if (result.rowCount === 0) throw this.notFound(name);
    this.written(name, 'deleted');
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  #answer(row: PostgresRow<E>): T {
    return this.kind.answer({ ...row, updated_at: row.updated_at.toISOString() });
  }
}
