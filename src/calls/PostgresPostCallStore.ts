import { InvalidStateError } from '../platform/errors.js';
import type { PostgresDatabase } from '../platform/database/PostgresDatabase.js';
import type { PostCallAnalytics } from '../analytics/PostCallTypes.js';
import { postCallLocation, type PostCallStore } from '../pipeline/records/PostCall.js';

/**
 * Post-call analytics documents in PostgreSQL (table post_call_analytics), so the gateway serving
 * /api/calls/{id}/analytics finds what a worker on another machine stored.
 */
export class PostgresPostCallStore implements PostCallStore {
  readonly #db: PostgresDatabase;
  #closed = false;

  /** The database is the process's shared one; close() leaves it open. */
  constructor(database: PostgresDatabase) {
    this.#db = database;
  }

  async save(input: { callId: string; pipelineId: string; analytics: PostCallAnalytics }): Promise<string> {
    if (this.#closed) throw new InvalidStateError('post-call store');
    await this.#db.query(
      `INSERT INTO post_call_analytics (call_id, pipeline_id, created_at, document) VALUES ($1, $2, $3, $4)
       ON CONFLICT (call_id, pipeline_id) DO UPDATE SET created_at = EXCLUDED.created_at, document = EXCLUDED.document`,
      [input.callId, input.pipelineId, Date.now(), JSON.stringify(input.analytics)],
    );
    return postCallLocation(input.callId);
  }

  async get(callId: string, pipelineId?: string): Promise<PostCallAnalytics | null> {
    if (this.#closed) throw new InvalidStateError('post-call store');
    const { rows } =
      pipelineId === undefined
        ? await this.#db.query<{ document: PostCallAnalytics }>(
            'SELECT document FROM post_call_analytics WHERE call_id = $1 ORDER BY created_at DESC LIMIT 1',
            [callId],
          )
        : await this.#db.query<{ document: PostCallAnalytics }>(
            'SELECT document FROM post_call_analytics WHERE call_id = $1 AND pipeline_id = $2',
            [callId, pipelineId],
          );
    return rows[0]?.document ?? null;
  }

  async eraseCall(callId: string): Promise<number> {
    if (this.#closed) throw new InvalidStateError('post-call store');
    const { rowCount } = await this.#db.query('DELETE FROM post_call_analytics WHERE call_id = $1', [callId]);
    return rowCount ?? 0;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
