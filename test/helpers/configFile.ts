import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** Pieces of the callsight.yaml files the e2e tests start Callsight with. */

export const TRANSCRIBE_ELEMENT = {
  Type: 'AmazonTranscribeProcessor',
  AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US' },
};

export const STREAM_SINK_ELEMENT = {
  Type: 'KinesisDataStreamSink',
  KinesisDataStreamSinkConfiguration: {
    InsightsTarget: 'arn:aws:kinesis:local:000000000000:stream/callsight',
  },
};

/** An S3RecordingSink writing WAV files to `bucket`. */
export function recordingElement(bucket: string) {
  return {
    Type: 'S3RecordingSink',
    S3RecordingSinkConfiguration: { Destination: `arn:aws:s3:::${bucket}`, RecordingFileFormat: 'Wav' },
  };
}

/** Every Chime and Callsight event to the data stream. */
export const EVERYTHING_TO_THE_STREAM = {
  name: 'everything-to-the-stream',
  eventPattern: { source: ['aws.chime', 'callsight'] },
  targets: [{ stream: {} }],
};

/** A rule starting a pipeline of `configuration` for every call, once all its streams have started. */
export function startPipelineOnEveryCall(name: string, configuration: string) {
  return {
    name,
    eventPattern: {
      'detail-type': ['Chime VoiceConnector Streaming Status'],
      detail: { streamingStatus: ['ALL_STARTED'] },
    },
    targets: [{ startPipeline: configuration }],
  };
}

/** Writes `content` as callsight.yaml into `dir` (a new temp folder named after `prefix` when absent); returns its path. */
export function writeConfigFile(
  content: object,
  dir: { readonly dir?: string; readonly prefix?: string } = {},
): string {
  const path = join(
    dir.dir ?? mkdtempSync(join(tmpdir(), dir.prefix ?? 'callsight-config-')),
    'callsight.yaml',
  );
  writeFileSync(path, stringify(content));
  return path;
}

/**
 * Writes a callsight.yaml (as writeConfigFile does) in which every call is transcribed and recorded
 * to `bucket` (`local`: the recordings folder) and everything goes to the stream; returns its path.
 */
export function transcribeAndRecordConfig(
  bucket: string,
  dir: Parameters<typeof writeConfigFile>[1] = {},
): string {
  return writeConfigFile(
    {
      configurations: [
        {
          MediaInsightsPipelineConfigurationName: 'transcribe-and-record',
          Elements: [TRANSCRIBE_ELEMENT, STREAM_SINK_ELEMENT, recordingElement(bucket)],
        },
      ],
      rules: [
        EVERYTHING_TO_THE_STREAM,
        startPipelineOnEveryCall('record-every-call', 'transcribe-and-record'),
      ],
    },
    dir,
  );
}
