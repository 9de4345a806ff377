import { parseSequence } from './Sequence.js';
import type { StoredRecord } from './StreamTypes.js';

/** Reading a DataStream, the same in every implementation: read()'s arguments, a subscription's iterator. */

/**
 * read()'s arguments, checked alike by every implementation: `after` a sequence number (else
 * CS_ERR_STREAM_BAD_SEQUENCE), `limit` a non-negative integer (else RangeError). Returns `after` parsed.
 */
export function checkRead(after: string, limit: number): number {
  const from = parseSequence(after);
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError('limit must be a non-negative integer');
  return from;
}

/** A subscription's async iterator: next() as the subscription's, and leaving the loop closes it. */
export function subscriptionIterator(subscription: {
  next(): Promise<IteratorResult<StoredRecord, undefined>>;
  close(): void;
}): AsyncIterator<StoredRecord, undefined> {
  return {
    next: () => subscription.next(),
    return: async () => {
      subscription.close();
      return { done: true, value: undefined };
    },
  };
}
