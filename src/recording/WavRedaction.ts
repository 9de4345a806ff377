import { open } from 'node:fs/promises';
import { WavHeader } from '../media/wav/WavHeader.js';

/** Samples of one channel to silence: file positions in sample frames, `[start, end)`. */
export interface SilencedSpan {
  readonly channel: number;
  readonly start: number;
  readonly end: number;
}

/** What silencing did, for the log and the tests. */
export interface SilenceResult {
  /** Sample frames set to zero, summed over the spans (after merging overlaps and clipping to the file). */
  readonly silencedFrames: number;
  readonly spans: number;
}

/** How many sample frames are read, changed and written back at a time (about 1 MiB of stereo audio). */
const CHUNK_FRAMES = 262_144;
const HEADER_PROBE_BYTES = 4096;

/**
 * Overlapping or touching spans of one channel merged, clipped to `[0, frames)`, sorted; empty spans
 * dropped.
 */
export function mergeSpans(spans: readonly SilencedSpan[], frames: number): SilencedSpan[] {
  const byChannel = new Map<number, SilencedSpan[]>();
  for (const span of spans) {
    const start = Math.max(0, Math.floor(span.start));
    const end = Math.min(frames, Math.ceil(span.end));
    if (end <= start) continue;
    const list = byChannel.get(span.channel) ?? [];
    list.push({ channel: span.channel, start, end });
    byChannel.set(span.channel, list);
  }
  const merged: SilencedSpan[] = [];
  for (const [, list] of [...byChannel].sort(([a], [b]) => a - b)) {
    list.sort((a, b) => a.start - b.start);
    let current: SilencedSpan | undefined;
    for (const span of list) {
      if (current !== undefined && span.start <= current.end) {
        current = { channel: current.channel, start: current.start, end: Math.max(current.end, span.end) };
        continue;
      }
      if (current !== undefined) merged.push(current);
      current = span;
    }
    if (current !== undefined) merged.push(current);
  }
  return merged;
}

/**
 * Sets the samples of the given spans of the given channels of a 16-bit PCM WAV file to zero, in
 * place: the same bytes of the file are overwritten (no copy of the audio is made), the other
 * channel's samples and everything outside the spans stay as they were, and the data is synced to
 * disk before the promise resolves.
 */
export async function silenceSpans(path: string, spans: readonly SilencedSpan[]): Promise<SilenceResult> {
  const handle = await open(path, 'r+');
  try {
    const probe = Buffer.alloc(HEADER_PROBE_BYTES);
    const { bytesRead } = await handle.read(probe, 0, probe.length, 0);
    const header = WavHeader.parse(probe.subarray(0, bytesRead));
    if (!header) throw new Error(`${path} is not a 16-bit PCM WAV file`);
    const { size } = await handle.stat();
    const blockAlign = header.blockAlign;
    const frames = Math.floor(Math.min(header.dataBytes, size - header.dataOffset) / blockAlign);
    const merged = mergeSpans(
      spans.filter((s) => s.channel >= 0 && s.channel < header.channels),
      frames,
    );
    let silenced = 0;
    const buffer = Buffer.alloc(CHUNK_FRAMES * blockAlign);
    for (const span of merged) {
      for (let first = span.start; first < span.end; first += CHUNK_FRAMES) {
        const count = Math.min(CHUNK_FRAMES, span.end - first);
        const position = header.dataOffset + first * blockAlign;
        const chunk = buffer.subarray(0, count * blockAlign);
        await handle.read(chunk, 0, chunk.length, position);
        for (let i = 0; i < count; i++) chunk.writeInt16LE(0, i * blockAlign + span.channel * 2);
        await handle.write(chunk, 0, chunk.length, position);
      }
      silenced += span.end - span.start;
    }
    await handle.datasync();
    return { silencedFrames: silenced, spans: merged.length };
  } finally {
    await handle.close();
  }
}
