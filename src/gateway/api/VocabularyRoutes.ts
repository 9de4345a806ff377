import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { documented, errorResponses } from '../OpenApi.js';
import type { Logger } from '../../platform/logger.js';
import {
  assertVocabularyName,
  parseVocabularyRequest,
  vocabularyRequestSchema,
  type VocabularyStore,
} from '../../configurations/Vocabulary.js';
import { ValidationError } from '../../platform/errors.js';
import { installErrorHandler } from '../HttpErrors.js';

const VOCABULARY = {
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
const requestBody = vocabularyRequestSchema.meta({
  examples: [{ VocabularyName: 'products', LanguageCode: 'en-US', Phrases: ['Callsight', 'media insights'] }],
});
const answer = vocabularySchema.meta({ examples: [VOCABULARY] });
const nameParams = z.object({ name: z.string() });
const TAGS = ['Custom vocabularies'];

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
  const log = logger.child({ component: 'vocabulary-api' });
  void server.register(async (scope) => {
    installErrorHandler(scope, log);

    scope.get(
      '/api/vocabularies',
      documented({
        summary: 'ListVocabularies',
        tags: TAGS,
        response: {
          200: z
            .object({ Vocabularies: z.array(vocabularySchema.partial({ Phrases: true, Table: true })) })
            .meta({ examples: [{ Vocabularies: [VOCABULARY] }] }),
        },
      }),
      async () => ({ Vocabularies: await store.list() }),
    );

    scope.post(
      '/api/vocabularies',
      documented({
        summary: 'CreateVocabulary',
        tags: TAGS,
        body: requestBody,
        response: { 201: answer, ...errorResponses('CS_ERR_BAD_REQUEST', 'CS_ERR_VOCABULARY_CONFLICT') },
      }),
      async (request, reply) => {
        const body = parseVocabularyRequest(request.body, 'CreateVocabulary');
        if (body.VocabularyName === undefined)
          throw new ValidationError('CreateVocabulary', [{ path: 'VocabularyName', message: 'Required' }]);
        const vocabulary = await store.create(body.VocabularyName, body);
        changed();
        return reply.code(201).send(vocabulary);
      },
    );

    scope.get<{ Params: { name: string } }>(
      '/api/vocabularies/:name',
      documented({
        summary: 'GetVocabulary',
        tags: TAGS,
        params: nameParams,
        response: { 200: answer, ...errorResponses('CS_ERR_NOT_FOUND') },
      }),
      async (request) => store.get(request.params.name),
    );

    scope.put<{ Params: { name: string } }>(
      '/api/vocabularies/:name',
      documented({
        summary: 'UpdateVocabulary',
        tags: TAGS,
        params: nameParams,
        body: requestBody,
        response: { 200: answer, ...errorResponses('CS_ERR_BAD_REQUEST', 'CS_ERR_NOT_FOUND') },
      }),
      async (request) => {
        assertVocabularyName(request.params.name);
        const body = parseVocabularyRequest(request.body, 'UpdateVocabulary');
        if (body.VocabularyName !== undefined && body.VocabularyName !== request.params.name)
          throw new ValidationError('UpdateVocabulary', [
            { path: 'VocabularyName', message: 'Differs from the name in the path' },
          ]);
        const vocabulary = await store.update(request.params.name, body);
        changed();
        return vocabulary;
      },
    );

    scope.delete<{ Params: { name: string } }>(
      '/api/vocabularies/:name',
      documented({
        summary: 'DeleteVocabulary',
        tags: TAGS,
        params: nameParams,
        response: { 204: z.null().describe('Deleted'), ...errorResponses('CS_ERR_NOT_FOUND') },
      }),
      async (request, reply) => {
        await store.delete(request.params.name);
        changed();
        return reply.code(204).send();
      },
    );
  });
}
