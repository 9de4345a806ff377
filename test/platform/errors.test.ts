import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { asError, ERROR_CODES, errorMessage } from '../../src/platform/errors.js';

test('every error code is documented in docs/errors.md', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  for (const code of Object.keys(ERROR_CODES)) assert.match(doc, new RegExp(`^## ${code}$`, 'm'), code);
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
