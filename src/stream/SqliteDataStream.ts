import type Database from 'better-sqlite3';
import { openSqliteDatabase, type SqliteSchema } from '../platform/database/SqliteDatabase.js';
import { InvalidStateError } from '../platform/errors.js';
import { silentLogger, type Logger } from '../platform/logger.js';
import { countAppended, serializeRecord } from './AppendCheck.js';
import { parseSequence } from './Sequence.js';
import { checkRead } from './StreamReads.js';
import { SqliteSubscription, type SubscriptionSource } from './SqliteSubscription.js';
import { StreamSpace } from './StreamSpace.js';
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
  /**
   * Records kept in memory while the data disk is full (pushed live, written when it has room); the
   * oldest beyond this are lost. Default 10 000 (stream.maxHeldRecords).
   */
  readonly maxHeldRecords?: number;
  /** How often a full disk is tried again when nothing is being appended. Default 1000 ms. */
  readonly retryIntervalMs?: number;
  readonly logger?: Logger;
}

/**
 * Errors that mean the data disk has no room (SQLITE_FULL: ENOSPC) or cannot be written for now
 * (SQLITE_IOERR_*: a quota gives SQLITE_IOERR_WRITE): the records are held, not refused.
 */
function diskProblem(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR'))
    ? code
    : null;
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
 *
 * A full data disk does not stop the records: a batch that finds no room gets its sequence numbers
 * all the same, goes to the subscribers (the WebSocket clients see it live) and waits in memory,
 * readable like the rest, with every later one behind it in order, until a commit succeeds (tried at
 * the next append, at most every retryIntervalMs); then they are written with the numbers they were
 * given. Such an append resolves without being durable. Beyond maxHeldRecords the oldest held records
 * are dropped and counted lost (a gap in the sequence, as retention makes); held records are lost too
 * if the process stops before there is room. `space` shows it on /healthz and /metrics; the full disk
 * is logged once, and its return once.
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
  readonly #insertAt: Database.Statement<[number, string, string | null, number, string]>;
  readonly #maxHeld: number;
  readonly #retryMs: number;
  /** The data disk as the latest commit found it. */
  readonly space = new StreamSpace();
  /** Records given sequence numbers and pushed live, not yet on disk (oldest first). */
  #held: StoredRecord[] = [];
  #lastTry = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  /** Records committed since retention last ran (a burst prunes early: see #deliver). */
  #sincePrune = 0;
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
    this.#maxHeld = options.maxHeldRecords ?? 10_000;
    this.#retryMs = options.retryIntervalMs ?? 1000;
    this.#db = openSqliteDatabase(options.path, SCHEMA, this.#logger);
    this.#db.pragma('synchronous = FULL');
    this.#insert = this.#db.prepare(
      'INSERT INTO records (type, call_id, appended_at, json) VALUES (?, ?, ?, ?)',
    );
    this.#insertAt = this.#db.prepare(
      'INSERT INTO records (seq, type, call_id, appended_at, json) VALUES (?, ?, ?, ?, ?)',
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
    const sequence = await new Promise<string>((resolve, reject) => {
      this.#pending.push({ json, key, appendedAt: Date.now(), resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
    countAppended(key);
    return sequence;
  }

  async read(after: string, limit: number): Promise<StoredRecord[]> {
    if (this.closed) throw new InvalidStateError('data stream');
    return this.#readAfter(checkRead(after, limit), limit);
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
    const held = this.#held.length;
    this.#held = this.#held.filter((r) => r.callId !== callId);
    this.space.held = this.#held.length;
    const changes =
      this.#db.prepare('DELETE FROM records WHERE call_id = ?').run(callId).changes +
      held -
      this.#held.length;
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
    this.#sincePrune = 0;
    if (deleted > 0) this.#logger.debug({ deleted }, 'retention pruned records');
    return deleted;
  }

  close(): Promise<void> {
    if (this.#closePromise) return this.#closePromise;
    this.#lastTry = 0;
    this.#flush();
    this.#closePromise = Promise.resolve();
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    clearTimeout(this.#retryTimer);
    if (this.#held.length > 0) {
      this.space.lose(this.#held.length);
      this.#logger.error(
        { lost: this.#held.length },
        'data stream closed with records the full data disk had no room for: they are lost',
      );
    }
    for (const subscription of [...this.#subscriptions]) subscription.close();
    this.#db.close();
    this.#logger.info({ lastSequence: this.#lastSequence }, 'data stream closed');
    return this.#closePromise;
  }

  readonly #source: SubscriptionSource = {
    readPage: (after, limit) => this.#readAfter(after, limit),
    detach: (subscription) => this.#subscriptions.delete(subscription),
  };

  /** Stored records after `after`: the database's, then the held ones (all newer). */
  #readAfter(after: number, limit: number): StoredRecord[] {
    const rows = this.#selectAfter.all(after, limit).map(toStored);
    if (rows.length >= limit || this.#held.length === 0) return rows;
    const held = this.#held.filter((r) => Number(r.sequenceNumber) > after);
    return rows.concat(held.slice(0, limit - rows.length));
  }

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#pending;
    if (batch.length === 0 && this.#held.length === 0) return;
    this.#pending = [];
    const now = Date.now();
    // Held records go first, so while the disk is full later ones queue behind them.
    if (this.#held.length > 0 && now - this.#lastTry < this.#retryMs) return this.#hold(batch);
    const written = this.#held.length;
    let stored: StoredRecord[];
    try {
      stored = this.#db.transaction(() => {
        for (const r of this.#held)
          this.#insertAt.run(Number(r.sequenceNumber), r.type, r.callId, r.appendedAt, r.json);
        return batch.map((p) => {
          const { lastInsertRowid } = this.#insert.run(p.key.type, p.key.callId, p.appendedAt, p.json);
          return {
            sequenceNumber: String(lastInsertRowid),
            json: p.json,
            type: p.key.type,
            callId: p.key.callId,
            appendedAt: p.appendedAt,
          };
        });
      })();
    } catch (err) {
      const code = diskProblem(err);
      if (code === null) {
        this.#logger.error({ err, records: batch.length }, 'append batch failed');
        for (const p of batch) p.reject(err);
        return;
      }
      this.#lastTry = now;
      if (this.space.full(code))
        this.#logger.error(
          { code: 'CS_ERR_DATA_DISK_FULL', reason: code, maxHeldRecords: this.#maxHeld },
          'data disk full: records go on live and wait in memory until it has room',
        );
      return this.#hold(batch);
    }
    if (this.space.returned() || written > 0) {
      this.#logger.warn({ written }, 'data disk has room again: the records held meanwhile are written');
      this.#held = [];
      this.space.held = 0;
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
    this.#deliver(batch, stored);
  }

  /** A batch the disk has no room for: numbered, held (the oldest beyond the bound lost) and delivered. */
  #hold(batch: readonly PendingAppend[]): void {
    const stored = batch.map((p, i) => ({
      sequenceNumber: String(this.#lastSequence + 1 + i),
      json: p.json,
      type: p.key.type,
      callId: p.key.callId,
      appendedAt: p.appendedAt,
    }));
    this.#held.push(...stored);
    const over = this.#held.length - this.#maxHeld;
    if (over > 0) {
      this.#held.splice(0, over);
      this.space.lose(over);
    }
    this.space.held = this.#held.length;
    // Tried again without waiting for the next append.
    if (this.#held.length > 0 && !this.#retryTimer) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#flush();
      }, this.#retryMs);
      this.#retryTimer.unref();
    }
    this.#deliver(batch, stored);
  }

  #deliver(batch: readonly PendingAppend[], stored: StoredRecord[]): void {
    if (stored.length === 0) return;
    this.#lastSequence = Number(stored.at(-1)?.sequenceNumber ?? this.#lastSequence);
    batch.forEach((p, i) => p.resolve(stored[i]?.sequenceNumber ?? ''));
    for (const subscription of this.#subscriptions) subscription.onCommitted(stored);
    // Under a high append rate the count bound holds to within a tenth, not a prune interval's appends.
    const { maxRecords } = this.#retention;
    this.#sincePrune += stored.length;
    if (maxRecords !== undefined && this.#sincePrune >= Math.max(100, maxRecords / 10)) {
      this.#sincePrune = Number.NEGATIVE_INFINITY;
      setImmediate(() => {
        if (!this.closed) this.#pruneSafely();
      });
    }
  }

  #hasRetention(): boolean {
    const { maxAgeMs, maxRecords, maxBytes } = this.#retention;
    return maxAgeMs !== undefined || maxRecords !== undefined || maxBytes !== undefined;
  }

  #pruneSafely(): void {
    try {
      this.prune();
    } catch (err) {
      // A full disk is logged once, by the appends.
      if (diskProblem(err) !== null && this.space.isFull) return;
      this.#logger.error({ err }, 'retention prune failed');
    }
  }
}
