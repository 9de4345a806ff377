import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectIssues } from '../../src/analytics/index.js';
import { readJsonl, type IssueCase } from './callFixture.js';
import { evaluateIssues } from './evaluate.js';

/** Measured by `npm run eval` (docs/analytics.md), less a margin. */
const MIN = { all: { precision: 0.95, recall: 0.95 }, heldout: { precision: 0.9, recall: 0.9 } };

const spans = (text: string): string[] =>
  detectIssues(text).map((i) => text.slice(i.CharacterOffsets.Begin, i.CharacterOffsets.End));

describe('detectIssues on the labelled fixture', () => {
  test('the fixture has issues, near misses and a held-out split', () => {
    const rows = readJsonl<IssueCase>('issues.jsonl');
    assert.ok(rows.filter((r) => r.issues.length > 0).length >= 80);
    assert.ok(rows.filter((r) => r.issues.length === 0).length >= 50);
    assert.ok(rows.filter((r) => r.split === 'heldout').length >= 35);
  });
  for (const split of ['all', 'heldout'] as const) {
    test(`precision and recall on ${split} reach ${MIN[split].precision} / ${MIN[split].recall}`, () => {
      const s = evaluateIssues(split);
      assert.ok(s.precision >= MIN[split].precision, `precision ${s.precision}: ${s.errors.join('; ')}`);
      assert.ok(s.recall >= MIN[split].recall, `recall ${s.recall}: ${s.errors.join('; ')}`);
      assert.ok(s.meanSpanIoU >= 0.85, `span IoU ${s.meanSpanIoU}`);
    });
  }
});

describe('detectIssues', () => {
  test('returns the character offsets of the issue clause, without the openers', () => {
    const text = "hi yeah i'm calling because my internet keeps dropping every evening";
    const [issue] = detectIssues(text);
    assert.ok(issue !== undefined);
    assert.equal(
      text.slice(issue.CharacterOffsets.Begin, issue.CharacterOffsets.End),
      'my internet keeps dropping every evening',
    );
  });
  test('finds the examples of the issue', () => {
    assert.deepEqual(spans('i was charged twice'), ['i was charged twice']);
    assert.deepEqual(spans('my internet keeps dropping'), ['my internet keeps dropping']);
    assert.deepEqual(spans("i can't log in"), ["i can't log in"]);
  });
  test('near misses are not issues', () => {
    for (const text of [
      'no problem',
      'i can log in now',
      "it's working fine now",
      'is there a problem with my account',
      'thank you so much',
    ]) {
      assert.deepEqual(detectIssues(text), [], text);
    }
  });
  test('a later "but it\'s fine" withdraws the issue', () => {
    assert.deepEqual(detectIssues("i got the wrong color but it's fine i'll keep it"), []);
  });
  test('two issues in one utterance are two spans when something else separates them', () => {
    const found = spans('my phone is cracked and thanks for asking but the charger stopped working');
    assert.deepEqual(found, ['my phone is cracked', 'the charger stopped working']);
  });
  test("only the customer's utterances unless roles say otherwise", () => {
    assert.deepEqual(detectIssues('your internet keeps dropping', 'AGENT'), []);
    assert.equal(
      detectIssues('your internet keeps dropping', 'AGENT', { roles: ['AGENT', 'CUSTOMER'] }).length,
      1,
    );
  });
});
