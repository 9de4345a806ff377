/**
 * Loudness scores of an utterance from its PCM, one per second as in Transcribe's post-call
 * `LoudnessScores`. Each score is the window's RMS level in dBFS plus 100, so silence is near 0 and
 * normal telephone speech (about -30 to -15 dBFS) lands near 70–85, the range Transcribe reports.
 * The offset is Callsight's choice; Transcribe does not document its scale.
 */

const FLOOR_DBFS = -100;

export function loudnessScores(samples: Int16Array, sampleRate: number, windowMs = 1000): number[] {
  const window = Math.max(1, Math.round((sampleRate * windowMs) / 1000));
  const out: number[] = [];
  for (let start = 0; start < samples.length; start += window) {
    const end = Math.min(samples.length, start + window);
    // A trailing piece shorter than a quarter window joins nothing and says little: skip it.
    if (end - start < window / 4 && out.length > 0) break;
    let sum = 0;
    for (let i = start; i < end; i += 1) {
      const s = samples[i] ?? 0;
      sum += s * s;
    }
    out.push(loudnessScore(sum, end - start));
  }
  return out;
}

/** The score of a window from its sum of squared samples (for callers that stream the PCM). */
export function loudnessScore(sumOfSquares: number, count: number): number {
  const rms = count > 0 ? Math.sqrt(sumOfSquares / count) / 32768 : 0;
  const dbfs = rms > 0 ? Math.max(FLOOR_DBFS, 20 * Math.log10(rms)) : FLOOR_DBFS;
  return Math.round((dbfs + 100) * 100) / 100;
}
