/**
 * Vocabulary filters in Amazon Transcribe's `CreateVocabularyFilter` shape: a name, a language and
 * `Words`, the individual words to mask, remove or tag in transcripts (Transcribe filters words, not
 * phrases). Only inline `Words`: Transcribe's `VocabularyFilterFileUri` (a file in S3) is refused.
 * Configurations choose them by `VocabularyFilterName` / `VocabularyFilterNames` and
 * `VocabularyFilterMethod` in their transcription element; docs/asr.md says how.
 */
import { z } from 'zod';
import { assertListName, languageCode, listName, parseListRequest } from './NamedList.js';
import type { NamedListStore } from './NamedListStores.js';

/** One word: no spaces (Transcribe filters single words) and no digits (spell numbers out), at most 256 characters. */
const word = z
  .string()
  .trim()
  .regex(/^[^\d\s]{1,256}$/u, 'One word: no spaces, no digits (spell numbers out), at most 256 characters');

/** What create and update take (the name comes from the path on update, where the language may be left out). */
export const vocabularyFilterRequestSchema = z
  .object({
    VocabularyFilterName: listName.optional(),
    LanguageCode: languageCode.optional(),
    Words: z.array(word).min(1).max(5000),
    VocabularyFilterFileUri: z.never({ error: 'Not supported: give the words inline in Words' }).optional(),
  })
  .strict();

export type VocabularyFilterRequest = z.infer<typeof vocabularyFilterRequestSchema>;

/** A stored filter, as GetVocabularyFilter answers (with its `Words` instead of a DownloadUri). */
export interface VocabularyFilter {
  readonly VocabularyFilterName: string;
  readonly LanguageCode: string;
  readonly LastModifiedTime: string;
  readonly Words: readonly string[];
}

export function parseVocabularyFilterRequest(body: unknown, operation: string): VocabularyFilterRequest {
  return parseListRequest(vocabularyFilterRequestSchema, body, operation);
}

export function assertVocabularyFilterName(name: string): void {
  assertListName('VocabularyFilterName', name);
}

/** Where vocabulary filters live: the configured database (SQLite or PostgreSQL), beside the vocabularies. */
export type VocabularyFilterStore = NamedListStore<VocabularyFilter, VocabularyFilterRequest>;
