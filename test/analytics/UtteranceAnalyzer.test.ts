import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UtteranceAnalyzer } from '../../src/analytics/index.js';
import { readableWords } from '../../src/transcribe/ReadableText.js';
import { utteranceFromText } from './callFixture.js';
import { piiAsrItems } from './evaluatePiiAsr.js';

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

  test('readable items (digits, capitals, punctuation): the models read the spoken words, the event shows the items', () => {
    const readable = { ...angry, words: readableWords(angry.words, true) };
    const redacted = new UtteranceAnalyzer({ contentRedactionType: 'PII' }).analyze(readable).event;
    assert.equal(redacted.Transcript, "I was charged twice on my card [PII] and I'm furious.");
    assert.equal(redacted.Sentiment, 'NEGATIVE');
    assert.deepEqual(redacted.Items.map((i) => [i.Content, i.ItemType]).slice(6), [
      ['card', 'pronunciation'],
      ['[PII]', 'pronunciation'],
      ['and', 'pronunciation'],
      ["I'm", 'pronunciation'],
      ['furious', 'pronunciation'],
      ['.', 'punctuation'],
    ]);
    const card = redacted.Items[7]!;
    assert.deepEqual([card.BeginOffsetMillis, card.EndOffsetMillis], [3100, 7840]);
    assert.deepEqual(
      redacted.Entities.map((e) => [e.Type, e.Content, e.BeginOffset, e.EndOffset]),
      [['CREDIT_DEBIT_NUMBER', '[PII]', 3100, 7840]],
    );
    const [issue] = redacted.IssuesDetected;
    assert.ok(issue !== undefined);
    assert.equal(
      redacted.Transcript.slice(issue.CharacterOffsets.Begin, issue.CharacterOffsets.End),
      'I was charged twice on my card [PII]',
    );

    const identified = new UtteranceAnalyzer({ contentIdentificationType: 'PII' }).analyze(readable).event;
    assert.equal(identified.Transcript, "I was charged twice on my card 4111111111111111 and I'm furious.");
    assert.equal(identified.Entities[0]?.Content, '4111111111111111');
  });

  test('over the PII evaluation set, readable items hide exactly what the spoken words hide', () => {
    const analyzer = new UtteranceAnalyzer({ contentRedactionType: 'PII' });
    let hidden = 0;
    for (const item of piiAsrItems())
      for (const f of item.finals) {
        const spoken = utteranceFromText('u', 'CUSTOMER', f.words.join(' '), f.startMs);
        const plain = analyzer.analyze(spoken).event;
        const readable = analyzer.analyze({ ...spoken, words: readableWords(spoken.words, true) }).event;
        assert.deepEqual(
          readable.Entities.map((e) => [e.Type, e.BeginOffset, e.EndOffset]),
          plain.Entities.map((e) => [e.Type, e.BeginOffset, e.EndOffset]),
        );
        // An item is hidden when any word it was written from is.
        const hiddenAt = new Set(
          plain.Items.filter((i) => i.Content === '[PII]').map((i) => i.BeginOffsetMillis),
        );
        for (const i of readable.Items) {
          if (i.ItemType === 'punctuation') continue;
          const covers = plain.Items.filter(
            (p) => p.BeginOffsetMillis >= i.BeginOffsetMillis && p.EndOffsetMillis <= i.EndOffsetMillis,
          );
          assert.equal(
            i.Content === '[PII]',
            covers.some((p) => hiddenAt.has(p.BeginOffsetMillis)),
          );
        }
        hidden += readable.Entities.length;
      }
    assert.ok(hidden > 100, `${hidden} entities`);
  });
});
