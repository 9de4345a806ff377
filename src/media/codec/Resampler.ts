/*
 * 2× resampling between 8 kHz (G.711) and 16 kHz (the pipeline rate) with one Kaiser-windowed
 * half-band FIR. Hand-written because a 2× integer resampler is ~40 lines and a library would pull
 * WASM in for nothing.
 *
 * A half-band filter (cutoff at a quarter of the 16 kHz rate) has every even tap zero except the
 * centre, so upsampling passes the input samples through and only interpolates the in-between
 * samples, and downsampling only multiplies the odd taps. Both keep their history across calls, so
 * a stream cut into frames comes out sample-for-sample the same as the whole stream at once; the
 * cost is a fixed delay of HALF_TAPS input samples (1.5 ms).
 */

/** Non-zero taps on each side of the centre: 2 × HALF_TAPS multiply-adds per interpolated sample. */
const HALF_TAPS = 12;
const KAISER_BETA = 6;
const TAPS = 2 * HALF_TAPS;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/** Taps at distances HALF_TAPS−0.5 … −(HALF_TAPS−0.5) input samples from the interpolated point. */
function designInterpolator(): Float64Array {
  const taps = new Float64Array(TAPS);
  let sum = 0;
  for (let j = 0; j < TAPS; j++) {
    const d = HALF_TAPS - 0.5 - j;
    const r = d / HALF_TAPS;
    const window = besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - r * r))) / besselI0(KAISER_BETA);
    taps[j] = (Math.sin(Math.PI * d) / (Math.PI * d)) * window;
    sum += taps[j]!;
  }
  for (let j = 0; j < TAPS; j++) taps[j]! /= sum;
  return taps;
}

const INTERPOLATOR = designInterpolator();

function toInt16(value: number): number {
  if (value >= 32767) return 32767;
  if (value <= -32768) return -32768;
  return Math.round(value);
}

/** Stateful 8 kHz → 16 kHz: every input sample becomes exactly two output samples. */
export class Upsampler2x {
  /** The last TAPS−1 input samples, then room for the current input. */
  #work = new Float64Array(TAPS - 1 + 320);

  /** Writes 2 × inputLength samples to `output`; allocates only when a frame is larger than any before. */
  process(input: Int16Array, inputLength: number, output: Int16Array): void {
    if (inputLength > input.length || output.length < 2 * inputLength) {
      throw new RangeError(
        `Upsampler2x: ${inputLength} samples in need ${2 * inputLength} out, got ${output.length}`,
      );
    }
    const history = TAPS - 1;
    if (this.#work.length < history + inputLength) {
      const grown = new Float64Array(history + inputLength);
      grown.set(this.#work.subarray(0, history));
      this.#work = grown;
    }
    const work = this.#work;
    for (let i = 0; i < inputLength; i++) work[history + i] = input[i]!;
    const taps = INTERPOLATOR;
    for (let i = 0; i < inputLength; i++) {
      let acc = 0;
      for (let j = 0; j < TAPS; j++) acc += taps[j]! * work[i + j]!;
      output[2 * i] = work[i + HALF_TAPS - 1]!;
      output[2 * i + 1] = toInt16(acc);
    }
    work.copyWithin(0, inputLength, inputLength + history);
  }

  reset(): void {
    this.#work.fill(0);
  }
}

/** Stateful 16 kHz → 8 kHz with the same half-band filter as the anti-alias filter. */
export class Downsampler2x {
  /** Input samples not yet consumed, preceded by the history the next output needs. */
  #buffer = new Float64Array(4 * HALF_TAPS + 640);
  /** Starts as 2·HALF_TAPS−1 zeros so the first output is centred on the first input sample. */
  #length = 2 * HALF_TAPS - 1;

  /** Returns floor((pending + input.length) / 2) samples; an odd sample left over waits for the next call. */
  process(input: Int16Array): Int16Array {
    const reach = 2 * HALF_TAPS - 1;
    if (this.#buffer.length < this.#length + input.length) {
      const grown = new Float64Array(this.#length + input.length);
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    const buf = this.#buffer;
    buf.set(input, this.#length);
    const total = this.#length + input.length;
    const outputs = Math.max(0, Math.floor((total - 2 * reach + 1) / 2));
    const output = new Int16Array(outputs);
    const taps = INTERPOLATOR;
    for (let m = 0; m < outputs; m++) {
      const centre = reach + 2 * m;
      let acc = buf[centre]!;
      // Odd neighbours at ±1, ±3, …: the interpolator's taps, in the same order as its distances.
      for (let j = 0; j < TAPS; j++) acc += taps[j]! * buf[centre - reach + 2 * j]!;
      output[m] = toInt16(acc / 2);
    }
    const consumed = 2 * outputs;
    buf.copyWithin(0, consumed, total);
    this.#length = total - consumed;
    return output;
  }
}
