/**
 * Scores of the voice tone model on the labelled set, shared by the tests (minimum scores) and
 * scripts/eval-voice-tone.ts (the report in bench/voice-tone-eval.json and docs/voice-tone.md).
 *
 * Each clip is scored as part of a call, through the code the worker and the processor run
 * (FrameAnalyzer → FeatureWindows → VoiceToneTracker), in one of two ways:
 * - "with baseline": the speaker first says four other sentences in their neutral voice (their
 *   first seconds on the call, from which SpeakerBaseline learns them), a pause, then the clip;
 * - "cold": the clip alone, as the first thing the speaker says (the baseline is the clip itself).
 * The clip's label is that of its windows' scores, averaged by speech.
 */
import { FrameAnalyzer } from '../../../src/analytics/voice/FrameAnalyzer.js';
import { FeatureWindows } from '../../../src/analytics/voice/FeatureWindows.js';
import { SpeakerBaseline } from '../../../src/analytics/voice/SpeakerBaseline.js';
import { labelOf } from '../../../src/analytics/voice/ToneModel.js';
import { VoiceToneTracker } from '../../../src/analytics/voice/VoiceToneTracker.js';
import type {
  AcousticWindow,
  ToneFeatures,
  VoiceToneLabel,
  VoiceToneScore,
} from '../../../src/analytics/voice/VoiceToneTypes.js';
import {
  clipAudio,
  clips,
  joinAudio,
  naturalRecordings,
  telephoneAudio,
  type Clip,
  type Split,
  type Style,
} from './voiceToneSet.js';

export type Mode = 'with-baseline' | 'cold';
export const STYLES: readonly Style[] = ['calm', 'neutral', 'agitated'];
export const LABELS: readonly VoiceToneLabel[] = ['positive', 'neutral', 'negative'];

/** The windows of consecutive segments (a segment ends as a pause ends one), one list per segment. */
export function analyseSegments(segments: readonly Int16Array[]): AcousticWindow[][] {
  const windows = new FeatureWindows();
  return segments.map((samples) => {
    const analyzer = new FrameAnalyzer();
    const out = windows.push(analyzer.processInput(samples, 0));
    out.push(...windows.push(analyzer.flush()));
    const last = windows.flush();
    if (last) out.push(last);
    return out;
  });
}

/** The opening a clip gets "with baseline": the same voice, neutral, four other sentences. */
function opening(clip: Clip, all: readonly Clip[]): Int16Array {
  const others = [1, 2, 3, 4].map((k) => (clip.sentence + k) % 6);
  const parts = others.map((sentence) => {
    const neutral = all.find(
      (c) => c.voice === clip.voice && c.style === 'neutral' && c.sentence === sentence,
    );
    if (!neutral) throw new Error(`no neutral clip of ${clip.voice} sentence ${sentence}`);
    return clipAudio(neutral);
  });
  return joinAudio(parts);
}

export interface ClipResult {
  readonly name: string;
  readonly style: Style | 'natural';
  readonly split: Split | 'natural';
  readonly label: VoiceToneLabel | null;
  readonly agitation: number | null;
  readonly features: ToneFeatures | null;
}

/** Scores `samples` after `lead` (the speaker's opening, if any), as a call would. */
export function scoreClip(
  samples: Int16Array,
  lead: Int16Array | null,
): Omit<ClipResult, 'name' | 'style' | 'split'> {
  const segments = lead ? [lead, samples] : [samples];
  const windowsBySegment = analyseSegments(segments);
  const tracker = new VoiceToneTracker();
  for (const window of windowsBySegment.slice(0, -1).flat()) tracker.addWindow(window);
  const updates = windowsBySegment.at(-1)!.flatMap((window) => tracker.addWindow(window));
  const tones = updates.flatMap((u) => (u.kind === 'tone' ? [u] : []));
  if (tones.length === 0) return { label: null, agitation: null, features: null };
  let weight = 0;
  const sum = { positive: 0, negative: 0, neutral: 0 };
  let agitation = 0;
  for (const t of tones) {
    const w = t.window.speechMs;
    weight += w;
    sum.positive += t.estimate.score.positive * w;
    sum.negative += t.estimate.score.negative * w;
    sum.neutral += t.estimate.score.neutral * w;
    agitation += t.estimate.agitation * w;
  }
  const score: VoiceToneScore = {
    positive: sum.positive / weight,
    negative: sum.negative / weight,
    neutral: sum.neutral / weight,
  };
  return { label: labelOf(score), agitation: agitation / weight, features: tones[0]!.estimate.features };
}

export function evaluateClips(mode: Mode, select: (clip: Clip) => boolean = () => true): ClipResult[] {
  const all = clips();
  return all.filter(select).map((clip) => ({
    name: clip.file,
    style: clip.style,
    split: clip.split,
    ...scoreClip(clipAudio(clip), mode === 'with-baseline' ? opening(clip, all) : null),
  }));
}

/**
 * The pocketsphinx-testdata recordings. The librivox reader and the cards speaker each read five:
 * each of theirs is scored after their other four (their baseline); the single recordings cold.
 */
export function evaluateNatural(): ClipResult[] {
  const recordings = naturalRecordings();
  const audio = new Map(recordings.map((r) => [r.name, telephoneAudio(r)]));
  const groupOf = (name: string) =>
    name.includes('/') && !name.startsWith('tidigits') ? name.split('/')[0]! : null;
  return recordings.map((recording) => {
    const group = groupOf(recording.name);
    const others = group
      ? recordings.filter((r) => r !== recording && groupOf(r.name) === group).map((r) => audio.get(r.name)!)
      : [];
    return {
      name: recording.name,
      style: 'natural' as const,
      split: 'natural' as const,
      ...scoreClip(audio.get(recording.name)!, others.length > 0 ? joinAudio(others) : null),
    };
  });
}

export interface SeparationScore {
  /** Calm and agitated clips: agitated read negative, calm read not negative. */
  readonly n: number;
  readonly accuracy: number;
  /** confusion[style][label] over every clip (a clip with too little speech counts as "none"). */
  readonly confusion: Record<string, Record<VoiceToneLabel | 'none', number>>;
  /** Neutral clips (and natural recordings) read not negative. */
  readonly neutralNotNegative: number;
  readonly errors: readonly {
    name: string;
    style: string;
    label: VoiceToneLabel | null;
    agitation: number | null;
  }[];
}

export function separation(results: readonly ClipResult[]): SeparationScore {
  const confusion: Record<string, Record<VoiceToneLabel | 'none', number>> = {};
  let n = 0;
  let ok = 0;
  let neutral = 0;
  let neutralOk = 0;
  const errors: { name: string; style: string; label: VoiceToneLabel | null; agitation: number | null }[] =
    [];
  for (const r of results) {
    const row = (confusion[r.style] ??= { positive: 0, neutral: 0, negative: 0, none: 0 });
    row[r.label ?? 'none'] += 1;
    if (r.style === 'calm' || r.style === 'agitated') {
      n += 1;
      const right = r.style === 'agitated' ? r.label === 'negative' : r.label !== 'negative';
      if (right) ok += 1;
      else errors.push({ name: r.name, style: r.style, label: r.label, agitation: r.agitation });
    } else {
      neutral += 1;
      if (r.label !== 'negative') neutralOk += 1;
      else errors.push({ name: r.name, style: r.style, label: r.label, agitation: r.agitation });
    }
  }
  return {
    n,
    accuracy: n === 0 ? 0 : ok / n,
    confusion,
    neutralNotNegative: neutral === 0 ? 0 : neutralOk / neutral,
    errors,
  };
}

/**
 * Refits the agitation model (ToneModel.ts, AGITATION_TERMS) on the tuning split's calm and agitated
 * clips, scored with their baseline: feature means and standard deviations, then L2-regularised
 * logistic regression by gradient descent. Returns what ToneModel.ts should say.
 */
export function fitAgitation(): {
  terms: Record<keyof ToneFeatures, { centre: number; scale: number; weight: number }>;
  bias: number;
} {
  const all = clips();
  const rows = all
    .filter((c) => c.split === 'tune' && c.style !== 'neutral')
    .map((clip) => {
      const windows = analyseSegments([opening(clip, all), clipAudio(clip)]);
      const baseline = new SpeakerBaseline();
      for (const w of windows[0]!) if (w.speechMs >= 1000 && w.pitchSt !== null) baseline.observe(w);
      const own = windows[1]!.filter((w) => w.speechMs >= 1000 && w.pitchSt !== null);
      for (const w of own) baseline.observe(w);
      return own.map((w) => ({ x: baseline.features(w), y: clip.style === 'agitated' ? 1 : 0 }));
    })
    .flat();
  const keys = Object.keys(rows[0]!.x) as (keyof ToneFeatures)[];
  const centre = keys.map((k) => rows.reduce((a, r) => a + r.x[k], 0) / rows.length);
  const scale = keys.map(
    (k, j) => Math.sqrt(rows.reduce((a, r) => a + (r.x[k] - centre[j]!) ** 2, 0) / rows.length) || 1,
  );
  const z = rows.map((r) => keys.map((k, j) => (r.x[k] - centre[j]!) / scale[j]!));
  let weights = keys.map(() => 0);
  let bias = 0;
  const lambda = 0.05;
  for (let iteration = 0; iteration < 5000; iteration++) {
    const grad = keys.map(() => 0);
    let gradBias = 0;
    rows.forEach((r, i) => {
      const p = 1 / (1 + Math.exp(-(bias + z[i]!.reduce((a, v, j) => a + v * weights[j]!, 0))));
      z[i]!.forEach((v, j) => (grad[j]! += (p - r.y) * v));
      gradBias += p - r.y;
    });
    weights = weights.map((w, j) => w - 0.2 * (grad[j]! / rows.length + lambda * w));
    bias -= (0.2 * gradBias) / rows.length;
  }
  const terms = {} as Record<keyof ToneFeatures, { centre: number; scale: number; weight: number }>;
  keys.forEach((k, j) => (terms[k] = { centre: centre[j]!, scale: scale[j]!, weight: weights[j]! }));
  return { terms, bias };
}
