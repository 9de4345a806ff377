import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The ASR evaluation set (scripts/eval-asr.ts): the demo calls and held-out pocketsphinx-testdata. */

const ROOT = join(dirname(new URL(import.meta.url).pathname), '../..');
export const TESTDATA = '/usr/share/pocketsphinx/test/data';

export interface Recording {
  readonly name: string;
  readonly path: string;
  /** sox input options for headerless files. */
  readonly soxInput: readonly string[];
  readonly reference: string;
}

/** `<s> words </s> (id)` lines, as in the pocketsphinx test data. */
function sphinxTranscripts(file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(.*)\(([^)]+)\)\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out.set(m[2], m[1].replace(/<\/?s>/g, '').trim());
  }
  return out;
}

export function recordings(): Recording[] {
  const list: Recording[] = [];
  for (const name of ['demo-customer', 'demo-agent']) {
    const dir = join(ROOT, 'test/fixtures/audio');
    list.push({
      name,
      path: join(dir, `${name}.wav`),
      soxInput: [],
      reference: readFileSync(join(dir, `${name}.txt`), 'utf8'),
    });
  }
  const raw16k = ['-t', 'raw', '-r', '16000', '-e', 'signed-integer', '-b', '16', '-c', '1'];
  list.push({
    name: 'goforward',
    path: join(TESTDATA, 'goforward.raw'),
    soxInput: raw16k,
    reference: 'go forward ten meters',
  });
  for (const [id, text] of sphinxTranscripts(join(TESTDATA, 'cards/cards.transcription'))) {
    list.push({
      name: `cards/${id}`,
      path: join(TESTDATA, `cards/${id}.wav`),
      soxInput: [],
      reference: text,
    });
  }
  for (const [id, text] of sphinxTranscripts(join(TESTDATA, 'librivox/transcription'))) {
    list.push({
      name: `librivox/${id.replace('sense_and_sensibility_01_austen_64kb-', '')}`,
      path: join(TESTDATA, `librivox/${id}.wav`),
      soxInput: [],
      reference: text,
    });
  }
  return list;
}
