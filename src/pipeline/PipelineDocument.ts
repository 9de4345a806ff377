import type { CallInfo } from '../connector/CallTypes.js';
import type { ChannelDefinition, ElementStatusValue, PipelineStatus } from './PipelineTypes.js';

/** What GetMediaPipeline's document is made of, whether a live Pipeline or a job not yet running has it. */
export interface PipelineDocumentFields {
  readonly id: string;
  readonly arn: string;
  readonly configurationArn: string;
  readonly configurationName: string;
  readonly status: PipelineStatus;
  readonly call: Pick<CallInfo, 'callId' | 'transactionId' | 'streams'>;
  readonly channels: readonly ChannelDefinition[];
  readonly runtimeMetadata: Readonly<Record<string, string>>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly elements: readonly { readonly type: string; readonly status: ElementStatusValue }[];
}

export type PipelineDocument = ReturnType<typeof pipelineDocument>;

/** A pipeline's ARN: the media-pipeline resource of its id. */
export function pipelineArn(
  origin: { readonly region: string; readonly account: string },
  id: string,
): string {
  return `arn:callsight:chime:${origin.region}:${origin.account}:media-pipeline/${id}`;
}

/** The pipeline id an id or ARN names. */
export function pipelineIdOf(identifier: string): string {
  return identifier.startsWith('arn:') ? identifier.slice(identifier.lastIndexOf('/') + 1) : identifier;
}

/** GetMediaPipeline's MediaInsightsPipeline, in Chime's names. */
export function pipelineDocument(p: PipelineDocumentFields) {
  return {
    MediaPipelineId: p.id,
    MediaPipelineArn: p.arn,
    MediaInsightsPipelineConfigurationArn: p.configurationArn,
    MediaInsightsPipelineConfigurationName: p.configurationName,
    Status: p.status,
    CallId: p.call.callId,
    TransactionId: p.call.transactionId,
    KinesisVideoStreamSourceRuntimeConfiguration: {
      Streams: p.channels.map((channel) => ({
        StreamArn: p.call.streams.find((s) => s.channel === channel.streamChannel)?.streamArn ?? null,
        StreamChannelDefinition: {
          NumberOfChannels: 1,
          ChannelDefinitions: [
            {
              ChannelId: channel.channelId,
              ...(channel.participantRole ? { ParticipantRole: channel.participantRole } : {}),
            },
          ],
        },
      })),
      MediaEncoding: 'pcm',
      MediaSampleRate: 8000,
    },
    MediaInsightsRuntimeMetadata: p.runtimeMetadata,
    CreatedTimestamp: p.createdAt.toISOString(),
    UpdatedTimestamp: p.updatedAt.toISOString(),
    ElementStatuses: p.elements.map((e) => ({ Type: e.type, Status: e.status })),
  };
}
