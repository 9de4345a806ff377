import type { CallInfo } from '../../connector/CallTypes.js';
import { ValidationError } from '../../errors.js';
import type { CallInfoJson } from './CallDirectoryTypes.js';

/** What both call directories do the same way. */

export function callInfoJson(info: CallInfo): CallInfoJson {
  return { ...info, startedAt: info.startedAt.toISOString() };
}

/** A list limit: 1..1000, default 100. */
export function checkLimit(limit: number | undefined, what: string): number {
  const value = limit ?? 100;
  if (!Number.isInteger(value) || value < 1 || value > 1000)
    throw new ValidationError(what, [{ path: 'limit', message: 'Must be an integer from 1 to 1000' }]);
  return value;
}
