import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/platform/logger.js';
import { RecordingStore } from '../../../src/recording/RecordingStore.js';
import type { PipelineContext } from '../../../src/pipeline/PipelineTypes.js';
import {
  RecordingProcessor,
  REDACTION_MARGIN_MS,
} from '../../../src/pipeline/processors/RecordingProcessor.js';
import { RedactedSpans } from '../../../src/pipeline/processors/RedactedSpans.js';
import type { RecordingRecord } from '../../../src/pipeline/records/RecordingRecord.js';
import type { ContentRedactionOutput } from '../../../src/configurations/ConfigurationTypes.js';
import { testCall, testPipeline, testStream } from '../support/testCall.js';
import { frames, readAudio16k } from '../../transcribe/audio.js';
import { AmazonTranscribeEngine } from '../../../src/transcribe/engines/aws/AmazonTranscribeEngine.js';
import { SpeechEngines } from '../../../src/transcribe/SpeechEngines.js';
import { RecognizerBackend } from '../../transcribe/servers/RecognizerBackend.js';
import { TranscribeStreamingServer } from '../../transcribe/servers/TranscribeStreamingServer.js';
import { ramp, readStereo } from '../../recording/wavTools.js';

const root = mkdtempSync(join(tmpdir(), 'callsight-recording-redaction-'));
after(() => rmSync(root, { recursive: true, force: true }));
const RATE = 16; // samples per ms

/** The recording element of one call, with the spans its redacting processor would feed. */
function recorder(store: RecordingStore, callId: string, output: ContentRedactionOutput) {
  const records: RecordingRecord[] = [];
  const call = testCall(callId, { streams: [testStream(callId, 0, '1'), testStream(callId, 1, '2')] });
  const context: PipelineContext = {
    pipelineId: `p-${callId}`,
    pipelineArn: `arn:callsight:test:p-${callId}`,
    call,
    channels: [
      { streamChannel: 0, channelId: 0, participantRole: 'CUSTOMER' },
      { streamChannel: 1, channelId: 1, participantRole: 'AGENT' },
    ],
    metadata: { callId },
    logger: silentLogger,
    emit: (record) => records.push(record as RecordingRecord),
    publish: () => undefined,
    shareUtterance: () => undefined,
    onUtterance: () => undefined,
  };
  const spans = new RedactedSpans(output);
  const failures: Error[] = [];
  const processor = new RecordingProcessor(
    {
      storage: store,
      urlFor: (c, p, redacted) =>
        `http://callsight.test/api/calls/${c}/recording${redacted ? '.redacted' : ''}.wav?pipelineId=${p}`,
      sampleRate: 16_000,
      redaction: spans,
    },
    context,
    (error) => failures.push(error),
  );
  return { processor, spans, records, failures, pipelineId: context.pipelineId };
}

/** A pipeline of a `type` processor with ContentRedactionType PII, a recording and the stream, logging its records. */
function redactAndRecord(
  store: RecordingStore,
  callId: string,
  engines: SpeechEngines | null,
  type: string,
  settings: Record<string, unknown> = {},
) {
  const transcriber = {
    Type: type,
    [`${type}Configuration`]: { LanguageCode: 'en-US', ContentRedactionType: 'PII', ...settings },
  };
  const emitted: Record<string, unknown>[] = [];
  const pipeline = testPipeline(
    testCall(callId),
    {
      MediaInsightsPipelineConfigurationName: 'redact-and-record',
      MediaInsightsPipelineConfigurationArn: 'arn:callsight:test:redact-and-record',
      Elements: [
        transcriber,
        {
          Type: 'S3RecordingSink',
          S3RecordingSinkConfiguration: { Destination: 'arn:aws:s3:::b', RecordingFileFormat: 'Wav' },
        },
        { Type: 'KinesisDataStreamSink', KinesisDataStreamSinkConfiguration: { InsightsTarget: 'x' } },
      ],
    },
    {
      engines,
      append: (record) => emitted.push(record as Record<string, unknown>),
      recordings: { storage: store, urlFor: (c, p, r) => `http://x/${c}/${p}${r ? '.redacted' : ''}` },
    },
    { publish: () => undefined },
  );
  return { pipeline, emitted };
}

/** Four seconds of call, both channels a ramp that is never 0 (silence is told apart), from 100 ms on. */
function speak(processor: RecordingProcessor): { left: Int16Array; right: Int16Array } {
  const left = ramp(1, 4000 * RATE);
  const right = ramp(7, 4000 * RATE);
  const all = [...frames(left, 0, 100), ...frames(right, 1, 100)].sort((a, b) => a.offsetMs - b.offsetMs);
  for (const frame of all) processor.write(frame);
  return { left, right };
}

describe('RecordingProcessor with ContentRedactionType: the PII spans silenced when the call ends', () => {
  let store: RecordingStore;
  const options = { retentionDays: 30, s3: null, logger: silentLogger };
  before(async () => (store = await RecordingStore.open({ ...options, dir: join(root, 'recordings') })));
  after(() => store.close());

  test('redacted_and_unredacted: both kept; the span (with its margin) is zero in its channel only, the rest untouched', async () => {
    const { processor, spans, records, pipelineId } = recorder(store, 'call-both', 'redacted_and_unredacted');
    processor.start();
    const { left, right } = speak(processor);
    const stopped = processor.stop();
    // The redacting processor's last final comes after the recording stopped taking audio: it waits.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(records.length, 0, 'no record before the spans are known');
    spans.add({ channel: 0, startMs: 1100, endMs: 1600 });
    spans.add({ channel: 1, startMs: 3000, endMs: 3100 });
    spans.finish();
    await stopped;

    const plain = readStereo(store.pathFor('call-both', pipelineId));
    const redacted = readStereo(store.pathFor('call-both', pipelineId, 'redacted'));
    assert.deepEqual(plain.left, left);
    assert.deepEqual(plain.right, right);
    // Call time t is file position (t - 100 ms) * 16: the file starts with the first frame.
    const expectLeft = Int16Array.from(left);
    expectLeft.fill(0, (1100 - REDACTION_MARGIN_MS - 100) * RATE, (1600 + REDACTION_MARGIN_MS - 100) * RATE);
    const expectRight = Int16Array.from(right);
    expectRight.fill(0, (3000 - REDACTION_MARGIN_MS - 100) * RATE, (3100 + REDACTION_MARGIN_MS - 100) * RATE);
    assert.deepEqual(redacted.left, expectLeft);
    assert.deepEqual(redacted.right, expectRight);

    const [record] = records;
    assert.ok(record);
    assert.equal(
      record.s3MediaObjectConsoleUrl,
      `http://callsight.test/api/calls/call-both/recording.redacted.wav?pipelineId=${pipelineId}`,
    );
    const metadata = JSON.parse(record.metadata) as { oneTimeMetadata: string };
    const oneTime = JSON.parse(metadata.oneTimeMetadata) as Record<string, string>;
    assert.equal(
      oneTime.s3RecordingUrl,
      `http://callsight.test/api/calls/call-both/recording.wav?pipelineId=${pipelineId}`,
    );
    assert.equal(oneTime.s3RecordingUrlRedacted, record.s3MediaObjectConsoleUrl);
    assert.deepEqual(
      await spans.recording(),
      { s3RecordingUrl: oneTime.s3RecordingUrl, s3RecordingUrlRedacted: oneTime.s3RecordingUrlRedacted },
      'the URLs go back to the post-call document',
    );
    assert.deepEqual(readdirSync(join(store.dir, 'call-both')).sort(), [
      `${pipelineId}.redacted.wav`,
      `${pipelineId}.wav`,
    ]);
    assert.equal((await store.find('call-both'))?.redacted, false);
    assert.equal((await store.find('call-both', undefined, true))?.redacted, true);
  });

  test('redacted (the default): the unredacted audio never gets a name the store publishes, and is gone at the end', async () => {
    const { processor, spans, records, pipelineId } = recorder(store, 'call-only', 'redacted');
    processor.start();
    const { left } = speak(processor);
    spans.add({ channel: 0, startMs: 2000, endMs: 2500 });
    const stopped = processor.stop();
    // While it waits for the spans, the finished but unredacted file is neither found nor listed.
    const folder = join(store.dir, 'call-only');
    const deadline = Date.now() + 10_000;
    const work = store.pathFor('call-only', pipelineId, 'work');
    while (!existsSync(work) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(readdirSync(folder), [`${pipelineId}.redacting.wav`]);
    assert.equal(await store.find('call-only'), null);
    assert.equal(await store.find('call-only', undefined, true), null);
    assert.equal((await store.maintain()).uploaded, 0);
    spans.finish();
    await stopped;

    assert.deepEqual(readdirSync(join(store.dir, 'call-only')), [`${pipelineId}.redacted.wav`]);
    const redacted = readStereo(store.pathFor('call-only', pipelineId, 'redacted'));
    const expected = Int16Array.from(left);
    expected.fill(0, (2000 - REDACTION_MARGIN_MS - 100) * RATE, (2500 + REDACTION_MARGIN_MS - 100) * RATE);
    assert.deepEqual(redacted.left, expected);
    const metadata = JSON.parse(records[0]!.metadata) as { oneTimeMetadata: string };
    const oneTime = JSON.parse(metadata.oneTimeMetadata) as Record<string, string>;
    assert.equal(oneTime.s3RecordingUrl, undefined, 'no unredacted recording to point to');
    assert.equal(oneTime.s3RecordingUrlRedacted, records[0]!.s3MediaObjectConsoleUrl);
    assert.equal(await store.find('call-only'), null, 'nothing unredacted is served');
  });

  test('redacted, and the redacting processor failed: the recording is deleted and the element fails', async () => {
    const { processor, spans, records, pipelineId } = recorder(store, 'call-broken', 'redacted');
    processor.start();
    speak(processor);
    spans.fail();
    await assert.rejects(processor.stop(), { code: 'CS_ERR_RECORDING_NOT_REDACTED' });
    assert.equal(await spans.recording(), null, 'no recording for the post-call document to name');
    assert.deepEqual(records, []);
    assert.deepEqual(readdirSync(join(store.dir, 'call-broken')), []);
    assert.ok(!existsSync(store.pathFor('call-broken', pipelineId, 'work')));
  });

  test('redacted_and_unredacted, and the redacting processor failed: only the unredacted recording, announced', async () => {
    const { processor, spans, records, pipelineId } = recorder(store, 'call-half', 'redacted_and_unredacted');
    processor.start();
    speak(processor);
    spans.fail();
    await processor.stop();
    assert.deepEqual(readdirSync(join(store.dir, 'call-half')), [`${pipelineId}.wav`]);
    const oneTime = JSON.parse(
      (JSON.parse(records[0]!.metadata) as { oneTimeMetadata: string }).oneTimeMetadata,
    ) as Record<string, string>;
    assert.ok(oneTime.s3RecordingUrl);
    assert.equal(oneTime.s3RecordingUrlRedacted, undefined);
  });

  test('speech recognition switched off: a redacting configuration records nothing it cannot redact', async () => {
    const { pipeline, emitted } = redactAndRecord(
      store,
      'call-no-asr',
      null,
      'AmazonTranscribeCallAnalyticsProcessor',
    );
    pipeline.start();
    for (const frame of frames(ramp(1, 16_000), 0, 0)) pipeline.write(frame);
    await pipeline.stop();
    assert.deepEqual(pipeline.toJSON().ElementStatuses, [{ Type: 'S3RecordingSink', Status: 'Failed' }]);
    assert.ok(!emitted.some((r) => r['detail-type'] === 'Recording'));
    assert.deepEqual(readdirSync(join(store.dir, 'call-no-asr')), []);
  });

  test('a crash leaves the file awaiting redaction: the next start deletes it (its spans are lost)', async () => {
    const dir = join(root, 'crashed');
    const folder = join(dir, 'call-crashed');
    mkdirSync(folder, { recursive: true });
    const wav = readFileSync(store.pathFor('call-both', 'p-call-both'));
    writeFileSync(join(folder, 'p1.redacting.wav.part'), wav);
    writeFileSync(join(folder, 'p2.redacting.wav'), wav);
    writeFileSync(join(folder, 'p3.wav.part'), wav);
    const reopened = await RecordingStore.open({ ...options, dir });
    try {
      assert.deepEqual(readdirSync(folder), ['p3.wav']);
    } finally {
      await reopened.close();
    }
  });
});

describe('a Transcribe processor whose engine redacts (Amazon Transcribe, a stand-in server): its entities silence the recording', () => {
  const backend = new RecognizerBackend();
  let server: TranscribeStreamingServer;
  let engines: SpeechEngines;
  let store: RecordingStore;

  before(async () => {
    await backend.ready();
    server = new TranscribeStreamingServer(backend);
    const endpoint = await server.listen();
    const engine = new AmazonTranscribeEngine({
      name: 'aws',
      region: 'eu-west-1',
      endpoint,
      credentials: {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      },
      maxBufferedMs: 60_000,
    });
    engines = new SpeechEngines([engine], new Map(), 'aws');
    store = await RecordingStore.open({
      dir: join(root, 'transcribe'),
      retentionDays: 30,
      s3: null,
      logger: silentLogger,
    });
  });
  after(async () => {
    await engines.close();
    await server.close();
    await backend.close();
    await store.close();
  });

  test('the Transcribe records’ entity times are the silenced spans; only the redacted copy is kept', async () => {
    const { pipeline, emitted } = redactAndRecord(store, 'call-aws', engines, 'AmazonTranscribeProcessor', {
      CallsightSpeechEngine: 'aws',
    });
    const speech = readAudio16k(new URL('../../fixtures/audio/demo-customer.wav', import.meta.url).pathname);
    pipeline.start();
    for (const frame of frames(speech, 0, 0)) pipeline.write(frame);
    await pipeline.stop();
    assert.equal(pipeline.status, 'Stopped');
    assert.equal(server.streams.at(-1)?.headers['x-amzn-transcribe-content-redaction-type'], 'PII');

    type Entity = { StartTime: number; EndTime: number };
    const entities = emitted
      .filter((r) => r['detail-type'] === 'Transcribe')
      .map((r) => r.TranscriptEvent as { IsPartial: boolean; Alternatives: { Entities?: Entity[] | null }[] })
      .filter((e) => !e.IsPartial)
      .flatMap((e) => e.Alternatives[0]?.Entities ?? []);
    assert.ok(entities.length >= 2, `entities: ${entities.length}`);
    const pipelineId = pipeline.id;
    assert.deepEqual(readdirSync(join(store.dir, 'call-aws')), [`${pipelineId}.redacted.wav`]);
    const redacted = readStereo(store.pathFor('call-aws', pipelineId, 'redacted'));
    // The first frame is at 0 ms: call time t (s) is sample t × 16000.
    const expected = Int16Array.from(speech);
    for (const e of entities)
      expected.fill(
        0,
        Math.max(0, Math.round((e.StartTime * 1000 - REDACTION_MARGIN_MS) * RATE)),
        Math.round((e.EndTime * 1000 + REDACTION_MARGIN_MS) * RATE),
      );
    assert.deepEqual(redacted.left, expected.subarray(0, redacted.left.length));
    const recording = emitted.find((r) => r['detail-type'] === 'Recording');
    assert.equal(recording?.s3MediaObjectConsoleUrl, `http://x/call-aws/${pipelineId}.redacted`);
  });
});
