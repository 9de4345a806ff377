import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Downsampler2x, Upsampler2x } from '../../../src/media/codec/Resampler.js';
import { amplitudeAt, bandPower, dB, tone } from '../support/audio.js';

function upsampleInFrames(input: Int16Array, frameSizes: number[]): Int16Array {
  const up = new Upsampler2x();
  const out = new Int16Array(input.length * 2);
  let pos = 0;
  let k = 0;
  while (pos < input.length) {
    const n = Math.min(frameSizes[k++ % frameSizes.length]!, input.length - pos);
    const frameOut = new Int16Array(2 * n);
    up.process(input.subarray(pos, pos + n), n, frameOut);
    out.set(frameOut, 2 * pos);
    pos += n;
  }
  return out;
}

/** 2048 samples at 16 kHz = 128 ms: whole periods of every tone used here, so no window is needed. */
const ANALYSIS = 2048;

describe('Upsampler2x (8 → 16 kHz)', () => {
  for (const frequency of [1000, 3000]) {
    test(`a ${frequency} Hz tone keeps its level within 1 dB and images above 4 kHz are 40 dB down`, () => {
      const input = tone(8000, frequency, 12000, 8000);
      const out = upsampleInFrames(input, [160]);
      const steady = out.subarray(4000, 4000 + ANALYSIS);
      const level = amplitudeAt(steady, 16000, frequency);
      assert.ok(Math.abs(dB(level / 12000)) < 1, `level ${dB(level / 12000).toFixed(3)} dB`);
      const image = bandPower(steady, 16000, 4000, 8000);
      const rejection = 10 * Math.log10(level ** 2 / image);
      assert.ok(rejection >= 40, `image rejection ${rejection.toFixed(1)} dB`);
    });
  }

  test('frame boundaries are seamless: any framing gives the same output as one call', () => {
    const input = tone(8000, 440, 9000, 1600, 0.3);
    const whole = upsampleInFrames(input, [1600]);
    assert.deepEqual(upsampleInFrames(input, [160]), whole);
    assert.deepEqual(upsampleInFrames(input, [1, 7, 80, 333, 2]), whole);
  });

  test('input samples pass through on even outputs, delayed by the filter half-length', () => {
    const input = tone(8000, 300, 20000, 400);
    const out = upsampleInFrames(input, [160]);
    for (let i = 0; i < 300; i++) assert.equal(out[2 * (i + 12)], input[i]);
  });

  test('full-scale square waves clip at the rails instead of wrapping around', () => {
    const input = new Int16Array(320).map((_, i) => (Math.floor(i / 8) % 2 ? 32767 : -32768));
    const out = upsampleInFrames(input, [160]);
    let clipped = 0;
    for (let i = 12; i < 300; i++) {
      // Between two full-scale samples the filter overshoots past 32767; wrapping would turn it negative.
      if (input[i - 12] === 32767 && input[i - 11] === 32767) {
        assert.ok(out[2 * i + 1]! > 0, `sample ${2 * i + 1} is ${out[2 * i + 1]}`);
        if (out[2 * i + 1] === 32767) clipped++;
      }
    }
    assert.ok(clipped > 0, 'the overshoot reached the rail at least once');
  });
});

describe('Downsampler2x (16 → 8 kHz)', () => {
  test('a 1 kHz tone passes within 1 dB', () => {
    const down = new Downsampler2x();
    const out = down.process(tone(16000, 1000, 12000, 16000));
    assert.equal(out.length, 8000 - 11);
    const level = amplitudeAt(out.subarray(2000, 2000 + 1024), 8000, 1000);
    assert.ok(Math.abs(dB(level / 12000)) < 1, `level ${dB(level / 12000).toFixed(3)} dB`);
  });

  test('a 6 kHz tone, which would alias to 2 kHz, is at least 40 dB down', () => {
    const down = new Downsampler2x();
    const out = down.process(tone(16000, 6000, 12000, 16000));
    const alias = amplitudeAt(out.subarray(2000, 2000 + 1024), 8000, 2000);
    assert.ok(dB(alias / 12000) <= -40, `alias at ${dB(alias / 12000).toFixed(1)} dB`);
  });

  test('odd-length inputs carry the leftover sample to the next call', () => {
    const input = tone(16000, 700, 8000, 3201);
    const whole = new Downsampler2x().process(input);
    const split = new Downsampler2x();
    const parts = [
      split.process(input.subarray(0, 1001)),
      split.process(input.subarray(1001, 2000)),
      split.process(input.subarray(2000)),
    ];
    const joined = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let pos = 0;
    for (const p of parts) {
      joined.set(p, pos);
      pos += p.length;
    }
    assert.deepEqual(joined, whole);
  });

  test('up then down returns the original tone (delayed 12 samples) with SNR above 40 dB', () => {
    const input = tone(8000, 1000, 10000, 4000);
    const back = new Downsampler2x().process(upsampleInFrames(input, [160]));
    let signal = 0;
    let noise = 0;
    for (let i = 100; i < 3000; i++) {
      signal += input[i]! ** 2;
      noise += (back[i + 12]! - input[i]!) ** 2;
    }
    assert.ok(10 * Math.log10(signal / noise) > 40, `SNR ${(10 * Math.log10(signal / noise)).toFixed(1)} dB`);
  });
});
