import type Database from 'better-sqlite3';
import { openSqliteDatabase, type SqliteSchema } from '../platform/database/SqliteDatabase.js';
import type { PostgresDatabase } from '../platform/database/PostgresDatabase.js';
import { InvalidStateError } from '../platform/errors.js';
import { silentLogger, type Logger } from '../platform/logger.js';
import {
  entriesOf,
  vocabularyOf,
  VocabularyConflictError,
  VocabularyNotFoundError,
  type Vocabulary,
  type VocabularyRequest,
  type VocabularyStore,
} from './Vocabulary.js';

const TABLE = 'custom_vocabularies';

/** The SQLite table in callsight.db (PostgreSQL: migration 3 in platform/database/migrations.ts). */
const SCHEMA: SqliteSchema = {
  store: 'vocabularies',
  migrations: [
    {
      version: 1,
      name: TABLE,
      sql: `
CREATE TABLE IF NOT EXISTS ${TABLE} (
  name TEXT PRIMARY KEY,
  language_code TEXT NOT NULL,
  entries TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`,
    },
  ],
};

interface SqliteRow {
  name: string;
  language_code: string;
  entries: string;
  updated_at: string;
}

/** Vocabularies in SQLite (callsight.db, its own connection, synchronous statements). */
export class SqliteVocabularyStore implements VocabularyStore {
  readonly #db: Database.Database;
  readonly #logger: Logger;
  readonly #now: () => Date;
  #closed = false;

  constructor(options: { path: string; logger?: Logger; now?: () => Date }) {
    this.#logger = (options.logger ?? silentLogger).child({ component: 'vocabulary-store' });
    this.#now = options.now ?? (() => new Date());
    this.#db = openSqliteDatabase(options.path, SCHEMA, this.#logger);
  }

  async create(name: string, request: VocabularyRequest): Promise<Vocabulary> {
    this.#assertOpen();
    const at = this.#now().toISOString();
    const entries = entriesOf(request);
    const inserted = this.#db
      .prepare(
        `INSERT INTO ${TABLE} (name, language_code, entries, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
      )
      .run(name, request.LanguageCode, JSON.stringify(entries), at);
    if (inserted.changes === 0) throw new VocabularyConflictError(name);
    this.#logger.info({ name }, 'vocabulary created');
    return vocabularyOf({ name, language_code: request.LanguageCode, entries, updated_at: at });
  }

  async get(name: string): Promise<Vocabulary> {
    this.#assertOpen();
    const row = this.#db.prepare(`SELECT * FROM ${TABLE} WHERE name = ?`).get(name) as SqliteRow | undefined;
    if (!row) throw new VocabularyNotFoundError(name);
    return fromSqlite(row);
  }

  async list(): Promise<Vocabulary[]> {
    this.#assertOpen();
    return (this.#db.prepare(`SELECT * FROM ${TABLE} ORDER BY name`).all() as SqliteRow[]).map(fromSqlite);
  }

  async update(name: string, request: VocabularyRequest): Promise<Vocabulary> {
    this.#assertOpen();
    const at = this.#now().toISOString();
    const entries = entriesOf(request);
    const updated = this.#db
      .prepare(`UPDATE ${TABLE} SET language_code = ?, entries = ?, updated_at = ? WHERE name = ?`)
      .run(request.LanguageCode, JSON.stringify(entries), at, name);
    if (updated.changes === 0) throw new VocabularyNotFoundError(name);
    this.#logger.info({ name }, 'vocabulary updated');
    return vocabularyOf({ name, language_code: request.LanguageCode, entries, updated_at: at });
  }

  async delete(name: string): Promise<void> {
    this.#assertOpen();
    if (this.#db.prepare(`DELETE FROM ${TABLE} WHERE name = ?`).run(name).changes === 0)
      throw new VocabularyNotFoundError(name);
    this.#logger.info({ name }, 'vocabulary deleted');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('vocabulary store');
  }
}

function fromSqlite(row: SqliteRow): Vocabulary {
  return vocabularyOf({ ...row, entries: JSON.parse(row.entries) as Pick<Vocabulary, 'Phrases' | 'Table'> });
}

interface PostgresRow {
  name: string;
  language_code: string;
  entries: Pick<Vocabulary, 'Phrases' | 'Table'>;
  updated_at: Date;
}

const fromPostgres = (row: PostgresRow): Vocabulary =>
  vocabularyOf({ ...row, updated_at: row.updated_at.toISOString() });

/** Vocabularies in PostgreSQL, shared by every Callsight process (the database is left open by close()). */
export class PostgresVocabularyStore implements VocabularyStore {
  readonly #db: PostgresDatabase;
  readonly #logger: Logger;
  readonly #now: () => Date;
  #closed = false;

  constructor(options: { database: PostgresDatabase; logger?: Logger; now?: () => Date }) {
    this.#db = options.database;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'vocabulary-store' });
    this.#now = options.now ?? (() => new Date());
  }

  async create(name: string, request: VocabularyRequest): Promise<Vocabulary> {
    this.#assertOpen();
    const result = await this.#db.query<PostgresRow>(
      `INSERT INTO ${TABLE} (name, language_code, entries, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO NOTHING RETURNING *`,
      [name, request.LanguageCode, JSON.stringify(entriesOf(request)), this.#now()],
    );
    const row = result.rows[0];
    if (!row) throw new VocabularyConflictError(name);
    this.#logger.info({ name }, 'vocabulary created');
    return fromPostgres(row);
  }

  async get(name: string): Promise<Vocabulary> {
    this.#assertOpen();
    const row = (await this.#db.query<PostgresRow>(`SELECT * FROM ${TABLE} WHERE name = $1`, [name])).rows[0];
    if (!row) throw new VocabularyNotFoundError(name);
    return fromPostgres(row);
  }

  async list(): Promise<Vocabulary[]> {
    this.#assertOpen();
    return (await this.#db.query<PostgresRow>(`SELECT * FROM ${TABLE} ORDER BY name`)).rows.map(fromPostgres);
  }

  async update(name: string, request: VocabularyRequest): Promise<Vocabulary> {
    this.#assertOpen();
    const row = (
      await this.#db.query<PostgresRow>(
        `UPDATE ${TABLE} SET language_code = $2, entries = $3, updated_at = $4 WHERE name = $1 RETURNING *`,
        [name, request.LanguageCode, JSON.stringify(entriesOf(request)), this.#now()],
      )
    ).rows[0];
    if (!row) throw new VocabularyNotFoundError(name);
    this.#logger.info({ name }, 'vocabulary updated');
    return fromPostgres(row);
  }

  async delete(name: string): Promise<void> {
    this.#assertOpen();
    const result = await this.#db.query(`DELETE FROM ${TABLE} WHERE name = $1`, [name]);
    if (result.rowCount === 0) throw new VocabularyNotFoundError(name);
    this.#logger.info({ name }, 'vocabulary deleted');
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('vocabulary store');
  }
}
