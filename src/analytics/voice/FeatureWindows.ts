import { FRAME_HOP_MS, type AcousticFrame } from './FrameAnalyzer.js';
import type { AcousticWindow } from './VoiceToneTypes.js';

/*
 * Groups one channel's frames into analysis windows and summarises each: pitch level and range,
 * level and its variability, speaking rate and pauses. A pure processor (frames in, windows out);
 * the adaptive noise floor that tells speech from line noise lives across windows.
 */

/** Window length: Chime reports voice tone every 5 seconds. */
export const WINDOW_MS = 5000;
/** A frame is speech this far above the channel's noise floor (dB)… */
const SPEECH_OVER_FLOOR_DB = 10;
/** …or, voiced, this far… */
const VOICED_OVER_FLOOR_DB = 5;
/** …and never below this absolute level (dBFS). */
const MIN_SPEECH_DB = -50;
/** Noise floor per 10 ms frame: falls fast toward quieter audio, rises slowly (≈3 s) toward louder. */
const FLOOR_FALL = 0.3;
const FLOOR_RISE = 0.003;
const FLOOR_START_DB = -60;
const FLOOR_MIN_DB = -80;
/** Silences shorter than this are part of speech (stop closures, word joins); longer ones are pauses. */
const PAUSE_FRAMES = 200 / FRAME_HOP_MS;
/** Voiced runs shorter than this are dropped (clicks, creak); one-frame gaps inside a run are filled. */
const MIN_VOICED_RUN = 3;
/** Pitch and level statistics need at least this much voiced audio. */
const MIN_VOICED_FRAMES = 200 / FRAME_HOP_MS;
const MIN_SPEECH_FRAMES_FOR_RATE = 500 / FRAME_HOP_MS;
/** F0 more than this far from the window's median is an octave error, folded back by 12 semitones. */
const OCTAVE_FOLD_ST = 9;

/** A frame as the window keeps it: whether it was speech when it arrived. */
interface WindowFrame {
  readonly offsetMs: number;
  readonly levelDb: number;
  readonly f0Hz: number;
  readonly speech: boolean;
}

/** F0 in Hz → semitones relative to 100 Hz. */
export function semitones(f0Hz: number): number {
  return 12 * Math.log2(f0Hz / 100);
}

/** The p-quantile (0…1) of sorted values, by linear interpolation. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const at = p * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function standardDeviation(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / values.length);
}

/** Voicing after smoothing: one-frame gaps filled, runs under MIN_VOICED_RUN dropped. */
function smoothVoicing(frames: readonly WindowFrame[]): boolean[] {
  const voiced = frames.map((f) => f.speech && f.f0Hz > 0);
  for (let i = 1; i + 1 < voiced.length; i++)
    if (!voiced[i] && voiced[i - 1] && voiced[i + 1]) voiced[i] = true;
  for (let i = 0; i < voiced.length;) {
    if (!voiced[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < voiced.length && voiced[j]) j++;
    if (j - i < MIN_VOICED_RUN) for (let k = i; k < j; k++) voiced[k] = false;
    i = j;
  }
  return voiced;
}

/** Speech after closing gaps shorter than a pause. */
function closeShortGaps(frames: readonly WindowFrame[]): {
  speech: boolean[];
  pauseFrames: number;
  first: number;
  last: number;
} {
  const speech = frames.map((f) => f.speech);
  const first = speech.indexOf(true);
  const last = speech.lastIndexOf(true);
  let pauseFrames = 0;
  if (first < 0) return { speech, pauseFrames, first, last };
  for (let i = first; i <= last;) {
    if (speech[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j <= last && !speech[j]) j++;
    if (j - i < PAUSE_FRAMES) for (let k = i; k < j; k++) speech[k] = true;
    else pauseFrames += j - i;
    i = j;
  }
  return { speech, pauseFrames, first, last };
}

/** The features of one window of frames (exported for tests). */
export function summariseWindow(frames: readonly WindowFrame[]): AcousticWindow {
  const beginMs = frames[0]?.offsetMs ?? 0;
  const endMs = (frames.at(-1)?.offsetMs ?? beginMs) + FRAME_HOP_MS;
  const { speech, pauseFrames, first, last } = closeShortGaps(frames);
  const speechFrames = speech.filter(Boolean).length;
  const voiced = smoothVoicing(frames);

  // Voiced runs (onsets) and the frames with a pitch.
  let onsets = 0;
  const pitched: number[] = [];
  const voicedLevels: number[] = [];
  for (let i = 0; i < frames.length; i++) {
    if (!voiced[i]) continue;
    if (i === 0 || !voiced[i - 1]) onsets++;
    const frame = frames[i]!;
    voicedLevels.push(frame.levelDb);
    if (frame.f0Hz > 0) pitched.push(semitones(frame.f0Hz));
  }
  const voicedFrames = voicedLevels.length;

  let pitchSt: number | null = null;
  let pitchRangeSt: number | null = null;
  if (pitched.length >= MIN_VOICED_FRAMES) {
    const rough = quantile(
      [...pitched].sort((a, b) => a - b),
      0.5,
    );
    const folded = pitched
      .map((st) => {
        let v = st;
        while (v - rough > OCTAVE_FOLD_ST) v -= 12;
        while (rough - v > OCTAVE_FOLD_ST) v += 12;
        return v;
      })
      .sort((a, b) => a - b);
    pitchSt = quantile(folded, 0.5);
    pitchRangeSt = quantile(folded, 0.9) - quantile(folded, 0.1);
  }
  let levelDb: number | null = null;
  let levelSpreadDb: number | null = null;
  if (voicedFrames >= MIN_VOICED_FRAMES) {
    levelDb = quantile(
      [...voicedLevels].sort((a, b) => a - b),
      0.5,
    );
    levelSpreadDb = standardDeviation(voicedLevels);
  }
  const span = first < 0 ? 0 : last - first + 1;
  return {
    beginMs,
    endMs,
    speechMs: speechFrames * FRAME_HOP_MS,
    voicedMs: voicedFrames * FRAME_HOP_MS,
    pitchSt,
    pitchRangeSt,
    levelDb,
    levelSpreadDb,
    onsetRate:
      speechFrames >= MIN_SPEECH_FRAMES_FOR_RATE ? onsets / ((speechFrames * FRAME_HOP_MS) / 1000) : 0,
    pauseRatio: span > 0 ? pauseFrames / span : 0,
  };
}

export class FeatureWindows {
  readonly #windowMs: number;
  #floorDb = FLOOR_START_DB;
  #frames: WindowFrame[] = [];

  constructor(windowMs: number = WINDOW_MS) {
    this.#windowMs = windowMs;
  }

  /** Frames in media order → the windows they complete. */
  push(frames: readonly AcousticFrame[]): AcousticWindow[] {
    const out: AcousticWindow[] = [];
    for (const frame of frames) {
      const begin = this.#frames[0]?.offsetMs;
      if (begin !== undefined && frame.offsetMs >= begin + this.#windowMs) {
        out.push(summariseWindow(this.#frames));
        this.#frames = [];
      }
      this.#frames.push(this.#classify(frame));
    }
    return out;
  }

  /** The partial window, if any (at a pause or the end). */
  flush(): AcousticWindow | null {
    if (this.#frames.length === 0) return null;
    const window = summariseWindow(this.#frames);
    this.#frames = [];
    return window;
  }

  #classify(frame: AcousticFrame): WindowFrame {
    const floor = this.#floorDb;
    const speech =
      frame.levelDb >= Math.max(floor + SPEECH_OVER_FLOOR_DB, MIN_SPEECH_DB) ||
      (frame.f0Hz > 0 && frame.levelDb >= Math.max(floor + VOICED_OVER_FLOOR_DB, MIN_SPEECH_DB - 5));
    const rate = frame.levelDb < floor ? FLOOR_FALL : FLOOR_RISE;
    this.#floorDb = Math.max(FLOOR_MIN_DB, floor + rate * (frame.levelDb - floor));
    return { ...frame, speech };
  }
}
