import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ALAW_DECODE_TABLE,
  ULAW_DECODE_TABLE,
  decodeG711,
  decodeG711Into,
  encodeG711,
  encodeG711Sample,
} from '../../../src/media/codec/G711.js';
import type { G711Encoding } from '../../../src/media/MediaTypes.js';
import { tone } from '../support/audio.js';

const hasSox = spawnSync('sox', ['--version']).status === 0;
const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('G.711', () => {
  test('µ-law decodes the ITU reference values', () => {
    // From the G.711 tables: 0xFF/0x7F are ±0, 0x80/0x00 are the largest magnitudes.
    const expected: [number, number][] = [
      [0xff, 0],
      [0x7f, 0],
      [0x80, 32124],
      [0x00, -32124],
      [0xf0, 120],
      [0x70, -120],
      [0xe0, 372],
      [0x8f, 16764],
      [0xcf, 924],
    ];
    for (const [byte, linear] of expected)
      assert.equal(ULAW_DECODE_TABLE[byte], linear, `0x${byte.toString(16)}`);
  });

  test('A-law decodes the ITU reference values', () => {
    const expected: [number, number][] = [
      [0xd5, 8],
      [0x55, -8],
      [0xaa, 32256],
      [0x2a, -32256],
      [0x80, 5504],
      [0x00, -5504],
      [0xd4, 24],
      [0xc5, 264],
    ];
    for (const [byte, linear] of expected)
      assert.equal(ALAW_DECODE_TABLE[byte], linear, `0x${byte.toString(16)}`);
  });

  test('both tables are odd-symmetric and monotonic within each sign', () => {
    for (const [table, signBit] of [
      [ULAW_DECODE_TABLE, 0x80],
      [ALAW_DECODE_TABLE, 0x80],
    ] as const) {
      const positive = [...allBytes].filter((b) => table[b]! > 0).length;
      const negative = [...allBytes].filter((b) => table[b]! < 0).length;
      assert.equal(positive, negative);
      for (let b = 0; b < 256; b++)
        assert.equal(Math.sign(table[b]!) >= 0, (b & signBit) !== 0 || table[b] === 0);
    }
  });

  for (const encoding of ['PCMU', 'PCMA'] as const) {
    test(`${encoding}: every code word survives decode → encode (µ-law −0 becomes +0)`, () => {
      const back = encodeG711(encoding, decodeG711(encoding, allBytes));
      for (let b = 0; b < 256; b++) {
        const expected = encoding === 'PCMU' && b === 0x7f ? 0xff : b;
        assert.equal(back[b], expected, `0x${b.toString(16)}`);
      }
    });

    test(`${encoding}: encode lands within half a quantizer step of every 16-bit sample`, () => {
      const table = encoding === 'PCMU' ? ULAW_DECODE_TABLE : ALAW_DECODE_TABLE;
      const levels = [...new Set(table)].sort((a, b) => a - b);
      for (let s = -32768; s < 32768; s += 7) {
        const chosen = table[encodeG711Sample(encoding, s)]!;
        const k = levels.indexOf(chosen);
        const below = chosen - (levels[k - 1] ?? chosen);
        const above = (levels[k + 1] ?? chosen) - chosen;
        // Beyond the outermost level the error is clipping, not quantisation.
        if (Math.abs(s) > Math.abs(levels[0]!)) continue;
        assert.ok(Math.abs(chosen - s) <= Math.max(below, above) / 2 + 4, `${s} → ${chosen}`);
      }
    });

    test(`${encoding}: a tone round-trips with about 38–47 dB SNR`, () => {
      const input = tone(8000, 1000, 16000, 8000);
      const output = decodeG711(encoding, encodeG711(encoding, input));
      let signal = 0;
      let noise = 0;
      for (let i = 0; i < input.length; i++) {
        signal += input[i]! ** 2;
        noise += (output[i]! - input[i]!) ** 2;
      }
      const snr = 10 * Math.log10(signal / noise);
      assert.ok(snr > 35 && snr < 50, `SNR ${snr.toFixed(1)} dB`);
    });

    test(
      `${encoding}: encoder is bit-exact with sox`,
      { skip: hasSox ? false : 'sox is not installed' },
      () => {
        const dir = mkdtempSync(join(tmpdir(), 'g711-'));
        try {
          const raw = join(dir, 'in.s16');
          // A sweep over the whole range plus a speech-band tone exercises every segment.
          const input = new Int16Array(16000);
          for (let i = 0; i < 8000; i++) input[i] = Math.round(-32768 + (65535 * i) / 7999);
          input.set(tone(8000, 440, 30000, 8000), 8000);
          writeFileSync(raw, Buffer.from(input.buffer));
          const out = join(dir, 'out.g711');
          const soxEncoding = encoding === 'PCMU' ? 'u-law' : 'a-law';
          const result = spawnSync('sox', [
            '-D',
            '-t',
            'raw',
            '-r',
            '8000',
            '-e',
            'signed',
            '-b',
            '16',
            '-c',
            '1',
            raw,
            '-t',
            'raw',
            '-e',
            soxEncoding,
            '-b',
            '8',
            out,
          ]);
          assert.equal(result.status, 0, result.stderr.toString());
          assert.deepEqual(encodeG711(encoding, input), new Uint8Array(readFileSync(out)));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  }

  test('decodeG711Into refuses an output too small and writes nothing past the input', () => {
    const out = new Int16Array(4).fill(7);
    assert.throws(() => decodeG711Into('PCMU', new Uint8Array(5), out), RangeError);
    assert.equal(decodeG711Into('PCMA', new Uint8Array([0xd5, 0x55]), out), 2);
    assert.deepEqual([...out], [8, -8, 7, 7]);
  });

  test('decode tables agree with sox decoding', { skip: hasSox ? false : 'sox is not installed' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'g711-'));
    try {
      for (const [encoding, soxEncoding] of [
        ['PCMU', 'u-law'],
        ['PCMA', 'a-law'],
      ] as [G711Encoding, string][]) {
        const input = join(dir, 'all.g711');
        writeFileSync(input, allBytes);
        const out = join(dir, 'all.s16');
        const result = spawnSync('sox', [
          '-t',
          'raw',
          '-r',
          '8000',
          '-e',
          soxEncoding,
          '-b',
          '8',
          '-c',
          '1',
          input,
          '-t',
          'raw',
          '-e',
          'signed',
          '-b',
          '16',
          out,
        ]);
        assert.equal(result.status, 0, result.stderr.toString());
        const bytes = readFileSync(out);
        const sox = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
        assert.deepEqual(decodeG711(encoding, allBytes), Int16Array.from(sox));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
