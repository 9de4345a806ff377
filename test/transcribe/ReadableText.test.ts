import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  isQuestion,
  joinItems,
  readableResult,
  readableWords,
  spokenWords,
} from '../../src/transcribe/ReadableText.js';
import type { RecognizedWord } from '../../src/transcribe/SpeechEngineTypes.js';
import { piiAsrItems } from '../analytics/evaluatePiiAsr.js';

/** Words 300 ms apart, as a recogniser times them. */
function timed(text: string, startMs = 1000): RecognizedWord[] {
  return text.split(' ').map((word, i) => ({
    word,
    startMs: startMs + i * 300,
    endMs: startMs + i * 300 + 250,
    confidence: 0.5 + (i % 5) / 10,
  }));
}

const read = (text: string): string => joinItems(readableWords(timed(text), true));

describe('readable transcripts (Amazon Transcribe style)', () => {
  // Finals pocketsphinx wrote for the PII evaluation calls (test/fixtures/analytics/pii-asr.jsonl)
  // and for the demo calls, as they came out of the recogniser.
  test('recognised text: capitals, "I", digits, end punctuation', () => {
    assert.equal(read('hello i am calling about my phone bill'), 'Hello I am calling about my phone bill.');
    assert.equal(read('can you help me fix this today'), 'Can you help me fix this today?');
    assert.equal(read('is there anything else i can do for you'), 'Is there anything else I can do for you?');
    assert.equal(read('so how are you doing'), 'So how are you doing?');
    assert.equal(read("i don't have the receipt would be"), "I don't have the receipt would be.");
    assert.equal(read('we open up to forty five'), 'We open up to 45.');
    assert.equal(
      read('send a card to sixty seven plane rolled richmond virginia'),
      'Send a card to 67 plane rolled richmond virginia.',
    );
    assert.equal(
      read("the event i'd want to use as eight six five six three five seven five nine"),
      "The event I'd want to use as 865635759.",
    );
    assert.equal(read('the one eight six two double one six nine'), 'The 18621169.');
    assert.equal(
      read('my appointment is on the twenty first of july'),
      'My appointment is on the 20 first of july.',
    );
  });

  test('numbers as Transcribe writes them; a lone digit word stays a word', () => {
    assert.equal(read('one moment please'), 'One moment please.');
    assert.equal(read('my pin is for for two'), 'My pin is for for two.');
    assert.equal(read('it was twenty twenty six'), 'It was 2026.');
    assert.equal(read('born nineteen eighty five'), 'Born 1985.');
    assert.equal(read('two thousand twenty six'), '2026.');
    assert.equal(read('i paid two hundred and fifty dollars'), 'I paid $250.');
    assert.equal(read('call one eight hundred five five five one two three four'), 'Call 18005551234.');
    assert.equal(read('the rate is five percent or six'), 'The rate is 5% or six.');
    assert.equal(read('oh no'), 'Oh no.');
    assert.equal(read('room two oh one'), 'Room 201.');
    assert.equal(read('five oh'), 'Five oh.');
  });

  test('questions: a question word, or an auxiliary before its subject, after leading fillers', () => {
    assert.ok(isQuestion('um okay what is my balance'.split(' ')));
    assert.ok(isQuestion('have you received it'.split(' ')));
    assert.ok(!isQuestion('have a nice day'.split(' ')));
    assert.ok(!isQuestion('will do'.split(' ')));
    assert.ok(!isQuestion('i can do that'.split(' ')));
  });

  test('items keep their own times; a number spans its words; the spoken words come back', () => {
    const words = timed('my card is four one one one thank you');
    const items = readableWords(words, true);
    assert.deepEqual(
      items.map((i) => [i.word, i.startMs, i.endMs, i.type ?? 'pronunciation']),
      [
        ['My', 1000, 1250, 'pronunciation'],
        ['card', 1300, 1550, 'pronunciation'],
        ['is', 1600, 1850, 'pronunciation'],
        ['4111', 1900, 3050, 'pronunciation'],
        ['thank', 3100, 3350, 'pronunciation'],
        ['you', 3400, 3650, 'pronunciation'],
        ['.', 3650, 3650, 'punctuation'],
      ],
    );
    assert.deepEqual(spokenWords(items), words);
    assert.equal(items[1], words[1], 'an unchanged word is the recogniser’s own item');
  });

  test('every final of the PII evaluation set: spoken words survive, items stay inside the utterance', () => {
    let changed = 0;
    for (const item of piiAsrItems())
      for (const f of item.finals) {
        const words = timed(f.words.join(' '), f.startMs);
        const result = readableResult({
          resultId: 'r',
          channel: 0,
          isPartial: false,
          startMs: f.startMs,
          endMs: words.at(-1)!.endMs,
          transcript: f.words.join(' '),
          words,
        });
        assert.deepEqual(spokenWords(result.words), words);
        assert.equal(result.spokenTranscript, f.words.join(' '));
        assert.match(result.transcript, /^[A-Z0-9$].*[.?]$/);
        for (const w of result.words) assert.ok(w.startMs >= result.startMs && w.endMs <= result.endMs);
        if (result.words.some((w) => /\d/.test(w.word))) changed += 1;
      }
    assert.ok(changed > 50, `numbers written as digits in ${changed} finals`);
  });

  test('a partial without word times: its transcript alone, no end punctuation', () => {
    const partial = readableResult({
      resultId: 'r',
      channel: 0,
      isPartial: true,
      startMs: 0,
      endMs: 900,
      transcript: 'i was charged twenty',
      words: [],
    });
    assert.equal(partial.transcript, 'I was charged 20');
    assert.deepEqual(partial.words, []);
    assert.equal(partial.spokenTranscript, 'i was charged twenty');
  });
});
