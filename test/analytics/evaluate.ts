/**
 * Scores of the analytics models on the labelled fixtures, shared by the tests (minimum scores) and
 * scripts/eval-analytics.ts (the report in bench/analytics-eval.json and docs/analytics.md).
 *
 * Matching rules:
 * - sentiment: the label must equal the fixture's label;
 * - issues: a predicted span counts when it overlaps a labelled span; a labelled span is found when
 *   some predicted span overlaps it (precision over predictions, recall over labelled spans);
 * - PII: a predicted entity counts when it has the labelled type and its character span's
 *   intersection-over-union with the labelled span is at least 0.5; each label is used once.
 */
import { analyzeSentiment, detectIssues, detectPii, type Sentiment } from '../../src/analytics/index.js';
import { winkNlp } from '../../src/analytics/WinkNlp.js';
import { readJsonl, type IssueCase, type PiiCase, type SentimentCase, type Split } from './callFixture.js';

export type SplitFilter = Split | 'all';

const pick = <T extends { split: Split }>(rows: readonly T[], split: SplitFilter): T[] =>
  rows.filter((r) => split === 'all' || r.split === split);

export interface SentimentScore {
  readonly n: number;
  readonly accuracy: number;
  /** confusion[label][predicted] */
  readonly confusion: Record<Sentiment, Record<Sentiment, number>>;
  readonly errors: readonly { id: string; label: Sentiment; predicted: Sentiment; text: string }[];
}

function emptyConfusion(): Record<Sentiment, Record<Sentiment, number>> {
  const row = (): Record<Sentiment, number> => ({ POSITIVE: 0, NEGATIVE: 0, NEUTRAL: 0, MIXED: 0 });
  return { POSITIVE: row(), NEGATIVE: row(), NEUTRAL: row(), MIXED: row() };
}

function scoreSentiment(
  rows: readonly SentimentCase[],
  predict: (text: string) => Sentiment,
): SentimentScore {
  const confusion = emptyConfusion();
  const errors: { id: string; label: Sentiment; predicted: Sentiment; text: string }[] = [];
  let ok = 0;
  for (const r of rows) {
    const p = predict(r.text);
    confusion[r.label][p] += 1;
    if (p === r.label) ok += 1;
    else errors.push({ id: r.id, label: r.label, predicted: p, text: r.text });
  }
  return { n: rows.length, accuracy: rows.length === 0 ? 0 : ok / rows.length, confusion, errors };
}

export function sentimentCases(): SentimentCase[] {
  return readJsonl<SentimentCase>('sentiment.jsonl');
}

export function evaluateSentiment(split: SplitFilter): SentimentScore {
  return scoreSentiment(pick(sentimentCases(), split), (t) => analyzeSentiment(t).sentiment);
}

/** wink-nlp's own document sentiment with plain thresholds: the baseline the spoken layer improves on. */
export function evaluateSentimentBaseline(split: SplitFilter): SentimentScore {
  const nlp = winkNlp();
  return scoreSentiment(pick(sentimentCases(), split), (t) => {
    /* eslint-disable-next-line @typescript-eslint/unbound-method -- wink-nlp's its.* are plain functions typed as methods */
    const s = nlp.readDoc(t).out(nlp.its.sentiment) as number;
    return s >= 0.15 ? 'POSITIVE' : s <= -0.15 ? 'NEGATIVE' : 'NEUTRAL';
  });
}

export interface PrScore {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export function pr(tp: number, fp: number, fn: number): PrScore {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, precision, recall, f1 };
}

type Span = readonly [number, number];
const overlap = (a: Span, b: Span): boolean => Math.min(a[1], b[1]) > Math.max(a[0], b[0]);
const iou = (a: Span, b: Span): number => {
  const inter = Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
  return inter / (Math.max(a[1], b[1]) - Math.min(a[0], b[0]));
};

export interface IssueScore extends PrScore {
  readonly utterances: number;
  /** Mean IoU of matched spans: how well the boundaries agree. */
  readonly meanSpanIoU: number;
  readonly errors: readonly string[];
}

export function evaluateIssues(split: SplitFilter): IssueScore {
  const rows = pick(readJsonl<IssueCase>('issues.jsonl'), split);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const ious: number[] = [];
  const errors: string[] = [];
  for (const r of rows) {
    const pred: Span[] = detectIssues(r.text, r.role).map((i) => [
      i.CharacterOffsets.Begin,
      i.CharacterOffsets.End,
    ]);
    const gold: Span[] = r.issues.map((s) => {
      const b = r.text.indexOf(s);
      return [b, b + s.length];
    });
    for (const p of pred) {
      const g = gold.find((x) => overlap(p, x));
      if (g === undefined) {
        fp += 1;
        errors.push(`FP ${r.id}: ${r.text.slice(p[0], p[1])}`);
      } else {
        tp += 1;
        ious.push(iou(p, g));
      }
    }
    for (const g of gold) {
      if (!pred.some((p) => overlap(p, g))) {
        fn += 1;
        errors.push(`FN ${r.id}: ${r.text}`);
      }
    }
  }
  const meanSpanIoU = ious.length === 0 ? 0 : ious.reduce((a, b) => a + b, 0) / ious.length;
  return { ...pr(tp, fp, fn), utterances: rows.length, meanSpanIoU, errors };
}

export type TypeCounts = Map<string, { tp: number; fp: number; fn: number }>;

/** Precision and recall per type (in name order) and over all types, from counts per type. */
export function scoresByType(counts: TypeCounts): { overall: PrScore; byType: Record<string, PrScore> } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const byType: Record<string, PrScore> = {};
  for (const [type, v] of [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    byType[type] = pr(v.tp, v.fp, v.fn);
    tp += v.tp;
    fp += v.fp;
    fn += v.fn;
  }
  return { overall: pr(tp, fp, fn), byType };
}

/** The counts of one type, created on first use. */
export function typeCounts(counts: TypeCounts, type: string): { tp: number; fp: number; fn: number } {
  let v = counts.get(type);
  if (v === undefined) counts.set(type, (v = { tp: 0, fp: 0, fn: 0 }));
  return v;
}

export interface PiiScore {
  readonly utterances: number;
  readonly overall: PrScore;
  readonly byType: Record<string, PrScore>;
  readonly errors: readonly string[];
}

export function scorePii(rows: readonly Pick<PiiCase, 'id' | 'text' | 'entities'>[]): PiiScore {
  const counts: TypeCounts = new Map();
  const c = (t: string) => typeCounts(counts, t);
  const errors: string[] = [];
  for (const r of rows) {
    const pred = detectPii(r.text).map((e) => ({
      type: e.Type,
      span: [e.CharacterOffsets.Begin, e.CharacterOffsets.End] as Span,
      content: e.Content,
    }));
    const gold = r.entities.map((e) => {
      const b = r.text.indexOf(e.content);
      return { type: e.type, span: [b, b + e.content.length] as Span, content: e.content };
    });
    const used = new Set<number>();
    for (const p of pred) {
      const gi = gold.findIndex((g, i) => !used.has(i) && g.type === p.type && iou(g.span, p.span) >= 0.5);
      if (gi >= 0) {
        used.add(gi);
        c(p.type).tp += 1;
      } else {
        c(p.type).fp += 1;
        errors.push(`FP ${r.id} ${p.type}: ${p.content}`);
      }
    }
    gold.forEach((g, i) => {
      if (!used.has(i)) {
        c(g.type).fn += 1;
        errors.push(`FN ${r.id} ${g.type}: ${g.content}`);
      }
    });
  }
  return { utterances: rows.length, ...scoresByType(counts), errors };
}

export function evaluatePii(split: SplitFilter): PiiScore {
  return scorePii(pick(readJsonl<PiiCase>('pii.jsonl'), split));
}
