import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asError, ERROR_CODES, errorMessage } from '../../src/platform/errors.js';

const CODES = new Set(Object.keys(ERROR_CODES));

/** Every TypeScript file under src/, with its text. */
function sources(dir = 'src'): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [{ file: path, text: readFileSync(path, 'utf8') }] : [];
  });
}

/**
 * The `'CS_ERR_…'` string literals of src/, by code: where codes are raised, logged or compared.
 * The registry itself (ERROR_CODES in src/platform/errors.ts) is left out; the classes below it in
 * that file (InvalidStateError, ValidationError, NotReadyError) raise codes and count.
 */
function literalsInSource(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const { file, text } of sources()) {
    let code = text;
    if (file === join('src', 'platform', 'errors.ts')) {
      const start = text.indexOf('export const ERROR_CODES = {');
      const end = text.indexOf('} as const;', start);
      assert.ok(start >= 0 && end > start, 'ERROR_CODES is found in src/platform/errors.ts');
      code = text.slice(0, start) + text.slice(end);
    }
    for (const [, name] of code.matchAll(/['"`](CS_ERR_[A-Z0-9_]*)['"`]/g))
      found.set(name!, [...(found.get(name!) ?? []), file]);
  }
  return found;
}

test('docs/errors.md has a section for every code of ERROR_CODES, and none for any other', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  for (const code of CODES) assert.match(doc, new RegExp(`^## ${code}$`, 'm'), code);
  const sections = [...doc.matchAll(/^## (CS_ERR_\S*)/gm)].map((m) => m[1]!);
  assert.deepEqual(
    sections.filter((code) => !CODES.has(code)),
    [],
    'documented codes missing from ERROR_CODES',
  );
  assert.equal(new Set(sections).size, sections.length, 'each code is documented once');
});

test('every code of ERROR_CODES is raised somewhere in src/, and src/ uses no other', () => {
  const literals = literalsInSource();
  assert.deepEqual(
    [...CODES].filter((code) => !literals.has(code)),
    [],
    'registered codes that nothing in src/ raises',
  );
  assert.deepEqual(
    [...literals]
      .filter(([code]) => !CODES.has(code))
      .map(([code, files]) => `${code} in ${files.join(', ')}`),
    [],
    'codes used in src/ but not registered',
  );
});

test('errorMessage reads an Error, a string or any other thrown value', () => {
  assert.equal(errorMessage(new RangeError('out of range')), 'out of range');
  assert.equal(errorMessage('plain text'), 'plain text');
  assert.equal(errorMessage(42), '42');
  assert.equal(errorMessage(undefined), 'undefined');
  assert.equal(errorMessage(null), 'null');
  assert.equal(errorMessage({ toString: () => 'custom' }), 'custom');
});

test('asError passes Errors through and wraps anything else with it as the cause', () => {
  const error = new TypeError('bad');
  assert.equal(asError(error), error);
  const wrapped = asError('thrown string');
  assert.ok(wrapped instanceof Error);
  assert.equal(wrapped.message, 'thrown string');
  assert.equal(wrapped.cause, 'thrown string');
});
