import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PII_TYPES } from '../../src/analytics/index.js';
import { evaluatePiiAsr, piiAsrItems } from './evaluatePiiAsr.js';

/**
 * PII detection on recogniser output (test/fixtures/analytics/pii-asr.jsonl): floors a little under
 * what docs/analytics.md reports, so that a change that loses ground fails. They are not the
 * issue's targets (95 % recall for numbers, 85 % for names and addresses, 90 % precision), which
 * this recogniser's output does not reach; see the docs for the figures and why.
 */
describe('PII on recogniser output', () => {
  const items = piiAsrItems();

  test('the set: 300 utterances with PII and 300 without, every type, both splits', () => {
    assert.ok(items.filter((i) => i.entities.length > 0).length >= 300);
    assert.ok(items.filter((i) => i.entities.length === 0).length >= 300);
    for (const type of PII_TYPES) {
      for (const split of ['tune', 'heldout'])
        assert.ok(
          items.some((i) => i.split === split && i.entities.some((e) => e.type === type && e.recognised)),
          `${type} in ${split}`,
        );
    }
  });

  test('tuning split: precision at least 0.94, recall 0.74, labelled words redacted 0.75', () => {
    const s = evaluatePiiAsr('tune', items);
    assert.ok(s.overall.precision >= 0.94 && s.overall.recall >= 0.74, JSON.stringify(s.overall));
    assert.ok(s.coverage >= 0.75, String(s.coverage));
  });

  test('held-out split: precision at least 0.74, recall 0.45, labelled words redacted 0.54', () => {
    const s = evaluatePiiAsr('heldout', items);
    assert.ok(s.overall.precision >= 0.74 && s.overall.recall >= 0.45, JSON.stringify(s.overall));
    assert.ok(s.coverage >= 0.54, String(s.coverage));
  });

  test('utterances without PII keep 98.5 % of their words; partials rarely show what their final redacts', () => {
    for (const [split, leaking] of [
      ['tune', 0.003],
      ['heldout', 0.013],
    ] as const) {
      const s = evaluatePiiAsr(split, items);
      assert.ok(s.overRedaction <= 0.015, `${split}: ${s.overRedaction}`);
      assert.ok(s.partials.leaking / s.partials.count <= leaking, `${split}: ${JSON.stringify(s.partials)}`);
    }
  });
});
