import { parseSequence } from '../stream/Sequence.js';
import type { StoredRecord } from '../stream/StreamTypes.js';
import type { ConnectionFilters } from './ConnectionRegistryTypes.js';

/**
 * What a WebSocket client asked for in its query string: `from=<sequenceNumber>` (replay after it),
 * `types=Transcribe,Recording` (detail-types, case-insensitive) and `callId=...`. Node's header size
 * limit already bounds the query string, so names and ids need no cap of their own.
 */
export class ClientFilter implements ConnectionFilters {
  private constructor(
    readonly from: string | null,
    readonly types: readonly string[] | null,
    readonly callId: string | null,
  ) {}

  /** Throws CallsightError('CS_ERR_STREAM_BAD_SEQUENCE') for a bad `from`. */
  static parse(query: URLSearchParams): ClientFilter {
    const fromText = query.get('from');
    const from = fromText === null ? null : String(parseSequence(fromText));
    const typesText = query.get('types');
    let types: string[] | null = null;
    if (typesText !== null) {
      types = typesText
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .filter((t) => t !== '');
      if (types.length === 0) types = null;
    }
    const callId = query.get('callId');
    return new ClientFilter(from, types, callId === '' ? null : callId);
  }

  matches(record: StoredRecord): boolean {
    if (this.callId !== null && record.callId !== this.callId) return false;
    return this.types === null || this.types.includes(record.type.toLowerCase());
  }

  toJSON(): ConnectionFilters {
    return { from: this.from, types: this.types, callId: this.callId };
  }
}
