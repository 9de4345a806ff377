/*
 * Scores and speed of the call analytics models (src/analytics/) on the labelled fixtures
 * of test/fixtures/analytics/:
 *
 *   npm run eval            (node --import tsx scripts/eval-analytics.ts [--out file])
 *
 * Prints a report and writes bench/analytics-eval.json: sentiment accuracy (all / tuning split /
 * held-out split, confusion matrices, and wink-nlp alone as the baseline), issue detection
 * precision and recall, and the latency the analytics step adds per utterance (PII + sentiment +
 * issues + categories + alerts) on the utterances of the fixture calls and fixtures. PII has its
 * own report: scripts/eval-pii.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CategoryEvaluator,
  RealTimeAlertEvaluator,
  UtteranceAnalyzer,
  type AnalyticsUtterance,
  type CallAnalyticsCategory,
} from '../src/analytics/index.js';
import { fixtureCalls, readJsonl, utteranceFromText, type PiiCase } from '../test/analytics/callFixture.js';
import {
  evaluateIssues,
  evaluateSentiment,
  evaluateSentimentBaseline,
  sentimentCases,
  type PrScore,
} from '../test/analytics/evaluate.js';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = values.out ?? join(ROOT, 'bench/analytics-eval.json');

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
const prLine = (name: string, s: PrScore): string =>
  `  ${name.padEnd(22)} P ${pct(s.precision).padStart(7)}  R ${pct(s.recall).padStart(7)}  (tp ${s.tp}, fp ${s.fp}, fn ${s.fn})`;

// ---- Latency of the whole per-utterance step ----
const CATEGORIES: CallAnalyticsCategory[] = [
  {
    CategoryName: 'cancellation',
    InputType: 'REAL_TIME',
    Rules: [{ TranscriptFilter: { TranscriptFilterType: 'EXACT', Targets: ['cancel', 'close my account'] } }],
  },
  {
    CategoryName: 'negative-customer',
    InputType: 'REAL_TIME',
    Rules: [{ SentimentFilter: { Sentiments: ['NEGATIVE'], ParticipantRole: 'CUSTOMER' } }],
  },
  {
    CategoryName: 'interrupting-agent',
    InputType: 'REAL_TIME',
    Rules: [{ InterruptionFilter: { ParticipantRole: 'AGENT' } }],
  },
  {
    CategoryName: 'long-silence',
    InputType: 'REAL_TIME',
    Rules: [{ NonTalkTimeFilter: { Threshold: 5000 } }],
  },
];

/** The realistic mix: every fixture call in order, then the fixture utterances as a long call. */
function mix(): AnalyticsUtterance[][] {
  const calls = fixtureCalls().map((c) => [...c.utterances]);
  const texts = [
    ...sentimentCases().map((c) => ({ role: c.role, text: c.text })),
    ...readJsonl<PiiCase>('pii.jsonl').map((c) => ({ role: 'CUSTOMER' as const, text: c.text })),
  ];
  let at = 0;
  const long = texts.map((t, i) => {
    const u = utteranceFromText(`mix-${i}`, t.role, t.text, at, 330);
    at = u.endMs + 700;
    return u;
  });
  return [...calls, long];
}

function runCall(utterances: readonly AnalyticsUtterance[], timings: number[] | undefined): void {
  const analyzer = new UtteranceAnalyzer({ contentRedactionType: 'PII' });
  const categories = new CategoryEvaluator(CATEGORIES);
  const alerts = new RealTimeAlertEvaluator(
    {
      Rules: [
        {
          Type: 'KeywordMatch',
          KeywordMatchConfiguration: { RuleName: 'escalation', Keywords: ['manager', 'supervisor'] },
        },
        {
          Type: 'Sentiment',
          SentimentConfiguration: { RuleName: 'negative', SentimentType: 'NEGATIVE', TimePeriod: 60 },
        },
        { Type: 'IssueDetection', IssueDetectionConfiguration: { RuleName: 'issue' } },
      ],
    },
    { callStartTime: new Date(0) },
  );
  for (const u of utterances) {
    const t0 = process.hrtime.bigint();
    const { event } = analyzer.analyze(u);
    categories.add(event);
    alerts.add(event);
    const t1 = process.hrtime.bigint();
    timings?.push(Number(t1 - t0) / 1000);
  }
  categories.end();
  alerts.end();
}

// ---- Cold start: the first utterance builds wink-nlp and loads the first-name lists ----
const coldStart = process.hrtime.bigint();
runCall(fixtureCalls()[0]?.utterances.slice(0, 2) ?? [], undefined);
const coldMs = Number(process.hrtime.bigint() - coldStart) / 1e6;

// ---- Accuracy ----
const sentiment = {
  all: evaluateSentiment('all'),
  tune: evaluateSentiment('tune'),
  heldout: evaluateSentiment('heldout'),
};
const baseline = { all: evaluateSentimentBaseline('all'), heldout: evaluateSentimentBaseline('heldout') };
const issues = {
  all: evaluateIssues('all'),
  tune: evaluateIssues('tune'),
  heldout: evaluateIssues('heldout'),
};

const calls = mix();
for (let i = 0; i < 3; i += 1) for (const c of calls) runCall(c, undefined); // warm-up
const timings: number[] = [];
const ROUNDS = 20;
for (let i = 0; i < ROUNDS; i += 1) for (const c of calls) runCall(c, timings);
timings.sort((a, b) => a - b);
const q = (p: number): number =>
  Math.round(timings[Math.min(timings.length - 1, Math.floor(p * timings.length))] ?? 0);
const latency = {
  utterances: timings.length,
  distinctUtterances: calls.reduce((n, c) => n + c.length, 0),
  p50Us: q(0.5),
  p95Us: q(0.95),
  p99Us: q(0.99),
  maxUs: Math.round(timings[timings.length - 1] ?? 0),
  meanUs: Math.round(timings.reduce((a, b) => a + b, 0) / timings.length),
  firstUtteranceColdMs: Math.round(coldMs),
};

// ---- Report ----
const report = {
  generatedAt: new Date().toISOString(),
  node: process.version,
  sentiment: {
    fixture: 'test/fixtures/analytics/sentiment.jsonl',
    accuracy: {
      all: sentiment.all.accuracy,
      tune: sentiment.tune.accuracy,
      heldout: sentiment.heldout.accuracy,
    },
    n: { all: sentiment.all.n, tune: sentiment.tune.n, heldout: sentiment.heldout.n },
    baselineWinkOnly: { all: baseline.all.accuracy, heldout: baseline.heldout.accuracy },
    confusionAll: sentiment.all.confusion,
    confusionHeldout: sentiment.heldout.confusion,
    heldoutErrors: sentiment.heldout.errors,
  },
  issues: {
    fixture: 'test/fixtures/analytics/issues.jsonl',
    all: { ...issues.all, errors: undefined },
    tune: { ...issues.tune, errors: undefined },
    heldout: { ...issues.heldout, errors: undefined },
    heldoutErrors: issues.heldout.errors,
  },
  latency,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

const lines: string[] = [];
lines.push('Sentiment (test/fixtures/analytics/sentiment.jsonl)');
lines.push(
  `  accuracy all ${pct(sentiment.all.accuracy)} (n ${sentiment.all.n}), tuning ${pct(sentiment.tune.accuracy)} (n ${sentiment.tune.n}), held-out ${pct(sentiment.heldout.accuracy)} (n ${sentiment.heldout.n})`,
);
lines.push(`  wink-nlp alone: all ${pct(baseline.all.accuracy)}, held-out ${pct(baseline.heldout.accuracy)}`);
lines.push('  confusion (all; rows = label, columns = predicted POS NEG NEU MIX)');
for (const [label, row] of Object.entries(sentiment.all.confusion)) {
  lines.push(
    `    ${label.padEnd(8)} ${Object.values(row)
      .map((v) => String(v).padStart(4))
      .join('')}`,
  );
}
lines.push('Issues (test/fixtures/analytics/issues.jsonl)');
lines.push(prLine('all', issues.all));
lines.push(prLine('tuning', issues.tune));
lines.push(prLine('held-out', issues.heldout));
lines.push(`  mean span IoU ${issues.all.meanSpanIoU.toFixed(2)}`);
lines.push(
  'Latency of the analytics step per utterance (PII redaction, sentiment, issues, categories, alerts)',
);
lines.push(
  `  ${latency.utterances} utterances: p50 ${latency.p50Us} µs, p95 ${latency.p95Us} µs, p99 ${latency.p99Us} µs, max ${latency.maxUs} µs; first call (builds wink-nlp, loads name lists) ${latency.firstUtteranceColdMs} ms`,
);
lines.push(`written ${out}`);
console.log(lines.join('\n'));
