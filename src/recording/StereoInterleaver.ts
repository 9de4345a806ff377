/**
 * Puts two mono channels side by side in one interleaved stereo stream (channel 0 left, channel 1
 * right), each sample at the file position it belongs to, whatever order and pace the two channels
 * arrive in.
 *
 * A pure processor (no timers, no I/O): `processInput` takes one channel's samples at a position
 * (in sample frames from the start of the file) and returns the interleaved blocks that are now
 * final, in file order, to be appended. It keeps a window of the most recent `holdbackFrames`
 * open so the other channel's samples for the same time can still be placed there; what the
 * window moves past is final. Whatever no channel wrote stays zero, so lost packets, a channel
 * that starts late or never starts, and gaps in both come out as silence. Samples for a position
 * already final are dropped and counted in `lateFrames`.
 *
 * Blocks come out at least `blockFrames` long (fewer, larger writes), except from `drain()`.
 */
export interface StereoInterleaverOptions {
  /** How far behind the newest sample the window stays open (sample frames). */
  readonly holdbackFrames: number;
  /** Smallest block handed out while streaming (sample frames). */
  readonly blockFrames: number;
}

const CHANNELS = 2;
/** Silence is handed out in blocks of at most this many frames (a long gap never allocates much). */
const MAX_SILENCE_BLOCK = 16_000;

export class StereoInterleaver {
  readonly #holdback: number;
  readonly #block: number;
  /** Interleaved samples of positions [#base, #base + capacity). */
  #window: Int16Array;
  /** File position (sample frames) of the window's first frame: everything before it is final. */
  #base = 0;
  /** One past the highest position any channel has written. */
  #end = 0;
  #late = 0;

  constructor(options: StereoInterleaverOptions) {
    if (options.holdbackFrames < 0 || options.blockFrames < 1)
      throw new RangeError('StereoInterleaver: bad window');
    this.#holdback = options.holdbackFrames;
    this.#block = options.blockFrames;
    this.#window = new Int16Array(CHANNELS * (this.#holdback + 2 * this.#block));
  }

  /** Frames handed out as final so far (the file's length in sample frames). */
  get finalFrames(): number {
    return this.#base;
  }

  /** One past the highest position written: the length the file will have once drained. */
  get endFrames(): number {
    return this.#end;
  }

  /** Sample frames dropped because their position was already final. */
  get lateFrames(): number {
    return this.#late;
  }

  /**
   * Places `samples` of `channel` (0 or 1) from `position` on; returns the blocks that became final.
   * Other channels are ignored.
   */
  processInput(channel: number, samples: Int16Array, position: number): Int16Array[] {
    if (channel < 0 || channel >= CHANNELS || samples.length === 0) return [];
    let start = Math.round(position);
    let input = samples;
    if (start < this.#base) {
      const skip = Math.min(input.length, this.#base - start);
      this.#late += skip;
      input = input.subarray(skip);
      start += skip;
      if (input.length === 0) return [];
    }
    const out: Int16Array[] = [];
    // Pieces no longer than a block always fit the window once its head is made final.
    for (let from = 0; from < input.length; from += this.#block) {
      this.#place(channel, input.subarray(from, from + this.#block), start + from, out);
    }
    return out;
  }

  #place(channel: number, input: Int16Array, start: number, out: Int16Array[]): void {
    const end = start + input.length;
    // Room for the new samples: finalize the head of the window (a gap finalizes it all as silence).
    const capacity = this.#window.length / CHANNELS;
    if (end - this.#base > capacity) this.#finalize(end - capacity, out);
    const window = this.#window;
    let at = (start - this.#base) * CHANNELS + channel;
    for (let i = 0; i < input.length; i++, at += CHANNELS) window[at] = input[i]!;
    if (end > this.#end) this.#end = end;
    if (this.#end - this.#holdback - this.#base >= this.#block)
      this.#finalize(this.#end - this.#holdback, out);
  }

  /** Everything written so far becomes final (at a pause, and at the end). */
  drain(): Int16Array[] {
    const out: Int16Array[] = [];
    this.#finalize(this.#end, out);
    return out;
  }

  /** Hands out positions [#base, upTo) and moves the window on. */
  #finalize(upTo: number, out: Int16Array[]): void {
    const capacity = this.#window.length / CHANNELS;
    const inWindow = Math.min(upTo, this.#base + capacity) - this.#base;
    if (inWindow > 0) {
      out.push(this.#window.slice(0, inWindow * CHANNELS));
      this.#window.copyWithin(0, inWindow * CHANNELS);
      this.#window.fill(0, (capacity - inWindow) * CHANNELS);
      this.#base += inWindow;
    }
    // Past the window (a gap longer than it): silence, in bounded blocks.
    while (this.#base < upTo) {
      const frames = Math.min(upTo - this.#base, MAX_SILENCE_BLOCK);
      out.push(new Int16Array(frames * CHANNELS));
      this.#base += frames;
    }
    if (this.#end < this.#base) this.#end = this.#base;
  }
}
