/**
 * Street addresses as spoken: a house number, one to four street words and a street suffix
 * ("one twenty three main street"), with a unit ("apartment five", "suite two b") and a city and US
 * state when they follow; "p o box …". After "my address is", "i live at" or "ship it to" a house
 * number starts an address even when the recogniser mangled the rest ("ship it to thirteen and
 * indeed the main card …"): up to six more words, to the end of the clause; so does a number
 * followed within seven words by a US state.
 */
import { NOT_NAME_WORDS } from './PersonNames.js';
import type { PiiSpan } from './PiiTypes.js';
import { isWordLike } from './PiiEmails.js';
import type { DigitRun } from './SpokenNumbers.js';

const STREET_SUFFIXES = new Set(
  (
    'street st avenue ave road rd drive lane boulevard blvd court way place circle terrace parkway highway ' +
    'trail square plaza pike row crescent close alley loop'
  ).split(' '),
);
const UNIT_DESIGNATORS = new Set(['apartment', 'apt', 'unit', 'suite', 'floor', 'flat', 'room']);
const US_STATES = new Set(
  (
    'alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii idaho illinois ' +
    'indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi missouri ' +
    'montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah vermont virginia washington ' +
    'wisconsin wyoming'
  ).split(' '),
);
const US_STATE_PAIRS = new Set([
  'new hampshire',
  'new jersey',
  'new mexico',
  'new york',
  'north carolina',
  'north dakota',
  'south carolina',
  'south dakota',
  'rhode island',
  'west virginia',
]);
/** Words after a number that make it a quantity. */
const QUANTITY_WORDS = new Set(
  'minutes hours days weeks months years dollars times kids children people dogs cats items'.split(' '),
);
/** Words that are never part of a street name. */
const NOT_STREET_WORDS = new Set([...NOT_NAME_WORDS, ...QUANTITY_WORDS]);

const ADDRESS_CUE = /\b(?:address(?: is)?|live at|lived at|living at|ship (?:it|them) to)$/;
/** Words that end the clause an address is said in. */
const CLAUSE_END = new Set(['and', 'thank', 'thanks', 'please', 'so', 'but', 'is', 'my', 'okay', 'ok']);

/** After an address cue: the house number and up to six more words, to the end of the clause. */
function afterAddressCue(w: readonly string[], run: DigitRun): PiiSpan | undefined {
  if (!ADDRESS_CUE.test(w.slice(Math.max(0, run.first - 4), run.first).join(' '))) return undefined;
  let last = run.last;
  while (last + 1 < w.length && last - run.last < 6 && !CLAUSE_END.has(w[last + 1] ?? '')) last += 1;
  return last > run.last ? { type: 'ADDRESS', first: run.first, last, confidence: 0.7 } : undefined;
}

/** The index of a US state (its last word) within `max` words after `from`, or -1. */
function stateAfter(w: readonly string[], from: number, max: number): number {
  for (let c = from; c < Math.min(w.length, from + max); c += 1) {
    if (US_STATE_PAIRS.has(`${w[c] ?? ''} ${w[c + 1] ?? ''}`)) return c + 1;
    if (US_STATES.has(w[c] ?? '')) return c;
  }
  return -1;
}

export function findAddresses(w: readonly string[], runs: readonly DigitRun[]): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const run of runs) {
    // "p o box four five six"
    const before = w.slice(Math.max(0, run.first - 3), run.first).join(' ');
    if (/(?:\bp o|\bpo|post office) box$/.test(before)) {
      const first =
        run.first - (before.startsWith('post office') || / p o box$|^p o box$/.test(before) ? 3 : 2);
      out.push({ type: 'ADDRESS', first: Math.max(0, first), last: run.last, confidence: 0.85 });
      continue;
    }
    if (run.digits.length > 6) continue;
    // House number, one to four street words, a suffix.
    let k = run.last + 1;
    let streetWords = 0;
    while (k < w.length && streetWords <= 4 && !STREET_SUFFIXES.has(w[k] ?? '')) {
      const word = w[k] ?? '';
      if (!isWordLike(word) || NOT_STREET_WORDS.has(word)) break;
      k += 1;
      streetWords += 1;
    }
    if (streetWords === 0 || !STREET_SUFFIXES.has(w[k] ?? '')) {
      // The street mangled, the city and state heard: "all twenty two in on portland oregon".
      const state = QUANTITY_WORDS.has(w[run.last + 1] ?? '') ? -1 : stateAfter(w, run.last + 1, 7);
      const cued = afterAddressCue(w, run);
      if (state >= 0)
        out.push({
          type: 'ADDRESS',
          first: run.first,
          last: Math.max(state, cued?.last ?? 0),
          confidence: 0.7,
        });
      else if (cued !== undefined) out.push(cued);
      continue;
    }
    let last = k;
    // Unit: "apartment five", "suite two b".
    if (UNIT_DESIGNATORS.has(w[last + 1] ?? '')) {
      const unit = runs.find((r) => r.first === last + 2);
      if (unit !== undefined) last = unit.last;
      else if (/^[a-z]$/.test(w[last + 2] ?? '')) last += 2;
    }
    // City and state: up to three words, then a state name.
    for (let c = last + 1; c <= last + 4 && c < w.length; c += 1) {
      const word = w[c] ?? '';
      const pair = `${word} ${w[c + 1] ?? ''}`;
      if (US_STATE_PAIRS.has(pair)) {
        last = c + 1;
        break;
      }
      if (US_STATES.has(word)) {
        last = c;
        break;
      }
      if (!isWordLike(word) || NOT_STREET_WORDS.has(word)) break;
    }
    out.push({ type: 'ADDRESS', first: run.first, last, confidence: 0.85 });
  }
  return out;
}
