/**
 * The replay list of RFC 3711 §3.3.2 as a sliding window over packet indexes (48-bit SRTP index or
 * 31-bit SRTCP index, both exact in a double): an index is fresh if it is above the highest one
 * seen, or within the window below it and not yet seen. `check` before authenticating (cheap
 * refusal), `accept` only after, so a forged packet cannot move the window.
 */
export class ReplayWindow {
  readonly #size: number;
  /** One flag per index modulo size, for the `size` indexes at and below `#highest`. */
  readonly #seen: Uint8Array;
  #highest = -1;

  constructor(size = 128) {
    this.#size = size;
    this.#seen = new Uint8Array(size);
  }

  get highest(): number {
    return this.#highest;
  }

  /** True when `index` was not seen and is not too old to tell. */
  check(index: number): boolean {
    if (index > this.#highest) return true;
    if (this.#highest - index >= this.#size) return false;
    return this.#seen[index % this.#size] === 0;
  }

  accept(index: number): void {
    if (index > this.#highest) {
      const advance = this.#highest < 0 ? this.#size : Math.min(index - this.#highest, this.#size);
      for (let i = 0; i < advance; i++) this.#seen[(index - i) % this.#size] = 0;
      this.#highest = index;
    }
    this.#seen[index % this.#size] = 1;
  }
}
