import type { ToneFeatures, VoiceToneLabel, VoiceToneScore, WordSentiment } from './VoiceToneTypes.js';

/*
 * The voice tone model, in two small steps that can be read off this file (docs/voice-tone.md):
 *
 * 1. Agitation: a logistic model of what the voice carries, relative to the speaker's baseline.
 *    agitation = σ(bias + Σ weight · (feature − centre) / scale). A voice higher, louder, wider in
 *    pitch and faster than the speaker's own first seconds reads agitated; pauses read calm.
 *    Centres and scales are the feature means and standard deviations of the tuning split of
 *    test/fixtures/voice-tone (calm and agitated clips); the weights were fitted there by L2-
 *    regularised logistic regression and rounded (`node --import tsx scripts/eval-voice-tone.ts --fit`
 *    refits them and prints them beside these).
 *
 * 2. Tone: three logits, softmaxed into Chime's voiceToneScore (TONE_WEIGHTS: 6, 3, 2.5, 1.2).
 *      negative = agitationToNegative · (agitation − ½) − words · w
 *      positive = calmToPositive · (½ − agitation) + words · w
 *      neutral  = neutralPrior
 *    where `words` is the words' valence (−1 … 1) times how much of the window they cover. Agitation
 *    pushes negative; a calm voice leans positive; positive words with a calm voice are positive;
 *    with no evidence either way the tone is neutral.
 */

export interface AgitationTerm {
  readonly centre: number;
  readonly scale: number;
  readonly weight: number;
}

/** Per-feature terms of the agitation logit (see the file comment for where the numbers come from). */
export const AGITATION_TERMS: Readonly<Record<keyof ToneFeatures, AgitationTerm>> = {
  /** Median F0 above the speaker's baseline, semitones. */
  pitchDeltaSt: { centre: 1.5, scale: 5.3, weight: 1.06 },
  /** F0 spread (10th–90th percentile) above the speaker's baseline spread, semitones. */
  pitchRangeDeltaSt: { centre: -0.4, scale: 1.5, weight: 0.6 },
  /** Level above the speaker's baseline, dB. */
  levelDeltaDb: { centre: 0.24, scale: 6.56, weight: 1.12 },
  /** Standard deviation of the voiced frames' level above the speaker's baseline, dB. */
  levelSpreadDeltaDb: { centre: 0, scale: 1.2, weight: 0.26 },
  /** log(onset rate ÷ baseline rate). */
  rateLogRatio: { centre: 0, scale: 0.29, weight: 0.25 },
  /** Share of the speaking span that is pause. */
  pauseRatio: { centre: 0.05, scale: 0.08, weight: -0.32 },
};
export const AGITATION_BIAS = -0.1;

/** Step 2's constants. */
export const TONE_WEIGHTS = {
  /** How hard agitation pushes negative (per unit of agitation above ½). */
  agitationToNegative: 6,
  /** How hard calm pushes positive (per unit of agitation below ½). */
  calmToPositive: 3,
  /** How hard the words' valence pushes its own way. */
  words: 2.5,
  /** The neutral logit: the evidence the other two must beat. */
  neutralPrior: 1.2,
} as const;

/** Sentiment labels of shared utterances as a valence, when no score comes with them. */
export const SENTIMENT_VALENCE: Readonly<Record<'POSITIVE' | 'NEGATIVE' | 'NEUTRAL' | 'MIXED', number>> = {
  POSITIVE: 0.6,
  NEGATIVE: -0.6,
  NEUTRAL: 0,
  MIXED: 0,
};

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** The agitation logit's terms, for explaining a score (term per feature, plus the bias). */
export function agitationTerms(features: ToneFeatures): Record<keyof ToneFeatures, number> {
  const out = {} as Record<keyof ToneFeatures, number>;
  for (const key of Object.keys(AGITATION_TERMS) as (keyof ToneFeatures)[]) {
    const term = AGITATION_TERMS[key];
    out[key] = (term.weight * (features[key] - term.centre)) / term.scale;
  }
  return out;
}

/** Probability that the voice is agitated, 0 … 1. */
export function agitationOf(features: ToneFeatures): number {
  const terms = agitationTerms(features);
  return sigmoid(AGITATION_BIAS + Object.values(terms).reduce((a, b) => a + b, 0));
}

/**
 * Rounds to thousandths with the three still summing to 1 (the largest absorbs the rounding), as
 * Chime's scores do (it prints two or three decimals).
 */
export function roundScore(score: VoiceToneScore): VoiceToneScore {
  const keys = ['positive', 'negative', 'neutral'] as const;
  const milli = keys.map((k) => Math.round(score[k] * 1000));
  const largest = milli.indexOf(Math.max(...milli));
  milli[largest]! += 1000 - milli.reduce((a, b) => a + b, 0);
  return { positive: milli[0]! / 1000, negative: milli[1]! / 1000, neutral: milli[2]! / 1000 };
}

/** The label of a score: its largest class (ties go to neutral, then negative). */
export function labelOf(score: VoiceToneScore): VoiceToneLabel {
  if (score.neutral >= score.negative && score.neutral >= score.positive) return 'neutral';
  return score.negative >= score.positive ? 'negative' : 'positive';
}

/** Step 2: agitation and the words' sentiment → Chime's score (unrounded) and label. */
export function toneOf(
  agitation: number,
  words: WordSentiment,
): { score: VoiceToneScore; label: VoiceToneLabel } {
  const w = TONE_WEIGHTS;
  const valence = Math.max(-1, Math.min(1, words.valence)) * Math.max(0, Math.min(1, words.weight));
  const a = agitation - 0.5;
  const zNegative = w.agitationToNegative * a - w.words * valence;
  const zPositive = -w.calmToPositive * a + w.words * valence;
  const zNeutral = w.neutralPrior;
  const top = Math.max(zNegative, zPositive, zNeutral);
  const e = [zPositive, zNegative, zNeutral].map((z) => Math.exp(z - top));
  const sum = e[0]! + e[1]! + e[2]!;
  const score = { positive: e[0]! / sum, negative: e[1]! / sum, neutral: e[2]! / sum };
  return { score, label: labelOf(score) };
}
