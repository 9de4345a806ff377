import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../../src/platform/errors.js';

test('every error code is documented in docs/errors.md', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  for (const code of Object.keys(ERROR_CODES)) assert.match(doc, new RegExp(`^## ${code}$`, 'm'), code);
});
