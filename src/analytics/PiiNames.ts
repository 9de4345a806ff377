/**
 * Person names in speech: the words after "my name is", "name on the card is" (any words, up to
 * three); a title and a surname ("mister johnson"); after weaker cues ("this is", "speaking with",
 * "under", "thank you", or before "calling") only a known first name (PersonNames.ts) that is not also an everyday word
 * ("i'm free", "i'm april …"), and an optional surname; and a name spelled out letter by letter
 * ("s m i t h") after a name or "spelled".
 */
import { firstNames, NOT_NAME_WORDS } from './PersonNames.js';
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
