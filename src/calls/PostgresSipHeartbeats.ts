import type { Queryable } from '../platform/database/PostgresDatabase.js';

/** The database's clock in epoch milliseconds: every process's heartbeat is read against one clock. */
const DB_NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/**
 * Scaled out, each sip process's heartbeat in PostgreSQL (table sip_heartbeats, migration 5), on the
 * database's clock so that the processes' clocks need not agree. A sip process beats while it runs
 * and forgets its row when it stops cleanly; a worker asks for the owners whose beat is older than
 * worker.sipLostAfterMs and that still hold open calls in the directory, and closes those calls
 * (src/app/lostSip.ts).
 */
export class PostgresSipHeartbeats {
  readonly #db: Queryable;

  constructor(database: Queryable) {
    this.#db = database;
  }

  async beat(owner: string): Promise<void> {
    await this.#db.query(
      `INSERT INTO sip_heartbeats (owner, heartbeat_at) VALUES ($1, ${DB_NOW})
       ON CONFLICT (owner) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at`,
      [owner],
    );
  }

  async forget(owner: string): Promise<void> {
    await this.#db.query('DELETE FROM sip_heartbeats WHERE owner = $1', [owner]);
  }

  /** Owners silent for longer than `lostAfterMs` that the call directory still has open calls of. */
  async lost(lostAfterMs: number): Promise<string[]> {
    const { rows } = await this.#db.query<{ owner: string }>(
      `SELECT h.owner FROM sip_heartbeats h
       WHERE h.heartbeat_at < ${DB_NOW} - $1
         AND EXISTS (SELECT 1 FROM calls c WHERE c.owner = h.owner AND c.ended_at IS NULL)`,
      [lostAfterMs],
    );
    return rows.map((r) => r.owner);
  }
}
