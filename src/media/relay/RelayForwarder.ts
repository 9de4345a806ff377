import type { Socket } from 'node:dgram';
import { rtpHeaderSize } from '../rtp/RtpPacket.js';
import { SourceLock, type PacketSource } from '../rtp/SourceLock.js';
import { SrtpSession } from '../srtp/SrtpSession.js';
import { SRTP_SUITES, sameMasterKey, type SrtpMasterKey } from '../srtp/SrtpSuite.js';
import type { KeyWire, SideConfig, SideState } from './RelayProtocol.js';

interface Held {
  readonly plain: Buffer;
  readonly arrivalMs: number;
}

interface Keyed {
  readonly key: SrtpMasterKey;
  readonly session: SrtpSession;
}

function keyed(current: Keyed | null, wire: KeyWire | null): Keyed | null {
  if (wire === null) return null;
  const key: SrtpMasterKey = { ...wire, suite: SRTP_SUITES[wire.suite] };
  if (current !== null && sameMasterKey(current.key, key)) return current;
  return { key, session: new SrtpSession(key) };
}

/** One party of a relayed call as the worker sees it: its socket, its source lock, its keys, its counts. */
class ForwardingSide {
  lock = new SourceLock<Held>({ learn: true });
  #learn = true;
  #reportedForwarded = 0;
  payloadTypes = new Set<number>();
  declared: PacketSource | null = null;
  inbound: Keyed | null = null;
  outbound: Keyed | null = null;
  spoofed = 0;
  invalid = 0;
  unauthenticated = 0;
  replayed = 0;
  forwarded = 0;
  dirty = true;

  constructor(readonly socket: Socket) {}

  /** New SDP or keys: a moved address (or another learning mode) starts the source lock over. */
  configure(config: SideConfig): void {
    const moved =
      config.remote?.address !== this.declared?.address || config.remote?.port !== this.declared?.port;
    this.declared = config.remote;
    this.payloadTypes = new Set(config.payloadTypes);
    this.inbound = keyed(this.inbound, config.inbound);
    this.outbound = keyed(this.outbound, config.outbound);
    this.dirty = true;
    if (config.learnSource !== this.#learn) {
      this.#learn = config.learnSource;
      this.lock = new SourceLock<Held>({ learn: config.learnSource });
    } else if (!moved) return;
    this.lock.setExpected(config.remote?.address ?? null, config.remote?.port ?? 0);
  }

  /** Whether its state is worth a message: a lock or refusal changed, or (with counts) packets were forwarded. */
  changed(counts: boolean): boolean {
    return this.dirty || (counts && this.forwarded !== this.#reportedForwarded);
  }

  state(): SideState {
    this.dirty = false;
    this.#reportedForwarded = this.forwarded;
    return {
      spoofed: this.spoofed,
      invalid: this.invalid,
      unauthenticated: this.unauthenticated,
      replayed: this.replayed,
      forwarded: this.forwarded,
      locked: this.lock.locked,
      learned: this.lock.learned !== null,
    };
  }
}

/**
 * The forwarding half of a relayed call, run in the relay worker: each packet a party sends is
 * screened by source (SourceLock), authenticated and decrypted (SRTP), checked (RTP, negotiated
 * payload type), sent on at once out of the other side's socket to where the other party sends
 * from — encrypted with that party's key — and handed plain to `deliver` for the main thread's tap.
 */
export class RelayForwarder {
  readonly #sides: [ForwardingSide, ForwardingSide];
  readonly #deliver: (side: 0 | 1, arrivalMs: number, plain: Buffer) => void;
  readonly #now: () => number;

  constructor(
    sockets: readonly [Socket, Socket],
    deliver: (side: 0 | 1, arrivalMs: number, plain: Buffer) => void,
    now: () => number,
  ) {
    this.#sides = [new ForwardingSide(sockets[0]), new ForwardingSide(sockets[1])];
    this.#deliver = deliver;
    this.#now = now;
    for (const index of [0, 1] as const) {
      sockets[index].on('message', (msg, remote) => this.#receive(index, msg, remote));
    }
  }

  configure(index: 0 | 1, config: SideConfig): void {
    this.#sides[index].configure(config);
  }

  /** The state of each side whose lock or refusals changed (with `counts`, or whose forwarded count moved). */
  changed(counts: boolean): [0 | 1, SideState][] {
    const out: [0 | 1, SideState][] = [];
    for (const index of [0, 1] as const) {
      const side = this.#sides[index];
      if (side.changed(counts)) out.push([index, side.state()]);
    }
    return out;
  }

  close(): void {
    for (const side of this.#sides) side.socket.removeAllListeners('message');
  }

  #receive(index: 0 | 1, msg: Buffer, remote: PacketSource): void {
    const arrivalMs = this.#now();
    const side = this.#sides[index];
    const screen = side.lock.screen(remote);
    if (screen === 'refused') {
      side.spoofed++;
      side.dirty = true;
      return;
    }
    const plain = side.inbound === null ? msg : side.inbound.session.unprotectRtp(msg);
    if (typeof plain === 'string') {
      if (plain === 'replayed') side.replayed++;
      else if (plain === 'unauthenticated') side.unauthenticated++;
      else side.invalid++;
      side.dirty = true;
      return;
    }
    if (rtpHeaderSize(plain) < 0 || !side.payloadTypes.has(plain[1]! & 0x7f)) {
      side.invalid++;
      side.dirty = true;
      return;
    }
    if (screen === 'locked') {
      this.#forward(index, plain, arrivalMs);
      return;
    }
    const ssrc = plain.readUInt32BE(8);
    const seq = plain.readUInt16BE(2);
    const offer = side.lock.offer(remote, ssrc, seq, { plain, arrivalMs });
    if (offer.kind === 'held') return;
    side.dirty = true;
    for (const held of offer.released) this.#forward(index, held.plain, held.arrivalMs);
  }

  #forward(index: 0 | 1, plain: Buffer, arrivalMs: number): void {
    const from = this.#sides[index];
    const to = this.#sides[index === 0 ? 1 : 0];
    const target = to.lock.locked ?? to.declared;
    if (target) {
      to.socket.send(
        to.outbound ? to.outbound.session.protectRtp(plain) : plain,
        target.port,
        target.address,
      );
      from.forwarded++;
    }
    this.#deliver(index, arrivalMs, plain);
  }
}
