import type Database from 'better-sqlite3';
import { openSqliteDatabase, type SqliteSchema } from '../platform/database/SqliteDatabase.js';
import { InvalidStateError } from '../platform/errors.js';
import { silentLogger, type Logger } from '../platform/logger.js';
import { serializeRecord } from './AppendCheck.js';
import { parseSequence } from './Sequence.js';
import { checkRead } from './StreamReads.js';
import { SqliteSubscription, type SubscriptionSource } from './SqliteSubscription.js';
import type {
  AppendKey,
  DataStream,
  StoredRecord,
  StreamRetention,
  StreamSubscription,
} from './StreamTypes.js';

export type { StreamRetention };

export interface SqliteDataStreamOptions {
  /** Database file; its directory is created if missing. */
  readonly path: string;
  readonly retention?: StreamRetention;
  /** How often retention runs. Default 60 000 ms. */
  readonly pruneIntervalMs?: number;
  /** Records a subscriber may fall behind live before it goes back to reading the database. Default 1000. */
  readonly subscriptionQueueLimit?: number;
  readonly logger?: Logger;
}

interface PendingAppend {
  readonly json: string;
  readonly key: AppendKey;
  readonly appendedAt: number;
  readonly resolve: (sequence: string) => void;
  readonly reject: (err: unknown) => void;
}

interface RecordRow {
  seq: number;
  type: string;
  call_id: string | null;
  appended_at: number;
  json: string;
}

/** The stream's table in stream.db (migrations: SqliteDatabase.ts). */
const SCHEMA: SqliteSchema = {
  store: 'data stream',
  migrations: [
    {
      version: 1,
      name: 'records',
      sql: `
CREATE TABLE IF NOT EXISTS records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  call_id TEXT,
  appended_at INTEGER NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_appended_at ON records (appended_at);
`,
    },
    { version: 2, name: 'records by call', sql: 'CREATE INDEX records_call_id ON records (call_id);' },
  ],
};

function toStored(row: RecordRow): StoredRecord {
  return {
    sequenceNumber: String(row.seq),
    json: row.json,
    type: row.type,
    callId: row.call_id,
    appendedAt: row.appended_at,
  };
}

/**
 * The embedded data stream: an append-only SQLite table in WAL mode with synchronous=FULL, so a record
 * whose append resolved survives kill -9 and power loss. Appends made in the same event-loop turn share
 * one transaction (group commit), which makes the fsync per batch rather than per record.
 * One process only: subscriptions hear of this instance's commits, not of another process appending to
 * the same file (that is what JetStreamDataStream is for).
 */
export class SqliteDataStream implements DataStream {
  readonly #db: Database.Database;
  readonly #logger: Logger;
  readonly #retention: StreamRetention;
  readonly #queueLimit: number;
  readonly #subscriptions = new Set<SqliteSubscription>();
  readonly #insert: Database.Statement<[string, string | null, number, string]>;
  readonly #selectAfter: Database.Statement<[number, number], RecordRow>;
  readonly #pruneTimer: NodeJS.Timeout | undefined;
  #pending: PendingAppend[] = [];
  #flushScheduled = false;
  #lastSequence: number;
  #closePromise: Promise<void> | undefined;

  static open(options: SqliteDataStreamOptions): SqliteDataStream {
    return new SqliteDataStream(options);
  }

  private constructor(options: SqliteDataStreamOptions) {
    this.#logger = (options.logger ?? silentLogger).child({ component: 'stream' });
    this.#retention = options.retention ?? {};
    this.#queueLimit = options.subscriptionQueueLimit ?? 1000;
    this.#db = openSqliteDatabase(options.path, SCHEMA, this.#logger);
    this.#db.pragma('synchronous = FULL');
    this.#insert = this.#db.prepare(
      'INSERT INTO records (type, call_id, appended_at, json) VALUES (?, ?, ?, ?)',
    );
    this.#selectAfter = this.#db.prepare(
      'SELECT seq, type, call_id, appended_at, json FROM records WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    // sqlite_sequence remembers the highest rowid ever used, even after retention emptied the table.
    const row = this.#db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'records'").get() as
      { seq: number } | undefined;
    this.#lastSequence = row?.seq ?? 0;
    this.prune();
    const interval = options.pruneIntervalMs ?? 60_000;
    if (this.#hasRetention()) {
      this.#pruneTimer = setInterval(() => this.#pruneSafely(), interval);
      this.#pruneTimer.unref();
    }
    this.#logger.info({ path: options.path, lastSequence: this.#lastSequence }, 'data stream opened');
  }

  get closed(): boolean {
    return this.#closePromise !== undefined;
  }

  async append(record: object, key: AppendKey): Promise<string> {
    if (this.closed) throw new InvalidStateError('data stream');
    // Checked here so one bad record or key cannot fail the whole group-commit batch it would have joined.
    const json = serializeRecord(record, key);
    return new Promise<string>((resolve, reject) => {
      this.#pending.push({ json, key, appendedAt: Date.now(), resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  async read(after: string, limit: number): Promise<StoredRecord[]> {
    if (this.closed) throw new InvalidStateError('data stream');
    const from = checkRead(after, limit);
    return this.#selectAfter.all(from, limit).map(toStored);
  }

  subscribe(after: string): StreamSubscription {
    if (this.closed) throw new InvalidStateError('data stream');
    const subscription = new SqliteSubscription(this.#source, parseSequence(after), this.#queueLimit);
    this.#subscriptions.add(subscription);
    return subscription;
  }

  lastSequence(): string {
    if (this.closed) throw new InvalidStateError('data stream');
    return String(this.#lastSequence);
  }

  async eraseCall(callId: string): Promise<number> {
    if (this.closed) throw new InvalidStateError('data stream');
    this.#flush();
    const { changes } = this.#db.prepare('DELETE FROM records WHERE call_id = ?').run(callId);
    // The write-ahead log still holds the pages as they were before; fold it in and empty it.
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    this.#logger.info({ callId, erased: changes }, 'call erased from the data stream');
    return changes;
  }

  /** Applies the retention options now; returns how many records were deleted. Also runs periodically. */
  prune(now = Date.now()): number {
    if (this.closed) throw new InvalidStateError('data stream');
    const { maxAgeMs, maxRecords, maxBytes } = this.#retention;
    let deleted = 0;
    if (maxAgeMs !== undefined) {
      deleted += this.#db.prepare('DELETE FROM records WHERE appended_at < ?').run(now - maxAgeMs).changes;
    }
    if (maxRecords !== undefined) {
      const cut = this.#db
        .prepare('SELECT seq FROM records ORDER BY seq DESC LIMIT 1 OFFSET ?')
        .get(maxRecords) as { seq: number } | undefined;
      if (cut) deleted += this.#db.prepare('DELETE FROM records WHERE seq <= ?').run(cut.seq).changes;
    }
    if (maxBytes !== undefined) {
      // The newest record whose running total (newest first) passes the budget, and all older, go.
      const cut = this.#db
        .prepare(
          `SELECT seq FROM (SELECT seq, SUM(length(CAST(json AS BLOB))) OVER (ORDER BY seq DESC) AS total
           FROM records) WHERE total > ? ORDER BY seq DESC LIMIT 1`,
        )
        .get(maxBytes) as { seq: number } | undefined;
      if (cut) deleted += this.#db.prepare('DELETE FROM records WHERE seq <= ?').run(cut.seq).changes;
    }
    if (deleted > 0) this.#logger.debug({ deleted }, 'retention pruned records');
    return deleted;
  }

  close(): Promise<void> {
    if (this.#closePromise) return this.#closePromise;
    this.#flush();
    this.#closePromise = Promise.resolve();
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    for (const subscription of [...this.#subscriptions]) subscription.close();
    this.#db.close();
    this.#logger.info({ lastSequence: this.#lastSequence }, 'data stream closed');
    return this.#closePromise;
  }

  readonly #source: SubscriptionSource = {
    readPage: (after, limit) => this.#selectAfter.all(after, limit).map(toStored),
    detach: (subscription) => this.#subscriptions.delete(subscription),
  };

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    let stored: StoredRecord[];
    try {
      stored = this.#db.transaction(() =>
        batch.map((p) => {
          const { lastInsertRowid } = this.#insert.run(p.key.type, p.key.callId, p.appendedAt, p.json);
          return {
            sequenceNumber: String(lastInsertRowid),
            json: p.json,
            type: p.key.type,
            callId: p.key.callId,
            appendedAt: p.appendedAt,
          };
        }),
      )();
    } catch (err) {
      this.#logger.error({ err, records: batch.length }, 'append batch failed');
      for (const p of batch) p.reject(err);
      return;
    }
    this.#lastSequence = Number(stored.at(-1)?.sequenceNumber ?? this.#lastSequence);
    batch.forEach((p, i) => p.resolve(stored[i]?.sequenceNumber ?? ''));
    for (const subscription of this.#subscriptions) subscription.onCommitted(stored);
  }

  #hasRetention(): boolean {
    const { maxAgeMs, maxRecords, maxBytes } = this.#retention;
    return maxAgeMs !== undefined || maxRecords !== undefined || maxBytes !== undefined;
  }

  #pruneSafely(): void {
    try {
      this.prune();
    } catch (err) {
      this.#logger.error({ err }, 'retention prune failed');
    }
  }
}
