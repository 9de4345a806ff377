import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  TERM_LOG10_PROBABILITY,
  unigramArpa,
  vocabularyFiles,
} from '../../../src/transcribe/pocketsphinx/VocabularyModel.js';

const WORDS = [
  { token: 'nuvexa_v', phones: ['N', 'UW', 'V', 'EH', 'K', 'S', 'AH'] },
  { token: 'los_angeles_v', phones: ['L', 'AO', 'S', 'AE', 'N', 'JH', 'AH', 'L', 'AH', 'S'] },
];

describe('VocabularyModel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callsight-vocabulary-model-'));
  const baseDict = join(dir, 'base.dict');
  writeFileSync(baseDict, 'hello HH AH L OW\nworld W ER L D');
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the terms as an ARPA unigram model: the count and one line per term at the boosted probability', () => {
    const arpa = unigramArpa(WORDS);
    assert.match(arpa, /^\\data\\\nngram 1=2\n\n\\1-grams:\n/);
    assert.match(arpa, new RegExp(`^${TERM_LOG10_PROBABILITY.toFixed(4)}\\tlos_angeles_v$`, 'm'));
    assert.match(arpa, /\\end\\\n$/);
  });

  test('the dictionary is the base one with the terms after it, written once per content', () => {
    const files = vocabularyFiles(baseDict, WORDS, dir);
    assert.equal(
      readFileSync(files.dict, 'utf8'),
      'hello HH AH L OW\nworld W ER L D\nnuvexa_v N UW V EH K S AH\nlos_angeles_v L AO S AE N JH AH L AH S\n',
    );
    assert.equal(readFileSync(files.lm, 'utf8'), unigramArpa(WORDS));
    const written = statSync(files.dict).mtimeMs;
    assert.deepEqual(vocabularyFiles(baseDict, WORDS, dir), files);
    assert.equal(statSync(files.dict).mtimeMs, written);
    const other = vocabularyFiles(baseDict, WORDS.slice(0, 1), dir);
    assert.notEqual(other.dict, files.dict);
    assert.doesNotMatch(readFileSync(other.dict, 'utf8'), /los_angeles_v/);
  });
});
