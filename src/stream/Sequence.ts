import { CallsightError } from '../platform/errors.js';

const DIGITS = /^\d{1,16}$/;

/**
 * Parses a stream sequence number (a decimal string of a non-negative integer). Sequence numbers are
 * SQLite rowids, so anything beyond 2^53 cannot name a stored record and is refused rather than rounded.
 */
export function parseSequence(text: unknown): number {
  if (typeof text === 'string' && DIGITS.test(text)) {
    const value = Number(text);
    if (Number.isSafeInteger(value)) return value;
  }
  throw new CallsightError(
    'CS_ERR_STREAM_BAD_SEQUENCE',
    `sequence number must be a non-negative integer string, got ${JSON.stringify(String(text)).slice(0, 40)}`,
  );
}
