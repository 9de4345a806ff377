import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { encodeG711 } from '../../src/media/codec/G711.js';
import type { G711Encoding } from '../../src/media/MediaTypes.js';
import { RtpPacket } from '../../src/media/rtp/RtpPacket.js';

export interface RtpSendOptions {
  readonly remote: { address: string; port: number };
  readonly encoding: G711Encoding;
  readonly payloadType: number;
  /** 8 kHz mono PCM. */
  readonly samples: Int16Array;
  readonly ptimeMs?: number;
  /** Called with each packet's send time and the index of its first sample (for latency benchmarks). */
  readonly onPacket?: (sentAt: number, firstSample: number) => void;
  readonly socket?: Socket;
  /** Stops sending early (the call was hung up by the other side). */
  readonly signal?: AbortSignal;
}

/**
 * Sends 8 kHz audio as G.711 RTP in real time, paced against the wall clock so timer drift does
 * not accumulate. Resolves when the last packet has been sent.
 */
export async function sendRtp(options: RtpSendOptions): Promise<{ packets: number }> {
  const ptime = options.ptimeMs ?? 20;
  const samplesPerPacket = (8000 * ptime) / 1000;
  const socket = options.socket ?? createSocket('udp4');
  const ownSocket = !options.socket;
  const ssrc = randomInt(0, 2 ** 32 - 1);
  const firstSequence = randomInt(0, 65536);
  const firstTimestamp = randomInt(0, 2 ** 32 - 1);
  const started = performance.now();
  let index = 0;
  try {
    for (let first = 0; first < options.samples.length; first += samplesPerPacket, index++) {
      if (options.signal?.aborted) break;
      const due = started + index * ptime;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const chunk = options.samples.subarray(first, first + samplesPerPacket);
      const packet = new RtpPacket({
        payloadType: options.payloadType,
        sequenceNumber: (firstSequence + index) & 0xffff,
        timestamp: (firstTimestamp + first) >>> 0,
        ssrc,
        marker: index === 0,
        payload: encodeG711(options.encoding, chunk),
      });
      socket.send(packet.serialize(), options.remote.port, options.remote.address);
      options.onPacket?.(Date.now(), first);
    }
  } finally {
    if (ownSocket) socket.close();
  }
  return { packets: index };
}
