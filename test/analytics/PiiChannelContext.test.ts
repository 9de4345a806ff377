import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PII_CONTEXT_GAP_MS, PiiChannelContext } from '../../src/analytics/PiiChannelContext.js';

describe('PiiChannelContext', () => {
  test('a caller’s previous final is the context of what they say next, after a short pause', () => {
    const c = new PiiChannelContext();
    assert.deepEqual(c.before(0), []);
    c.addFinal(['my', 'card', 'number', 'is'], 0, 2000);
    assert.deepEqual(c.before(2600), ['my', 'card', 'number', 'is']);
    assert.deepEqual(c.before(2000 + PII_CONTEXT_GAP_MS + 1), [], 'not after a long pause');
  });

  test('finals close together add up; a long pause starts afresh; at most 24 words are kept', () => {
    const c = new PiiChannelContext();
    c.addFinal(['my', 'card', 'number', 'is'], 0, 2000);
    c.addFinal(['four', 'one', 'one', 'one'], 2500, 4000);
    assert.deepEqual(c.before(4500), ['my', 'card', 'number', 'is', 'four', 'one', 'one', 'one']);
    c.addFinal(['thanks'], 4000 + PII_CONTEXT_GAP_MS + 1, 20_000);
    assert.deepEqual(c.before(20_100), ['thanks']);
    c.addFinal(
      Array.from({ length: 30 }, (_, i) => `w${i}`),
      20_200,
      25_000,
    );
    assert.equal(c.before(25_100).length, 24);
    assert.equal(c.before(25_100)[23], 'w29');
  });
});
