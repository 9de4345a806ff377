import { DetailType } from '../../events/DetailTypes.js';
import { makeEvent, type EventOrigin } from '../../events/EventEnvelope.js';
import type { ParticipantRole, PipelineContext, SharedUtterance } from '../PipelineTypes.js';
import { callAnalyticsMetadataRecord } from '../records/PipelineRecord.js';
import type { RecognitionResult } from '../../transcribe/SpeechEngineTypes.js';
import { spokenWords } from '../../transcribe/ReadableText.js';
import type { RedactedSpans } from './RedactedSpans.js';

/**
 * What the Transcribe and the call analytics processors emit alike besides their results: the
 * metadata record as they start, real-time alerts, and the utterances they share with the pipeline's
 * other processors.
 */

/** The "CallAnalyticsMetadata" record a transcribing processor emits as it starts. */
function emitCallAnalyticsMetadata(context: PipelineContext): void {
  const { call, pipelineId, metadata } = context;
  context.emit(callAnalyticsMetadataRecord(call, pipelineId, metadata, new Date()), {
    type: DetailType.CallAnalyticsMetadata,
    callId: call.callId,
  });
}

/** Publishes a real-time alert ("Media Insights Rules Matched") of the pipeline's call. */
export function publishAlert(context: PipelineContext, origin: EventOrigin, detail: object): void {
  const { call, pipelineArn } = context;
  context.publish(
    makeEvent(
      DetailType.RulesMatched,
      { ...detail, mediaInsightsPipelineArn: pipelineArn, callId: call.callId },
      origin,
    ),
  );
}

/** What a final recognition result tells the pipeline's other processors (PipelineContext.shareUtterance). */
export function sharedUtterance(
  result: RecognitionResult,
  participantRole: ParticipantRole | null,
): SharedUtterance {
  return {
    channelId: result.channel,
    participantRole,
    beginMs: result.startMs,
    endMs: result.endMs,
    wordCount: spokenWords(result.words).length,
  };
}

/**
 * A transcribing processor's start: its metadata record, then recognition. A start that throws
 * settles the recording's redacted spans as incomplete (no final will say what to silence).
 */
export function startTranscription(
  context: PipelineContext,
  channels: { start(): void },
  spans: RedactedSpans | undefined,
): void {
  try {
    emitCallAnalyticsMetadata(context);
    channels.start();
  } catch (err) {
    spans?.fail();
    throw err;
  }
}
