import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normaliseWords, wordErrorRate } from '../../src/transcribe/wer.js';

describe('wordErrorRate', () => {
  const cases: [string, string, string, { s: number; d: number; i: number; ref: number }][] = [
    ['identical', 'go forward ten meters', 'go forward ten meters', { s: 0, d: 0, i: 0, ref: 4 }],
    ['one substitution', 'go forward ten meters', 'go forward two meters', { s: 1, d: 0, i: 0, ref: 4 }],
    ['one deletion', 'go forward ten meters', 'go ten meters', { s: 0, d: 1, i: 0, ref: 4 }],
    ['one insertion', 'go forward ten meters', 'go go forward ten meters', { s: 0, d: 0, i: 1, ref: 4 }],
    ['empty hypothesis', 'five five', '', { s: 0, d: 2, i: 0, ref: 2 }],
    ['case and punctuation ignored', "Hello, I'm here.", "hello i'm HERE", { s: 0, d: 0, i: 0, ref: 3 }],
    ['shifted by one word', 'a b c d', 'x a b c', { s: 0, d: 1, i: 1, ref: 4 }],
  ];
  for (const [name, ref, hyp, want] of cases) {
    test(name, () => {
      const r = wordErrorRate(ref, hyp);
      assert.deepEqual({ s: r.substitutions, d: r.deletions, i: r.insertions, ref: r.refWords }, want);
      assert.equal(r.wer, (want.s + want.d + want.i) / want.ref);
    });
  }

  test('an empty reference scores 0 against nothing and 1 against any words', () => {
    assert.equal(wordErrorRate('', '').wer, 0);
    assert.equal(wordErrorRate('', 'noise').wer, 1);
  });

  test('normaliseWords lowercases and drops punctuation but keeps apostrophes', () => {
    assert.deepEqual(normaliseWords("  It's  TWO-times, ok? "), ["it's", 'two', 'times', 'ok']);
  });
});
