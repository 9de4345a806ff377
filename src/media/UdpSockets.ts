import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../platform/logger.js';

const RECV_BUFFER_BYTES = 1 << 20;

/** Bursts of RTP from many calls must not overflow the kernel's default receive buffer. */
export function enlargeReceiveBuffer(socket: Socket, logger?: Logger): void {
  try {
    socket.setRecvBufferSize(RECV_BUFFER_BYTES);
  } catch (err) {
    logger?.debug({ err }, 'could not enlarge the RTP receive buffer');
  }
}

export function bindUdp(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false });
    const onError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
