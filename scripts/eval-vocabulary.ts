/*
 * Custom vocabularies on the embedded engine, part of `npm run eval`:
 *
 *   node --import tsx scripts/eval-vocabulary.ts [--out file]
 *
 * 50 terms — 25 made-up product names (not in the model's dictionary) and 25 surnames (most of them
 * in the dictionary, but rare in its language model) — each spoken in a call-like sentence by flite
 * (voices kal, awb, rms, slt) or espeak-ng (en-us, en-gb), sent the way a call's audio goes (8 kHz,
 * G.711, upsampled: scripts/lib/TelephoneAsr.ts). Each sentence is recognised without a vocabulary
 * and with one vocabulary holding all 50 terms. A term counts as recognised when its words appear in the sentence's finals.
 * Also the WER of the sentences' other words, and of the ASR evaluation set (the demo calls and the
 * held-out recordings of scripts/eval-asr.ts; no terms in them) with the vocabulary on: what the
 * terms cost where nobody says them. Writes bench/vocabulary-eval.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { spokenWords } from '../src/transcribe/ReadableText.js';
import { PocketsphinxEngine } from '../src/transcribe/pocketsphinx/PocketsphinxEngine.js';
import type { CustomVocabulary, RecognitionResult } from '../src/transcribe/SpeechEngineTypes.js';
import { normaliseWords, wordErrorRate } from '../src/transcribe/wer.js';
import { recordings } from './lib/AsrEvalSet.js';
import { telephoneAudio } from './lib/TelephoneAsr.js';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({
  options: { out: { type: 'string' } },
});
const out = values.out ?? join(ROOT, 'bench/vocabulary-eval.json');

const PRODUCTS = [
  'Zentrix',
  'Nuvexa',
  'Quorvia',
  'Brightlane',
  'Veltora',
  'Omnivue',
  'Clarivox',
  'Tessaline',
  'Fibrenet',
  'Zapmoney',
  'Luminor',
  'Kestrava',
  'Novapay',
  'Syncora',
  'Primelink',
  'Vortexa',
  'Optiwave',
  'Helixon',
  'Trivana',
  'Datavault',
  'Cloudmesh',
  'Skyroute',
  'Netflex',
  'Paylinea',
  'Corvana',
];
const SURNAMES = [
  'Kowalczyk',
  'Okonkwo',
  'Nakamura',
  'Szymanski',
  'Thibodeaux',
  'Przybylski',
  'Vandermeer',
  'Oyelaran',
  'Castellanos',
  'Mbeki',
  'Lindqvist',
  'Haddad',
  'Ferreira',
  'Novak',
  'Abernathy',
  'Delacroix',
  'Gutierrez',
  'Yamamoto',
  'Petrovic',
  'Okafor',
  'Rasmussen',
  'Chaudhry',
  'Fitzgerald',
  'Moreau',
  'Kaczmarek',
];
const PRODUCT_SENTENCES = [
  'i am calling about my TERM subscription',
  'my TERM account was charged twice',
  'can you help me set up TERM on my phone',
  'i want to cancel TERM today',
  'the TERM app keeps crashing',
];
const SURNAME_SENTENCES = [
  'my last name is TERM',
  'can i speak to mister TERM please',
  'the account is under TERM',
  'i spoke with miss TERM yesterday',
  'please send it to doctor TERM',
];
const VOICES: readonly (readonly string[])[] = [
  ['flite', 'kal'],
  ['espeak-ng', 'en-us'],
  ['flite', 'awb'],
  ['espeak-ng', 'en-gb'],
  ['flite', 'rms'],
  ['flite', 'slt'],
];

interface Item {
  readonly term: string;
  readonly kind: 'product' | 'surname';
  readonly sentence: string;
  readonly voice: string;
  readonly samples: Int16Array;
}

function synthesise(dir: string, i: number, text: string, voice: readonly string[]): Int16Array {
  const file = join(dir, `${i}.wav`);
  if (voice[0] === 'flite') execFileSync('flite', ['-voice', voice[1]!, '-t', text, '-o', file]);
  else execFileSync('espeak-ng', ['-v', voice[1]!, '-w', file, text]);
  return telephoneAudio(file);
}

function items(): Item[] {
  const dir = mkdtempSync(join(tmpdir(), 'callsight-vocabulary-'));
  try {
    const terms = [
      ...PRODUCTS.map((term, i) => ({ term, kind: 'product' as const, template: PRODUCT_SENTENCES[i % 5]! })),
      ...SURNAMES.map((term, i) => ({ term, kind: 'surname' as const, template: SURNAME_SENTENCES[i % 5]! })),
    ];
    return terms.map((t, i) => {
      const voice = VOICES[i % VOICES.length]!;
      const sentence = t.template.replace('TERM', t.term);
      return {
        term: t.term,
        kind: t.kind,
        sentence,
        voice: voice.join(' '),
        samples: synthesise(dir, i, sentence, voice),
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const VOCABULARY: CustomVocabulary = { VocabularyName: 'eval', Phrases: [...PRODUCTS, ...SURNAMES] };

async function recognise(
  engine: PocketsphinxEngine,
  samples: Int16Array,
  vocabulary: boolean,
): Promise<RecognitionResult[]> {
  const results: RecognitionResult[] = [];
  const stream = engine.openStream({
    channel: 0,
    role: null,
    settings: { languageCode: 'en-US', ...(vocabulary ? { vocabularies: [VOCABULARY] } : {}) },
  });
  stream.on('result', (r) => results.push(r));
  for (let i = 0; i < samples.length; i += 320)
    stream.write({ channel: 0, samples: samples.subarray(i, i + 320), offsetMs: i / 16, concealed: false });
  await stream.end();
  return results.filter((r) => !r.isPartial);
}

/** The recogniser's words of the finals, lower case. */
function heard(finals: readonly RecognitionResult[]): string[] {
  return finals.flatMap((f) => spokenWords(f.words).map((w) => w.word.toLowerCase()));
}

function contains(words: readonly string[], term: string): boolean {
  const t = normaliseWords(term);
  return words.some((_, i) => t.every((w, k) => words[i + k] === w));
}

interface RunScore {
  readonly vocabulary: boolean;
  readonly recall: { readonly all: number; readonly products: number; readonly surnames: number };
  /** WER of the sentences' words other than the term (the term itself removed from both sides). */
  readonly otherWordsWer: number;
  /** The demo calls, which say none of the terms. */
  readonly demoCallsWer: number;
  /** The whole ASR evaluation set (scripts/eval-asr.ts: the demo calls and held-out recordings; no terms). */
  readonly evalSetWer: number;
  readonly seconds: number;
  /** CPU time of the whole process (all threads) for the run. */
  readonly cpuSeconds: number;
  readonly misses: readonly string[];
}

async function run(
  set: readonly Item[],
  calls: readonly { samples: Int16Array; reference: string; demo: boolean }[],
  vocabulary: boolean,
): Promise<RunScore> {
  const engine = new PocketsphinxEngine({ workers: 1 });
  await engine.ready();
  const started = Date.now();
  const cpu = process.cpuUsage();
  try {
    let products = 0;
    let surnames = 0;
    let errors = 0;
    let words = 0;
    const misses: string[] = [];
    for (const item of set) {
      const hyp = heard(await recognise(engine, item.samples, vocabulary));
      if (contains(hyp, item.term)) {
        if (item.kind === 'product') products += 1;
        else surnames += 1;
      } else misses.push(`${item.term}: "${hyp.join(' ')}"`);
      const term = normaliseWords(item.term).join(' ');
      const without = (text: string) => ` ${text} `.replace(` ${term} `, ' ').trim();
      const wer = wordErrorRate(without(normaliseWords(item.sentence).join(' ')), without(hyp.join(' ')));
      errors += wer.substitutions + wer.deletions + wer.insertions;
      words += wer.refWords;
    }
    const evalSet = { errors: 0, words: 0 };
    const demoCalls = { errors: 0, words: 0 };
    for (const call of calls) {
      const wer = wordErrorRate(
        call.reference,
        heard(await recognise(engine, call.samples, vocabulary)).join(' '),
      );
      for (const sum of call.demo ? [evalSet, demoCalls] : [evalSet]) {
        sum.errors += wer.substitutions + wer.deletions + wer.insertions;
        sum.words += wer.refWords;
      }
    }
    return {
      vocabulary,
      recall: {
        all: (products + surnames) / set.length,
        products: products / PRODUCTS.length,
        surnames: surnames / SURNAMES.length,
      },
      otherWordsWer: errors / words,
      demoCallsWer: demoCalls.errors / demoCalls.words,
      evalSetWer: evalSet.errors / evalSet.words,
      seconds: (Date.now() - started) / 1000,
      cpuSeconds: ((c) => (c.user + c.system) / 1e6)(process.cpuUsage(cpu)),
      misses,
    };
  } finally {
    await engine.close();
  }
}

const set = items();
const calls = recordings().map((rec) => ({
  samples: telephoneAudio(rec.path, rec.soxInput),
  reference: rec.reference,
  demo: rec.name.startsWith('demo-'),
}));
const runs: RunScore[] = [];
for (const vocabulary of [false, true]) {
  const score = await run(set, calls, vocabulary);
  runs.push(score);
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  process.stdout.write(
    `${vocabulary ? 'with the vocabulary' : 'no vocabulary'}: terms ${pct(score.recall.all)} (products ${pct(score.recall.products)}, surnames ${pct(score.recall.surnames)}), other words WER ${pct(score.otherWordsWer)}, demo calls WER ${pct(score.demoCallsWer)}, evaluation set WER ${pct(score.evalSetWer)}, ${score.seconds.toFixed(0)} s (CPU ${score.cpuSeconds.toFixed(0)} s)\n`,
  );
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      terms: set.length,
      sentences: set.map((i) => ({ term: i.term, sentence: i.sentence, voice: i.voice })),
      runs,
    },
    null,
    2,
  )}\n`,
);
