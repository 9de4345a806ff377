/**
 * Splits an utterance's text into plain, issue-highlighted and PII-redacted pieces. PII is never
 * shown: a piece of kind `pii` carries only the entity type, and its text is dropped here, before
 * anything reaches the DOM.
 */

export interface PiiEntity {
  /** The PII text as it appears in the transcript (Transcribe's `Content`). */
  readonly content: string;
  /** `CREDIT_DEBIT_NUMBER`, `NAME`… */
  readonly type: string;
}

export interface CharRange {
  readonly begin: number;
  readonly end: number;
}

export type TextPiece =
  | { readonly kind: 'text'; readonly text: string; readonly issue: boolean }
  | { readonly kind: 'pii'; readonly type: string; readonly issue: boolean };

/** Transcribe marks redacted content as `[PII]`; a transcript may also contain it already redacted. */
const REDACTED = /\[PII\]/g;

/** Character ranges of each entity's content in the text, left to right, never overlapping. */
function piiRanges(text: string, entities: readonly PiiEntity[]): (CharRange & { type: string })[] {
  const ranges: (CharRange & { type: string })[] = [];
  const taken = (begin: number, end: number) => ranges.some((r) => begin < r.end && end > r.begin);
  for (const entity of entities) {
    if (entity.content === '') continue;
    let from = 0;
    for (;;) {
      const at = text.indexOf(entity.content, from);
      if (at < 0) break;
      const end = at + entity.content.length;
      if (!taken(at, end)) {
        ranges.push({ begin: at, end, type: entity.type });
        break;
      }
      from = at + 1;
    }
  }
  for (const match of text.matchAll(REDACTED)) {
    const begin = match.index;
    const end = begin + match[0].length;
    if (!taken(begin, end)) ranges.push({ begin, end, type: 'PII' });
  }
  return ranges.sort((a, b) => a.begin - b.begin);
}

export function annotateTranscript(
  text: string,
  entities: readonly PiiEntity[],
  issues: readonly CharRange[],
): TextPiece[] {
  const pii = piiRanges(text, entities);
  const cuts = new Set<number>([0, text.length]);
  for (const r of [...pii, ...issues]) {
    cuts.add(Math.max(0, Math.min(text.length, r.begin)));
    cuts.add(Math.max(0, Math.min(text.length, r.end)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const pieces: TextPiece[] = [];
  let lastPii: (CharRange & { type: string }) | null = null;
  for (let i = 0; i + 1 < points.length; i++) {
    const begin = points[i]!;
    const end = points[i + 1]!;
    if (end <= begin) continue;
    const issue = issues.some((r) => begin >= r.begin && end <= r.end);
    const entity = pii.find((r) => begin >= r.begin && end <= r.end) ?? null;
    if (entity) {
      // One chip per entity, even when an issue boundary cuts through it.
      if (entity !== lastPii) pieces.push({ kind: 'pii', type: entity.type, issue });
      lastPii = entity;
      continue;
    }
    lastPii = null;
    const previous = pieces.at(-1);
    const slice = text.slice(begin, end);
    if (previous?.kind === 'text' && previous.issue === issue)
      pieces[pieces.length - 1] = { kind: 'text', text: previous.text + slice, issue };
    else pieces.push({ kind: 'text', text: slice, issue });
  }
  return pieces;
}
