/**
 * What a partial result hides until its final decides: a partial holds the start of what may still
 * become PII — the first digits of a card number, "my name is" and a first word, "john dot smith
 * at" — and the entities of the final are not known yet. With redaction on, a partial masks, besides
 * the entities found in it:
 * - every number and the seven words after it (a street and a state may follow, or digits misheard
 *   as words: "one likely to throw florida"), a word in its last four that may be a misheard digit
 *   ("… for", "the vet for minds"), and everything after the last cue for a number ("the routing
 *   number is so for …"; a cue that names no PII after it, "floor", does not end that);
 * - everything after a cue for a name, an email or an address ("my name is", "email", "address",
 *   "i live at", "ship it to", "spelled", "mister"), and after a first name ("that is mark" …
 *   "calling"); a word that is no common English word (a surname, part of an email: "… johnson");
 * - letters spelled one by one, and an email being read ("… dot smith at …", "john at", a "dot" or
 *   an "underscore" alone, an "at" in the last five words);
 * - all of an answer to the other side's question for a number or a name ("and the pin?",
 *   PiiCallContext.ts).
 * The final shows again what turns out not to be PII.
 */
import { cueBefore } from './PiiCues.js';
import { EMAIL_BOUNDARY } from './PiiEmails.js';
import { asksForName, isFirstName } from './PiiNames.js';
import { isCommonWord } from './PersonNames.js';
import { promptCue } from './PiiNumbers.js';
import { PII_TYPES, type PiiEntityType, type PiiSpan } from './PiiTypes.js';
import { digitRuns, isDigitHomophone } from './SpokenNumbers.js';

const TEXT_CUES =
  /\b(?:name is|name's|my name|last name|first name|email|e-mail|e mail|mail address|address is|address|live at|living at|spell(?:ed|s)?|that's spelled|holder is|holder name|(?:ship|send) (?:it|them) to|mister|mr|mrs|missus|misses|miss|ms|doctor|dr)$/;

const TEXT_TYPES: ReadonlySet<PiiEntityType> = new Set(['NAME', 'EMAIL', 'ADDRESS']);

const EMAIL_MARKS = new Set(['dot', 'underscore', 'at']);

/**
 * Words after a number a partial hides with it (the ADDRESS rules read up to six after the number,
 * and a state up to seven).
 */
const AFTER_NUMBER = 7;
/** How close to the end of a partial a word that sounds like a digit is hidden ("the vet for minds"). */
const HOMOPHONE_REACH = 4;

/** Words between a cue and what it announces ("pin number is …", "name is …"). */
const LINK_WORDS = new Set(['is', 'was', 'are', 'number', 'code', 'address', 'of', 'it', "it's", 'at']);

function afterLinks(words: readonly string[], i: number): number {
  let j = i;
  while (LINK_WORDS.has(words[j] ?? '')) j += 1;
  return j;
}

function isLetter(w: string): boolean {
  return /^[a-z]\.?$/.test(w);
}

/**
 * Spans of the partial's words (after `context`, the caller's previous words) to mask: numbers when
 * a numeric type is to be redacted, the rest when a name, an email or an address is.
 */
export function partialMasks(
  words: readonly string[],
  context: readonly string[] = [],
  types: ReadonlySet<PiiEntityType> = new Set(PII_TYPES),
  prompt: readonly string[] = [],
): PiiSpan[] {
  const numbers = [...types].some((t) => !TEXT_TYPES.has(t));
  const text = [...types].some((t) => TEXT_TYPES.has(t));
  const all = [...context, ...words];
  const offset = context.length;
  const end = all.length - 1;
  const out: PiiSpan[] = [];
  const mask = (first: number, last: number): void => {
    if (last >= offset)
      out.push({ type: 'PIN', first: Math.max(first, offset) - offset, last: last - offset, confidence: 0 });
  };
  // The answer to a question for a number or a name ("and the pin?"): all of it, until its final.
  const asked = promptCue(prompt);
  if ((numbers && asked !== undefined && asked !== 'NOT_PII') || (text && asksForName(prompt)))
    mask(offset, end);
  // After a cue for a number, whatever follows may be its first, misheard digits ("the best
  // numbers … or the floor": a cue like "floor" after it does not end that).
  for (let at = all.length; numbers && at > 0;) {
    const cue = cueBefore(all, at, at);
    if (cue === undefined) break;
    if (cue.cue !== 'NOT_PII') {
      mask(afterLinks(all, cue.at + 1), end);
      break;
    }
    at = cue.at;
  }
  // A number and the words after it: a street and a city may follow, or more digits misheard as
  // words ("one likely to throw florida", "… two one one tool to one").
  if (numbers || types.has('ADDRESS'))
    for (const run of digitRuns(all)) mask(run.first, Math.min(end, run.last + AFTER_NUMBER));
  // "… the vet for", "… the vet for minds": a word that may be the first digit of a number still
  // to come.
  for (let i = Math.max(offset, end - HOMOPHONE_REACH + 1); numbers && i <= end; i += 1)
    if (isDigitHomophone(all[i] ?? '')) mask(i, i);
  for (let i = 0; text && i < all.length; i += 1) {
    if (TEXT_CUES.test(all.slice(Math.max(0, i - 4), i).join(' '))) {
      mask(afterLinks(all, i), end);
      break;
    }
  }
  for (let i = 0; text && i < all.length; i += 1) {
    if (isLetter(all[i] ?? '') && (isLetter(all[i + 1] ?? '') || isLetter(all[i - 1] ?? ''))) mask(i, i);
    // A first name: a surname, "calling" or an email may follow ("that is mark" … "calling"); a
    // word that is no common English word may be a surname or part of an email ("… johnson").
    if (isFirstName(all[i] ?? '')) mask(i, end);
    else if (/^[a-z]{3,}$/.test(all[i] ?? '') && !isCommonWord(all[i] ?? '')) mask(i, i);
    // An email being read: two of "dot", "underscore", "at" close together, a "dot" or an
    // "underscore" (rare outside emails), or an "at" in the last five words.
    const marks = all.slice(Math.max(0, i - 4), i + 5).filter((w) => EMAIL_MARKS.has(w)).length;
    if (EMAIL_MARKS.has(all[i] ?? '') && (marks >= 2 || all[i] !== 'at' || end - i < 6)) {
      let first = i;
      while (first > 0 && i - first < 4 && !EMAIL_BOUNDARY.has(all[first - 1] ?? '')) first -= 1;
      mask(first, marks >= 2 && all[i] === 'at' ? Math.min(end, i + 3) : end);
    }
  }
  return out;
}
