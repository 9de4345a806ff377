/**
 * PII identification and redaction of one utterance, as Amazon Transcribe does it:
 * - ContentIdentificationType PII: the transcript is unchanged; entities are reported.
 * - ContentRedactionType PII: each entity becomes `[PII]` in the transcript (one tag per entity) and
 *   every word Item of it has Content `[PII]`, keeping its timings; entities report `[PII]` as
 *   their content. `label: 'TYPE'` writes the type instead (`[CREDIT_DEBIT_NUMBER]`), a Callsight
 *   option for readers who want to know what was removed.
 */
import type { CharacterOffsets } from './AnalyticsTypes.js';
import type { PiiEntity } from './PiiTypes.js';
import type { TranscriptText } from './TranscriptText.js';

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

/** Replaces the entities (sorted, non-overlapping, as detectPii returns them) in the transcript. */
export function redactTranscript(
  t: TranscriptText,
  entities: readonly PiiEntity[],
  label: RedactionLabel = 'PII',
): RedactedTranscript {
  const words = [...t.words];
  const parts: string[] = [];
  const redacted: PiiEntity[] = [];
  /** [input offset, shift] pairs: from that input offset on, output = input + shift. */
  const shifts: [number, number][] = [];
  let cursor = 0;
  let shift = 0;
  for (const e of entities) {
    const tag = redactionTag(e, label);
    parts.push(t.text.slice(cursor, e.CharacterOffsets.Begin));
    const begin = e.CharacterOffsets.Begin + shift;
    parts.push(tag);
    for (let i = e.Words.First; i <= e.Words.Last; i += 1) words[i] = tag;
    shift += tag.length - (e.CharacterOffsets.End - e.CharacterOffsets.Begin);
    shifts.push([e.CharacterOffsets.End, shift]);
    redacted.push({ ...e, Content: tag, CharacterOffsets: { Begin: begin, End: begin + tag.length } });
    cursor = e.CharacterOffsets.End;
  }
  parts.push(t.text.slice(cursor));
  const text = parts.join('');
  const map = (offset: number, isEnd: boolean): number => {
    // Inside an entity: snap to the tag's start (begin) or end (end).
    for (const e of entities) {
      if (offset > e.CharacterOffsets.Begin && offset < e.CharacterOffsets.End) {
        const r = redacted[entities.indexOf(e)] as PiiEntity;
        return isEnd ? r.CharacterOffsets.End : r.CharacterOffsets.Begin;
      }
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
