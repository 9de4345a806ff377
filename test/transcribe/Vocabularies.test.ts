import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { vocabularyPrompt, vocabularyTerms } from '../../src/transcribe/Vocabularies.js';
import {
  ipaToPhones,
  letterToSound,
  pronounce,
  pronounceAll,
} from '../../src/transcribe/pocketsphinx/Pronunciations.js';

const PEOPLE = {
  VocabularyName: 'people',
  Table: [
    { Phrase: 'Kowalczyk', SoundsLike: 'ko-val-chik' },
    { Phrase: 'Los-Angeles', IPA: 'l ɔ s æ n dʒ ə l ə s', DisplayAs: 'L.A.' },
  ],
};

describe('custom vocabulary terms', () => {
  test('phrases and table rows: their words, how they are written, each term once', () => {
    const terms = vocabularyTerms([
      { VocabularyName: 'products', Phrases: ['Zentrix', 'Acme Cloud', 'zentrix'] },
      PEOPLE,
    ]);
    assert.deepEqual(terms, [
      { words: ['zentrix'], display: 'zentrix' },
      { words: ['acme', 'cloud'], display: 'Acme Cloud' },
      { words: ['kowalczyk'], display: 'Kowalczyk', soundsLike: 'ko-val-chik' },
      { words: ['los', 'angeles'], display: 'L.A.', ipa: 'l ɔ s æ n dʒ ə l ə s' },
    ]);
    assert.equal(vocabularyPrompt([PEOPLE]), 'Kowalczyk, L.A.');
    assert.equal(vocabularyPrompt([]), undefined);
  });

  test("pronunciations in the model's phones: IPA mapped, else flite's letter-to-sound", () => {
    assert.deepEqual(ipaToPhones('l ɔ s æ n dʒ ə l ə s'), [
      'L',
      'AO',
      'S',
      'AE',
      'N',
      'JH',
      'AH',
      'L',
      'AH',
      'S',
    ]);
    assert.equal(ipaToPhones('l ɔ ʁ'), undefined, 'a symbol outside the table');
    // t2p: "pau n uw1 v ey1 k s ax pau" — stress dropped, schwa as AH, pauses left out.
    assert.deepEqual(letterToSound('nuvexa'), ['N', 'UW', 'V', 'EY', 'K', 'S', 'AH']);
    const [kowalczyk, la] = vocabularyTerms([PEOPLE]);
    assert.deepEqual(pronounce(kowalczyk!), ['K', 'OW', 'V', 'AE', 'L', 'CH', 'IH', 'K']);
    assert.deepEqual(pronounce(la!), ipaToPhones('l ɔ s æ n dʒ ə l ə s'));
  });

  test('several terms in one letter-to-sound run, as each on its own', () => {
    const terms = vocabularyTerms([
      { VocabularyName: 'products', Phrases: ['Zentrix', 'Acme Cloud', 'Nuvexa', 'AWS'] },
      PEOPLE,
    ]);
    assert.deepEqual(
      pronounceAll(terms),
      terms.map((t) => pronounce(t)),
    );
    assert.deepEqual(pronounceAll([]), []);
  });
});
