import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ELEMENT_TYPES } from '../../src/configurations/ConfigurationTypes.js';
import { ELEMENT_SUPPORT } from '../../src/configurations/SupportTable.js';

describe('ELEMENT_SUPPORT', () => {
  test('describes every Chime element type', () => {
    assert.deepEqual(Object.keys(ELEMENT_SUPPORT).sort(), [...ELEMENT_TYPES].sort());
  });

  test('docs/configuration-analytics.md gives every element the same support level', () => {
    const doc = readFileSync('docs/configuration-analytics.md', 'utf8');
    for (const [type, info] of Object.entries(ELEMENT_SUPPORT))
      assert.match(doc, new RegExp(`^\\| \`${type}\` \\| ${info.support} \\|`, 'm'), type);
  });
});
