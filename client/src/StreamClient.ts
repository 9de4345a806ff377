import { isObject, type StreamRecord } from './records.js';

/** A handler type checked bivariantly, so the DOM's and the `ws` package's sockets both fit. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of a browser WebSocket (or the `ws` package's) the client uses. */
export interface SocketLike {
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason?: string }> | null;
  onerror: Handler<unknown> | null;
  close(code?: number, reason?: string): void;
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionStatus {
  readonly state: ConnectionState;
  /** The last sequence number received ("0" before any). */
  readonly lastSeq: string;
  /** Connections opened so far (1 on the first). */
  readonly connections: number;
  /** Why the last connection closed, e.g. "1006" or "4008 slow consumer". */
  readonly lastClose: string | null;
  /** When the next attempt starts (epoch ms), while reconnecting. */
  readonly retryAt: number | null;
}

export interface ReceivedFrame {
  readonly record: StreamRecord;
  readonly raw: string;
}

export interface StreamClientOptions {
  /** The WebSocket URL resuming after `from` (`…/ws?from=<from>`). */
  readonly url: (from: string) => string;
  readonly open: (url: string) => SocketLike;
  /** Called with frames in sequence order, never twice with the same sequence number. */
  readonly onFrames: (frames: readonly ReceivedFrame[]) => void;
  readonly onStatus?: (status: ConnectionStatus) => void;
  /** Resume after this sequence number (default "0": everything the stream retains). */
  readonly from?: string;
  /** Reconnect delays in ms, the last one repeating. */
  readonly backoffMs?: readonly number[];
  /**
   * Close codes after which reconnecting cannot help, so the client stops (default 4401: the
   * credentials were revoked or the session ended; 4403: not allowed).
   */
  readonly stopOnCodes?: readonly number[];
  /** Called once when the client stopped on one of `stopOnCodes`. */
  readonly onStopped?: (code: number, reason: string) => void;
}

const DEFAULT_BACKOFF_MS = [250, 500, 1000, 2000, 4000];
const DEFAULT_STOP_ON_CODES = [4401, 4403];

/**
 * The stream over WebSocket, transparently resumed: every reconnect asks for `?from=` the last
 * sequence number received, and any frame at or below it (a replay overlap, a duplicate) is dropped,
 * so the consumer sees each record exactly once and in order, however often the connection breaks.
 */
export class StreamClient {
  readonly #options: StreamClientOptions;
  readonly #backoff: readonly number[];
  #socket: SocketLike | null = null;
  #last: bigint;
  #lastText: string;
  #attempt = 0;
  #connections = 0;
  #state: ConnectionState = 'connecting';
  #lastClose: string | null = null;
  #retryAt: number | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  /** Frames dropped as duplicates (at or below the last sequence number). */
  duplicates = 0;

  constructor(options: StreamClientOptions) {
    this.#options = options;
    this.#backoff = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.#lastText = options.from ?? '0';
    this.#last = BigInt(this.#lastText);
  }

  get status(): ConnectionStatus {
    return {
      state: this.#state,
      lastSeq: this.#lastText,
      connections: this.#connections,
      lastClose: this.#lastClose,
      retryAt: this.#retryAt,
    };
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  /** Closes the connection and stops reconnecting. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#socket?.close(1000, 'bye');
    this.#socket = null;
    this.#setState('closed');
  }

  /** Drops the connection as a network failure would (reconnects as usual); for tests and "reconnect now". */
  reconnectNow(): void {
    clearTimeout(this.#timer);
    if (this.#socket) this.#socket.close(4000, 'reconnect');
    else this.#connect();
  }

  #connect(): void {
    if (this.#stopped) return;
    this.#retryAt = null;
    let socket: SocketLike;
    try {
      socket = this.#options.open(this.#options.url(this.#lastText));
    } catch (err) {
      this.#lastClose = String(err);
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    this.#setState(this.#connections === 0 ? 'connecting' : 'reconnecting');
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      this.#attempt = 0;
      this.#connections++;
      this.#setState('open');
    };
    socket.onmessage = (event) => {
      if (this.#socket !== socket || typeof event.data !== 'string') return;
      const frame = this.#accept(event.data);
      if (frame) this.#options.onFrames([frame]);
    };
    socket.onerror = () => {
      // onclose follows with the code.
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#lastClose = event.reason ? `${event.code} ${event.reason}` : String(event.code);
      if (this.#stopped) return;
      if ((this.#options.stopOnCodes ?? DEFAULT_STOP_ON_CODES).includes(event.code)) {
        this.stop();
        this.#options.onStopped?.(event.code, event.reason ?? '');
        return;
      }
      this.#scheduleRetry();
    };
  }

  #scheduleRetry(): void {
    const delay = this.#backoff[Math.min(this.#attempt, this.#backoff.length - 1)] ?? 1000;
    this.#attempt++;
    this.#retryAt = Date.now() + delay;
    this.#setState('reconnecting');
    this.#timer = setTimeout(() => this.#connect(), delay);
  }

  /** Parses a frame; null for a duplicate or a frame that is not a record. */
  #accept(raw: string): ReceivedFrame | null {
    let record: unknown;
    try {
      record = JSON.parse(raw);
    } catch {
      return null;
    }
    if (
      !isObject(record) ||
      typeof record.sequenceNumber !== 'string' ||
      !/^\d+$/.test(record.sequenceNumber)
    )
      return null;
    const seq = BigInt(record.sequenceNumber);
    if (seq <= this.#last) {
      this.duplicates++;
      return null;
    }
    this.#last = seq;
    this.#lastText = record.sequenceNumber;
    return { record: record as StreamRecord, raw };
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#options.onStatus?.(this.status);
  }
}
