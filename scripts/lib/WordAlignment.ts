/**
 * Which recognised word stands for which spoken word: a Levenshtein alignment of the reference
 * words against the recogniser's, with its backtrace (scripts/make-pii-set.ts maps the labelled
 * spans of what was said onto what was recognised with it). A substitution between words that
 * sound alike ("two"/"to", "four"/"for") costs less than another one, so the alignment pairs them.
 */

const SOUND_ALIKE: readonly (readonly string[])[] = [
  ['two', 'to', 'too'],
  ['four', 'for', 'fore'],
  ['eight', 'ate'],
  ['one', 'won'],
  ['oh', 'o', 'zero', 'owe'],
  ['nine', 'nein'],
];

function substitutionCost(a: string, b: string): number {
  if (a === b) return 0;
  return SOUND_ALIKE.some((g) => g.includes(a) && g.includes(b)) ? 0.5 : 1;
}

/** For each reference word, the index of the hypothesis word aligned with it (-1: deleted). */
export function alignWords(ref: readonly string[], hyp: readonly string[]): number[] {
  const rows = ref.length + 1;
  const cols = hyp.length + 1;
  const cost = new Float64Array(rows * cols);
  for (let h = 0; h < cols; h += 1) cost[h] = h;
  for (let r = 1; r < rows; r += 1) {
    cost[r * cols] = r;
    for (let h = 1; h < cols; h += 1) {
      const diag = cost[(r - 1) * cols + h - 1]! + substitutionCost(ref[r - 1]!, hyp[h - 1]!);
      const up = cost[(r - 1) * cols + h]! + 1;
      const left = cost[r * cols + h - 1]! + 1;
      cost[r * cols + h] = Math.min(diag, up, left);
    }
  }
  const aligned = new Array<number>(ref.length).fill(-1);
  let r = ref.length;
  let h = hyp.length;
  while (r > 0 && h > 0) {
    const here = cost[r * cols + h]!;
    if (here === cost[(r - 1) * cols + h - 1]! + substitutionCost(ref[r - 1]!, hyp[h - 1]!)) {
      aligned[r - 1] = h - 1;
      r -= 1;
      h -= 1;
    } else if (here === cost[(r - 1) * cols + h]! + 1) r -= 1;
    else h -= 1;
  }
  return aligned;
}

/**
 * The hypothesis words [first, last] that stand for the reference words [first, last]: those
 * aligned with them and the insertions between them (null when every one was deleted).
 */
export function alignedSpan(
  aligned: readonly number[],
  first: number,
  last: number,
): { readonly first: number; readonly last: number } | null {
  const inside = aligned.slice(first, last + 1).filter((h) => h >= 0);
  if (inside.length === 0) return null;
  return { first: Math.min(...inside), last: Math.max(...inside) };
}
