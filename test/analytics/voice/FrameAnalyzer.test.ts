import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FRAME_HOP_MS,
  FrameAnalyzer,
  SILENCE_DB,
  type AcousticFrame,
} from '../../../src/analytics/voice/FrameAnalyzer.js';
import { concat, harmonicTone, noise, silence } from './signals.js';

function analyse(samples: Int16Array, offsetMs = 0, chunk = samples.length): AcousticFrame[] {
  const analyzer = new FrameAnalyzer();
  const out: AcousticFrame[] = [];
  for (let i = 0; i < samples.length; i += chunk) {
    out.push(...analyzer.processInput(samples.subarray(i, i + chunk), offsetMs + i / 16));
  }
  out.push(...analyzer.flush());
  return out;
}

describe('FrameAnalyzer', () => {
  test('a 25 ms frame every 10 ms, on the media clock of the first sample', () => {
    const frames = analyse(silence(1), 2500);
    assert.ok(frames.length >= 97 && frames.length <= 100, `${frames.length} frames for 1 s`);
    assert.equal(frames[0]!.offsetMs, 2500);
    frames.slice(1).forEach((f, i) => assert.equal(f.offsetMs - frames[i]!.offsetMs, FRAME_HOP_MS));
  });

  test('silence: the floor level, no pitch', () => {
    for (const f of analyse(silence(0.5))) assert.deepEqual([f.levelDb, f.f0Hz], [SILENCE_DB, 0]);
  });

  test('a tone: its RMS level in dBFS and its F0', () => {
    const frames = analyse(harmonicTone(150, 1, { amplitude: 0.2, harmonics: 1 })).slice(5, -5);
    // A sine of peak 0.2 has an RMS of 0.2/√2: −16.99 dBFS (the 8 kHz resampler keeps it).
    for (const f of frames) {
      assert.ok(Math.abs(f.levelDb + 16.99) < 0.3, `${f.levelDb.toFixed(2)} dBFS`);
      assert.ok(Math.abs(f.f0Hz - 150) < 1.5, `${f.f0Hz.toFixed(1)} Hz`);
    }
  });

  test('noise is loud but unvoiced', () => {
    const frames = analyse(noise(1, 0.5));
    assert.ok(frames.every((f) => f.levelDb > -20));
    assert.ok(frames.filter((f) => f.f0Hz > 0).length <= 2, 'at most a stray frame');
  });

  test('cut into 20 ms frames, the audio gives the same frames as in one piece', () => {
    const audio = concat(
      silence(0.3),
      harmonicTone((t) => 120 + 80 * t, 1.2),
      noise(0.3, 0.1),
      silence(0.2),
    );
    const whole = analyse(audio, 1000);
    const framed = analyse(audio, 1000, 320);
    assert.equal(framed.length, whole.length);
    framed.forEach((f, i) => {
      assert.equal(f.offsetMs, whole[i]!.offsetMs);
      assert.ok(Math.abs(f.levelDb - whole[i]!.levelDb) < 1e-9);
      assert.ok(Math.abs(f.f0Hz - whole[i]!.f0Hz) < 1e-9);
    });
  });
});
