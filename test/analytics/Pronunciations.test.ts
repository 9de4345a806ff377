import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectPii } from '../../src/analytics/index.js';
import {
  lastSoundingLike,
  phoneDistance,
  phonesOf,
  soundPhrase,
} from '../../src/analytics/Pronunciations.js';

const types = (text: string): string[] => detectPii(text).map((e) => `${e.Type}:${e.Content}`);

describe('Pronunciations', () => {
  test('words become phones without stress; unknown words have none', () => {
    assert.deepEqual(phonesOf('routing'), ['R', 'AW', 'T', 'IH', 'NG']);
    assert.equal(phonesOf('qzxqzx'), undefined);
  });

  test('phones that sound alike cost less than others', () => {
    const routing = phonesOf('routing')!;
    assert.equal(phoneDistance(routing, routing), 0);
    assert.equal(phoneDistance(routing, phonesOf('writing')!), 0.5);
    assert.ok(phoneDistance(routing, phonesOf('robin')!) > 2);
  });

  test('the last stretch of whole words that sounds like a phrase, link words skipped', () => {
    const phrases = [soundPhrase('routing', 'R'), soundPhrase('ship it to', 'S')].flatMap((p) => p ?? []);
    const words = 'and the writing number is'.split(' ');
    const found = lastSoundingLike(
      words,
      0,
      words.length,
      phrases,
      () => 0.2,
      (w) => w === 'number',
    );
    assert.deepEqual(found, { value: 'R', first: 2, last: 2, distance: 0.1 });
    const ship = 'shake it to'.split(' ');
    assert.equal(lastSoundingLike(ship, 0, 3, phrases, () => 0.3)?.value, 'S');
    assert.equal(
      lastSoundingLike('we made it'.split(' '), 0, 3, phrases, () => 0.3),
      undefined,
    );
  });
});

describe('cues heard by sound', () => {
  test('a misheard cue types the number after it', () => {
    assert.deepEqual(types('and the writing number is one two one zero zero zero three five eight'), [
      'BANK_ROUTING:one two one zero zero zero three five eight',
    ]);
    assert.deepEqual(types('the security coat is four two seven'), ['CREDIT_DEBIT_CVV:four two seven']);
  });

  test('a short everyday word does not pass for a cue ("can\'t" is not "account")', () => {
    assert.deepEqual(types("i can't carry two ninety eight"), []);
    assert.deepEqual(types('my son is eighteen'), []);
  });

  test('a cue heard as written decides over one heard by sound after it', () => {
    assert.deepEqual(types('the phone number on the account is five five five one two one two'), [
      'PHONE:five five five one two one two',
    ]);
  });
});
