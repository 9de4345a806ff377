import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

/*
 * Listening ports come from 22000–29999: above Callsight's default RTP ports (20000–20999), below
 * the kernel's ephemeral ports (32768 and up, drawn by every outgoing connection and unbound UDP
 * socket of the suite) and below the RTP blocks of rtpRangeForThisProcess. So a port chosen here is
 * not taken by something else before the process it was chosen for binds it.
 */
const LISTEN_MIN = 22000;
const LISTEN_SPAN = 8000;

/** A port free for both TCP and UDP on 127.0.0.1 at the time of the call. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = LISTEN_MIN + Math.floor(Math.random() * LISTEN_SPAN);
    const tcpFree = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!tcpFree) continue;
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}

/** A block of RTP ports unlikely to collide with other test files running at the same time. */
export function rtpRangeForThisProcess(size = 200): { min: number; max: number } {
  const min = 30000 + (process.pid % 150) * size;
  return { min, max: min + size - 1 };
}
