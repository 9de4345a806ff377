import type { Socket } from 'node:dgram';
import { TypedEmitter } from '../platform/TypedEmitter.js';
import type { AudioEncoding, MediaStreamStats } from './MediaTypes.js';
import { RtcpPort } from './RtcpPort.js';
import type { RtpReceiverEvents, RtpReceiverOptions } from './RtpReceiverTypes.js';
import type { PortAllocator } from './rtp/PortAllocator.js';
import type { PacketSource } from './rtp/SourceLock.js';
import { RtpStreamTap } from './RtpStreamTap.js';
import type { SrtpMasterKey } from './srtp/SrtpSuite.js';
import { bindUdp, enlargeReceiveBuffer } from './UdpSockets.js';

const NO_RTCP = Object.freeze({ rtcpPackets: 0, rtcpRefused: 0 });

/** One received RTP stream: a UDP socket on a port of the allocator, its datagrams into an RtpStreamTap. */
export class RtpReceiver extends TypedEmitter<RtpReceiverEvents> {
  readonly localPort: number;
  /** The codec the stream was opened with: its decoder is that codec's for the call's life. */
  readonly encoding: AudioEncoding;
  readonly #socket: Socket;
  readonly #ports: PortAllocator;
  readonly #tap: RtpStreamTap;
  #rtcp: RtcpPort | null = null;
  #closing: Promise<void> | null = null;

  private constructor(options: RtpReceiverOptions, socket: Socket, port: number) {
    super(options.logger);
    this.localPort = port;
    this.encoding = options.payloadTypes.encoding;
    this.#socket = socket;
    this.#ports = options.ports;
    this.#tap = new RtpStreamTap(options);
    this.#tap.on('frame', (frame) => this.safeEmit('frame', frame));
    this.#tap.on('dtmf', (event) => this.safeEmit('dtmf', event));
    this.#tap.on('firstPacket', (at) => this.safeEmit('firstPacket', at));
    socket.on('message', (msg, remote) => this.#tap.receive(msg, remote));
    socket.on('error', (err) => options.logger.warn({ err, port }, 'RTP socket error'));
  }

  /** Binds a UDP socket on the next free even port of `options.ports`, and RTCP on the odd one after it. */
  static async open(options: RtpReceiverOptions): Promise<RtpReceiver> {
    const { port, value: socket } = await options.ports.bindNext((candidate) =>
      bindUdp(options.host, candidate),
    );
    enlargeReceiveBuffer(socket, options.logger);
    const receiver = new RtpReceiver(options, socket, port);
    // A listener only counts the reports: their figures are the sender's view, ours are in stats().
    receiver.#rtcp = await RtcpPort.open(
      options.host,
      port,
      (remote) => receiver.#tap.isPartyAddress(remote.address),
      () => undefined,
      options.logger,
    );
    receiver.#rtcp?.setKeys(options.srtp ?? null, null);
    return receiver;
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  /** Re-targets the source lock to the SDP's address and port, e.g. after a re-INVITE. */
  setExpectedRemote(remote: PacketSource | null): void {
    this.#tap.setExpectedRemote(remote);
  }

  /** The key the peer now encrypts with (a re-INVITE may change it); null for plain RTP. */
  setSrtpKey(key: SrtpMasterKey | null): void {
    this.#tap.setSrtpKey(key);
    this.#rtcp?.setKeys(key, null);
  }

  stats(): MediaStreamStats {
    return {
      ...this.#tap.stats(),
      ...(this.#rtcp?.counters ?? NO_RTCP),
      learnedSource: this.#tap.learnedSource,
    };
  }

  /** Releases what the jitter buffer still holds as frames, then frees the socket and port. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#socket.removeAllListeners('message');
    this.#tap.close();
    await Promise.all([
      new Promise<void>((resolve) => this.#socket.close(() => resolve())),
      this.#rtcp?.close(),
    ]);
    this.#ports.release(this.localPort);
  }
}
