import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeSentiment } from '../../src/analytics/index.js';
import { evaluateSentiment, evaluateSentimentBaseline, sentimentCases } from './evaluate.js';

/** Measured by `npm run eval` (docs/analytics.md), less a small margin. */
const MIN_ACCURACY = { all: 0.95, tune: 0.97, heldout: 0.87 };

describe('analyzeSentiment on the labelled fixture', () => {
  test('the fixture has at least 200 utterances, a 25 % held-out split and every label', () => {
    const rows = sentimentCases();
    assert.ok(rows.length >= 200, `${rows.length} utterances`);
    const heldout = rows.filter((r) => r.split === 'heldout').length;
    assert.ok(heldout / rows.length >= 0.24 && heldout / rows.length <= 0.26);
    for (const label of ['POSITIVE', 'NEGATIVE', 'NEUTRAL', 'MIXED']) {
      assert.ok(rows.filter((r) => r.label === label).length >= 20, label);
    }
    assert.ok(rows.some((r) => r.role === 'AGENT') && rows.some((r) => r.role === 'CUSTOMER'));
  });

  for (const split of ['all', 'tune', 'heldout'] as const) {
    test(`accuracy on ${split} is at least ${MIN_ACCURACY[split]}`, () => {
      const s = evaluateSentiment(split);
      assert.ok(s.accuracy >= MIN_ACCURACY[split], `${s.accuracy} (errors: ${JSON.stringify(s.errors)})`);
    });
  }

  test('the spoken-language layer beats wink-nlp alone on the held-out split', () => {
    assert.ok(evaluateSentiment('heldout').accuracy > evaluateSentimentBaseline('heldout').accuracy + 0.1);
  });
});

describe('analyzeSentiment rules for ASR text', () => {
  const cases: [string, string][] = [
    ["i'm happy with the service", 'POSITIVE'],
    ["i'm not happy with the service", 'NEGATIVE'],
    ["i'm not at all satisfied", 'NEGATIVE'],
    ['never again', 'NEGATIVE'],
    ['i was charged twice', 'NEGATIVE'],
    ['this is a waste of time', 'NEGATIVE'],
    ['thank you so much', 'POSITIVE'],
    ["i can't thank you enough", 'POSITIVE'],
    ["no that's all thanks", 'POSITIVE'],
    ['can i have your account number please', 'NEUTRAL'],
    ['would you like me to schedule a technician', 'NEUTRAL'],
    ['the staff were lovely but the repair was a disaster', 'MIXED'],
    // Without punctuation, wink's negation would run to the end: "can't log in … crazy" stays negative.
    ["i can't log in and it's driving me crazy", 'NEGATIVE'],
    ['cant log in and im not happy', 'NEGATIVE'],
  ];
  for (const [text, want] of cases) {
    test(`"${text}" is ${want}`, () => assert.equal(analyzeSentiment(text).sentiment, want));
  }

  test('intensifiers strengthen: "really frustrated" scores lower than "frustrated"', () => {
    assert.ok(analyzeSentiment('i am really frustrated').score < analyzeSentiment('i am frustrated').score);
    assert.ok(analyzeSentiment('so angry').negative > analyzeSentiment('angry').negative);
  });

  test('negation reaches three words, not across "and"', () => {
    assert.equal(analyzeSentiment('not very good').sentiment, 'NEGATIVE');
    assert.equal(analyzeSentiment("it isn't cheap and the staff are great").sentiment, 'POSITIVE');
  });

  test('words may be given as a list, and empty input is NEUTRAL', () => {
    assert.equal(analyzeSentiment(['thank', 'you', 'so', 'much']).sentiment, 'POSITIVE');
    assert.deepEqual(analyzeSentiment(''), { sentiment: 'NEUTRAL', score: 0, positive: 0, negative: 0 });
  });

  test('thresholds are options', () => {
    assert.equal(analyzeSentiment('that is fine', { positiveThreshold: 5 }).sentiment, 'NEUTRAL');
  });
});
