import type Database from 'better-sqlite3';
import { InvalidStateError } from '../platform/errors.js';
import { silentLogger, type Logger } from '../platform/logger.js';
import { sqliteColumns } from '../platform/database/columns.js';
import { openSqliteDatabase, type SqliteSchema } from '../platform/database/SqliteDatabase.js';
import { toConnectionRow, type StoredConnection } from './ConnectionRows.js';
import type { ConnectionRegistry, ConnectionRow, NewConnection } from './ConnectionRegistryTypes.js';

export interface SqliteConnectionRegistryOptions {
  /** Database file, e.g. `data/callsight.db`; its directory is created if missing. */
  readonly path: string;
  /** How often batched last-sequence updates are written. Default 500 ms. */
  readonly flushIntervalMs?: number;
  readonly logger?: Logger;
}

type Row = StoredConnection<string, number>;

/** The registry's table in callsight.db (migrations: SqliteDatabase.ts). */
const SCHEMA: SqliteSchema = {
  store: 'connection registry',
  migrations: [
    {
      version: 1,
      name: 'connections',
      sql: `
CREATE TABLE IF NOT EXISTS connections (
  connection_id TEXT PRIMARY KEY,
  connected_at INTEGER NOT NULL,
  remote_address TEXT NOT NULL,
  filters TEXT NOT NULL,
  last_sequence_sent TEXT,
  disconnected_at INTEGER
);
CREATE INDEX IF NOT EXISTS connections_active ON connections (disconnected_at);
`,
    },
  ],
};

const toRow = (row: Row): ConnectionRow => toConnectionRow(row, sqliteColumns);

/**
 * The connection table in SQLite (WAL). Per-frame sequence updates only touch a map; a timer writes the
 * latest value per connection in one transaction, so a busy gateway costs one write per interval.
 */
export class SqliteConnectionRegistry implements ConnectionRegistry {
  readonly #db: Database.Database;
  readonly #logger: Logger;
  readonly #timer: NodeJS.Timeout;
  readonly #dirty = new Map<string, string>();
  #closed = false;

  static open(options: SqliteConnectionRegistryOptions): SqliteConnectionRegistry {
    return new SqliteConnectionRegistry(options);
  }

  private constructor(options: SqliteConnectionRegistryOptions) {
    this.#logger = (options.logger ?? silentLogger).child({ component: 'connection-registry' });
    this.#db = openSqliteDatabase(options.path, SCHEMA, this.#logger);
    // This process owns the file, so rows still open are connections a previous run died holding.
    const stale = this.#db
      .prepare('UPDATE connections SET disconnected_at = ? WHERE disconnected_at IS NULL')
      .run(Date.now()).changes;
    if (stale > 0) this.#logger.info({ stale }, 'marked connections of a previous run disconnected');
    this.#timer = setInterval(() => this.#flushSafely(), options.flushIntervalMs ?? 500);
    this.#timer.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  async add(connection: NewConnection): Promise<void> {
    this.#assertOpen();
    this.#db
      .prepare(
        `INSERT INTO connections (connection_id, connected_at, remote_address, filters, last_sequence_sent, disconnected_at)
         VALUES (?, ?, ?, ?, NULL, NULL)`,
      )
      .run(
        connection.connectionId,
        connection.connectedAt,
        connection.remoteAddress,
        JSON.stringify(connection.filters),
      );
  }

  updateLastSequence(connectionId: string, sequence: string): void {
    this.#assertOpen();
    this.#dirty.set(connectionId, sequence);
  }

  async markDisconnected(connectionId: string, at = Date.now()): Promise<void> {
    this.#assertOpen();
    this.#flush();
    this.#db
      .prepare('UPDATE connections SET disconnected_at = ? WHERE connection_id = ?')
      .run(at, connectionId);
  }

  async list(which: 'active' | 'all'): Promise<ConnectionRow[]> {
    this.#assertOpen();
    this.#flush();
    const sql =
      which === 'active'
        ? 'SELECT * FROM connections WHERE disconnected_at IS NULL ORDER BY connected_at, connection_id'
        : 'SELECT * FROM connections ORDER BY connected_at, connection_id';
    return (this.#db.prepare(sql).all() as Row[]).map(toRow);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    this.#flush();
    this.#closed = true;
    this.#db.close();
  }

  #flush(): void {
    if (this.#dirty.size === 0) return;
    const updates = [...this.#dirty];
    this.#dirty.clear();
    const update = this.#db.prepare('UPDATE connections SET last_sequence_sent = ? WHERE connection_id = ?');
    this.#db.transaction(() => {
      for (const [id, sequence] of updates) update.run(sequence, id);
    })();
  }

  #flushSafely(): void {
    try {
      this.#flush();
    } catch (err) {
      this.#logger.error({ err }, 'connection registry flush failed');
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('connection registry');
  }
}
