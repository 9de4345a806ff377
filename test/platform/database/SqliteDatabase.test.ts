import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CallsightError } from '../../../src/platform/errors.js';
import { openSqliteDatabase, type SqliteSchema } from '../../../src/platform/database/SqliteDatabase.js';
import { tempDir } from '../../gateway/wsHarness.js';

const tmp = tempDir('callsight-sqlite-migrations-');
after(tmp.cleanup);
let counter = 0;
const freshFile = () => path.join(tmp.dir, `${++counter}`, 'callsight.db');

// Plain CREATE TABLE and ALTER TABLE: running either a second time would throw.
const NOTES_V1 = { version: 1, name: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)' };
const NOTES_V2 = { version: 2, name: 'notes.author', sql: 'ALTER TABLE notes ADD COLUMN author TEXT' };
const notes = (...migrations: SqliteSchema['migrations']): SqliteSchema => ({ store: 'notes', migrations });

/** The versions recorded for each store in the file, read with a connection of its own. */
function recorded(file: string): Record<string, number[]> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT store, version FROM callsight_schema_migrations ORDER BY store, version')
      .all() as { store: string; version: number }[];
    const byStore: Record<string, number[]> = {};
    for (const row of rows) (byStore[row.store] ??= []).push(row.version);
    return byStore;
  } finally {
    db.close();
  }
}

function columns(file: string, table: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  } finally {
    db.close();
  }
}

describe('openSqliteDatabase', () => {
  test('applies the migrations in order, each once: opening again applies nothing', () => {
    const file = freshFile();
    const db = openSqliteDatabase(file, notes(NOTES_V1, NOTES_V2));
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.prepare("INSERT INTO notes (text, author) VALUES ('kept', 'ann')").run();
    db.close();
    assert.deepEqual(recorded(file), { notes: [1, 2] });

    const again = openSqliteDatabase(file, notes(NOTES_V1, NOTES_V2));
    assert.deepEqual(again.prepare('SELECT text, author FROM notes').all(), [
      { text: 'kept', author: 'ann' },
    ]);
    again.close();
    assert.deepEqual(recorded(file), { notes: [1, 2] });
  });

  test('a migration added later is applied on the next open', () => {
    const file = freshFile();
    openSqliteDatabase(file, notes(NOTES_V1)).close();
    assert.deepEqual(columns(file, 'notes'), ['id', 'text']);
    openSqliteDatabase(file, notes(NOTES_V1, NOTES_V2)).close();
    assert.deepEqual(columns(file, 'notes'), ['id', 'text', 'author']);
    assert.deepEqual(recorded(file), { notes: [1, 2] });
  });

  test('a failing migration rolls back everything that open did, and the file stays usable', () => {
    const file = freshFile();
    openSqliteDatabase(file, notes(NOTES_V1)).close();
    const broken = { version: 3, name: 'fails', sql: 'CREATE TABLE notes (x INTEGER)' };
    assert.throws(() => openSqliteDatabase(file, notes(NOTES_V1, NOTES_V2, broken)), /already exists/);
    // Version 2 ran before the failure and was undone with it.
    assert.deepEqual(columns(file, 'notes'), ['id', 'text']);
    assert.deepEqual(recorded(file), { notes: [1] });
    openSqliteDatabase(file, notes(NOTES_V1, NOTES_V2)).close();
    assert.deepEqual(recorded(file), { notes: [1, 2] });
  });

  test('stores sharing a file keep their own versions', () => {
    const file = freshFile();
    openSqliteDatabase(file, notes(NOTES_V1, NOTES_V2)).close();
    const tags: SqliteSchema = {
      store: 'tags',
      migrations: [{ version: 1, name: 'tags', sql: 'CREATE TABLE tags (tag TEXT PRIMARY KEY)' }],
    };
    openSqliteDatabase(file, tags).close();
    assert.deepEqual(recorded(file), { notes: [1, 2], tags: [1] });
  });

  test('a file a newer Callsight migrated is refused, naming the data folder, and left as it was', () => {
    const file = freshFile();
    openSqliteDatabase(file, notes(NOTES_V1, NOTES_V2)).close();
    const before = fs.readFileSync(file);
    assert.throws(
      () => openSqliteDatabase(file, notes(NOTES_V1)),
      (err: unknown) => {
        assert.ok(err instanceof CallsightError);
        assert.equal(err.code, 'CS_ERR_CONFIG_INVALID');
        assert.equal(
          err.message,
          `the notes in ${file} (data folder ${path.dirname(file)}) was written by a newer Callsight: it is at schema version 2, this Callsight knows versions up to 1. Downgrades are not supported: run that newer Callsight, or restore a backup taken before the upgrade`,
        );
        return true;
      },
    );
    assert.deepEqual(fs.readFileSync(file), before);
    // The refused open closed its connection: the last one to close removes the WAL files.
    assert.equal(fs.existsSync(`${file}-wal`), false);
  });

  test('a migration list out of order is a programming error', () => {
    assert.throws(
      () => openSqliteDatabase(freshFile(), notes(NOTES_V2, NOTES_V1)),
      /must ascend: 1 follows 2/,
    );
  });
});
