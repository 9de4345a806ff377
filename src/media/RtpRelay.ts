import type { Logger } from '../platform/logger.js';
import { TypedEmitter } from '../platform/TypedEmitter.js';
import type { AudioEncoding, MediaStreamStats } from './MediaTypes.js';
import { RtcpPort } from './RtcpPort.js';
import type { KeyWire, SideState } from './relay/RelayProtocol.js';
import { RelayWorkerHost } from './relay/RelayWorkerHost.js';
import type { RtpReceiverEvents } from './RtpReceiverTypes.js';
import type { PortAllocator } from './rtp/PortAllocator.js';
import type { PacketSource } from './rtp/SourceLock.js';
import { RtpStreamTap } from './RtpStreamTap.js';
import type { SrtpMasterKey } from './srtp/SrtpSuite.js';

/** RFC 3389 comfort noise: forwarded like audio (it keeps the far party's sequence continuous). */
const COMFORT_NOISE_PT = 13;

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
  readonly payloadTypes: { audio: number; encoding: AudioEncoding; telephoneEvent: number | null };
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

const NO_STATE: SideState = {
  spoofed: 0,
  invalid: 0,
  unauthenticated: 0,
  replayed: 0,
  forwarded: 0,
  locked: null,
  learned: false,
};

interface Side {
  readonly port: number;
  readonly options: RelaySideOptions;
  readonly tap: RtpStreamTap;
  declared: PacketSource | null;
  keys: RelaySideKeys | null;
  /** The worker's last word on this side: counts and where it locked. */
  state: SideState;
  /** The party's RTCP, on our port + 1: its reports go to the other party, re-protected per leg. */
  rtcp: RtcpPort | null;
}

const wire = (key: SrtpMasterKey): KeyWire => ({
  suite: key.suite.name,
  key: key.key,
  salt: key.salt,
  mkiLength: key.mkiLength,
});

/**
 * Anchors a call's media (the Voice Connector's trunk role): each party sends to its own local port,
 * and each packet is forwarded at once to the other party — by the relay worker thread, which owns
 * the sockets (RelayForwarder), so nothing on the main thread delays it. Only packets from the
 * party's source (SourceLock: symmetric RTP), authentic SRTP, valid RTP and of negotiated payload
 * types are forwarded, so the relay cannot be used to reflect traffic. Each leg has its own SRTP
 * keys: a packet is decrypted with the sender's and encrypted again with the receiver's. A copy of
 * each accepted packet comes back in batches to an RtpStreamTap here, so both directions are
 * transcribed as two channels.
 */
export class RtpRelay extends TypedEmitter<RtpReceiverEvents> {
  readonly #sides: [Side, Side];
  readonly #ports: PortAllocator;
  readonly #host: RelayWorkerHost;
  readonly #id: number;
  readonly #learnSource: boolean;
  readonly #logger: Logger;
  #closing: Promise<void> | null = null;

  private constructor(
    options: RtpRelayOptions,
    ports: readonly [number, number],
    host: RelayWorkerHost,
    requests: readonly [number, number],
  ) {
    super(options.logger);
    this.#logger = options.logger;
    this.#ports = options.ports;
    this.#host = host;
    this.#learnSource = options.learnSource ?? true;
    this.#sides = ports.map((port, index): Side => {
      const config = options.sides[index]!;
      const tap = new RtpStreamTap({
        channel: config.channel,
        expectedRemote: null,
        payloadTypes: config.payloadTypes,
        callStartMs: options.callStartMs,
        jitterDepthMs: options.jitterDepthMs,
        logger: options.logger.child({ channel: config.channel }),
      });
      tap.on('frame', (frame) => this.safeEmit('frame', frame));
      tap.on('dtmf', (event) => this.safeEmit('dtmf', event));
      tap.on('firstPacket', (at) => this.safeEmit('firstPacket', at));
      return {
        port,
        options: config,
        tap,
        declared: config.remote,
        keys: config.srtp,
        state: NO_STATE,
        rtcp: null,
      };
    }) as [Side, Side];
    this.#id = host.open(requests, {
      packet: (side, arrivalMs, plain) => this.#sides[side].tap.takePlain(plain, arrivalMs),
      state: (side, state) => this.#onState(side, state),
    });
    this.#configure(0);
    this.#configure(1);
  }

  static async open(options: RtpRelayOptions): Promise<RtpRelay> {
    const host = RelayWorkerHost.shared(options.logger);
    const opened: { port: number; request: number }[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const { port, value: request } = await options.ports.bindNext((candidate) =>
          host.bind(options.host, candidate),
        );
        opened.push({ port, request });
      }
    } catch (err) {
      for (const { port, request } of opened) {
        host.unbind(request);
        options.ports.release(port);
      }
      throw err;
    }
    const relay = new RtpRelay(options, [opened[0]!.port, opened[1]!.port], host, [
      opened[0]!.request,
      opened[1]!.request,
    ]);
    await relay.#openRtcp(options);
    return relay;
  }

  /** The local port party `side` must send to (put it in the SDP sent to that party). */
  localPort(side: 0 | 1): number {
    return this.#sides[side].port;
  }

  /** New SDP from party `side` (the answer, or a re-INVITE moving its media). */
  setRemote(side: 0 | 1, remote: PacketSource | null): void {
    this.#sides[side].declared = remote;
    this.#configure(side);
  }

  /** Party `side`'s SRTP keys (from its answer, or a re-INVITE), or null when its leg is plain RTP. */
  setKeys(side: 0 | 1, keys: RelaySideKeys | null): void {
    const target = this.#sides[side];
    target.keys = keys;
    target.rtcp?.setKeys(keys?.inbound ?? null, keys?.outbound ?? null);
    this.#configure(side);
  }

  /** Per direction: index 0 is what party 0 sent (tapped as its channel), 1 what party 1 sent. */
  stats(): [RelayDirectionStats, RelayDirectionStats] {
    return this.#sides.map((side) => {
      const tapped = side.tap.stats();
      const { state } = side;
      return {
        ...tapped,
        packetsSpoofed: state.spoofed,
        packetsInvalid: tapped.packetsInvalid + state.invalid,
        packetsUnauthenticated: state.unauthenticated,
        packetsReplayed: state.replayed,
        rtcpPackets: side.rtcp?.counters.rtcpPackets ?? 0,
        rtcpRefused: side.rtcp?.counters.rtcpRefused ?? 0,
        learnedSource: state.learned && state.locked ? `${state.locked.address}:${state.locked.port}` : null,
        packetsForwarded: state.forwarded,
      };
    }) as [RelayDirectionStats, RelayDirectionStats];
  }

  /** Stops forwarding, flushes both taps, closes the sockets and frees the ports. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#host.close(this.#id);
      for (const side of this.#sides) side.tap.close();
      for (const side of this.#sides) await side.rtcp?.close();
      for (const side of this.#sides) this.#ports.release(side.port);
    })();
    return this.#closing;
  }

  #configure(index: 0 | 1): void {
    const side = this.#sides[index];
    const { payloadTypes } = side.options;
    this.#host.configure(this.#id, index, {
      remote: side.declared,
      learnSource: this.#learnSource,
      payloadTypes: [
        payloadTypes.audio,
        COMFORT_NOISE_PT,
        ...(payloadTypes.telephoneEvent === null ? [] : [payloadTypes.telephoneEvent]),
      ],
      inbound: side.keys ? wire(side.keys.inbound) : null,
      outbound: side.keys ? wire(side.keys.outbound) : null,
    });
  }

  #onState(index: 0 | 1, state: SideState): void {
    const side = this.#sides[index];
    const wasLearned = side.state.learned;
    side.state = state;
    if (state.learned && state.locked && !wasLearned)
      this.#logger.info(
        {
          channel: side.options.channel,
          source: `${state.locked.address}:${state.locked.port}`,
          sdpAddress: side.declared?.address ?? null,
        },
        "RTP from a source other than the SDP's: learned it (symmetric RTP, NAT)",
      );
  }

  /** RTCP stays on this thread: it is a few packets a second, and its timing does not matter. */
  async #openRtcp(options: RtpRelayOptions): Promise<void> {
    for (const [index, side] of this.#sides.entries()) {
      const other = this.#sides[1 - index]!;
      side.rtcp = await RtcpPort.open(
        options.host,
        side.port,
        (remote) => {
          const party = side.state.locked?.address ?? side.declared?.address ?? null;
          return party === null || party === remote.address;
        },
        (plain) => {
          const target = other.rtcp?.lastSource ?? rtcpAddressOf(other);
          if (target) other.rtcp?.send(plain, target);
        },
        options.logger,
      );
      side.rtcp?.setKeys(side.keys?.inbound ?? null, side.keys?.outbound ?? null);
    }
  }
}

/** A party that has sent us no RTCP yet gets it where RFC 3550 §11 puts it: its RTP port + 1. */
function rtcpAddressOf(side: Side): PacketSource | null {
  const rtp = side.state.locked ?? side.declared;
  return rtp === null ? null : { address: rtp.address, port: rtp.port + 1 };
}
