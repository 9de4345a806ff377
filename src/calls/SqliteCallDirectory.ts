import type Database from 'better-sqlite3';
import type { CallInfo } from '../connector/CallTypes.js';
import { InvalidStateError } from '../platform/errors.js';
import { sqliteColumns } from '../platform/database/columns.js';
import { openSqliteDatabase, type SqliteSchema } from '../platform/database/SqliteDatabase.js';
import {
  callEntry,
  callInfoJson,
  checkLimit,
  pipelineEntry,
  pipelineValues,
  type CallRow as CallRowOf,
  type PipelineRow as PipelineRowOf,
} from './CallDirectoryRows.js';
import {
  ACTIVE_PIPELINE_STATUSES,
  type CallDirectory,
  type CallEntry,
  type ListCallsOptions,
  type ListPipelinesOptions,
  type PipelineEntry,
} from './CallDirectoryTypes.js';

/** The directory's tables in callsight.db (migrations: SqliteDatabase.ts). */
const SCHEMA: SqliteSchema = {
  store: 'call directory',
  migrations: [
    {
      version: 1,
      name: 'calls and pipelines',
      sql: `
CREATE TABLE IF NOT EXISTS calls (
  call_id TEXT PRIMARY KEY,
  info TEXT NOT NULL,
  owner TEXT,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_newest ON calls (started_at DESC, call_id);
CREATE TABLE IF NOT EXISTS pipelines (
  pipeline_id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL,
  status TEXT NOT NULL,
  configuration_name TEXT NOT NULL,
  configuration_arn TEXT NOT NULL,
  owner TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  document TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pipelines_call ON pipelines (call_id);
CREATE INDEX IF NOT EXISTS pipelines_newest ON pipelines (created_at DESC, pipeline_id);
`,
    },
    { version: 2, name: 'last media of a call', sql: 'ALTER TABLE calls ADD COLUMN last_media_at INTEGER;' },
    {
      version: 3,
      name: 'calls by configuration',
      sql: 'CREATE INDEX IF NOT EXISTS pipelines_configuration ON pipelines (configuration_name, call_id);',
    },
  ],
};

type CallRow = CallRowOf<string, number>;
type PipelineRow = PipelineRowOf<string, number>;

const toCall = (row: CallRow) => callEntry(row, sqliteColumns);
const toPipeline = (row: PipelineRow) => pipelineEntry(row, sqliteColumns);

/** The call directory in SQLite (calls and pipelines tables), in the same file as the configurations. */
export class SqliteCallDirectory implements CallDirectory {
  readonly #db: Database.Database;
  #closed = false;

  static open(options: { readonly path: string }): SqliteCallDirectory {
    return new SqliteCallDirectory(options.path);
  }

  private constructor(file: string) {
    this.#db = openSqliteDatabase(file, SCHEMA);
  }

  get closed(): boolean {
    return this.#closed;
  }

  async callStarted(info: CallInfo, owner: string | null = null): Promise<void> {
    this.#assertOpen();
    this.#db
      .prepare(
        `INSERT INTO calls (call_id, info, owner, started_at, ended_at, updated_at) VALUES (?, ?, ?, ?, NULL, ?)
         ON CONFLICT (call_id) DO UPDATE SET info = excluded.info, owner = COALESCE(excluded.owner, calls.owner),
           updated_at = excluded.updated_at`,
      )
      .run(info.callId, JSON.stringify(callInfoJson(info)), owner, info.startedAt.getTime(), Date.now());
  }

  async callEnded(callId: string, endedAt = Date.now()): Promise<boolean> {
    this.#assertOpen();
    const { changes } = this.#db
      .prepare('UPDATE calls SET ended_at = ?, updated_at = ? WHERE call_id = ? AND ended_at IS NULL')
      .run(endedAt, Date.now(), callId);
    return changes > 0;
  }

  async mediaSeen(marks: ReadonlyMap<string, number>): Promise<void> {
    this.#assertOpen();
    const mark = this.#db.prepare(
      'UPDATE calls SET last_media_at = MAX(COALESCE(last_media_at, 0), ?) WHERE call_id = ? AND ended_at IS NULL',
    );
    this.#db.transaction(() => {
      for (const [callId, at] of marks) mark.run(at, callId);
    })();
  }

  async getCall(callId: string): Promise<CallEntry | null> {
    this.#assertOpen();
    const row = this.#db.prepare('SELECT * FROM calls WHERE call_id = ?').get(callId) as CallRow | undefined;
    return row ? toCall(row) : null;
  }

  async listCalls(options: ListCallsOptions = {}): Promise<CallEntry[]> {
    this.#assertOpen();
    const limit = checkLimit(options.limit, 'listCalls');
    const where = options.which === 'active' ? 'WHERE ended_at IS NULL' : '';
    return (
      this.#db
        .prepare(`SELECT * FROM calls ${where} ORDER BY started_at DESC, call_id DESC LIMIT ?`)
        .all(limit) as CallRow[]
    ).map(toCall);
  }

  async putPipeline(entry: PipelineEntry): Promise<void> {
    this.#assertOpen();
    this.#db
      .prepare(
        `INSERT INTO pipelines (pipeline_id, call_id, status, configuration_name, configuration_arn, owner, created_at,
           updated_at, document)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (pipeline_id) DO UPDATE SET status = excluded.status, owner = excluded.owner,
           updated_at = excluded.updated_at, document = excluded.document
         WHERE excluded.updated_at >= pipelines.updated_at`,
      )
      .run(...pipelineValues(entry));
  }

  async getPipeline(pipelineId: string): Promise<PipelineEntry | null> {
    this.#assertOpen();
    const row = this.#db.prepare('SELECT * FROM pipelines WHERE pipeline_id = ?').get(pipelineId) as
      PipelineRow | undefined;
    return row ? toPipeline(row) : null;
  }

  async listPipelines(options: ListPipelinesOptions = {}): Promise<PipelineEntry[]> {
    this.#assertOpen();
    const limit = checkLimit(options.limit, 'listPipelines');
    const where: string[] = [];
    const values: unknown[] = [];
    if (options.callId !== undefined) {
      where.push('call_id = ?');
      values.push(options.callId);
    }
    if (options.owner !== undefined) {
      where.push('owner = ?');
      values.push(options.owner);
    }
    if (options.active) {
      where.push(`status IN (${ACTIVE_PIPELINE_STATUSES.map(() => '?').join(', ')})`);
      values.push(...ACTIVE_PIPELINE_STATUSES);
    }
    const sql = `SELECT * FROM pipelines ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at DESC, pipeline_id DESC LIMIT ?`;
    return (this.#db.prepare(sql).all(...values, limit) as PipelineRow[]).map(toPipeline);
  }

  async prune(before: number, keep: readonly string[] = []): Promise<number> {
    this.#assertOpen();
    const ended = `SELECT call_id FROM calls WHERE ended_at < ? AND NOT EXISTS (SELECT 1 FROM pipelines p
                     WHERE p.call_id = calls.call_id AND p.configuration_name IN (SELECT value FROM json_each(?)))`;
    const kept = JSON.stringify(keep);
    return this.#db.transaction(() => {
      this.#db.prepare(`DELETE FROM pipelines WHERE call_id IN (${ended})`).run(before, kept);
      return this.#db.prepare(`DELETE FROM calls WHERE call_id IN (${ended})`).run(before, kept).changes;
    })();
  }

  async endedCallsOf(configurationName: string, endedBefore: number, limit: number): Promise<string[]> {
    this.#assertOpen();
    const rows = this.#db
      .prepare(
        `SELECT call_id FROM calls WHERE ended_at < ? AND EXISTS (SELECT 1 FROM pipelines p
           WHERE p.call_id = calls.call_id AND p.configuration_name = ?)
         ORDER BY ended_at, call_id LIMIT ?`,
      )
      .all(endedBefore, configurationName, checkLimit(limit, 'endedCallsOf')) as { call_id: string }[];
    return rows.map((row) => row.call_id);
  }

  async eraseCall(callId: string): Promise<number> {
    this.#assertOpen();
    return this.#db.transaction(
      () =>
        this.#db.prepare('DELETE FROM pipelines WHERE call_id = ?').run(callId).changes +
        this.#db.prepare('DELETE FROM calls WHERE call_id = ?').run(callId).changes,
    )();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('call directory');
  }
}
