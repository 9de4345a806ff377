/**
 * Utterance sentiment (TCA `Sentiment`: POSITIVE, NEGATIVE, NEUTRAL, MIXED) for spoken, lower-case,
 * unpunctuated ASR text.
 *
 * Word valences come from wink-nlp's English sentiment lexicon (looked up once per word and cached),
 * overridden and extended by customer-service phrases (SentimentLexicon.ts). On top of them, rules
 * that ASR text needs because it has no punctuation to bound them:
 * - clauses are cut at conjunctions ("and", "but", "because", …), since wink's own negation scope
 *   runs to the next punctuation mark, i.e. to the end of an ASR utterance;
 * - a negator reverses the valence of a word up to three words after it in the same clause
 *   ("not happy", "i'm not at all satisfied"), as VADER does;
 * - intensifiers scale the next sentiment word ("really frustrated", "so angry");
 * - after a contrast word ("but", "though") the clause weighs 1.5× and the one before 0.5×;
 * - MIXED when both a clearly positive and a clearly negative part occur.
 */
import type { Sentiment } from './AnalyticsTypes.js';
import {
  CLAUSE_BREAKS,
  CONTRACTIONS,
  CONTRAST_WORDS,
  DOMAIN_VALENCE,
  INTENSIFIERS,
  MAX_PHRASE_WORDS,
  NEGATION_FACTOR,
  NEGATION_WINDOW,
  NEGATORS,
} from './SentimentLexicon.js';
import { winkNlp } from './WinkNlp.js';

export interface SentimentOptions {
  /** Weighted score at or above which an utterance is POSITIVE (default 0.3). */
  readonly positiveThreshold?: number;
  /** Weighted score at or below which an utterance is NEGATIVE, as a positive number (default 0.2). */
  readonly negativeThreshold?: number;
  /** Both the positive and the negative sum must reach this for MIXED (default 0.4). */
  readonly mixedMinimum?: number;
  /** The weaker side must be at least this share of the stronger for MIXED (default 0.45). */
  readonly mixedBalance?: number;
}

export interface SentimentResult {
  readonly sentiment: Sentiment;
  /** Squashed weighted score, -1 … 1. */
  readonly score: number;
  /** Sum of the positive valences (after negation and intensifiers). */
  readonly positive: number;
  /** Sum of the negative valences, as a positive number. */
  readonly negative: number;
}

export const DEFAULT_SENTIMENT_OPTIONS: Required<SentimentOptions> = Object.freeze({
  positiveThreshold: 0.3,
  negativeThreshold: 0.2,
  mixedMinimum: 0.4,
  mixedBalance: 0.45,
});

const wordCache = new Map<string, number>();
const WORD_CACHE_MAX = 50_000;

/** wink-nlp's valence of a single word (0 when it has none). */
function lexiconValence(word: string): number {
  const cached = wordCache.get(word);
  if (cached !== undefined) return cached;
  const nlp = winkNlp();
  /* eslint-disable-next-line @typescript-eslint/unbound-method -- wink-nlp's its.* are plain functions typed as methods */
  const value = nlp.readDoc(word).out(nlp.its.sentiment) as number;
  const valence = Number.isFinite(value) ? value : 0;
  if (wordCache.size < WORD_CACHE_MAX) wordCache.set(word, valence);
  return valence;
}

interface Unit {
  /** Index of the first word of the unit (a phrase or a word). */
  readonly index: number;
  readonly words: number;
  readonly valence: number;
  readonly phrase: boolean;
}

function normalise(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const w = (words[i] ?? '').toLowerCase().replace(/[^a-z0-9']/g, '');
    if (w === '') continue;
    // "can not" is how some recognisers spell "cannot".
    if (w === 'not' && out[out.length - 1] === 'can') {
      out[out.length - 1] = "can't";
      continue;
    }
    out.push(CONTRACTIONS.get(w) ?? w);
  }
  return out;
}

/** Splits the words into phrase and word units, longest domain phrase first. */
function units(words: readonly string[]): Unit[] {
  const out: Unit[] = [];
  let i = 0;
  while (i < words.length) {
    let matched: Unit | undefined;
    for (let n = Math.min(MAX_PHRASE_WORDS, words.length - i); n >= 1; n -= 1) {
      const phrase = words.slice(i, i + n).join(' ');
      const v = DOMAIN_VALENCE.get(phrase);
      if (v !== undefined) {
        matched = { index: i, words: n, valence: v, phrase: n > 1 };
        break;
      }
    }
    const word = words[i] ?? '';
    matched ??= {
      index: i,
      words: 1,
      valence: /^[a-z']+$/.test(word) ? lexiconValence(word) : 0,
      phrase: false,
    };
    out.push(matched);
    i += matched.words;
  }
  return out;
}

/** A leading "no" answers the previous speaker; it does not negate the rest ("no that's all thanks"). */
const ANSWER_FOLLOWERS = new Set([
  "that's",
  'i',
  "i'm",
  "it's",
  'thanks',
  'thank',
  'we',
  'you',
  'that',
  'it',
  'no',
]);

function isNegator(words: readonly string[], i: number): boolean {
  const w = words[i] ?? '';
  if (NEGATORS.has(w) || w.endsWith("n't")) return true;
  if (w === 'no') return !(i === 0 && ANSWER_FOLLOWERS.has(words[i + 1] ?? ''));
  return false;
}

export function analyzeSentiment(
  text: string | readonly string[],
  options: SentimentOptions = {},
): SentimentResult {
  const o = { ...DEFAULT_SENTIMENT_OPTIONS, ...options };
  const words = normalise(typeof text === 'string' ? text.split(/\s+/) : text);
  const list = units(words);

  // Clause of every unit, and which clauses follow or precede a contrast word.
  let clause = 0;
  const clauseOf: number[] = [];
  const contrastAfter = new Set<number>();
  for (const u of list) {
    const w = words[u.index] ?? '';
    if (!u.phrase && CLAUSE_BREAKS.has(w)) {
      clause += 1;
      if (CONTRAST_WORDS.has(w)) contrastAfter.add(clause);
    }
    clauseOf.push(clause);
  }
  const clauseCount = clause + 1;
  const clausePos = new Array<number>(clauseCount).fill(0);
  const clauseNeg = new Array<number>(clauseCount).fill(0);

  for (let k = 0; k < list.length; k += 1) {
    const u = list[k] as Unit;
    if (u.valence === 0) continue;
    let v = u.valence;
    const c = clauseOf[k] ?? 0;
    // Look back over the preceding single words of the same clause.
    let negated = false;
    let scale = 1;
    for (let j = k - 1, seen = 0; j >= 0 && seen < NEGATION_WINDOW; j -= 1) {
      const prev = list[j] as Unit;
      if (clauseOf[j] !== c) break;
      seen += prev.words;
      if (prev.phrase) continue;
      if (isNegator(words, prev.index)) negated = !negated;
      else if (seen <= 2) scale *= INTENSIFIERS.get(words[prev.index] ?? '') ?? 1;
    }
    if (negated && !u.phrase) v *= NEGATION_FACTOR;
    v *= scale;
    if (v > 0) clausePos[c] = (clausePos[c] ?? 0) + v;
    else clauseNeg[c] = (clauseNeg[c] ?? 0) - v;
  }

  let positive = 0;
  let negative = 0;
  let weighted = 0;
  const lastContrast = Math.max(-1, ...contrastAfter);
  for (let c = 0; c < clauseCount; c += 1) {
    const p = clausePos[c] ?? 0;
    const n = clauseNeg[c] ?? 0;
    positive += p;
    negative += n;
    const weight = lastContrast < 0 ? 1 : c < lastContrast ? 0.5 : 1.5;
    weighted += weight * (p - n);
  }

  const score = weighted / Math.sqrt(weighted * weighted + 1);
  let sentiment: Sentiment;
  const strong = Math.max(positive, negative);
  const weak = Math.min(positive, negative);
  if (weak >= o.mixedMinimum && weak >= o.mixedBalance * strong) sentiment = 'MIXED';
  else if (weighted >= o.positiveThreshold) sentiment = 'POSITIVE';
  else if (weighted <= -o.negativeThreshold) sentiment = 'NEGATIVE';
  else sentiment = 'NEUTRAL';
  return { sentiment, score: Math.round(score * 1000) / 1000, positive, negative };
}
