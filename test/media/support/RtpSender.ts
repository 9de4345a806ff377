import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { encodeG711 } from '../../../src/media/codec/G711.js';
import type { G711Encoding } from '../../../src/media/MediaTypes.js';
import { RtpPacket } from '../../../src/media/rtp/RtpPacket.js';

/** A real UDP socket on a loopback address (127.0.0.1 unless told) that plays G.711 audio as RTP, the way a phone would. */
export class RtpSender {
  readonly socket: Socket;

  private constructor(socket: Socket) {
    this.socket = socket;
  }

  static async open(host = '127.0.0.1'): Promise<RtpSender> {
    const socket = createSocket('udp4');
    socket.bind(0, host);
    await once(socket, 'listening');
    return new RtpSender(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: Uint8Array, port: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(data, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** Cuts linear audio into 20 ms G.711 RTP packets (sequence and timestamp start where asked). */
export function packetize(
  audio: Int16Array,
  options: {
    encoding: G711Encoding;
    payloadType: number;
    firstSeq: number;
    firstTs: number;
    ssrc: number;
    samplesPerPacket?: number;
  },
): RtpPacket[] {
  const size = options.samplesPerPacket ?? 160;
  const encoded = encodeG711(options.encoding, audio);
  const packets: RtpPacket[] = [];
  for (let i = 0; i * size < encoded.length; i++) {
    packets.push(
      new RtpPacket({
        payloadType: options.payloadType,
        sequenceNumber: (options.firstSeq + i) & 0xffff,
        timestamp: (options.firstTs + i * size) >>> 0,
        ssrc: options.ssrc,
        marker: i === 0,
        payload: encoded.subarray(i * size, (i + 1) * size),
      }),
    );
  }
  return packets;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
