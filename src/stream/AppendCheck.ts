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
