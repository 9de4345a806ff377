/**
 * Audio through the way a call carries it, for the offline evaluations (scripts/eval-asr.ts,
 * scripts/make-pii-set.ts): 8 kHz, G.711 µ-law encode and decode, 2x upsampling to 16 kHz (or, for
 * a wideband call, 16 kHz through G.722 or Opus at 32 kbit/s and back), then
 * 20 ms frames into one recognition stream (a new stream per recording, as a new call would be),
 * written faster than real time. The stream's own VAD cuts the utterances.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import type OpusScript from 'opusscript';
import { G722Decoder, G722Encoder } from '../../src/media/codec/G722.js';
import { decodeG711, encodeG711 } from '../../src/media/codec/G711.js';
import { Upsampler2x } from '../../src/media/codec/Resampler.js';
import type { RecognitionResult, SpeechEngine } from '../../src/transcribe/SpeechEngineTypes.js';

const FRAME_SAMPLES = 320;

/** The recording (any file sox reads; `soxInput` for headerless ones) as 16 kHz telephone audio. */
export function telephoneAudio(path: string, soxInput: readonly string[] = []): Int16Array {
  return overTheLine(narrowband(path, soxInput));
}

/** The codecs a call's audio can take in the evaluations. */
export type EvalCodec = 'pcmu' | 'g722' | 'opus';

/** The recording as 16 kHz audio after `codec`'s encoder and decoder (G.711 upsampled, as a call's). */
export function codecAudio(codec: EvalCodec, path: string, soxInput: readonly string[] = []): Int16Array {
  if (codec === 'pcmu') return telephoneAudio(path, soxInput);
  const wide = resampled(16000, path, soxInput);
  if (codec === 'g722') return new G722Decoder().decode(new G722Encoder().encode(wide));
  const Opus = createRequire(import.meta.url)('opusscript') as typeof OpusScript;
  const encoder = new Opus(16000, 1, Opus.Application.VOIP);
  const decoder = new Opus(16000, 1);
  encoder.setBitrate(32000);
  const out = new Int16Array(wide.length);
  try {
    for (let at = 0; at + FRAME_SAMPLES <= wide.length; at += FRAME_SAMPLES) {
      const frame = wide.slice(at, at + FRAME_SAMPLES);
      const pcm = decoder.decode(encoder.encode(Buffer.from(frame.buffer), FRAME_SAMPLES));
      for (let i = 0; i < FRAME_SAMPLES; i++) out[at + i] = pcm.readInt16LE(2 * i);
    }
  } finally {
    encoder.delete();
    decoder.delete();
  }
  return out;
}

/** The recording as 8 kHz 16-bit mono samples (sox resamples with a fixed dither seed). */
export function narrowband(
  path: string,
  soxInput: readonly string[] = [],
  effects: readonly string[] = [],
): Int16Array {
  return resampled(8000, path, soxInput, effects);
}

function resampled(
  rate: 8000 | 16000,
  path: string,
  soxInput: readonly string[],
  effects: readonly string[] = [],
): Int16Array {
  // -R: sox dithers when it resamples; a fixed seed makes runs repeatable (otherwise ±1–2 words).
  const raw = execFileSync('sox', [
    '-R',
    ...soxInput,
    path,
    ...['-t', 'raw', '-r', String(rate), '-e', 'signed-integer', '-b', '16', '-c', '1', '-'],
    ...effects,
  ]);
  const narrow = new Int16Array(raw.length >> 1);
  for (let i = 0; i < narrow.length; i++) narrow[i] = raw.readInt16LE(2 * i);
  return narrow;
}

/** 8 kHz audio through G.711 µ-law and back, upsampled to the 16 kHz the engines take. */
export function overTheLine(narrow: Int16Array): Int16Array {
  const line = decodeG711('PCMU', encodeG711('PCMU', narrow));
  const wide = new Int16Array(line.length * 2);
  new Upsampler2x().process(line, line.length, wide);
  return wide;
}

/** Every result (partials and finals, in order) of one new recognition stream fed `samples`. */
export async function recognise(engine: SpeechEngine, samples: Int16Array): Promise<RecognitionResult[]> {
  const results: RecognitionResult[] = [];
  const stream = engine.openStream({ channel: 0, role: null, settings: { languageCode: 'en-US' } });
  stream.on('result', (r) => results.push(r));
  let drained: (() => void) | null = null;
  stream.on('drain', () => drained?.());
  for (let i = 0; i < samples.length; i += FRAME_SAMPLES) {
    const chunk = samples.subarray(i, Math.min(samples.length, i + FRAME_SAMPLES));
    // Faster than real time, but no further ahead of the engine than its back-pressure allows.
    if (!stream.write({ channel: 0, samples: chunk, offsetMs: i / 16, concealed: false }))
      await new Promise<void>((resolve) => (drained = resolve));
  }
  await stream.end();
  return results;
}
