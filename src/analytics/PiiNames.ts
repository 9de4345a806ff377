/**
 * Person names in speech: the words after "my name is", "name on the card is" (any words, up to
 * three); a title and a surname ("mister johnson"); after weaker cues ("this is", "speaking with",
 * "under", "thank you") only a known first name (PersonNames.ts) and an optional surname.
 */
import { firstNames, NOT_NAME_WORDS } from './PersonNames.js';
import type { PiiSpan } from './PiiTypes.js';
import { isWordLike } from './PiiEmails.js';
import { isNumberWord } from './SpokenNumbers.js';

const NAME_STRONG =
  /\b(?:my name is|my name's|name is|name on the (?:card|account) is|card ?holder name is|the name is|name's)$/;
const NAME_TITLES = new Set(['mister', 'mr', 'mrs', 'missus', 'misses', 'miss', 'ms', 'doctor', 'dr']);
const NAME_WEAK =
  /\b(?:this is|i'm|i am|it's|speaking with|talking to|talking with|under|thank you|thanks|hi|hello|bye|goodbye|morning|afternoon|evening)$/;

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
    } else if (NAME_WEAK.test(before) && names.has(word)) {
      count = nameWords(w, i, 2);
      confidence = 0.75;
    }
    if (count > 0) {
      out.push({ type: 'NAME', first: i, last: i + count - 1, confidence });
      i += count - 1;
    }
  }
  return out;
}
