/**
 * How words sound, to find a phrase the recogniser misheard: "writing number" for "routing
 * number", "security coat" for "security code", "shake it to" for "ship it to". Words become
 * ARPAbet phones from the CMU pronouncing dictionary (the dictionary pocketsphinx itself uses, so
 * every word it writes is there), loaded on first use; a phrase matches a stretch of whole words
 * when the weighted edit distance between their phones is small against the phrase's length.
 * Phones that sound alike (two vowels, a voiced and an unvoiced pair, two nasals) cost half a
 * substitution.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let dictionary: Readonly<Record<string, string>> | undefined;
const cache = new Map<string, readonly string[] | undefined>();

/** The phones of a word without stress marks ("routing" → R AW T IH NG), or undefined if unknown. */
export function phonesOf(word: string): readonly string[] | undefined {
  if (cache.has(word)) return cache.get(word);
  dictionary ??= (require('cmu-pronouncing-dictionary') as { dictionary: Record<string, string> }).dictionary;
  const entry = Object.hasOwn(dictionary, word) ? dictionary[word] : undefined;
  const phones = entry?.replace(/\d/g, '').split(' ');
  if (cache.size > 20_000) cache.clear();
  cache.set(word, phones);
  return phones;
}

const VOWELS = new Set('AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW'.split(' '));
/** Pairs that differ in voicing or place only a little; each costs half. */
const NEAR = new Set(
  [
    'P B',
    'T D',
    'K G',
    'F V',
    'S Z',
    'SH ZH',
    'CH JH',
    'TH DH',
    'M N',
    'N NG',
    'TH F',
    'DH D',
    'L R',
    'S SH',
  ].flatMap((p) => {
    const [a, b] = p.split(' ');
    return [`${a} ${b}`, `${b} ${a}`];
  }),
);

function substitution(a: string, b: string): number {
  if (a === b) return 0;
  if (VOWELS.has(a) && VOWELS.has(b)) return 0.5;
  return NEAR.has(`${a} ${b}`) ? 0.5 : 1;
}
const indel = (p: string): number => (VOWELS.has(p) ? 0.75 : 1);

/** Reused rows of the edit-distance table (phrases and stretches are a few dozen phones). */
let rowA = new Float64Array(64);
let rowB = new Float64Array(64);

/** Weighted edit distance between two phone sequences (insertions and deletions cost 1, a vowel 0.75). */
export function phoneDistance(a: readonly string[], b: readonly string[]): number {
  if (rowA.length <= b.length) {
    rowA = new Float64Array(b.length + 1);
    rowB = new Float64Array(b.length + 1);
  }
  let prev = rowA;
  let row = rowB;
  prev[0] = 0;
  for (let j = 1; j <= b.length; j += 1) prev[j] = (prev[j - 1] ?? 0) + indel(b[j - 1] ?? '');
  for (let i = 1; i <= a.length; i += 1) {
    const pa = a[i - 1] ?? '';
    const del = indel(pa);
    row[0] = (prev[0] ?? 0) + del;
    for (let j = 1; j <= b.length; j += 1) {
      const pb = b[j - 1] ?? '';
      row[j] = Math.min(
        (prev[j] ?? 0) + del,
        (row[j - 1] ?? 0) + indel(pb),
        (prev[j - 1] ?? 0) + substitution(pa, pb),
      );
    }
    [prev, row] = [row, prev];
  }
  return prev[b.length] ?? 0;
}

/** A phrase to find by sound, with what it stands for. */
export interface SoundPhrase<T> {
  readonly value: T;
  readonly phones: readonly string[];
}

/** The phrase's words as phones, or undefined when a word is not in the dictionary. */
export function soundPhrase<T>(text: string, value: T): SoundPhrase<T> | undefined {
  const phones: string[] = [];
  for (const w of text.split(' ')) {
    const p = phonesOf(w);
    if (p === undefined) return undefined;
    phones.push(...p);
  }
  return { value, phones };
}

/**
 * Per phrase list, the closest phrase of each stretch already heard (stretches repeat across
 * partials); a list is always matched with the same `maxDistance`.
 */
const stretchMemo = new WeakMap<object, Map<string, { value: unknown; distance: number } | null>>();

function closest<T>(
  phrases: readonly SoundPhrase<T>[],
  key: string,
  phones: readonly string[],
  maxDistance: (phones: number) => number,
): { value: T; distance: number } | null {
  let memo = stretchMemo.get(phrases);
  if (memo === undefined)
    stretchMemo.set(phrases, (memo = new Map<string, { value: unknown; distance: number } | null>()));
  const known = memo.get(key);
  if (known !== undefined) return known as { value: T; distance: number } | null;
  let best: { value: T; distance: number } | null = null;
  for (const phrase of phrases) {
    const n = phrase.phones.length;
    const max = maxDistance(n);
    if (Math.abs(phones.length - n) > n * max) continue;
    const d = phoneDistance(phrase.phones, phones) / n;
    if (d <= max && (best === null || d < best.distance)) best = { value: phrase.value, distance: d };
  }
  if (memo.size > 20_000) memo.clear();
  memo.set(key, best);
  return best;
}

export interface SoundMatch<T> {
  readonly value: T;
  /** First and last word index of the stretch that sounds like the phrase. */
  readonly first: number;
  readonly last: number;
  /** Distance over the phrase's phone count (0: the same phones). */
  readonly distance: number;
}

/**
 * The stretch of up to four whole words among words[from, to) that ends last and sounds like one
 * of the phrases: its weighted distance over the phrase's phone count n at most `maxDistance(n)`.
 * Words for which `skip` holds are never part of a stretch. Ties at the same end go to the closer
 * phrase.
 */
export function lastSoundingLike<T>(
  words: readonly string[],
  from: number,
  to: number,
  phrases: readonly SoundPhrase<T>[],
  maxDistance: (phones: number) => number,
  skip: (word: string) => boolean = () => false,
): SoundMatch<T> | undefined {
  for (let last = to - 1; last >= from; last -= 1) {
    let best: SoundMatch<T> | undefined;
    const phones: string[] = [];
    for (let first = last; first >= from && last - first < 4; first -= 1) {
      const w = words[first] ?? '';
      const p = skip(w) ? undefined : phonesOf(w);
      if (p === undefined) break;
      phones.unshift(...p);
      const found = closest(phrases, words.slice(first, last + 1).join(' '), phones, maxDistance);
      if (found !== null && (best === undefined || found.distance < best.distance))
        best = { value: found.value, first, last, distance: found.distance };
    }
    if (best !== undefined) return best;
  }
  return undefined;
}
