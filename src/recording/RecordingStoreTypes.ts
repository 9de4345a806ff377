import type { Readable } from 'node:stream';
import type { Logger } from '../platform/logger.js';
import type { RecordingSpace } from './RecordingSpace.js';

/** An S3-compatible store for finished recordings (config `recording.s3*`). */
export interface S3Settings {
  /** Empty: AWS S3 itself (the region's endpoint). Otherwise e.g. `http://127.0.0.1:9000` (MinIO). */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  /** Empty: the AWS SDK's default credential chain (AWS_* variables, profile, instance role). */
  readonly accessKeyId: string;
  /** Never logged. */
  readonly secretAccessKey: string;
  /** `http://endpoint/bucket/key` instead of `http://bucket.endpoint/key` (MinIO and most others). */
  readonly forcePathStyle: boolean;
}

export interface RecordingStoreOptions {
  /** The local recordings folder: every recording is written here first. */
  readonly dir: string;
  /** Recordings older than this are deleted, locally and in S3 (0: kept forever). */
  readonly retentionDays: number;
  /** Null: recordings stay in `dir`. */
  readonly s3: S3Settings | null;
  readonly logger: Logger;
  /** Pending uploads and retention run at open and then this often (default one hour). */
  readonly maintenanceIntervalMs?: number;
  /** First retry of a failed upload (default one minute; doubles up to the maintenance interval). */
  readonly retryDelayMs?: number;
  /** Clock for retention (tests). */
  readonly now?: () => number;
}

/**
 * Which file of a pipeline's recording: `recording` as recorded (`<pipelineId>.wav`), `redacted` with
 * the PII spans silenced (`<pipelineId>.redacted.wav`), `work` the file being recorded or redacted
 * when only the redacted copy may be kept (`<pipelineId>.redacting.wav`: never published, uploaded or
 * served, and deleted by the repair at start, since a crash loses the spans it needed).
 */
export type RecordingFileKind = 'recording' | 'redacted' | 'work';

/** A finished recording, wherever it is kept. */
export interface StoredRecording {
  readonly callId: string;
  readonly pipelineId: string;
  /** The copy with the PII spans silenced (`<pipelineId>.redacted.wav`), not the recording as recorded. */
  readonly redacted: boolean;
  readonly where: 'local' | 's3';
  /** The local file's path, or `s3://bucket/key`. */
  readonly location: string;
  readonly sizeBytes: number;
  readonly lastModified: Date;
}

/** Inclusive byte range, as in `Content-Range`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** What one maintenance pass did. */
export interface MaintenanceReport {
  readonly uploaded: number;
  readonly uploadFailures: number;
  readonly deletedLocal: number;
  readonly deletedS3: number;
}

/**
 * Where finished recordings live and how they are read back: the contract the recording processor
 * and the HTTP route use (RecordingStore.ts implements it on a local folder and S3).
 */
export interface RecordingStorage {
  /**
   * The path a recording of this call and pipeline is written to (`<dir>/<callId>/<pipelineId>.wav`;
   * `.redacted.wav`, `.redacting.wav` for the other kinds, see RecordingFileKind).
   */
  pathFor(callId: string, pipelineId: string, kind?: RecordingFileKind): string;
  /**
   * Hands a finished local recording over (`redacted`: the copy with PII silenced): uploaded and
   * removed locally when S3 is configured (kept locally and retried later when the upload fails).
   * Rejects only when the file is not there.
   */
  publish(path: string, callId: string, pipelineId: string, redacted?: boolean): Promise<StoredRecording>;
  /**
   * The pipeline's recording (`redacted`: its redacted copy), or the call's latest; null when there is
   * none (or it is not finished).
   */
  find(callId: string, pipelineId?: string, redacted?: boolean): Promise<StoredRecording | null>;
  /** The recording's bytes, all or one range. */
  read(recording: StoredRecording, range?: ByteRange): Promise<Readable>;
  /** Whether the recordings disk has room, as the recordings written find it (for /healthz and /metrics). */
  readonly space: RecordingSpace;
  /**
   * Erasure: deletes every recording of the call, locally and in S3, once any upload of it in
   * flight has finished; resolves with how many files and objects went.
   */
  eraseCall(callId: string): Promise<number>;
}
