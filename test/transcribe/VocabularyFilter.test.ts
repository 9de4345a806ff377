import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { transcribeRecord, type TranscribeItem } from '../../src/pipeline/records/TranscribeRecord.js';
import { readableResult, spokenWords } from '../../src/transcribe/ReadableText.js';
import type { RecognitionResult, RecognitionSettings } from '../../src/transcribe/SpeechEngineTypes.js';
import { VocabularyFilter } from '../../src/transcribe/VocabularyFilter.js';

/** A pocketsphinx final as the engine boundary makes it readable: bare words, 300 ms apart. */
function final(text: string): RecognitionResult {
  return readableResult({
    resultId: 'r-1',
    channel: 0,
    isPartial: false,
    startMs: 1000,
    endMs: 1000 + text.split(' ').length * 300,
    transcript: text,
    words: text.split(' ').map((word, i) => ({
      word,
      startMs: 1000 + i * 300,
      endMs: 1000 + i * 300 + 250,
      confidence: 0.9,
    })),
  });
}

const settings = (
  method: RecognitionSettings['vocabularyFilterMethod'],
  words: string[],
): RecognitionSettings => ({
  languageCode: 'en-US',
  vocabularyFilterNames: 'secret',
  vocabularyFilters: [{ VocabularyFilterName: 'secret', LanguageCode: 'en-US', Words: words }],
  ...(method ? { vocabularyFilterMethod: method } : {}),
});

/** The Transcribe record of a result filtered with `method`. */
function recordOf(
  result: RecognitionResult,
  method: RecognitionSettings['vocabularyFilterMethod'],
  words: string[],
) {
  const filter = VocabularyFilter.of(settings(method, words));
  assert.ok(filter);
  const record = transcribeRecord(filter.result(result), 'pipeline-1', {}, new Date());
  const [alternative] = record.TranscriptEvent.Alternatives;
  return { transcript: alternative.Transcript, items: alternative.Items, filtered: filter.result(result) };
}

const contents = (items: readonly TranscribeItem[]) => items.map((i) => i.Content);
const matched = (items: readonly TranscribeItem[]) =>
  items.filter((i) => i.VocabularyFilterMatch).map((i) => i.Content);

describe('vocabulary filters on Transcribe records', () => {
  test('mask: the word becomes *** in the items and the transcript, and only its items match', () => {
    const { transcript, items, filtered } = recordOf(final('hello my nuvexa account was charged'), 'mask', [
      'Nuvexa',
    ]);
    assert.equal(transcript, 'Hello my *** account was charged.');
    assert.deepEqual(contents(items), ['Hello', 'my', '***', 'account', 'was', 'charged', '.']);
    assert.deepEqual(matched(items), ['***']);
    assert.equal(items.filter((i) => i.VocabularyFilterMatch === false).length, 6, 'every other item false');
    // The recogniser's own words, which the analytics read, are masked too.
    assert.equal(filtered.spokenTranscript, 'hello my *** account was charged');
    assert.ok(!spokenWords(filtered.words).some((w) => /nuvexa/i.test(w.word)));
  });

  test('a named filter without a method masks', () => {
    assert.equal(recordOf(final('the nuvexa launch'), undefined, ['nuvexa']).transcript, 'The *** launch.');
  });

  test('remove: the word leaves the items and the transcript; nothing is left marked', () => {
    const { transcript, items } = recordOf(final('darn my nuvexa account'), 'remove', ['darn', 'NUVEXA']);
    // Nothing in their place, as Transcribe: the words after keep their case.
    assert.equal(transcript, 'my account.');
    assert.deepEqual(contents(items), ['my', 'account', '.']);
    assert.deepEqual(matched(items), []);
  });

  test('tag: the words stay, their items marked VocabularyFilterMatch', () => {
    const { transcript, items } = recordOf(final('darn it my account darn'), 'tag', ['darn']);
    assert.equal(transcript, 'Darn it my account darn.');
    assert.deepEqual(matched(items), ['Darn', 'darn']);
    assert.equal(items[1]!.VocabularyFilterMatch, false);
  });

  test('whole words only, any case; punctuation around a word does not stop it', () => {
    const filter = VocabularyFilter.fromLists([{ VocabularyFilterName: 'f', Words: ['darn'] }], 'mask')!;
    assert.equal(filter.text('Darn, darned DARN darn-it adarn darn.'), '***, darned *** darn-it adarn ***.');
    assert.ok(filter.matches('"Darn,"'));
    assert.ok(!filter.matches('darned'));
  });

  test('partials without word times (pocketsphinx) have their transcript filtered', () => {
    const partial = readableResult({
      resultId: 'r-2',
      channel: 0,
      isPartial: true,
      startMs: 0,
      endMs: 900,
      transcript: 'my nuvexa',
      words: [],
    });
    const { transcript, items } = recordOf(partial, 'mask', ['nuvexa']);
    assert.equal(transcript, 'My ***');
    assert.deepEqual(items, []);
    assert.equal(recordOf(partial, 'remove', ['nuvexa']).transcript, 'My');
  });

  test('marks: which words of already filtered text are filtered ones (for items made from it)', () => {
    const lists = [{ VocabularyFilterName: 'f', Words: ['darn'] }];
    const mask = VocabularyFilter.fromLists(lists, 'mask')!;
    const tag = VocabularyFilter.fromLists(lists, 'tag')!;
    const remove = VocabularyFilter.fromLists(lists, 'remove')!;
    assert.deepEqual(
      ['***', 'darn', 'my'].map((w) => mask.marks(w)),
      [true, false, false],
    );
    assert.deepEqual(
      ['***', 'Darn', 'my'].map((w) => tag.marks(w)),
      [false, true, false],
    );
    assert.deepEqual(
      ['***', 'darn'].map((w) => remove.marks(w)),
      [false, false],
    );
  });

  test('only filters of the language apply; none at all leaves results alone', () => {
    const british = {
      ...settings('mask', ['nuvexa']),
      vocabularyFilters: [{ VocabularyFilterName: 'gb', LanguageCode: 'en-GB', Words: ['nuvexa'] }],
    };
    assert.equal(VocabularyFilter.of(british), null);
    assert.ok(VocabularyFilter.of(british, 'en-GB'));
    assert.equal(VocabularyFilter.of({ languageCode: 'en-US' }), null);
  });
});
