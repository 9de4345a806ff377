import type { CallInfo } from '../connector/CallTypes.js';
import { InvalidStateError } from '../platform/errors.js';
import { postgresColumns } from '../platform/database/columns.js';
import type { PostgresDatabase } from '../platform/database/PostgresDatabase.js';
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
  type CallInfoJson,
  type ListCallsOptions,
  type ListPipelinesOptions,
  type PipelineEntry,
} from './CallDirectoryTypes.js';

type CallRow = CallRowOf<CallInfoJson, string>;
type PipelineRow = PipelineRowOf<Record<string, unknown>, string>;

const toCall = (row: CallRow) => callEntry(row, postgresColumns);
const toPipeline = (row: PipelineRow) => pipelineEntry(row, postgresColumns);

/** The call directory in PostgreSQL (tables calls and pipelines, migrations.ts), shared by every process. */
export class PostgresCallDirectory implements CallDirectory {
  readonly #db: PostgresDatabase;
  #closed = false;

  /** The database is the process's shared one; close() leaves it open. */
  constructor(database: PostgresDatabase) {
    this.#db = database;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async callStarted(info: CallInfo, owner: string | null = null): Promise<void> {
    this.#assertOpen();
    await this.#db.query(
      `INSERT INTO calls (call_id, info, owner, started_at, ended_at, updated_at) VALUES ($1, $2, $3, $4, NULL, $5)
       ON CONFLICT (call_id) DO UPDATE SET info = EXCLUDED.info, owner = COALESCE(EXCLUDED.owner, calls.owner),
         updated_at = EXCLUDED.updated_at`,
      [info.callId, JSON.stringify(callInfoJson(info)), owner, info.startedAt.getTime(), Date.now()],
    );
  }

  async callEnded(callId: string, endedAt = Date.now()): Promise<boolean> {
    this.#assertOpen();
    // Row-locked: of two processes ending the call at once, the second finds ended_at set.
    const { rowCount } = await this.#db.query(
      'UPDATE calls SET ended_at = $2, updated_at = $3 WHERE call_id = $1 AND ended_at IS NULL',
      [callId, endedAt, Date.now()],
    );
    return (rowCount ?? 0) > 0;
  }

  async mediaSeen(marks: ReadonlyMap<string, number>): Promise<void> {
    this.#assertOpen();
    if (marks.size === 0) return;
    await this.#db.query(
      `UPDATE calls SET last_media_at = GREATEST(calls.last_media_at, m.at)
       FROM unnest($1::text[], $2::bigint[]) AS m(call_id, at)
       WHERE calls.call_id = m.call_id AND calls.ended_at IS NULL`,
      [[...marks.keys()], [...marks.values()]],
    );
  }

  async getCall(callId: string): Promise<CallEntry | null> {
    this.#assertOpen();
    const { rows } = await this.#db.query<CallRow>('SELECT * FROM calls WHERE call_id = $1', [callId]);
    return rows[0] ? toCall(rows[0]) : null;
  }

  async listCalls(options: ListCallsOptions = {}): Promise<CallEntry[]> {
    this.#assertOpen();
    const limit = checkLimit(options.limit, 'listCalls');
    const where = options.which === 'active' ? 'WHERE ended_at IS NULL' : '';
    const { rows } = await this.#db.query<CallRow>(
      `SELECT * FROM calls ${where} ORDER BY started_at DESC, call_id COLLATE "C" DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toCall);
  }

  async putPipeline(entry: PipelineEntry): Promise<void> {
    this.#assertOpen();
    await this.#db.query(
      `INSERT INTO pipelines (pipeline_id, call_id, status, configuration_name, configuration_arn, owner, created_at,
         updated_at, document)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (pipeline_id) DO UPDATE SET status = EXCLUDED.status, owner = EXCLUDED.owner,
         updated_at = EXCLUDED.updated_at, document = EXCLUDED.document
       WHERE EXCLUDED.updated_at >= pipelines.updated_at`,
      pipelineValues(entry),
    );
  }

  async getPipeline(pipelineId: string): Promise<PipelineEntry | null> {
    this.#assertOpen();
    const { rows } = await this.#db.query<PipelineRow>('SELECT * FROM pipelines WHERE pipeline_id = $1', [
      pipelineId,
    ]);
    return rows[0] ? toPipeline(rows[0]) : null;
  }

  async listPipelines(options: ListPipelinesOptions = {}): Promise<PipelineEntry[]> {
    this.#assertOpen();
    const limit = checkLimit(options.limit, 'listPipelines');
    const where: string[] = [];
    const values: unknown[] = [];
    if (options.callId !== undefined) where.push(`call_id = $${values.push(options.callId)}`);
    if (options.owner !== undefined) where.push(`owner = $${values.push(options.owner)}`);
    if (options.active) where.push(`status = ANY($${values.push([...ACTIVE_PIPELINE_STATUSES])})`);
    const { rows } = await this.#db.query<PipelineRow>(
      `SELECT * FROM pipelines ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, pipeline_id COLLATE "C" DESC LIMIT $${values.push(limit)}`,
      values,
    );
    return rows.map(toPipeline);
  }

  async prune(before: number, keep: readonly string[] = []): Promise<number> {
    this.#assertOpen();
    const ended = `SELECT call_id FROM calls WHERE ended_at < $1 AND NOT EXISTS (SELECT 1 FROM pipelines p
                     WHERE p.call_id = calls.call_id AND p.configuration_name = ANY($2))`;
    return this.#db.transaction(async (tx) => {
      await tx.query(`DELETE FROM pipelines WHERE call_id IN (${ended})`, [before, keep]);
      const { rowCount } = await tx.query(`DELETE FROM calls WHERE call_id IN (${ended})`, [before, keep]);
      return rowCount ?? 0;
    });
  }

  async endedCallsOf(configurationName: string, endedBefore: number, limit: number): Promise<string[]> {
    this.#assertOpen();
    const { rows } = await this.#db.query<{ call_id: string }>(
      `SELECT call_id FROM calls WHERE ended_at < $1 AND EXISTS (SELECT 1 FROM pipelines p
         WHERE p.call_id = calls.call_id AND p.configuration_name = $2)
       ORDER BY ended_at, call_id COLLATE "C" LIMIT $3`,
      [endedBefore, configurationName, checkLimit(limit, 'endedCallsOf')],
    );
    return rows.map((row) => row.call_id);
  }

  async eraseCall(callId: string): Promise<number> {
    this.#assertOpen();
    return this.#db.transaction(async (tx) => {
      const pipelines = await tx.query('DELETE FROM pipelines WHERE call_id = $1', [callId]);
      const calls = await tx.query('DELETE FROM calls WHERE call_id = $1', [callId]);
      return (pipelines.rowCount ?? 0) + (calls.rowCount ?? 0);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('call directory');
  }
}
