import type { CallInfo } from '../../connector/CallTypes.js';
import { DetailType } from '../../events/DetailTypes.js';

/**
 * The flat records a media insights pipeline's Kinesis Data Stream sink writes (Chime SDK developer
 * guide, "Call analytics processor and output destinations"): no EventBridge envelope, and `metadata`
 * is a JSON *string*, as the seed's consumer parses it.
 */
export interface PipelineRecordBase {
  readonly time: string;
  readonly 'service-type': 'CallAnalytics';
  readonly 'detail-type': string;
  readonly mediaInsightsPipelineId: string;
  readonly metadata: string;
}

/** The call's identity, as every pipeline record carries it in `metadata`. */
export function callMetadata(
  call: CallInfo,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  // Extra keys (runtime metadata) first: they must not overwrite the call's identity.
  return {
    ...extra,
    voiceConnectorId: call.voiceConnectorId,
    callId: call.callId,
    transactionId: call.transactionId,
    fromNumber: call.fromNumber,
    toNumber: call.toNumber,
    direction: call.direction,
  };
}

export function recordBase(
  detailType: DetailType,
  pipelineId: string,
  metadata: Record<string, unknown>,
  at: Date,
): PipelineRecordBase {
  return {
    time: at.toISOString(),
    'service-type': 'CallAnalytics',
    'detail-type': detailType,
    mediaInsightsPipelineId: pipelineId,
    metadata: JSON.stringify(metadata),
  };
}

/**
 * CallAnalyticsMetadata, sent once when the pipeline starts. Its `oneTimeMetadata` is itself a JSON
 * string, and inside it `inviteHeaders` is a JSON string again (three layers, as Chime documents).
 */
export function callAnalyticsMetadataRecord(
  call: CallInfo,
  pipelineId: string,
  metadata: Readonly<Record<string, unknown>>,
  at: Date,
): PipelineRecordBase {
  const oneTimeMetadata = JSON.stringify({
    inviteHeaders: JSON.stringify(call.inviteHeaders),
    ...(call.siprecMetadata === null
      ? {}
      : { siprecMetadata: call.siprecMetadata, siprecMetadataJson: call.siprecMetadataJson }),
  });
  return recordBase(DetailType.CallAnalyticsMetadata, pipelineId, { ...metadata, oneTimeMetadata }, at);
}
