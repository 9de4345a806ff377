/**
 * Scores of PII detection on recogniser output: the labelled set test/fixtures/analytics/pii-asr.jsonl
 * (scripts/make-pii-set.ts), shared by the tests (minimum scores) and scripts/eval-analytics.ts.
 *
 * Each item's finals go through the detector in order with the caller's context carried from one
 * final to the next (PiiChannelContext), as the call analytics processor does; an entity cut by a
 * final's end and continued at the next one's start is one entity.
 *
 * Matching, over the words of the item's finals: a predicted entity counts when it has the labelled
 * type and shares a word with the labelled span (recogniser output has no exact boundaries: a
 * misheard word next to a number may or may not be part of it); each label is used once, and a
 * second piece of a label already found is neither right nor wrong. Labels the
 * recogniser lost (`recognised: false`: nothing of the value left in the text) are left out of
 * recall, and a prediction on one is neither right nor wrong. Besides the typed scores:
 * - coverage: the share of labelled words inside some predicted entity, whatever its type — the
 *   words redaction removes;
 * - over-redaction: the share of words of the items without PII inside some predicted entity;
 * - partial leaks: partial results (redacted, with the masks of PiiPartialMask.ts) that show a word
 *   which their final redacts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectPii, UtteranceAnalyzer } from '../../src/analytics/index.js';
import { PiiChannelContext } from '../../src/analytics/PiiChannelContext.js';
import type { PiiEntityType } from '../../src/analytics/PiiTypes.js';
import type { PiiAsrItem } from '../../scripts/lib/PiiScript.js';
import { FIXTURES } from './callFixture.js';
import { scoresByType, typeCounts, type PrScore, type SplitFilter, type TypeCounts } from './evaluate.js';

export function piiAsrItems(): PiiAsrItem[] {
  return readFileSync(join(FIXTURES, 'pii-asr.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as PiiAsrItem);
}

interface Predicted {
  readonly type: PiiEntityType;
  readonly first: number;
  readonly last: number;
}

/** The entities of an item's finals, detected final by final with the caller's context carried. */
export function predictItem(item: PiiAsrItem): Predicted[] {
  const context = new PiiChannelContext();
  const out: Predicted[] = [];
  let offset = 0;
  for (const f of item.finals) {
    const entities = detectPii(f.words, { context: context.before(f.startMs) });
    context.addFinal(f.words, f.startMs, f.endMs);
    for (const e of entities) {
      const prev = out[out.length - 1];
      const first = offset + e.Words.First;
      // Cut by the end of the previous final and continued here: one entity.
      if (prev !== undefined && prev.type === e.Type && prev.last === offset - 1 && first === offset)
        out[out.length - 1] = { ...prev, last: offset + e.Words.Last };
      else out.push({ type: e.Type, first, last: offset + e.Words.Last });
    }
    offset += f.words.length;
  }
  return out;
}

/** The partials of an item that show a word their final redacts. */
function partialLeaks(item: PiiAsrItem, analyzer: UtteranceAnalyzer): { partials: number; leaks: string[] } {
  const context = new PiiChannelContext();
  let partials = 0;
  const leaks: string[] = [];
  item.finals.forEach((f, i) => {
    const before = context.before(f.startMs);
    const final = analyzer.analyze({
      utteranceId: 'final',
      role: 'CUSTOMER',
      beginMs: f.startMs,
      endMs: f.endMs,
      words: f.words.map((word) => ({ word, startMs: f.startMs, endMs: f.endMs, confidence: 1 })),
      piiContext: before,
    }).event;
    const redacted = new Set(f.words.filter((_, k) => final.Items[k]?.Content === '[PII]'));
    const shown = new Set(f.words.filter((_, k) => final.Items[k]?.Content !== '[PII]'));
    for (const text of item.partials[i] ?? []) {
      partials += 1;
      const words = text.split(' ');
      const partial = analyzer.analyze({
        utteranceId: 'partial',
        role: 'CUSTOMER',
        beginMs: f.startMs,
        endMs: f.endMs,
        words: words.map((word) => ({ word, startMs: f.startMs, endMs: f.endMs, confidence: 0 })),
        isPartial: true,
        piiContext: before,
      }).event;
      const leaked = partial.Items.map((x) => x.Content).filter((w) => redacted.has(w) && !shown.has(w));
      if (leaked.length > 0) leaks.push(`${item.id}: "${partial.Transcript}" shows ${leaked.join(' ')}`);
    }
    context.addFinal(f.words, f.startMs, f.endMs);
  });
  return { partials, leaks };
}

export interface PiiAsrScore {
  readonly items: number;
  readonly itemsWithPii: number;
  readonly overall: PrScore;
  readonly byType: Record<string, PrScore>;
  /** Labels whose value the recogniser lost, per type (left out of recall). */
  readonly lost: Record<string, number>;
  /** Labelled words inside a predicted entity / labelled words. */
  readonly coverage: number;
  /** Words of items without PII inside a predicted entity / their words. */
  readonly overRedaction: number;
  readonly partials: { readonly count: number; readonly leaking: number };
  readonly errors: readonly string[];
  readonly partialLeaks: readonly string[];
}

export function evaluatePiiAsr(split: SplitFilter, items = piiAsrItems()): PiiAsrScore {
  const rows = items.filter((r) => split === 'all' || r.split === split);
  const counts: TypeCounts = new Map();
  const c = (t: string) => typeCounts(counts, t);
  const lost: Record<string, number> = {};
  const errors: string[] = [];
  const leaks: string[] = [];
  let labelled = 0;
  let covered = 0;
  let cleanWords = 0;
  let overRedacted = 0;
  let partials = 0;
  const analyzer = new UtteranceAnalyzer({ contentRedactionType: 'PII' });
  for (const item of rows) {
    const words = item.finals.flatMap((f) => f.words);
    const pred = predictItem(item);
    const inPred = (i: number) => pred.some((p) => i >= p.first && i <= p.last);
    const gold = item.entities.filter((e) => e.recognised);
    for (const e of item.entities) if (!e.recognised) lost[e.type] = (lost[e.type] ?? 0) + 1;
    const ignored = item.entities.filter((e) => !e.recognised && e.first >= 0);
    const used = new Set<number>();
    const show = (p: Predicted) => words.slice(p.first, p.last + 1).join(' ');
    for (const p of pred) {
      const gi = gold.findIndex(
        (g, i) => !used.has(i) && g.type === p.type && g.first <= p.last && p.first <= g.last,
      );
      if (gi >= 0) {
        used.add(gi);
        c(p.type).tp += 1;
      } else if (
        // Another piece of a label already found, or a value the recogniser lost: neither right nor wrong.
        !gold.some((g) => g.type === p.type && g.first <= p.last && p.first <= g.last) &&
        !ignored.some((g) => g.first <= p.last && p.first <= g.last)
      ) {
        c(p.type).fp += 1;
        errors.push(`FP ${item.id} ${p.type}: ${show(p)}  [${words.join(' ')}]`);
      }
    }
    gold.forEach((g, i) => {
      if (used.has(i)) return;
      c(g.type).fn += 1;
      const near = pred.filter((p) => g.first <= p.last && p.first <= g.last).map((p) => p.type);
      errors.push(
        `FN ${item.id} ${g.type}: ${g.content}${near.length > 0 ? ` (found as ${near.join()})` : ''}  [${words.join(' ')}]`,
      );
    });
    for (const g of gold) {
      for (let i = g.first; i <= g.last; i += 1) {
        labelled += 1;
        if (inPred(i)) covered += 1;
      }
    }
    if (item.entities.length === 0) {
      cleanWords += words.length;
      overRedacted += words.filter((_, i) => inPred(i)).length;
    } else {
      const p = partialLeaks(item, analyzer);
      partials += p.partials;
      leaks.push(...p.leaks);
    }
  }
  return {
    items: rows.length,
    itemsWithPii: rows.filter((r) => r.entities.length > 0).length,
    ...scoresByType(counts),
    lost,
    coverage: labelled === 0 ? 1 : covered / labelled,
    overRedaction: cleanWords === 0 ? 0 : overRedacted / cleanWords,
    partials: { count: partials, leaking: leaks.length },
    errors,
    partialLeaks: leaks,
  };
}
