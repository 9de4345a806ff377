import { createRequire } from 'node:module';
import type OpusScript from 'opusscript';
import type { AudioEncoding } from '../MediaTypes.js';
import { decodeTableFor } from './G711.js';
import { G722Decoder } from './G722.js';
import { Upsampler2x } from './Resampler.js';

/*
 * The audio codecs Callsight takes in an RTP stream, each decoded to the pipeline's 16 kHz: G.711
 * (8 kHz, upsampled), G.722 (16 kHz as it comes) and Opus (decoded by libopus at 16 kHz).
 */

const require = createRequire(import.meta.url);

export interface CodecDescription {
  /** The encoding name of the SDP rtpmap, as we write it. */
  readonly rtpmapName: string;
  /** RTP clock rate (Hz), which is also the rtpmap's: 8000 for G.722 although it samples at 16 kHz (RFC 3551 §4.5.2). */
  readonly clockRate: number;
  /** Channels of the rtpmap (Opus always says 2, RFC 7587 §7), or null when it names none. */
  readonly channels: number | null;
  /** The static payload type of RFC 3551, or null for a codec that only has dynamic ones. */
  readonly staticPayloadType: number | null;
  /** Audio above 4 kHz: decoded without upsampling. */
  readonly wideband: boolean;
}

export const CODECS: Readonly<Record<AudioEncoding, CodecDescription>> = {
  PCMU: { rtpmapName: 'PCMU', clockRate: 8000, channels: null, staticPayloadType: 0, wideband: false },
  PCMA: { rtpmapName: 'PCMA', clockRate: 8000, channels: null, staticPayloadType: 8, wideband: false },
  G722: { rtpmapName: 'G722', clockRate: 8000, channels: null, staticPayloadType: 9, wideband: true },
  OPUS: { rtpmapName: 'opus', clockRate: 48000, channels: 2, staticPayloadType: null, wideband: true },
};

const ENCODINGS = Object.keys(CODECS) as AudioEncoding[];

/** The codec an rtpmap encoding name (any case) and clock rate stand for, or null. */
export function codecNamed(name: string, clockRate: number): AudioEncoding | null {
  const encoding = ENCODINGS.find((e) => CODECS[e].rtpmapName.toUpperCase() === name.toUpperCase());
  return encoding !== undefined && CODECS[encoding].clockRate === clockRate ? encoding : null;
}

/** The codec of a static payload type used without rtpmap, or null. */
export function codecOfStaticPayloadType(payloadType: number): AudioEncoding | null {
  return ENCODINGS.find((e) => CODECS[e].staticPayloadType === payloadType) ?? null;
}

/**
 * Parses the `media.codecs` setting, e.g. `G722,opus,PCMU,PCMA`: the codecs accepted, most
 * preferred first. Throws a plain Error naming the bad entry.
 */
export function parseCodecList(text: string): AudioEncoding[] {
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) throw new Error('names no codec');
  const list: AudioEncoding[] = [];
  for (const name of names) {
    const encoding = ENCODINGS.find((e) => e === name.toUpperCase());
    if (!encoding)
      throw new Error(
        `names ${JSON.stringify(name)}, not one of ${ENCODINGS.map((e) => CODECS[e].rtpmapName).join(', ')}`,
      );
    if (list.includes(encoding)) throw new Error(`names ${name} twice`);
    list.push(encoding);
  }
  return list;
}

/** Wideband first (G.722 is lossless to 7 kHz at 64 kbit/s and cheap to decode), then Opus, then G.711. */
export const DEFAULT_CODECS: readonly AudioEncoding[] = ['G722', 'OPUS', 'PCMU', 'PCMA'];

/** One stream's decoder: RTP payloads in, 16 kHz samples out. */
export interface StreamDecoder {
  /** A fresh array of 16 kHz samples; empty for a payload that carries no audio. */
  decode(payload: Uint8Array): Int16Array;
  /** Silence standing in for `samples` lost 16 kHz samples, through the decoder's own filters. */
  conceal(samples: number): Int16Array;
  /** Frees what the decoder holds outside the JavaScript heap. Idempotent. */
  close(): void;
}

class G711StreamDecoder implements StreamDecoder {
  readonly #table: Readonly<Int16Array>;
  readonly #upsampler = new Upsampler2x();
  #narrow = new Int16Array(640);

  constructor(encoding: 'PCMU' | 'PCMA') {
    this.#table = decodeTableFor(encoding);
  }

  decode(payload: Uint8Array): Int16Array {
    const n = payload.length;
    const narrow = this.#buffer(n);
    for (let i = 0; i < n; i++) narrow[i] = this.#table[payload[i]!]!;
    return this.#upsample(n);
  }

  conceal(samples: number): Int16Array {
    const n = samples >> 1;
    this.#buffer(n).fill(0, 0, n);
    return this.#upsample(n);
  }

  close(): void {}

  #buffer(n: number): Int16Array {
    if (this.#narrow.length < n) this.#narrow = new Int16Array(n);
    return this.#narrow;
  }

  #upsample(n: number): Int16Array {
    const out = new Int16Array(2 * n);
    this.#upsampler.process(this.#narrow, n, out);
    return out;
  }
}

class G722StreamDecoder implements StreamDecoder {
  readonly #decoder = new G722Decoder();

  decode(payload: Uint8Array): Int16Array {
    return this.#decoder.decode(payload);
  }

  conceal(samples: number): Int16Array {
    return new Int16Array(samples);
  }

  close(): void {}
}

/** Opus (libopus 1.4 compiled to WebAssembly by opusscript): any mode, mono or stereo, decoded to 16 kHz mono. */
class OpusStreamDecoder implements StreamDecoder {
  #decoder: OpusScript | null;

  constructor() {
    const Opus = require('opusscript') as typeof OpusScript;
    this.#decoder = new Opus(16000, 1);
  }

  decode(payload: Uint8Array): Int16Array {
    if (this.#decoder === null || payload.length === 0) return new Int16Array(0);
    let pcm: Buffer;
    try {
      pcm = this.#decoder.decode(Buffer.from(payload.buffer, payload.byteOffset, payload.length));
    } catch {
      // A corrupt packet is a lost one: the caller conceals the gap from the next timestamp.
      return new Int16Array(0);
    }
    const out = new Int16Array(pcm.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = pcm.readInt16LE(2 * i);
    return out;
  }

  conceal(samples: number): Int16Array {
    return new Int16Array(samples);
  }

  close(): void {
    this.#decoder?.delete();
    this.#decoder = null;
  }
}

export function createStreamDecoder(encoding: AudioEncoding): StreamDecoder {
  switch (encoding) {
    case 'PCMU':
    case 'PCMA':
      return new G711StreamDecoder(encoding);
    case 'G722':
      return new G722StreamDecoder();
    case 'OPUS':
      return new OpusStreamDecoder();
  }
}
