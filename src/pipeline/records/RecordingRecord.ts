import type { CallInfo } from '../../connector/CallTypes.js';
import { DetailType } from '../../events/DetailTypes.js';
import { recordBase, type PipelineRecordBase } from './PipelineRecord.js';

/**
 * "Recording": sent once a call's recording is finished (and uploaded), as Chime's S3RecordingSink
 * sends it (developer guide, "Call analytics processor and output destinations"; chime-spec.md §2.8).
 * Chime's `s3MediaObjectConsoleUrl` is an S3 console link; Callsight puts a link the browser can
 * play there: its own `GET /api/calls/{callId}/recording.wav?pipelineId=…` (a path ending in a file
 * name, which the seed's app shows as the link's text). The last four fields are Callsight's additions.
 */
export interface RecordingRecord extends PipelineRecordBase {
  readonly 'detail-type': typeof DetailType.Recording;
  readonly s3MediaObjectConsoleUrl: string;
  /** Seconds of audio in the file, as a string (Chime's type), e.g. `"42.36"`. */
  readonly recordingDurationSeconds: string;
  /** `s3://bucket/key` when the file went to an S3-compatible store; absent for a local file (no server path is published). */
  readonly location?: string;
  readonly sizeBytes: number;
  readonly sampleRate: number;
  readonly channels: number;
}

/**
 * With redaction (ContentRedactionType), where the recordings are, under the names Chime's
 * `oneTimeMetadata` gives them with Transcribe Call Analytics post-call output: the recording as
 * recorded (absent with ContentRedactionOutput `redacted`) and its redacted copy.
 */
export interface RecordingUrls {
  readonly s3RecordingUrl?: string;
  readonly s3RecordingUrlRedacted?: string;
}

export interface RecordingRecordInput {
  readonly call: CallInfo;
  readonly pipelineId: string;
  /** The pipeline's record metadata (call fields and runtime metadata). */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Wall-clock time of the first recorded sample and of the end of the last. */
  readonly startTime: Date;
  readonly endTime: Date;
  readonly url: string;
  readonly durationSeconds: number;
  /** The object's `s3://` URL, or null for a file in the local folder. */
  readonly location: string | null;
  readonly sizeBytes: number;
  readonly sampleRate: number;
  readonly channels: number;
  /** Only with redaction: both recordings' URLs, for `oneTimeMetadata`. */
  readonly urls?: RecordingUrls;
}

/**
 * Its `metadata` adds `startTime` and `endTime`, and a `oneTimeMetadata` JSON string whose
 * `sipHeaders` is itself a JSON string of the INVITE's headers (Chime names it `sipHeaders` here,
 * `inviteHeaders` in CallAnalyticsMetadata), plus, for SIPREC calls, `siprecMetadata` (the XML) and
 * `siprecMetadataJson`, and with redaction `s3RecordingUrl` and `s3RecordingUrlRedacted` (RecordingUrls).
 */
export function recordingRecord(input: RecordingRecordInput, at: Date): RecordingRecord {
  const metadata = {
    ...input.metadata,
    startTime: input.startTime.toISOString(),
    endTime: input.endTime.toISOString(),
    oneTimeMetadata: JSON.stringify({
      sipHeaders: JSON.stringify(input.call.inviteHeaders),
      ...(input.call.siprecMetadata === null
        ? {}
        : { siprecMetadata: input.call.siprecMetadata, siprecMetadataJson: input.call.siprecMetadataJson }),
      ...input.urls,
    }),
  };
  return {
    ...recordBase(DetailType.Recording, input.pipelineId, metadata, at),
    'detail-type': DetailType.Recording,
    s3MediaObjectConsoleUrl: input.url,
    recordingDurationSeconds: String(Math.round(input.durationSeconds * 100) / 100),
    ...(input.location === null ? {} : { location: input.location }),
    sizeBytes: input.sizeBytes,
    sampleRate: input.sampleRate,
    channels: input.channels,
  };
}
