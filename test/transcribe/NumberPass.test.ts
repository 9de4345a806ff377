import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DIGITS_GRAMMAR,
  looksLikeNumber,
  NUMBER_SCAN_GRAMMAR,
  numberStretches,
  spliceNumber,
} from '../../src/transcribe/NumberPass.js';
import type { DecodedSegment } from '../../src/transcribe/UtteranceDecoder.js';

/** Segments of `words`, each `frames` long, one after the other from frame `from`. */
function segments(words: string, from = 0, frames = 20): DecodedSegment[] {
  return words.split(' ').map((word, i) => ({
    word,
    startFrame: from + i * frames,
    endFrame: from + (i + 1) * frames - 1,
    confidence: 0.5,
  }));
}

describe('NumberPass', () => {
  test('a first decode with three number-like words, one of them a digit, or a cue may hold a number', () => {
    assert.ok(looksLikeNumber('like that and five nine three nine or take'.split(' ')));
    assert.ok(looksLikeNumber('it is two for to'.split(' ')));
    // Homophones alone are ordinary speech.
    assert.ok(!looksLikeNumber('i need to talk to someone for my bill'.split(' ')));
    assert.ok(!looksLikeNumber('i have two questions'.split(' ')));
    // A cue: the digits after it may be what the first decode misheard as other words.
    assert.ok(looksLikeNumber('the three digit code on the back is notable for'.split(' ')));
    assert.ok(looksLikeNumber('the routing number in'.split(' ')));
  });

  test('each run of three number words is a stretch, with a margin; carrier words between runs stay out', () => {
    const scan = segments('my card number is seven five uh five three card expires oh four twenty six');
    // "seven" is word 4 (frames 80–99), "three" word 8 (160–179); "oh" word 11 (220–239), "six" word 14 (280–299).
    assert.deepEqual(numberStretches(scan), [
      { start: 75, end: 189 },
      { start: 215, end: 309 },
    ]);
    // Two number words and no more are not a number to decode again.
    assert.deepEqual(numberStretches(segments('it is one two and that is all')), []);
    // Fillers inside a run do not break it; a carrier word does.
    assert.deepEqual(numberStretches(segments('one uh two um three')), [{ start: 0, end: 109 }]);
    assert.deepEqual(numberStretches(segments('one and two and three')), []);
  });

  test("the digits grammar's words replace the first decode's inside the stretch, times moved to the utterance", () => {
    const first = segments('my card number is like that and five nine thank you');
    const stretch = { start: 75, end: 189 };
    const digits = segments('four seven five nine', 0, 25);
    const spliced = spliceNumber(first, stretch, digits);
    assert.deepEqual(
      spliced.map((s) => s.word),
      'my card number is four seven five nine thank you'.split(' '),
    );
    assert.deepEqual(
      spliced.slice(4, 6).map((s) => [s.startFrame, s.endFrame]),
      [
        [75, 99],
        [100, 124],
      ],
    );
  });

  test('the grammars are JSGF with one public rule, and the scan keeps digit homophones out of its carrier words', () => {
    for (const grammar of [NUMBER_SCAN_GRAMMAR, DIGITS_GRAMMAR]) {
      assert.match(grammar, /^#JSGF V1\.0;\ngrammar \w+;\n/);
      assert.equal(grammar.match(/public </g)?.length, 1);
    }
    const carrier = /<c> = (.*);/.exec(NUMBER_SCAN_GRAMMAR)?.[1]?.split(' | ') ?? [];
    assert.ok(carrier.includes('card') && carrier.includes('number'));
    for (const homophone of ['to', 'too', 'for', 'won', 'ate', 'o']) assert.ok(!carrier.includes(homophone));
  });
});
