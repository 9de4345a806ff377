/**
 * Energy-based voice activity detection over 16 kHz audio, in 10 ms blocks. A pure processor: feed
 * samples with their media time, get utterance boundaries and the audio that belongs to them.
 *
 * Speech starts when the block energy stays `startDb` above an adaptive noise floor (and above
 * `minSpeechDbfs`) for `minSpeechMs`; the `preRollMs` before that is emitted with it so the
 * recogniser hears the onset. Speech continues while blocks stay `continueDb` above the floor
 * (hysteresis) and ends after `trailingSilenceMs` without one, or after `maxUtteranceMs`.
 */

export interface VadOptions {
  /** Silence that ends an utterance, in ms (default 550). */
  readonly trailingSilenceMs?: number;
  /** Audio kept from before the detected onset, in ms (default 250). */
  readonly preRollMs?: number;
  /** Loud audio needed to declare speech, in ms (default 60): rejects clicks. */
  readonly minSpeechMs?: number;
  /** Longest utterance before a forced end, in ms (default 15000). */
  readonly maxUtteranceMs?: number;
  /** dB above the noise floor that starts speech (default 12). */
  readonly startDb?: number;
  /** dB above the noise floor that keeps speech going (default 6). */
  readonly continueDb?: number;
  /** Absolute level below which nothing is speech, in dBFS (default -55). */
  readonly minSpeechDbfs?: number;
}

export type VadOutput =
  /** An utterance begins at `offsetMs` (the start of its pre-roll). */
  | { readonly kind: 'start'; readonly offsetMs: number }
  /** Audio inside the current utterance, in order. */
  | { readonly kind: 'audio'; readonly samples: Int16Array; readonly offsetMs: number }
  /** The utterance ended; `offsetMs` is the end of its last audio. */
  | { readonly kind: 'end'; readonly offsetMs: number };

export const VAD_SAMPLE_RATE = 16_000;
const BLOCK_MS = 10;
const BLOCK_SAMPLES = (VAD_SAMPLE_RATE / 1000) * BLOCK_MS;
const SILENCE_DBFS = -96;
/** Floor tracking per block: drops fast toward quieter audio, rises slowly (≈0.5 s) toward louder. */
const FLOOR_FALL = 0.3;
const FLOOR_RISE = 0.02;

interface Block {
  readonly samples: Int16Array;
  readonly offsetMs: number;
}

export function blockLevelDbfs(samples: Int16Array): number {
  if (samples.length === 0) return SILENCE_DBFS;
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / samples.length) / 32768;
  return rms > 0 ? Math.max(SILENCE_DBFS, 20 * Math.log10(rms)) : SILENCE_DBFS;
}

export class Vad {
  readonly #trailingBlocks: number;
  readonly #preRollBlocks: number;
  readonly #minSpeechBlocks: number;
  readonly #maxBlocks: number;
  readonly #startDb: number;
  readonly #continueDb: number;
  readonly #minSpeechDbfs: number;

  #floorDb: number | null = null;
  #inSpeech = false;
  /** Blocks before the onset, plus the loud run that is not yet confirmed as speech. */
  #history: Block[] = [];
  #loudRun = 0;
  #silentRun = 0;
  #utteranceBlocks = 0;
  #lastAudioEndMs = 0;
  /** Samples that did not fill a whole block yet, and the media time of the first of them. */
  #pending = new Int16Array(BLOCK_SAMPLES);
  #pendingLength = 0;
  #pendingOffsetMs = 0;

  constructor(options: VadOptions = {}) {
    this.#trailingBlocks = Math.max(1, Math.round((options.trailingSilenceMs ?? 550) / BLOCK_MS));
    this.#preRollBlocks = Math.max(0, Math.round((options.preRollMs ?? 250) / BLOCK_MS));
    this.#minSpeechBlocks = Math.max(1, Math.round((options.minSpeechMs ?? 60) / BLOCK_MS));
    this.#maxBlocks = Math.max(
      this.#minSpeechBlocks + 1,
      Math.round((options.maxUtteranceMs ?? 15_000) / BLOCK_MS),
    );
    this.#startDb = options.startDb ?? 12;
    this.#continueDb = options.continueDb ?? 6;
    this.#minSpeechDbfs = options.minSpeechDbfs ?? -55;
  }

  get inSpeech(): boolean {
    return this.#inSpeech;
  }

  /** The current noise floor estimate in dBFS (null before any audio). */
  get noiseFloorDbfs(): number | null {
    return this.#floorDb;
  }

  processInput(samples: Int16Array, offsetMs: number): VadOutput[] {
    const out: VadOutput[] = [];
    let i = 0;
    while (i < samples.length) {
      if (this.#pendingLength === 0) this.#pendingOffsetMs = offsetMs + (i * 1000) / VAD_SAMPLE_RATE;
      const take = Math.min(BLOCK_SAMPLES - this.#pendingLength, samples.length - i);
      this.#pending.set(samples.subarray(i, i + take), this.#pendingLength);
      this.#pendingLength += take;
      i += take;
      if (this.#pendingLength === BLOCK_SAMPLES) {
        const block = { samples: this.#pending, offsetMs: this.#pendingOffsetMs };
        this.#pending = new Int16Array(BLOCK_SAMPLES);
        this.#pendingLength = 0;
        this.#processBlock(block, out);
      }
    }
    return out;
  }

  /** End of stream: an open utterance ends with whatever audio is left. */
  flush(): VadOutput[] {
    const out: VadOutput[] = [];
    if (this.#inSpeech) {
      if (this.#pendingLength > 0) {
        const samples = this.#pending.slice(0, this.#pendingLength);
        out.push({ kind: 'audio', samples, offsetMs: this.#pendingOffsetMs });
        this.#lastAudioEndMs = this.#pendingOffsetMs + (samples.length * 1000) / VAD_SAMPLE_RATE;
      }
      this.#endUtterance(out);
    }
    this.#pendingLength = 0;
    this.#history = [];
    this.#loudRun = 0;
    return out;
  }

  #processBlock(block: Block, out: VadOutput[]): void {
    const level = blockLevelDbfs(block.samples);
    // Never seed the floor above the speech threshold: a stream that starts mid-sentence (a pipeline
    // resumed or taken over mid-call) would take its speech for noise until the next pause.
    const floor = this.#floorDb ?? Math.min(level, this.#minSpeechDbfs);
    this.#floorDb = floor;
    if (this.#inSpeech) {
      this.#emitAudio(block, out);
      this.#utteranceBlocks++;
      const voiced = level >= floor + this.#continueDb && level >= this.#minSpeechDbfs;
      if (voiced) {
        this.#silentRun = 0;
      } else {
        this.#silentRun++;
        this.#adaptFloor(level);
      }
      if (this.#silentRun >= this.#trailingBlocks || this.#utteranceBlocks >= this.#maxBlocks) {
        this.#endUtterance(out);
      }
      return;
    }

    this.#history.push(block);
    const loud = level >= floor + this.#startDb && level >= this.#minSpeechDbfs;
    if (loud) {
      this.#loudRun++;
    } else {
      this.#loudRun = 0;
      this.#adaptFloor(level);
    }
    if (this.#loudRun >= this.#minSpeechBlocks) {
      this.#startUtterance(out);
      return;
    }
    const keep = this.#preRollBlocks + this.#loudRun;
    if (this.#history.length > keep) this.#history.splice(0, this.#history.length - keep);
  }

  #startUtterance(out: VadOutput[]): void {
    const keep = this.#preRollBlocks + this.#loudRun;
    const blocks = this.#history.slice(-keep);
    this.#history = [];
    this.#inSpeech = true;
    this.#silentRun = 0;
    this.#loudRun = 0;
    this.#utteranceBlocks = blocks.length;
    const first = blocks[0];
    if (!first) return;
    out.push({ kind: 'start', offsetMs: first.offsetMs });
    // One contiguous buffer: fewer, larger writes into the decoder.
    const samples = new Int16Array(blocks.length * BLOCK_SAMPLES);
    blocks.forEach((b, k) => samples.set(b.samples, k * BLOCK_SAMPLES));
    this.#emitAudio({ samples, offsetMs: first.offsetMs }, out);
  }

  #emitAudio(block: Block, out: VadOutput[]): void {
    out.push({ kind: 'audio', samples: block.samples, offsetMs: block.offsetMs });
    this.#lastAudioEndMs = block.offsetMs + (block.samples.length * 1000) / VAD_SAMPLE_RATE;
  }

  #endUtterance(out: VadOutput[]): void {
    this.#inSpeech = false;
    this.#silentRun = 0;
    this.#utteranceBlocks = 0;
    out.push({ kind: 'end', offsetMs: this.#lastAudioEndMs });
  }

  #adaptFloor(level: number): void {
    const floor = this.#floorDb ?? level;
    const rate = level < floor ? FLOOR_FALL : FLOOR_RISE;
    this.#floorDb = floor + (level - floor) * rate;
  }
}
