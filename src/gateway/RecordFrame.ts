import type { StoredRecord } from '../stream/StreamTypes.js';

/**
 * The WebSocket frame (and REST item) for a stored record: the stored JSON text unchanged, with the
 * stream position spliced in as a leading `"sequenceNumber"` string. Splicing keeps the bytes the
 * pipeline wrote (key order, number formatting) and costs no parse.
 */
export function recordFrame(record: StoredRecord): string {
  const head = `{"sequenceNumber":"${record.sequenceNumber}"`;
  // The stream stores only JSON objects, so json starts with "{"; "{}" has no member to put a comma before.
  return record.json === '{}' ? `${head}}` : `${head},${record.json.slice(1)}`;
}
