import type { CallInfo } from '../../connector/CallTypes.js';
import {
  CALLSIGHT_SOURCE,
  makeEvent,
  type EventEnvelope,
  type EventOrigin,
} from '../../events/EventEnvelope.js';
import { DetailType } from '../../events/DetailTypes.js';

/**
 * Callsight's own alert (Chime has no counterpart; it only marks the element Failed): raised when a
 * pipeline element breaks, so that a rule can page someone (e.g. a webhook target matching
 * `{"detail-type": ["Callsight Pipeline Alert"]}`).
 */
export function pipelineAlertEvent(
  input: {
    readonly call: CallInfo;
    readonly pipelineArn: string;
    readonly elementType: string;
    readonly reason: string;
    readonly severity: 'critical' | 'warning';
  },
  origin: EventOrigin,
  at: Date,
): EventEnvelope {
  return makeEvent(
    DetailType.PipelineAlert,
    {
      version: '0',
      severity: input.severity,
      mediaInsightsPipelineArn: input.pipelineArn,
      elementType: input.elementType,
      reason: input.reason,
      callId: input.call.callId,
      transactionId: input.call.transactionId,
      voiceConnectorId: input.call.voiceConnectorId,
    },
    origin,
    at,
    { source: CALLSIGHT_SOURCE, resources: [input.pipelineArn] },
  );
}
