import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PITCH_FRAME, PitchTracker } from '../../../src/analytics/voice/PitchTracker.js';
import { harmonicTone, noise, silence, to8k } from './signals.js';

const tracker = new PitchTracker();
/** Median estimate over the frames of an 8 kHz signal. */
function median(signal: Float32Array): { f0: number; voicedShare: number } {
  const f0s: number[] = [];
  let frames = 0;
  for (let start = 0; start + PITCH_FRAME <= signal.length; start += 80) {
    frames++;
    const { f0Hz } = tracker.estimate(signal, start);
    if (f0Hz > 0) f0s.push(f0Hz);
  }
  f0s.sort((a, b) => a - b);
  return { f0: f0s[f0s.length >> 1] ?? 0, voicedShare: f0s.length / frames };
}

describe('PitchTracker (YIN)', () => {
  for (const f0 of [65, 85, 120, 200, 310, 390]) {
    test(`finds a ${f0} Hz fundamental within 1 %`, () => {
      const { f0: found, voicedShare } = median(to8k(harmonicTone(f0, 0.5)));
      assert.ok(Math.abs(found - f0) / f0 < 0.01, `${found.toFixed(1)} Hz`);
      assert.equal(voicedShare, 1);
    });
  }

  test('finds the fundamental a telephone line removed (harmonics only), not a harmonic', () => {
    const { f0 } = median(to8k(harmonicTone(100, 0.5, { withoutFundamental: true })));
    assert.ok(Math.abs(f0 - 100) < 1, `${f0.toFixed(1)} Hz`);
  });

  test('white noise and silence are unvoiced', () => {
    assert.equal(median(to8k(noise(0.5))).voicedShare, 0);
    assert.equal(median(to8k(silence(0.5))).voicedShare, 0);
  });

  test('a frame that does not fit in the signal is unvoiced, not an error', () => {
    const short = to8k(harmonicTone(120, 0.02));
    assert.deepEqual(tracker.estimate(short, 0), { f0Hz: 0, aperiodicity: 1 });
    assert.equal(tracker.estimate(to8k(harmonicTone(120, 0.1)), -1).f0Hz, 0);
  });
});
