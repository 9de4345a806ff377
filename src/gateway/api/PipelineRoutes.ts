import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseBody } from '../HttpErrors.js';
import { CallsightError, ValidationError } from '../../platform/errors.js';
import type { CallInfo } from '../../connector/CallTypes.js';
import type { ChannelDefinition } from '../../pipeline/PipelineTypes.js';
import type { PipelineService } from './ApiSourceTypes.js';

/** CreateMediaInsightsPipeline's request (Chime SDK Media Pipelines API), as far as Callsight honours it. */
const createRequestSchema = z.strictObject({
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
});
type CreateRequest = z.infer<typeof createRequestSchema>;

const statusRequestSchema = z.strictObject({ UpdateStatus: z.enum(['Pause', 'Resume']) });

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
  app.post('/api/pipelines', async (request, reply) => {
    const body = parseBody(createRequestSchema, request.body, 'CreateMediaInsightsPipeline');
    const { call, channels } = await channelsOf(body, pipelines);
    const pipeline = await pipelines.create(call, body.MediaInsightsPipelineConfigurationArn, {
      channels,
      runtimeMetadata: body.MediaInsightsRuntimeMetadata ?? {},
    });
    return reply.code(201).send({ MediaInsightsPipeline: pipeline });
  });
  app.get('/api/pipelines', async () => ({ MediaPipelines: await pipelines.list() }));
  app.get<{ Params: { id: string } }>('/api/pipelines/:id', async (request) => ({
    MediaPipeline: { MediaInsightsPipeline: await pipelines.get(request.params.id) },
  }));
  app.put<{ Params: { id: string } }>('/api/pipelines/:id/status', async (request, reply) => {
    const { UpdateStatus } = parseBody(
      statusRequestSchema,
      request.body,
      'UpdateMediaInsightsPipelineStatus',
    );
    await pipelines.setStatus(request.params.id, UpdateStatus);
    return reply.code(200).send({});
  });
  app.delete<{ Params: { id: string } }>('/api/pipelines/:id', async (request, reply) => {
    await pipelines.stop(request.params.id);
    return reply.code(204).send();
  });
}
