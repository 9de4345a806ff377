import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { partialMasks } from '../../src/analytics/PiiPartialMask.js';
import { parsePiiEntityTypes } from '../../src/analytics/PiiTypes.js';

/** The partial with its masked words as "#". */
function masked(text: string, context: string[] = [], types?: string): string {
  const words = text.split(' ');
  const spans = partialMasks(words, context, types === undefined ? undefined : parsePiiEntityTypes(types));
  return words.map((w, i) => (spans.some((s) => i >= s.first && i <= s.last) ? '#' : w)).join(' ');
}

describe('partialMasks: what a partial hides until its final decides', () => {
  test('every number and seven words after it (the final shows what is not PII), and a misheard digit near the end', () => {
    assert.equal(masked('i have two kids and four one cats'), 'i have # # # # # #');
    assert.equal(
      masked('it was twenty dollars and i paid it on the spot yesterday as usual'),
      'it was # # # # # # # # spot yesterday as usual',
    );
    assert.equal(masked('one likely to throw florida'), '# # # # #');
    assert.equal(masked('so the pin is four'), 'so the pin is #');
    assert.equal(masked('the vet for'), 'the vet #');
    assert.equal(masked('the vet for minds of'), 'the vet # minds of');
    assert.equal(masked('i went to the store and then home'), 'i went to the store and then home');
  });
  test('everything after a cue for a number, misheard digits included', () => {
    assert.equal(masked('the routing number is so for'), 'the routing number is # #');
    assert.equal(masked('my card number is four one one one'), 'my card number is # # # #');
    assert.equal(masked('my order number is'), 'my order number is');
    assert.equal(masked('or the floor', ['the', 'best', 'numbers']), '# # #');
  });
  test('a first name (a surname or "calling" may follow), a title, "dot" or "underscore" alone', () => {
    assert.equal(masked('that is mark'), 'that is #');
    assert.equal(masked('please ask doctor jones'), 'please ask doctor #');
    assert.equal(masked('so did the jury johnson'), 'so did the jury #');
    assert.equal(masked('it is miguel underscore'), 'it is # #');
    assert.equal(masked('a pathway dot morris'), '# # # #');
  });
  test('after a cue for a name, an email or an address; spelled letters; an email being read', () => {
    assert.equal(masked('hi my name is maria'), 'hi my name is #');
    assert.equal(masked('my email is john'), 'my email is #');
    assert.equal(masked('my address is one twenty three main'), 'my address is # # # #');
    assert.equal(masked('i live at one twenty three'), '# # # # # #');
    assert.equal(masked("that's s m i"), "that's # # #");
    assert.equal(masked("it's john dot smith at"), "it's # # # #");
  });
  test('the caller’s previous words count: digits continuing a number or following its cue', () => {
    assert.equal(masked('one one', ['my', 'card', 'number', 'is', 'four', 'one']), '# #');
    assert.equal(masked('maria', ['my', 'name', 'is']), '#');
  });
  test('only the types configured: with NAME alone numbers stay', () => {
    assert.equal(masked('my name is maria and four one', [], 'NAME'), 'my name is # # # #');
    assert.equal(masked('i have four one cats', [], 'NAME'), 'i have four one cats');
    assert.equal(masked('i have four one cats', [], 'ADDRESS'), 'i have # # #');
    assert.equal(masked('send it to john at', [], 'EMAIL'), 'send it to # #');
  });
  test('ordinary speech is left alone', () => {
    assert.equal(masked('thank you so much that is great'), 'thank you so much that is great');
  });
});
