import type { CallInfo } from '../../connector/CallTypes.js';
import { makeEvent, type EventEnvelope, type EventOrigin } from '../../events/EventEnvelope.js';
import type { ElementStatus } from '../PipelineTypes.js';
import { DetailType } from '../../events/DetailTypes.js';

export type PipelineEventType =
  | 'chime:MediaInsightsInProgress'
  | 'chime:MediaInsightsPaused'
  | 'chime:MediaInsightsStopped'
  | 'chime:MediaInsightsTemporaryFailure'
  | 'chime:MediaInsightsPermanentFailure';

export interface StateChangeInput {
  readonly call: CallInfo;
  readonly pipelineArn: string;
  readonly eventType: PipelineEventType;
  readonly elements: readonly ElementStatus[];
  /** MediaInsightsRuntimeMetadata: Chime copies every key into the event's detail. */
  readonly runtimeMetadata: Readonly<Record<string, string>>;
  readonly failureReason?: string;
}

/**
 * "Media Insights State Change" (Chime SDK developer guide, "Using Amazon EventBridge
 * notifications"): element statuses when the pipeline has several elements, the runtime metadata,
 * and the Voice Connector call fields.
 */
export function stateChangeEvent(input: StateChangeInput, origin: EventOrigin, at: Date): EventEnvelope {
  const { call } = input;
  return makeEvent(
    DetailType.StateChange,
    {
      version: '0',
      mediaInsightsPipelineArn: input.pipelineArn,
      eventType: input.eventType,
      ...(input.elements.length > 1 ? { mediaInsightsPipelineElementStatuses: input.elements } : {}),
      ...(input.failureReason ? { failureReason: input.failureReason } : {}),
      ...input.runtimeMetadata,
      callId: call.callId,
      transactionId: call.transactionId,
      fromNumber: call.fromNumber,
      toNumber: call.toNumber,
      voiceConnectorId: call.voiceConnectorId,
      direction: call.direction,
    },
    origin,
    at,
  );
}
