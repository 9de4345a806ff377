import { createSocket, type Socket } from 'node:dgram';
import { encodeG711 } from '../../src/media/codec/G711.js';
import { RtpPacket } from '../../src/media/rtp/RtpPacket.js';

export interface LoadStream {
  readonly address: string;
  readonly port: number;
  /** 8 kHz PCM, looped. */
  readonly samples: Int16Array;
}

/**
 * Sends G.711 RTP for many streams from one 20 ms ticker and a few sockets, the way a load generator
 * must (a timer per stream would measure Node's timers, not Callsight). Packets are pre-encoded once.
 */
export class RtpLoad {
  readonly #sockets: Socket[];
  readonly #streams: {
    target: LoadStream;
    seq: number;
    ts: number;
    ssrc: number;
    index: number;
    sent: number;
  }[] = [];
  readonly #payloads: Uint8Array[];
  readonly #bound: Promise<void>;
  #timer: NodeJS.Timeout | null = null;
  #started = 0;
  #ticks = 0;

  constructor(samples: Int16Array, sockets = 4) {
    this.#sockets = Array.from({ length: sockets }, () => {
      const socket = createSocket('udp4');
      socket.bind(0, '127.0.0.1');
      return socket;
    });
    this.#bound = Promise.all(
      this.#sockets.map((s) => new Promise((resolve) => s.once('listening', resolve))),
    ).then(() => {});
    this.#payloads = [];
    for (let i = 0; i + 160 <= samples.length; i += 160)
      this.#payloads.push(encodeG711('PCMU', samples.subarray(i, i + 160)));
  }

  /** Resolves once every socket is bound (sourcePort() needs it). */
  ready(): Promise<void> {
    return this.#bound;
  }

  /** Local port the stream added as number `index` is sent from (for the SDP offer of its call). */
  sourcePort(index: number): number {
    return this.#sockets[index % this.#sockets.length]!.address().port;
  }

  /** Streams added so far: the index the next add() returns. */
  get size(): number {
    return this.#streams.length;
  }

  add(target: LoadStream): number {
    const index = this.#streams.length;
    this.#streams.push({
      target,
      seq: index * 7919,
      ts: index * 104729,
      ssrc: 0x10000 + index,
      index: index * 13,
      sent: 0,
    });
    return index;
  }

  /** Packets sent to stream i so far. */
  sent(i: number): number {
    return this.#streams[i]?.sent ?? 0;
  }

  clear(): void {
    this.#streams.length = 0;
  }

  start(): void {
    this.#started = performance.now();
    this.#ticks = 0;
    const tick = () => {
      this.#ticks++;
      for (let s = 0; s < this.#streams.length; s++) {
        const stream = this.#streams[s]!;
        const payload = this.#payloads[stream.index % this.#payloads.length]!;
        const packet = new RtpPacket({
          payloadType: 0,
          sequenceNumber: stream.seq & 0xffff,
          timestamp: stream.ts >>> 0,
          ssrc: stream.ssrc,
          payload,
        });
        this.#sockets[s % this.#sockets.length]!.send(
          packet.serialize(),
          stream.target.port,
          stream.target.address,
        );
        stream.seq++;
        stream.ts += 160;
        stream.index++;
        stream.sent++;
      }
      const next = this.#started + (this.#ticks + 1) * 20 - performance.now();
      this.#timer = setTimeout(tick, Math.max(0, next));
    };
    this.#timer = setTimeout(tick, 20);
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  close(): void {
    this.stop();
    for (const socket of this.#sockets) socket.close();
  }
}
