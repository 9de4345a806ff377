import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CategoryEvaluator,
  categoryProblems,
  parseCategories,
  UtteranceAnalyzer,
  type CallAnalyticsCategory,
  type ParticipantRole,
  type UtteranceEvent,
} from '../../src/analytics/index.js';
import { ValidationError } from '../../src/platform/errors.js';
import { utteranceFromText } from './callFixture.js';

const analyzer = new UtteranceAnalyzer();
let n = 0;
function say(role: ParticipantRole, text: string, at: number, msPerWord = 300): UtteranceEvent {
  n += 1;
  return analyzer.analyze(utteranceFromText(`u${n}`, role, text, at, msPerWord)).event;
}

const cancel: CallAnalyticsCategory = {
  CategoryName: 'cancellation',
  InputType: 'REAL_TIME',
  Rules: [
    {
      TranscriptFilter: {
        TranscriptFilterType: 'EXACT',
        Targets: ['cancel my account', 'close my account'],
        ParticipantRole: 'CUSTOMER',
      },
    },
  ],
};

describe('CategoryEvaluator: real-time categories', () => {
  test("a TranscriptFilter match emits a CategoryEvent with the words' time range, once per occurrence", () => {
    const ev = new CategoryEvaluator([cancel]);
    assert.deepEqual(ev.add(say('AGENT', 'how can i help', 0)), []);
    const [first] = ev.add(say('CUSTOMER', 'i want to cancel my account today', 2000));
    assert.deepEqual(first, {
      MatchedCategories: ['cancellation'],
      MatchedDetails: {
        cancellation: { TimestampRanges: [{ BeginOffsetMillis: 2900, EndOffsetMillis: 3740 }] },
      },
    });
    assert.deepEqual(ev.add(say('CUSTOMER', 'yes please', 6000)), []);
    const [again] = ev.add(say('CUSTOMER', 'just close my account', 9000));
    assert.deepEqual(again?.MatchedDetails['cancellation']?.TimestampRanges, [
      { BeginOffsetMillis: 9300, EndOffsetMillis: 10140 },
    ]);
    assert.deepEqual(ev.end(), []);
  });

  test('ParticipantRole, case and punctuation: the agent saying it does not count; "Cancel, my account" does', () => {
    const ev = new CategoryEvaluator([cancel]);
    assert.deepEqual(ev.add(say('AGENT', 'do you want to cancel my account', 0)), []);
    const e = new UtteranceAnalyzer().analyze(
      utteranceFromText('x', 'CUSTOMER', 'Cancel, my account', 3000),
    ).event;
    assert.equal(ev.add(e).length, 1);
  });

  test('all rules must hold: a phrase and a negative customer', () => {
    const ev = new CategoryEvaluator([
      {
        CategoryName: 'angry-cancel',
        InputType: 'REAL_TIME',
        Rules: [
          cancel.Rules[0] as CallAnalyticsCategory['Rules'][number],
          { SentimentFilter: { Sentiments: ['NEGATIVE'], ParticipantRole: 'CUSTOMER' } },
        ],
      },
    ]);
    assert.deepEqual(ev.add(say('CUSTOMER', 'i want to cancel my account', 0)), []);
    const [e] = ev.add(say('CUSTOMER', "this is ridiculous i'm furious", 3000));
    assert.deepEqual(e?.MatchedCategories, ['angry-cancel']);
    assert.equal(e?.MatchedDetails['angry-cancel']?.TimestampRanges.length, 2);
  });

  test('a negated SentimentFilter selects the other sentiments', () => {
    const ev = new CategoryEvaluator([
      {
        CategoryName: 'not-negative',
        InputType: 'REAL_TIME',
        Rules: [{ SentimentFilter: { Sentiments: ['NEGATIVE'], Negate: true } }],
      },
    ]);
    assert.deepEqual(ev.add(say('CUSTOMER', 'this is terrible', 0)), []);
    assert.equal(ev.add(say('CUSTOMER', 'thank you so much', 2000)).length, 1);
  });

  test('InterruptionFilter: the agent starting while the customer talks, up to a total threshold', () => {
    const ev = new CategoryEvaluator([
      {
        CategoryName: 'agent-interrupts',
        InputType: 'REAL_TIME',
        Rules: [{ InterruptionFilter: { ParticipantRole: 'AGENT', Threshold: 1000 } }],
      },
    ]);
    // Customer talks 0–3000 ms (10 words); the agent starts at 2400: 600 ms of overlap, under the threshold.
    assert.deepEqual(ev.add(say('CUSTOMER', 'one two three four five six seven eight nine ten', 0)), []);
    assert.deepEqual(ev.add(say('AGENT', 'sorry let me stop you there', 2400)), []);
    // A second interruption takes the total past 1000 ms.
    assert.deepEqual(ev.add(say('CUSTOMER', 'one two three four five six seven eight nine ten', 5000)), []);
    const [e] = ev.add(say('AGENT', 'okay okay i see', 7000));
    assert.deepEqual(e?.MatchedDetails['agent-interrupts']?.TimestampRanges, [
      { BeginOffsetMillis: 2400, EndOffsetMillis: 2940 },
      { BeginOffsetMillis: 7000, EndOffsetMillis: 7940 },
    ]);
  });

  test('NonTalkTimeFilter: a silence is reported once both channels have spoken past it', () => {
    const ev = new CategoryEvaluator([
      {
        CategoryName: 'dead-air',
        InputType: 'REAL_TIME',
        Rules: [{ NonTalkTimeFilter: { Threshold: 4000 } }],
      },
    ]);
    assert.deepEqual(ev.add(say('AGENT', 'let me check that for you', 0)), []);
    assert.deepEqual(ev.add(say('AGENT', 'thanks for waiting', 8000)), []); // the customer channel could still fill the gap
    const [e] = ev.add(say('CUSTOMER', 'no problem', 9500));
    assert.deepEqual(e?.MatchedDetails['dead-air']?.TimestampRanges, [
      { BeginOffsetMillis: 1740, EndOffsetMillis: 8000 },
    ]);
  });

  test('an absolute time range: only matches that begin in it', () => {
    const ev = new CategoryEvaluator([
      {
        CategoryName: 'early-cancel',
        InputType: 'REAL_TIME',
        Rules: [
          {
            TranscriptFilter: {
              TranscriptFilterType: 'EXACT',
              Targets: ['cancel'],
              AbsoluteTimeRange: { First: 10000 },
            },
          },
        ],
      },
    ]);
    assert.deepEqual(ev.add(say('CUSTOMER', 'i might cancel', 20000)), []);
    assert.equal(ev.add(say('CUSTOMER', 'i will cancel', 1000)).length, 1);
  });

  test('CallAnalyticsStreamCategories limits what is emitted, not what is matched', () => {
    const ev = new CategoryEvaluator([cancel], { streamCategories: ['something-else'] });
    assert.deepEqual(ev.add(say('CUSTOMER', 'cancel my account', 0)), []);
    ev.end();
    assert.deepEqual(Object.keys(ev.postCallMatches()), ['cancellation']);
  });
});

describe('CategoryEvaluator: decided at the end of the call', () => {
  const noGreeting: CallAnalyticsCategory = {
    CategoryName: 'no-greeting',
    InputType: 'REAL_TIME',
    Rules: [
      {
        TranscriptFilter: {
          TranscriptFilterType: 'EXACT',
          Targets: ['thank you for calling'],
          ParticipantRole: 'AGENT',
          Negate: true,
        },
      },
    ],
  };

  test('a negated TranscriptFilter matches at end when the phrase was never said, over its window', () => {
    const ev = new CategoryEvaluator([noGreeting]);
    assert.deepEqual(ev.add(say('AGENT', 'hello what do you want', 0)), []);
    assert.deepEqual(ev.end(30000), [
      {
        MatchedCategories: ['no-greeting'],
        MatchedDetails: {
          'no-greeting': { TimestampRanges: [{ BeginOffsetMillis: 0, EndOffsetMillis: 30000 }] },
        },
      },
    ]);
    assert.deepEqual(ev.end(), []);
    assert.deepEqual(ev.add(say('AGENT', 'late', 40000)), []);
  });

  test('…and does not when it was said', () => {
    const ev = new CategoryEvaluator([noGreeting]);
    ev.add(say('AGENT', 'thank you for calling acme', 0));
    assert.deepEqual(ev.end(), []);
    assert.deepEqual(ev.postCallMatches(), {});
  });

  test('a Last or relative time range waits for the call length', () => {
    const ev = new CategoryEvaluator([
      {
        CategoryName: 'happy-ending',
        InputType: 'REAL_TIME',
        Rules: [
          {
            SentimentFilter: {
              Sentiments: ['POSITIVE'],
              ParticipantRole: 'CUSTOMER',
              RelativeTimeRange: { Last: 25 },
            },
          },
        ],
      },
    ]);
    assert.deepEqual(ev.add(say('CUSTOMER', 'thank you so much', 1000)), []);
    assert.deepEqual(ev.add(say('CUSTOMER', 'great that is wonderful', 9000)), []);
    const [e] = ev.end(10000);
    assert.deepEqual(e?.MatchedDetails['happy-ending']?.TimestampRanges, [
      { BeginOffsetMillis: 9000, EndOffsetMillis: 10200 },
    ]);
  });

  test('POST_CALL categories (the default) are not streamed but appear in postCallMatches', () => {
    const ev = new CategoryEvaluator([
      { ...cancel, InputType: 'POST_CALL' },
      { CategoryName: 'default-type', Rules: cancel.Rules },
    ]);
    assert.deepEqual(ev.add(say('CUSTOMER', 'cancel my account', 0)), []);
    assert.deepEqual(ev.end(), []);
    assert.deepEqual(Object.keys(ev.postCallMatches()).sort(), ['cancellation', 'default-type']);
  });
});

describe('category validation', () => {
  test('a valid category has no problems', () => {
    assert.deepEqual(categoryProblems([cancel]), []);
    assert.deepEqual(parseCategories([cancel]), [cancel]);
  });
  test('every problem is named with its path', () => {
    const problems = categoryProblems([
      { CategoryName: 'bad name', Rules: [] },
      {
        CategoryName: 'two-filters',
        Rules: [
          { TranscriptFilter: { TranscriptFilterType: 'EXACT', Targets: ['x'] }, NonTalkTimeFilter: {} },
        ],
      },
      { CategoryName: 'sentiments', Rules: [{ SentimentFilter: { Sentiments: ['NEGATIVE', 'MIXED'] } }] },
      { CategoryName: 'range', Rules: [{ NonTalkTimeFilter: { AbsoluteTimeRange: { StartTime: 5 } } }] },
    ]);
    const paths = problems.map((p) => p.path);
    for (const want of ['[0].CategoryName', '[0].Rules', '[1].Rules[0]', '[2].Rules[0]', '[3].Rules[0]']) {
      assert.ok(
        paths.some((p) => p.startsWith(want)),
        `${want} in ${JSON.stringify(problems)}`,
      );
    }
    assert.throws(() => parseCategories([{ CategoryName: 'x' }]), ValidationError);
  });
});
