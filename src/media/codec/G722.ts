/*
 * ITU-T G.722 at 64 kbit/s (mode 1): 16 kHz audio split by a 24-tap QMF into two 8 kHz sub-bands,
 * the lower one coded with 6-bit and the upper with 2-bit adaptive differential PCM, one byte per
 * pair of input samples. Written from the Recommendation's block descriptions (QMF, quantisers,
 * scale-factor adaptation, the two-pole six-zero predictor of "block 4") because no maintained npm
 * package implements it; test/media/codec/G722.test.ts checks it against Debian's libspandsp.
 *
 * RTP (RFC 3551 §4.5.2): payload type 9, SDP `G722/8000` — the RTP clock runs at 8000 Hz for
 * historical reasons although the audio is sampled at 16 kHz, so one byte is one clock unit.
 */

/** QMF coefficients h0…h23 of the Recommendation (symmetric; they sum to 2^13). */
const H = [
  3, -11, -11, 53, 12, -156, 32, 362, -210, -805, 951, 3876, 3876, 951, -805, -210, 362, 32, -156, 12, 53,
  -11, -11, 3,
] as const;
const QMF_TAPS = 24;

/** Lower sub-band quantiser decision levels (×detl/2^12), and the 6-bit codes of the intervals. */
const Q6 = [
  0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940, 1023, 1121, 1219,
  1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919,
] as const;
const ILN = [
  0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7,
  6, 5, 4, 0,
] as const;
const ILP = [
  0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36,
  35, 34, 33, 32, 0,
] as const;

/** Inverse quantisers: 6-bit (the decoder's output), 4-bit (the predictor's input) and 2-bit (upper band). */
const QM6 = [
  -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360,
  -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776, -2400, -2032, -1688,
  -1360, -1040, -728, 24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856, 7192,
  6576, 6000, 5456, 4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432,
  -136,
] as const;
const QM4 = [
  0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
] as const;
const QM2 = [-7408, -1616, 7408, 1616] as const;

/** Scale-factor adaptation: log-domain increments per code, and the antilog table. */
const RL42 = [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0] as const;
const WL = [-60, -30, 58, 172, 334, 538, 1198, 3042] as const;
const RH2 = [2, 1, 2, 1] as const;
const WH = [0, -214, 798] as const;
const ILB = [
  2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834, 2896, 2960,
  3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
] as const;

function sat16(value: number): number {
  if (value > 32767) return 32767;
  if (value < -32768) return -32768;
  return value;
}

/** The state one sub-band's encoder and decoder keep identically: predictor and scale factor. */
class SubBand {
  /** Signal estimate, and its pole and zero parts. */
  s = 0;
  sp = 0;
  sz = 0;
  /** Reconstructed signal r, partial signal p (zero part + difference), quantised differences d, now first. */
  readonly r = [0, 0, 0];
  readonly p = [0, 0, 0];
  readonly d = [0, 0, 0, 0, 0, 0, 0];
  /** Pole (a1, a2) and zero (b1…b6) predictor coefficients, index 0 unused. */
  readonly a = [0, 0, 0];
  readonly b = [0, 0, 0, 0, 0, 0, 0];
  /** Logarithmic scale factor and the linear step size derived from it. */
  nb = 0;
  det: number;

  constructor(
    initialDet: number,
    private readonly nbMax: number,
    private readonly antilogShift: number,
  ) {
    this.det = initialDet;
  }

  /** Scale-factor adaptation (LOGSCL/LOGSCH, SCALEL/SCALEH) after a code with log increment `w`. */
  adaptScale(w: number): void {
    let nb = ((this.nb * 32512) >> 15) + w;
    if (nb < 0) nb = 0;
    else if (nb > this.nbMax) nb = this.nbMax;
    this.nb = nb;
    const mantissa = ILB[(nb >> 6) & 31]!;
    const shift = this.antilogShift - (nb >> 11);
    this.det = (shift < 0 ? mantissa << -shift : mantissa >> shift) << 2;
  }

  /** Block 4: reconstruction, pole and zero coefficient updates, and the next signal estimate. */
  predict(dq: number): void {
    const { r, p, d, a, b } = this;
    d[0] = dq;
    r[0] = sat16(this.s + dq);
    p[0] = sat16(this.sz + dq);

    // UPPOL2: second pole coefficient.
    const sg0 = p[0] >> 15;
    const sg1 = p[1]! >> 15;
    const sg2 = p[2]! >> 15;
    const a1x4 = sat16(a[1]! << 2);
    let wd = sg0 === sg1 ? -a1x4 : a1x4;
    if (wd > 32767) wd = 32767;
    let a2 = (sg0 === sg2 ? 128 : -128) + (wd >> 7) + ((a[2]! * 32512) >> 15);
    if (a2 > 12288) a2 = 12288;
    else if (a2 < -12288) a2 = -12288;

    // UPPOL1: first pole coefficient, bounded by the second for stability.
    let a1 = sat16((sg0 === sg1 ? 192 : -192) + ((a[1]! * 32640) >> 15));
    const bound = sat16(15360 - a2);
    if (a1 > bound) a1 = bound;
    else if (a1 < -bound) a1 = -bound;

    // UPZERO: sign-sign update of the six zero coefficients.
    const step = dq === 0 ? 0 : 128;
    const sgd = dq >> 15;
    for (let i = 1; i < 7; i++) {
      const wd2 = d[i]! >> 15 === sgd ? step : -step;
      b[i] = sat16(wd2 + ((b[i]! * 32640) >> 15));
    }

    // DELAYA.
    for (let i = 6; i > 0; i--) d[i] = d[i - 1]!;
    r[2] = r[1]!;
    r[1] = r[0];
    p[2] = p[1]!;
    p[1] = p[0];
    a[1] = a1;
    a[2] = a2;

    // FILTEP, FILTEZ, PREDIC.
    this.sp = sat16(((a[1] * sat16(r[1] + r[1])) >> 15) + ((a[2] * sat16(r[2] + r[2])) >> 15));
    let sz = 0;
    for (let i = 6; i > 0; i--) sz += (b[i]! * sat16(d[i]! + d[i]!)) >> 15;
    this.sz = sat16(sz);
    this.s = sat16(this.sp + this.sz);
  }
}

/** Lower band: the 4-bit truncation of a 6-bit code drives the predictor and scale; returns its difference. */
function updateLower(band: SubBand, code: number): number {
  const ril = code >> 2;
  const dq = (band.det * QM4[ril]!) >> 15;
  band.adaptScale(WL[RL42[ril]!]);
  band.predict(dq);
  return dq;
}

/** Upper band: the 2-bit code drives the predictor and scale; returns its quantised difference. */
function updateUpper(band: SubBand, code: number): number {
  const dq = (band.det * QM2[code]!) >> 15;
  band.adaptScale(WH[RH2[code]!]);
  band.predict(dq);
  return dq;
}

function lowerBand(): SubBand {
  return new SubBand(32, 18432, 8);
}

function upperBand(): SubBand {
  return new SubBand(8, 22528, 10);
}

/** Stateful G.722 encoder: 16 kHz samples in, one byte per two samples out (an odd last sample waits). */
export class G722Encoder {
  readonly #low = lowerBand();
  readonly #high = upperBand();
  /** The last 24 input samples, oldest first. */
  readonly #x = new Int32Array(QMF_TAPS);
  #pending: number | null = null;

  encode(input: Int16Array): Uint8Array {
    const total = input.length + (this.#pending === null ? 0 : 1);
    const out = new Uint8Array(total >> 1);
    let n = 0;
    let i = 0;
    if (this.#pending !== null && input.length > 0) {
      out[n++] = this.#encodePair(this.#pending, input[0]!);
      this.#pending = null;
      i = 1;
    }
    for (; i + 1 < input.length; i += 2) out[n++] = this.#encodePair(input[i]!, input[i + 1]!);
    if (i < input.length) this.#pending = input[i]!;
    return out;
  }

  #encodePair(first: number, second: number): number {
    const x = this.#x;
    x.copyWithin(0, 2);
    x[22] = first;
    x[23] = second;
    // Transmit QMF: even-indexed history taps against h(2i), odd ones against h(2i+1), mirrored.
    let even = 0;
    let odd = 0;
    for (let i = 0; i < 12; i++) {
      even += H[2 * i]! * x[23 - 2 * i]!;
      odd += H[2 * i + 1]! * x[22 - 2 * i]!;
    }
    const xl = (even + odd) >> 14;
    const xh = (even - odd) >> 14;
    return (this.#encodeHigh(xh) << 6) | this.#encodeLow(xl);
  }

  #encodeLow(xl: number): number {
    const band = this.#low;
    const el = sat16(xl - band.s);
    const magnitude = el >= 0 ? el : -(el + 1);
    let i = 1;
    for (; i < 30; i++) if (magnitude < (Q6[i]! * band.det) >> 12) break;
    const code = el < 0 ? ILN[i]! : ILP[i]!;
    updateLower(band, code);
    return code;
  }

  #encodeHigh(xh: number): number {
    const band = this.#high;
    const eh = sat16(xh - band.s);
    const magnitude = eh >= 0 ? eh : -(eh + 1);
    const mih = magnitude >= (564 * band.det) >> 12 ? 2 : 1;
    const code = eh < 0 ? [0, 1, 0][mih]! : [0, 3, 2][mih]!;
    updateUpper(this.#high, code);
    return code;
  }
}

/** Stateful G.722 decoder: each byte becomes two 16 kHz samples. */
export class G722Decoder {
  readonly #low = lowerBand();
  readonly #high = upperBand();
  /** Receive QMF history: sums and differences of the sub-band signals, oldest first. */
  readonly #x = new Int32Array(QMF_TAPS);

  /** Decodes `input` into `output` (at least 2 × input.length samples); returns the samples written. */
  decodeInto(input: Uint8Array, output: Int16Array): number {
    if (output.length < 2 * input.length)
      throw new RangeError(`G.722 output holds ${output.length} samples, need ${2 * input.length}`);
    const x = this.#x;
    let n = 0;
    for (let k = 0; k < input.length; k++) {
      const code = input[k]!;
      const rl = this.#decodeLow(code & 0x3f);
      const rh = this.#decodeHigh(code >> 6);
      x.copyWithin(0, 2);
      x[22] = rl + rh;
      x[23] = rl - rh;
      let first = 0;
      let second = 0;
      for (let i = 0; i < 12; i++) {
        first += H[2 * i]! * x[23 - 2 * i]!;
        second += H[2 * i + 1]! * x[22 - 2 * i]!;
      }
      output[n++] = sat16(first >> 11);
      output[n++] = sat16(second >> 11);
    }
    return n;
  }

  decode(input: Uint8Array): Int16Array {
    const output = new Int16Array(2 * input.length);
    this.decodeInto(input, output);
    return output;
  }

  #decodeLow(code: number): number {
    const band = this.#low;
    let rl = band.s + ((band.det * QM6[code]!) >> 15);
    if (rl > 16383) rl = 16383;
    else if (rl < -16384) rl = -16384;
    updateLower(band, code);
    return rl;
  }

  #decodeHigh(code: number): number {
    const estimate = this.#high.s;
    const rh = estimate + updateUpper(this.#high, code);
    return rh > 16383 ? 16383 : rh < -16384 ? -16384 : rh;
  }
}
