import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UtteranceAnalyzer } from '../../src/analytics/index.js';
import { utteranceFromText } from './callFixture.js';

const CARD = 'four one one one one one one one one one one one one one one one';
const angry = utteranceFromText(
  'u1',
  'CUSTOMER',
  `i was charged twice on my card ${CARD} and i'm furious`,
  1000,
  300,
);

describe('UtteranceAnalyzer', () => {
  test('redaction: Transcript, Items and Entities carry [PII], timings kept, issues re-anchored', () => {
    const { event } = new UtteranceAnalyzer({ contentRedactionType: 'PII' }).analyze(angry);
    assert.equal(event.Transcript, "i was charged twice on my card [PII] and i'm furious");
    assert.equal(event.Sentiment, 'NEGATIVE');
    assert.equal(event.Items.length, angry.words.length);
    assert.equal(event.Items.filter((i) => i.Content === '[PII]').length, 16);
    assert.deepEqual(
      event.Items.map((i) => [i.BeginOffsetMillis, i.EndOffsetMillis]),
      angry.words.map((w) => [w.startMs, w.endMs]),
    );
    assert.deepEqual(event.Entities, [
      {
        Content: '[PII]',
        Confidence: 0.9021,
        Category: 'PII',
        Type: 'CREDIT_DEBIT_NUMBER',
        BeginOffset: 3100,
        EndOffset: 7840,
      },
    ]);
    const [issue] = event.IssuesDetected;
    assert.ok(issue !== undefined);
    assert.equal(
      event.Transcript.slice(issue.CharacterOffsets.Begin, issue.CharacterOffsets.End),
      'i was charged twice on my card [PII]',
    );
    // Nothing of the number is left anywhere in the record.
    assert.ok(!JSON.stringify(event).includes('four one one'));
  });

  test('identification: the transcript is unchanged and the entity has its content', () => {
    const { event } = new UtteranceAnalyzer({ contentIdentificationType: 'PII' }).analyze(angry);
    assert.ok(event.Transcript.includes(CARD));
    assert.equal(event.Entities[0]?.Content, CARD);
  });

  test('without PII settings no entity is reported, but the types found are known', () => {
    const a = new UtteranceAnalyzer().analyze(angry);
    assert.deepEqual(a.event.Entities, []);
    assert.deepEqual(a.piiTypes, ['CREDIT_DEBIT_NUMBER']);
  });

  test('PiiEntityTypes limits what is redacted', () => {
    const u = utteranceFromText('u2', 'CUSTOMER', `my name is john smith and my card is ${CARD}`, 0);
    const { event } = new UtteranceAnalyzer({ contentRedactionType: 'PII', piiEntityTypes: 'NAME' }).analyze(
      u,
    );
    assert.ok(event.Transcript.startsWith('my name is [PII] and my card is four'));
  });

  test('partials are redacted but get no sentiment or issues', () => {
    const { event, sentiment } = new UtteranceAnalyzer({ contentRedactionType: 'PII' }).analyze({
      ...angry,
      isPartial: true,
    });
    assert.equal(event.IsPartial, true);
    assert.equal(event.Sentiment, undefined);
    assert.equal(sentiment, undefined);
    assert.deepEqual(event.IssuesDetected, []);
    assert.ok(event.Transcript.includes('[PII]'));
    assert.ok(event.Items.every((i) => i.Stable === false));
  });

  test('a partial holding the first digits of a number has them masked; the final decides', () => {
    const growing = utteranceFromText('u4', 'CUSTOMER', 'my card number is four one one one one one', 0);
    const analyzer = new UtteranceAnalyzer({ contentRedactionType: 'PII' });
    const partial = analyzer.analyze({ ...growing, isPartial: true }).event;
    assert.equal(partial.Transcript, 'my card number is [PII]');
    assert.ok(!partial.Items.some((i) => i.Content === 'one'));
    const final = analyzer.analyze(utteranceFromText('u5', 'CUSTOMER', 'i have two kids', 0)).event;
    assert.equal(final.Transcript, 'i have two kids', 'finals keep numbers that are not PII');
    const unredacted = new UtteranceAnalyzer().analyze({ ...growing, isPartial: true }).event;
    assert.equal(unredacted.Transcript, 'my card number is four one one one one one');
  });

  test('the caller’s previous words (piiContext) type what this utterance holds; partials mask after a cue', () => {
    const analyzer = new UtteranceAnalyzer({ contentRedactionType: 'PII' });
    const digits = utteranceFromText('u6', 'CUSTOMER', 'four one one one one one one one', 0);
    const piiContext = ['my', 'card', 'number', 'is'];
    const final = analyzer.analyze({ ...digits, piiContext }).event;
    assert.equal(final.Transcript, '[PII]');
    assert.deepEqual(
      final.Entities.map((e) => e.Type),
      ['CREDIT_DEBIT_NUMBER'],
    );
    const partial = analyzer.analyze({
      ...utteranceFromText('u7', 'CUSTOMER', 'the routing number is so for', 0),
      isPartial: true,
    }).event;
    assert.equal(partial.Transcript, 'the routing number is [PII]');
    assert.deepEqual(partial.Entities, [], 'masks are not entities');
  });

  test('fromConfiguration reads the processor element settings', () => {
    const a = UtteranceAnalyzer.fromConfiguration({ ContentRedactionType: 'PII', PiiEntityTypes: 'ALL' });
    assert.equal(a.piiMode, 'redact');
    assert.equal(
      UtteranceAnalyzer.fromConfiguration({ ContentIdentificationType: 'PII' }).piiMode,
      'identify',
    );
    assert.equal(UtteranceAnalyzer.fromConfiguration({}).piiMode, 'off');
  });

  test('the event has the TCA UtteranceEvent fields', () => {
    const { event } = new UtteranceAnalyzer().analyze(
      utteranceFromText('u3', 'AGENT', 'thank you for calling', 500, 250),
    );
    assert.deepEqual(Object.keys(event).sort(), [
      'BeginOffsetMillis',
      'EndOffsetMillis',
      'Entities',
      'IsPartial',
      'IssuesDetected',
      'Items',
      'ParticipantRole',
      'Sentiment',
      'Transcript',
      'UtteranceId',
    ]);
    assert.deepEqual(event.Items[0], {
      Content: 'thank',
      Confidence: 0.93,
      VocabularyFilterMatch: false,
      Stable: true,
      ItemType: 'pronunciation',
      BeginOffsetMillis: 500,
      EndOffsetMillis: 700,
    });
  });
});
