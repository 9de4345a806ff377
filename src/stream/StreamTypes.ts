/**
 * The data stream (Kinesis Data Stream counterpart): an ordered, durable, append-only log of records.
 * Sequence numbers are decimal strings of a strictly increasing integer; the first record is "1".
 * The embedded implementation is SQLite (SqliteDataStream.ts); JetStreamDataStream.ts keeps it in a NATS
 * JetStream stream for several processes and machines. test/stream/DataStreamContract.ts is the contract
 * both pass.
 */
export interface StoredRecord {
  readonly sequenceNumber: string;
  /** The record exactly as appended, serialised once as JSON. */
  readonly json: string;
  /** The record's `detail-type` (or `type` for records without one). */
  readonly type: string;
  readonly callId: string | null;
  /** Wall-clock append time, ms since the epoch. */
  readonly appendedAt: number;
}

/** How much of the stream is kept; the oldest records go first. Shared by every implementation. */
export interface StreamRetention {
  /** Delete records appended longer ago than this. Default: keep forever. */
  readonly maxAgeMs?: number;
  /** Keep at most this many records. Default: unlimited. */
  readonly maxRecords?: number;
  /**
   * Keep at most this many bytes. SQLite counts the records' JSON; JetStream its stored messages
   * (JSON plus subject and headers, about 100 bytes more each). Default: unlimited.
   */
  readonly maxBytes?: number;
}

export interface AppendKey {
  readonly type: string;
  readonly callId: string | null;
  /**
   * Makes the append idempotent where the stream can: JetStream stores a record whose id it already
   * stored within its duplicate window (two minutes) once (e.g. an event's id, when the event may be
   * handled again after a worker died). The embedded stream ignores it.
   */
  readonly msgId?: string;
}

export interface StreamSubscription extends AsyncIterable<StoredRecord> {
  /** Stop receiving; pending iteration ends. */
  close(): void;
}

export interface DataStream {
  /** Appends and resolves with the sequence number once the record is durable (survives kill -9). */
  append(record: object, key: AppendKey): Promise<string>;
  /** Records with sequence number > after (all when after is "0"), oldest first, at most limit. */
  read(after: string, limit: number): Promise<StoredRecord[]>;
  /**
   * Every record after `after`, oldest first: first the stored ones, then live ones as they are
   * appended, with no gap and no duplicate between the two.
   */
  subscribe(after: string): StreamSubscription;
  /** Sequence number of the newest record ("0" when empty). */
  lastSequence(): string;
  /**
   * Erasure (right to be forgotten): removes every record keyed with this call id, wherever it
   * stands in the stream, and resolves with how many went. Reads and replays never return them
   * again; sequence numbers are not reused (the stream has a hole where they were).
   */
  eraseCall(callId: string): Promise<number>;
  close(): Promise<void>;
}
