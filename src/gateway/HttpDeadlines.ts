import type { IncomingMessage, Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { CallsightError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { counter, type ScrapedMetric } from '../platform/metrics.js';
import { writeErrorReply } from './HttpErrors.js';

/** How long an HTTP client may take to send a request (settings http.headersTimeoutMs, http.requestTimeoutMs). */
export interface HttpDeadlineLimits {
  /**
   * The request line and headers must arrive whole within this time of the connection opening (on a
   * kept-alive connection, of the next request's first byte; Fastify closes idle ones after 72 s): a
   * client trickling header bytes, or opening a connection and sending nothing, is cut off. At most
   * `requestTimeoutMs`.
   */
  readonly headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this time: a body that stalls is cut off. */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_HTTP_DEADLINES: HttpDeadlineLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

export interface HttpDeadlineCounts {
  readonly headerTimeouts: number;
  readonly bodyTimeouts: number;
}

/** At most one log line a minute about clients cut off, with how many there were since the last. */
const LOG_INTERVAL_MS = 60_000;

/**
 * Node's HTTP server enforces the deadlines (checking its connections every so often, so a deadline is
 * met within a quarter of it); this answers the clients it cuts off with a 408 CS_ERR_HTTP_TIMEOUT
 * body, counts them, and logs them without letting a flood of slow clients flood the log.
 */
export class HttpDeadlines {
  readonly #limits: HttpDeadlineLimits;
  readonly #logger: Logger;
  /** Each connection's latest request: whether its headers had arrived when the deadline struck. */
  readonly #requests = new WeakMap<Socket, IncomingMessage>();
  #headerTimeouts = 0;
  #bodyTimeouts = 0;
  #loggedAt = -Infinity;
  #unlogged = 0;

  constructor(limits: Partial<HttpDeadlineLimits>, logger: Logger) {
    const requestTimeoutMs = limits.requestTimeoutMs ?? DEFAULT_HTTP_DEADLINES.requestTimeoutMs;
    this.#limits = {
      requestTimeoutMs,
      headersTimeoutMs: Math.min(
        limits.headersTimeoutMs ?? DEFAULT_HTTP_DEADLINES.headersTimeoutMs,
        requestTimeoutMs,
      ),
    };
    this.#logger = logger;
  }

  /** Fastify's options that make its server enforce the deadlines and answer through `onClientError`. */
  fastifyOptions(): {
    requestTimeout: number;
    http: ServerOptions;
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket) => void;
  } {
    const { headersTimeoutMs, requestTimeoutMs } = this.#limits;
    return {
      requestTimeout: requestTimeoutMs,
      http: {
        headersTimeout: headersTimeoutMs,
        requestTimeout: requestTimeoutMs,
        // Node's default is 30 s, which would let a 10 s deadline run to 40 s.
        connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
      },
      clientErrorHandler: (err, socket) => this.#onClientError(err, socket),
    };
  }

  /** Follows the server's requests, to tell a header deadline from a body deadline. */
  watch(server: Server): void {
    server.on('request', (request: IncomingMessage) => this.#requests.set(request.socket, request));
  }

  counts(): HttpDeadlineCounts {
    return { headerTimeouts: this.#headerTimeouts, bodyTimeouts: this.#bodyTimeouts };
  }

  #onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    if (err.code !== 'ERR_HTTP_REQUEST_TIMEOUT') {
      // Malformed requests keep the status Node would give them, in Callsight's error body.
      const statusCode = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      writeErrorReply(socket, Object.assign(new Error('malformed HTTP request'), { statusCode }));
      return;
    }
    const request = this.#requests.get(socket);
    const inBody = request !== undefined && !request.complete;
    if (inBody) this.#bodyTimeouts++;
    else this.#headerTimeouts++;
    const setting = inBody ? 'http.requestTimeoutMs' : 'http.headersTimeoutMs';
    const limitMs = inBody ? this.#limits.requestTimeoutMs : this.#limits.headersTimeoutMs;
    this.#log(setting, limitMs, socket.remoteAddress);
    writeErrorReply(
      socket,
      new CallsightError('CS_ERR_HTTP_TIMEOUT', `request not received within ${setting} (${limitMs} ms)`),
    );
  }

  #log(setting: string, limitMs: number, remote: string | undefined): void {
    const now = Date.now();
    if (now - this.#loggedAt < LOG_INTERVAL_MS) {
      this.#unlogged++;
      return;
    }
    this.#loggedAt = now;
    this.#logger.warn(
      { code: 'CS_ERR_HTTP_TIMEOUT', setting, limitMs, remote, cutOffSinceLastLine: this.#unlogged },
      `HTTP client cut off: its request did not arrive within ${setting}`,
    );
    this.#unlogged = 0;
  }
}

/** The deadlines' counters on /metrics (the gateway's server and a sip or worker process's health server). */
export function httpDeadlineMetrics(deadlines: HttpDeadlines): ScrapedMetric[] {
  return [
    counter(
      'callsight_http_header_timeouts_total',
      'HTTP connections cut off (408) because the request headers did not arrive within http.headersTimeoutMs.',
      () => deadlines.counts().headerTimeouts,
    ),
    counter(
      'callsight_http_body_timeouts_total',
      'HTTP connections cut off (408) because the request body did not arrive within http.requestTimeoutMs.',
      () => deadlines.counts().bodyTimeouts,
    ),
  ];
}
