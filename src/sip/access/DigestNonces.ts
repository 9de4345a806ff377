import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from './DigestAlgorithm.js';

/**
 * Nonces that need no state to verify, and the little state that replay protection needs.
 *
 *   nonce  = hex( issued-at ms (6 bytes) | salt (8 bytes) | mac (16 bytes) )
 *   mac    = HMAC-SHA-256(secret, "nonce" realm issued-at salt), first 16 bytes
 *   opaque = hex( HMAC-SHA-256(secret, "opaque" realm nonce), first 16 bytes )
 *
 * The secret is per process (random unless given), so a restart makes earlier nonces unknown.
 * Only nonces that came back with a right response are remembered, each with the nonce counts
 * (nc) seen in a window of NC_WINDOW, so a captured request cannot be replayed under a new branch.
 * That memory is bounded: when full, the oldest nonce is forgotten, and every nonce issued no later
 * than it is then refused as stale (the peer simply authenticates again with a fresh one).
 */

const TIME_BYTES = 6;
const SALT_BYTES = 8;
const MAC_BYTES = 16;
const NONCE_HEX = 2 * (TIME_BYTES + SALT_BYTES + MAC_BYTES);
/** A nonce count this far below the highest one seen for its nonce is refused as a replay. */
export const NC_WINDOW = 64;
/** Clocks step: a nonce issued up to this far in the future is not refused as forged. */
const CLOCK_SKEW_MS = 5000;

export type NonceStatus = 'valid' | 'expired' | 'unknown';
export type NonceUse = 'fresh' | 'replayed' | 'forgotten';

export interface DigestNoncesOptions {
  readonly realm: string;
  readonly secret: Buffer;
  readonly lifetimeMs: number;
  readonly maxTracked: number;
  readonly now: () => number;
}

interface Uses {
  readonly issuedAt: number;
  highest: number;
  readonly seen: Set<number>;
}

export class DigestNonces {
  readonly #options: DigestNoncesOptions;
  /** Nonces used with a right response, in order of first use. */
  readonly #uses = new Map<string, Uses>();
  /** Nonces issued at or before this time may have been forgotten: refused as stale. */
  #forgottenUpTo = -Infinity;

  constructor(options: DigestNoncesOptions) {
    this.#options = options;
  }

  issue(): string {
    const head = Buffer.alloc(TIME_BYTES + SALT_BYTES);
    head.writeUIntBE(this.#options.now(), 0, TIME_BYTES);
    randomBytes(SALT_BYTES).copy(head, TIME_BYTES);
    return head.toString('hex') + this.#mac('nonce', head);
  }

  opaqueFor(nonce: string): string {
    return this.#mac('opaque', Buffer.from(nonce, 'utf8'));
  }

  /** Whether we issued this nonce (in constant time) and whether it is still within its lifetime. */
  check(nonce: string): NonceStatus {
    if (nonce.length !== NONCE_HEX || !/^[0-9a-f]+$/.test(nonce)) return 'unknown';
    const head = Buffer.from(nonce.slice(0, 2 * (TIME_BYTES + SALT_BYTES)), 'hex');
    if (!constantTimeEqual(this.#mac('nonce', head), nonce.slice(head.length * 2))) return 'unknown';
    const age = this.#options.now() - head.readUIntBE(0, TIME_BYTES);
    return age > this.#options.lifetimeMs || age < -CLOCK_SKEW_MS ? 'expired' : 'valid';
  }

  /**
   * Records one use of a valid nonce whose response was right: `nc` with qop, null without (an RFC
   * 2069 peer, whose nonce then serves once). 'replayed' if that count (or nonce) was used before,
   * 'forgotten' if its history may have been dropped to bound memory.
   */
  use(nonce: string, nc: number | null): NonceUse {
    const now = this.#options.now();
    this.#sweep(now);
    let uses = this.#uses.get(nonce);
    if (!uses) {
      const issuedAt = Buffer.from(nonce.slice(0, 2 * TIME_BYTES), 'hex').readUIntBE(0, TIME_BYTES);
      if (issuedAt <= this.#forgottenUpTo) return 'forgotten';
      if (this.#uses.size >= this.#options.maxTracked) this.#forgetOldest();
      uses = { issuedAt, highest: -1, seen: new Set() };
      this.#uses.set(nonce, uses);
    }
    const count = nc ?? 0;
    if (uses.seen.has(count) || count <= uses.highest - NC_WINDOW) return 'replayed';
    uses.seen.add(count);
    if (count > uses.highest) {
      uses.highest = count;
      for (const old of uses.seen) if (old <= count - NC_WINDOW) uses.seen.delete(old);
    }
    return 'fresh';
  }

  /** How many nonces are remembered (for tests and stats). */
  get tracked(): number {
    return this.#uses.size;
  }

  #mac(label: string, data: Buffer): string {
    return createHmac('sha256', this.#options.secret)
      .update(`${label}\0${this.#options.realm}\0`)
      .update(data)
      .digest()
      .subarray(0, MAC_BYTES)
      .toString('hex');
  }

  /** Expired nonces are refused before use(): their history can go (oldest first, cheaply). */
  #sweep(now: number): void {
    for (const [nonce, uses] of this.#uses) {
      if (now - uses.issuedAt <= this.#options.lifetimeMs) break;
      this.#uses.delete(nonce);
    }
  }

  #forgetOldest(): void {
    const oldest = this.#uses.entries().next();
    if (oldest.done) return;
    const [nonce, uses] = oldest.value;
    this.#uses.delete(nonce);
    this.#forgottenUpTo = Math.max(this.#forgottenUpTo, uses.issuedAt);
  }
}

/** A fresh random secret for the nonces' HMAC. */
export function newNonceSecret(): Buffer {
  return randomBytes(32);
}
