import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { AccessControl, Credentials } from '../access/AccessControl.js';
import { RecordScope } from '../access/RecordScope.js';
import type { Principal } from '../access/Roles.js';
import { CallsightError, ERROR_CODES, InvalidStateError, NotReadyError } from '../platform/errors.js';
import { silentLogger, type Logger } from '../platform/logger.js';
import type { DataStream, StreamSubscription } from '../stream/StreamTypes.js';
import { HostPolicy, presentedCredentials, WS_PROTOCOL } from './auth/RequestGuards.js';
import { ruleFor } from './auth/RouteTable.js';
import { roleAllows } from '../access/Roles.js';
import { ClientFilter } from './ClientFilter.js';
import type { ConnectionRegistry } from './ConnectionRegistryTypes.js';
import { writeErrorReply } from './HttpErrors.js';
import { recordFrame } from './RecordFrame.js';

export interface WebSocketGatewayOptions {
  /** The HTTP server whose upgrade requests on `path` become WebSocket sessions. */
  readonly server: Server;
  readonly stream: DataStream;
  /** Who may connect, and what each client may read. */
  readonly access: AccessControl;
  /** Allowed Host and Origin headers. Default: loopback names only. */
  readonly hosts?: HostPolicy;
  /** How often each client's credentials are checked again (and at once on a change made here). Default 10 000 ms. */
  readonly recheckMs?: number;
  readonly registry?: ConnectionRegistry;
  /** Default `/ws`. */
  readonly path?: string;
  /** Per-client outgoing budget: bytes buffered for the socket plus the frame about to be sent. Default 4 MiB. */
  readonly maxBufferedBytes?: number;
  /**
   * How long a client may stay over budget before it is closed with 4008. It lets a healthy client take a
   * replay burst at network speed; a client that does not read never gets under. Default 2000 ms.
   */
  readonly slowConsumerGraceMs?: number;
  /** Ping period; a client that has not answered the previous ping is terminated. Default 30 000 ms. */
  readonly heartbeatIntervalMs?: number;
  /**
   * Clients connected at once; an upgrade beyond this is refused with 503 CS_ERR_WS_CLIENT_LIMIT.
   * Default 256 (with the default budget, at most about 1 GiB of unsent frames in all).
   */
  readonly maxClients?: number;
  /** Clients connected at once from one source address (a proxy in front counts as one). Default 32. */
  readonly maxClientsPerSource?: number;
  /** Largest client → server message; larger ones close the socket (1009). Default 64 KiB. */
  readonly maxPayload?: number;
  readonly logger?: Logger;
}

export interface GatewayCounts {
  readonly connectedClients: number;
  readonly framesSent: number;
  readonly slowDisconnects: number;
  /** Upgrades refused because http.wsMaxClients or http.wsMaxClientsPerSource was reached. */
  readonly refusedClients: number;
}

export const SLOW_CONSUMER_CLOSE_CODE = ERROR_CODES.CS_ERR_WS_SLOW_CLIENT.status;
export const REVOKED_CLOSE_CODE = ERROR_CODES.CS_ERR_AUTH_REVOKED.status;
const GOING_AWAY = 1001;
const INTERNAL_ERROR = 1011;
const CLOSE_WAIT_MS = 1000;

interface Client {
  readonly id: string;
  readonly ws: WebSocket;
  readonly filter: ClientFilter;
  readonly scope: RecordScope;
  /** Kept in memory only, to check them again. */
  readonly credentials: Credentials;
  readonly subscription: StreamSubscription;
  readonly logger: Logger;
  alive: boolean;
}

/**
 * The API Gateway WebSocket API plus its Kinesis-consuming Lambda: each client gets its own stream
 * subscription (so a slow client never stalls another) and receives every matching record as one JSON
 * text frame carrying `sequenceNumber`.
 */
export class WebSocketGateway {
  readonly #server: Server;
  readonly #stream: DataStream;
  readonly #registry: ConnectionRegistry | undefined;
  readonly #access: AccessControl;
  readonly #hosts: HostPolicy;
  readonly #recheck: NodeJS.Timeout;
  readonly #stopListening: () => void;
  readonly #path: string;
  readonly #maxBufferedBytes: number;
  readonly #graceMs: number;
  readonly #logger: Logger;
  readonly #wss: WebSocketServer;
  readonly #clients = new Set<Client>();
  readonly #maxClients: number;
  readonly #maxClientsPerSource: number;
  /** Clients per source address, and whether reaching the limit has been logged since it was last under. */
  readonly #perSource = new Map<string, { clients: number; limitLogged: boolean }>();
  #totalLimitLogged = false;
  #refusedClients = 0;
  readonly #heartbeat: NodeJS.Timeout;
  #framesSent = 0;
  #slowDisconnects = 0;
  #closePromise: Promise<void> | undefined;

  constructor(options: WebSocketGatewayOptions) {
    this.#server = options.server;
    this.#stream = options.stream;
    this.#registry = options.registry;
    this.#access = options.access;
    this.#hosts = options.hosts ?? new HostPolicy({ bindHost: '127.0.0.1' });
    this.#path = options.path ?? '/ws';
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.#graceMs = options.slowConsumerGraceMs ?? 2000;
    this.#maxClients = options.maxClients ?? 256;
    this.#maxClientsPerSource = options.maxClientsPerSource ?? 32;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'ws-gateway' });
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: options.maxPayload ?? 64 * 1024,
      // A browser that offered subprotocols (the bearer one among them) gets `callsight` back, never the token.
      handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    });
    this.#server.on('upgrade', this.#onUpgrade);
    this.#heartbeat = setInterval(() => this.#beat(), options.heartbeatIntervalMs ?? 30_000);
    this.#heartbeat.unref();
    this.#recheck = setInterval(() => void this.#recheckClients(), options.recheckMs ?? 10_000);
    this.#recheck.unref();
    this.#stopListening = this.#access.onRevoke(() => void this.#recheckClients());
  }

  get closed(): boolean {
    return this.#closePromise !== undefined;
  }

  counts(): GatewayCounts {
    return {
      connectedClients: this.#clients.size,
      framesSent: this.#framesSent,
      slowDisconnects: this.#slowDisconnects,
      refusedClients: this.#refusedClients,
    };
  }

  /** Closes every client with 1001 (terminating those that do not answer within a second) and stops accepting. */
  close(): Promise<void> {
    this.#closePromise ??= this.#shutdown();
    return this.#closePromise;
  }

  async #shutdown(): Promise<void> {
    clearInterval(this.#heartbeat);
    clearInterval(this.#recheck);
    this.#stopListening();
    this.#server.off('upgrade', this.#onUpgrade);
    await Promise.all(
      [...this.#clients].map(async ({ ws, subscription }) => {
        subscription.close();
        if (ws.readyState === WebSocket.CLOSED) return;
        const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
        ws.close(GOING_AWAY, 'server shutting down');
        const timer = setTimeout(() => ws.terminate(), CLOSE_WAIT_MS);
        await closed;
        clearTimeout(timer);
      }),
    );
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    this.#logger.info({ framesSent: this.#framesSent }, 'websocket gateway closed');
  }

  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== this.#path) {
      // Leave the request to another upgrade handler if the host installed one.
      if (this.#server.listenerCount('upgrade') === 1)
        writeErrorReply(socket, new CallsightError('CS_ERR_NOT_FOUND', `no WebSocket at ${url.pathname}`));
      return;
    }
    if (this.closed) {
      writeErrorReply(socket, new NotReadyError('the gateway is shutting down'));
      return;
    }
    if (!this.#hosts.allowsHost(req.headers.host)) {
      writeErrorReply(
        socket,
        new CallsightError(
          'CS_ERR_HOST_NOT_ALLOWED',
          `this server does not answer to ${req.headers.host ?? '(no Host)'}`,
        ),
      );
      return;
    }
    // A browser always sends Origin on a WebSocket: another site's page opening /ws with this site's cookie is refused.
    if (!this.#hosts.allowsOrigin(req.headers.origin, req.headers.host)) {
      writeErrorReply(
        socket,
        new CallsightError('CS_ERR_ORIGIN_NOT_ALLOWED', `WebSocket from ${req.headers.origin}`),
      );
      return;
    }
    let filter: ClientFilter;
    try {
      filter = ClientFilter.parse(url.searchParams);
    } catch (err) {
      writeErrorReply(socket, err);
      return;
    }
    const credentials = presentedCredentials(req.headers, url.searchParams);
    this.#access.authenticate(credentials).then(
      (principal) => {
        const needed = ruleFor('GET', this.#path)?.role ?? 'admin';
        if (!principal)
          writeErrorReply(
            socket,
            new CallsightError('CS_ERR_UNAUTHENTICATED', 'sign in, or send a bearer token'),
          );
        else if (needed !== 'public' && !roleAllows(principal.role, needed))
          writeErrorReply(
            socket,
            new CallsightError('CS_ERR_FORBIDDEN', `${this.#path} needs the ${needed} role`),
          );
        else if (this.closed) writeErrorReply(socket, new NotReadyError('the gateway is shutting down'));
        else {
          const refusal = this.#overLimit(req.socket.remoteAddress ?? '?');
          if (refusal) writeErrorReply(socket, refusal);
          // ws calls back synchronously (no verifyClient), so the count cannot be overtaken in between.
          else
            this.#wss.handleUpgrade(req, socket, head, (ws) =>
              this.#accept(ws, req, filter, { principal, credentials }),
            );
        }
      },
      (err: unknown) => writeErrorReply(socket, err),
    );
  };

  /** Closes (4401) every client whose credentials are no longer valid. */
  async #recheckClients(): Promise<void> {
    await Promise.all(
      [...this.#clients].map(async (client) => {
        let principal: Principal | null;
        try {
          principal = await this.#access.authenticate(client.credentials);
        } catch (err) {
          client.logger.warn({ err }, 'could not re-check websocket credentials');
          return;
        }
        if (principal) return;
        client.logger.info({ code: 'CS_ERR_AUTH_REVOKED' }, 'closing websocket whose credentials ended');
        client.subscription.close();
        client.ws.close(REVOKED_CLOSE_CODE, 'credentials revoked or expired');
      }),
    );
  }

  /** The refusal for a new client from `source` over http.wsMaxClients(PerSource), logged once each time reached. */
  #overLimit(source: string): CallsightError | undefined {
    const fromSource = this.#perSource.get(source);
    if (this.#clients.size >= this.#maxClients) {
      this.#refusedClients++;
      if (!this.#totalLimitLogged) {
        this.#totalLimitLogged = true;
        this.#logger.warn(
          { code: 'CS_ERR_WS_CLIENT_LIMIT', limit: this.#maxClients },
          'websocket clients refused: http.wsMaxClients reached',
        );
      }
      return new CallsightError(
        'CS_ERR_WS_CLIENT_LIMIT',
        `${this.#maxClients} WebSocket clients connected already`,
      );
    }
    if (fromSource && fromSource.clients >= this.#maxClientsPerSource) {
      this.#refusedClients++;
      if (!fromSource.limitLogged) {
        fromSource.limitLogged = true;
        this.#logger.warn(
          { code: 'CS_ERR_WS_CLIENT_LIMIT', remote: source, limit: this.#maxClientsPerSource },
          'websocket clients refused: http.wsMaxClientsPerSource reached for this source',
        );
      }
      return new CallsightError(
        'CS_ERR_WS_CLIENT_LIMIT',
        `${this.#maxClientsPerSource} WebSocket clients connected from this address already`,
      );
    }
    return undefined;
  }

  #countIn(source: string): void {
    const entry = this.#perSource.get(source);
    if (entry) entry.clients++;
    else this.#perSource.set(source, { clients: 1, limitLogged: false });
  }

  #countOut(source: string): void {
    const entry = this.#perSource.get(source);
    if (!entry || --entry.clients === 0) this.#perSource.delete(source);
    else entry.limitLogged = false;
    if (this.#clients.size < this.#maxClients) this.#totalLimitLogged = false;
  }

  #accept(
    ws: WebSocket,
    req: IncomingMessage,
    filter: ClientFilter,
    who: { principal: Principal; credentials: Credentials },
  ): void {
    const id = randomUUID();
    const source = req.socket.remoteAddress ?? '?';
    const remoteAddress = `${source}:${req.socket.remotePort ?? 0}`;
    const logger = this.#logger.child({ connectionId: id });
    let subscription: StreamSubscription;
    try {
      if (this.closed) throw new InvalidStateError('websocket gateway');
      subscription = this.#stream.subscribe(filter.from ?? this.#stream.lastSequence());
    } catch (err) {
      logger.error({ err }, 'could not subscribe a new client');
      ws.close(INTERNAL_ERROR, 'stream unavailable');
      return;
    }
    const client: Client = {
      id,
      ws,
      filter,
      scope: new RecordScope(who.principal),
      credentials: { bearer: who.credentials.bearer ?? null, session: who.credentials.session ?? null },
      subscription,
      logger,
      alive: true,
    };
    this.#clients.add(client);
    this.#countIn(source);
    logger.info(
      { remoteAddress, filters: filter.toJSON(), user: who.principal.name, role: who.principal.role },
      'websocket client connected',
    );
    this.#registry
      ?.add({ connectionId: id, connectedAt: Date.now(), remoteAddress, filters: filter.toJSON() })
      .catch((err: unknown) => logger.error({ err }, 'registry add failed'));

    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data: RawData) => {
      logger.debug({ bytes: rawLength(data) }, 'ignored client message');
    });
    ws.on('error', (err) => logger.debug({ err }, 'websocket error'));
    ws.once('close', (code, reason) => {
      subscription.close();
      this.#clients.delete(client);
      this.#countOut(source);
      logger.info({ code, reason: reason.toString() }, 'websocket client disconnected');
      this.#registry
        ?.markDisconnected(id)
        .catch((err: unknown) => logger.error({ err }, 'registry update failed'));
    });
    void this.#pump(client);
  }

  async #pump(client: Client): Promise<void> {
    const { ws, filter, scope, subscription } = client;
    try {
      for await (const record of subscription) {
        // The scope first: it learns an agent's calls from records the filter may leave out.
        if (!scope.allows(record) || !filter.matches(record)) continue;
        const frame = recordFrame(record);
        if (!(await this.#awaitBudget(client, Buffer.byteLength(frame)))) return;
        ws.send(frame);
        this.#framesSent++;
        this.#registry?.updateLastSequence(client.id, record.sequenceNumber);
      }
    } catch (err) {
      if (this.closed) return;
      client.logger.error({ err }, 'stream subscription failed');
      ws.close(INTERNAL_ERROR, 'stream error');
    }
  }

  /** Waits until the frame fits the client's budget; closes a client that stays over it past the grace. */
  async #awaitBudget(client: Client, frameBytes: number): Promise<boolean> {
    const { ws } = client;
    const deadline = Date.now() + this.#graceMs;
    // A frame bigger than the whole budget still goes out once the socket has drained.
    while (
      ws.readyState === WebSocket.OPEN &&
      ws.bufferedAmount > 0 &&
      ws.bufferedAmount + frameBytes > this.#maxBufferedBytes
    ) {
      if (Date.now() >= deadline) {
        const pending = ws.bufferedAmount + frameBytes;
        this.#slowDisconnects++;
        client.logger.warn(
          { code: 'CS_ERR_WS_SLOW_CLIENT', pending, budget: this.#maxBufferedBytes },
          'closing slow websocket consumer',
        );
        client.subscription.close();
        ws.close(SLOW_CONSUMER_CLOSE_CODE, `slow consumer: ${pending} bytes pending`);
        // The close frame waits behind the unread bytes; do not hold them for ws's 30 s close timeout.
        setTimeout(() => ws.terminate(), 5000).unref();
        return false;
      }
      await delay(20);
    }
    return ws.readyState === WebSocket.OPEN;
  }

  #beat(): void {
    for (const client of this.#clients) {
      if (!client.alive) {
        client.logger.info('terminating websocket client that missed a pong');
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }
}

function rawLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}
