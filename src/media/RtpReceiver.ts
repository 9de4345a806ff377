import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../platform/logger.js';
import { TypedEmitter } from '../platform/TypedEmitter.js';
import type { RtpStreamStats } from './MediaTypes.js';
import type { RtpReceiverEvents, RtpReceiverOptions } from './RtpReceiverTypes.js';
import type { PortAllocator } from './rtp/PortAllocator.js';
import { RtpStreamTap } from './RtpStreamTap.js';
import type { SrtpMasterKey } from './srtp/SrtpSuite.js';

const RECV_BUFFER_BYTES = 1 << 20;

/** One received RTP stream: a UDP socket on a port of the allocator, its datagrams into an RtpStreamTap. */
export class RtpReceiver extends TypedEmitter<RtpReceiverEvents> {
  readonly localPort: number;
  readonly #socket: Socket;
  readonly #ports: PortAllocator;
  readonly #tap: RtpStreamTap;
  #closing: Promise<void> | null = null;

  private constructor(options: RtpReceiverOptions, socket: Socket, port: number) {
    super(options.logger);
    this.localPort = port;
    this.#socket = socket;
    this.#ports = options.ports;
    this.#tap = new RtpStreamTap(options);
    this.#tap.on('frame', (frame) => this.safeEmit('frame', frame));
    this.#tap.on('dtmf', (event) => this.safeEmit('dtmf', event));
    this.#tap.on('firstPacket', (at) => this.safeEmit('firstPacket', at));
    socket.on('message', (msg, remote) => this.#tap.receive(msg, remote));
    socket.on('error', (err) => options.logger.warn({ err, port }, 'RTP socket error'));
  }

  /** Binds a UDP socket on the next free even port of `options.ports`. */
  static async open(options: RtpReceiverOptions): Promise<RtpReceiver> {
    const { port, value: socket } = await options.ports.bindNext((candidate) =>
      bindUdp(options.host, candidate),
    );
    enlargeReceiveBuffer(socket, options.logger);
    return new RtpReceiver(options, socket, port);
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  /** Re-targets the source lock, e.g. after a re-INVITE; the next accepted packet re-locks the port. */
  setExpectedRemote(address: string | null): void {
    this.#tap.setExpectedRemote(address);
  }

  /** The key the peer now encrypts with (a re-INVITE may change it); null for plain RTP. */
  setSrtpKey(key: SrtpMasterKey | null): void {
    this.#tap.setSrtpKey(key);
  }

  stats(): RtpStreamStats {
    return this.#tap.stats();
  }

  /** Releases what the jitter buffer still holds as frames, then frees the socket and port. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#socket.removeAllListeners('message');
    this.#tap.close();
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
    this.#ports.release(this.localPort);
  }
}

/** Bursts of RTP from many calls must not overflow the kernel's default receive buffer. */
export function enlargeReceiveBuffer(socket: Socket, logger: Logger): void {
  try {
    socket.setRecvBufferSize(RECV_BUFFER_BYTES);
  } catch (err) {
    logger.debug({ err }, 'could not enlarge the RTP receive buffer');
  }
}

export function bindUdp(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false });
    const onError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
