import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { silentLogger, type Logger } from '../logger.js';
import { pendingMigrations, type Migration } from './Migration.js';

/**
 * One embedded store's tables, as the numbered migrations (Migration.ts) that build them. The stage
 * that owns the tables owns the list. Version 1 of every store is the layout Callsight 0.1.0 created
 * without recording a version, so its statements say IF NOT EXISTS: on a 0.1.0 data folder they find
 * the tables already there and only record version 1. Later migrations are plain statements.
 */
export interface SqliteSchema {
  /**
   * The store's name: its key in `callsight_schema_migrations` (several stores share callsight.db, so
   * one PRAGMA user_version per file would not do) and how messages name it.
   */
  readonly store: string;
  readonly migrations: readonly Migration[];
}

const MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS callsight_schema_migrations (
  store TEXT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL,
  PRIMARY KEY (store, version)
);
`;

/**
 * Opens a store's database file (its folder created if missing) in WAL mode and brings the store's
 * tables up to date: the missing migrations in order, in one transaction that takes the write lock
 * first, so a failing one leaves the file as it was. A file a newer Callsight migrated is refused
 * (CS_ERR_CONFIG_INVALID, naming the data folder). Throws with the file closed again.
 */
export function openSqliteDatabase(
  file: string,
  schema: SqliteSchema,
  logger: Logger = silentLogger,
): Database.Database {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // Deleted rows (erasure, retention) are overwritten with zeros, not left readable in free pages.
    db.pragma('secure_delete = ON');
    for (const migration of migrate(db, schema))
      logger.info(
        { store: schema.store, version: migration.version, name: migration.name },
        'database migrated',
      );
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: Database.Database, schema: SqliteSchema): Migration[] {
  const file = path.resolve(db.name);
  const where = `the ${schema.store} in ${file} (data folder ${path.dirname(file)})`;
  return db
    .transaction(() => {
      db.exec(MIGRATIONS_TABLE);
      const applied = db
        .prepare('SELECT version FROM callsight_schema_migrations WHERE store = ?')
        .pluck()
        .all(schema.store) as number[];
      const pending = pendingMigrations(schema.migrations, applied, where);
      const record = db.prepare(
        'INSERT INTO callsight_schema_migrations (store, version, name, applied_at) VALUES (?, ?, ?, ?)',
      );
      for (const migration of pending) {
        db.exec(migration.sql);
        record.run(schema.store, migration.version, migration.name, Date.now());
      }
      return pending;
    })
    .immediate();
}
