import type { Socket } from 'node:dgram';
import type { Logger } from '../platform/logger.js';
import type { RtcpCounters } from './MediaTypes.js';
import { bindUdp } from './UdpSockets.js';
import type { PacketSource } from './rtp/SourceLock.js';
import { SrtpSession } from './srtp/SrtpSession.js';
import { sameMasterKey, type SrtpMasterKey } from './srtp/SrtpSuite.js';

/** RTCP packet types a compound packet may start with (RFC 3550 §6.4–6.7: SR, RR, SDES, BYE, APP; RFC 4585: 205, 206). */
const FIRST_RTCP_TYPE = 200;
const LAST_RTCP_TYPE = 206;
const RTCP_HEADER_SIZE = 8;

interface SessionFor {
  readonly key: SrtpMasterKey;
  readonly session: SrtpSession;
}

function sessionFor(current: SessionFor | null, key: SrtpMasterKey | null): SessionFor | null {
  if (key === null) return null;
  if (current !== null && sameMasterKey(current.key, key)) return current;
  return { key, session: new SrtpSession(key) };
}

/**
 * The RTCP half of a stream, on the odd port after its RTP port (RFC 3550 §11): checks where each
 * packet comes from (the party's RTP address), authenticates and decrypts SRTCP with the party's key,
 * and hands the plain compound packet on; `send` protects with the key we announced to the party.
 * Nothing here reads the reports' contents: the listener counts them, the relay forwards them.
 */
export class RtcpPort {
  readonly counters: RtcpCounters = { rtcpPackets: 0, rtcpRefused: 0 };
  readonly #socket: Socket;
  #inbound: SessionFor | null = null;
  #outbound: SessionFor | null = null;
  /** Where the party's RTCP came from last: where the relay sends it the other party's reports. */
  #lastSource: PacketSource | null = null;
  #closing: Promise<void> | null = null;

  private constructor(
    socket: Socket,
    allowed: (remote: PacketSource) => boolean,
    onPacket: (plain: Buffer) => void,
  ) {
    this.#socket = socket;
    socket.on('message', (msg, remote) => {
      const plain = allowed(remote) ? this.#unprotect(msg) : null;
      if (plain === null) {
        this.counters.rtcpRefused++;
        return;
      }
      this.counters.rtcpPackets++;
      this.#lastSource = { address: remote.address, port: remote.port };
      onPacket(plain);
    });
  }

  /**
   * Binds `rtpPort + 1`. RTCP is optional to a call: when another process holds that port, the
   * stream goes on without it (null), with a log line.
   */
  static async open(
    host: string,
    rtpPort: number,
    allowed: (remote: PacketSource) => boolean,
    onPacket: (plain: Buffer) => void,
    logger: Logger,
  ): Promise<RtcpPort | null> {
    try {
      const socket = await bindUdp(host, rtpPort + 1);
      socket.on('error', (err) => logger.warn({ err, port: rtpPort + 1 }, 'RTCP socket error'));
      return new RtcpPort(socket, allowed, onPacket);
    } catch (err) {
      logger.info({ err, port: rtpPort + 1 }, 'RTCP port taken: the stream has no RTCP');
      return null;
    }
  }

  get lastSource(): PacketSource | null {
    return this.#lastSource;
  }

  /** The keys of the party's leg: what it encrypts with, what we encrypt with towards it (null: plain). */
  setKeys(inbound: SrtpMasterKey | null, outbound: SrtpMasterKey | null): void {
    this.#inbound = sessionFor(this.#inbound, inbound);
    this.#outbound = sessionFor(this.#outbound, outbound);
  }

  send(plain: Buffer, to: PacketSource): void {
    this.#socket.send(
      this.#outbound ? this.#outbound.session.protectRtcp(plain) : plain,
      to.port,
      to.address,
    );
  }

  #unprotect(msg: Buffer): Buffer | null {
    if (this.#inbound) {
      const plain = this.#inbound.session.unprotectRtcp(msg);
      return typeof plain === 'string' ? null : plain;
    }
    if (msg.length < RTCP_HEADER_SIZE || msg[0]! >> 6 !== 2) return null;
    const type = msg[1]!;
    return type >= FIRST_RTCP_TYPE && type <= LAST_RTCP_TYPE ? msg : null;
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#socket.removeAllListeners('message');
      this.#socket.close(() => resolve());
    });
    return this.#closing;
  }
}
