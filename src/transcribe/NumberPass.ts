import type { DecodedSegment } from './UtteranceDecoder.js';

/*
 * The number pass: an utterance whose first decode looks like a spoken number is decoded again with
 * grammars, as IVR systems recognise digits. A general language model turns spoken digits into
 * whatever words fit ("four seven" → "like that and"); a grammar of digits cannot. First a scan
 * (carrier words, then digits, then carrier words) finds where the digits are, then the digits
 * grammar alone decodes that stretch, and its words replace the first decode's there.
 * Measured in docs/asr.md#the-number-pass-asrnumberpass-on.
 */

const DIGITS = ['zero', 'oh', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const REPEATS = ['double', 'triple'];
/** Numbers read in pairs ("ninety nine", "twenty twenty seven") and house numbers. */
const TENS = [
  ...['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen'],
  ...['nineteen', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety', 'hundred'],
];
/** What callers say inside a number; kept in the digits grammar so they are not forced into digits. */
const FILLERS = ['uh', 'um', 'sorry', 'let me see', 'one second'];
/**
 * Words around a number in the scan: the most frequent English function words and the words of
 * numeric PII cues. Not the first decode's own words: those are where it misheard the digits.
 */
const CARRIER = (
  "the a an and is it's it that this my your our me i you we he she they his her its of in on at by " +
  'with from as be was are have has had do does did not no yes yeah okay ok sure so well right now ' +
  'just please thank thanks what which who where when how can could would will should may might ' +
  'here there then than about all any number card account code phone call ending last first digits ' +
  'name date'
).split(' ');

const NUMBER_WORDS = new Set([...DIGITS, ...REPEATS, ...TENS]);
/** What a language model writes for a number it heard: the number words and the digits' homophones. */
const NUMBER_LIKE = new Set([...NUMBER_WORDS, ...['to', 'too', 'for', 'fore', 'won', 'ate', 'o']]);
const FILLER_WORDS = new Set(FILLERS.flatMap((f) => f.split(' ')));

/** Digits in a row that make a stretch a number worth the second decode. */
const MIN_DIGITS = 3;
/** Decoder frames (10 ms) of audio kept before the scan's first digit and after its last. */
const MARGIN_BEFORE_FRAMES = 5;
const MARGIN_AFTER_FRAMES = 10;

function jsgf(name: string, rules: Readonly<Record<string, string>>): string {
  const body = Object.entries(rules)
    .map(([rule, expansion]) => `${rule === 'u' ? 'public ' : ''}<${rule}> = ${expansion};`)
    .join('\n');
  return `#JSGF V1.0;\ngrammar ${name};\n${body}\n`;
}

const digitItems = [...DIGITS, ...REPEATS, ...TENS, ...FILLERS].join(' | ');

/** Carrier words, a number, perhaps carrier words and a second number, carrier words. */
export const NUMBER_SCAN_GRAMMAR = jsgf('numberscan', {
  u: '[<c>+] <d>+ [<c>+ <d>+] [<c>+]',
  d: digitItems,
  c: CARRIER.filter((w) => !NUMBER_LIKE.has(w)).join(' | '),
});

/** Nothing but digits, "double"/"triple" and what callers say between them. */
export const DIGITS_GRAMMAR = jsgf('digits', { u: '<d>+', d: digitItems });

/**
 * Words that announce a number (the cues of the numeric PII types): where the first decode heard
 * one, the digits after it may be what it misheard as other words ("the three digit code on the
 * back is notable for" for "… oh double four").
 */
const NUMBER_CUES = new Set(
  'number card account routing phone security social pin code cvv digits expires expiry expiration zip ending'.split(
    ' ',
  ),
);

/** Whether the first decode's words may hold a number read out: worth the number pass. */
export function looksLikeNumber(words: readonly string[]): boolean {
  let numberLike = 0;
  let digits = 0;
  for (const w of words) {
    if (NUMBER_CUES.has(w)) return true;
    if (NUMBER_LIKE.has(w)) numberLike += 1;
    if (NUMBER_WORDS.has(w)) digits += 1;
  }
  return numberLike >= MIN_DIGITS && digits >= 1;
}

/**
 * Where the scan heard numbers: each run of at least MIN_DIGITS number words (fillers between them
 * allowed), with a margin; decoder frames, in order. Carrier words between two runs stay out of
 * both: they are the cue of the next number ("it expires", "the security code"), which a digits
 * grammar would turn into digits.
 */
export function numberStretches(scan: readonly DecodedSegment[]): { start: number; end: number }[] {
  const stretches: { start: number; end: number }[] = [];
  let i = 0;
  while (i < scan.length) {
    if (!NUMBER_WORDS.has(scan[i]!.word)) {
      i += 1;
      continue;
    }
    let digits = 0;
    let last = i;
    let j = i;
    for (; j < scan.length; j += 1) {
      const word = scan[j]!.word;
      if (NUMBER_WORDS.has(word)) {
        digits += 1;
        last = j;
      } else if (!FILLER_WORDS.has(word)) break;
    }
    if (digits >= MIN_DIGITS)
      stretches.push({
        start: Math.max(0, scan[i]!.startFrame - MARGIN_BEFORE_FRAMES),
        end: scan[last]!.endFrame + MARGIN_AFTER_FRAMES,
      });
    i = j;
  }
  return stretches;
}

/**
 * The first decode's segments with those inside `stretch` (by their middle) replaced by `digits`,
 * which are in frames from the stretch's start.
 */
export function spliceNumber(
  firstDecode: readonly DecodedSegment[],
  stretch: { start: number; end: number },
  digits: readonly DecodedSegment[],
): DecodedSegment[] {
  const middle = (s: DecodedSegment) => (s.startFrame + s.endFrame) / 2;
  return [
    ...firstDecode.filter((s) => middle(s) < stretch.start),
    ...digits.map((s) => ({
      ...s,
      startFrame: s.startFrame + stretch.start,
      endFrame: s.endFrame + stretch.start,
    })),
    ...firstDecode.filter((s) => middle(s) > stretch.end),
  ];
}
