import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { summarizeCall, UtteranceAnalyzer } from '../../src/analytics/index.js';
import { fixtureCalls } from './callFixture.js';

describe('summarizeCall', () => {
  const analyzer = new UtteranceAnalyzer({ contentRedactionType: 'PII' });
  for (const call of fixtureCalls()) {
    test(`${call.id}: three to five readable sentences with the issue, the action and the outcome`, () => {
      const events = call.utterances.map((u) => analyzer.analyze(u).event);
      const s = summarizeCall(events);
      assert.ok(s.sentences.length >= 3 && s.sentences.length <= 5, s.summarization);
      const parts = s.sentences.map((x) => x.part);
      assert.ok(parts.includes('issue'), s.summarization);
      assert.ok(parts.includes('action'), s.summarization);
      assert.ok(parts.includes('outcome'), s.summarization);
      // Readable: speaker label, capital letter, full stop; in call order.
      for (const x of s.sentences) assert.match(x.text, /^[A-Z[].*[.!?]$/);
      assert.match(s.summarization, /^(Customer|Agent): /);
      const order = s.sentences.map((x) => events.findIndex((e) => e.UtteranceId === x.utteranceId));
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
      );
      assert.ok(!s.summarization.includes('four one one'), 'built from the redacted transcript');
    });
  }

  test('the billing call names the double charge and the refund', () => {
    const call = fixtureCalls().find((c) => c.id === 'billing-double-charge');
    assert.ok(call !== undefined);
    const s = summarizeCall(call.utterances.map((u) => analyzer.analyze(u).event));
    assert.match(s.summarization, /charged twice/);
    assert.match(s.summarization, /refunded the duplicate charge/);
  });

  test('an empty call has an empty summary', () => {
    assert.deepEqual(summarizeCall([]), { summarization: '', sentences: [] });
  });
});
