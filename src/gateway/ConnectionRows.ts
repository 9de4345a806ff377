import { nullableInt, type ColumnDecoder } from '../platform/database/columns.js';
import type { ConnectionFilters, ConnectionRow } from './ConnectionRegistryTypes.js';

/** The connections table's row, as both registries (SQLite, PostgreSQL) read it. */

/** A connections row as a driver returns it (see ColumnDecoder); both registries map it with toConnectionRow. */
export interface StoredConnection<Json, Int> {
  connection_id: string;
  connected_at: Int;
  remote_address: string;
  filters: Json;
  last_sequence_sent: string | null;
  disconnected_at: Int | null;
}

export function toConnectionRow<Json, Int>(
  row: StoredConnection<Json, Int>,
  decode: ColumnDecoder<Json, Int>,
): ConnectionRow {
  return {
    connectionId: row.connection_id,
    connectedAt: decode.int(row.connected_at),
    remoteAddress: row.remote_address,
    filters: decode.json(row.filters) as ConnectionFilters,
    lastSequenceSent: row.last_sequence_sent,
    disconnectedAt: nullableInt(decode, row.disconnected_at),
  };
}
