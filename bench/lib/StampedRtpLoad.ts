import { createSocket, type Socket } from 'node:dgram';
import { RtpPacket } from '../../src/media/rtp/RtpPacket.js';

/** 20 ms of G.711 at 8 kHz. */
const PAYLOAD_BYTES = 160;
/** µ-law silence: the stamp's bytes decode to a click the relay's tap does not care about. */
const ULAW_SILENCE = 0xff;
const PTIME_MS = 20;
const TICK_MS = 1;

export interface StampedStream {
  /** Which of the load's sockets the stream is sent from (and where its peer's packets arrive). */
  readonly socket: number;
  readonly target: { readonly address: string; readonly port: number };
}

/**
 * RTP streams at 50 packets/s whose payload starts with the send time (float64, performance.now())
 * and the stream's index, sent and received by the same process: each arrival gives that packet's
 * one-way latency on one clock. Sends are spread over the 20 ms (stream i at offset i·20/n ms,
 * checked every millisecond), so the generator does not burst and measure itself.
 *
 * Per stream, the RFC 3550 transit-time difference |D(i−1, i)| of consecutive packets is kept as the
 * delay variation (jitter) sample.
 */
export class StampedRtpLoad {
  readonly #sockets: Socket[];
  readonly #bound: Promise<void>;
  readonly #streams: {
    stream: StampedStream;
    seq: number;
    ts: number;
    ssrc: number;
    next: number;
    sent: number;
    lastLatency: number;
  }[] = [];
  readonly #packet = Buffer.alloc(PAYLOAD_BYTES, ULAW_SILENCE);
  #timer: NodeJS.Timeout | null = null;
  #recording = false;
  latencies: number[] = [];
  variations: number[] = [];
  received = 0;
  sentWhileRecording = 0;

  constructor(sockets: number) {
    this.#sockets = Array.from({ length: sockets }, () => {
      const socket = createSocket('udp4');
      socket.on('message', (msg) => this.#receive(msg));
      socket.bind(0, '127.0.0.1');
      return socket;
    });
    this.#bound = Promise.all(
      this.#sockets.map((s) => new Promise((resolve) => s.once('listening', resolve))),
    ).then(() => {});
  }

  ready(): Promise<void> {
    return this.#bound;
  }

  port(socket: number): number {
    return this.#sockets[socket]!.address().port;
  }

  /** Replaces the streams (they start together at the next start()). */
  setStreams(streams: readonly StampedStream[]): void {
    this.#streams.length = 0;
    streams.forEach((stream, i) => {
      this.#streams.push({
        stream,
        seq: i * 7919,
        ts: i * 104729,
        ssrc: 0x20000 + i,
        next: 0,
        sent: 0,
        lastLatency: Number.NaN,
      });
    });
  }

  /** Collects latencies (from now on) until stopRecording(). */
  record(): void {
    this.latencies = [];
    this.variations = [];
    this.received = 0;
    this.sentWhileRecording = 0;
    for (const s of this.#streams) s.lastLatency = Number.NaN;
    this.#recording = true;
  }

  stopRecording(): void {
    this.#recording = false;
  }

  #receive(msg: Buffer): void {
    const now = performance.now();
    const packet = RtpPacket.parse(msg);
    if (!this.#recording || packet === null || packet.payload.length < 12) return;
    const payload = Buffer.from(packet.payload.buffer, packet.payload.byteOffset, packet.payload.length);
    const latency = now - payload.readDoubleLE(0);
    const stream = this.#streams[payload.readUInt32LE(8)];
    if (!stream) return;
    this.received++;
    this.latencies.push(latency);
    if (!Number.isNaN(stream.lastLatency)) this.variations.push(Math.abs(latency - stream.lastLatency));
    stream.lastLatency = latency;
  }

  start(): void {
    const started = performance.now() + TICK_MS;
    const n = this.#streams.length;
    this.#streams.forEach((s, i) => (s.next = started + (i * PTIME_MS) / Math.max(1, n)));
    const tick = () => {
      const now = performance.now();
      for (let i = 0; i < this.#streams.length; i++) {
        const s = this.#streams[i]!;
        if (s.next > now) continue;
        this.#packet.writeDoubleLE(performance.now(), 0);
        this.#packet.writeUInt32LE(i, 8);
        const rtp = new RtpPacket({
          payloadType: 0,
          sequenceNumber: s.seq & 0xffff,
          timestamp: s.ts >>> 0,
          ssrc: s.ssrc,
          payload: this.#packet,
        });
        this.#sockets[s.stream.socket]!.send(rtp.serialize(), s.stream.target.port, s.stream.target.address);
        s.seq++;
        s.ts += PAYLOAD_BYTES;
        s.next += PTIME_MS;
        s.sent++;
        if (this.#recording) this.sentWhileRecording++;
      }
      this.#timer = setTimeout(tick, TICK_MS);
    };
    this.#timer = setTimeout(tick, TICK_MS);
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
