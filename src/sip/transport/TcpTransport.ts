import { createConnection, createServer, type Socket } from 'node:net';
import { StreamTransport, listenOn, type StreamTransportOptions } from './StreamTransport.js';
import type { SipFlow } from './TransportTypes.js';

export interface TcpTransportOptions extends StreamTransportOptions {
  readonly host: string;
  readonly port: number;
}

/** SIP over TCP (RFC 3261 §18): the stream transport on plain sockets. */
export class TcpTransport extends StreamTransport {
  readonly name = 'tcp' as const;

  static async listen(options: TcpTransportOptions): Promise<TcpTransport> {
    const server = createServer();
    await listenOn(server, options.host, options.port);
    return new TcpTransport(server, options);
  }

  protected override accepted(socket: Socket): void {
    this.adopt(socket, false);
  }

  protected async dial(flow: SipFlow): Promise<Socket> {
    const socket = createConnection({ host: flow.address, port: flow.port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return socket;
  }
}
