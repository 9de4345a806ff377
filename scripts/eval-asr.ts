/*
 * Word error rate and speed of the speech engine on telephone-quality audio.
 *
 *   node --import tsx scripts/eval-asr.ts [--options '<PocketsphinxEngineOptions JSON>'] [--out file]
 *
 * Every recording goes the way a call's audio does: 8 kHz, G.711 µ-law encode and decode, 2x
 * upsampling to 16 kHz, 20 ms frames into one recognition stream, written faster than real time.
 * Writes bench/asr-wer.json (or --out) with per-file and overall WER and the real-time factor.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeG711, encodeG711 } from '../src/media/codec/G711.js';
import { Upsampler2x } from '../src/media/codec/Resampler.js';
import { PocketsphinxEngine } from '../src/pipeline/transcribe/pocketsphinx/PocketsphinxEngine.js';
import type { PocketsphinxEngineOptions } from '../src/pipeline/transcribe/pocketsphinx/PocketsphinxOptions.js';
import { wordErrorRate, type WerResult } from '../src/pipeline/transcribe/wer.js';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');
const TESTDATA = '/usr/share/pocketsphinx/test/data';
const FRAME_SAMPLES = 320;

interface Recording {
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

function recordings(): Recording[] {
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

/** The recording as a call would carry it: 8 kHz µ-law, decoded and upsampled to 16 kHz. */
function telephoneAudio(rec: Recording): Int16Array {
  const raw = execFileSync('sox', [
    ...rec.soxInput,
    rec.path,
    ...['-t', 'raw', '-r', '8000', '-e', 'signed-integer', '-b', '16', '-c', '1', '-'],
  ]);
  const narrow = new Int16Array(raw.length >> 1);
  for (let i = 0; i < narrow.length; i++) narrow[i] = raw.readInt16LE(2 * i);
  const line = decodeG711('PCMU', encodeG711('PCMU', narrow));
  const wide = new Int16Array(line.length * 2);
  new Upsampler2x().process(line, line.length, wide);
  return wide;
}

interface FileReport extends WerResult {
  readonly name: string;
  readonly reference: string;
  readonly hypothesis: string;
  readonly audioSeconds: number;
  readonly decodeSeconds: number;
  readonly rtf: number;
}

async function transcribe(engine: PocketsphinxEngine, samples: Int16Array): Promise<string> {
  const finals: string[] = [];
  const stream = engine.openStream({ channel: 0, languageCode: 'en-US' });
  stream.on('result', (r) => {
    if (!r.isPartial && r.transcript.length > 0) finals.push(r.transcript);
  });
  for (let i = 0; i < samples.length; i += FRAME_SAMPLES) {
    const chunk = samples.subarray(i, Math.min(samples.length, i + FRAME_SAMPLES));
    stream.write({ channel: 0, samples: chunk, offsetMs: i / 16, concealed: false });
  }
  await stream.end();
  return finals.join(' ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { options: { type: 'string' }, out: { type: 'string' }, quiet: { type: 'boolean' } },
  });
  const engineOptions = JSON.parse(values.options ?? '{}') as PocketsphinxEngineOptions;
  const out = values.out ?? join(ROOT, 'bench/asr-wer.json');
  // One worker, one stream at a time: the real-time factor is per stream.
  const engine = new PocketsphinxEngine({ ...engineOptions, workers: 1 });
  await engine.ready();
  const files: FileReport[] = [];
  try {
    for (const rec of recordings()) {
      const samples = telephoneAudio(rec);
      const started = performance.now();
      const hypothesis = await transcribe(engine, samples);
      const decodeSeconds = (performance.now() - started) / 1000;
      const audioSeconds = samples.length / 16_000;
      const report: FileReport = {
        name: rec.name,
        reference: rec.reference.trim(),
        hypothesis,
        audioSeconds,
        decodeSeconds,
        rtf: decodeSeconds / audioSeconds,
        ...wordErrorRate(rec.reference, hypothesis),
      };
      files.push(report);
      if (!values.quiet) {
        console.log(
          `${report.name.padEnd(16)} WER ${(report.wer * 100).toFixed(1).padStart(5)}%  RTF ${report.rtf.toFixed(3)}  ${hypothesis}`,
        );
      }
    }
  } finally {
    await engine.close();
  }
  const sum = (f: (r: FileReport) => number) => files.reduce((acc, r) => acc + f(r), 0);
  const errors = sum((r) => r.substitutions + r.deletions + r.insertions);
  const overall = {
    wer: errors / sum((r) => r.refWords),
    demoWer:
      files
        .filter((r) => r.name.startsWith('demo-'))
        .reduce((acc, r) => acc + r.substitutions + r.deletions + r.insertions, 0) /
      files.filter((r) => r.name.startsWith('demo-')).reduce((acc, r) => acc + r.refWords, 0),
    refWords: sum((r) => r.refWords),
    audioSeconds: sum((r) => r.audioSeconds),
    decodeSeconds: sum((r) => r.decodeSeconds),
    rtf: sum((r) => r.decodeSeconds) / sum((r) => r.audioSeconds),
  };
  console.log(
    `overall WER ${(overall.wer * 100).toFixed(1)}% (demo ${(overall.demoWer * 100).toFixed(1)}%) over ${overall.refWords} words, RTF ${overall.rtf.toFixed(3)}  ${JSON.stringify(engineOptions)}`,
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ options: engineOptions, overall, files }, null, 2)}\n`);
  if (!values.quiet) console.log(`wrote ${basename(out)}`);
}

await main();
