import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../platform/logger.js';
import {
  assertVocabularyName,
  parseVocabularyRequest,
  type VocabularyStore,
} from '../../configurations/Vocabulary.js';
import { ValidationError } from '../../platform/errors.js';
import { installErrorHandler } from '../HttpErrors.js';

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

    scope.get('/api/vocabularies', async () => ({ Vocabularies: await store.list() }));

    scope.post('/api/vocabularies', async (request, reply) => {
      const body = parseVocabularyRequest(request.body, 'CreateVocabulary');
      if (body.VocabularyName === undefined)
        throw new ValidationError('CreateVocabulary', [{ path: 'VocabularyName', message: 'Required' }]);
      const vocabulary = await store.create(body.VocabularyName, body);
      changed();
      return reply.code(201).send(vocabulary);
    });

    scope.get<{ Params: { name: string } }>('/api/vocabularies/:name', async (request) =>
      store.get(request.params.name),
    );

    scope.put<{ Params: { name: string } }>('/api/vocabularies/:name', async (request) => {
      assertVocabularyName(request.params.name);
      const body = parseVocabularyRequest(request.body, 'UpdateVocabulary');
      if (body.VocabularyName !== undefined && body.VocabularyName !== request.params.name)
        throw new ValidationError('UpdateVocabulary', [
          { path: 'VocabularyName', message: 'Differs from the name in the path' },
        ]);
      const vocabulary = await store.update(request.params.name, body);
      changed();
      return vocabulary;
    });

    scope.delete<{ Params: { name: string } }>('/api/vocabularies/:name', async (request, reply) => {
      await store.delete(request.params.name);
      changed();
      return reply.code(204).send();
    });
  });
}
