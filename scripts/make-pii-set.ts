/*
 * Regenerates the PII evaluation set on recogniser output, test/fixtures/analytics/pii-asr.jsonl
 * (docs/analytics.md, docs/privacy.md):
 *
 *   node --import tsx scripts/make-pii-set.ts [--calls N] [--out file] [--resume] [--no-number-pass]
 *
 * The script of scripts/lib/PiiScript.ts (utterances with PII of every type, labelled, and
 * utterances without) is spoken by four flite and two espeak-ng voices and goes the way a call's
 * audio does (scripts/lib/TelephoneAsr.ts): 8 kHz, G.711 µ-law, upsampled to 16 kHz, into one
 * pocketsphinx stream per call (its VAD cuts the utterances); two calls at a time. Items are grouped eight to a call,
 * each call one voice, after a greeting that warms up the stream's cepstral mean as a call's first
 * words do; 2.5 s of silence separate items, and a long pause inside an item (1.4 s) ends the
 * utterance there, so an entity can start in one final and end in the next.
 *
 * Each line of the output is one item: what was said (`reference`, with `referenceEntities`), the
 * finals the recogniser produced for it (words and times, ms from the item's start), the partial
 * transcripts before each final (of items with PII), and `entities`: the labelled spans mapped onto the finals' words
 * (word indices into the finals' words joined in order) through a word alignment. `recognised`
 * says whether the span still carries the value: for numbers at least 40 % of the digit words (and
 * two) came out as number words, for names, emails (the part before "at") and addresses (the
 * street name or two number words) one of the words came out as said. A span the recogniser lost
 * leaks nothing and is left out of recall (counted separately).
 *
 * The speech, the values and the grouping are fixed (seeded); flite, espeak-ng, sox (-R) and
 * pocketsphinx are deterministic, so the same Debian packages give the same file. It takes about an
 * hour of one core; each call's items are appended as it finishes, and --resume skips the calls
 * already in the file. The file is sorted by id at the end.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { PiiEntityType } from '../src/analytics/PiiTypes.js';
import { PocketsphinxEngine } from '../src/transcribe/pocketsphinx/PocketsphinxEngine.js';
import type { RecognitionResult } from '../src/transcribe/SpeechEngineTypes.js';
import { wordErrorRate } from '../src/transcribe/wer.js';
import {
  piiScript,
  scriptReference,
  scriptSegments,
  type PiiAsrItem,
  type ScriptItem,
} from './lib/PiiScript.js';
import { concat } from '../test/analytics/voice/signals.js';
import { prng } from './lib/SpokenValues.js';
import { espeakVoice, fliteVoice, speak, type Voice } from './lib/Speech.js';
import { overTheLine, recognise } from './lib/TelephoneAsr.js';
import { alignedSpan, alignWords } from './lib/WordAlignment.js';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');
const RATE = 8000;
const ITEMS_PER_CALL = 8;
const GAP_MS = 2500;
const GREETING = 'Hi, thanks for taking my call. I have a question about my account.';

// pocketsphinx makes little of espeak-ng's voices (a first run recognised 1 value in 18): two of
// them, so that the set says so without spending half of its hours on it.
const VOICES: readonly Voice[] = [
  fliteVoice('slt'),
  fliteVoice('kal16'),
  espeakVoice('en-us'),
  fliteVoice('awb'),
  fliteVoice('rms'),
  espeakVoice('en-gb-x-rp'),
];

/** Calls recognised at once (one engine worker each). */
const PARALLEL = 2;

const NUMBERISH = new Set(
  (
    'zero oh o one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen ' +
    'sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred ' +
    'thousand double triple to too for won ate january february march april may june july august ' +
    'september october november december'
  ).split(' '),
);

/** Whether the recognised span still carries the value (see the header). */
function recognised(type: PiiEntityType, said: readonly string[], heard: readonly string[]): boolean {
  if (heard.length === 0) return false;
  switch (type) {
    case 'NAME':
      return said.some((w) => w !== "that's" && heard.includes(w));
    case 'EMAIL': {
      const local = said.slice(0, Math.max(0, said.indexOf('at')));
      return local.filter((w) => heard.includes(w)).length >= (local.every((w) => w.length === 1) ? 2 : 1);
    }
    case 'ADDRESS': {
      const names = said.filter((w) => !NUMBERISH.has(w));
      return (
        names.some((w) => heard.includes(w) && w !== 'p' && w !== 'box') ||
        heard.filter((w) => NUMBERISH.has(w)).length >= 2
      );
    }
    default: {
      const digits = said.filter((w) => NUMBERISH.has(w)).length;
      return heard.filter((w) => NUMBERISH.has(w)).length >= Math.max(2, Math.ceil(0.4 * digits));
    }
  }
}

function silence(ms: number): Int16Array {
  return new Int16Array(Math.round((ms * RATE) / 1000));
}

interface Placed {
  readonly item: ScriptItem;
  readonly startMs: number;
  readonly endMs: number;
}

function itemOutput(
  item: ScriptItem,
  voice: string,
  startMs: number,
  results: readonly RecognitionResult[],
): PiiAsrItem {
  const ref = scriptReference(item);
  const finals = results.filter((r) => !r.isPartial && r.words.length > 0);
  const hyp = finals.flatMap((f) => f.words.map((w) => w.word));
  const aligned = alignWords(ref.words, hyp);
  return {
    id: item.id,
    split: item.split,
    template: item.template,
    voice,
    reference: ref.words.join(' '),
    referenceEntities: ref.entities.map((e) => ({
      type: e.type,
      content: ref.words.slice(e.first, e.last + 1).join(' '),
    })),
    finals: finals.map((f) => ({
      startMs: Math.round(f.startMs - startMs),
      endMs: Math.round(f.endMs - startMs),
      words: f.words.map((w) => w.word),
    })),
    // Partials only where there is something they could leak.
    partials: finals.map((f) =>
      ref.entities.length === 0
        ? []
        : [
            ...new Set(
              results
                .filter((r) => r.isPartial && r.resultId === f.resultId && r.transcript !== '')
                .map((r) => r.transcript),
            ),
          ],
    ),
    entities: ref.entities.map((e) => {
      const span = alignedSpan(aligned, e.first, e.last);
      const heard = span === null ? [] : hyp.slice(span.first, span.last + 1);
      return {
        type: e.type,
        first: span?.first ?? -1,
        last: span?.last ?? -1,
        content: heard.join(' '),
        recognised: recognised(e.type, ref.words.slice(e.first, e.last + 1), heard),
      };
    }),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'boolean' },
      // The engine without its number pass (src/transcribe/NumberPass.ts), to measure what it adds.
      'no-number-pass': { type: 'boolean' },
    },
  });
  const out = values.out ?? join(ROOT, 'test/fixtures/analytics/pii-asr.jsonl');
  const plain = readFileSync(join(ROOT, 'test/fixtures/analytics/sentiment.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { id: string; text: string });
  const items = piiScript(plain);
  // A seeded shuffle, so that each call (one voice) mixes types and splits.
  const rand = prng(4242);
  const order = items
    .map((item) => ({ item, key: rand() }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
  const calls: ScriptItem[][] = [];
  for (let i = 0; i < order.length; i += ITEMS_PER_CALL) calls.push(order.slice(i, i + ITEMS_PER_CALL));
  const limit = values.calls === undefined ? calls.length : Number(values.calls);

  const dir = mkdtempSync(join(tmpdir(), 'callsight-pii-set-'));
  const engine = new PocketsphinxEngine({ workers: PARALLEL, numberPass: !values['no-number-pass'] });
  await engine.ready();
  const readItems = (): PiiAsrItem[] =>
    existsSync(out)
      ? readFileSync(out, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as PiiAsrItem)
      : [];
  const done = new Set(values.resume ? readItems().map((o) => o.id) : []);
  if (!values.resume) writeFileSync(out, '');
  const todo = calls
    .map((items, index) => ({ items, index, voice: VOICES[index % VOICES.length]! }))
    .slice(0, limit)
    .filter((call) => !call.items.every((item) => done.has(item.id)));
  const total = todo.length;
  let finished = 0;
  const runCall = async (call: (typeof todo)[number], dir: string): Promise<void> => {
    const { voice } = call;
    const parts: Int16Array[] = [speak(voice, GREETING, dir), silence(GAP_MS)];
    let at = parts.reduce((n, p) => n + p.length, 0);
    const placed: Placed[] = [];
    for (const item of call.items) {
      const startMs = (at * 1000) / RATE;
      for (const segment of scriptSegments(item)) {
        const audio = speak(voice, segment.text, dir);
        parts.push(audio, silence(segment.pauseAfterMs));
        at += audio.length + Math.round((segment.pauseAfterMs * RATE) / 1000);
      }
      placed.push({ item, startMs, endMs: (at * 1000) / RATE });
      parts.push(silence(GAP_MS));
      at += Math.round((GAP_MS * RATE) / 1000);
    }
    // The engine gets 16 kHz: times in its results are ms as well.
    const results = await recognise(engine, overTheLine(concat(...parts)));
    for (const p of placed) {
      // A final belongs to the item its middle falls in (the VAD adds up to ~0.8 s around speech).
      const ids = new Set(
        results
          .filter(
            (r) =>
              !r.isPartial &&
              (r.startMs + r.endMs) / 2 >= p.startMs - 500 &&
              (r.startMs + r.endMs) / 2 < p.endMs + 1500,
          )
          .map((r) => r.resultId),
      );
      const item = itemOutput(
        p.item,
        voice.name,
        p.startMs,
        results.filter((r) => ids.has(r.resultId)),
      );
      appendFileSync(out, `${JSON.stringify(item)}\n`);
    }
    finished += 1;
    process.stderr.write(`call ${call.index + 1} (${voice.name}): ${finished}/${total} done\n`);
  };
  try {
    await Promise.all(
      Array.from({ length: PARALLEL }, async (_, lane) => {
        const laneDir = join(dir, String(lane));
        mkdirSync(laneDir);
        for (let next = todo.shift(); next !== undefined; next = todo.shift()) await runCall(next, laneDir);
      }),
    );
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const output = readItems().sort((a, b) => a.id.localeCompare(b.id));
  writeFileSync(out, output.map((o) => JSON.stringify(o)).join('\n') + '\n');

  const byVoice = new Map<string, { ref: string[]; hyp: string[] }>();
  for (const o of output) {
    const v = byVoice.get(o.voice) ?? { ref: [], hyp: [] };
    v.ref.push(o.reference);
    v.hyp.push(o.finals.flatMap((f) => f.words).join(' '));
    byVoice.set(o.voice, v);
  }
  for (const [voice, v] of byVoice) {
    const wer = wordErrorRate(v.ref.join(' '), v.hyp.join(' '));
    const entities = output.filter((o) => o.voice === voice).flatMap((o) => o.entities);
    console.log(
      `${voice.padEnd(22)} WER ${(wer.wer * 100).toFixed(1)} %, entities recognised ${entities.filter((e) => e.recognised).length}/${entities.length}`,
    );
  }
  console.log(`wrote ${output.length} items to ${out}`);
}

await main();
