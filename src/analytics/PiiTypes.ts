/**
 * PII entity types of Amazon Transcribe (`PiiEntityTypes`) and the entities the detector returns.
 */
import { PII_TYPES } from '../configurations/ConfigurationTypes.js';
import type { CharacterOffsets } from './AnalyticsTypes.js';

export { PII_TYPES };
export type PiiEntityType = (typeof PII_TYPES)[number];

/** One PII entity found in an utterance. */
export interface PiiEntity {
  readonly Type: PiiEntityType;
  readonly Category: 'PII';
  /** The words of the entity as spoken ("four one one one …"). */
  readonly Content: string;
  /** Offsets into the utterance transcript. */
  readonly CharacterOffsets: CharacterOffsets;
  /** First and last word index (inclusive), to redact the word Items. */
  readonly Words: { readonly First: number; readonly Last: number };
  /** 0 … 1: the rule's confidence times the recogniser's mean word confidence when known. */
  readonly Confidence: number;
}

/**
 * `PiiEntityTypes` of the configuration: a comma-separated list or `ALL`. Absent means all types, as
 * in Transcribe. Unknown names are ignored (the configuration schema already refuses them).
 */
export function parsePiiEntityTypes(value: string | undefined): ReadonlySet<PiiEntityType> {
  if (value === undefined || value.trim() === '') return new Set(PII_TYPES);
  const names = value.split(',').map((s) => s.trim().toUpperCase());
  if (names.includes('ALL')) return new Set(PII_TYPES);
  return new Set(PII_TYPES.filter((t) => names.includes(t)));
}

/**
 * What the detector's finders return: a type and a span of word indices (inclusive) into the words
 * they were given, with the rule's confidence (0 … 1).
 */
export interface PiiSpan {
  readonly type: PiiEntityType;
  readonly first: number;
  readonly last: number;
  readonly confidence: number;
}
