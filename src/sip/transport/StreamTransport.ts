import type { Server, Socket } from 'node:net';
import type { Logger } from '../../platform/logger.js';
import { TypedEmitter } from '../../platform/TypedEmitter.js';
import { LogThrottle } from '../access/LogThrottle.js';
import { DEFAULT_FRAMER_LIMITS, StreamFramer, type StreamFramerLimits } from './StreamFramer.js';
import type { SipFlow, SipTransport, SipTransportEvents } from './TransportTypes.js';

/** What a peer may cost a stream listener (each one a setting: see sip.* in ConfigOptions.ts). */
export interface StreamLimits {
  /** Accepted connections open at once; an accept beyond this is closed at once. */
  readonly maxConnections: number;
  /** Open connections from one source address. */
  readonly maxConnectionsPerSource: number;
  /**
   * A message must arrive whole, header section and body, within this time of its first byte; the
   * clock is not restarted by each byte, so a peer that trickles one byte at a time is cut off.
   */
  readonly messageTimeoutMs: number;
  /** A connection silent this long is closed (peers reconnect for their next request). */
  readonly idleTimeoutMs: number;
  /**
   * RFC 5626 §3.5.1 keep-alive on the connections we opened: a double-CRLF ping after this long
   * without traffic (0: never).
   */
  readonly keepAliveIntervalMs: number;
  /** A flow that stays silent this long after a ping has failed and is closed (RFC 5626 §4.4.1: 10 s). */
  readonly keepAliveTimeoutMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxConnections: 4096,
  maxConnectionsPerSource: 64,
  messageTimeoutMs: 10_000,
  idleTimeoutMs: 300_000,
  keepAliveIntervalMs: 120_000,
  keepAliveTimeoutMs: 10_000,
};

const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');

export interface StreamTransportStats {
  /** Connections open now. */
  connections: number;
  /** Accepts closed because sip.maxConnections was reached. */
  refusedTotalLimit: number;
  /** Accepts closed because their source had sip.maxConnectionsPerSource open. */
  refusedPerSourceLimit: number;
  /** Connections closed because a message did not arrive whole within sip.messageTimeoutMs. */
  messageTimeouts: number;
  /** Outbound flows closed because a keep-alive ping went unanswered. */
  keepAliveFailures: number;
}

export interface StreamTransportOptions {
  readonly logger: Logger;
  readonly framerLimits?: StreamFramerLimits;
  readonly limits?: Partial<StreamLimits>;
}

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly framer: StreamFramer;
  readonly flow: SipFlow;
  /** We opened it: keep-alive pings are ours to send (RFC 5626 §3.5.1). */
  readonly outbound: boolean;
  /** Running while a message is partly received. */
  messageTimer: NodeJS.Timeout | null;
  lastReceived: number;
  keepAliveTimer: NodeJS.Timeout | null;
  /** `host:port` names this connection may be reused for (RFC 5923 aliases, and its dialled target). */
  readonly aliases: Set<string>;
}

const aliasKey = (address: string, port: number) => `${address.toLowerCase()}:${port}`;

/**
 * SIP over a byte stream, TCP or TLS (RFC 3261 §18): messages framed by Content-Length, responses on
 * the connection their request used, requests to a peer on a connection already open to it. Guards
 * every connection with the limits above. Subclasses bring the sockets: `dial` opens an outbound one,
 * and they hand each accepted one (after its handshake, for TLS) to `adopt`.
 */
export abstract class StreamTransport extends TypedEmitter<SipTransportEvents> implements SipTransport {
  abstract readonly name: 'tcp' | 'tls';
  protected readonly logger: Logger;
  readonly #server: Server;
  readonly #framerLimits: StreamFramerLimits;
  readonly #limits: StreamLimits;
  readonly #connections = new Map<number, Connection>();
  readonly #aliases = new Map<string, number>();
  /** Open sockets per source address, counted from accept (before any TLS handshake). */
  readonly #perSource = new Map<string, number>();
  readonly #stats = {
    refusedTotalLimit: 0,
    refusedPerSourceLimit: 0,
    messageTimeouts: 0,
    keepAliveFailures: 0,
  };
  /** The total limit is logged once each time it is reached; per source at most once a minute. */
  #totalLimitLogged = false;
  readonly #sourceLog = new LogThrottle();
  #accepted = 0;
  #nextId = 1;
  #closed = false;

  protected constructor(server: Server, options: StreamTransportOptions) {
    super(options.logger);
    this.logger = options.logger;
    this.#server = server;
    this.#framerLimits = options.framerLimits ?? DEFAULT_FRAMER_LIMITS;
    this.#limits = { ...DEFAULT_STREAM_LIMITS, ...options.limits };
    // The raw TCP accept, before a TLS handshake: refusing here costs no cryptography.
    server.on('connection', (socket: Socket) => {
      if (this.#admit(socket)) this.accepted(socket);
    });
  }

  /** An accepted socket within the limits: TCP adopts it; TLS waits for its handshake instead. */
  protected accepted(_socket: Socket): void {}

  /** Opens an outbound connection to `flow` (connected, and for TLS verified). */
  protected abstract dial(flow: SipFlow): Promise<Socket>;

  get localPort(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  stats(): StreamTransportStats {
    return { connections: this.#connections.size, ...this.#stats };
  }

  #admit(socket: Socket): boolean {
    const address = socket.remoteAddress ?? '';
    const fromSource = this.#perSource.get(address) ?? 0;
    if (this.#accepted >= this.#limits.maxConnections) {
      this.#stats.refusedTotalLimit++;
      if (!this.#totalLimitLogged) {
        this.#totalLimitLogged = true;
        this.logger.warn(
          { code: 'CS_ERR_SIP_CONNECTION_LIMIT', transport: this.name, limit: this.#limits.maxConnections },
          `SIP ${this.name.toUpperCase()} connections refused: sip.maxConnections reached`,
        );
      }
      socket.destroy();
      return false;
    }
    if (fromSource >= this.#limits.maxConnectionsPerSource) {
      this.#stats.refusedPerSourceLimit++;
      const admitted = this.#sourceLog.admit(address);
      if (admitted)
        this.logger.warn(
          {
            code: 'CS_ERR_SIP_CONNECTION_LIMIT',
            transport: this.name,
            remote: address,
            limit: this.#limits.maxConnectionsPerSource,
            ...admitted,
          },
          `SIP ${this.name.toUpperCase()} connection refused: sip.maxConnectionsPerSource reached for this source`,
        );
      socket.destroy();
      return false;
    }
    this.#accepted++;
    this.#perSource.set(address, fromSource + 1);
    socket.once('close', () => {
      this.#accepted--;
      const left = (this.#perSource.get(address) ?? 1) - 1;
      if (left > 0) this.#perSource.set(address, left);
      else this.#perSource.delete(address);
      if (this.#accepted < this.#limits.maxConnections) this.#totalLimitLogged = false;
    });
    return true;
  }

  /** Takes over a connected socket: framing, deadlines and, for outbound ones, keep-alive. */
  protected adopt(socket: Socket, outbound: boolean): Connection {
    const id = this.#nextId++;
    const flow: SipFlow = {
      transport: this.name,
      address: socket.remoteAddress ?? '',
      port: socket.remotePort ?? 0,
      connectionId: id,
    };
    const connection: Connection = {
      id,
      socket,
      framer: new StreamFramer(this.#framerLimits),
      flow,
      outbound,
      messageTimer: null,
      lastReceived: Date.now(),
      keepAliveTimer: null,
      aliases: new Set(),
    };
    this.#connections.set(id, connection);
    socket.setNoDelay(true);
    socket.setTimeout(this.#limits.idleTimeoutMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.#receive(connection, chunk));
    socket.on('error', (err) =>
      this.logger.debug({ err, remote: flow.address, transport: this.name }, 'SIP connection error'),
    );
    socket.on('close', () => this.#forget(connection));
    if (outbound) this.#scheduleKeepAlive(connection);
    return connection;
  }

  #forget(connection: Connection): void {
    this.#connections.delete(connection.id);
    for (const alias of connection.aliases)
      if (this.#aliases.get(alias) === connection.id) this.#aliases.delete(alias);
    if (connection.messageTimer) clearTimeout(connection.messageTimer);
    if (connection.keepAliveTimer) clearTimeout(connection.keepAliveTimer);
  }

  #receive(connection: Connection, chunk: Buffer): void {
    connection.lastReceived = Date.now();
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
        this.logger.warn(
          { err: item.error, remote: connection.flow.address, transport: this.name },
          'SIP framing error: closing the connection',
        );
        this.safeEmit('framingError', item.error, connection.flow);
        // Let the listener's answer (sent synchronously into the socket buffer) go out first.
        connection.socket.end();
      }
    }
    this.#watchMessageDeadline(
      connection,
      items.some((item) => item.kind === 'message'),
    );
  }

  /** The deadline runs from a message's first byte to its last; a completed message restarts it. */
  #watchMessageDeadline(connection: Connection, completedOne: boolean): void {
    if (connection.messageTimer && (completedOne || !connection.framer.holdsPartialMessage)) {
      clearTimeout(connection.messageTimer);
      connection.messageTimer = null;
    }
    if (connection.messageTimer || !connection.framer.holdsPartialMessage) return;
    connection.messageTimer = setTimeout(() => {
      this.#stats.messageTimeouts++;
      const admitted = this.#sourceLog.admit(`deadline:${connection.flow.address}`);
      if (admitted)
        this.logger.warn(
          {
            code: 'CS_ERR_SIP_MESSAGE_TIMEOUT',
            transport: this.name,
            remote: connection.flow.address,
            pendingBytes: connection.framer.pending,
            timeoutMs: this.#limits.messageTimeoutMs,
            ...admitted,
          },
          'SIP message not received whole within sip.messageTimeoutMs: closing the connection',
        );
      connection.socket.destroy();
    }, this.#limits.messageTimeoutMs);
  }

  #scheduleKeepAlive(connection: Connection): void {
    const interval = this.#limits.keepAliveIntervalMs;
    if (interval <= 0) return;
    // RFC 5626 §4.4.1: a random 80–100 % of the interval, so that many flows do not ping together.
    const wait = interval * (0.8 + Math.random() * 0.2);
    connection.keepAliveTimer = setTimeout(() => {
      if (connection.socket.destroyed) return;
      if (Date.now() - connection.lastReceived < interval) return this.#scheduleKeepAlive(connection);
      const pingedAt = Date.now();
      connection.socket.write(CRLFCRLF);
      connection.keepAliveTimer = setTimeout(() => {
        if (connection.lastReceived >= pingedAt) return this.#scheduleKeepAlive(connection);
        this.#stats.keepAliveFailures++;
        this.logger.info(
          { remote: connection.flow.address, port: connection.flow.port, transport: this.name },
          'SIP keep-alive ping unanswered: closing the flow',
        );
        connection.socket.destroy();
      }, this.#limits.keepAliveTimeoutMs);
    }, wait);
  }

  /**
   * Lets requests to `address:port` reuse this connection (RFC 5923: the peer's Via carried `alias`,
   * and the caller has checked that the peer may speak for that name).
   */
  addAlias(connectionId: number, address: string, port: number): void {
    const connection = this.#connections.get(connectionId);
    if (!connection) return;
    const key = aliasKey(address, port);
    connection.aliases.add(key);
    this.#aliases.set(key, connectionId);
  }

  /**
   * Whether a peer's `alias` (RFC 5923) for `host` may be honoured: over TCP only for the address the
   * connection comes from, so that nobody can capture the requests meant for another host.
   */
  mayAlias(connectionId: number, host: string): boolean {
    return this.#connections.get(connectionId)?.flow.address === host;
  }

  protected socketOf(connectionId: number): Socket | undefined {
    return this.#connections.get(connectionId)?.socket;
  }

  async send(data: Buffer, flow: SipFlow): Promise<void> {
    if (this.#closed) return;
    const connection = this.#open(flow) ?? (await this.#connect(flow));
    connection.socket.write(data);
  }

  /** The flow's own connection, else one to the same address and port or aliased to it. */
  #open(flow: SipFlow): Connection | undefined {
    const usable = (c: Connection | undefined) => (c && !c.socket.destroyed ? c : undefined);
    const byId = flow.connectionId === undefined ? undefined : this.#connections.get(flow.connectionId);
    const byAlias = this.#aliases.get(aliasKey(flow.address, flow.port));
    return (
      usable(byId) ??
      usable(byAlias === undefined ? undefined : this.#connections.get(byAlias)) ??
      [...this.#connections.values()].find(
        (c) => c.flow.address === flow.address && c.flow.port === flow.port && !c.socket.destroyed,
      )
    );
  }

  async #connect(flow: SipFlow): Promise<Connection> {
    const connection = this.adopt(await this.dial(flow), true);
    // The name we dialled is reused for the next request to it (a host name resolves to an address).
    this.addAlias(connection.id, flow.address, flow.port);
    return connection;
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

/** Listens on `server` at host:port. */
export async function listenOn(server: Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
