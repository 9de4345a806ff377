import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { G722Decoder, G722Encoder } from '../../../src/media/codec/G722.js';
import { amplitudeAt, tone } from '../support/audio.js';
import { hasSpandsp, spandspG722 } from '../support/spandsp.js';

/** 16 kHz speech from pocketsphinx-testdata ("go forward ten meters"). */
const SPEECH = '/usr/share/pocketsphinx/test/data/goforward.raw';
/** Encoder plus decoder delay of the QMF pair, in 16 kHz samples. */
const CODEC_DELAY = 22;

function speech(): Int16Array {
  const raw = readFileSync(SPEECH);
  return new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + (raw.length & ~1)));
}

/** A full-scale sweep 50 Hz → 7.9 kHz, then white noise at full scale: the quantisers' and saturation's edges. */
function harshSignal(): Int16Array {
  const n = 32000;
  const out = new Int16Array(2 * n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    phase += (2 * Math.PI * (50 + (7850 * i) / n)) / 16000;
    out[i] = Math.round(32767 * Math.sin(phase));
  }
  let seed = 12345;
  for (let i = n; i < 2 * n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] = (seed >>> 16) - 32768;
  }
  return out;
}

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths');
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/**
 * Ours equals libspandsp's sample for sample, except where the decoded value does not fit 16 bits:
 * libspandsp then wraps around (a full-scale click of the other sign), we clip to the rail.
 */
function assertSameDecoding(ours: Int16Array, reference: Int16Array): void {
  assert.equal(ours.length, reference.length, 'lengths');
  let clipped = 0;
  for (let i = 0; i < ours.length; i++) {
    if (ours[i] === reference[i]) continue;
    const rail = ours[i] === 32767 || ours[i] === -32768;
    assert.ok(
      rail && Math.sign(ours[i]!) !== Math.sign(reference[i]!),
      `sample ${i}: ${ours[i]} ≠ ${reference[i]}`,
    );
    clipped++;
  }
  assert.ok(clipped < ours.length / 20, `${clipped} clipped samples`);
}

function snrDb(reference: Int16Array, decoded: Int16Array, delay: number): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i + delay < decoded.length; i++) {
    signal += reference[i]! ** 2;
    noise += (decoded[i + delay]! - reference[i]!) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

describe('G.722', () => {
  for (const [name, signal] of [
    ['speech', speech],
    ['full-scale sweep and noise', harshSignal],
  ] as const) {
    test(
      `${name}: the encoder is bit-exact with libspandsp, the decoder too but for clipping`,
      { skip: hasSpandsp ? false : 'libspandsp2 is not installed' },
      () => {
        const input = signal();
        const reference = spandspG722();
        try {
          const referenceBytes = reference.encode(input);
          const ours = new G722Encoder().encode(input);
          assert.equal(firstDifference(ours, referenceBytes), -1, 'first differing byte');
          const referencePcm = reference.decode(referenceBytes);
          assertSameDecoding(new G722Decoder().decode(referenceBytes), referencePcm);
        } finally {
          reference.free();
        }
      },
    );
  }

  test(
    'random bytes (every code word) decode as libspandsp decodes them, but for clipping',
    { skip: hasSpandsp ? false : 'libspandsp2 is not installed' },
    () => {
      // Random bytes reach codes an encoder rarely produces (e.g. the 6-bit codes 0–3).
      let seed = 7;
      const bytes = Uint8Array.from({ length: 64000 }, () => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return seed >>> 24;
      });
      const reference = spandspG722();
      try {
        assertSameDecoding(new G722Decoder().decode(bytes), reference.decode(bytes));
      } finally {
        reference.free();
      }
    },
  );

  test('speech survives a round trip at over 20 dB SNR, 22 samples late', () => {
    const input = speech();
    const decoded = new G722Decoder().decode(new G722Encoder().encode(input));
    assert.equal(decoded.length, input.length);
    const snr = snrDb(input, decoded, CODEC_DELAY);
    assert.ok(snr > 20, `SNR ${snr.toFixed(1)} dB`);
    assert.ok(snr > snrDb(input, decoded, CODEC_DELAY + 1) + 10, 'the delay is the one stated');
  });

  test('a 6 kHz tone, beyond G.711, is kept: wideband', () => {
    const input = tone(16000, 6000, 8000, 16000);
    const decoded = new G722Decoder().decode(new G722Encoder().encode(input));
    const amplitude = amplitudeAt(decoded.subarray(4000), 16000, 6000);
    assert.ok(amplitude > 7000 && amplitude < 9000, `6 kHz amplitude ${amplitude.toFixed(0)}`);
  });

  test('encoding in odd-sized frames gives the same bytes as all at once', () => {
    const input = speech().subarray(0, 16001);
    const whole = new G722Encoder().encode(input);
    const encoder = new G722Encoder();
    const parts: number[] = [];
    for (let at = 0; at < input.length; at += 333)
      parts.push(...encoder.encode(input.subarray(at, at + 333)));
    assert.deepEqual(Uint8Array.from(parts), whole);
    assert.equal(whole.length, 8000, 'the odd last sample waits for its pair');
  });

  test('decodeInto refuses an output that is too small', () => {
    assert.throws(() => new G722Decoder().decodeInto(new Uint8Array(160), new Int16Array(319)), RangeError);
  });
});
