import { SpeakerBaseline } from './SpeakerBaseline.js';
import { agitationOf, labelOf, roundScore, toneOf } from './ToneModel.js';
import type {
  AcousticWindow,
  ToneEstimate,
  VoiceToneLabel,
  VoiceToneScore,
  WordSentiment,
} from './VoiceToneTypes.js';

/*
 * One speaker's voice tone over a call, as Chime reports it: each analysis window with enough speech
 * is scored (SpeakerBaseline + ToneModel), and after each one the current average (the last 30
 * seconds of speech, Chime's "last 30 seconds") and the overall average (the whole call so far) are
 * updated, both weighted by speech. A pure processor: windows in, updates out.
 */

/** The current average covers the speaker's last 30 s of speech (Chime's voice tone workflow). */
export const CURRENT_SPEECH_MS = 30_000;
/** A window needs this much speech to be scored; quieter windows (listening) produce no update. */
export const MIN_WINDOW_SPEECH_MS = 1000;
/** No speech in the channel's first 10 s of audio is reported once (Chime: VoiceToneAnalysisFailure). */
export const NO_SPEECH_FAILURE_MS = 10_000;
/** Less speech than this in a window counts as none for that rule. */
const SOME_SPEECH_MS = 500;

/** An average over part of the call: media times, score (rounded, sums to 1) and label. */
export interface ToneSpan {
  readonly beginMs: number;
  readonly endMs: number;
  readonly score: VoiceToneScore;
  readonly label: VoiceToneLabel;
}

export type ToneUpdate =
  /** A window was scored: its own estimate, and the averages including it. */
  | {
      readonly kind: 'tone';
      readonly window: AcousticWindow;
      readonly estimate: ToneEstimate;
      readonly current: ToneSpan;
      readonly overall: ToneSpan;
    }
  /** The channel's first NO_SPEECH_FAILURE_MS of audio held no speech. */
  | { readonly kind: 'no-speech'; readonly audioMs: number };

export type ToneEnd =
  | { readonly kind: 'completed'; readonly current: ToneSpan; readonly overall: ToneSpan }
  | { readonly kind: 'no-speech'; readonly audioMs: number };

interface Scored {
  readonly beginMs: number;
  readonly endMs: number;
  readonly speechMs: number;
  readonly score: VoiceToneScore;
}

function average(windows: readonly Scored[]): ToneSpan {
  let weight = 0;
  let positive = 0;
  let negative = 0;
  let neutral = 0;
  for (const w of windows) {
    weight += w.speechMs;
    positive += w.score.positive * w.speechMs;
    negative += w.score.negative * w.speechMs;
    neutral += w.score.neutral * w.speechMs;
  }
  const score = roundScore({
    positive: positive / weight,
    negative: negative / weight,
    neutral: neutral / weight,
  });
  return { beginMs: windows[0]!.beginMs, endMs: windows.at(-1)!.endMs, score, label: labelOf(score) };
}

export class VoiceToneTracker {
  readonly #baseline = new SpeakerBaseline();
  readonly #scored: Scored[] = [];
  #audioMs = 0;
  #heardSpeech = false;
  #reportedNoSpeech = false;

  /** Scores a window (with the words spoken in it) and returns what changed. */
  addWindow(window: AcousticWindow, words: WordSentiment = { valence: 0, weight: 0 }): ToneUpdate[] {
    const out: ToneUpdate[] = [];
    this.#audioMs += Math.max(0, window.endMs - window.beginMs);
    if (window.speechMs >= SOME_SPEECH_MS) this.#heardSpeech = true;
    if (!this.#heardSpeech && !this.#reportedNoSpeech && this.#audioMs >= NO_SPEECH_FAILURE_MS) {
      this.#reportedNoSpeech = true;
      out.push({ kind: 'no-speech', audioMs: this.#audioMs });
    }
    if (window.speechMs < MIN_WINDOW_SPEECH_MS || window.pitchSt === null) return out;

    this.#baseline.observe(window);
    const features = this.#baseline.features(window);
    const agitation = agitationOf(features);
    const { score, label } = toneOf(agitation, words);
    const estimate: ToneEstimate = { score: roundScore(score), label, agitation, features, words };
    this.#scored.push({ beginMs: window.beginMs, endMs: window.endMs, speechMs: window.speechMs, score });
    out.push({ kind: 'tone', window, estimate, current: this.#current(), overall: average(this.#scored) });
    return out;
  }

  /** True once a window has been scored. */
  get hasTone(): boolean {
    return this.#scored.length > 0;
  }

  /** The call's end: the final averages, or the no-speech report if it was never sent. */
  finish(): ToneEnd | null {
    if (this.#scored.length > 0)
      return { kind: 'completed', current: this.#current(), overall: average(this.#scored) };
    if (this.#reportedNoSpeech) return null;
    this.#reportedNoSpeech = true;
    return { kind: 'no-speech', audioMs: this.#audioMs };
  }

  #current(): ToneSpan {
    let speech = 0;
    let from = this.#scored.length;
    while (from > 0 && speech < CURRENT_SPEECH_MS) speech += this.#scored[--from]!.speechMs;
    return average(this.#scored.slice(from));
  }
}
