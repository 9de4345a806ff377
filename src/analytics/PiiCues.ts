/**
 * The words before a number that say what it is ("routing", "security code", "expires", "social",
 * "pin", "phone", "order number", …), written as a recogniser writes them: lower case, no
 * punctuation, and spelled out as letters where people say them so ("c v v", "s s n").
 */
import type { PiiEntityType } from './PiiTypes.js';

export type Cue = PiiEntityType | 'CARD_CUE' | 'NOT_PII';

/** How many words before a number its cue may be. */
export const CUE_WINDOW = 8;

/** Cues before a digit run; the one nearest to the run decides. */
const CUES: readonly (readonly [Cue, RegExp])[] = [
  ['SSN', /\b(?:social(?: security)?|ssn|s s n|security number)\b/g],
  ['BANK_ROUTING', /\b(?:routing|aba|transit number)\b/g],
  // "the phone number on the account" names where the number is kept, not what it is.
  [
    'BANK_ACCOUNT_NUMBER',
    /(?<!\b(?:on|for|under|to|from|with) (?:the|my|this|your|our|that) )\b(?:bank|checking|savings|account)\b/g,
  ],
  ['PIN', /\b(?:pin|pin number|pin code|passcode|pass code)\b/g],
  [
    'CREDIT_DEBIT_CVV',
    /\b(?:security code|cvv|c v v|cvc|c v c|cid|(?:three|four) digit code|code on the back|on the back|verification code|card code)\b/g,
  ],
  [
    'CREDIT_DEBIT_EXPIRY',
    /\b(?:expir\w*|exp date|x p|valid (?:thru|through|until)|good (?:thru|through|until))\b/g,
  ],
  [
    'PHONE',
    /\b(?:phone|cell|mobile|call|calling|called|reach|text|area code|contact|landline|fax|dial|my number|best numbers?)\b/g,
  ],
  [
    'CARD_CUE',
    /\b(?:card|credit|debit|visa|mastercard|master card|amex|american express|discover|ending in)\b/g,
  ],
  [
    'NOT_PII',
    /\b(?:order|reference|tracking|confirmation|case|ticket|invoice|serial|model|claim|policy|room|flight|booking|member|membership|customer|option|extension|press|zip|zip code|postal code|apartment|unit|suite|floor|version|step|page|item)\b/g,
  ],
];

export interface FoundCue {
  readonly cue: Cue;
  /** Index of the cue's last word. */
  readonly at: number;
}

/** The nearest cue ending before word `first`, looking back `window` words. */
export function cueBefore(
  words: readonly string[],
  first: number,
  window = CUE_WINDOW,
): FoundCue | undefined {
  const from = Math.max(0, first - window);
  const slice = words.slice(from, first);
  const context = slice.join(' ');
  let best: Cue | undefined;
  let bestEnd = -1;
  for (const [cue, re] of CUES) {
    re.lastIndex = 0;
    for (let m = re.exec(context); m !== null; m = re.exec(context)) {
      const end = m.index + m[0].length;
      // Later cues in CUES lose ties: "account number" ends at "number" for both ACCOUNT and PHONE.
      if (end > bestEnd) {
        bestEnd = end;
        best = cue;
      }
    }
  }
  if (best === undefined) return undefined;
  // The word the match ends in: count the words of the context before its end.
  const at = from + context.slice(0, bestEnd).split(' ').length - 1;
  return { cue: best, at };
}

/** Whether `cue` is anywhere in the CUE_WINDOW words before word `first`. */
export function hasCue(words: readonly string[], first: number, cue: Cue): boolean {
  const context = words.slice(Math.max(0, first - CUE_WINDOW), first).join(' ');
  const re = CUES.find(([c]) => c === cue)?.[1];
  if (re === undefined) return false;
  re.lastIndex = 0;
  return re.test(context);
}

/** Whether the word is (part of) some cue: a number does not run on across it. */
export function isCueWord(word: string): boolean {
  return CUES.some(([, re]) => {
    re.lastIndex = 0;
    return re.test(word);
  });
}
