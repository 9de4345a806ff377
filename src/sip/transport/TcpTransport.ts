import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../platform/logger.js';
import { TypedEmitter } from '../../platform/TypedEmitter.js';
import { DEFAULT_FRAMER_LIMITS, StreamFramer, type StreamFramerLimits } from './StreamFramer.js';
import type { SipFlow, SipTransport, SipTransportEvents } from './TransportTypes.js';

export interface TcpTransportOptions {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly limits?: StreamFramerLimits;
  /** Connections beyond this are refused at accept. */
  readonly maxConnections?: number;
  /** A connection silent this long is closed (peers reconnect for their next request). */
  readonly idleTimeoutMs?: number;
}

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly framer: StreamFramer;
  readonly flow: SipFlow;
}

const CRLF = Buffer.from('\r\n');

/** SIP over TCP: messages framed by Content-Length, responses on the connection the request used. */
export class TcpTransport extends TypedEmitter<SipTransportEvents> implements SipTransport {
  readonly name = 'tcp' as const;
  readonly #server: Server;
  readonly #options: TcpTransportOptions;
  readonly #logger: Logger;
  readonly #connections = new Map<number, Connection>();
  #nextId = 1;
  #closed = false;

  private constructor(server: Server, options: TcpTransportOptions) {
    super(options.logger);
    this.#server = server;
    this.#options = options;
    this.#logger = options.logger;
    server.on('connection', (socket) => {
      if (this.#connections.size >= (options.maxConnections ?? 4096)) {
        this.#logger.warn(
          { remote: socket.remoteAddress },
          'SIP TCP connection refused: too many connections',
        );
        socket.destroy();
        return;
      }
      this.#adopt(socket);
    });
  }

  static async listen(options: TcpTransportOptions): Promise<TcpTransport> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TcpTransport(server, options);
  }

  get localPort(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  #adopt(socket: Socket): Connection {
    const id = this.#nextId++;
    const flow: SipFlow = {
      transport: 'tcp',
      address: socket.remoteAddress ?? '',
      port: socket.remotePort ?? 0,
      connectionId: id,
    };
    const connection: Connection = {
      id,
      socket,
      framer: new StreamFramer(this.#options.limits ?? DEFAULT_FRAMER_LIMITS),
      flow,
    };
    this.#connections.set(id, connection);
    socket.setNoDelay(true);
    socket.setTimeout(this.#options.idleTimeoutMs ?? 300_000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.#receive(connection, chunk));
    socket.on('error', (err) =>
      this.#logger.debug({ err, remote: flow.address }, 'SIP TCP connection error'),
    );
    socket.on('close', () => this.#connections.delete(id));
    return connection;
  }

  #receive(connection: Connection, chunk: Buffer): void {
    let items;
    try {
      items = connection.framer.push(chunk);
    } catch {
      // Data after a framing error (the connection is already closing), or a framer bug: close.
      connection.socket.end();
      return;
    }
    for (const item of items) {
      if (item.kind === 'ping') connection.socket.write(CRLF);
      else if (item.kind === 'message') this.safeEmit('message', item.data, connection.flow);
      else {
        this.#logger.warn(
          { err: item.error, remote: connection.flow.address },
          'SIP TCP framing error: closing the connection',
        );
        this.safeEmit('framingError', item.error, connection.flow);
        // Let the listener's answer (sent synchronously into the socket buffer) go out first.
        connection.socket.end();
      }
    }
  }

  async send(data: Buffer, flow: SipFlow): Promise<void> {
    if (this.#closed) return;
    let connection = flow.connectionId === undefined ? undefined : this.#connections.get(flow.connectionId);
    connection ??= [...this.#connections.values()].find(
      (c) => c.flow.address === flow.address && c.flow.port === flow.port && !c.socket.destroyed,
    );
    if (!connection || connection.socket.destroyed) connection = await this.#connect(flow);
    connection.socket.write(data);
  }

  async #connect(flow: SipFlow): Promise<Connection> {
    const socket = createConnection({ host: flow.address, port: flow.port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return this.#adopt(socket);
  }

  /** Writes a response straight into the connection (used for framing errors before it closes). */
  sendOnConnection(data: Buffer, flow: SipFlow): void {
    const connection = flow.connectionId === undefined ? undefined : this.#connections.get(flow.connectionId);
    if (connection && !connection.socket.destroyed) connection.socket.write(data);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of this.#connections.values()) connection.socket.end();
    const deadline = setTimeout(() => {
      for (const connection of this.#connections.values()) connection.socket.destroy();
    }, 1000);
    await closed;
    clearTimeout(deadline);
  }
}
