/**
 * The labelled voice tone set (test/fixtures/voice-tone/, made by scripts/make-voice-tone-set.sh)
 * and Debian's pocketsphinx-testdata recordings, as a call would carry them: 16 kHz PCM decoded
 * from 8 kHz G.711 µ-law.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeG711, encodeG711 } from '../../../src/media/codec/G711.js';
import { Upsampler2x } from '../../../src/media/codec/Resampler.js';
import { readAudio16k } from '../../transcribe/audio.js';

export const VOICE_TONE_DIR = new URL('../../fixtures/voice-tone/', import.meta.url).pathname;
export const TESTDATA = '/usr/share/pocketsphinx/test/data';

export type Style = 'calm' | 'neutral' | 'agitated';
export type Split = 'tune' | 'held-out';

export interface Clip {
  readonly file: string;
  readonly voice: string;
  readonly engine: 'flite' | 'espeak-ng';
  readonly style: Style;
  readonly sentence: number;
  readonly split: Split;
}

export function clips(): Clip[] {
  const lines = readFileSync(join(VOICE_TONE_DIR, 'labels.tsv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [file, voice, engine, style, sentence, split] = line.split('\t');
    return {
      file: file!,
      voice: voice!,
      engine: engine as Clip['engine'],
      style: style as Style,
      sentence: Number(sentence),
      split: split as Split,
    };
  });
}

const cache = new Map<string, Int16Array>();

/** A clip as the pipeline gets it: the µ-law WAV decoded and upsampled to 16 kHz (by sox). */
export function clipAudio(clip: Clip): Int16Array {
  let audio = cache.get(clip.file);
  if (!audio) {
    audio = readAudio16k(join(VOICE_TONE_DIR, clip.file), ['-V1']);
    cache.set(clip.file, audio);
  }
  return audio;
}

export interface NaturalRecording {
  readonly name: string;
  readonly path: string;
  /** sox options that describe a headerless file. */
  readonly soxInput: readonly string[];
}

const RAW_16K = ['-t', 'raw', '-r', '16000', '-e', 'signed-integer', '-b', '16', '-c', '1'];

/** Natural speech from pocketsphinx-testdata (read aloud, calm or neutral); empty when not installed. */
export function naturalRecordings(): NaturalRecording[] {
  if (!existsSync(join(TESTDATA, 'goforward.raw'))) return [];
  const wav = (name: string) => ({ name, path: join(TESTDATA, name), soxInput: [] });
  const raw = (name: string) => ({ name, path: join(TESTDATA, name), soxInput: RAW_16K });
  return [
    ...[1, 2, 3, 4, 5].map((n) => wav(`cards/00${n}.wav`)),
    ...['0870', '0880', '0890', '0920', '0930'].map((n) =>
      wav(`librivox/sense_and_sensibility_01_austen_64kb-${n}.wav`),
    ),
    raw('goforward.raw'),
    raw('numbers.raw'),
    raw('something.raw'),
    raw('tidigits/dhd.2934z.raw'),
  ].filter((r) => existsSync(r.path));
}

/**
 * A recording through the telephone chain the fixtures went through: 120 Hz high-pass, 8 kHz,
 * G.711 µ-law, decoded and upsampled to 16 kHz as the media stage does.
 */
export function telephoneAudio(recording: NaturalRecording): Int16Array {
  const raw = execFileSync('sox', [
    '-V1',
    '-R',
    ...recording.soxInput,
    recording.path,
    ...['-t', 'raw', '-r', '8000', '-e', 'signed-integer', '-b', '16', '-c', '1', '-'],
    ...['highpass', '120'],
  ]);
  const narrow = new Int16Array(raw.length >> 1);
  for (let i = 0; i < narrow.length; i++) narrow[i] = raw.readInt16LE(2 * i);
  const line = decodeG711('PCMU', encodeG711('PCMU', narrow));
  const wide = new Int16Array(line.length * 2);
  new Upsampler2x().process(line, line.length, wide);
  return wide;
}

/** Clips joined with `gapMs` of silence, as one speaker's turns. */
export function joinAudio(parts: readonly Int16Array[], gapMs = 300): Int16Array {
  const gap = (gapMs * 16) | 0;
  const out = new Int16Array(parts.reduce((n, p) => n + p.length + gap, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length + gap;
  }
  return out;
}
