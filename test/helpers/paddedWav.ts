import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * An 8 kHz mono 16-bit copy of `wav` with `seconds` of silence after it (baresip hangs up at the end
 * of its file, so the phone whose file is padded hangs up last). The folder is added to `scratch`.
 */
export function padded(wav: string, seconds: number, scratch: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'callsight-audio-'));
  scratch.push(dir);
  const out = join(dir, 'padded.wav');
  execFileSync('sox', [
    wav,
    '-r',
    '8000',
    '-c',
    '1',
    '-b',
    '16',
    '-e',
    'signed-integer',
    out,
    'pad',
    '0',
    String(seconds),
  ]);
  return out;
}
