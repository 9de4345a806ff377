import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWav } from '../../src/media/wav/WavFile.js';

const LIBRIVOX = '/usr/share/pocketsphinx/test/data/librivox';

/** The five LibriVox recordings of pocketsphinx-testdata (16 kHz), 0.8 s apart, and their words. */
export function librivoxSpeech(): { samples: Int16Array; reference: string } {
  const lines = readFileSync(join(LIBRIVOX, 'transcription'), 'utf8').trim().split('\n');
  const parts: Int16Array[] = [];
  const words: string[] = [];
  for (const line of lines) {
    const [, text, id] = /^<s>(.*)<\/s>\s*\(([^)]+)\)$/.exec(line.trim())!;
    const { samples, sampleRate } = readWav(join(LIBRIVOX, `${id}.wav`));
    assert.equal(sampleRate, 16000);
    parts.push(samples, new Int16Array(12800));
    words.push(text!.trim());
  }
  const samples = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    samples.set(p, at);
    at += p.length;
  }
  return { samples, reference: words.join(' ') };
}
