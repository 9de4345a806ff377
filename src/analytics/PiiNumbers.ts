/**
 * Numeric PII in recogniser output: which digit runs (SpokenNumbers.ts) are card numbers, bank
 * accounts, routing numbers, PINs, CVVs, expiry dates, social security and phone numbers.
 *
 * The nearest cue before a run (PiiCues.ts) decides its type; its length only has to be plausible,
 * because a recogniser drops, adds and mishears digits: a card number after "my card number is"
 * that comes out with fifteen digits, or with a wrong check digit, is still a card number. Two runs
 * with one or two other words between them ("so for one of four five seven") are one number when a
 * cue says one is being read (without a cue: two runs read digit by digit, across one word). Without a cue, runs of seven digits or more read digit by digit are
 * still identifiers (the cue may be what the recogniser lost), typed by their length: thirteen or
 * more a card, ten or eleven a phone number, nine a routing number when its checksum holds (else a
 * social security number), seven a phone number, eight or twelve an account. A unit after a run
 * ("forty five minutes") or a cue like "order number" means it is not PII.
 *
 * A run that ends the words may go on in the caller's next utterance ("my card number is four one
 * one one" … "two two two two …"): it is taken at any length when a cue says what it is.
 */
import { cueBefore, hasCue, isCueWord, type Cue } from './PiiCues.js';
import type { PiiEntityType, PiiSpan } from './PiiTypes.js';
import { abaRoutingValid, luhnValid, type DigitRun } from './SpokenNumbers.js';

/** Words after a run that make it a quantity, a time or a price, not an identifier. */
const UNIT_WORDS = new Set(
  (
    'dollars dollar bucks cents percent minutes minute hours hour days day weeks months years year times ' +
    "pounds miles am pm o'clock kids people"
  ).split(' '),
);

export const MONTHS: ReadonlySet<string> = new Set(
  'january february march april may june july august september october november december'.split(' '),
);

/** Words that end a number: two runs with one of these between them are two numbers. */
const NUMBER_BREAKS = new Set(['and', 'is', 'my', 'the', 'your', 'then', 'also', 'plus', 'but']);

/** Cues that say a long number is being read (not a short code, a date or a non-PII number). */
const LONG_NUMBER_CUES: ReadonlySet<Cue> = new Set([
  'CREDIT_DEBIT_NUMBER',
  'CARD_CUE',
  'BANK_ACCOUNT_NUMBER',
  'BANK_ROUTING',
  'PHONE',
  'SSN',
]);

interface Run extends DigitRun {
  readonly cue: Cue | undefined;
}

/**
 * The cue an answer's numbers take from the other side's question ("what's the pin on the card?"):
 * its last cue for a number, or undefined.
 */
export function promptCue(prompt: readonly string[]): Cue | undefined {
  return prompt.length === 0 ? undefined : cueBefore(prompt, prompt.length)?.cue;
}

/**
 * Runs with their cue (the question's when they have none of their own); neighbours joined across
 * one or two misheard words when a long number is being read.
 */
function cuedRuns(words: readonly string[], runs: readonly DigitRun[], asked: Cue | undefined): Run[] {
  const out: Run[] = [];
  for (const run of runs) {
    const prev = out[out.length - 1];
    const gap = prev === undefined ? Infinity : run.first - prev.last - 1;
    const gapWords = prev === undefined ? [] : words.slice(prev.last + 1, run.first);
    const joinable =
      prev !== undefined &&
      !gapWords.some((w) => NUMBER_BREAKS.has(w) || isCueWord(w) || UNIT_WORDS.has(w)) &&
      // After a cue for a long number, across two misheard words; without a cue, two digit-by-digit
      // runs of three digits or more across one ("nine nine point seven seven five …").
      ((gap <= 2 && prev.cue !== undefined && LONG_NUMBER_CUES.has(prev.cue)) ||
        (gap === 1 &&
          prev.cue === undefined &&
          prev.digitByDigit &&
          run.digitByDigit &&
          prev.digits.length >= 3 &&
          run.digits.length >= 3));
    if (prev !== undefined && joinable) {
      out[out.length - 1] = {
        digits: prev.digits + 'x'.repeat(gap) + run.digits,
        first: prev.first,
        last: run.last,
        digitByDigit: prev.digitByDigit && run.digitByDigit,
        cue: prev.cue,
      };
      continue;
    }
    out.push({ ...run, cue: cueBefore(words, run.first)?.cue ?? asked });
  }
  return out;
}

function validExpiry(digits: string): boolean {
  if (digits.length === 3) return digits[0] !== '0';
  const month = Number(digits.slice(0, 2));
  return (digits.length === 4 || digits.length === 6) && month >= 1 && month <= 12;
}

function classify(words: readonly string[], run: Run): PiiSpan | undefined {
  const { digits } = run;
  const n = digits.length;
  // A unit after a quantity; not after a long run read digit by digit ("… zero one minute" is a
  // misheard "zero one nine eight").
  if (UNIT_WORDS.has(words[run.last + 1] ?? '') && !(run.digitByDigit && n >= 4)) return undefined;
  // An identifier read digit by digit may go on in the next utterance: any length will do when a
  // cue says what it is.
  const open = run.last === words.length - 1 && run.digitByDigit;
  const fits = (min: number, max: number): boolean => n <= max && (n >= min || open);
  const found = (type: PiiEntityType, confidence: number, first = run.first): PiiSpan => ({
    type,
    first,
    last: run.last,
    confidence,
  });
  const luhn = luhnValid(digits);
  // "twenty nineteen" after "the account was opened in": a year, not an identifier.
  const yearLike = !run.digitByDigit && n === 4 && /^(?:19|20)\d\d$/.test(digits);
  switch (run.cue) {
    case 'SSN':
      return fits(3, 11) ? found('SSN', n === 9 || n === 4 ? 0.9 : 0.7) : undefined;
    case 'BANK_ROUTING':
      return fits(3, 12)
        ? found('BANK_ROUTING', abaRoutingValid(digits) ? 0.95 : n === 9 ? 0.8 : 0.6)
        : undefined;
    case 'PIN':
      return fits(2, 8) ? found('PIN', n === 4 ? 0.9 : 0.75) : undefined;
    case 'CREDIT_DEBIT_CVV':
      return fits(2, 5) ? found('CREDIT_DEBIT_CVV', n === 3 || n === 4 ? 0.9 : 0.7) : undefined;
    case 'CREDIT_DEBIT_EXPIRY': {
      // "march twenty twenty six", "june of twenty twenty eight".
      let first = run.first;
      if (words[first - 1] === 'of' && MONTHS.has(words[first - 2] ?? '')) first -= 2;
      else if (MONTHS.has(words[first - 1] ?? '')) first -= 1;
      if (first < run.first) return fits(2, 4) ? found('CREDIT_DEBIT_EXPIRY', 0.9, first) : undefined;
      return fits(2, 6) ? found('CREDIT_DEBIT_EXPIRY', validExpiry(digits) ? 0.85 : 0.6) : undefined;
    }
    case 'BANK_ACCOUNT_NUMBER':
      if (n >= 13 && n <= 19 && hasCue(words, run.first, 'CARD_CUE'))
        return found('CREDIT_DEBIT_NUMBER', luhn ? 0.9 : 0.7);
      return fits(4, 20) && !yearLike ? found('BANK_ACCOUNT_NUMBER', 0.85) : undefined;
    case 'PHONE':
      if (n >= 14 && n <= 19 && luhn) return found('CREDIT_DEBIT_NUMBER', 0.85);
      return fits(run.digitByDigit ? 4 : 5, 13)
        ? found('PHONE', n === 7 || n === 10 || n === 11 ? 0.9 : 0.7)
        : undefined;
    case 'CREDIT_DEBIT_NUMBER':
    case 'CARD_CUE':
      return fits(4, 20) ? found('CREDIT_DEBIT_NUMBER', luhn ? 0.97 : n >= 12 ? 0.85 : 0.7) : undefined;
    case 'NOT_PII':
      return undefined;
    default:
      // No cue (or one the recogniser lost): numbers shaped like a card or a phone number, and any
      // other identifier of seven digits or more read digit by digit, typed by its length.
      if (n >= 13 && n <= 20 && (luhn || run.digitByDigit))
        return found('CREDIT_DEBIT_NUMBER', luhn ? 0.9 : 0.6);
      if (n === 10 ? /^[2-9]/.test(digits) : n === 11 && digits[0] === '1') return found('PHONE', 0.7);
      if (!run.digitByDigit || n < 7 || n > 20) return undefined;
      if (n === 9) return found(abaRoutingValid(digits) ? 'BANK_ROUTING' : 'SSN', 0.5);
      return found(n === 7 || n === 10 || n === 11 ? 'PHONE' : 'BANK_ACCOUNT_NUMBER', 0.5);
  }
}

/** The numeric PII among the digit runs of the words; `asked`: the cue of the question they answer. */
export function findNumbers(words: readonly string[], runs: readonly DigitRun[], asked?: Cue): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const run of cuedRuns(words, runs, asked)) {
    const span = classify(words, run);
    if (span !== undefined) out.push(span);
  }
  return out;
}
