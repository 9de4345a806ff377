import type { PostgresDatabase } from '../platform/database/PostgresDatabase.js';
import type { Logger } from '../platform/logger.js';
import {
  namedListSchema,
  PostgresNamedListStore,
  SqliteNamedListStore,
  type NamedListKind,
} from './NamedListStores.js';
import {
  entriesOf,
  vocabularyOf,
  type Vocabulary,
  type VocabularyRequest,
  type VocabularyStore,
} from './Vocabulary.js';

type Entries = Pick<Vocabulary, 'Phrases' | 'Table'>;

const VOCABULARIES: NamedListKind<Vocabulary, VocabularyRequest, Entries> = {
  table: 'custom_vocabularies',
  noun: 'vocabulary',
  languageOf: (request) => request.LanguageCode,
  entriesOf,
  answer: vocabularyOf,
  conflict: 'CS_ERR_VOCABULARY_CONFLICT',
};

/** The SQLite table in callsight.db (PostgreSQL: migration 3 in platform/database/migrations.ts). */
const SCHEMA = namedListSchema('vocabularies', VOCABULARIES.table);

/** Vocabularies in SQLite (callsight.db, its own connection, synchronous statements). */
export class SqliteVocabularyStore
  extends SqliteNamedListStore<Vocabulary, VocabularyRequest, Entries>
  implements VocabularyStore
{
  constructor(options: { path: string; logger?: Logger; now?: () => Date }) {
    super(VOCABULARIES, SCHEMA, options);
  }
}

/** Vocabularies in PostgreSQL, shared by every Callsight process (the database is left open by close()). */
export class PostgresVocabularyStore
  extends PostgresNamedListStore<Vocabulary, VocabularyRequest, Entries>
  implements VocabularyStore
{
  constructor(options: { database: PostgresDatabase; logger?: Logger; now?: () => Date }) {
    super(VOCABULARIES, options);
  }
}
