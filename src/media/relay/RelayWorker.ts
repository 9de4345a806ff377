import type { Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { bindUdp, enlargeReceiveBuffer } from '../UdpSockets.js';
import { RelayForwarder } from './RelayForwarder.js';
import { PacketBatch, type FromWorker, type ToWorker } from './RelayProtocol.js';

/*
 * The relay worker thread: owns every relayed call's RTP sockets and forwards packets on its own
 * event loop (RelayForwarder), so the main thread's pauses never delay a forwarded packet. What it
 * accepted goes to the main thread in batches every FLUSH_MS (the taps there decode at their own
 * pace: their jitter buffer waits longer than that anyway).
 */

const FLUSH_MS = 5;
/** Every this many flushes, the forwarded counts are reported too (once a second). */
const COUNTS_EVERY = 200;

const port = parentPort!;
const bound = new Map<number, Socket>();
const calls = new Map<number, { forwarder: RelayForwarder; sockets: readonly [Socket, Socket] }>();
const batch = new PacketBatch();
const now = () => performance.timeOrigin + performance.now();
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
let flushes = 0;
/** Runs while there are calls: an idle worker wakes for nothing. */
let flushTimer: NodeJS.Timeout | null = null;

async function bind(request: number, host: string, rtpPort: number): Promise<void> {
  try {
    const socket = await bindUdp(host, rtpPort);
    enlargeReceiveBuffer(socket);
    socket.on('error', () => undefined);
    bound.set(request, socket);
    post({ op: 'bound', request, error: null, code: null });
  } catch (err) {
    const { message, code } = err as NodeJS.ErrnoException;
    post({ op: 'bound', request, error: message, code: code ?? null });
  }
}

function closeSocket(socket: Socket | undefined): Promise<void> {
  return new Promise((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
}

port.on('message', (message: ToWorker) => {
  switch (message.op) {
    case 'bind':
      void bind(message.request, message.host, message.port);
      return;
    case 'unbind': {
      const socket = bound.get(message.request);
      bound.delete(message.request);
      void closeSocket(socket);
      return;
    }
    case 'open': {
      const sockets = message.requests.map((r) => bound.get(r)!) as [Socket, Socket];
      for (const r of message.requests) bound.delete(r);
      const id = message.id;
      const forwarder = new RelayForwarder(
        sockets,
        (side, at, plain) => batch.append(id, side, at, plain),
        now,
      );
      calls.set(id, { forwarder, sockets });
      flushTimer ??= setInterval(flush, FLUSH_MS);
      return;
    }
    case 'configure':
      calls.get(message.id)?.forwarder.configure(message.side, message.config);
      return;
    case 'close': {
      const id = message.id;
      const call = calls.get(id);
      calls.delete(id);
      call?.forwarder.close();
      if (calls.size === 0 && flushTimer) {
        flush();
        clearInterval(flushTimer);
        flushTimer = null;
      }
      void Promise.all((call?.sockets ?? []).map(closeSocket)).then(() => post({ op: 'closed', id }));
      return;
    }
  }
});

function flush(): void {
  if (batch.length > 0) {
    const data = batch.take();
    post({ op: 'packets', data }, [data]);
  }
  const counts = ++flushes % COUNTS_EVERY === 0;
  for (const [id, call] of calls)
    for (const [side, state] of call.forwarder.changed(counts)) post({ op: 'state', id, side, state });
}
