import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DetailType } from '../../src/events/DetailTypes.js';

const registered = Object.values(DetailType);

describe('the detail-type registry', () => {
  test('the client package (and through it the web app) keeps the same file, byte for byte', () => {
    assert.equal(
      readFileSync('client/src/DetailTypes.ts', 'utf8'),
      readFileSync('src/events/DetailTypes.ts', 'utf8'),
      'src/events/DetailTypes.ts and client/src/DetailTypes.ts differ: change both',
    );
  });

  test('no detail-type is registered twice', () => {
    assert.equal(new Set(registered).size, registered.length);
  });

  test("docs/messages.md's Detail-types table lists exactly the registered ones", () => {
    const doc = readFileSync('docs/messages.md', 'utf8');
    const section = doc.slice(doc.indexOf('## Detail-types'), doc.indexOf('## Fields common'));
    const listed = [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual([...listed].sort(), [...registered].sort());
  });
});
