import { eventCounter, record } from '../platform/metrics.js';
import type { AppendKey } from './StreamTypes.js';

/**
 * Serialises a record for the stream and checks its key, the same way for every implementation: a
 * record is a JSON object (frames splice the sequence number in after the opening brace), its key a
 * non-empty type and a string or null call id. Throws TypeError (or JSON.stringify's error).
 */
export function serializeRecord(record: object, key: AppendKey): string {
  const json = JSON.stringify(record) as string | undefined;
  if (typeof json !== 'string' || !json.startsWith('{')) {
    throw new TypeError('a stream record must be a JSON object');
  }
  if (
    typeof key.type !== 'string' ||
    key.type === '' ||
    (key.callId !== null && typeof key.callId !== 'string')
  ) {
    throw new TypeError('append key needs a non-empty type and a string or null callId');
  }
  return json;
}

/** Records stored by the data stream, by `detail-type`. */
export const RECORDS_APPENDED = eventCounter(
  'callsight_stream_records_appended_total',
  'Records this process appended to the data stream, by detail-type.',
  ['type'],
);

/** Counts a record the stream has stored. */
export function countAppended(key: AppendKey): void {
  record(RECORDS_APPENDED, { type: key.type });
}
