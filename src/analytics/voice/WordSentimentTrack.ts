import type { SharedUtterance } from '../AnalyticsTypes.js';
import { SENTIMENT_VALENCE } from './ToneModel.js';
import type { WordSentiment } from './VoiceToneTypes.js';

/** Utterances older than this (media time, behind the newest) are forgotten. */
const KEEP_MS = 120_000;

interface Span {
  readonly beginMs: number;
  readonly endMs: number;
  readonly valence: number;
}

/**
 * One channel's final utterances with their sentiment, as other processors share them, so a voice
 * tone window can weigh what was said while it was spoken. Utterances without sentiment (the plain
 * Transcribe processor's) are kept as known-neutral words: they tell that the words are final.
 */
export class WordSentimentTrack {
  #spans: Span[] = [];
  #latestEndMs = -Infinity;

  add(utterance: SharedUtterance): void {
    if (utterance.endMs <= utterance.beginMs) return;
    const valence =
      utterance.sentimentScore !== undefined && Number.isFinite(utterance.sentimentScore)
        ? Math.max(-1, Math.min(1, utterance.sentimentScore))
        : utterance.sentiment
          ? SENTIMENT_VALENCE[utterance.sentiment]
          : 0;
    this.#spans.push({ beginMs: utterance.beginMs, endMs: utterance.endMs, valence });
    this.#latestEndMs = Math.max(this.#latestEndMs, utterance.endMs);
    this.#spans = this.#spans.filter((s) => s.endMs >= this.#latestEndMs - KEEP_MS);
  }

  /** End of the latest final utterance, ms (−Infinity before any). */
  get latestEndMs(): number {
    return this.#latestEndMs;
  }

  /**
   * The words' valence over [beginMs, endMs), weighted by overlap, and how much of the window's
   * `speechMs` of speech they cover (utterances include some silence, so the weight is capped at 1).
   */
  over(beginMs: number, endMs: number, speechMs: number): WordSentiment {
    if (endMs <= beginMs) return { valence: 0, weight: 0 };
    let covered = 0;
    let sum = 0;
    for (const span of this.#spans) {
      const overlap = Math.min(endMs, span.endMs) - Math.max(beginMs, span.beginMs);
      if (overlap <= 0) continue;
      covered += overlap;
      sum += overlap * span.valence;
    }
    if (covered === 0) return { valence: 0, weight: 0 };
    return { valence: sum / covered, weight: Math.min(1, covered / Math.max(1000, speechMs)) };
  }
}
