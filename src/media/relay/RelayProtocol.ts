import type { PacketSource } from '../rtp/SourceLock.js';
import type { SrtpSuiteName } from '../srtp/SrtpSuite.js';

/*
 * Messages between RtpRelay (main thread) and the relay worker thread that owns the relayed calls'
 * RTP sockets and forwards their packets, so that nothing the main thread does (garbage collection,
 * the pipeline, SQLite, SIP) delays a forwarded packet.
 */

/** An SDES master key as it crosses threads (suite by name: the suite objects stay per thread). */
export interface KeyWire {
  readonly suite: SrtpSuiteName;
  readonly key: Uint8Array;
  readonly salt: Uint8Array;
  readonly mkiLength: number;
}

/** How one side of a relayed call forwards: what its party may send, from where, and its keys. */
export interface SideConfig {
  /** Where its SDP says it is; null before the answer, or on hold. */
  readonly remote: PacketSource | null;
  readonly learnSource: boolean;
  /** Payload types it may send (audio, telephone-event, comfort noise). */
  readonly payloadTypes: readonly number[];
  /** What it encrypts with (we decrypt), and what we encrypt with towards it; null: plain. */
  readonly inbound: KeyWire | null;
  readonly outbound: KeyWire | null;
}

export type ToWorker =
  | { readonly op: 'bind'; readonly request: number; readonly host: string; readonly port: number }
  /** The two sockets bound by `bind` requests become call `id`'s sides 0 and 1. */
  | { readonly op: 'open'; readonly id: number; readonly requests: readonly [number, number] }
  | { readonly op: 'configure'; readonly id: number; readonly side: 0 | 1; readonly config: SideConfig }
  | { readonly op: 'close'; readonly id: number }
  /** A socket bound for a call whose opening failed. */
  | { readonly op: 'unbind'; readonly request: number };

/** Per side, what the worker counts and where it locked. */
export interface SideState {
  readonly spoofed: number;
  readonly invalid: number;
  readonly unauthenticated: number;
  readonly replayed: number;
  readonly forwarded: number;
  readonly locked: PacketSource | null;
  /** The locked source is not the SDP's (learned: NAT). */
  readonly learned: boolean;
}

export type FromWorker =
  | {
      readonly op: 'bound';
      readonly request: number;
      readonly error: string | null;
      readonly code: string | null;
    }
  | { readonly op: 'closed'; readonly id: number }
  /** Accepted packets, plain, in arrival order: a batch of records (see PacketBatch). */
  | { readonly op: 'packets'; readonly data: ArrayBuffer }
  | { readonly op: 'state'; readonly id: number; readonly side: 0 | 1; readonly state: SideState };

/** One record: call id (u32), side (u8), arrival ms (f64), length (u16), then the packet. */
const RECORD_HEADER = 4 + 1 + 8 + 2;
const INITIAL_BATCH_BYTES = 64 * 1024;

/** Packets collected between two flushes, in one buffer handed over (transferred) to the main thread. */
export class PacketBatch {
  #buf = Buffer.allocUnsafe(INITIAL_BATCH_BYTES);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  append(id: number, side: 0 | 1, arrivalMs: number, packet: Uint8Array): void {
    const need = this.#length + RECORD_HEADER + packet.length;
    if (need > this.#buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.#buf.length * 2));
      this.#buf.copy(bigger, 0, 0, this.#length);
      this.#buf = bigger;
    }
    let at = this.#length;
    at = this.#buf.writeUInt32LE(id, at);
    at = this.#buf.writeUInt8(side, at);
    at = this.#buf.writeDoubleLE(arrivalMs, at);
    at = this.#buf.writeUInt16LE(packet.length, at);
    this.#buf.set(packet, at);
    this.#length = at + packet.length;
  }

  /** The records so far, in an ArrayBuffer of their own; the batch starts empty again. */
  take(): ArrayBuffer {
    const out = new ArrayBuffer(this.#length);
    new Uint8Array(out).set(this.#buf.subarray(0, this.#length));
    this.#length = 0;
    return out;
  }
}

/** Calls `each` for every record of a batch; the packet is a view into `data`. */
export function readBatch(
  data: ArrayBuffer,
  each: (id: number, side: 0 | 1, arrivalMs: number, packet: Buffer) => void,
): void {
  const buf = Buffer.from(data);
  let at = 0;
  while (at + RECORD_HEADER <= buf.length) {
    const id = buf.readUInt32LE(at);
    const side = buf.readUInt8(at + 4) === 1 ? 1 : 0;
    const arrivalMs = buf.readDoubleLE(at + 5);
    const length = buf.readUInt16LE(at + 13);
    const start = at + RECORD_HEADER;
    if (start + length > buf.length) return;
    each(id, side, arrivalMs, buf.subarray(start, start + length));
    at = start + length;
  }
}
