/**
 * What Transcribe's named word lists (custom vocabularies, vocabulary filters) share at the API
 * edge: their names, language codes, errors, and checking a request with every problem named by
 * its path.
 */
import { z } from 'zod';
import { CallsightError, formatPath, ValidationError, type ErrorCode } from '../platform/errors.js';

/** Transcribe's names: letters, digits, ".", "_" and "-", at most 200. */
const LIST_NAME = /^[0-9a-zA-Z._-]{1,200}$/;

export const listName = z.string().regex(LIST_NAME, 'Letters, digits, ".", "_" and "-", at most 200');
export const languageCode = z.string().regex(/^[a-z]{2,3}-[A-Z]{2}$/, 'A language code such as en-US');

/** The request checked, or a ValidationError listing every problem with its path. */
export function parseListRequest<S extends z.ZodType>(
  schema: S,
  body: unknown,
  operation: string,
): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw new ValidationError(
    operation,
    result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
  );
}

/** A name from a path, refused (400) when it could not be one. */
export function assertListName(field: string, name: string): void {
  if (!LIST_NAME.test(name)) throw new ValidationError(field, [{ path: field, message: `Not a ${field}` }]);
}

/** No list of that name (Transcribe's NotFoundException). */
export class NamedListNotFoundError extends CallsightError {
  override name = 'NamedListNotFoundError';
  readonly exception = 'NotFoundException';

  constructor(noun: string, name: string) {
    super('CS_ERR_NOT_FOUND', `no ${noun} ${JSON.stringify(name)}`);
  }
}

/** A list of that name exists already (Transcribe's ConflictException), with the kind's own code. */
export class NamedListConflictError extends CallsightError {
  override name = 'NamedListConflictError';
  readonly exception = 'ConflictException';

  constructor(code: ErrorCode, noun: string, name: string) {
    super(code, `a ${noun} named ${JSON.stringify(name)} already exists`);
  }
}
