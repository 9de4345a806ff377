import { Downsampler2x } from '../../media/codec/Resampler.js';
import { PITCH_FRAME, PITCH_SAMPLE_RATE, PITCH_WINDOW, PitchTracker } from './PitchTracker.js';

/*
 * Short-time analysis of one channel: the pipeline's 16 kHz PCM, halved to 8 kHz (a telephone call
 * carries nothing above 4 kHz), cut into 25 ms frames every 10 ms, each with its level and F0. A
 * pure processor: samples in, frames out, no timers; `flush()` ends a segment (pause, stop).
 */

/** Frame hop: 10 ms. */
export const FRAME_HOP_MS = 10;
const HOP = (PITCH_SAMPLE_RATE / 1000) * FRAME_HOP_MS;
const SAMPLES_PER_MS = PITCH_SAMPLE_RATE / 1000;
/** Level of digital silence, in dBFS. */
export const SILENCE_DB = -96;
/** Frames quieter than this (dBFS) are not worth a pitch estimate: nothing audible is voiced there. */
const PITCH_GATE_DB = -55;

/** One 25 ms frame: when it starts, how loud it is, and its F0 (0 when unvoiced). */
export interface AcousticFrame {
  /** Media time of the frame's first sample, in ms since the call started. */
  readonly offsetMs: number;
  /** RMS level over the 25 ms window, in dBFS. */
  readonly levelDb: number;
  /** Fundamental frequency in Hz, 0 when unvoiced. */
  readonly f0Hz: number;
}

/** RMS level of `length` samples from `start`, in dBFS (samples scaled to ±1). */
export function levelDbfs(signal: Float32Array, start: number, length: number): number {
  let sum = 0;
  for (let i = start; i < start + length; i++) sum += signal[i]! * signal[i]!;
  const mean = sum / Math.max(1, length);
  return mean > 0 ? Math.max(SILENCE_DB, 10 * Math.log10(mean)) : SILENCE_DB;
}

export class FrameAnalyzer {
  readonly #down = new Downsampler2x();
  readonly #pitch: PitchTracker;
  /** 8 kHz samples not yet consumed by a frame (scaled to ±1), and how many are valid. */
  #buffer = new Float32Array(4096);
  #length = 0;
  /** Media time of #buffer[0], in ms; null before the first audio. */
  #startMs: number | null = null;

  constructor(pitch: PitchTracker = new PitchTracker()) {
    this.#pitch = pitch;
  }

  /** 16 kHz samples starting at `offsetMs` → the frames that are complete so far. */
  processInput(samples: Int16Array, offsetMs: number): AcousticFrame[] {
    if (samples.length === 0) return [];
    this.#startMs ??= offsetMs;
    this.#append(this.#down.process(samples));
    return this.#frames(PITCH_FRAME);
  }

  /** Ends the segment: the frames the remaining audio still makes (shorter ones have no pitch). */
  flush(): AcousticFrame[] {
    const frames = this.#frames(PITCH_WINDOW);
    this.#length = 0;
    this.#startMs = null;
    return frames;
  }

  #append(narrow: Int16Array): void {
    if (this.#length + narrow.length > this.#buffer.length) {
      const grown = new Float32Array(Math.max(2 * this.#buffer.length, this.#length + narrow.length));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    for (let i = 0; i < narrow.length; i++) this.#buffer[this.#length + i] = narrow[i]! / 32768;
    this.#length += narrow.length;
  }

  /** Frames whose first `need` samples are buffered; consumed samples are dropped. */
  #frames(need: number): AcousticFrame[] {
    const out: AcousticFrame[] = [];
    const buf = this.#buffer;
    let start = 0;
    for (; start + need <= this.#length; start += HOP) {
      const levelDb = levelDbfs(buf, start, PITCH_WINDOW);
      const f0Hz =
        levelDb > PITCH_GATE_DB && start + PITCH_FRAME <= this.#length
          ? this.#pitch.estimate(buf, start).f0Hz
          : 0;
      out.push({ offsetMs: this.#startMs! + start / SAMPLES_PER_MS, levelDb, f0Hz });
    }
    if (start > 0) {
      buf.copyWithin(0, start, this.#length);
      this.#length -= start;
      this.#startMs! += start / SAMPLES_PER_MS;
    }
    return out;
  }
}
