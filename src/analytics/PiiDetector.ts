/**
 * PII in ASR form: the entities Amazon Transcribe identifies (PiiTypes.ts), found in lower-case
 * spoken words ("my card is four one one one …", "john at example dot com", "double five",
 * "twenty twenty six") rather than in digits and punctuation.
 *
 * Numbers are read by SpokenNumbers.ts into digit runs; each run is classified by its length, its
 * checksum (Luhn for cards, ABA for routing numbers) and the nearest cue among the eight words
 * before it ("routing", "security code", "expires", "social", "pin", "phone", "order number", …).
 * Emails are "<local> at <domain> dot <tld>"; addresses a house number, street words and a street
 * suffix (plus unit, city and state); names follow "my name is", a title ("mister"), or a weaker cue
 * ("this is", "speaking with", "under") when the next word is a known first name.
 *
 * Pure and synchronous; a 20-word utterance takes a few µs.
 */
import { firstNames, NOT_NAME_WORDS } from './PersonNames.js';
import { PII_TYPES, type PiiEntity, type PiiEntityType } from './PiiTypes.js';
import { abaRoutingValid, digitRuns, isNumberWord, luhnValid, type DigitRun } from './SpokenNumbers.js';
import { transcriptText, wordSpan, type TranscriptText } from './TranscriptText.js';

export interface PiiDetectorOptions {
  /** Types to report (default all; see parsePiiEntityTypes). */
  readonly types?: ReadonlySet<PiiEntityType>;
  /** The recogniser's confidence of each word, 0 … 1, to weigh the entity confidence. */
  readonly wordConfidences?: readonly number[];
}

interface Found {
  readonly type: PiiEntityType;
  readonly first: number;
  readonly last: number;
  readonly confidence: number;
}

const CONTEXT_WORDS = 8;

type Cue = PiiEntityType | 'CARD_CUE' | 'NOT_PII';

/** Cues before a digit run; the one nearest to the run decides. */
const CUES: readonly (readonly [Cue, RegExp])[] = [
  ['SSN', /\b(?:social(?: security)?|ssn|s s n)\b/g],
  ['BANK_ROUTING', /\b(?:routing|aba|transit number)\b/g],
  // "the phone number on the account" names where the number is kept, not what it is.
  [
    'BANK_ACCOUNT_NUMBER',
    /(?<!\b(?:on|for|under|to|from|with) (?:the|my|this|your|our|that) )\b(?:bank|checking|savings|account)\b/g,
  ],
  ['PIN', /\b(?:pin|passcode|pass code)\b/g],
  [
    'CREDIT_DEBIT_CVV',
    /\b(?:security code|cvv|c v v|cvc|c v c|cid|(?:three|four) digit code|code on the back|verification code|card code)\b/g,
  ],
  [
    'CREDIT_DEBIT_EXPIRY',
    /\b(?:expir\w*|exp date|valid (?:thru|through|until)|good (?:thru|through|until))\b/g,
  ],
  [
    'PHONE',
    /\b(?:phone|cell|mobile|call|calling|reach|text|area code|contact|landline|fax|dial|my number)\b/g,
  ],
  ['CARD_CUE', /\b(?:card|credit|debit|visa|mastercard|master card|amex|american express|discover)\b/g],
  [
    'NOT_PII',
    /\b(?:order|reference|tracking|confirmation|case|ticket|invoice|serial|model|claim|policy|room|flight|booking|member|membership|customer|option|extension|press|zip|zip code|postal code|apartment|unit|suite|floor|version|step|page|item)\b/g,
  ],
];

/** Words after a run that make it a quantity, a time or a price, not an identifier. */
const UNIT_WORDS = new Set([
  'dollars',
  'dollar',
  'bucks',
  'cents',
  'percent',
  'minutes',
  'minute',
  'hours',
  'hour',
  'days',
  'day',
  'weeks',
  'months',
  'years',
  'year',
  'times',
  'pounds',
  'miles',
  'am',
  'pm',
  "o'clock",
  'kids',
  'people',
]);

const MONTHS = new Set([
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
]);

const STREET_SUFFIXES = new Set([
  'street',
  'st',
  'avenue',
  'ave',
  'road',
  'rd',
  'drive',
  'lane',
  'boulevard',
  'blvd',
  'court',
  'way',
  'place',
  'circle',
  'terrace',
  'parkway',
  'highway',
  'trail',
  'square',
  'plaza',
  'pike',
  'row',
  'crescent',
  'close',
  'alley',
  'loop',
]);
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
/** Words that are never part of a street name. */
const NOT_STREET_WORDS = new Set([
  ...NOT_NAME_WORDS,
  'minutes',
  'hours',
  'days',
  'years',
  'dollars',
  'times',
  'kids',
  'dogs',
  'cats',
  'items',
]);

const TLDS = new Set(
  'com net org edu gov io co us uk ca info biz me tv ai app dev mil int de fr au in nl es it eu'.split(' '),
);
const EMAIL_JOINERS = new Set(['dot', 'underscore', 'dash', 'hyphen', 'period']);
/** Words that end the local part of an email, read backwards from "at". */
const EMAIL_BOUNDARY = new Set(
  (
    "is was it's its my email e-mail mail address me to at the send use try that's yes sure okay ok um uh and or " +
    "on as under from with reach write in be should could would you your his her our their i'm am are"
  ).split(' '),
);

const NAME_STRONG =
  /\b(?:my name is|my name's|name is|name on the (?:card|account) is|card ?holder name is|the name is|name's)$/;
const NAME_TITLES = new Set(['mister', 'mr', 'mrs', 'missus', 'misses', 'miss', 'ms', 'doctor', 'dr']);
const NAME_WEAK =
  /\b(?:this is|i'm|i am|it's|speaking with|talking to|talking with|under|thank you|thanks|hi|hello|bye|goodbye|morning|afternoon|evening)$/;

function isWordLike(w: string): boolean {
  return /^[a-z][a-z'-]*$/.test(w);
}

/** The nearest cue before word `first`, looking back CONTEXT_WORDS words. */
function nearestCue(t: TranscriptText, first: number): Cue | undefined {
  const from = Math.max(0, first - CONTEXT_WORDS);
  const context = t.words.slice(from, first).join(' ');
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
  return best;
}

function hasCue(t: TranscriptText, first: number, cue: Cue): boolean {
  const from = Math.max(0, first - CONTEXT_WORDS);
  const context = t.words.slice(from, first).join(' ');
  const re = CUES.find(([c]) => c === cue)?.[1];
  if (re === undefined) return false;
  re.lastIndex = 0;
  return re.test(context);
}

function validExpiry(digits: string): boolean {
  if (digits.length === 3) return digits[0] !== '0';
  const month = Number(digits.slice(0, 2));
  return (digits.length === 4 || digits.length === 6) && month >= 1 && month <= 12;
}

function classifyRun(t: TranscriptText, run: DigitRun): Found | undefined {
  const { digits } = run;
  const n = digits.length;
  const after = t.words[run.last + 1] ?? '';
  if (UNIT_WORDS.has(after)) return undefined;
  const cue = nearestCue(t, run.first);
  const found = (type: PiiEntityType, confidence: number, first = run.first): Found => ({
    type,
    first,
    last: run.last,
    confidence,
  });
  switch (cue) {
    case 'SSN':
      if (n === 9) return found('SSN', 0.9);
      if (n === 4) return found('SSN', 0.8);
      return undefined;
    case 'BANK_ROUTING':
      if (n === 9) return found('BANK_ROUTING', abaRoutingValid(digits) ? 0.95 : 0.6);
      return undefined;
    case 'PIN':
      return n >= 4 && n <= 8 ? found('PIN', 0.9) : undefined;
    case 'CREDIT_DEBIT_CVV':
      return n === 3 || n === 4 ? found('CREDIT_DEBIT_CVV', 0.9) : undefined;
    case 'CREDIT_DEBIT_EXPIRY': {
      // "march twenty twenty six", "june of twenty twenty eight".
      let first = run.first;
      if (t.words[first - 1] === 'of' && MONTHS.has(t.words[first - 2] ?? '')) first -= 2;
      else if (MONTHS.has(t.words[first - 1] ?? '')) first -= 1;
      if (first < run.first) return n === 2 || n === 4 ? found('CREDIT_DEBIT_EXPIRY', 0.9, first) : undefined;
      return validExpiry(digits) ? found('CREDIT_DEBIT_EXPIRY', 0.85) : undefined;
    }
    case 'BANK_ACCOUNT_NUMBER':
      if (n >= 13 && n <= 19 && luhnValid(digits) && hasCue(t, run.first, 'CARD_CUE')) {
        return found('CREDIT_DEBIT_NUMBER', 0.9);
      }
      return n >= 6 && n <= 17 ? found('BANK_ACCOUNT_NUMBER', 0.85) : undefined;
    case 'PHONE':
      if (n === 7 || n === 10 || (n === 11 && digits[0] === '1')) return found('PHONE', 0.9);
      if (n >= 13 && n <= 19 && luhnValid(digits)) return found('CREDIT_DEBIT_NUMBER', 0.85);
      return undefined;
    case 'NOT_PII':
      return undefined;
    case 'CARD_CUE':
    case undefined:
    default:
      if (n >= 13 && n <= 19)
        return luhnValid(digits) ? found('CREDIT_DEBIT_NUMBER', cue === 'CARD_CUE' ? 0.97 : 0.9) : undefined;
      if (cue === undefined && (n === 10 ? /^[2-9]/.test(digits) : n === 11 && digits[0] === '1'))
        return found('PHONE', 0.7);
      return undefined;
  }
}

function findEmails(t: TranscriptText): Found[] {
  const out: Found[] = [];
  const w = t.words;
  for (let at = 1; at < w.length - 1; at += 1) {
    if (w[at] !== 'at') continue;
    // Domain: label (dot label)+ ending in a top-level domain; a label is one or two words or "a dash b".
    let j = at + 1;
    let last = -1;
    let labels = 0;
    while (j < w.length) {
      let k = j;
      let words = 0;
      while (k < w.length && w[k] !== 'dot' && words < 4) {
        const word = w[k] ?? '';
        if (!(isWordLike(word) || /^\d+$/.test(word) || isNumberWord(word))) break;
        k += 1;
        words += 1;
      }
      if (words === 0) break;
      labels += 1;
      if (labels > 1 && TLDS.has(w[k - 1] ?? '') && words === 1) last = k - 1;
      if (w[k] !== 'dot') break;
      j = k + 1;
    }
    if (last < 0) continue;
    // Local part: back from "at" until a boundary word, at most six words.
    let first = at;
    while (first - 1 >= 0 && at - (first - 1) <= 6) {
      const word = w[first - 1] ?? '';
      if (EMAIL_BOUNDARY.has(word)) break;
      if (!(isWordLike(word) || /^\d+$/.test(word) || EMAIL_JOINERS.has(word))) break;
      first -= 1;
    }
    if (first === at || EMAIL_JOINERS.has(w[first] ?? '')) continue;
    out.push({ type: 'EMAIL', first, last, confidence: 0.95 });
    at = last;
  }
  // Written forms, if the recogniser formats them.
  for (let i = 0; i < w.length; i += 1) {
    if (/^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/.test(w[i] ?? ''))
      out.push({ type: 'EMAIL', first: i, last: i, confidence: 0.97 });
  }
  return out;
}

function findAddresses(t: TranscriptText, runs: readonly DigitRun[]): Found[] {
  const out: Found[] = [];
  const w = t.words;
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
    if (streetWords === 0 || !STREET_SUFFIXES.has(w[k] ?? '')) continue;
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

function nameWords(t: TranscriptText, start: number, max: number): number {
  let n = 0;
  while (n < max) {
    const word = t.words[start + n] ?? '';
    if (!isWordLike(word) || NOT_NAME_WORDS.has(word) || isNumberWord(word)) break;
    n += 1;
  }
  return n;
}

function findNames(t: TranscriptText): Found[] {
  const out: Found[] = [];
  const w = t.words;
  const names = firstNames();
  for (let i = 0; i < w.length; i += 1) {
    const before = w.slice(Math.max(0, i - 6), i).join(' ');
    const word = w[i] ?? '';
    if (!isWordLike(word) || NOT_NAME_WORDS.has(word)) continue;
    let count = 0;
    let confidence = 0;
    if (NAME_STRONG.test(before)) {
      count = nameWords(t, i, 3);
      confidence = 0.9;
    } else if (NAME_TITLES.has(w[i - 1] ?? '')) {
      count = Math.max(1, nameWords(t, i, names.has(word) ? 2 : 1));
      confidence = 0.85;
    } else if (NAME_WEAK.test(before) && names.has(word)) {
      count = nameWords(t, i, 2);
      confidence = 0.75;
    }
    if (count > 0) {
      out.push({ type: 'NAME', first: i, last: i + count - 1, confidence });
      i += count - 1;
    }
  }
  return out;
}

function overlaps(a: Found, b: Found): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** Finds the PII entities of one utterance, in order. */
export function detectPii(words: string | readonly string[], options: PiiDetectorOptions = {}): PiiEntity[] {
  const list = typeof words === 'string' ? words.split(/\s+/) : words;
  const t = transcriptText(list.map((x) => x.toLowerCase()));
  const types = options.types ?? new Set(PII_TYPES);
  const runs = digitRuns(t.words);

  // Structured entities first; digit runs inside them are not classified again.
  const found: Found[] = [];
  const take = (candidates: readonly Found[]): void => {
    for (const c of candidates) if (!found.some((f) => overlaps(f, c))) found.push(c);
  };
  take(findEmails(t));
  take(findAddresses(t, runs));
  take(findNames(t));
  const classified: Found[] = [];
  for (const run of runs) {
    const c = classifyRun(t, run);
    if (c !== undefined) classified.push(c);
  }
  take(classified);

  const conf = options.wordConfidences;
  return found
    .filter((f) => types.has(f.type))
    .sort((a, b) => a.first - b.first)
    .map((f) => {
      const span = wordSpan(t, f.first, f.last);
      let asr = 1;
      if (conf !== undefined && conf.length === t.words.length) {
        let sum = 0;
        for (let i = f.first; i <= f.last; i += 1) sum += conf[i] ?? 1;
        asr = sum / (f.last - f.first + 1);
      }
      return {
        Type: f.type,
        Category: 'PII' as const,
        Content: t.text.slice(span.begin, span.end),
        CharacterOffsets: { Begin: span.begin, End: span.end },
        Words: { First: f.first, Last: f.last },
        Confidence: Math.round(f.confidence * asr * 1e4) / 1e4,
      };
    });
}
