/**
 * Synthetic speech for the offline evaluations and the end-to-end tests: text spoken by a flite or
 * espeak-ng voice as 8 kHz mono samples, leading and trailing silence trimmed, peak at −3 dBFS (a
 * telephone line's level, whatever the voice's own). Both synthesisers are deterministic.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat } from '../../test/analytics/voice/signals.js';
import { narrowband } from './TelephoneAsr.js';

export interface Voice {
  /** `flite/<voice>` or `espeak-ng/<voice>`. */
  readonly name: string;
  /** Writes `text` spoken to the WAV file `wav`. */
  synthesise(text: string, wav: string): void;
}

export function fliteVoice(voice: string): Voice {
  return {
    name: `flite/${voice}`,
    synthesise: (text, wav) => execFileSync('flite', ['-voice', voice, '-t', text, '-o', wav]),
  };
}

/** espeak-ng at 150 words a minute (its default, 175, is faster than callers read numbers). */
export function espeakVoice(voice: string): Voice {
  return {
    name: `espeak-ng/${voice}`,
    synthesise: (text, wav) => execFileSync('espeak-ng', ['-v', voice, '-s', '150', '-w', wav, text]),
  };
}

const TRIM_AND_LEVEL = [
  'silence',
  '1',
  '0.02',
  '0.3%',
  'reverse',
  'silence',
  '1',
  '0.02',
  '0.3%',
  'reverse',
  'gain',
  '-n',
  '-3',
];

/** `text` spoken by `voice`: 8 kHz samples (`dir`: a folder for the temporary WAV). */
export function speak(voice: Voice, text: string, dir: string): Int16Array {
  const wav = join(dir, 'speech.wav');
  voice.synthesise(text, wav);
  return narrowband(wav, [], TRIM_AND_LEVEL);
}

/**
 * A caller's side of a call: the texts spoken one after the other, a number between two texts
 * being a pause in ms; 8 kHz samples.
 */
export function spokenScript(voice: Voice, script: readonly (string | number)[]): Int16Array {
  const dir = mkdtempSync(join(tmpdir(), 'callsight-speech-'));
  try {
    return concat(
      ...script.map((s) =>
        typeof s === 'number' ? new Int16Array(Math.round(s * 8)) : speak(voice, s, dir),
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
