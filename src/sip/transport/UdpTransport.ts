import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../../platform/logger.js';
import { TypedEmitter } from '../../platform/TypedEmitter.js';
import type { SipFlow, SipTransport, SipTransportEvents } from './TransportTypes.js';

/** SIP over UDP: one socket, each datagram is one message (RFC 3261 §18.1.1, §18.2.1). */
export class UdpTransport extends TypedEmitter<SipTransportEvents> implements SipTransport {
  readonly name = 'udp' as const;
  readonly #socket: Socket;
  #closed = false;

  private constructor(socket: Socket, logger: Logger) {
    super(logger);
    this.#socket = socket;
    socket.on('message', (data, remote) => {
      this.safeEmit('message', data, { transport: 'udp', address: remote.address, port: remote.port });
    });
    // ICMP port-unreachable from a vanished peer surfaces here; it must not end the listener.
    socket.on('error', (err) => logger.warn({ err }, 'SIP UDP socket error'));
  }

  static async listen(host: string, port: number, logger: Logger): Promise<UdpTransport> {
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new UdpTransport(socket, logger);
  }

  get localPort(): number {
    return this.#socket.address().port;
  }

  send(data: Buffer, flow: SipFlow): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      // A send error (no route, peer gone) loses this datagram only; transactions retransmit.
      this.#socket.send(data, flow.port, flow.address, () => resolve());
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }
}
