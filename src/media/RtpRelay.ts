import type { Socket } from 'node:dgram';
import type { Logger } from '../platform/logger.js';
import { TypedEmitter } from '../platform/TypedEmitter.js';
import type { G711Encoding, MediaStreamStats } from './MediaTypes.js';
import { RtcpPort } from './RtcpPort.js';
import { bindUdp, enlargeReceiveBuffer } from './UdpSockets.js';
import type { RtpReceiverEvents } from './RtpReceiverTypes.js';
import type { PortAllocator } from './rtp/PortAllocator.js';
import type { PacketSource } from './rtp/SourceLock.js';
import { RtpStreamTap } from './RtpStreamTap.js';
import { SrtpSession } from './srtp/SrtpSession.js';
import { sameMasterKey, type SrtpMasterKey } from './srtp/SrtpSuite.js';

/** One party's SDES keys: what it encrypts with (we decrypt), and what we encrypt with towards it. */
export interface RelaySideKeys {
  readonly inbound: SrtpMasterKey;
  readonly outbound: SrtpMasterKey;
}

/** One side of a relayed call: the party whose audio arrives on this side's socket. */
export interface RelaySideOptions {
  /** Pipeline channel of the audio this side sends (0: caller's leg, 1: the other leg). */
  readonly channel: number;
  /** The RTP address and port this side's SDP announced; null until known (e.g. before the answer). */
  readonly remote: PacketSource | null;
  readonly payloadTypes: { audio: number; encoding: G711Encoding; telephoneEvent: number | null };
  /** SRTP keys of this party's leg; null for plain RTP (or not yet known, before the answer). */
  readonly srtp: RelaySideKeys | null;
}

export interface RtpRelayOptions {
  readonly host: string;
  readonly ports: PortAllocator;
  readonly sides: readonly [RelaySideOptions, RelaySideOptions];
  readonly callStartMs: number;
  readonly jitterDepthMs: number;
  /** Symmetric RTP with learning (default true): see SourceLock. */
  readonly learnSource?: boolean;
  readonly logger: Logger;
}

export interface RelayDirectionStats extends MediaStreamStats {
  packetsForwarded: number;
}

interface Side {
  readonly socket: Socket;
  readonly port: number;
  readonly tap: RtpStreamTap;
  /** Where the party sends from and listens (symmetric RTP): learned from its packets, else its SDP. */
  declared: PacketSource | null;
  /** Encrypts what is forwarded to this party, with the key we announced to it; null: plain. */
  outbound: { key: SrtpMasterKey; session: SrtpSession } | null;
  /** The party's RTCP, on our port + 1: its reports go to the other party, re-protected per leg. */
  rtcp: RtcpPort | null;
  forwarded: number;
}

/**
 * Anchors a call's media (the Voice Connector's trunk role): each party sends to its own local port,
 * each packet is forwarded at once — no buffering, so no added delay — out of the other side's
 * socket to the other party, and a copy goes through an RtpStreamTap so both directions are
 * transcribed as two channels. Only packets the tap accepts (right source, authentic SRTP, valid
 * RTP, negotiated payload types) are forwarded, so the relay cannot be used to reflect traffic.
 * Each leg has its own SRTP keys: a packet is decrypted with the sender's and encrypted again with
 * the receiver's, so neither party learns the other's key and either leg may be plain.
 */
export class RtpRelay extends TypedEmitter<RtpReceiverEvents> {
  readonly #sides: [Side, Side];
  readonly #ports: PortAllocator;
  #closing: Promise<void> | null = null;

  private constructor(sides: [Side, Side], ports: PortAllocator, logger: Logger) {
    super(logger);
    this.#sides = sides;
    this.#ports = ports;
    for (const side of sides) {
      side.tap.on('frame', (frame) => this.safeEmit('frame', frame));
      side.tap.on('dtmf', (event) => this.safeEmit('dtmf', event));
      side.tap.on('firstPacket', (at) => this.safeEmit('firstPacket', at));
      side.socket.on('message', (msg, remote) => side.tap.receive(msg, remote));
      side.socket.on('error', (err) => logger.warn({ err, port: side.port }, 'RTP relay socket error'));
    }
  }

  static async open(options: RtpRelayOptions): Promise<RtpRelay> {
    const opened: { socket: Socket; port: number }[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const { port, value: socket } = await options.ports.bindNext((candidate) =>
          bindUdp(options.host, candidate),
        );
        enlargeReceiveBuffer(socket, options.logger);
        opened.push({ socket, port });
      }
    } catch (err) {
      for (const { socket, port } of opened) {
        socket.close();
        options.ports.release(port);
      }
      throw err;
    }
    const sides = opened.map(({ socket, port }, index): Side => {
      const config = options.sides[index]!;
      return {
        socket,
        port,
        declared: config.remote,
        outbound: outboundFor(null, config.srtp),
        rtcp: null,
        forwarded: 0,
        tap: new RtpStreamTap({
          channel: config.channel,
          expectedRemote: config.remote,
          learnSource: options.learnSource ?? true,
          // `sides` is complete before the first packet can arrive.
          onAccepted: (plain) => forward(sides[index]!, sides[1 - index]!, plain),
          payloadTypes: config.payloadTypes,
          srtp: config.srtp?.inbound ?? null,
          callStartMs: options.callStartMs,
          jitterDepthMs: options.jitterDepthMs,
          logger: options.logger.child({ channel: config.channel }),
        }),
      };
    }) as [Side, Side];
    for (const [index, side] of sides.entries()) {
      const other = sides[1 - index]!;
      side.rtcp = await RtcpPort.open(
        options.host,
        side.port,
        (remote) => side.tap.isPartyAddress(remote.address),
        (plain) => {
          const target = other.rtcp?.lastSource ?? rtcpAddressOf(other);
          if (target) other.rtcp?.send(plain, target);
        },
        options.logger,
      );
      side.rtcp?.setKeys(
        options.sides[index]!.srtp?.inbound ?? null,
        options.sides[index]!.srtp?.outbound ?? null,
      );
    }
    return new RtpRelay(sides, options.ports, options.logger);
  }

  /** The local port party `side` must send to (put it in the SDP sent to that party). */
  localPort(side: 0 | 1): number {
    return this.#sides[side].port;
  }

  /** New SDP from party `side` (the answer, or a re-INVITE moving its media). */
  setRemote(side: 0 | 1, remote: PacketSource | null): void {
    const target = this.#sides[side];
    target.declared = remote;
    target.tap.setExpectedRemote(remote);
  }

  /** Party `side`'s SRTP keys (from its answer, or a re-INVITE), or null when its leg is plain RTP. */
  setKeys(side: 0 | 1, keys: RelaySideKeys | null): void {
    const target = this.#sides[side];
    target.tap.setSrtpKey(keys?.inbound ?? null);
    target.outbound = outboundFor(target.outbound, keys);
    target.rtcp?.setKeys(keys?.inbound ?? null, keys?.outbound ?? null);
  }

  /** Per direction: index 0 is what party 0 sent (tapped as its channel), 1 what party 1 sent. */
  stats(): [RelayDirectionStats, RelayDirectionStats] {
    return this.#sides.map((side) => ({
      ...side.tap.stats(),
      rtcpPackets: side.rtcp?.counters.rtcpPackets ?? 0,
      rtcpRefused: side.rtcp?.counters.rtcpRefused ?? 0,
      learnedSource: side.tap.learnedSource,
      packetsForwarded: side.forwarded,
    })) as [RelayDirectionStats, RelayDirectionStats];
  }

  /** Flushes both taps, closes the sockets and frees the ports. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all(
        this.#sides.map(async (side) => {
          side.socket.removeAllListeners('message');
          side.tap.close();
          await Promise.all([
            new Promise<void>((resolve) => side.socket.close(() => resolve())),
            side.rtcp?.close(),
          ]);
          this.#ports.release(side.port);
        }),
      );
    })();
    return this.#closing;
  }
}

/** The session that encrypts towards a party; an unchanged key keeps its session (and its ROC). */
function outboundFor(current: Side['outbound'], keys: RelaySideKeys | null): Side['outbound'] {
  if (keys === null) return null;
  if (current !== null && sameMasterKey(current.key, keys.outbound)) return current;
  return { key: keys.outbound, session: new SrtpSession(keys.outbound) };
}

/** Sends a packet party `from` sent, plain, on to party `to`: encrypted with `to`'s key on an SRTP leg. */
function forward(from: Side, to: Side, plain: Buffer): void {
  const target = to.tap.lockedSource ?? to.declared;
  if (!target) return;
  to.socket.send(to.outbound ? to.outbound.session.protectRtp(plain) : plain, target.port, target.address);
  from.forwarded++;
}

/** A party that has sent us no RTCP yet gets it where RFC 3550 §11 puts it: its RTP port + 1. */
function rtcpAddressOf(side: Side): PacketSource | null {
  const rtp = side.tap.lockedSource ?? side.declared;
  return rtp === null ? null : { address: rtp.address, port: rtp.port + 1 };
}
