/*
 * Scores and cost of voice tone analysis (src/analytics/voice/, docs/voice-tone.md) on the labelled
 * set of test/fixtures/voice-tone/ and Debian's pocketsphinx-testdata recordings:
 *
 *   npm run eval            (runs this, then scripts/eval-analytics.ts)
 *   node --import tsx scripts/eval-voice-tone.ts [--out file] [--fit]
 *
 * Prints a report and writes bench/voice-tone-eval.json: calm/agitated separation (agitated read
 * negative, calm not negative) on the tuning and held-out voices, with the speaker's baseline and
 * cold, the label per style, natural recordings, and the worker's CPU time per second of audio per
 * channel (through a real VoiceToneEngine worker). --fit refits the agitation model's terms on the
 * tuning split and prints them (what ToneModel.ts's AGITATION_TERMS say, rounded).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { AGITATION_BIAS, AGITATION_TERMS } from '../src/analytics/voice/ToneModel.js';
import { VoiceToneEngine } from '../src/analytics/voice/VoiceToneEngine.js';
import { frames } from '../test/transcribe/audio.js';
import {
  evaluateClips,
  evaluateNatural,
  fitAgitation,
  LABELS,
  separation,
  STYLES,
  type Mode,
  type SeparationScore,
} from '../test/analytics/voice/evaluate.js';
import { clipAudio, clips, joinAudio } from '../test/analytics/voice/voiceToneSet.js';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({ options: { out: { type: 'string' }, fit: { type: 'boolean' } } });
const out = values.out ?? join(ROOT, 'bench/voice-tone-eval.json');
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

if (values.fit) {
  const fitted = fitAgitation();
  console.log(
    'Agitation model refitted on the tuning split (centre, scale, weight), and what ToneModel.ts ships:',
  );
  for (const [key, term] of Object.entries(fitted.terms)) {
    const shipped = AGITATION_TERMS[key as keyof typeof AGITATION_TERMS];
    console.log(
      `  ${key.padEnd(20)} fitted ${term.centre.toFixed(2)} ${term.scale.toFixed(2)} ${term.weight.toFixed(2)}   shipped ${shipped.centre} ${shipped.scale} ${shipped.weight}`,
    );
  }
  console.log(`  bias                 fitted ${fitted.bias.toFixed(2)}   shipped ${AGITATION_BIAS}`);
  process.exit(0);
}

// ---- Accuracy ----
const results: Record<string, SeparationScore> = {};
for (const mode of ['with-baseline', 'cold'] as Mode[]) {
  for (const split of ['tune', 'held-out'] as const) {
    results[`${mode}/${split}`] = separation(evaluateClips(mode, (c) => c.split === split));
  }
}
const natural = separation(evaluateNatural());

// ---- CPU: the worker's time per second of audio, one channel ----
const engine = new VoiceToneEngine({ workers: 1 });
await engine.ready();
const stream = engine.openStream();
let windows = 0;
stream.on('window', () => windows++);
const audio = joinAudio(clips().map(clipAudio));
const wallStart = performance.now();
for (const frame of frames(audio)) stream.write(frame);
const stats = await stream.end();
const wallMs = performance.now() - wallStart;
await engine.close();
const cpu = {
  audioSeconds: Number((stats.audioMs / 1000).toFixed(1)),
  workerBusyMs: Math.round(stats.busyMs),
  cpuPerAudioSecond: Number((stats.busyMs / stats.audioMs).toFixed(4)),
  windows,
  wallMs: Math.round(wallMs),
};

const report = {
  generatedAt: new Date().toISOString(),
  set: 'test/fixtures/voice-tone (scripts/make-voice-tone-set.sh) + pocketsphinx-testdata',
  separation: results,
  natural,
  cpu,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

const lines: string[] = [];
lines.push('Voice tone (test/fixtures/voice-tone: calm / neutral / agitated, 8 voices, telephone µ-law)');
for (const [key, score] of Object.entries(results)) {
  lines.push(
    `  ${key.padEnd(24)} calm/agitated separation ${pct(score.accuracy)} (n ${score.n}); neutral not negative ${pct(score.neutralNotNegative)}`,
  );
}
for (const key of ['with-baseline/tune', 'with-baseline/held-out']) {
  lines.push(`  labels, ${key} (rows = style; columns = ${[...LABELS, 'none'].join(' ')})`);
  for (const style of STYLES) {
    const row = results[key]!.confusion[style]!;
    lines.push(
      `    ${style.padEnd(9)}${[...LABELS, 'none' as const].map((l) => String(row[l]).padStart(9)).join('')}`,
    );
  }
}
const naturalRow = natural.confusion.natural;
lines.push(
  `  pocketsphinx-testdata (natural speech, ${Object.values(naturalRow ?? {}).reduce((a, b) => a + b, 0)} recordings): not negative ${pct(natural.neutralNotNegative)} — ${JSON.stringify(naturalRow)}`,
);
for (const e of [...results['with-baseline/held-out']!.errors, ...natural.errors]) {
  lines.push(
    `    miss: ${e.name} (${e.style}) → ${e.label ?? 'no tone'} (agitation ${e.agitation?.toFixed(2) ?? '–'})`,
  );
}
lines.push(
  `  worker CPU per second of audio, one channel: ${cpu.cpuPerAudioSecond} (${cpu.workerBusyMs} ms for ${cpu.audioSeconds} s; ${cpu.windows} windows)`,
);
lines.push(`written ${out}`);
console.log(lines.join('\n'));
