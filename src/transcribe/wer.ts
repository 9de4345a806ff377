export interface WerResult {
  /** (substitutions + deletions + insertions) / refWords; with an empty reference, 0 or (any insertion) 1. */
  readonly wer: number;
  readonly substitutions: number;
  readonly deletions: number;
  readonly insertions: number;
  readonly refWords: number;
}

/** Lowercase words, punctuation other than apostrophes removed. */
export function normaliseWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(' ')
    .filter((w) => w.length > 0);
}

/** Word error rate: Levenshtein alignment of the hypothesis against the reference, over words. */
export function wordErrorRate(reference: string, hypothesis: string): WerResult {
  const ref = normaliseWords(reference);
  const hyp = normaliseWords(hypothesis);
  // cost[j] and its error breakdown for the previous and current reference row.
  type Cell = { cost: number; s: number; d: number; i: number };
  let prev: Cell[] = Array.from({ length: hyp.length + 1 }, (_, j) => ({ cost: j, s: 0, d: 0, i: j }));
  for (let r = 1; r <= ref.length; r++) {
    const row: Cell[] = [{ cost: r, s: 0, d: r, i: 0 }];
    for (let h = 1; h <= hyp.length; h++) {
      const diag = prev[h - 1]!;
      const up = prev[h]!;
      const left = row[h - 1]!;
      const same = ref[r - 1] === hyp[h - 1];
      const candidates: Cell[] = [
        same ? diag : { cost: diag.cost + 1, s: diag.s + 1, d: diag.d, i: diag.i },
        { cost: up.cost + 1, s: up.s, d: up.d + 1, i: up.i },
        { cost: left.cost + 1, s: left.s, d: left.d, i: left.i + 1 },
      ];
      row.push(candidates.reduce((a, b) => (b.cost < a.cost ? b : a)));
    }
    prev = row;
  }
  const last = prev[hyp.length]!;
  const errors = last.s + last.d + last.i;
  return {
    wer: ref.length === 0 ? (hyp.length === 0 ? 0 : 1) : errors / ref.length,
    substitutions: last.s,
    deletions: last.d,
    insertions: last.i,
    refWords: ref.length,
  };
}
