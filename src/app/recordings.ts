import { join } from 'node:path';
import type { Config } from './config/Config.js';
import type { Logger } from '../platform/logger.js';
import type { RecordingStoreOptions } from '../recording/RecordingStoreTypes.js';

/** The recording store's settings from the `recording.*` options (the folder defaults to `<dataDir>/recordings`). */
export function recordingStoreOptions(
  config: Config,
  dataDir: string,
  logger: Logger,
): RecordingStoreOptions {
  const r = config.recording;
  return {
    dir: r.dir || join(dataDir, 'recordings'),
    retentionDays: r.retentionDays,
    s3: r.s3Bucket
      ? {
          endpoint: r.s3Endpoint,
          bucket: r.s3Bucket,
          region: r.s3Region,
          accessKeyId: r.s3AccessKeyId,
          secretAccessKey: r.s3SecretAccessKey,
          forcePathStyle: r.s3ForcePathStyle,
        }
      : null,
    logger,
  };
}

/**
 * `http(s)://host:port` that browsers reach the gateway at: the HTTP bind address when it is a specific
 * one, else the advertised address (the one SIP peers are given). Behind a reverse proxy this is not
 * the public URL; docs/recordings.md says to use the URL's path then.
 */
export function httpBaseUrl(
  httpHost: string,
  advertisedAddress: string,
  port: number,
  scheme: 'http' | 'https' = 'http',
): string {
  const host = httpHost && httpHost !== '0.0.0.0' && httpHost !== '::' ? httpHost : advertisedAddress;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The recording's URL: `GET /api/calls/{callId}/recording.wav?pipelineId=…` on the gateway
 * (`recording.redacted.wav` for its copy with the PII silenced).
 */
export function recordingUrl(base: string, callId: string, pipelineId: string, redacted = false): string {
  const file = redacted ? 'recording.redacted.wav' : 'recording.wav';
  return `${base}/api/calls/${encodeURIComponent(callId)}/${file}?pipelineId=${encodeURIComponent(pipelineId)}`;
}
