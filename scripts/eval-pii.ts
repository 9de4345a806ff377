/*
 * PII detection scores (src/analytics/Pii*.ts), part of `npm run eval`:
 *
 *   node --import tsx scripts/eval-pii.ts [--out file] [--errors]
 *
 * On recogniser output (test/fixtures/analytics/pii-asr.jsonl, scripts/make-pii-set.ts): precision
 * and recall per type on the tuning and the held-out split, the share of labelled words redacted
 * (coverage), the share of words of utterances without PII redacted (over-redaction), partial results
 * that show a word their final redacts, and the labels the recogniser lost. On typed text
 * (test/fixtures/analytics/pii.jsonl): precision and recall per type. Writes bench/pii-eval.json.
 * --errors prints the tuning split's misses and false alarms (never the held-out split's: it stays
 * out of tuning).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluatePii, type PrScore } from '../test/analytics/evaluate.js';
import { evaluatePiiAsr, type PiiAsrScore } from '../test/analytics/evaluatePiiAsr.js';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({ options: { out: { type: 'string' }, errors: { type: 'boolean' } } });
const out = values.out ?? join(ROOT, 'bench/pii-eval.json');

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
const prCells = (s: PrScore | undefined): string =>
  s === undefined
    ? ''.padEnd(34)
    : `P ${pct(s.precision).padStart(7)} R ${pct(s.recall).padStart(7)} (${String(s.tp).padStart(3)}/${String(s.fp).padStart(2)}/${String(s.fn).padStart(2)})`;

const asr = { tune: evaluatePiiAsr('tune'), heldout: evaluatePiiAsr('heldout'), all: evaluatePiiAsr('all') };
const typed = { all: evaluatePii('all'), heldout: evaluatePii('heldout') };

const summary = (s: PiiAsrScore) => ({
  items: s.items,
  itemsWithPii: s.itemsWithPii,
  overall: s.overall,
  byType: s.byType,
  lostByRecogniser: s.lost,
  coverage: s.coverage,
  overRedaction: s.overRedaction,
  partials: s.partials,
});
const report = {
  generatedAt: new Date().toISOString(),
  node: process.version,
  recogniserOutput: {
    fixture: 'test/fixtures/analytics/pii-asr.jsonl',
    tune: summary(asr.tune),
    heldout: summary(asr.heldout),
    all: summary(asr.all),
  },
  typedText: {
    fixture: 'test/fixtures/analytics/pii.jsonl',
    all: { overall: typed.all.overall, byType: typed.all.byType, utterances: typed.all.utterances },
    heldout: { overall: typed.heldout.overall, utterances: typed.heldout.utterances },
  },
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

const lines: string[] = [];
lines.push(
  `PII on recogniser output (pii-asr.jsonl: ${asr.all.items} utterances, ${asr.all.itemsWithPii} with PII)`,
  `  ${'type'.padEnd(22)}${'tuning (tp/fp/fn)'.padEnd(36)}held-out (tp/fp/fn)                 lost`,
);
const types = [...new Set([...Object.keys(asr.tune.byType), ...Object.keys(asr.heldout.byType)])].sort();
for (const t of types)
  lines.push(
    `  ${t.padEnd(22)}${prCells(asr.tune.byType[t])}  ${prCells(asr.heldout.byType[t])}  ${asr.all.lost[t] ?? 0}`,
  );
lines.push(`  ${'all types'.padEnd(22)}${prCells(asr.tune.overall)}  ${prCells(asr.heldout.overall)}`);
for (const [name, s] of [
  ['tuning', asr.tune],
  ['held-out', asr.heldout],
] as const)
  lines.push(
    `  ${name}: labelled words redacted ${pct(s.coverage)}, words of utterances without PII redacted ${pct(s.overRedaction)}, partials showing a word their final redacts ${s.partials.leaking}/${s.partials.count}`,
  );
lines.push(`PII on typed text (pii.jsonl, ${typed.all.utterances} utterances)`);
lines.push(`  ${'all'.padEnd(22)}${prCells(typed.all.overall)}`);
lines.push(`  ${'held-out'.padEnd(22)}${prCells(typed.heldout.overall)}`);
if (values.errors) {
  lines.push('Tuning split, misses and false alarms:', ...asr.tune.errors.map((e) => `  ${e}`));
  lines.push('Tuning split, partial leaks:', ...asr.tune.partialLeaks.map((e) => `  ${e}`));
}
lines.push(`written ${out}`);
console.log(lines.join('\n'));
