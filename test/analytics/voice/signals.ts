/** Synthetic test signals at 16 kHz (Int16), deterministic. */

export const RATE = 16_000;

/** A voiced-like tone: fundamental `f0Hz` (a number or a function of time) with decaying harmonics. */
export function harmonicTone(
  f0Hz: number | ((t: number) => number),
  seconds: number,
  options: { amplitude?: number; harmonics?: number; withoutFundamental?: boolean } = {},
): Int16Array {
  const amplitude = options.amplitude ?? 0.3;
  const harmonics = options.harmonics ?? 6;
  const out = new Int16Array(Math.round(seconds * RATE));
  const f = typeof f0Hz === 'number' ? () => f0Hz : f0Hz;
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    phase += (2 * Math.PI * f(i / RATE)) / RATE;
    let v = 0;
    for (let h = options.withoutFundamental ? 2 : 1; h <= harmonics; h++) {
      if (h * f(i / RATE) >= RATE / 2) break;
      v += Math.sin(h * phase) / h;
    }
    out[i] = Math.round(Math.max(-1, Math.min(1, v * amplitude)) * 32767);
  }
  return out;
}

/** White noise from a fixed seed, RMS ≈ amplitude / √3 of full scale. */
export function noise(seconds: number, amplitude = 0.3, seed = 1): Int16Array {
  let state = seed;
  const out = new Int16Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    out[i] = Math.round(((state / 0x7fffffff) * 2 - 1) * amplitude * 32767);
  }
  return out;
}

export function silence(seconds: number): Int16Array {
  return new Int16Array(Math.round(seconds * RATE));
}

export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** 16 kHz → 8 kHz by dropping every other sample of a band-limited signal (tests only). */
export function to8k(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = samples[2 * i]! / 32768;
  return out;
}
