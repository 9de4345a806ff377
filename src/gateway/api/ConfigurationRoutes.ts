import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { z } from 'zod';
import {
  createRequestSchema,
  parseConfigurationDocument,
  updateRequestSchema,
} from '../../configurations/ConfigurationSchema.js';
import type {
  ConfigurationStore,
  ListConfigurationsOptions,
} from '../../configurations/ConfigurationStoreTypes.js';
import type { ConfigurationIssue } from '../../configurations/ConfigurationTypes.js';
import {
  checkCreateRequest,
  checkUpdateRequest,
  type ConfigurationPlan,
  type ConfigurationToPlan,
} from '../../configurations/ConfigurationPlan.js';
import { unknownFilterWarnings } from '../../configurations/FilterNames.js';
import { EMBEDDED_ONLY, type EngineKinds } from '../../configurations/EngineSupport.js';
import { installErrorHandler } from '../HttpErrors.js';
import { documented, errorResponses } from '../OpenApi.js';

const JSON_TYPES = ['application/json'];
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** Both spellings: Chime's REST binding (`max-results`) and its member names (`MaxResults`). */
interface ListQuery {
  readonly MaxResults?: string;
  readonly 'max-results'?: string;
  readonly NextToken?: string;
  readonly 'next-token'?: string;
}

function listOptions(query: ListQuery): ListConfigurationsOptions {
  const max = query.MaxResults ?? query['max-results'];
  const token = query.NextToken ?? query['next-token'];
  if (max !== undefined && !/^\d{1,3}$/.test(max)) {
    throw new ValidationError('ListMediaInsightsPipelineConfigurations', [
      { path: 'MaxResults', message: 'Must be an integer from 1 to 100' },
    ]);
  }
  return {
    ...(max !== undefined ? { maxResults: Number(max) } : {}),
    ...(token !== undefined ? { nextToken: token } : {}),
  };
}

const ELEMENTS = [
  {
    Type: 'AmazonTranscribeCallAnalyticsProcessor',
    AmazonTranscribeCallAnalyticsProcessorConfiguration: { LanguageCode: 'en-US' },
  },
  {
    Type: 'KinesisDataStreamSink',
    KinesisDataStreamSinkConfiguration: {
      InsightsTarget: 'arn:aws:kinesis:us-east-1:000000000000:stream/callsight',
    },
  },
];
const ARN = 'arn:aws:chime:us-east-1:000000000000:media-insights-pipeline-configuration/analytics';
const CONFIGURATION = {
  MediaInsightsPipelineConfigurationName: 'analytics',
  MediaInsightsPipelineConfigurationArn: ARN,
  MediaInsightsPipelineConfigurationId: '0d3c1f0e-2b7a-4c55-9e1d-7a6b5c4d3e2f',
  ResourceAccessRoleArn: 'arn:aws:iam::000000000000:role/callsight',
  Elements: ELEMENTS,
  CreatedTimestamp: '2026-12-07T12:00:00.000Z',
  UpdatedTimestamp: '2026-12-07T12:00:00.000Z',
};
/** A stored configuration (Chime's MediaInsightsPipelineConfiguration; more members than listed). */
const configurationSchema = z.looseObject({
  MediaInsightsPipelineConfigurationName: z.string(),
  MediaInsightsPipelineConfigurationArn: z.string(),
  Elements: z.array(z.looseObject({ Type: z.string() })),
});
const answerSchema = z.object({
  MediaInsightsPipelineConfiguration: configurationSchema,
  Warnings: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional()
    .describe('What was accepted without being honoured'),
});
const identifierParams = z.object({ identifier: z.string().describe('Name or ARN') });
const TAGS = ['Call analytics configurations'];
const BOTH = ['application/json', 'application/yaml'];
const createBody = createRequestSchema.meta({
  examples: [
    {
      MediaInsightsPipelineConfigurationName: 'analytics',
      ResourceAccessRoleArn: 'arn:aws:iam::000000000000:role/callsight',
      Elements: ELEMENTS,
    },
  ],
});
const updateBody = updateRequestSchema.meta({ examples: [{ Elements: ELEMENTS }] });

/** The parsed body; a request without one (no Content-Type, no bytes) is refused like an empty document. */
function bodyOf(body: unknown): unknown {
  if (body === undefined)
    throw new ValidationError('request body', [{ path: '', message: 'The document is empty' }]);
  return body;
}

function withWarnings<T extends object>(
  body: T,
  warnings: readonly ConfigurationIssue[],
): T & { Warnings?: readonly ConfigurationIssue[] } {
  return warnings.length > 0 ? { ...body, Warnings: warnings } : body;
}

/**
 * Chime-compatible REST for call analytics configurations (Chime's MediaInsightsPipelineConfiguration
 * operations under /api/configurations). Bodies are JSON, or YAML with a YAML content type (the access
 * hook refuses any other type with 415 before it gets here; without the hook it is read as YAML).
 * Create and update answer with the configuration and, when something is accepted without being
 * honoured, `Warnings: [{path, message}]` beside it.
 * Errors: `{code, exception, message, errors?}` (see HttpErrors.ts) with Chime's exception name also in
 * the `x-amzn-ErrorType` header, which AWS SDK clients read.
 */
export function registerConfigurationRoutes(
  server: FastifyInstance,
  store: ConfigurationStore,
  logger: Logger,
  engines: EngineKinds = EMBEDDED_ONLY,
  filterNames: () => Promise<readonly string[]> = () => Promise.resolve([]),
): void {
  const log = logger.child({ component: 'configuration-api' });
  /** The plan's warnings and those of filter names no stored filter has, logged. */
  const warningsOf = async (
    result: { value: ConfigurationToPlan; plan: ConfigurationPlan; warnings: readonly ConfigurationIssue[] },
    name: string,
  ): Promise<ConfigurationIssue[]> => {
    const warnings = [
      ...result.warnings,
      ...unknownFilterWarnings(result.value, result.plan, new Set(await filterNames())),
    ];
    if (warnings.length > 0) log.info({ name, warnings }, 'configuration accepted with warnings');
    return warnings;
  };
  // An encapsulated scope: its body parsers and error handler apply to these routes only.
  void server.register(async (scope) => {
    installErrorHandler(scope, log);
    scope.addHook('onSend', async (_request, reply, payload) => {
      if (reply.statusCode >= 400 && typeof payload === 'string') {
        try {
          const exception = (JSON.parse(payload) as { exception?: unknown }).exception;
          if (typeof exception === 'string') reply.header('x-amzn-ErrorType', exception);
        } catch {
          // not our JSON error body
        }
      }
      return payload;
    });
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, async (_request: unknown, body: string) =>
      parseConfigurationDocument(body, 'json', 'request body'),
    );
    scope.addContentTypeParser(
      [...YAML_TYPES, '*'],
      { parseAs: 'string' },
      async (_request: unknown, body: string) => parseConfigurationDocument(body, 'yaml', 'request body'),
    );

    scope.post(
      '/api/configurations',
      documented({
        summary: 'CreateMediaInsightsPipelineConfiguration (JSON or YAML)',
        tags: TAGS,
        consumes: BOTH,
        body: createBody,
        response: {
          201: answerSchema.meta({ examples: [{ MediaInsightsPipelineConfiguration: CONFIGURATION }] }),
          ...errorResponses('CS_ERR_BAD_REQUEST', 'CS_ERR_CONFIGURATION_CONFLICT'),
        },
      }),
      async (request, reply) => {
        const result = checkCreateRequest(bodyOf(request.body), engines);
        if (!result.ok) throw new ValidationError('CreateMediaInsightsPipelineConfiguration', result.errors);
        const configuration = await store.create(result.value);
        const warnings = await warningsOf(result, configuration.MediaInsightsPipelineConfigurationName);
        return reply
          .code(201)
          .send(withWarnings({ MediaInsightsPipelineConfiguration: configuration }, warnings));
      },
    );

    scope.get<{ Querystring: ListQuery }>(
      '/api/configurations',
      documented({
        summary: 'ListMediaInsightsPipelineConfigurations',
        tags: TAGS,
        querystring: z.object({
          'max-results': z.string().optional().describe('1..100 (also MaxResults)'),
          'next-token': z.string().optional().describe('From the last page (also NextToken)'),
          MaxResults: z.string().optional(),
          NextToken: z.string().optional(),
        }),
        response: {
          200: z
            .object({
              MediaInsightsPipelineConfigurations: z.array(
                z.looseObject({
                  MediaInsightsPipelineConfigurationName: z.string(),
                  MediaInsightsPipelineConfigurationArn: z.string(),
                }),
              ),
              NextToken: z.string().optional(),
            })
            .meta({
              examples: [
                {
                  MediaInsightsPipelineConfigurations: [
                    {
                      MediaInsightsPipelineConfigurationName: 'analytics',
                      MediaInsightsPipelineConfigurationArn: ARN,
                      MediaInsightsPipelineConfigurationId:
                        CONFIGURATION.MediaInsightsPipelineConfigurationId,
                    },
                  ],
                },
              ],
            }),
          ...errorResponses('CS_ERR_BAD_REQUEST'),
        },
      }),
      async (request) => store.list(listOptions(request.query)),
    );

    scope.get<{ Params: { identifier: string } }>(
      '/api/configurations/:identifier',
      documented({
        summary: 'GetMediaInsightsPipelineConfiguration',
        tags: TAGS,
        params: identifierParams,
        response: {
          200: answerSchema.meta({ examples: [{ MediaInsightsPipelineConfiguration: CONFIGURATION }] }),
          ...errorResponses('CS_ERR_NOT_FOUND'),
        },
      }),
      async (request) => ({
        MediaInsightsPipelineConfiguration: await store.get(request.params.identifier),
      }),
    );

    scope.put<{ Params: { identifier: string } }>(
      '/api/configurations/:identifier',
      documented({
        summary: 'UpdateMediaInsightsPipelineConfiguration (JSON or YAML)',
        tags: TAGS,
        consumes: BOTH,
        params: identifierParams,
        body: updateBody,
        response: {
          200: answerSchema.meta({ examples: [{ MediaInsightsPipelineConfiguration: CONFIGURATION }] }),
          ...errorResponses('CS_ERR_BAD_REQUEST', 'CS_ERR_NOT_FOUND'),
        },
      }),
      async (request) => {
        const result = checkUpdateRequest(bodyOf(request.body), engines);
        if (!result.ok) throw new ValidationError('UpdateMediaInsightsPipelineConfiguration', result.errors);
        const configuration = await store.update(request.params.identifier, result.value);
        const warnings = await warningsOf(result, configuration.MediaInsightsPipelineConfigurationName);
        return withWarnings({ MediaInsightsPipelineConfiguration: configuration }, warnings);
      },
    );

    scope.delete<{ Params: { identifier: string } }>(
      '/api/configurations/:identifier',
      documented({
        summary: 'DeleteMediaInsightsPipelineConfiguration',
        tags: TAGS,
        params: identifierParams,
        response: { 204: z.null().describe('Deleted'), ...errorResponses('CS_ERR_NOT_FOUND') },
      }),
      async (request, reply) => {
        await store.delete(request.params.identifier);
        return reply.code(204).send();
      },
    );
  });
}
