import { fileURLToPath } from 'node:url';
import { readWav } from '../../src/media/wav/WavFile.js';

export type DemoSpeaker = 'demo-customer' | 'demo-agent';

/** 8 kHz mono samples of one of the demo recordings under test/fixtures/audio/. */
export function demoAudio(name: DemoSpeaker): Int16Array {
  const path = fileURLToPath(new URL(`../../test/fixtures/audio/${name}.wav`, import.meta.url));
  const wav = readWav(path);
  if (wav.sampleRate !== 8000) throw new Error(`${path} is ${wav.sampleRate} Hz, expected 8000`);
  return wav.samples;
}

/**
 * The recording repeated whole until it lasts at least `seconds`: a loop that always ends at the
 * recording's own end (a pause), so the last utterance is closed by the VAD, not cut mid-word.
 */
export function loopAudio(samples: Int16Array, seconds: number, rate = 8000): Int16Array {
  const copies = Math.max(1, Math.ceil((seconds * rate) / samples.length));
  const out = new Int16Array(copies * samples.length);
  for (let i = 0; i < copies; i++) out.set(samples, i * samples.length);
  return out;
}
