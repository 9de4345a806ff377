import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Logger } from '../../platform/logger.js';
import {
  assertVocabularyName,
  parseVocabularyRequest,
  vocabularyRequestSchema,
  type Vocabulary,
  type VocabularyStore,
} from '../../configurations/Vocabulary.js';
import { registerNamedListRoutes } from './NamedListRoutes.js';

const VOCABULARY: Vocabulary = {
  VocabularyName: 'products',
  LanguageCode: 'en-US',
  VocabularyState: 'READY',
  LastModifiedTime: '2026-12-07T12:00:00.000Z',
  Phrases: ['Callsight', 'media insights'],
};
const vocabularySchema = z.object({
  VocabularyName: z.string(),
  LanguageCode: z.string(),
  VocabularyState: z.literal('READY'),
  LastModifiedTime: z.string(),
  Phrases: z.array(z.string()).optional(),
  Table: z.array(z.looseObject({ Phrase: z.string() })).optional(),
});

/**
 * Custom vocabularies (Amazon Transcribe's CreateVocabulary, GetVocabulary, ListVocabularies,
 * UpdateVocabulary and DeleteVocabulary) under /api/vocabularies; JSON bodies, checked with zod.
 * Access: reading is for viewers, writing for admins (the auth role table, issue 13).
 * `changed` runs after every write (the process's vocabulary cache reloads).
 */
export function registerVocabularyRoutes(
  server: FastifyInstance,
  store: VocabularyStore,
  logger: Logger,
  changed: () => void = () => undefined,
): void {
  registerNamedListRoutes(
    server,
    {
      path: '/api/vocabularies',
      tag: 'Custom vocabularies',
      nameField: 'VocabularyName',
      operation: 'Vocabulary',
      listField: 'Vocabularies',
      body: vocabularyRequestSchema.meta({
        examples: [
          { VocabularyName: 'products', LanguageCode: 'en-US', Phrases: ['Callsight', 'media insights'] },
        ],
      }),
      answer: vocabularySchema,
      listed: vocabularySchema.partial({ Phrases: true, Table: true }),
      example: VOCABULARY,
      conflict: 'CS_ERR_VOCABULARY_CONFLICT',
      parse: parseVocabularyRequest,
      assertName: assertVocabularyName,
      store,
    },
    logger,
    changed,
  );
}
