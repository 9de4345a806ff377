/**
 * Custom vocabularies in Amazon Transcribe's `CreateVocabulary` shape: a list of `Phrases`, or a
 * `Table` of rows with `Phrase` and optionally `SoundsLike` (hyphen-separated syllables, spelled as
 * they sound), `IPA` (space-separated IPA symbols) and `DisplayAs` (how the phrase is written in
 * transcripts). Configurations choose them by `VocabularyName` / `VocabularyNames` in their
 * transcription element; docs/asr.md says how each engine honours them.
 *
 * Phrases follow Transcribe's rules: no digits (spell numbers out), words joined by hyphens in a
 * table's `Phrase` ("Los-Angeles"), at most 256 characters; a row has `SoundsLike` or `IPA`, not both.
 */
import { z } from 'zod';
import { assertListName, languageCode, listName, parseListRequest } from './NamedList.js';
import type { NamedListStore } from './NamedListStores.js';

const PHRASE = /^[^\d\s][^\d]{0,255}$/u;

const phrase = z
  .string()
  .trim()
  .regex(PHRASE, 'A phrase has no digits (spell numbers out) and at most 256 characters');

const tableRow = z
  .object({
    Phrase: z
      .string()
      .trim()
      .regex(/^[^\d\s]{1,256}$/u, 'A table phrase has no spaces (join its words with hyphens) and no digits'),
    SoundsLike: z
      .string()
      .trim()
      .regex(/^[\p{L}'.]+(?:-[\p{L}'.]+)*$/u, 'Syllables spelled as they sound, joined by hyphens')
      .optional(),
    IPA: z
      .string()
      .trim()
      .regex(/^\S+(?: \S+)*$/u, 'IPA symbols separated by single spaces')
      .optional(),
    DisplayAs: z.string().trim().min(1).max(256).optional(),
  })
  .strict()
  .refine((row) => row.SoundsLike === undefined || row.IPA === undefined, {
    message: 'A row has SoundsLike or IPA, not both',
  });

/** What create and update take (the name comes from the path on update). */
export const vocabularyRequestSchema = z
  .object({
    VocabularyName: listName.optional(),
    LanguageCode: languageCode,
    Phrases: z.array(phrase).min(1).max(5000).optional(),
    Table: z.array(tableRow).min(1).max(5000).optional(),
  })
  .strict()
  .refine((v) => (v.Phrases === undefined) !== (v.Table === undefined), {
    message: 'Give Phrases or Table (one of them)',
  });

export type VocabularyRequest = z.infer<typeof vocabularyRequestSchema>;
type VocabularyTableRow = z.infer<typeof tableRow>;

/** A stored vocabulary, as GetVocabulary answers (with its entries instead of a DownloadUri). */
export interface Vocabulary {
  readonly VocabularyName: string;
  readonly LanguageCode: string;
  /** Transcribe's states; a Callsight vocabulary is usable as soon as it is stored. */
  readonly VocabularyState: 'READY';
  readonly LastModifiedTime: string;
  readonly Phrases?: readonly string[];
  readonly Table?: readonly VocabularyTableRow[];
}

/** The request checked, or a ValidationError listing every problem with its path. */
export function parseVocabularyRequest(body: unknown, operation: string): VocabularyRequest {
  return parseListRequest(vocabularyRequestSchema, body, operation);
}

export function assertVocabularyName(name: string): void {
  assertListName('VocabularyName', name);
}

/** Where vocabularies live: the configured database (SQLite or PostgreSQL), beside the configurations. */
export type VocabularyStore = NamedListStore<Vocabulary, VocabularyRequest>;

/** The entries column: what a vocabulary holds besides its name and language. */
export function entriesOf(request: VocabularyRequest): Pick<Vocabulary, 'Phrases' | 'Table'> {
  return request.Phrases !== undefined ? { Phrases: request.Phrases } : { Table: request.Table ?? [] };
}

export function vocabularyOf(row: {
  name: string;
  language_code: string;
  entries: Pick<Vocabulary, 'Phrases' | 'Table'>;
  updated_at: string;
}): Vocabulary {
  return {
    VocabularyName: row.name,
    LanguageCode: row.language_code,
    VocabularyState: 'READY',
    LastModifiedTime: row.updated_at,
    ...row.entries,
  };
}
