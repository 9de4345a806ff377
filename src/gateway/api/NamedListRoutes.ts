import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { documented, errorResponses } from '../OpenApi.js';
import type { Logger } from '../../platform/logger.js';
import type { NamedListStore } from '../../configurations/NamedListStores.js';
import { ValidationError, type ErrorCode } from '../../platform/errors.js';
import { installErrorHandler } from '../HttpErrors.js';

/**
 * One of Transcribe's named word lists as a REST resource: create, get, list, update and delete under
 * `path`, with Transcribe's operation names and shapes; JSON bodies checked with zod. Custom
 * vocabularies and vocabulary filters are both this. `changed` runs after every write (the process's
 * cache of the lists reloads).
 */
export interface NamedListApi<T, R> {
  /** '/api/vocabularies' */
  readonly path: string;
  readonly tag: string;
  /** The name's field in requests and answers ('VocabularyName'). */
  readonly nameField: string;
  /** The singular of Transcribe's operations ('Vocabulary': CreateVocabulary …). */
  readonly operation: string;
  /** The list's field in ListX's answer ('Vocabularies': ListVocabularies). */
  readonly listField: string;
  /** The request body (with an example in its meta). */
  readonly body: z.ZodType;
  /** One stored list as Get answers it; `listed` as List shows it. */
  readonly answer: z.ZodType;
  readonly listed: z.ZodType;
  readonly example: T;
  readonly conflict: ErrorCode;
  readonly parse: (body: unknown, operation: string) => R;
  readonly assertName: (name: string) => void;
  readonly store: NamedListStore<T, R>;
}

const nameParams = z.object({ name: z.string() });

const nameIn = (body: unknown, field: string): unknown => (body as Record<string, unknown>)[field];

export function registerNamedListRoutes<T, R>(
  server: FastifyInstance,
  api: NamedListApi<T, R>,
  logger: Logger,
  changed: () => void = () => undefined,
): void {
  const { path, nameField, operation, store } = api;
  const log = logger.child({ component: `${path.replace('/api/', '')}-api` });
  const tags = [api.tag];
  const answer = api.answer.meta({ examples: [api.example] });
  void server.register(async (scope) => {
    installErrorHandler(scope, log);

    scope.get(
      path,
      documented({
        summary: `List${api.listField}`,
        tags,
        response: {
          200: z
            .object({ [api.listField]: z.array(api.listed) })
            .meta({ examples: [{ [api.listField]: [api.example] }] }),
        },
      }),
      async () => ({ [api.listField]: await store.list() }),
    );

    scope.post(
      path,
      documented({
        summary: `Create${operation}`,
        tags,
        body: api.body,
        response: { 201: answer, ...errorResponses('CS_ERR_BAD_REQUEST', api.conflict) },
      }),
      async (request, reply) => {
        const body = api.parse(request.body, `Create${operation}`);
        const name = nameIn(body, nameField);
        if (typeof name !== 'string')
          throw new ValidationError(`Create${operation}`, [{ path: nameField, message: 'Required' }]);
        const created = await store.create(name, body);
        changed();
        return reply.code(201).send(created);
      },
    );

    scope.get<{ Params: { name: string } }>(
      `${path}/:name`,
      documented({
        summary: `Get${operation}`,
        tags,
        params: nameParams,
        response: { 200: answer, ...errorResponses('CS_ERR_NOT_FOUND') },
      }),
      async (request) => store.get(request.params.name),
    );

    scope.put<{ Params: { name: string } }>(
      `${path}/:name`,
      documented({
        summary: `Update${operation}`,
        tags,
        params: nameParams,
        body: api.body,
        response: { 200: answer, ...errorResponses('CS_ERR_BAD_REQUEST', 'CS_ERR_NOT_FOUND') },
      }),
      async (request) => {
        api.assertName(request.params.name);
        const body = api.parse(request.body, `Update${operation}`);
        const name = nameIn(body, nameField);
        if (name !== undefined && name !== request.params.name)
          throw new ValidationError(`Update${operation}`, [
            { path: nameField, message: 'Differs from the name in the path' },
          ]);
        const updated = await store.update(request.params.name, body);
        changed();
        return updated;
      },
    );

    scope.delete<{ Params: { name: string } }>(
      `${path}/:name`,
      documented({
        summary: `Delete${operation}`,
        tags,
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
