import { startCallsight, type RunningCallsight } from './callsight.js';
import { transcribeAndRecordConfig } from './configFile.js';
import { startS3Server, type S3TestServer } from './s3Server.js';
import { RecordCollector } from './wsRecords.js';

/** A Callsight recording every call into an S3-compatible store of its own, with a live stream client. */
export interface RecordingCallsight {
  readonly s3: S3TestServer;
  readonly callsight: RunningCallsight;
  /** Connected to the record stream from the start. */
  readonly live: RecordCollector;
  /** Closes the stream client, stops Callsight (resolving with its exit code) and then the store. */
  stop(): Promise<number | null>;
}

/** The environment pointing Callsight's recordings at `s3`. */
export function s3RecordingEnv(s3: S3TestServer): Record<string, string> {
  return {
    CALLSIGHT_RECORDING_S3_ENDPOINT: s3.endpoint,
    CALLSIGHT_RECORDING_S3_BUCKET: s3.bucket,
    CALLSIGHT_RECORDING_S3_ACCESS_KEY_ID: s3.settings.accessKeyId,
    CALLSIGHT_RECORDING_S3_SECRET_ACCESS_KEY: s3.settings.secretAccessKey,
    CALLSIGHT_RECORDING_S3_FORCE_PATH_STYLE: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/**
 * Starts an S3-compatible store with `bucket` and a Callsight transcribing and recording every call
 * into it (its callsight.yaml written into `dir`), and opens the record stream. What started is
 * stopped again when a later step fails.
 */
export async function startRecordingCallsight(bucket: string, dir: string): Promise<RecordingCallsight> {
  const s3 = await startS3Server({ bucket });
  let callsight: RunningCallsight | undefined;
  let live: RecordCollector | undefined;
  try {
    callsight = await startCallsight({
      env: { CALLSIGHT_CONFIG: transcribeAndRecordConfig(bucket, { dir }), ...s3RecordingEnv(s3) },
    });
    live = new RecordCollector(`http://127.0.0.1:${callsight.httpPort}`);
    await live.opened;
  } catch (error) {
    live?.close();
    await callsight?.kill();
    await s3.stop();
    throw error;
  }
  const running = { callsight, live };
  return {
    s3,
    ...running,
    async stop() {
      running.live.close();
      const code = await running.callsight.stop();
      await s3.stop();
      return code;
    },
  };
}
