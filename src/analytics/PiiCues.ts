/**
 * The words before a number that say what it is ("routing", "security code", "expires", "social",
 * "pin", "phone", "order number", …), written as a recogniser writes them: lower case, no
 * punctuation, and spelled out as letters where people say them so ("c v v", "s s n").
 */
import type { PiiEntityType } from './PiiTypes.js';
import { lastSoundingLike, soundPhrase, type SoundPhrase } from './Pronunciations.js';
import { isDigitHomophone, isNumberWord } from './SpokenNumbers.js';

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

/**
 * Cues found by sound when the recogniser misheard them ("writing number", "shake it to", "the
 * expedited date"): the content words of the cues above, each at least five phones long (shorter
 * ones, "pin", "card", "order", sound like too many everyday words), matched with
 * Pronunciations.ts over stretches of words without link words ("number", "is", "my", …) and
 * digits.
 */
const SOUND_CUES: readonly (readonly [Cue, string])[] = [
  ['SSN', 'social security'],
  ['SSN', 'social'],
  ['BANK_ROUTING', 'routing'],
  ['BANK_ROUTING', 'transit'],
  ['BANK_ACCOUNT_NUMBER', 'account'],
  ['BANK_ACCOUNT_NUMBER', 'checking'],
  ['BANK_ACCOUNT_NUMBER', 'savings'],
  ['CREDIT_DEBIT_CVV', 'security code'],
  ['CREDIT_DEBIT_CVV', 'c v v'],
  ['CREDIT_DEBIT_CVV', 'three digit code'],
  ['CREDIT_DEBIT_CVV', 'code on back'],
  ['CREDIT_DEBIT_EXPIRY', 'expires'],
  ['CREDIT_DEBIT_EXPIRY', 'expiry'],
  ['CREDIT_DEBIT_EXPIRY', 'expiration'],
  ['CREDIT_DEBIT_EXPIRY', 'good through'],
  ['PHONE', 'cell phone'],
  ['PHONE', 'reach me at'],
  ['PHONE', 'call me back'],
  ['CARD_CUE', 'credit card'],
  ['CARD_CUE', 'debit card'],
  ['CARD_CUE', 'mastercard'],
  ['CARD_CUE', 'american express'],
  ['CARD_CUE', 'ending in'],
  ['NOT_PII', 'tracking'],
  ['NOT_PII', 'reference'],
  ['NOT_PII', 'confirmation'],
  ['NOT_PII', 'invoice'],
  ['NOT_PII', 'model'],
  ['NOT_PII', 'serial'],
  ['NOT_PII', 'ticket'],
  ['NOT_PII', 'customer since'],
  ['NOT_PII', 'extension'],
  ['NOT_PII', 'zip code'],
  ['NOT_PII', 'appointment'],
];
let soundCues: readonly SoundPhrase<Cue>[] | undefined;
function soundCueList(): readonly SoundPhrase<Cue>[] {
  soundCues ??= SOUND_CUES.flatMap(([cue, text]) => soundPhrase(text, cue) ?? []).filter(
    (p) => p.phones.length >= 5,
  );
  return soundCues;
}
/**
 * The share of a cue's phones that may differ (weighted) for a stretch to sound like it: a fifth for
 * one of five or six phones ("writing" for "routing", not "can't" for "account"), 0.3 for longer.
 */
const soundDistance = (phones: number): number => (phones <= 6 ? 0.2 : 0.3);

/** Link words around a cue ("the … number is"), never part of one heard by sound. */
const LINKS = new Set(['number', 'numbers', 'is', 'are', 'was', 'the', 'my', 'a', "it's", 'its', 'date']);
/**
 * Digits, their homophones, link words and the words of the cues above (which decided already:
 * "the phone number on the account") are never part of a cue heard by sound.
 */
const notCueSound = (w: string): boolean =>
  isNumberWord(w) || isDigitHomophone(w) || LINKS.has(w) || isCueWord(w);

/** The nearest cue ending before word `first`, looking back `window` words. */
export function cueBefore(
  words: readonly string[],
  first: number,
  window = CUE_WINDOW,
): FoundCue | undefined {
  const from = Math.max(0, first - window);
  const exact = exactCueBefore(words, from, first);
  // By sound only where no cue was heard as written after it.
  const sound = lastSoundingLike(
    words,
    exact === undefined ? from : exact.at + 1,
    first,
    soundCueList(),
    soundDistance,
    notCueSound,
  );
  return sound !== undefined ? { cue: sound.value, at: sound.last } : exact;
}

function exactCueBefore(words: readonly string[], from: number, first: number): FoundCue | undefined {
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
