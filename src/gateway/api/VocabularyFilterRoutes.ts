import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Logger } from '../../platform/logger.js';
import {
  assertVocabularyFilterName,
  parseVocabularyFilterRequest,
  vocabularyFilterRequestSchema,
  type VocabularyFilter,
  type VocabularyFilterStore,
} from '../../configurations/VocabularyFilter.js';
import { registerNamedListRoutes } from './NamedListRoutes.js';

const FILTER: VocabularyFilter = {
  VocabularyFilterName: 'profanity',
  LanguageCode: 'en-US',
  LastModifiedTime: '2026-12-07T12:00:00.000Z',
  Words: ['darn', 'heck'],
};
const filterSchema = z.object({
  VocabularyFilterName: z.string(),
  LanguageCode: z.string(),
  LastModifiedTime: z.string(),
  Words: z.array(z.string()),
});

/**
 * Vocabulary filters (Amazon Transcribe's CreateVocabularyFilter, GetVocabularyFilter,
 * ListVocabularyFilters, UpdateVocabularyFilter and DeleteVocabularyFilter, words inline only) under
 * /api/vocabulary-filters. Access: reading is for viewers, writing for admins. `changed` runs after
 * every write (the process's filter cache reloads).
 */
export function registerVocabularyFilterRoutes(
  server: FastifyInstance,
  store: VocabularyFilterStore,
  logger: Logger,
  changed: () => void = () => undefined,
): void {
  registerNamedListRoutes(
    server,
    {
      path: '/api/vocabulary-filters',
      tag: 'Vocabulary filters',
      nameField: 'VocabularyFilterName',
      operation: 'VocabularyFilter',
      listField: 'VocabularyFilters',
      body: vocabularyFilterRequestSchema.meta({
        examples: [{ VocabularyFilterName: 'profanity', LanguageCode: 'en-US', Words: ['darn', 'heck'] }],
      }),
      answer: filterSchema,
      listed: filterSchema,
      example: FILTER,
      conflict: 'CS_ERR_VOCABULARY_FILTER_CONFLICT',
      parse: parseVocabularyFilterRequest,
      assertName: assertVocabularyFilterName,
      store,
    },
    logger,
    changed,
  );
}
