/**
 * The connection table (DynamoDB counterpart): one row per WebSocket connection the gateway accepted.
 * The embedded implementation is SQLite; methods are async so a PostgreSQL one can replace it.
 */
export interface ConnectionFilters {
  /** Sequence number the client resumed after, or null for live-only. */
  readonly from: string | null;
  /** Lower-cased detail-types the client asked for, or null for all. */
  readonly types: readonly string[] | null;
  readonly callId: string | null;
}

export interface NewConnection {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly remoteAddress: string;
  readonly filters: ConnectionFilters;
}

export interface ConnectionRow extends NewConnection {
  readonly lastSequenceSent: string | null;
  readonly disconnectedAt: number | null;
}

export interface ConnectionRegistry {
  add(connection: NewConnection): Promise<void>;
  /** Cheap enough to call per frame: implementations batch writes (latest value per connection wins). */
  updateLastSequence(connectionId: string, sequence: string): void;
  /** Also writes the connection's pending last sequence. */
  markDisconnected(connectionId: string, at?: number): Promise<void>;
  list(which: 'active' | 'all'): Promise<ConnectionRow[]>;
  close(): Promise<void>;
}
