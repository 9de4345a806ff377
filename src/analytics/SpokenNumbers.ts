/**
 * Digit strings from numbers as speech recognition writes them: "four one one one", "oh" for zero,
 * "double five", "twenty twenty six" (2026), "one eight hundred" (1800), "fifteen hundred" (1500),
 * "nine fifteen" (915), "two thousand", and digits if the recogniser emits them ("4111").
 *
 * A run is a maximal stretch of number words; its digits are the concatenation of its parts, so
 * "oh five twenty six" is "0526" and "nineteen eighty five" is "1985". Inside a run may sit
 * "dash", "hyphen" or "slash" ("five five five dash one two three four") and fillers a caller says
 * while reading ("uh", "sorry", "let me see", "one second"). A recogniser writes digits as the
 * words that sound the same — "to"/"too" (2), "for"/"fore"/"or" (4), "ate" (8), "won" (1) — so these
 * count as digits next to a number word (through other such words and fillers): "my pin is for
 * for two" is 442, "i went to the store" has no number.
 */

export interface DigitRun {
  /** The digits, e.g. "4111111111111111". */
  readonly digits: string;
  /** First and last word index of the run (inclusive). */
  readonly first: number;
  readonly last: number;
  /**
   * Read digit by digit, as identifiers are ("four one one", "double five"; three parts in four at
   * least, so "one eight three one five sixty four zero six …" too); not "twenty six", "nine fifteen".
   */
  readonly digitByDigit: boolean;
}

const UNITS = new Map([
  ['zero', 0],
  ['oh', 0],
  ['o', 0],
  ['one', 1],
  ['two', 2],
  ['three', 3],
  ['four', 4],
  ['five', 5],
  ['six', 6],
  ['seven', 7],
  ['eight', 8],
  ['nine', 9],
]);
const TEENS = new Map([
  ['ten', 10],
  ['eleven', 11],
  ['twelve', 12],
  ['thirteen', 13],
  ['fourteen', 14],
  ['fifteen', 15],
  ['sixteen', 16],
  ['seventeen', 17],
  ['eighteen', 18],
  ['nineteen', 19],
]);
const TENS = new Map([
  ['twenty', 20],
  ['thirty', 30],
  ['forty', 40],
  ['fifty', 50],
  ['sixty', 60],
  ['seventy', 70],
  ['eighty', 80],
  ['ninety', 90],
]);
const REPEATS = new Map([
  ['double', 2],
  ['triple', 3],
]);
const JOINERS = new Set(['dash', 'hyphen', 'slash']);

/** Words a recogniser writes for a digit that sounds the same. */
const HOMOPHONES = new Map([
  ['to', 'two'],
  ['too', 'two'],
  ['for', 'four'],
  ['fore', 'four'],
  ['ate', 'eight'],
  ['won', 'one'],
  ['or', 'four'],
]);

/** A word a recogniser may write for a digit ("to", "for", "won", …). */
export function isDigitHomophone(word: string): boolean {
  return HOMOPHONES.has(word);
}

/** What a caller says between the digits of one number while reading it out. */
const FILLERS: readonly (readonly string[])[] = [
  ['uh'],
  ['um'],
  ['er'],
  ['ah'],
  ['hmm'],
  ['sorry'],
  ['wait'],
  ['okay'],
  ['ok'],
  ['and'],
  ['let', 'me', 'see'],
  ['hold', 'on'],
  ['one', 'second'],
  ['one', 'sec'],
  ['one', 'moment'],
  ['i', 'mean'],
];

/** Length of the filler at i (0: none). */
function fillerAt(words: readonly string[], i: number): number {
  for (const f of FILLERS) if (f.every((w, k) => words[i + k] === w)) return f.length;
  return 0;
}

/** True for a word that can be part of a spoken number (homophones such as "to" not included). */
export function isNumberWord(word: string): boolean {
  return (
    UNITS.has(word) ||
    TEENS.has(word) ||
    TENS.has(word) ||
    /^\d+$/.test(word) ||
    word === 'hundred' ||
    word === 'thousand'
  );
}

/** The value of "<units|teens|tens [unit]>" at i, or undefined; `next` is the index after it. */
function smallNumber(
  words: readonly string[],
  i: number,
): { value: number; next: number; digits: string } | undefined {
  const w = words[i] ?? '';
  const unit = UNITS.get(w);
  if (unit !== undefined) return { value: unit, next: i + 1, digits: String(unit) };
  const teen = TEENS.get(w);
  if (teen !== undefined) return { value: teen, next: i + 1, digits: String(teen) };
  const ten = TENS.get(w);
  if (ten !== undefined) {
    const u = UNITS.get(words[i + 1] ?? '');
    // "twenty oh" is not a number; "twenty six" is 26.
    if (u !== undefined && u > 0 && words[i + 1] !== 'oh' && words[i + 1] !== 'o')
      return { value: ten + u, next: i + 2, digits: String(ten + u) };
    return { value: ten, next: i + 1, digits: String(ten) };
  }
  return undefined;
}

/**
 * Parses one part of a run at i: a repeat, a small number with hundred/thousand, or digits.
 * `single`: the part is one spoken digit (or a repeat of one).
 */
function part(
  words: readonly string[],
  i: number,
): { digits: string; next: number; single: boolean } | undefined {
  const w = words[i] ?? '';
  if (/^\d+$/.test(w)) return { digits: w, next: i + 1, single: w.length === 1 };
  const repeat = REPEATS.get(w);
  if (repeat !== undefined) {
    const u = UNITS.get(words[i + 1] ?? '');
    if (u === undefined) return undefined;
    return { digits: String(u).repeat(repeat), next: i + 2, single: true };
  }
  const small = smallNumber(words, i);
  if (small === undefined) return undefined;
  let { value, next } = small;
  let digits = small.digits;
  if (words[next] === 'thousand' && value > 0) {
    value *= 1000;
    next += 1;
    const rest = restBelow(words, next, 1000);
    digits = String(value + rest.value);
    next = rest.next;
  } else if (words[next] === 'hundred' && value > 0 && value < 100) {
    value *= 100;
    next += 1;
    const rest = restBelow(words, next, 100);
    digits = String(value + rest.value);
    next = rest.next;
  }
  return { digits, next, single: next === i + 1 && UNITS.has(w) };
}

/** After "hundred"/"thousand": an optional "and" plus a number below `limit` that is not a digit list. */
function restBelow(words: readonly string[], i: number, limit: number): { value: number; next: number } {
  let j = i;
  const and = words[j] === 'and';
  if (and) j += 1;
  const w = words[j] ?? '';
  // "one eight hundred five five five": a single digit after "hundred" starts a digit list.
  if (!and && UNITS.has(w)) return { value: 0, next: i };
  if (limit > 100) {
    const small = smallNumber(words, j);
    if (small !== undefined && words[small.next] === 'hundred' && small.value < 10) {
      const rest = restBelow(words, small.next + 1, 100);
      return { value: small.value * 100 + rest.value, next: rest.next };
    }
  }
  const small = smallNumber(words, j);
  if (small === undefined || small.value >= limit || (!and && UNITS.has(w))) return { value: 0, next: i };
  return { value: small.value, next: small.next };
}

/**
 * The words with each homophone that stands next to a number word (through other homophones,
 * fillers and joiners) replaced by its digit: "for for two" → "four four two".
 */
export function withDigitHomophones(words: readonly string[]): string[] {
  const out = [...words];
  const connected = (i: number, step: 1 | -1): boolean => {
    for (let j = i + step, k = 0; j >= 0 && j < words.length && k < 4; j += step, k += 1) {
      const w = words[j] ?? '';
      if (isNumberWord(w) || REPEATS.has(w)) return true;
      if (!HOMOPHONES.has(w) && !JOINERS.has(w) && fillerAt(words, j) !== 1) return false;
    }
    return false;
  };
  words.forEach((w, i) => {
    const digit = HOMOPHONES.get(w);
    if (digit !== undefined && (connected(i, -1) || connected(i, 1))) out[i] = digit;
  });
  return out;
}

/** All digit runs in the words, in order (see the header for what a run may hold). */
export function digitRuns(input: readonly string[]): DigitRun[] {
  const words = withDigitHomophones(input);
  const runs: DigitRun[] = [];
  let i = 0;
  while (i < words.length) {
    const first = part(words, i);
    if (first === undefined) {
      i += 1;
      continue;
    }
    let digits = first.digits;
    let parts = 1;
    let singles = first.single ? 1 : 0;
    let last = first.next - 1;
    let j = first.next;
    for (;;) {
      let k = j;
      for (let skip = fillerAt(words, k); skip > 0; skip = fillerAt(words, k)) k += skip;
      if (JOINERS.has(words[k] ?? '')) k += 1;
      const p = part(words, k);
      if (p === undefined) break;
      digits += p.digits;
      parts += 1;
      if (p.single) singles += 1;
      last = p.next - 1;
      j = p.next;
    }
    runs.push({ digits, first: i, last, digitByDigit: singles >= 0.75 * parts });
    i = j;
  }
  return runs;
}

/** Luhn (mod 10) check of a card number. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** ABA routing number checksum (3-7-1 weights). */
export function abaRoutingValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const d = [...digits].map((c) => c.charCodeAt(0) - 48);
  const sum =
    3 * ((d[0] ?? 0) + (d[3] ?? 0) + (d[6] ?? 0)) +
    7 * ((d[1] ?? 0) + (d[4] ?? 0) + (d[7] ?? 0)) +
    ((d[2] ?? 0) + (d[5] ?? 0) + (d[8] ?? 0));
  return sum % 10 === 0;
}
