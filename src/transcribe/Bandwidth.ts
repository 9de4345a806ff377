/**
 * Is 16 kHz audio wideband, or telephone audio (8 kHz, nothing above 4 kHz) upsampled? The CMN
 * starting point depends on it: the cepstrum of band-limited speech is far from the acoustic
 * model's wideband mean (docs/asr.md).
 */

const SAMPLE_RATE = 16_000;
const CUTOFF_HZ = 5_000;
const TAPS = 63;
const BLOCK = 160;
/** Blocks within this many dB of the loudest count (speech, not the pre-roll's noise or dither). */
const LOUD_BLOCK_DB = 20;
/**
 * Upsampled G.711 measures −58…−78 dB above 5 kHz (resampler leakage); wideband speech −3…−45 dB
 * (MP3-sourced LibriVox the lowest). docs/asr.md has the measurements.
 */
export const WIDEBAND_THRESHOLD_DB = -50;

/** Blackman-windowed sinc high-pass at CUTOFF_HZ. */
function designHighPass(): Float64Array {
  const h = new Float64Array(TAPS);
  const m = (TAPS - 1) / 2;
  const fc = CUTOFF_HZ / SAMPLE_RATE;
  for (let n = 0; n < TAPS; n++) {
    const d = n - m;
    const w =
      0.42 - 0.5 * Math.cos((2 * Math.PI * n) / (TAPS - 1)) + 0.08 * Math.cos((4 * Math.PI * n) / (TAPS - 1));
    const lowPass = d === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * d) / (Math.PI * d);
    h[n] = ((d === 0 ? 1 : 0) - lowPass) * w;
  }
  return h;
}

const HIGH_PASS = designHighPass();

/**
 * Energy above 5 kHz relative to all energy, in dB, over the 10 ms blocks within 20 dB of the
 * loudest one. −Infinity for silence.
 */
export function highBandLevelDb(samples: Int16Array): number {
  const high: number[] = [];
  const total: number[] = [];
  for (let start = 0; start + BLOCK <= samples.length; start += BLOCK) {
    let h = 0;
    let t = 0;
    for (let n = start; n < start + BLOCK; n++) {
      let y = 0;
      for (let k = 0; k < TAPS && k <= n; k++) y += HIGH_PASS[k]! * samples[n - k]!;
      h += y * y;
      t += samples[n]! * samples[n]!;
    }
    high.push(h);
    total.push(t);
  }
  const loudest = Math.max(0, ...total);
  if (loudest === 0) return -Infinity;
  const floor = loudest / 10 ** (LOUD_BLOCK_DB / 10);
  let h = 0;
  let t = 0;
  total.forEach((energy, i) => {
    if (energy >= floor) {
      h += high[i]!;
      t += energy;
    }
  });
  return 10 * Math.log10(h / t);
}

/** True when the audio carries speech above 5 kHz, i.e. it did not come through an 8 kHz channel. */
export function isWideband(samples: Int16Array): boolean {
  return highBandLevelDb(samples) > WIDEBAND_THRESHOLD_DB;
}
