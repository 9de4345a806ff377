/**
 * Amazon Transcribe's output style for engines that write bare lower-case words (pocketsphinx,
 * Vosk): the first word of an utterance and "I" capitalised, numbers as digits where Transcribe
 * writes them ("twenty six" → 26, "four one one one" → 4111, "nineteen eighty five" → 1985; a lone
 * "one" … "nine" stays a word, as Transcribe writes "one moment"), and a final utterance ends with
 * "." — or "?" when it opens as a question (a question word, or an auxiliary followed by its
 * subject: "can you …", "is there …"), after leading fillers and discourse words.
 *
 * Applied at the engine boundary (FallbackStream). An item keeps its own times: a number written
 * as one item spans its words, punctuation is an item at the end time of the word before it. The
 * recogniser's own words stay on the result — `spoken` on every item that merged or changed them,
 * `spokenTranscript` on the result — because the analytics (PII above all) read spoken numbers
 * ("for for two", "double five") that digits would hide: `spokenWords` gives them back.
 */
import type { RecognitionResult, RecognizedWord, SpeechEngineKind } from './SpeechEngineTypes.js';

/** The engines whose output is made readable here (the others write Transcribe's style themselves). */
export function writesBareWords(kind: SpeechEngineKind): boolean {
  return kind === 'pocketsphinx' || kind === 'vosk';
}

/** Word → value, from a space-separated list counted from `start` in `step`s. */
function counted(list: string, start: number, step: number): ReadonlyMap<string, number> {
  return new Map(list.split(' ').map((w, i) => [w, start + step * i]));
}
const UNITS = counted('zero one two three four five six seven eight nine', 0, 1);
const TEENS = counted(
  'ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen',
  10,
  1,
);
const TENS = counted('twenty thirty forty fifty sixty seventy eighty ninety', 20, 10);
const SCALES: ReadonlyMap<string, number> = new Map([
  ['thousand', 1_000],
  ['million', 1_000_000],
]);
/** "double five" is 55. */
const REPEATS: ReadonlyMap<string, number> = new Map([
  ['double', 2],
  ['triple', 3],
]);
/** Zero as a digit is read "oh" inside a number ("oh five", "two oh one"), never alone. */
const OH = new Set(['oh', 'o']);

const QUESTION_WORDS: ReadonlySet<string> = new Set(
  "what what's where where's when why who who's whom whose which how how's".split(' '),
);
/** Open a question when the next word is their subject ("can you", "is there", "do i"). */
const AUXILIARIES: ReadonlySet<string> = new Set(
  "am is are was were do does did can could will would shall should may might isn't aren't wasn't don't doesn't didn't can't couldn't won't wouldn't shouldn't haven't hasn't".split(
    ' ',
  ),
);
const SUBJECTS: ReadonlySet<string> = new Set(
  'i you we they he she it there that this these those my your our their his her its the anyone anybody someone somebody anything something everything'.split(
    ' ',
  ),
);
/** "have" opens a question only before a pronoun ("have you …", not "have a nice day"). */
const HAVE: ReadonlySet<string> = new Set(['have', 'has', 'had']);
const PRONOUNS: ReadonlySet<string> = new Set('i you we they he she it there'.split(' '));
/** Written after a number as Transcribe does: "$250", "20%". */
const SYMBOLS: ReadonlyMap<string, (digits: string) => string> = new Map([
  ['dollars', (d: string) => `$${d}`],
  ['dollar', (d: string) => `$${d}`],
  ['percent', (d: string) => `${d}%`],
]);
/** Skipped before deciding whether an utterance is a question ("so how …", "okay can you …"). */
const LEADING: ReadonlySet<string> = new Set(
  'uh um er ah hmm so and but well okay ok oh hi hello now then sorry alright'.split(' '),
);

/** A small number at i: "<unit|teen|tens [unit]>"; `next` is the index after it. */
function small(words: readonly string[], i: number): { value: number; next: number } | undefined {
  const w = words[i] ?? '';
  const value = UNITS.get(w) ?? TEENS.get(w);
  if (value !== undefined) return { value, next: i + 1 };
  const tens = TENS.get(w);
  if (tens === undefined) return undefined;
  const unit = UNITS.get(words[i + 1] ?? '');
  return unit !== undefined && unit > 0 ? { value: tens + unit, next: i + 2 } : { value: tens, next: i + 1 };
}

/** A number below 1000 at i: "[small hundred [and]] small". */
function belowThousand(words: readonly string[], i: number): { value: number; next: number } | undefined {
  const first = small(words, i);
  if (first === undefined) return undefined;
  if (words[first.next] !== 'hundred' || first.value === 0 || first.value >= 100) return first;
  const hundreds = { value: first.value * 100, next: first.next + 1 };
  const and = words[hundreds.next] === 'and';
  const at = and ? hundreds.next + 1 : hundreds.next;
  const rest = small(words, at);
  if (rest === undefined) return hundreds;
  // "one eight hundred five five five": single digits after the hundred are read one by one.
  if (!and && UNITS.has(words[at] ?? '') && UNITS.has(words[at + 1] ?? '')) return hundreds;
  return { value: hundreds.value + rest.value, next: rest.next };
}

interface Part {
  readonly digits: string;
  readonly next: number;
  /** One spoken digit ("four", "oh"). */
  readonly single: boolean;
  readonly oh: boolean;
}

/** One part of a spoken number at i, as its digits ("twenty six", "two thousand five", "oh"). */
function part(words: readonly string[], i: number, inRun: boolean): Part | undefined {
  const w = words[i] ?? '';
  if (inRun && OH.has(w)) return { digits: '0', next: i + 1, single: true, oh: true };
  const repeat = REPEATS.get(w);
  const repeated = UNITS.get(words[i + 1] ?? '');
  if (repeat !== undefined && repeated !== undefined)
    return { digits: String(repeated).repeat(repeat), next: i + 2, single: false, oh: false };
  let n = belowThousand(words, i);
  if (n === undefined) return undefined;
  let total = 0;
  for (
    let scale = SCALES.get(words[n.next] ?? '');
    scale !== undefined && n.value > 0;
    scale = SCALES.get(words[n.next] ?? '')
  ) {
    total += n.value * scale;
    const rest = belowThousand(words, n.next + 1);
    if (rest === undefined) return { digits: String(total), next: n.next + 1, single: false, oh: false };
    n = rest;
  }
  return {
    digits: String(total + n.value),
    next: n.next,
    single: n.next === i + 1 && UNITS.has(w),
    oh: false,
  };
}

/**
 * The spoken number starting at i as digits, or undefined: none, or a lone digit word — unless a
 * unit follows ("five percent" is 5%).
 */
function numberAt(words: readonly string[], i: number): { digits: string; next: number } | undefined {
  const parts: Part[] = [];
  for (let p = part(words, i, false); p !== undefined; p = part(words, p.next, true)) parts.push(p);
  // A trailing "oh" is an exclamation ("five oh no"), not a zero.
  while (parts.at(-1)?.oh === true) parts.pop();
  const last = parts.at(-1);
  if (last === undefined || (parts.length === 1 && last.single && !SYMBOLS.has(words[last.next] ?? '')))
    return undefined;
  return { digits: parts.map((p) => p.digits).join(''), next: last.next };
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** "i", "i'm", "i'll", "i've", "i'd" → "I", "I'm", … */
function pronounI(word: string): string {
  return word === 'i' || word.startsWith("i'") ? `I${word.slice(1)}` : word;
}

/** True when the words open as a question. */
export function isQuestion(words: readonly string[]): boolean {
  let i = 0;
  while (i < words.length - 1 && LEADING.has(words[i]!)) i += 1;
  const first = words[i] ?? '';
  if (QUESTION_WORDS.has(first)) return true;
  const next = words[i + 1] ?? '';
  return (AUXILIARIES.has(first) && SUBJECTS.has(next)) || (HAVE.has(first) && PRONOUNS.has(next));
}

/**
 * The readable items of an utterance's recognised words (lower case, no punctuation, in order).
 * `final`: close it with "." or "?".
 */
export function readableWords(words: readonly RecognizedWord[], final: boolean): RecognizedWord[] {
  const plain = words.map((w) => w.word.toLowerCase());
  const out: RecognizedWord[] = [];
  for (let i = 0; i < words.length;) {
    const number = numberAt(plain, i);
    if (number !== undefined) {
      const unit = SYMBOLS.get(plain[number.next] ?? '');
      const end = unit ? number.next + 1 : number.next;
      const spoken = words.slice(i, end);
      out.push({
        word: unit ? unit(number.digits) : number.digits,
        startMs: spoken[0]!.startMs,
        endMs: spoken.at(-1)!.endMs,
        confidence: spoken.reduce((s, w) => s + w.confidence, 0) / spoken.length,
        ...(spoken.every((w) => w.stable === true) && { stable: true }),
        spoken,
      });
      i = end;
      continue;
    }
    const word = words[i]!;
    let text = pronounI(plain[i]!);
    if (out.length === 0) text = capitalise(text);
    out.push(text === word.word ? word : { ...word, word: text, spoken: [word] });
    i += 1;
  }
  const last = out.at(-1);
  if (final && last !== undefined)
    out.push({
      word: isQuestion(plain) ? '?' : '.',
      startMs: last.endMs,
      endMs: last.endMs,
      confidence: 0,
      type: 'punctuation',
    });
  return out;
}

/** Items as a transcript: words separated by spaces, punctuation joined to the word before it. */
export function joinItems(items: readonly RecognizedWord[]): string {
  let text = '';
  for (const item of items) text += item.type === 'punctuation' || text === '' ? item.word : ` ${item.word}`;
  return text;
}

/** The recogniser's own words behind items (readable or not): punctuation dropped, merged numbers spread back. */
export function spokenWords(items: readonly RecognizedWord[]): RecognizedWord[] {
  return items.flatMap((w) => (w.type === 'punctuation' ? [] : (w.spoken ?? [w])));
}

/** A result in Transcribe's style; partials without word times have their transcript formatted alone. */
export function readableResult(result: RecognitionResult): RecognitionResult {
  const final = !result.isPartial;
  const spokenTranscript = result.transcript;
  if (result.words.length > 0) {
    const words = readableWords(result.words, final);
    return { ...result, transcript: joinItems(words), words, spokenTranscript };
  }
  const untimed = result.transcript
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((word) => ({ word, startMs: result.startMs, endMs: result.endMs, confidence: 0 }));
  return { ...result, transcript: joinItems(readableWords(untimed, final)), spokenTranscript };
}
