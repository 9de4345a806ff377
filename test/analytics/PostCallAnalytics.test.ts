import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CategoryEvaluator,
  findInterruptions,
  loudnessScores,
  nonTalkIntervals,
  postCallAnalytics,
  UtteranceAnalyzer,
  type SpeechSegment,
  type UtteranceEvent,
} from '../../src/analytics/index.js';
import { fixtureCalls, utteranceFromText } from './callFixture.js';

function events(redact = true): UtteranceEvent[] {
  const analyzer = new UtteranceAnalyzer(redact ? { contentRedactionType: 'PII' } : {});
  const call = fixtureCalls().find((c) => c.id === 'billing-double-charge');
  assert.ok(call !== undefined);
  return call.utterances.map((u) => analyzer.analyze(u).event);
}

describe('postCallAnalytics', () => {
  test('talk time, talk speed and duration from the word timings', () => {
    const a = new UtteranceAnalyzer();
    // Agent: 10 words at 300 ms from 0 (speech 0–2940); customer: 5 words at 400 ms from 4000 (4000–5920).
    const utterances = [
      a.analyze(utteranceFromText('1', 'AGENT', 'one two three four five six seven eight nine ten', 0, 300))
        .event,
      a.analyze(utteranceFromText('2', 'CUSTOMER', 'one two three four five', 4000, 400)).event,
    ];
    const c = postCallAnalytics({ utterances, callDurationMs: 10000 }).ConversationCharacteristics;
    assert.deepEqual(c.TalkTime, {
      TotalTimeMillis: 2940 + 1920,
      DetailsByParticipant: { AGENT: { TotalTimeMillis: 2940 }, CUSTOMER: { TotalTimeMillis: 1920 } },
    });
    assert.deepEqual(c.TalkSpeed.DetailsByParticipant, {
      AGENT: { AverageWordsPerMinute: Math.round(10 / (2940 / 60000)) },
      CUSTOMER: { AverageWordsPerMinute: Math.round(5 / (1920 / 60000)) },
    });
    assert.equal(c.TotalConversationDurationMillis, 10000);
    // Silences of 3 s or more: none between 2940 and 4000; 5920–10000 at the end.
    assert.deepEqual(c.NonTalkTime, {
      TotalTimeMillis: 4080,
      Instances: [{ BeginOffsetMillis: 5920, EndOffsetMillis: 10000, DurationMillis: 4080 }],
    });
  });

  test('sentiment: +5/−5 per utterance, weighted by time, overall and per quarter', () => {
    const a = new UtteranceAnalyzer();
    const utterances = [
      a.analyze(utteranceFromText('1', 'CUSTOMER', 'this is terrible', 0, 1000)).event, // 0–2800, NEGATIVE
      a.analyze(utteranceFromText('2', 'CUSTOMER', 'thank you so much', 6000, 1000)).event, // 6000–9800, POSITIVE
    ];
    const s = postCallAnalytics({ utterances, callDurationMs: 10000 }).ConversationCharacteristics.Sentiment;
    assert.equal(s.OverallSentiment.CUSTOMER, Math.round(((3800 * 5 - 2800 * 5) / 6600) * 10) / 10);
    assert.deepEqual(
      s.SentimentByPeriod.QUARTER.CUSTOMER?.map((q) => q.Score),
      [-5, -5, 5, 5],
    );
    assert.deepEqual(s.SentimentByPeriod.QUARTER.CUSTOMER?.[3], {
      Score: 5,
      BeginOffsetMillis: 7500,
      EndOffsetMillis: 10000,
    });
  });

  test('the fixture call: redacted transcript, issues, interruptions, categories and loudness', () => {
    const utterances = events();
    const categories = new CategoryEvaluator([
      {
        CategoryName: 'double-charge',
        Rules: [{ TranscriptFilter: { TranscriptFilterType: 'EXACT', Targets: ['charged twice'] } }],
      },
    ]);
    for (const e of utterances) categories.add(e);
    categories.end();
    const loudness = new Map([[utterances[1]?.UtteranceId ?? '', [71.5, 74.2]]]);
    const doc = postCallAnalytics({
      utterances,
      categories: categories.postCallMatches(),
      loudness,
      sessionId: 's1',
    });
    assert.equal(doc.JobStatus, 'COMPLETED');
    assert.equal(doc.SessionId, 's1');
    assert.deepEqual(doc.Participants, [{ ParticipantRole: 'AGENT' }, { ParticipantRole: 'CUSTOMER' }]);
    assert.equal(doc.Transcript.length, utterances.length);
    assert.ok(!JSON.stringify(doc).includes('four one one'), 'the card number is redacted');
    assert.ok(doc.Transcript.some((t) => t.Content.includes('[PII]')));
    assert.deepEqual(doc.Transcript[1]?.LoudnessScores, [71.5, 74.2]);
    assert.equal(doc.Transcript[1]?.IssuesDetected.length, 1);
    assert.deepEqual(doc.Categories.MatchedCategories, ['double-charge']);
    assert.equal(doc.Categories.MatchedDetails['double-charge']?.PointsOfInterest.length, 1);
    const i = doc.ConversationCharacteristics.Interruptions;
    assert.equal(
      i.TotalCount,
      (i.InterruptionsByInterrupter.CUSTOMER?.length ?? 0) +
        (i.InterruptionsByInterrupter.AGENT?.length ?? 0),
    );
    assert.ok(i.TotalCount > 0);
  });

  test('partials are ignored', () => {
    const a = new UtteranceAnalyzer();
    const partial = a.analyze({ ...utteranceFromText('p', 'AGENT', 'hello', 0), isPartial: true }).event;
    assert.deepEqual(postCallAnalytics({ utterances: [partial] }).Transcript, []);
  });
});

describe('speech timeline', () => {
  const seg = (role: 'AGENT' | 'CUSTOMER', beginMs: number, endMs: number): SpeechSegment => ({
    utteranceId: `${role}${beginMs}`,
    role,
    beginMs,
    endMs,
  });
  test('an interruption is the overlap after the second speaker starts; short overlaps are turn-taking', () => {
    assert.deepEqual(findInterruptions([seg('AGENT', 0, 5000), seg('CUSTOMER', 3000, 8000)]), [
      {
        interrupter: 'CUSTOMER',
        utteranceId: 'CUSTOMER3000',
        BeginOffsetMillis: 3000,
        EndOffsetMillis: 5000,
        DurationMillis: 2000,
      },
    ]);
    assert.deepEqual(findInterruptions([seg('AGENT', 0, 5000), seg('CUSTOMER', 4900, 8000)]), []);
    // Arrival order does not matter.
    assert.equal(
      findInterruptions([seg('CUSTOMER', 3000, 8000), seg('AGENT', 0, 5000)])[0]?.interrupter,
      'CUSTOMER',
    );
  });
  test('non-talk time covers the start and the end of the call', () => {
    assert.deepEqual(
      nonTalkIntervals([seg('AGENT', 4000, 5000), seg('CUSTOMER', 4500, 6000)], 0, 12000, 3000),
      [
        { BeginOffsetMillis: 0, EndOffsetMillis: 4000 },
        { BeginOffsetMillis: 6000, EndOffsetMillis: 12000 },
      ],
    );
  });
});

describe('loudnessScores', () => {
  test('one score per second: dBFS + 100', () => {
    const rate = 8000;
    const samples = new Int16Array(rate * 2);
    for (let i = 0; i < rate; i += 1)
      samples[i] = Math.round(3277 * Math.sin((2 * Math.PI * 440 * i) / rate)); // -10 dBFS peak
    const [loud, silent] = loudnessScores(samples, rate);
    assert.ok(
      loud !== undefined && Math.abs(loud - (100 + 20 * Math.log10(3277 / Math.SQRT2 / 32768))) < 0.1,
      String(loud),
    );
    assert.equal(silent, 0);
  });
});
