import { execFileSync } from 'node:child_process';
import type { PcmFrame } from '../../src/media/MediaTypes.js';

/** Any audio file sox reads, as 16 kHz mono 16-bit samples (what the media stage hands on). */
export function readAudio16k(path: string, extraSoxArgs: readonly string[] = []): Int16Array {
  const raw = execFileSync(
    'sox',
    [...extraSoxArgs, path, '-t', 'raw', '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-'],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const out = new Int16Array(raw.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = raw.readInt16LE(i * 2);
  return out;
}

/** Splits samples into 20 ms frames as the media stage would. */
export function* frames(samples: Int16Array, channel = 0, startMs = 0): Generator<PcmFrame> {
  const size = 320;
  for (let i = 0; i < samples.length; i += size) {
    yield {
      channel,
      samples: samples.subarray(i, Math.min(samples.length, i + size)),
      offsetMs: startMs + i / 16,
      concealed: false,
    };
  }
}
