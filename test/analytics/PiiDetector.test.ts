import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectPii, parsePiiEntityTypes, PII_TYPES } from '../../src/analytics/index.js';
import { readJsonl, type PiiCase } from './callFixture.js';
import { evaluatePii } from './evaluate.js';

const types = (text: string): string[] => detectPii(text).map((e) => `${e.Type}:${e.Content}`);

describe('detectPii on the labelled fixtures', () => {
  test('the fixture covers every type with positives and has negatives', () => {
    const rows = readJsonl<PiiCase>('pii.jsonl');
    for (const t of PII_TYPES) {
      assert.ok(rows.filter((r) => r.entities.some((e) => e.type === t)).length >= 5, t);
    }
    assert.ok(rows.filter((r) => r.entities.length === 0).length >= 40);
  });
  test('overall precision and recall are at least 0.95 (all and held-out)', () => {
    for (const split of ['all', 'heldout'] as const) {
      const s = evaluatePii(split);
      assert.ok(
        s.overall.precision >= 0.95 && s.overall.recall >= 0.95,
        `${split}: ${JSON.stringify(s.overall)} ${s.errors.join('; ')}`,
      );
    }
  });
  test('every type has precision and recall of at least 0.8', () => {
    for (const [type, s] of Object.entries(evaluatePii('all').byType)) {
      assert.ok(s.precision >= 0.8 && s.recall >= 0.8, `${type}: ${JSON.stringify(s)}`);
    }
  });
});

describe('detectPii', () => {
  test('a 16-digit number after a card cue is a card, its check digit right or not (a digit may be misheard)', () => {
    const card = 'four one one one one one one one one one one one one one one one';
    const misheard = 'four one one one one one one one one one one one one one one two';
    assert.deepEqual(types(`my card is ${card}`), [`CREDIT_DEBIT_NUMBER:${card}`]);
    assert.deepEqual(types(`my card is ${misheard}`), [`CREDIT_DEBIT_NUMBER:${misheard}`]);
    assert.ok(
      detectPii(`my card is ${card}`)[0]!.Confidence > detectPii(`my card is ${misheard}`)[0]!.Confidence,
    );
    assert.deepEqual(types(`the reference is ${misheard}`), []);
  });
  test('spoken forms: "oh", "double", email with "at" and "dot", seven-digit phone with a cue', () => {
    assert.deepEqual(types('call me at five five five one two three four'), [
      'PHONE:five five five one two three four',
    ]);
    assert.deepEqual(types('my email is john at example dot com'), ['EMAIL:john at example dot com']);
    assert.deepEqual(types('it expires oh five twenty six'), ['CREDIT_DEBIT_EXPIRY:oh five twenty six']);
    assert.deepEqual(types('my pin is double four one two'), ['PIN:double four one two']);
  });
  test('quantities, times and everyday numbers are not PII', () => {
    for (const text of [
      'i have two kids',
      'i waited forty five minutes',
      'it costs nine ninety nine',
      'i was born in nineteen eighty five',
      'see you in twenty twenty six',
      'my order number is one two three four five six seven eight nine oh',
    ]) {
      assert.deepEqual(types(text), [], text);
    }
  });
  test('the nearest cue decides what a number is', () => {
    assert.deepEqual(
      types(
        'card four two four two four two four two four two four two four two four two expires twelve twenty seven security code one two three',
      ),
      [
        'CREDIT_DEBIT_NUMBER:four two four two four two four two four two four two four two four two',
        'CREDIT_DEBIT_EXPIRY:twelve twenty seven',
        'CREDIT_DEBIT_CVV:one two three',
      ],
    );
    assert.deepEqual(types('the routing number is oh two one oh oh oh oh two one'), [
      'BANK_ROUTING:oh two one oh oh oh oh two one',
    ]);
  });
  test('names need a cue; weak cues need a known first name', () => {
    assert.deepEqual(types('my name is priya patel'), ['NAME:priya patel']);
    assert.deepEqual(types('yes this is emily'), ['NAME:emily']);
    assert.deepEqual(types('this is ridiculous'), []);
    assert.deepEqual(types("i'm calling about my bill"), []);
  });
  test('entities carry offsets, word spans and confidence weighted by the recogniser', () => {
    const words = 'my pin is four three two one'.split(' ');
    const [e] = detectPii(words, { wordConfidences: [1, 1, 1, 0.5, 0.5, 0.5, 0.5] });
    assert.ok(e !== undefined);
    assert.equal(e.Category, 'PII');
    assert.deepEqual(e.Words, { First: 3, Last: 6 });
    assert.deepEqual(e.CharacterOffsets, { Begin: 10, End: 28 });
    assert.equal(e.Confidence, 0.45);
  });
  test('the PiiEntityTypes filter', () => {
    const text = 'my name is john smith and my pin is one two three four';
    assert.deepEqual(
      detectPii(text, { types: parsePiiEntityTypes('PIN') }).map((e) => e.Type),
      ['PIN'],
    );
    assert.deepEqual(
      detectPii(text, { types: parsePiiEntityTypes('NAME, PIN') }).map((e) => e.Type),
      ['NAME', 'PIN'],
    );
    assert.equal(parsePiiEntityTypes('ALL').size, 11);
    assert.equal(parsePiiEntityTypes(undefined).size, 11);
  });
});

describe('detectPii on recogniser output', () => {
  test('homophones and fillers inside a number', () => {
    assert.deepEqual(types('my pin is for for two nine'), ['PIN:for for two nine']);
    assert.deepEqual(
      types('my card number is four one one one uh one one one one sorry one one one one one one one one'),
      ['CREDIT_DEBIT_NUMBER:four one one one uh one one one one sorry one one one one one one one one'],
    );
    assert.deepEqual(types('i went to the store for an hour'), []);
  });
  test('a number the recogniser got partly wrong is still read as one after its cue', () => {
    assert.deepEqual(types('the routing number is oh two one of oh oh oh two one'), [
      'BANK_ROUTING:oh two one of oh oh oh two one',
    ]);
    // Fifteen digits of a sixteen-digit card: the cue says what it is.
    assert.deepEqual(
      types('my card number is four one one one one one one one one one one one one one one'),
      ['CREDIT_DEBIT_NUMBER:four one one one one one one one one one one one one one one'],
    );
  });
  test('without a cue, long numbers read digit by digit are still identifiers', () => {
    assert.deepEqual(types('like i said four one one one one one one one one one one one one one one'), [
      'CREDIT_DEBIT_NUMBER:four one one one one one one one one one one one one one one',
    ]);
    assert.deepEqual(types('two oh six five five five zero one nine eight'), [
      'PHONE:two oh six five five five zero one nine eight',
    ]);
  });
  test('a number at the end of an utterance may go on in the next: its cue types it at any length', () => {
    assert.deepEqual(types('my card number is four one one one'), ['CREDIT_DEBIT_NUMBER:four one one one']);
    assert.deepEqual(types('my social is one two three'), ['SSN:one two three']);
    assert.deepEqual(types('i paid for it at three thirty'), [], 'a time is not read digit by digit');
  });
});

describe('detectPii on what a recogniser made of real calls', () => {
  test('a mangled "at" after "my email is": up to the "dot com"', () => {
    assert.deepEqual(types('my email is john dogs which had made all dot com'), [
      'EMAIL:john dogs which had made all dot com',
    ]);
    assert.deepEqual(types('my email is not working'), []);
  });
  test('"nine eight" heard as "minute" does not make a phone number a quantity', () => {
    assert.deepEqual(types('you can reach me at two o six five five five zero one minute'), [
      'PHONE:two o six five five five zero one',
    ]);
  });
  test('a house number after an address cue starts an address even without a street suffix', () => {
    assert.deepEqual(types('i live at five eight five washington read all'), [
      'ADDRESS:five eight five washington read all',
    ]);
  });
  test('an identifier read digit by digit whose cue was lost is still redacted', () => {
    assert.deepEqual(types('robin two six seven three eight six nine three one'), [
      'SSN:two six seven three eight six nine three one',
    ]);
  });
});

describe('detectPii: more of what the recogniser writes', () => {
  test('a name spelled out after the name; acronyms are not names', () => {
    assert.deepEqual(types("my name is olga smith that's s m i t h"), ['NAME:olga smith', 'NAME:s m i t h']);
    assert.deepEqual(types('my name is olga and the c v v is one two three'), [
      'NAME:olga',
      'CREDIT_DEBIT_CVV:one two three',
    ]);
  });
  test('first names that are everyday words are not names after a weak cue; "<name> calling" is', () => {
    assert.deepEqual(types("i'm free to talk"), []);
    assert.deepEqual(types('it is william calling'), ['NAME:william']);
  });
  test('an email with its "at" lost between two dots; a street lost but its city and state heard', () => {
    assert.deepEqual(types('a pathway dot morris had yahoo dot com'), [
      'EMAIL:pathway dot morris had yahoo dot com',
    ]);
    assert.deepEqual(types('the the odd reading all twenty two in on portland oregon'), [
      'ADDRESS:twenty two in on portland oregon',
    ]);
    assert.deepEqual(types('i have two kids in texas'), []);
  });
  test('a year after an account cue is a year', () => {
    assert.deepEqual(types('the account was opened in twenty nineteen'), []);
  });
  test('digit-by-digit runs either side of one misheard word are one number', () => {
    assert.deepEqual(types('nine five zero one nine nine point seven seven five zero five two seven'), [
      'CREDIT_DEBIT_NUMBER:nine five zero one nine nine point seven seven five zero five two seven',
    ]);
  });
});

describe('detectPii with the caller’s previous words as context', () => {
  const words = (s: string): string[] => s.split(' ');
  test('a cue in the previous final types the number in this one', () => {
    const e = detectPii('four one one one one one one one one one one one one one one one', {
      context: words('my card number is'),
    });
    assert.deepEqual(
      e.map((x) => [x.Type, x.Words]),
      [['CREDIT_DEBIT_NUMBER', { First: 0, Last: 15 }]],
    );
    assert.deepEqual(
      detectPii('one two three four', { context: words('my pin is') }).map((x) => x.Type),
      ['PIN'],
    );
  });
  test('a number that began in the previous final continues here; entities there are not repeated', () => {
    const e = detectPii('one one one one one one one one', {
      context: words('my name is maria garcia and my card number is four one one one one one one one'),
    });
    assert.deepEqual(
      e.map((x) => [x.Type, x.Content]),
      [['CREDIT_DEBIT_NUMBER', 'one one one one one one one one']],
    );
  });
  test('an order number stays an order number across the pause', () => {
    assert.deepEqual(detectPii('one two three four five six', { context: words('the order number is') }), []);
  });
  test('a first name and a surname that are no common words are a name without a cue; common words are not', () => {
    assert.deepEqual(types("it's time for sharon phillips"), ['NAME:sharon phillips']);
    assert.deepEqual(types('i paid the bill green'), []);
    assert.deepEqual(types('i ordered it on tuesday morning'), []);
    assert.deepEqual(types('david said it was fine'), []);
  });
  test('an email whose "at" the recogniser lost: words before a label and "dot <tld>"', () => {
    assert.deepEqual(types('so did the jury johnson had example dot org'), [
      'EMAIL:jury johnson had example dot org',
    ]);
    assert.deepEqual(types('you can go to example dot com'), []);
  });
});
