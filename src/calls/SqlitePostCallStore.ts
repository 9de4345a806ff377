import type Database from 'better-sqlite3';
import { openSqliteDatabase, type SqliteSchema } from '../platform/database/SqliteDatabase.js';
import { InvalidStateError } from '../platform/errors.js';
import type { PostCallAnalytics } from '../analytics/PostCallTypes.js';
import { postCallLocation, type PostCallStore } from '../pipeline/records/PostCall.js';

/** The store's table in callsight.db (migrations: SqliteDatabase.ts). */
const SCHEMA: SqliteSchema = {
  store: 'post-call analytics',
  migrations: [
    {
      version: 1,
      name: 'post_call_analytics',
      sql: `
CREATE TABLE IF NOT EXISTS post_call_analytics (
  call_id TEXT NOT NULL,
  pipeline_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (call_id, pipeline_id)
);
CREATE INDEX IF NOT EXISTS post_call_analytics_newest ON post_call_analytics (call_id, created_at);
`,
    },
  ],
};

/** Post-call analytics documents in SQLite, in the same database file as the configurations. */
export class SqlitePostCallStore implements PostCallStore {
  readonly #db: Database.Database;
  #closed = false;

  constructor(file: string) {
    this.#db = openSqliteDatabase(file, SCHEMA);
  }

  async save(input: { callId: string; pipelineId: string; analytics: PostCallAnalytics }): Promise<string> {
    if (this.#closed) throw new InvalidStateError('post-call store');
    this.#db
      .prepare(
        'INSERT OR REPLACE INTO post_call_analytics (call_id, pipeline_id, created_at, document) VALUES (?, ?, ?, ?)',
      )
      .run(input.callId, input.pipelineId, Date.now(), JSON.stringify(input.analytics));
    return postCallLocation(input.callId);
  }

  async get(callId: string, pipelineId?: string): Promise<PostCallAnalytics | null> {
    if (this.#closed) throw new InvalidStateError('post-call store');
    const row = (
      pipelineId === undefined
        ? this.#db
            .prepare(
              'SELECT document FROM post_call_analytics WHERE call_id = ? ORDER BY created_at DESC LIMIT 1',
            )
            .get(callId)
        : this.#db
            .prepare('SELECT document FROM post_call_analytics WHERE call_id = ? AND pipeline_id = ?')
            .get(callId, pipelineId)
    ) as { document: string } | undefined;
    return row ? (JSON.parse(row.document) as PostCallAnalytics) : null;
  }

  async eraseCall(callId: string): Promise<number> {
    if (this.#closed) throw new InvalidStateError('post-call store');
    const { changes } = this.#db.prepare('DELETE FROM post_call_analytics WHERE call_id = ?').run(callId);
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    return changes;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
