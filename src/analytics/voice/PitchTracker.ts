/*
 * Fundamental frequency (F0) of one short frame by YIN (de Cheveigné & Kawahara, "YIN, a fundamental
 * frequency estimator for speech and music", JASA 2002): difference function, cumulative mean
 * normalised difference (CMND), absolute threshold, parabolic interpolation.
 *
 * Hand-written rather than a library: pitchfinder is GPL-3.0 (Callsight is Apache-2.0), and pitchy's
 * McLeod method cannot bound the lag range, which on telephone-band speech gave octave and
 * sub-harmonic errors (26 Hz and 450 Hz frames for an 85 Hz voice, measured); YIN bounded to the
 * range of human voices is ~60 lines.
 */

/** Analysis rate: telephone audio carries nothing above 4 kHz, and halving the rate halves the cost. */
export const PITCH_SAMPLE_RATE = 8000;
/** Lowest and highest F0 searched, in Hz: below a deep male voice, above a raised female one. */
export const MIN_F0_HZ = 60;
export const MAX_F0_HZ = 400;
/** Integration window: 25 ms at 8 kHz. */
export const PITCH_WINDOW = 200;
const TAU_MIN = Math.floor(PITCH_SAMPLE_RATE / MAX_F0_HZ);
const TAU_MAX = Math.ceil(PITCH_SAMPLE_RATE / MIN_F0_HZ);
/** Samples one estimate reads: the window plus the longest lag (and one for interpolation). */
export const PITCH_FRAME = PITCH_WINDOW + TAU_MAX + 2;
/** YIN's absolute threshold: the first CMND dip below it is the period (the paper's 0.1–0.2). */
const DIP_THRESHOLD = 0.15;
/** Above this CMND minimum a frame is called unvoiced (aperiodic). */
export const VOICING_THRESHOLD = 0.35;

export interface PitchEstimate {
  /** F0 in Hz; 0 when the frame is unvoiced. */
  readonly f0Hz: number;
  /** CMND at the chosen lag: 0 perfectly periodic … ≥1 noise. */
  readonly aperiodicity: number;
}

const UNVOICED: PitchEstimate = { f0Hz: 0, aperiodicity: 1 };

/** Reusable YIN estimator (owns its scratch buffers; one per thread is enough). */
export class PitchTracker {
  readonly #cmnd = new Float64Array(TAU_MAX + 2);

  /**
   * Estimates F0 of `PITCH_FRAME` samples of `signal` from `start` (8 kHz, any scale). Returns
   * UNVOICED when there are not enough samples or nothing periodic in 60–400 Hz.
   */
  estimate(signal: Float32Array, start: number): PitchEstimate {
    if (start < 0 || start + PITCH_FRAME > signal.length) return UNVOICED;
    const cmnd = this.#cmnd;
    cmnd[0] = 1;
    let running = 0;
    for (let tau = 1; tau <= TAU_MAX + 1; tau++) {
      let sum = 0;
      for (let i = start, end = start + PITCH_WINDOW; i < end; i++) {
        const d = signal[i]! - signal[i + tau]!;
        sum += d * d;
      }
      running += sum;
      cmnd[tau] = running > 0 ? (sum * tau) / running : 1;
    }
    let best = -1;
    for (let tau = TAU_MIN; tau <= TAU_MAX; tau++) {
      if (cmnd[tau]! < DIP_THRESHOLD) {
        while (tau + 1 <= TAU_MAX && cmnd[tau + 1]! < cmnd[tau]!) tau++;
        best = tau;
        break;
      }
    }
    if (best < 0) {
      // No dip under the threshold: the global minimum, kept only if periodic enough.
      best = TAU_MIN;
      for (let tau = TAU_MIN + 1; tau <= TAU_MAX; tau++) if (cmnd[tau]! < cmnd[best]!) best = tau;
    }
    const aperiodicity = cmnd[best]!;
    if (aperiodicity >= VOICING_THRESHOLD) return { f0Hz: 0, aperiodicity };
    const a = cmnd[best - 1]!;
    const b = cmnd[best]!;
    const c = cmnd[best + 1]!;
    const curvature = a - 2 * b + c;
    const shift = curvature > 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / curvature)) : 0;
    return { f0Hz: PITCH_SAMPLE_RATE / (best + shift), aperiodicity };
  }
}
