/**
 * Person names in speech: the words after "my name is", "name on the card is" (any words, up to
 * three); a title and a surname ("mister johnson"); after weaker cues ("this is", "speaking with",
 * "under", "thank you", or before "calling") only a known first name (PersonNames.ts) that is not
 * also an everyday word ("i'm free", "i'm april …"), and an optional surname; anywhere, a first name
 * and a surname that are no common English words ("sharon phillips", not "bill green"); a name
 * spelled out letter by letter ("s m i t h") after a name or "spelled"; and the answer to a question
 * for a name (`answeredName`).
 */
import { firstNames, isCommonWord, NOT_NAME_WORDS } from './PersonNames.js';
import type { PiiSpan } from './PiiTypes.js';
import { isWordLike } from './PiiEmails.js';
import { isNumberWord } from './SpokenNumbers.js';

const NAME_STRONG =
  /\b(?:my name is|my name's|name is|name on the (?:card|account) is|card ?holder name is|the name is|name's)$/;
/** Words after a name that make it one: "william calling", "maria garcia speaking". */
const NAME_AFTER = new Set(['calling', 'speaking']);
const NAME_TITLES = new Set(['mister', 'mr', 'mrs', 'missus', 'misses', 'miss', 'ms', 'doctor', 'dr']);
const NAME_WEAK =
  /\b(?:this is|i'm|i am|it's|it is|speaking with|talking to|talking with|under|thank you|thanks|hi|hello|bye|goodbye|morning|afternoon|evening)$/;

/** First names that are everyday words too: after a weak cue they are the word. */
const EVERYDAY_WORDS = new Set(
  (
    'free will bill grant hope joy faith april may june august summer sunny rose dawn art chase chance guy ' +
    'king major miles rich sky star storm sage rusty honey case page brandy crystal amber happy lucky frank ' +
    'glad sterling young long love so sure fine ok okay just'
  ).split(' '),
);
/** Letters said as letters that are not a name. */
const ACRONYMS = new Set([
  'cvv',
  'cvc',
  'ssn',
  'po',
  'aba',
  'xp',
  'atm',
  'id',
  'usa',
  'ok',
  'pm',
  'am',
  'tv',
]);
const SPELLING_CUE = /\b(?:spelled|spell|spells|spelling|that's|that is)$/;

function isLetter(w: string): boolean {
  return /^[a-z]\.?$/.test(w);
}

/** Names spelled out: two letters or more in a row after a name (found or cued) or "spelled". */
function spelledNames(w: readonly string[], found: readonly PiiSpan[]): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (let i = 0; i < w.length; i += 1) {
    if (!isLetter(w[i] ?? '') || !isLetter(w[i + 1] ?? '')) continue;
    let last = i + 1;
    while (isLetter(w[last + 1] ?? '')) last += 1;
    const afterName = found.some((f) => f.last < i && i - f.last <= 12);
    if (
      ACRONYMS.has(
        w
          .slice(i, last + 1)
          .join('')
          .replace(/\./g, ''),
      )
    ) {
      i = last;
      continue;
    }
    if (afterName || SPELLING_CUE.test(w.slice(Math.max(0, i - 4), i).join(' ')))
      out.push({ type: 'NAME', first: i, last, confidence: 0.7 });
    i = last;
  }
  return out;
}

const MONTHS_AND_DAYS = new Set(
  [
    'january february march april may june july august september october november december',
    'monday tuesday wednesday thursday friday saturday sunday',
  ]
    .join(' ')
    .split(' '),
);

/** A known first name that is not also an everyday word ("maria", "mark"; not "bill", "may"). */
export function isFirstName(word: string): boolean {
  return (
    firstNames().has(word) &&
    !EVERYDAY_WORDS.has(word) &&
    !MONTHS_AND_DAYS.has(word) &&
    !NOT_NAME_WORDS.has(word)
  );
}

/** A known first name that is no common English word, month or day. */
function isUncommonName(word: string): boolean {
  return (
    firstNames().has(word) && !EVERYDAY_WORDS.has(word) && !MONTHS_AND_DAYS.has(word) && !isCommonWord(word)
  );
}

/** A word that may be a surname: no common English word, month or day, three letters or more. */
function isSurname(word: string): boolean {
  return (
    /^[a-z][a-z'-]{2,}$/.test(word) &&
    !NOT_NAME_WORDS.has(word) &&
    !MONTHS_AND_DAYS.has(word) &&
    !isCommonWord(word)
  );
}

function nameWords(w: readonly string[], start: number, max: number): number {
  let n = 0;
  while (n < max) {
    const word = w[start + n] ?? '';
    if (!isWordLike(word) || NOT_NAME_WORDS.has(word) || isNumberWord(word)) break;
    n += 1;
  }
  return n;
}

export function findNames(w: readonly string[]): PiiSpan[] {
  const out: PiiSpan[] = [];
  const names = firstNames();
  for (let i = 0; i < w.length; i += 1) {
    const before = w.slice(Math.max(0, i - 6), i).join(' ');
    const word = w[i] ?? '';
    if (!isWordLike(word) || NOT_NAME_WORDS.has(word)) continue;
    let count = 0;
    let confidence = 0;
    if (NAME_STRONG.test(before)) {
      count = nameWords(w, i, 3);
      confidence = 0.9;
    } else if (NAME_TITLES.has(w[i - 1] ?? '')) {
      count = Math.max(1, nameWords(w, i, names.has(word) ? 2 : 1));
      confidence = 0.85;
    } else if (
      names.has(word) &&
      !EVERYDAY_WORDS.has(word) &&
      (NAME_WEAK.test(before) || NAME_AFTER.has(w[i + 1] ?? '') || NAME_AFTER.has(w[i + 2] ?? ''))
    ) {
      count = nameWords(w, i, 2);
      confidence = 0.75;
    } else if (isUncommonName(word) && isSurname(w[i + 1] ?? '')) {
      // No cue (or one the recogniser lost): a first name and a surname, neither a common word
      // ("sharon phillips"; a first name alone, "david", is as often a misheard word).
      count = 2;
      confidence = 0.6;
    }
    if (count > 0) {
      out.push({ type: 'NAME', first: i, last: i + count - 1, confidence });
      i += count - 1;
    }
  }
  for (const spelled of spelledNames(w, out))
    if (!out.some((f) => f.first <= spelled.last && spelled.first <= f.last)) out.push(spelled);
  return out.sort((a, b) => a.first - b.first);
}

/** A question for a name, at the end of the other side's words ("can i have your name please"). */
const NAME_QUESTION =
  /\b(?:your (?:full |first |last )?name|name please|who am i (?:speaking|talking) (?:with|to)|who's calling|who is calling|name on the (?:card|account))\b/;

/** Whether the other side's last words ask for a name. */
export function asksForName(prompt: readonly string[]): boolean {
  return NAME_QUESTION.test(prompt.slice(-8).join(' '));
}

/** Words before a name in an answer ("yeah it's …", "sure, my name is …"). */
const ANSWER_LEADS = new Set(
  "yes yeah yep sure okay ok uh um so it it's its is my name name's this that's the first last full sorry".split(
    ' ',
  ),
);

/** The name that answers a question for one: the first one to three words of the answer after its leads. */
export function answeredName(w: readonly string[], start: number): PiiSpan[] {
  let i = start;
  while (ANSWER_LEADS.has(w[i] ?? '')) i += 1;
  const count = nameWords(w, i, 3);
  return count > 0 ? [{ type: 'NAME', first: i, last: i + count - 1, confidence: 0.7 }] : [];
}
