import type { PostgresDatabase } from '../platform/database/PostgresDatabase.js';
import type { Logger } from '../platform/logger.js';
import {
  namedListSchema,
  PostgresNamedListStore,
  SqliteNamedListStore,
  type NamedListKind,
} from './NamedListStores.js';
import {
  type VocabularyFilter,
  type VocabularyFilterRequest,
  type VocabularyFilterStore,
} from './VocabularyFilter.js';

const FILTERS: NamedListKind<VocabularyFilter, VocabularyFilterRequest, readonly string[]> = {
  table: 'vocabulary_filters',
  noun: 'vocabulary filter',
  languageOf: (request) => request.LanguageCode,
  entriesOf: (request) => request.Words,
  answer: (row) => ({
    VocabularyFilterName: row.name,
    LanguageCode: row.language_code,
    LastModifiedTime: row.updated_at,
    Words: row.entries,
  }),
  conflict: 'CS_ERR_VOCABULARY_FILTER_CONFLICT',
};

/** The SQLite table in callsight.db (PostgreSQL: migration 8 in platform/database/migrations.ts). */
const SCHEMA = namedListSchema('vocabulary-filters', FILTERS.table);

/** Vocabulary filters in SQLite (callsight.db, its own connection). */
export class SqliteVocabularyFilterStore
  extends SqliteNamedListStore<VocabularyFilter, VocabularyFilterRequest, readonly string[]>
  implements VocabularyFilterStore
{
  constructor(options: { path: string; logger?: Logger; now?: () => Date }) {
    super(FILTERS, SCHEMA, options);
  }
}

/** Vocabulary filters in PostgreSQL, shared by every Callsight process (the database is left open by close()). */
export class PostgresVocabularyFilterStore
  extends PostgresNamedListStore<VocabularyFilter, VocabularyFilterRequest, readonly string[]>
  implements VocabularyFilterStore
{
  constructor(options: { database: PostgresDatabase; logger?: Logger; now?: () => Date }) {
    super(FILTERS, options);
  }
}
