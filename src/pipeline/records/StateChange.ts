import { makeEvent, type EventEnvelope, type EventOrigin } from '../../events/EventEnvelope.js';
import type { CallInfo } from '../../connector/CallTypes.js';

export const STATE_CHANGE = 'Media Insights State Change';

export type PipelineEventType =
  | 'chime:MediaInsightsInProgress'
  | 'chime:MediaInsightsPaused'
  | 'chime:MediaInsightsStopped'
  | 'chime:MediaInsightsTemporaryFailure'
  | 'chime:MediaInsightsPermanentFailure';

export interface ElementStatus {
  readonly type: string;
  readonly status: string;
  readonly updatedOn: number;
  readonly statusDetail?: string;
}

/** "Media Insights State Change" (Chime SDK developer guide, "Using Amazon EventBridge notifications"). */
export function stateChangeEvent(
  call: CallInfo,
  pipelineArn: string,
  eventType: PipelineEventType,
  elements: readonly ElementStatus[],
  origin: EventOrigin,
  at: Date,
  failureReason?: string,
): EventEnvelope {
  return makeEvent(
    STATE_CHANGE,
    {
      version: '0',
      mediaInsightsPipelineArn: pipelineArn,
      eventType,
      ...(elements.length > 1 ? { mediaInsightsPipelineElementStatuses: elements } : {}),
      ...(failureReason ? { failureReason } : {}),
      callId: call.callId,
      transactionId: call.transactionId,
      fromNumber: call.fromNumber,
      toNumber: call.toNumber,
      voiceConnectorId: call.voiceConnectorId,
      direction: call.direction,
    },
    origin,
    at,
    [pipelineArn],
  );
}
