import type { G711Encoding } from '../MediaTypes.js';

/*
 * ITU-T G.711 µ-law and A-law after the Sun/CCITT g711.c reference. Decode is bit-exact with it and is a
 * 256-entry table lookup per byte because it runs for every received sample. Encode rounds the 16-bit
 * sample to the codec's 14 (µ) or 13 (A) bits where the reference truncates, which is what sox does,
 * so our test tools and sox produce identical files; it is a 64 Ki-entry table built on first use.
 */

function ulawToLinearSlow(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

function alawToLinearSlow(byte: number): number {
  const a = byte ^ 0x55;
  const segment = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  if (segment === 0) t += 8;
  else t = (t + 0x108) << (segment - 1);
  return a & 0x80 ? t : -t;
}

const ULAW_SEGMENT_ENDS = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff] as const;
const ALAW_SEGMENT_ENDS = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff] as const;
const ULAW_CLIP = 8159;
const ULAW_BIAS_14BIT = 0x21;

function segmentOf(value: number, ends: readonly number[]): number {
  for (let i = 0; i < ends.length; i++) if (value <= ends[i]!) return i;
  return ends.length;
}

function linearToUlawSlow(sample: number): number {
  let pcm = Math.min((sample + 2) >> 2, 8191);
  let mask = 0xff;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  }
  if (pcm > ULAW_CLIP) pcm = ULAW_CLIP;
  pcm += ULAW_BIAS_14BIT;
  const segment = segmentOf(pcm, ULAW_SEGMENT_ENDS);
  if (segment >= 8) return 0x7f ^ mask;
  return ((segment << 4) | ((pcm >> (segment + 1)) & 0x0f)) ^ mask;
}

function linearToAlawSlow(sample: number): number {
  let pcm = Math.min((sample + 4) >> 3, 4095);
  let mask = 0xd5;
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const segment = segmentOf(pcm, ALAW_SEGMENT_ENDS);
  if (segment >= 8) return 0x7f ^ mask;
  const mantissa = segment < 2 ? (pcm >> 1) & 0x0f : (pcm >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}

function buildDecodeTable(decode: (byte: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) table[i] = decode(i);
  return table;
}

/** G.711 byte → 16-bit linear sample. */
export const ULAW_DECODE_TABLE: Readonly<Int16Array> = buildDecodeTable(ulawToLinearSlow);
export const ALAW_DECODE_TABLE: Readonly<Int16Array> = buildDecodeTable(alawToLinearSlow);

let ulawEncodeTable: Uint8Array | null = null;
let alawEncodeTable: Uint8Array | null = null;

function encodeTable(encoding: G711Encoding): Uint8Array {
  if (encoding === 'PCMU') return (ulawEncodeTable ??= buildEncodeTable(linearToUlawSlow));
  return (alawEncodeTable ??= buildEncodeTable(linearToAlawSlow));
}

/** Indexed by the sample's 16-bit two's-complement pattern (`sample & 0xffff`). */
function buildEncodeTable(encode: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode((i << 16) >> 16);
  return table;
}

export function decodeTableFor(encoding: G711Encoding): Readonly<Int16Array> {
  return encoding === 'PCMU' ? ULAW_DECODE_TABLE : ALAW_DECODE_TABLE;
}

/**
 * Decodes `input` into `output` (which must hold at least input.length samples) without allocating.
 * Returns the number of samples written.
 */
export function decodeG711Into(encoding: G711Encoding, input: Uint8Array, output: Int16Array): number {
  const table = decodeTableFor(encoding);
  const n = input.length;
  if (output.length < n) throw new RangeError(`G.711 output holds ${output.length} samples, need ${n}`);
  for (let i = 0; i < n; i++) output[i] = table[input[i]!]!;
  return n;
}

export function decodeG711(encoding: G711Encoding, input: Uint8Array): Int16Array {
  const output = new Int16Array(input.length);
  decodeG711Into(encoding, input, output);
  return output;
}

export function encodeG711(encoding: G711Encoding, input: Int16Array): Uint8Array {
  const table = encodeTable(encoding);
  const output = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i++) output[i] = table[input[i]! & 0xffff]!;
  return output;
}

export function encodeG711Sample(encoding: G711Encoding, sample: number): number {
  return encodeTable(encoding)[sample & 0xffff]!;
}
