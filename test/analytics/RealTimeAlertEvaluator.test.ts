import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RealTimeAlertEvaluator, type AlertInput, type Sentiment } from '../../src/analytics/index.js';

const START = new Date('2025-01-01T10:00:00.000Z');

function u(id: string, at: number, end: number, text: string, extra: Partial<AlertInput> = {}): AlertInput {
  return {
    UtteranceId: id,
    IsPartial: false,
    BeginOffsetMillis: at,
    EndOffsetMillis: end,
    Transcript: text,
    ...extra,
  };
}
const felt = (id: string, at: number, end: number, sentiment: Sentiment): AlertInput =>
  u(id, at, end, 'words', { Sentiment: sentiment });

describe('RealTimeAlertEvaluator', () => {
  test('KeywordMatch fires once per utterance that says any keyword, with utteranceId and beginTimestamp', () => {
    const ev = new RealTimeAlertEvaluator(
      {
        Rules: [
          {
            Type: 'KeywordMatch',
            KeywordMatchConfiguration: { RuleName: 'escalation', Keywords: ['manager', 'speak to someone'] },
          },
        ],
      },
      { callStartTime: START, sourceMetadata: { callId: 'c1' } },
    );
    assert.deepEqual(ev.add(u('a', 1000, 2000, 'I want a Manager, now. Let me speak to someone!')), [
      {
        version: '0',
        sourceMetadata: { callId: 'c1' },
        ruleName: 'escalation',
        utteranceId: 'a',
        beginTimestamp: '2025-01-01T10:00:01.000Z',
      },
    ]);
    assert.deepEqual(ev.add(u('b', 3000, 4000, 'managerial stuff')), [], 'whole words only');
    assert.deepEqual(ev.add(u('c', 5000, 6000, 'manager', { IsPartial: true })), [], 'partials never fire');
    assert.equal(ev.add(u('d', 7000, 8000, 'the manager again')).length, 1);
    assert.deepEqual(ev.end(), []);
  });

  test('resultId for the Transcribe processor', () => {
    const ev = new RealTimeAlertEvaluator(
      {
        Rules: [{ Type: 'KeywordMatch', KeywordMatchConfiguration: { RuleName: 'k', Keywords: ['cancel'] } }],
      },
      { callStartTime: START, idField: 'resultId' },
    );
    assert.equal(ev.add(u('r1', 0, 500, 'cancel'))[0]?.resultId, 'r1');
  });

  test('a Negate keyword rule fires at call end only when no keyword was spoken', () => {
    const rules = {
      Rules: [
        {
          Type: 'KeywordMatch' as const,
          KeywordMatchConfiguration: { RuleName: 'no-thanks', Keywords: ['thank you'], Negate: true },
        },
      ],
    };
    const silent = new RealTimeAlertEvaluator(rules, { callStartTime: START });
    assert.deepEqual(silent.add(u('a', 0, 1000, 'hello')), []);
    assert.deepEqual(silent.end(), [{ version: '0', sourceMetadata: {}, ruleName: 'no-thanks' }]);
    assert.deepEqual(silent.end(), []);
    const polite = new RealTimeAlertEvaluator(rules, { callStartTime: START });
    assert.deepEqual(polite.add(u('a', 0, 1000, 'thank you')), []);
    assert.deepEqual(polite.end(), []);
  });

  test('Sentiment: fires when the rolling window turns negative, with its bounds, then again only after a recovery', () => {
    const ev = new RealTimeAlertEvaluator(
      {
        Rules: [
          {
            Type: 'Sentiment',
            SentimentConfiguration: { RuleName: 'upset', SentimentType: 'NEGATIVE', TimePeriod: 60 },
          },
        ],
      },
      { callStartTime: START },
    );
    assert.deepEqual(ev.add(felt('1', 0, 4000, 'POSITIVE')), []);
    assert.deepEqual(ev.add(felt('2', 5000, 8000, 'NEGATIVE')), [], '3 s negative against 4 s positive');
    assert.deepEqual(ev.add(felt('3', 9000, 12000, 'NEGATIVE')), [
      {
        version: '0',
        sourceMetadata: {},
        ruleName: 'upset',
        beginTimestamp: '2025-01-01T10:00:00.000Z',
        endTimestamp: '2025-01-01T10:00:12.000Z',
      },
    ]);
    assert.deepEqual(ev.add(felt('4', 13000, 14000, 'NEGATIVE')), [], 'still the same negative stretch');
    // 70 s later the old utterances have left the window; positive talk recovers it, then it turns again.
    assert.deepEqual(ev.add(felt('5', 80000, 90000, 'POSITIVE')), []);
    const [again] = ev.add(felt('6', 91000, 105000, 'NEGATIVE'));
    assert.deepEqual(again, {
      version: '0',
      sourceMetadata: {},
      ruleName: 'upset',
      beginTimestamp: '2025-01-01T10:00:45.000Z',
      endTimestamp: '2025-01-01T10:01:45.000Z',
    });
  });

  test('IssueDetection fires for an utterance with an issue', () => {
    const ev = new RealTimeAlertEvaluator(
      { Rules: [{ Type: 'IssueDetection', IssueDetectionConfiguration: { RuleName: 'issue' } }] },
      { callStartTime: START },
    );
    assert.deepEqual(ev.add(u('a', 0, 1000, 'hello', { IssuesDetected: [] })), []);
    assert.deepEqual(
      ev.add(
        u('b', 2000, 3000, 'i was charged twice', {
          IssuesDetected: [{ CharacterOffsets: { Begin: 0, End: 19 } }],
        }),
      ),
      [
        {
          version: '0',
          sourceMetadata: {},
          ruleName: 'issue',
          utteranceId: 'b',
          beginTimestamp: '2025-01-01T10:00:02.000Z',
        },
      ],
    );
  });

  test('Disabled or absent configuration: nothing fires', () => {
    const rules = [
      {
        Type: 'KeywordMatch' as const,
        KeywordMatchConfiguration: { RuleName: 'k', Keywords: ['x'], Negate: true },
      },
    ];
    const off = new RealTimeAlertEvaluator({ Disabled: true, Rules: rules }, { callStartTime: START });
    assert.deepEqual(off.add(u('a', 0, 1, 'x')), []);
    assert.deepEqual(off.end(), []);
    assert.deepEqual(new RealTimeAlertEvaluator(undefined, { callStartTime: START }).end(), []);
  });
});
