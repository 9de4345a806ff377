import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseBody } from '../HttpErrors.js';
import { documented, errorResponses } from '../OpenApi.js';
import { CallsightError, ValidationError } from '../../platform/errors.js';
import type { CallInfo } from '../../connector/CallTypes.js';
import type { ChannelDefinition } from '../../pipeline/PipelineTypes.js';
import type { PipelineService } from './ApiSourceTypes.js';

/** CreateMediaInsightsPipeline's request (Chime SDK Media Pipelines API), as far as Callsight honours it. */
const createRequestSchema = z
  .strictObject({
    MediaInsightsPipelineConfigurationArn: z.string().min(1).max(1024),
    KinesisVideoStreamSourceRuntimeConfiguration: z.strictObject({
      Streams: z
        .array(
          z.strictObject({
            StreamArn: z.string().min(1).max(1024),
            FragmentNumber: z.string().regex(/^\d+$/).max(128).optional(),
            StreamChannelDefinition: z.strictObject({
              NumberOfChannels: z.number().int().min(1).max(2),
              ChannelDefinitions: z
                .array(
                  z.strictObject({
                    ChannelId: z.number().int().min(0).max(1),
                    ParticipantRole: z.enum(['AGENT', 'CUSTOMER']).optional(),
                  }),
                )
                .min(1)
                .max(2),
            }),
          }),
        )
        .min(1)
        .max(2),
      MediaEncoding: z.literal('pcm'),
      MediaSampleRate: z.number().int().min(8000).max(48000),
    }),
    MediaInsightsRuntimeMetadata: z.record(z.string().max(1024), z.string().max(4096)).optional(),
    KinesisVideoStreamRecordingSourceRuntimeConfiguration: z.unknown().optional(),
    S3RecordingSinkRuntimeConfiguration: z.unknown().optional(),
    Tags: z.array(z.strictObject({ Key: z.string(), Value: z.string() })).optional(),
    ClientRequestToken: z.string().max(64).optional(),
  })
  .meta({
    examples: [
      {
        MediaInsightsPipelineConfigurationArn:
          'arn:aws:chime:us-east-1:000000000000:media-insights-pipeline-configuration/analytics',
        KinesisVideoStreamSourceRuntimeConfiguration: {
          Streams: [
            {
              StreamArn:
                'arn:aws:kinesisvideo:us-east-1:000000000000:stream/ChimeVoiceConnector-callsight-vc-0/1',
              FragmentNumber: '91343852333181432392682062607743920146264440798',
              StreamChannelDefinition: {
                NumberOfChannels: 1,
                ChannelDefinitions: [{ ChannelId: 0, ParticipantRole: 'AGENT' }],
              },
            },
          ],
          MediaEncoding: 'pcm',
          MediaSampleRate: 8000,
        },
        MediaInsightsRuntimeMetadata: { transactionId: 'b2c6c5d8-6b1e-4d59-8f41-8f2f6a8a9c01' },
      },
    ],
  });
type CreateRequest = z.infer<typeof createRequestSchema>;

const statusRequestSchema = z
  .strictObject({ UpdateStatus: z.enum(['Pause', 'Resume']) })
  .meta({ examples: [{ UpdateStatus: 'Pause' }] });

const EXAMPLE_PIPELINE = {
  MediaPipelineId: '1f7c7b0e-7f3a-4e55-8c7e-0d5b7a4b2c10',
  MediaPipelineArn:
    'arn:aws:chime:us-east-1:000000000000:media-pipeline/1f7c7b0e-7f3a-4e55-8c7e-0d5b7a4b2c10',
  MediaInsightsPipelineConfigurationArn:
    'arn:aws:chime:us-east-1:000000000000:media-insights-pipeline-configuration/analytics',
  Status: 'InProgress',
  CreatedTimestamp: '2026-12-07T12:00:01.000Z',
};
/** GetMediaPipeline's MediaInsightsPipeline (Chime's shape; more members than listed here). */
const pipelineSchema = z.looseObject({
  MediaPipelineId: z.string(),
  MediaPipelineArn: z.string(),
  Status: z.string(),
});
const pipelineSummarySchema = z.object({
  MediaPipelineId: z.string(),
  MediaPipelineArn: z.string(),
  Status: z.string(),
  CallId: z.string(),
  MediaInsightsPipelineConfigurationName: z.string(),
  CreatedTimestamp: z.string(),
});
const idParams = z.object({ id: z.string().describe('MediaPipelineId or its ARN') });
const TAGS = ['Media insights pipelines'];

/** The call and channel mapping the request's stream ARNs name; every stream must be of one active call. */
async function channelsOf(
  request: CreateRequest,
  pipelines: PipelineService,
): Promise<{ call: CallInfo; channels: ChannelDefinition[] }> {
  const streams = request.KinesisVideoStreamSourceRuntimeConfiguration.Streams;
  let call: CallInfo | null = null;
  const channels: ChannelDefinition[] = [];
  for (const [index, entry] of streams.entries()) {
    const found = await pipelines.findStream(entry.StreamArn);
    const path = `KinesisVideoStreamSourceRuntimeConfiguration.Streams[${index}].StreamArn`;
    if (!found)
      throw new CallsightError('CS_ERR_NOT_FOUND', `${path}: no active call streams ${entry.StreamArn}`);
    if (call && call.callId !== found.call.callId)
      throw new ValidationError('CreateMediaInsightsPipeline', [
        { path, message: 'all streams must belong to one call' },
      ]);
    call = found.call;
    // One mono stream per entry: its single channel definition says which pipeline channel it feeds.
    const definition = entry.StreamChannelDefinition.ChannelDefinitions[0]!;
    channels.push({
      streamChannel: found.stream.channel,
      channelId: definition.ChannelId,
      participantRole: definition.ParticipantRole ?? null,
    });
  }
  if (new Set(channels.map((c) => c.channelId)).size !== channels.length)
    throw new ValidationError('CreateMediaInsightsPipeline', [
      {
        path: 'KinesisVideoStreamSourceRuntimeConfiguration.Streams',
        message: 'two streams map to the same ChannelId',
      },
    ]);
  return { call: call!, channels };
}

/**
 * The media insights pipeline API in Chime's names: CreateMediaInsightsPipeline (POST
 * /api/pipelines), ListMediaPipelines, GetMediaPipeline, UpdateMediaInsightsPipelineStatus
 * (PUT /api/pipelines/{id}/status) and DeleteMediaPipeline (stops it).
 */
export function registerPipelineRoutes(app: FastifyInstance, pipelines: PipelineService): void {
  app.post(
    '/api/pipelines',
    documented({
      summary: 'CreateMediaInsightsPipeline: start analysing a call in progress',
      tags: TAGS,
      body: createRequestSchema,
      response: {
        201: z
          .object({ MediaInsightsPipeline: pipelineSchema })
          .meta({ examples: [{ MediaInsightsPipeline: EXAMPLE_PIPELINE }] }),
        ...errorResponses('CS_ERR_BAD_REQUEST', 'CS_ERR_NOT_FOUND', 'CS_ERR_PIPELINE_UNAVAILABLE'),
      },
    }),
    async (request, reply) => {
      const body = parseBody(createRequestSchema, request.body, 'CreateMediaInsightsPipeline');
      const { call, channels } = await channelsOf(body, pipelines);
      const pipeline = await pipelines.create(call, body.MediaInsightsPipelineConfigurationArn, {
        channels,
        runtimeMetadata: body.MediaInsightsRuntimeMetadata ?? {},
      });
      return reply.code(201).send({ MediaInsightsPipeline: pipeline });
    },
  );
  app.get(
    '/api/pipelines',
    documented({
      summary: 'ListMediaPipelines: newest first',
      tags: TAGS,
      response: {
        200: z.object({ MediaPipelines: z.array(pipelineSummarySchema) }).meta({
          examples: [
            {
              MediaPipelines: [
                {
                  MediaPipelineId: EXAMPLE_PIPELINE.MediaPipelineId,
                  MediaPipelineArn: EXAMPLE_PIPELINE.MediaPipelineArn,
                  Status: 'InProgress',
                  CallId: '6f1c1c4e-3a59-4a55-9d4c-1b0f0c3d2a10',
                  MediaInsightsPipelineConfigurationName: 'analytics',
                  CreatedTimestamp: EXAMPLE_PIPELINE.CreatedTimestamp,
                },
              ],
            },
          ],
        }),
      },
    }),
    async () => ({ MediaPipelines: await pipelines.list() }),
  );
  app.get<{ Params: { id: string } }>(
    '/api/pipelines/:id',
    documented({
      summary: 'GetMediaPipeline',
      tags: TAGS,
      params: idParams,
      response: {
        200: z
          .object({ MediaPipeline: z.object({ MediaInsightsPipeline: pipelineSchema }) })
          .meta({ examples: [{ MediaPipeline: { MediaInsightsPipeline: EXAMPLE_PIPELINE } }] }),
        ...errorResponses('CS_ERR_NOT_FOUND'),
      },
    }),
    async (request) => ({
      MediaPipeline: { MediaInsightsPipeline: await pipelines.get(request.params.id) },
    }),
  );
  app.put<{ Params: { id: string } }>(
    '/api/pipelines/:id/status',
    documented({
      summary: 'UpdateMediaInsightsPipelineStatus: pause or resume',
      tags: TAGS,
      params: idParams,
      body: statusRequestSchema,
      response: {
        200: z.object({}).meta({ examples: [{}] }),
        ...errorResponses('CS_ERR_BAD_REQUEST', 'CS_ERR_NOT_FOUND', 'CS_ERR_PIPELINE_STATE'),
      },
    }),
    async (request, reply) => {
      const { UpdateStatus } = parseBody(
        statusRequestSchema,
        request.body,
        'UpdateMediaInsightsPipelineStatus',
      );
      await pipelines.setStatus(request.params.id, UpdateStatus);
      return reply.code(200).send({});
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/api/pipelines/:id',
    documented({
      summary: 'DeleteMediaPipeline: the pipeline stops, the call goes on',
      tags: TAGS,
      params: idParams,
      response: { 204: z.null().describe('Stopped'), ...errorResponses('CS_ERR_NOT_FOUND') },
    }),
    async (request, reply) => {
      await pipelines.stop(request.params.id);
      return reply.code(204).send();
    },
  );
}
