/*
 * Word error rate and speed of the speech engine on telephone-quality audio.
 *
 *   node --import tsx scripts/eval-asr.ts [--options '<PocketsphinxEngineOptions JSON>'] [--codec pcmu|g722|opus] [--out file]
 *   node --import tsx scripts/eval-asr.ts --estimate-cmn
 *
 * Every recording goes the way a call's audio does: 8 kHz, G.711 µ-law encode and decode, 2x
 * upsampling to 16 kHz, 20 ms frames into one recognition stream (a new stream per recording, as
 * a new call would be), written faster than real time. `--codec g722` (or `opus`) carries it as a
 * wideband call does instead: 16 kHz through G.722 (Opus at 32 kbit/s) and back, no upsampling —
 * the held-out recordings are 16 kHz, so their WER shows what wideband gains (the demo calls are
 * 8 kHz recordings and gain nothing). Writes bench/asr-wer.json (bench/asr-wer-<codec>.json) or --out with
 * per-file WER, overall WER, WER of the demo calls and of the held-out pocketsphinx-testdata
 * recordings, and the real-time factor.
 *
 * --estimate-cmn prints the mean cepstrum of telephone speech for TELEPHONY_CMNINIT
 * (PocketsphinxOptions.ts), measured on recordings that are NOT in the evaluation set: the
 * pocketsphinx-testdata files without a reference transcript (numbers.raw, something.raw,
 * tidigits/dhd.2934z.raw) and sentences synthesised here with flite and espeak-ng (other
 * sentences than the demo calls), each gated by the VAD as the recogniser would see it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { PocketsphinxDecoder } from '../src/transcribe/pocketsphinx/PocketsphinxDecoder.js';
import { PocketsphinxEngine } from '../src/transcribe/pocketsphinx/PocketsphinxEngine.js';
import {
  resolvePocketsphinxOptions,
  type PocketsphinxEngineOptions,
} from '../src/transcribe/pocketsphinx/PocketsphinxOptions.js';
import { Vad } from '../src/transcribe/Vad.js';
import { wordErrorRate, type WerResult } from '../src/transcribe/wer.js';
import { recordings, TESTDATA, type Recording } from './lib/AsrEvalSet.js';
import { codecAudio, recognise, telephoneAudio, type EvalCodec } from './lib/TelephoneAsr.js';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');
interface FileReport extends WerResult {
  readonly name: string;
  readonly reference: string;
  readonly hypothesis: string;
  readonly audioSeconds: number;
  readonly decodeSeconds: number;
  readonly rtf: number;
  /** CPU seconds of the whole process (worker threads included) per second of audio: unlike `rtf`, it
   * does not grow when other programs share the cores. */
  readonly cpuRtf: number;
  readonly cpuSeconds: number;
}

async function transcribe(engine: PocketsphinxEngine, samples: Int16Array): Promise<string> {
  const results = await recognise(engine, samples);
  return results
    .filter((r) => !r.isPartial && r.transcript.length > 0)
    .map((r) => r.transcript)
    .join(' ');
}

/** Sentences for the CMN estimate: none of them is in the demo calls. */
const CMN_SENTENCES = [
  'The weather was cold and windy on the morning of the trip.',
  'Please read the numbers on the back of the form before you sign it.',
  'We moved the meeting to Thursday afternoon at three o clock.',
  'She walked to the station and waited for the last train home.',
  'Our records show that the parcel was delivered yesterday.',
  'Could you spell your last name and give me your postal code?',
  'The kitchen needs new lights and a larger table.',
  'He has been working on the garden every weekend since April.',
];

const RAW_16K = ['-t', 'raw', '-r', '16000', '-e', 'signed-integer', '-b', '16', '-c', '1'];

function cmnRecordings(dir: string): Map<string, Recording[]> {
  const natural = ['numbers.raw', 'something.raw', 'tidigits/dhd.2934z.raw'].map((f) => ({
    name: f,
    path: join(TESTDATA, f),
    soxInput: RAW_16K,
    reference: '',
  }));
  const synth = (group: string, make: (text: string, wav: string) => void): Recording[] =>
    CMN_SENTENCES.map((text, i) => {
      const path = join(dir, `${group}-${i}.wav`);
      make(text, path);
      return { name: `${group}-${i}`, path, soxInput: [], reference: '' };
    });
  const flite = (voice: string) => (text: string, wav: string) =>
    execFileSync('flite', ['-voice', voice, '-t', text, '-o', wav]);
  const espeak = (voice: string) => (text: string, wav: string) =>
    execFileSync('espeak-ng', ['-v', voice, '-w', wav, text]);
  return new Map([
    ['natural', natural],
    [
      'flite',
      [
        ...synth('flite-kal', flite('kal')),
        ...synth('flite-awb', flite('awb')),
        ...synth('flite-rms', flite('rms')),
      ],
    ],
    ['espeak-ng', [...synth('espeak-us', espeak('en-us')), ...synth('espeak-gb', espeak('en-gb'))]],
  ]);
}

/**
 * Mean cepstrum (as pocketsphinx's live CMN accumulates it: frames with c0 ≥ 0) over the VAD's
 * utterances of each group of recordings, then a weighted average of the group means.
 */
function estimateCmn(engineOptions: PocketsphinxEngineOptions): void {
  const dir = mkdtempSync(join(tmpdir(), 'callsight-cmn-'));
  const decoder = new PocketsphinxDecoder(resolvePocketsphinxOptions(engineOptions).args);
  try {
    const start = decoder.getCmn();
    if (!start) throw new Error('this pocketsphinx build does not expose its CMN state');
    const zero = new Float32Array(start.mean.length);
    const groupMeans: number[][] = [];
    for (const [group, recs] of cmnRecordings(dir)) {
      const sum = new Float64Array(start.mean.length);
      let frames = 0;
      const harvest = () => {
        const state = decoder.getCmn()!;
        state.sum.forEach((v, i) => (sum[i]! += v));
        frames += state.frames;
        decoder.setCmn({ mean: start.mean, sum: zero, frames: 0 });
      };
      for (const rec of recs) {
        const vad = new Vad();
        const audio = telephoneAudio(rec.path, rec.soxInput);
        const events = [...vad.processInput(audio, 0), ...vad.flush()];
        for (const event of events) {
          if (event.kind === 'start') {
            decoder.startUtterance();
            decoder.setCmn({ mean: start.mean, sum: zero, frames: 0 });
          } else if (event.kind === 'audio') {
            decoder.process(event.samples);
            // Harvest well before 800 frames, where sphinxbase would rescale the running sum.
            if (decoder.getCmn()!.frames > 600) harvest();
          } else {
            decoder.endUtterance();
            harvest();
          }
        }
      }
      const mean = [...sum].map((v) => v / frames);
      groupMeans.push(mean);
      console.log(`${group.padEnd(10)} ${frames} frames  ${mean.map((v) => v.toFixed(2)).join(',')}`);
    }
    // Natural speech is what calls carry, but there are only 9 s of it: it gets half the weight,
    // the two synthesisers a quarter each.
    const [natural, flite, espeak] = groupMeans as [number[], number[], number[]];
    const estimate = natural.map((v, i) => 0.5 * v + 0.25 * flite[i]! + 0.25 * espeak[i]!);
    console.log(`model      -cmninit  ${[...start.mean].map((v) => v.toFixed(2)).join(',')}`);
    console.log(
      `estimate (½ natural, ¼ flite, ¼ espeak-ng)  [${estimate.map((v) => v.toFixed(2)).join(', ')}]`,
    );
  } finally {
    decoder.free();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      options: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean' },
      'estimate-cmn': { type: 'boolean' },
      codec: { type: 'string', default: 'pcmu' },
    },
  });
  if (values['estimate-cmn']) {
    estimateCmn(JSON.parse(values.options ?? '{}') as PocketsphinxEngineOptions);
    return;
  }
  const engineOptions = JSON.parse(values.options ?? '{}') as PocketsphinxEngineOptions;
  const codec = values.codec as EvalCodec;
  if (!['pcmu', 'g722', 'opus'].includes(codec)) throw new Error(`--codec ${codec}: pcmu, g722 or opus`);
  const out =
    values.out ?? join(ROOT, codec === 'pcmu' ? 'bench/asr-wer.json' : `bench/asr-wer-${codec}.json`);
  // One worker, one stream at a time: the real-time factor is per stream.
  const engine = new PocketsphinxEngine({ ...engineOptions, workers: 1 });
  await engine.ready();
  const files: FileReport[] = [];
  try {
    for (const rec of recordings()) {
      const samples = codecAudio(codec, rec.path, rec.soxInput);
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const hypothesis = await transcribe(engine, samples);
      const cpu = process.cpuUsage(cpuBefore);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const decodeSeconds = (performance.now() - started) / 1000;
      const audioSeconds = samples.length / 16_000;
      const report: FileReport = {
        name: rec.name,
        reference: rec.reference.trim(),
        hypothesis,
        audioSeconds,
        decodeSeconds,
        rtf: decodeSeconds / audioSeconds,
        cpuSeconds,
        cpuRtf: cpuSeconds / audioSeconds,
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
  const werOf = (subset: FileReport[]) =>
    subset.reduce((acc, r) => acc + r.substitutions + r.deletions + r.insertions, 0) /
    subset.reduce((acc, r) => acc + r.refWords, 0);
  const overall = {
    wer: errors / sum((r) => r.refWords),
    demoWer: werOf(files.filter((r) => r.name.startsWith('demo-'))),
    /** The pocketsphinx-testdata recordings (natural speech), held out from any tuning data. */
    heldOutWer: werOf(files.filter((r) => !r.name.startsWith('demo-'))),
    refWords: sum((r) => r.refWords),
    audioSeconds: sum((r) => r.audioSeconds),
    decodeSeconds: sum((r) => r.decodeSeconds),
    rtf: sum((r) => r.decodeSeconds) / sum((r) => r.audioSeconds),
    cpuRtf: sum((r) => r.cpuSeconds) / sum((r) => r.audioSeconds),
  };
  console.log(
    `overall WER ${(overall.wer * 100).toFixed(1)}% (demo ${(overall.demoWer * 100).toFixed(1)}%, held-out ${(overall.heldOutWer * 100).toFixed(1)}%) over ${overall.refWords} words, RTF ${overall.rtf.toFixed(3)} (CPU ${overall.cpuRtf.toFixed(3)}), ${codec}  ${JSON.stringify(engineOptions)}`,
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ codec, options: engineOptions, overall, files }, null, 2)}\n`);
  if (!values.quiet) console.log(`wrote ${basename(out)}`);
}

await main();
