import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { PcmFrame } from '../../src/media/MediaTypes.js';
import { WavHeader } from '../../src/media/wav/WavHeader.js';

/** A 16-bit stereo WAV file, both channels, read back for assertions. */
export interface StereoWav {
  readonly header: WavHeader;
  readonly fileBytes: number;
  readonly left: Int16Array;
  readonly right: Int16Array;
}

export function readStereo(path: string): StereoWav {
  return parseStereo(readFileSync(path), path);
}

/** A 16-bit stereo WAV file's bytes (`name` for the error messages). */
export function parseStereo(buf: Buffer, name = 'the file'): StereoWav {
  const header = WavHeader.parse(buf);
  if (!header) throw new Error(`${name} is not a 16-bit PCM WAV file`);
  if (header.channels !== 2) throw new Error(`${name} has ${header.channels} channels`);
  const frames = Math.floor(Math.min(header.dataBytes, buf.length - header.dataOffset) / 4);
  const left = new Int16Array(frames);
  const right = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = buf.readInt16LE(header.dataOffset + 4 * i);
    right[i] = buf.readInt16LE(header.dataOffset + 4 * i + 2);
  }
  return { header, fileBytes: buf.length, left, right };
}

/** What Debian's sox (`soxi`) says of the file: an independent reading of the header. */
export function soxInfo(path: string): {
  channels: number;
  sampleRate: number;
  samples: number;
  seconds: number;
} {
  const field = (flag: string) => execFileSync('soxi', [flag, path], { encoding: 'utf8' }).trim();
  return {
    channels: Number(field('-c')),
    sampleRate: Number(field('-r')),
    samples: Number(field('-s')),
    seconds: Number(field('-D')),
  };
}

/** Samples numbered from `first`, wrapping within Int16 and never 0 (so silence is told apart). */
export function ramp(first: number, length: number): Int16Array {
  return Int16Array.from({ length }, (_, i) => ((first + i) % 30000) + 1);
}

/** 20 ms frames of 16 kHz `samples` on `channel`, the first at `startMs` of the call. */
export function framesOf(samples: Int16Array, channel: number, startMs: number): PcmFrame[] {
  const out: PcmFrame[] = [];
  for (let i = 0; i < samples.length; i += 320) {
    out.push({
      channel,
      samples: samples.subarray(i, i + 320),
      offsetMs: startMs + (i / 16_000) * 1000,
      concealed: false,
    });
  }
  return out;
}

/** RMS level of 16-bit samples in dBFS (full scale 32768); -Infinity for digital silence or none. */
export function rmsDbfs(samples: Int16Array): number {
  if (samples.length === 0) return -Infinity;
  let sum = 0;
  for (const x of samples) sum += x * x;
  const rms = Math.sqrt(sum / samples.length);
  return rms === 0 ? -Infinity : 20 * Math.log10(rms / 32768);
}
