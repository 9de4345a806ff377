/**
 * PII identification and redaction of one utterance, as Amazon Transcribe does it:
 * - ContentIdentificationType PII: the transcript is unchanged; entities are reported.
 * - ContentRedactionType PII: each entity becomes `[PII]` in the transcript (one tag per entity) and
 *   every word Item of it has Content `[PII]`, keeping its timings; entities report `[PII]` as
 *   their content. `label: 'TYPE'` writes the type instead (`[CREDIT_DEBIT_NUMBER]`), a Callsight
 *   option for readers who want to know what was removed.
 * Masks (words a partial hides until its final decides, PiiPartialMask.ts) are redacted as `[PII]`
 * too but are not entities.
 */
import type { CharacterOffsets } from './AnalyticsTypes.js';
import type { PiiEntity } from './PiiTypes.js';
import { wordSpan, type TranscriptText } from './TranscriptText.js';

export type RedactionLabel = 'PII' | 'TYPE';

export interface RedactedTranscript {
  readonly text: string;
  /** Content of every word after redaction, index for index with the input words. */
  readonly words: readonly string[];
  /** The entities with their offsets into the redacted text and the tag as content. */
  readonly entities: readonly PiiEntity[];
  /** Maps a character range of the input transcript onto the redacted one. */
  mapOffsets(offsets: CharacterOffsets): CharacterOffsets;
}

export function redactionTag(entity: PiiEntity, label: RedactionLabel = 'PII'): string {
  return label === 'TYPE' ? `[${entity.Type}]` : '[PII]';
}

interface Cut {
  readonly first: number;
  readonly last: number;
  readonly begin: number;
  readonly end: number;
  readonly tag: string;
  readonly entity?: PiiEntity;
}

/** Word spans (inclusive) that none of `entities` covers, from `masks`, merged where they touch. */
function uncoveredMasks(
  entities: readonly PiiEntity[],
  masks: readonly { readonly first: number; readonly last: number }[],
  words: number,
): { first: number; last: number }[] {
  const masked = new Array<boolean>(words).fill(false);
  for (const m of masks)
    for (let i = Math.max(0, m.first); i <= Math.min(words - 1, m.last); i += 1) masked[i] = true;
  for (const e of entities) for (let i = e.Words.First; i <= e.Words.Last; i += 1) masked[i] = false;
  const out: { first: number; last: number }[] = [];
  masked.forEach((m, i) => {
    if (!m) return;
    const prev = out[out.length - 1];
    if (prev !== undefined && prev.last === i - 1) prev.last = i;
    else out.push({ first: i, last: i });
  });
  return out;
}

/**
 * Replaces the entities (sorted, non-overlapping, as detectPii returns them) and the masks (word
 * spans, any order, may overlap each other and the entities) in the transcript.
 */
export function redactTranscript(
  t: TranscriptText,
  entities: readonly PiiEntity[],
  label: RedactionLabel = 'PII',
  masks: readonly { readonly first: number; readonly last: number }[] = [],
): RedactedTranscript {
  const cuts: Cut[] = [
    ...entities.map((e) => ({
      first: e.Words.First,
      last: e.Words.Last,
      begin: e.CharacterOffsets.Begin,
      end: e.CharacterOffsets.End,
      tag: redactionTag(e, label),
      entity: e,
    })),
    ...uncoveredMasks(entities, masks, t.words.length).map((m) => {
      const span = wordSpan(t, m.first, m.last);
      return { ...m, begin: span.begin, end: span.end, tag: '[PII]' };
    }),
  ].sort((a, b) => a.first - b.first);
  const words = [...t.words];
  const parts: string[] = [];
  const redacted: PiiEntity[] = [];
  /** [input offset, shift] pairs: from that input offset on, output = input + shift. */
  const shifts: [number, number][] = [];
  /** Input [begin, end) of each cut and its output [begin, end). */
  const placed: { in: Cut; out: CharacterOffsets }[] = [];
  let cursor = 0;
  let shift = 0;
  for (const c of cuts) {
    parts.push(t.text.slice(cursor, c.begin));
    const begin = c.begin + shift;
    parts.push(c.tag);
    for (let i = c.first; i <= c.last; i += 1) words[i] = c.tag;
    shift += c.tag.length - (c.end - c.begin);
    shifts.push([c.end, shift]);
    const out = { Begin: begin, End: begin + c.tag.length };
    placed.push({ in: c, out });
    if (c.entity !== undefined) redacted.push({ ...c.entity, Content: c.tag, CharacterOffsets: out });
    cursor = c.end;
  }
  parts.push(t.text.slice(cursor));
  const text = parts.join('');
  const map = (offset: number, isEnd: boolean): number => {
    // Inside a cut: snap to the tag's start (begin) or end (end).
    for (const p of placed) {
      if (offset > p.in.begin && offset < p.in.end) return isEnd ? p.out.End : p.out.Begin;
    }
    let s = 0;
    for (const [from, value] of shifts) if (offset >= from) s = value;
    return offset + s;
  };
  return {
    text,
    words,
    entities: redacted,
    mapOffsets: (o) => ({ Begin: map(o.Begin, false), End: map(o.End, true) }),
  };
}
