import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { abaRoutingValid, digitRuns, luhnValid } from '../../src/analytics/index.js';

const digits = (text: string): string[] => digitRuns(text.split(' ')).map((r) => r.digits);

describe('digitRuns', () => {
  const cases: [string, string[]][] = [
    ['four one one one', ['4111']],
    ['oh five twenty six', ['0526']],
    ['zero oh o', ['000']],
    ['double five triple two', ['55222']],
    ['twenty twenty six', ['2026']],
    ['nineteen eighty five', ['1985']],
    ['one eight hundred five five five one two one two', ['18005551212']],
    ['fifteen hundred pennsylvania avenue', ['1500']],
    ['five hundred twelve', ['512']],
    ['one hundred and fifty dollars', ['150']],
    ['two thousand and twenty three', ['2023']],
    ['nine fifteen west elm', ['915']],
    ['five five five dash one two three four', ['5551234']],
    ['call 5551234 now', ['5551234']],
    ['i have two kids and three dogs', ['2', '3']],
    ['no numbers here', []],
    // Recogniser output: homophones next to number words, fillers inside a number.
    ['my pin is for for two nine', ['4429']],
    ['four one to one won eight ate', ['4121188']],
    ['i went to the store for an hour', []],
    ['four one one one uh two two two two', ['41112222']],
    ['four one eight seven one second four one', ['418741']],
    ['five five five let me see one two', ['55512']],
    ['oh four slash twenty seven', ['0427']],
  ];
  for (const [text, want] of cases)
    test(`"${text}" → ${JSON.stringify(want)}`, () => assert.deepEqual(digits(text), want));

  test('"twenty six" is not read digit by digit; "double five" is', () => {
    assert.deepEqual(
      digitRuns('twenty six then double five'.split(' ')).map((r) => r.digitByDigit),
      [false, true],
    );
  });

  test('runs carry their word span', () => {
    assert.deepEqual(digitRuns('my pin is four three two one please'.split(' ')), [
      { digits: '4321', first: 3, last: 6, digitByDigit: true },
    ]);
  });
});

describe('checksums', () => {
  test('luhnValid', () => {
    assert.equal(luhnValid('4111111111111111'), true);
    assert.equal(luhnValid('378282246310005'), true);
    assert.equal(luhnValid('4111111111111112'), false);
    assert.equal(luhnValid('41x1'), false);
  });
  test('abaRoutingValid', () => {
    assert.equal(abaRoutingValid('021000021'), true);
    assert.equal(abaRoutingValid('021000022'), false);
    assert.equal(abaRoutingValid('12345'), false);
  });
});
