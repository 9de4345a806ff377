import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectPii, redactTranscript } from '../../src/analytics/index.js';
import { parseTranscript } from '../../src/analytics/TranscriptText.js';

describe('redactTranscript', () => {
  const text = 'my name is john smith and my pin is four three two one thanks';
  const t = parseTranscript(text);
  const entities = detectPii(t.words);

  test('one [PII] per entity in the transcript, one per word in the items', () => {
    const r = redactTranscript(t, entities);
    assert.equal(r.text, 'my name is [PII] and my pin is [PII] thanks');
    assert.deepEqual(r.words, [
      'my',
      'name',
      'is',
      '[PII]',
      '[PII]',
      'and',
      'my',
      'pin',
      'is',
      '[PII]',
      '[PII]',
      '[PII]',
      '[PII]',
      'thanks',
    ]);
    assert.deepEqual(
      r.entities.map((e) => [
        e.Type,
        e.Content,
        r.text.slice(e.CharacterOffsets.Begin, e.CharacterOffsets.End),
      ]),
      [
        ['NAME', '[PII]', '[PII]'],
        ['PIN', '[PII]', '[PII]'],
      ],
    );
  });

  test('the type name as the tag', () => {
    assert.equal(redactTranscript(t, entities, 'TYPE').text, 'my name is [NAME] and my pin is [PIN] thanks');
  });

  test('offsets of the input map onto the redacted text', () => {
    const r = redactTranscript(t, entities);
    const thanks = text.indexOf('thanks');
    assert.deepEqual(r.mapOffsets({ Begin: thanks, End: thanks + 6 }), {
      Begin: r.text.indexOf('thanks'),
      End: r.text.length,
    });
    // A range that starts inside an entity starts at its tag.
    assert.deepEqual(r.mapOffsets({ Begin: text.indexOf('smith'), End: text.indexOf(' and') }), {
      Begin: 11,
      End: 16,
    });
  });

  test('masks: redacted as [PII] where no entity is, merged where they touch, never entities', () => {
    const r = redactTranscript(t, entities, 'TYPE', [
      { first: 4, last: 5 },
      { first: 12, last: 12 },
      { first: 13, last: 13 },
    ]);
    assert.equal(r.text, 'my name is [NAME] [PII] my pin is [PIN] [PII]');
    assert.deepEqual(
      r.entities.map((e) => e.Type),
      ['NAME', 'PIN'],
    );
    assert.equal(
      r.text.slice(r.entities[1]!.CharacterOffsets.Begin, r.entities[1]!.CharacterOffsets.End),
      '[PIN]',
    );
  });

  test('no entity: the text is unchanged', () => {
    const plain = parseTranscript('hello there');
    assert.equal(redactTranscript(plain, []).text, 'hello there');
  });
});
