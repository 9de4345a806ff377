/**
 * How faithfully audio came through a call: the received recording is aligned with what was sent
 * (coarse lag from 10 ms energy envelopes, then sample-exact cross-correlation around it), and the
 * two are compared block by block. A relay that forwards G.711 packets unchanged gives correlations
 * near 1 (μ-law quantisation alone costs about 0.0005); unrelated speech gives about 0.
 */
export interface AudioMatch {
  /** Samples the received audio lags behind what was sent (positive: it arrived later). */
  readonly lagSamples: number;
  /** Normalised cross-correlation of the overlapping audio at that lag, −1..1. */
  readonly correlation: number;
  /** Correlation of the 10 ms energy envelopes at that lag. */
  readonly envelopeCorrelation: number;
  /** Per 1 s block with speech in it: the share of blocks whose correlation is above 0.9. */
  readonly blocksAbove90: number;
  readonly blocks: number;
  /** Seconds of sent audio covered by the received recording. */
  readonly overlapSeconds: number;
}

const ENVELOPE_SAMPLES = 80; // 10 ms at 8 kHz

function envelope(samples: Int16Array): Float64Array {
  const out = new Float64Array(Math.floor(samples.length / ENVELOPE_SAMPLES));
  for (let f = 0; f < out.length; f++) {
    let energy = 0;
    for (let i = f * ENVELOPE_SAMPLES; i < (f + 1) * ENVELOPE_SAMPLES; i++)
      energy += samples[i]! * samples[i]!;
    out[f] = Math.log1p(energy / ENVELOPE_SAMPLES);
  }
  return out;
}

/** Pearson correlation of a[i] and b[i + lag] over their overlap (at least `minOverlap` items). */
function correlationAt(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  lag: number,
  from = 0,
  to = a.length,
): number {
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  let n = 0;
  const start = Math.max(from, -lag);
  const end = Math.min(to, b.length - lag);
  for (let i = start; i < end; i++) {
    const x = a[i]!;
    const y = b[i + lag]!;
    sa += x;
    sb += y;
    saa += x * x;
    sbb += y * y;
    sab += x * y;
    n++;
  }
  if (n < 2) return 0;
  const cov = sab - (sa * sb) / n;
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0;
}

/**
 * Compares `received` with `sent` (both 8 kHz mono), searching lags from −maxLeadMs to +maxLagMs.
 */
export function matchAudio(
  sent: Int16Array,
  received: Int16Array,
  maxLagMs = 3000,
  maxLeadMs = 500,
): AudioMatch {
  const es = envelope(sent);
  const er = envelope(received);
  let coarse = 0;
  let best = -Infinity;
  for (let lag = -Math.round(maxLeadMs / 10); lag <= Math.round(maxLagMs / 10); lag++) {
    const c = correlationAt(es, er, lag);
    if (c > best) {
      best = c;
      coarse = lag;
    }
  }
  let lagSamples = coarse * ENVELOPE_SAMPLES;
  let correlation = -Infinity;
  for (let lag = (coarse - 2) * ENVELOPE_SAMPLES; lag <= (coarse + 2) * ENVELOPE_SAMPLES; lag++) {
    const c = correlationAt(sent, received, lag);
    if (c > correlation) {
      correlation = c;
      lagSamples = lag;
    }
  }
  const overlapStart = Math.max(0, -lagSamples);
  const overlapEnd = Math.min(sent.length, received.length - lagSamples);
  let blocks = 0;
  let above = 0;
  for (let from = overlapStart; from + 8000 <= overlapEnd; from += 8000) {
    let energy = 0;
    for (let i = from; i < from + 8000; i++) energy += sent[i]! * sent[i]!;
    if (energy / 8000 < 100 * 100) continue; // a silent block says nothing
    blocks++;
    if (correlationAt(sent, received, lagSamples, from, from + 8000) > 0.9) above++;
  }
  return {
    lagSamples,
    correlation,
    envelopeCorrelation: best,
    blocksAbove90: blocks === 0 ? 0 : above / blocks,
    blocks,
    overlapSeconds: Math.max(0, overlapEnd - overlapStart) / 8000,
  };
}
