import type { UtteranceDecoder } from '../UtteranceDecoder.js';

export interface DecoderPoolOptions {
  /** Loads a decoder (blocks for ~0.7 s with the en-us model). */
  readonly create: () => UtteranceDecoder;
  /** Most decoders loaded at once, busy or idle. */
  readonly max: number;
  /** A decoder idle this long is freed by `sweep`, down to `keep`. */
  readonly idleMs: number;
  /** Idle decoders never freed, so the next talker does not wait for a load. */
  readonly keep: number;
  /** After `sweep` freed decoders: hands their memory back to the system. */
  readonly afterFree?: () => void;
}

export interface DecoderCounts {
  readonly busy: number;
  readonly idle: number;
}

/**
 * The decoders of one recognition thread: lent for one utterance at a time, so there are as many as
 * simultaneous talkers, never more than `max`, and the ones left idle for `idleMs` are freed.
 */
export class DecoderPool {
  readonly #options: DecoderPoolOptions;
  /** Most recently released last, so the ones idle longest are at the front. */
  readonly #idle: { readonly decoder: UtteranceDecoder; readonly since: number }[] = [];
  #busy = 0;

  constructor(options: DecoderPoolOptions) {
    this.#options = options;
  }

  get counts(): DecoderCounts {
    return { busy: this.#busy, idle: this.#idle.length };
  }

  /** Adds an idle decoder (the one a thread loads at start to prove the model works). */
  warm(decoder: UtteranceDecoder): void {
    this.#idle.push({ decoder, since: Date.now() });
  }

  /** An idle decoder, else a new one while under `max`; null at the bound. */
  acquire(): UtteranceDecoder | null {
    const idle = this.#idle.pop();
    if (idle) {
      this.#busy++;
      return idle.decoder;
    }
    if (this.#busy >= this.#options.max) return null;
    const decoder = this.#options.create();
    this.#busy++;
    return decoder;
  }

  release(decoder: UtteranceDecoder): void {
    this.#busy--;
    this.#idle.push({ decoder, since: Date.now() });
  }

  /** Frees decoders idle for `idleMs` (beyond `keep`); returns how many. */
  sweep(now = Date.now()): number {
    let freed = 0;
    while (this.#idle.length > this.#options.keep && now - this.#idle[0]!.since >= this.#options.idleMs) {
      this.#idle.shift()!.decoder.free();
      freed++;
    }
    if (freed > 0) this.#options.afterFree?.();
    return freed;
  }

  /** Frees the idle decoders (busy ones belong to streams, which give them back first). */
  close(): void {
    for (const { decoder } of this.#idle.splice(0)) decoder.free();
    this.#options.afterFree?.();
  }
}
