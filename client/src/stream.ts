import type { StreamRecord } from './records.js';
import { StreamClient, type ConnectionStatus, type SocketLike } from './StreamClient.js';

/** A WebSocket constructor: the browser's, Node 22's global one, or the `ws` package's. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => SocketLike;

export interface StreamOptions {
  /** Callsight's HTTP base URL (`http://host:8080`) or its WebSocket URL (`ws://host:8080/ws`). */
  readonly url: string;
  /** Resume after this sequence number ("0": everything the stream keeps). Default: live records only. */
  readonly from?: string;
  /** Only these detail-types (the server filters). */
  readonly types?: readonly string[];
  /** Only this call's records (the server filters). */
  readonly callId?: string;
  /** An API token (sent as the `callsight.bearer.<token>` subprotocol, which browsers can set too). */
  readonly credentials?: { readonly token: string };
  /** Default: the global WebSocket (browsers, Node 22), else the `ws` package. */
  readonly WebSocket?: WebSocketConstructor;
  /** Reconnect delays in ms, the last one repeating (default 250 ms doubling to 4 s). */
  readonly backoffMs?: readonly number[];
  /** Ends the iteration (as `break` does). */
  readonly signal?: AbortSignal;
  /** Every connection state change (connecting, open, reconnecting, closed). */
  readonly onStatus?: (status: ConnectionStatus) => void;
}

/** The stream ended because the server refused to go on (revoked token, not allowed). */
export class StreamClosedError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`Callsight closed the stream: ${code}${reason ? ` ${reason}` : ''}`);
    this.name = 'StreamClosedError';
  }
}

function webSocketUrl(options: StreamOptions, from: string | undefined): string {
  const url = new URL(options.url);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  if (!url.pathname.endsWith('/ws')) url.pathname = `${url.pathname.replace(/\/$/, '')}/ws`;
  if (from !== undefined) url.searchParams.set('from', from);
  if (options.types && options.types.length > 0) url.searchParams.set('types', options.types.join(','));
  if (options.callId !== undefined) url.searchParams.set('callId', options.callId);
  return url.toString();
}

async function defaultWebSocket(): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return global;
  // Node 20 has no global WebSocket: the `ws` package (an optional peer dependency) stands in.
  const ws = (await import('ws')) as unknown as { WebSocket: WebSocketConstructor };
  return ws.WebSocket;
}

/**
 * Callsight's records as an async iterable, in sequence order, each exactly once: a broken connection
 * is reopened with `?from=` the last sequence number received (with back-off), and a replayed or
 * duplicate record is dropped. Ends on `break`, `signal`, or — as a StreamClosedError — when the
 * server closes for a reason reconnecting cannot mend (4401, 4403).
 *
 *     for await (const record of stream({ url: 'http://127.0.0.1:8080', from: '0' })) …
 */
export async function* stream(options: StreamOptions): AsyncGenerator<StreamRecord, void, undefined> {
  const Socket = options.WebSocket ?? (await defaultWebSocket());
  const protocols = options.credentials ? [`callsight.bearer.${options.credentials.token}`] : undefined;
  const queue: StreamRecord[] = [];
  let wake: (() => void) | null = null;
  let failure = null as StreamClosedError | null;
  let ended = false;
  const notify = () => {
    wake?.();
    wake = null;
  };
  // Live only (no `from`): connections ask for nothing old until a record came; then they resume.
  let received = false;
  const client = new StreamClient({
    url: (from) => webSocketUrl(options, received || options.from !== undefined ? from : undefined),
    open: (url) => new Socket(url, protocols),
    from: options.from ?? '0',
    ...(options.backoffMs ? { backoffMs: options.backoffMs } : {}),
    onFrames: (frames) => {
      received = true;
      for (const frame of frames) queue.push(frame.record);
      notify();
    },
    onStatus: (status) => options.onStatus?.(status),
    onStopped: (code, reason) => {
      failure = new StreamClosedError(code, reason);
      notify();
    },
  });
  const abort = () => {
    ended = true;
    notify();
  };
  options.signal?.addEventListener('abort', abort);
  client.start();
  try {
    for (;;) {
      const record = queue.shift();
      if (record) {
        yield record;
        continue;
      }
      if (failure) throw failure;
      if (ended || options.signal?.aborted) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
    client.stop();
  }
}
