import type { PcmFrame } from '../media/MediaTypes.js';
import { durationMs } from './EngineStream.js';

/**
 * A channel's audio since its last final, for an engine that has to hear it again (a fallback
 * engine taking over, a reconnected server). Bounded: the oldest audio goes first.
 */
export class ReplayBuffer {
  readonly #maxMs: number;
  #frames: PcmFrame[] = [];
  #ms = 0;

  constructor(maxMs = 60_000) {
    this.#maxMs = maxMs;
  }

  get frames(): readonly PcmFrame[] {
    return this.#frames;
  }

  keep(frame: PcmFrame): void {
    this.#frames.push(frame);
    this.#ms += durationMs(frame.samples);
    while (this.#ms > this.#maxMs && this.#frames.length > 1) {
      this.#ms -= durationMs(this.#frames.shift()!.samples);
    }
  }

  /** A final covers the audio up to `endMs` (call time): it need not be heard again. */
  forget(endMs: number): void {
    while (this.#frames.length > 0) {
      const first = this.#frames[0]!;
      if (first.offsetMs + durationMs(first.samples) > endMs) break;
      this.#ms -= durationMs(first.samples);
      this.#frames.shift();
    }
  }
}
