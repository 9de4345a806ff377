import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import type OpusScript from 'opusscript';
import { CODECS } from '../../src/media/codec/AudioCodecs.js';
import { encodeG711 } from '../../src/media/codec/G711.js';
import { G722Encoder } from '../../src/media/codec/G722.js';
import type { AudioEncoding } from '../../src/media/MediaTypes.js';
import { RtpPacket } from '../../src/media/rtp/RtpPacket.js';

export interface RtpSendOptions {
  readonly remote: { address: string; port: number };
  readonly encoding: AudioEncoding;
  readonly payloadType: number;
  /** Mono PCM at the codec's sampling rate (see samplingRateOf): 8 kHz for G.711, 16 kHz for G.722 and Opus. */
  readonly samples: Int16Array;
  readonly ptimeMs?: number;
  /** Called with each packet's send time and the index of its first sample (for latency benchmarks). */
  readonly onPacket?: (sentAt: number, firstSample: number) => void;
  readonly socket?: Socket;
  /** Stops sending early (the call was hung up by the other side). */
  readonly signal?: AbortSignal;
}

/** The rate of the audio a codec encodes here: G.711 8 kHz, G.722 and Opus 16 kHz (wideband). */
export function samplingRateOf(encoding: AudioEncoding): 8000 | 16000 {
  return CODECS[encoding].wideband ? 16000 : 8000;
}

/** Opus at 32 kbit/s, a usual VoIP rate (RFC 7587 §3.1.1 suggests 28–40 kbit/s for fullband speech). */
const OPUS_BITRATE = 32000;

/** A stateful packet encoder for one stream. */
function packetEncoder(encoding: AudioEncoding): { encode(chunk: Int16Array): Uint8Array; close(): void } {
  if (encoding === 'PCMU' || encoding === 'PCMA')
    return { encode: (chunk) => encodeG711(encoding, chunk), close: () => undefined };
  if (encoding === 'G722') {
    const g722 = new G722Encoder();
    return { encode: (chunk) => g722.encode(chunk), close: () => undefined };
  }
  const Opus = createRequire(import.meta.url)('opusscript') as typeof OpusScript;
  const opus = new Opus(16000, 1, Opus.Application.VOIP);
  opus.setBitrate(OPUS_BITRATE);
  return {
    encode: (chunk) => {
      // Opus encodes whole frames: a short last chunk is padded with silence.
      const frame = new Int16Array(320);
      frame.set(chunk.subarray(0, 320));
      return new Uint8Array(opus.encode(Buffer.from(frame.buffer), 320));
    },
    close: () => opus.delete(),
  };
}

/**
 * Sends audio as RTP in real time (G.711, G.722 or Opus), paced against the wall clock so timer
 * drift does not accumulate. Resolves when the last packet has been sent.
 */
export async function sendRtp(options: RtpSendOptions): Promise<{ packets: number }> {
  const ptime = options.ptimeMs ?? 20;
  const samplesPerPacket = (samplingRateOf(options.encoding) * ptime) / 1000;
  const unitsPerPacket = (CODECS[options.encoding].clockRate * ptime) / 1000;
  const socket = options.socket ?? createSocket('udp4');
  const ownSocket = !options.socket;
  const encoder = packetEncoder(options.encoding);
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
        timestamp: (firstTimestamp + index * unitsPerPacket) >>> 0,
        ssrc,
        marker: index === 0,
        payload: encoder.encode(chunk),
      });
      socket.send(packet.serialize(), options.remote.port, options.remote.address);
      options.onPacket?.(Date.now(), first);
    }
  } finally {
    encoder.close();
    if (ownSocket) socket.close();
  }
  return { packets: index };
}
