/**
 * Made-up PII values and numbers in the words a caller says them with, from a seeded generator, for
 * the PII evaluation sets (test/analytics/evaluate.ts, scripts/make-pii-set.ts). Each set is the
 * same on every run.
 */
import { luhnValid } from '../../src/analytics/SpokenNumbers.js';

/** mulberry32: a small seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;

export const pick = <T>(rand: Random, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

export const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const TEENS = [
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];

/** 0 … 99 as words ("forty two"). */
export function numberWords(n: number): string {
  if (n < 10) return DIGIT_WORDS[n] as string;
  if (n < 20) return TEENS[n - 10] as string;
  const unit = n % 10;
  return `${TENS[Math.floor(n / 10)] as string}${unit === 0 ? '' : ` ${DIGIT_WORDS[unit] as string}`}`;
}

/** `n` random digits after `first`. */
export function randomDigits(rand: Random, n: number, first = ''): string {
  let s = first;
  while (s.length < n) s += String(Math.floor(rand() * 10));
  return s;
}

/** The digit that makes `body + digit` pass the Luhn check. */
export function luhnCheckDigit(body: string): number {
  for (let d = 0; d < 10; d += 1) if (luhnValid(body + String(d))) return d;
  return 0;
}

/** A Luhn-valid card number of `length` digits starting with `prefix`. */
export function cardNumber(rand: Random, prefix: string, length: number): string {
  const body = randomDigits(rand, length - 1, prefix);
  return body + String(luhnCheckDigit(body));
}

/** A nine-digit number that passes the ABA routing checksum (3-7-1 weights). */
export function routingNumber(rand: Random): string {
  const body = randomDigits(rand, 8, pick(rand, ['0', '1', '2', '3']));
  const d = [...body].map((c) => c.charCodeAt(0) - 48);
  const partial = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]!);
  return body + String((10 - (partial % 10)) % 10);
}

/** Digits as a caller says them: "oh" or "zero", and sometimes "double" for a repeated digit. */
export function speakDigits(digits: string, rand: Random, doubles = 0.5): string {
  const out: string[] = [];
  for (let i = 0; i < digits.length; i += 1) {
    const d = Number(digits[i]);
    const word = d === 0 && rand() < 0.5 ? 'oh' : (DIGIT_WORDS[d] as string);
    if (digits[i + 1] === digits[i] && digits[i + 2] !== digits[i] && rand() < doubles) {
      out.push('double', word);
      i += 1;
    } else out.push(word);
  }
  return out.join(' ');
}
