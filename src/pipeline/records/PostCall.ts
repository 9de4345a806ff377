import type { CallInfo } from '../../connector/CallTypes.js';
import {
  CALLSIGHT_SOURCE,
  makeEvent,
  type EventEnvelope,
  type EventOrigin,
} from '../../events/EventEnvelope.js';
import type { PostCallAnalytics, PostCallMedia } from '../../analytics/PostCallTypes.js';
import type { RecordingUrls } from './RecordingRecord.js';
import { DetailType } from '../../events/DetailTypes.js';

/**
 * Where post-call analytics documents are kept (SQLite by default, SqlitePostCallStore.ts; PostgreSQL
 * when scaled out, PostgresPostCallStore.ts). Async, so a networked database can implement it.
 */
export interface PostCallStore {
  /** Stores the document (replacing the pipeline's previous one); resolves with the URL path it is served at. */
  save(input: { callId: string; pipelineId: string; analytics: PostCallAnalytics }): Promise<string>;
  /** The newest document of the call (or of one pipeline of it), or null. */
  get(callId: string, pipelineId?: string): Promise<PostCallAnalytics | null>;
  /** Erasure: deletes every document of the call; resolves with how many. */
  eraseCall(callId: string): Promise<number>;
  /** Idempotent; the methods reject with InvalidStateError afterwards. */
  close(): Promise<void>;
}

/** The recordings' URLs (the Recording record's `oneTimeMetadata`) under Transcribe's `Media` names. */
export function postCallMedia(urls: RecordingUrls): PostCallMedia {
  return {
    ...(urls.s3RecordingUrl ? { MediaFileUri: urls.s3RecordingUrl } : {}),
    ...(urls.s3RecordingUrlRedacted ? { RedactedMediaFileUri: urls.s3RecordingUrlRedacted } : {}),
  };
}

export function postCallLocation(callId: string): string {
  return `/api/calls/${encodeURIComponent(callId)}/analytics`;
}

/**
 * Announces finished post-call analytics, in the shape of Transcribe's EventBridge event of that
 * name (the file URI is Callsight's URL of the document), so consumers that wait for Transcribe's
 * post-call job can wait for this.
 */
export function postCallEvent(
  input: {
    readonly call: CallInfo;
    readonly pipelineId: string;
    readonly pipelineArn: string;
    readonly location: string;
    /** With redaction and a recording: Transcribe's `Media` (the recordings' URLs). */
    readonly media?: PostCallMedia;
  },
  origin: EventOrigin,
): EventEnvelope {
  return makeEvent(
    DetailType.PostCall,
    {
      StreamingSessionId: input.pipelineId,
      PostCallStatus: 'COMPLETED',
      Transcript: { TranscriptFileUri: input.location, RedactedTranscriptFileUri: input.location },
      ...(input.media ? { Media: input.media } : {}),
      mediaInsightsPipelineArn: input.pipelineArn,
      callId: input.call.callId,
      transactionId: input.call.transactionId,
      voiceConnectorId: input.call.voiceConnectorId,
    },
    origin,
    new Date(),
    { source: CALLSIGHT_SOURCE, resources: [input.pipelineArn] },
  );
}
