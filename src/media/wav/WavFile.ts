import { readFileSync } from 'node:fs';
import { WavHeader } from './WavHeader.js';

/** Mono 16-bit PCM audio read from a WAV file. */
export interface PcmAudio {
  readonly sampleRate: number;
  readonly samples: Int16Array;
}

/**
 * Reads a RIFF/WAVE file holding 16-bit linear PCM, mono or multi-channel (the first channel is kept).
 * Hand-written: the format is a 12-byte header plus tagged chunks, and we accept only this one encoding.
 */
export function readWav(path: string): PcmAudio {
  return parseWav(readFileSync(path), path);
}

export function parseWav(buf: Buffer, name = 'WAV data'): PcmAudio {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${name} is not a RIFF/WAVE file`);
  }
  let format: { channels: number; sampleRate: number; bits: number; encoding: number } | null = null;
  for (let offset = 12; offset + 8 <= buf.length;) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (body + size > buf.length && id !== 'data') throw new Error(`${name}: chunk ${id} runs past the end`);
    if (id === 'fmt ') {
      if (size < 16) throw new Error(`${name}: fmt chunk too short`);
      format = {
        encoding: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) throw new Error(`${name}: data chunk before fmt chunk`);
      // WAVE_FORMAT_PCM (1) or WAVE_FORMAT_EXTENSIBLE (0xFFFE) carrying PCM.
      if (
        (format.encoding !== 1 && format.encoding !== 0xfffe) ||
        format.bits !== 16 ||
        format.channels < 1
      ) {
        throw new Error(
          `${name}: only 16-bit PCM is supported (format ${format.encoding}, ${format.bits} bits)`,
        );
      }
      // A file cut off mid-write keeps what it has: its header's size may exceed what is there.
      const available = Math.min(size, buf.length - body);
      const frames = Math.floor(available / (2 * format.channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = buf.readInt16LE(body + i * 2 * format.channels);
      return { sampleRate: format.sampleRate, samples };
    }
    offset = body + size + (size & 1);
  }
  throw new Error(`${name}: no data chunk`);
}

/** Mono 16-bit PCM as a canonical WAV file (what an HTTP transcription API takes). */
export function encodeWav(samples: Int16Array, sampleRate: number): Buffer {
  const header = new WavHeader({ channels: 1, sampleRate, dataBytes: samples.byteLength }).serialize();
  // RIFF is little-endian, as is every platform Node runs on here: the samples go as they are.
  return Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)]);
}
