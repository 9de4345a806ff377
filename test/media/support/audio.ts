/** Test-side signal tools: tone synthesis and single-frequency DFT measurements. */

export function tone(
  sampleRate: number,
  frequency: number,
  amplitude: number,
  count: number,
  phase = 0,
): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++)
    out[i] = Math.round(amplitude * Math.sin(phase + (2 * Math.PI * frequency * i) / sampleRate));
  return out;
}

/** Amplitude of the `frequency` component (Goertzel-style DFT projection over the whole array). */
export function amplitudeAt(samples: ArrayLike<number>, sampleRate: number, frequency: number): number {
  let re = 0;
  let im = 0;
  const w = (2 * Math.PI * frequency) / sampleRate;
  for (let i = 0; i < samples.length; i++) {
    re += samples[i]! * Math.cos(w * i);
    im -= samples[i]! * Math.sin(w * i);
  }
  return (2 * Math.hypot(re, im)) / samples.length;
}

/** Sum of DFT bin powers between lo and hi Hz (inclusive), bins spaced sampleRate/length apart. */
export function bandPower(samples: ArrayLike<number>, sampleRate: number, lo: number, hi: number): number {
  const step = sampleRate / samples.length;
  let power = 0;
  for (let k = Math.ceil(lo / step); k * step <= hi && k <= samples.length / 2; k++) {
    power += amplitudeAt(samples, sampleRate, k * step) ** 2;
  }
  return power;
}

export const dB = (ratio: number): number => 20 * Math.log10(ratio);
