import { hostname } from 'node:os';
import { InvalidStateError } from '../platform/errors.js';
import { silentLogger, type Logger } from '../platform/logger.js';
import type { PostgresDatabase } from '../platform/database/PostgresDatabase.js';
import { postgresColumns } from '../platform/database/columns.js';
import { toConnectionRow, type StoredConnection } from './ConnectionRows.js';
import type { ConnectionRegistry, ConnectionRow, NewConnection } from './ConnectionRegistryTypes.js';

export interface PostgresConnectionRegistryOptions {
  /** The process's shared database (left open by close()). */
  readonly database: PostgresDatabase;
  /**
   * This gateway's name in the table, stable across its restarts (e.g. `host:httpPort`): at open, rows
   * a previous run of the same owner left open are marked disconnected. Default `<hostname>:<pid>`.
   */
  readonly owner?: string;
  /** How often batched last-sequence updates (and this owner's heartbeat) are written. Default 500 ms. */
  readonly flushIntervalMs?: number;
  /** How often the heartbeat is refreshed. Default 5000 ms. */
  readonly heartbeatIntervalMs?: number;
  /** A gateway silent this long is taken for dead: its open connections are listed as disconnected. Default 30 000 ms. */
  readonly staleAfterMs?: number;
  readonly logger?: Logger;
}

/** bigint columns arrive as strings, filters (jsonb) decoded. */
type Row = StoredConnection<unknown, string>;

const toRow = (row: Row): ConnectionRow => toConnectionRow(row, postgresColumns);

/**
 * The connection table in PostgreSQL, shared by every gateway: each row names the gateway (owner)
 * holding the connection, and each gateway keeps a heartbeat row, so a gateway that dies without
 * closing its clients has them reported disconnected once its heartbeat is stale. Per-frame sequence
 * updates only touch a map; a timer writes the latest value per connection in one statement. A write
 * that fails (PostgreSQL away) keeps its updates for the next flush.
 */
export class PostgresConnectionRegistry implements ConnectionRegistry {
  readonly #db: PostgresDatabase;
  readonly #logger: Logger;
  readonly #owner: string;
  readonly #heartbeatIntervalMs: number;
  readonly #staleAfterMs: number;
  readonly #timer: NodeJS.Timeout;
  #dirty = new Map<string, string>();
  #flushing: Promise<void> = Promise.resolve();
  #lastHeartbeat = 0;
  #closed = false;

  static async open(options: PostgresConnectionRegistryOptions): Promise<PostgresConnectionRegistry> {
    const registry = new PostgresConnectionRegistry(options);
    await registry.#heartbeat(Date.now());
    const stale = await options.database.query(
      'UPDATE connections SET disconnected_at = $2 WHERE owner = $1 AND disconnected_at IS NULL',
      [registry.#owner, Date.now()],
    );
    if ((stale.rowCount ?? 0) > 0)
      registry.#logger.info(
        { stale: stale.rowCount, owner: registry.#owner },
        'marked connections of a previous run disconnected',
      );
    return registry;
  }

  private constructor(options: PostgresConnectionRegistryOptions) {
    this.#db = options.database;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'connection-registry' });
    this.#owner = options.owner ?? `${hostname()}:${process.pid}`;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5000;
    this.#staleAfterMs = options.staleAfterMs ?? 30_000;
    this.#timer = setInterval(() => void this.#flushSafely(), options.flushIntervalMs ?? 500);
    this.#timer.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  get owner(): string {
    return this.#owner;
  }

  async add(connection: NewConnection): Promise<void> {
    this.#assertOpen();
    await this.#db.query(
      `INSERT INTO connections (connection_id, owner, connected_at, remote_address, filters, last_sequence_sent, disconnected_at)
       VALUES ($1, $2, $3, $4, $5, NULL, NULL)`,
      [
        connection.connectionId,
        this.#owner,
        connection.connectedAt,
        connection.remoteAddress,
        JSON.stringify(connection.filters),
      ],
    );
  }

  updateLastSequence(connectionId: string, sequence: string): void {
    this.#assertOpen();
    this.#dirty.set(connectionId, sequence);
  }

  async markDisconnected(connectionId: string, at = Date.now()): Promise<void> {
    this.#assertOpen();
    await this.#flush();
    await this.#db.query('UPDATE connections SET disconnected_at = $2 WHERE connection_id = $1', [
      connectionId,
      at,
    ]);
  }

  async list(which: 'active' | 'all'): Promise<ConnectionRow[]> {
    this.#assertOpen();
    await this.#flush();
    // Connections of gateways whose heartbeat stopped end when it did.
    await this.#db.query(
      `UPDATE connections c SET disconnected_at = h.heartbeat_at
       FROM gateway_heartbeats h
       WHERE c.owner = h.owner AND c.disconnected_at IS NULL AND h.heartbeat_at < $1`,
      [Date.now() - this.#staleAfterMs],
    );
    const where = which === 'active' ? 'WHERE disconnected_at IS NULL' : '';
    const { rows } = await this.#db.query<Row>(
      `SELECT connection_id, connected_at, remote_address, filters, last_sequence_sent, disconnected_at
       FROM connections ${where} ORDER BY connected_at, connection_id`,
    );
    return rows.map(toRow);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    await this.#flush().catch((err: unknown) =>
      this.#logger.error({ err }, 'connection registry flush failed at close'),
    );
    this.#closed = true;
  }

  /** Writes the pending sequence updates; flushes never overlap, so a later value is never overwritten. */
  #flush(): Promise<void> {
    const run = this.#flushing.catch(() => undefined).then(() => this.#write());
    this.#flushing = run;
    return run;
  }

  async #write(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastHeartbeat >= this.#heartbeatIntervalMs) await this.#heartbeat(now);
    if (this.#dirty.size === 0) return;
    const updates = this.#dirty;
    this.#dirty = new Map();
    try {
      await this.#db.query(
        `UPDATE connections c SET last_sequence_sent = v.seq
         FROM unnest($1::text[], $2::text[]) AS v(id, seq) WHERE c.connection_id = v.id`,
        [[...updates.keys()], [...updates.values()]],
      );
    } catch (err) {
      // Keep them for the next flush, unless a newer value arrived meanwhile.
      for (const [id, seq] of updates) if (!this.#dirty.has(id)) this.#dirty.set(id, seq);
      throw err;
    }
  }

  async #heartbeat(now: number): Promise<void> {
    await this.#db.query(
      `INSERT INTO gateway_heartbeats (owner, heartbeat_at) VALUES ($1, $2)
       ON CONFLICT (owner) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at`,
      [this.#owner, now],
    );
    this.#lastHeartbeat = now;
  }

  async #flushSafely(): Promise<void> {
    try {
      await this.#flush();
    } catch (err) {
      this.#logger.error({ err }, 'connection registry flush failed');
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('connection registry');
  }
}
