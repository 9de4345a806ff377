/** Where a packet came from (a dgram RemoteInfo is one). */
export interface PacketSource {
  readonly address: string;
  readonly port: number;
}

export interface SourceLockOptions {
  /**
   * Symmetric RTP with learning, as rtpengine and Asterisk do it: a source other than the SDP's
   * (a party behind NAT) may take the stream. False: only the SDP's address may (ports may differ).
   */
  readonly learn: boolean;
  /** Consecutive in-sequence packets of one SSRC a source must send to take the stream. Default 4. */
  readonly runLength?: number;
}

/** How a packet's source stands: from the locked source, a candidate for the lock, or refused. */
export type SourceScreen = 'locked' | 'candidate' | 'refused';

export type SourceOffer<T> =
  /** This packet's source now holds the stream; `released` are its run's items, oldest first. */
  | { readonly kind: 'lock'; readonly released: readonly T[] }
  /** The packet counts towards its source's run and is kept until the run completes or breaks. */
  | { readonly kind: 'held' };

interface Run<T> {
  ssrc: number;
  lastSeq: number;
  items: T[];
}

/** Candidate sources tracked at once; an attacker spraying ports cannot grow the table past it. */
const MAX_CANDIDATES = 8;
const DEFAULT_RUN_LENGTH = 4;

const key = (source: PacketSource) => `${source.address}|${source.port}`;

/**
 * Which source a stream's RTP is taken from, a pure processor (no sockets, no clock). The address
 * and port of the SDP take the stream with their first valid packet, and take it back from any
 * other source at any time: they win every tie. Another source — the SDP's address on another
 * port, or with learning any address — must first send `runLength` consecutive packets of one SSRC
 * in sequence order (valid, authenticated, of a negotiated payload type: the caller checks before
 * offering), which a stray or spoofed packet does not; its packets are held meanwhile and released
 * in order when it locks. Once locked, only the SDP's source can move the lock; a re-INVITE resets it.
 */
export class SourceLock<T> {
  readonly #learn: boolean;
  readonly #runLength: number;
  readonly #runs = new Map<string, Run<T>>();
  #expectedAddress: string | null = null;
  #expectedPort = 0;
  #locked: PacketSource | null = null;
  #lockedIsSdp = false;

  constructor(options: SourceLockOptions) {
    this.#learn = options.learn;
    this.#runLength = Math.max(1, options.runLength ?? DEFAULT_RUN_LENGTH);
  }

  /** The SDP's connection address and port (null/0: unknown or on hold); the lock starts over. */
  setExpected(address: string | null, port: number): void {
    this.#expectedAddress = address === null || address === '0.0.0.0' || address === '::' ? null : address;
    this.#expectedPort = this.#expectedAddress === null ? 0 : port;
    this.#locked = null;
    this.#lockedIsSdp = false;
    this.#runs.clear();
  }

  get locked(): PacketSource | null {
    return this.#locked;
  }

  /** The locked source when it is not the SDP's (a party behind NAT), else null. */
  get learned(): PacketSource | null {
    return this.#locked !== null && !this.#lockedIsSdp ? this.#locked : null;
  }

  get expectedAddress(): string | null {
    return this.#expectedAddress;
  }

  screen(remote: PacketSource): SourceScreen {
    if (this.#locked !== null) {
      if (remote.port === this.#locked.port && remote.address === this.#locked.address) return 'locked';
      return !this.#lockedIsSdp && this.#isSdp(remote) ? 'candidate' : 'refused';
    }
    if (!this.#learn && this.#expectedAddress !== null && remote.address !== this.#expectedAddress)
      return 'refused';
    return 'candidate';
  }

  /** A valid packet from a 'candidate' source, with its SSRC and sequence number. */
  offer(remote: PacketSource, ssrc: number, seq: number, item: T): SourceOffer<T> {
    if (this.#isSdp(remote)) return this.#lock(remote, true, [item]);
    const id = key(remote);
    let run = this.#runs.get(id);
    if (run && run.ssrc === ssrc && seq === ((run.lastSeq + 1) & 0xffff)) {
      run.items.push(item);
      run.lastSeq = seq;
    } else {
      if (!run && this.#runs.size >= MAX_CANDIDATES) this.#runs.delete(this.#runs.keys().next().value!);
      run = { ssrc, lastSeq: seq, items: [item] };
      this.#runs.set(id, run);
    }
    return run.items.length >= this.#runLength
      ? this.#lock({ address: remote.address, port: remote.port }, false, run.items)
      : { kind: 'held' };
  }

  #isSdp(remote: PacketSource): boolean {
    return (
      this.#expectedPort !== 0 &&
      remote.port === this.#expectedPort &&
      remote.address === this.#expectedAddress
    );
  }

  #lock(source: PacketSource, isSdp: boolean, released: readonly T[]): SourceOffer<T> {
    this.#locked = { address: source.address, port: source.port };
    this.#lockedIsSdp = isSdp;
    this.#runs.clear();
    return { kind: 'lock', released };
  }
}
