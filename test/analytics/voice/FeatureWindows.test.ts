import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FeatureWindows,
  quantile,
  semitones,
  WINDOW_MS,
} from '../../../src/analytics/voice/FeatureWindows.js';
import { FrameAnalyzer } from '../../../src/analytics/voice/FrameAnalyzer.js';
import type { AcousticWindow } from '../../../src/analytics/voice/VoiceToneTypes.js';
import { concat, harmonicTone, noise, silence } from './signals.js';

function windowsOf(samples: Int16Array, windowMs = WINDOW_MS): AcousticWindow[] {
  const analyzer = new FrameAnalyzer();
  const windows = new FeatureWindows(windowMs);
  const out = windows.push(analyzer.processInput(samples, 0));
  out.push(...windows.push(analyzer.flush()));
  const last = windows.flush();
  if (last) out.push(last);
  return out;
}

/** "Syllables": `count` voiced bursts of `burstS` seconds separated by `gapS` of silence. */
function syllables(count: number, burstS: number, gapS: number, f0 = 150, amplitude = 0.2): Int16Array {
  const parts: Int16Array[] = [];
  for (let i = 0; i < count; i++) parts.push(harmonicTone(f0, burstS, { amplitude }), silence(gapS));
  return concat(...parts);
}

describe('FeatureWindows', () => {
  test('one window per 5 s of audio, back to back', () => {
    const windows = windowsOf(concat(silence(0.5), syllables(40, 0.2, 0.1), silence(0.5)));
    assert.equal(windows.length, 3);
    assert.deepEqual(
      windows.map((w) => [w.beginMs, w.endMs]),
      [
        [0, 5000],
        [5000, 10000],
        [10000, windows[2]!.endMs],
      ],
    );
  });

  test('silence and line noise are no speech', () => {
    for (const w of windowsOf(concat(silence(2), noise(3, 0.002)))) {
      assert.equal(w.speechMs, 0);
      assert.equal(w.pitchSt, null);
      assert.equal(w.onsetRate, 0);
    }
  });

  test('pitch level and range of a glide, in semitones re 100 Hz', () => {
    // 110 → 220 Hz over 4 s: an octave, so the 10–90 % spread is 0.8 × 12 semitones.
    const [w] = windowsOf(
      harmonicTone((t) => 110 * 2 ** (t / 4), 4),
      60_000,
    );
    assert.ok(Math.abs(w!.pitchSt! - semitones(110 * Math.SQRT2)) < 0.3, `median ${w!.pitchSt}`);
    assert.ok(Math.abs(w!.pitchRangeSt! - 9.6) < 0.4, `range ${w!.pitchRangeSt}`);
  });

  test('a naturally flat voice has no range; level is the voiced frames’ median', () => {
    const [w] = windowsOf(syllables(12, 0.25, 0.1, 200, 0.1), 60_000);
    assert.ok(Math.abs(w!.pitchSt! - semitones(200)) < 0.1);
    assert.ok(w!.pitchRangeSt! < 0.2);
    assert.ok(Math.abs(w!.levelDb! - (20 * Math.log10(0.1) - 1)) < 2, `level ${w!.levelDb}`);
  });

  test('speaking rate: voiced onsets per second of speech; louder bursts are louder', () => {
    const quiet = windowsOf(syllables(10, 0.15, 0.1, 150, 0.05), 60_000)[0]!;
    const loud = windowsOf(syllables(10, 0.15, 0.1, 150, 0.4), 60_000)[0]!;
    // 10 bursts over 2.5 s of speech (the 100 ms gaps are inside speech): 4 per second.
    assert.ok(Math.abs(quiet.onsetRate - 4) < 0.5, `rate ${quiet.onsetRate}`);
    assert.ok(loud.levelDb! - quiet.levelDb! > 17, 'an 18 dB louder voice');
  });

  test('pauses: silences of 200 ms or more between speech, as a share of the speaking span', () => {
    const [w] = windowsOf(concat(syllables(5, 0.2, 0.1), silence(1), syllables(5, 0.2, 0.1)), 60_000);
    // Span ≈ 1.4 + 1.0 + 1.5 s (the last gap is outside it); the pause is 1.1 s with the gap before it.
    assert.ok(w!.pauseRatio > 0.25 && w!.pauseRatio < 0.33, `pause ratio ${w!.pauseRatio}`);
  });

  test('an octave error is folded back instead of widening the range', () => {
    const audio = concat(harmonicTone(120, 1.5), harmonicTone(240, 0.15), harmonicTone(120, 1.5));
    const [w] = windowsOf(audio, 60_000);
    assert.ok(w!.pitchRangeSt! < 0.5, `range ${w!.pitchRangeSt}`);
  });

  test('quantile interpolates', () => {
    assert.equal(quantile([1, 2, 3, 4, 5], 0.5), 3);
    assert.equal(quantile([0, 10], 0.9), 9);
    assert.ok(Number.isNaN(quantile([], 0.5)));
  });
});
