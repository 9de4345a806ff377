import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEnvelope } from '../../../src/events/EventEnvelope.js';
import { silentLogger } from '../../../src/platform/logger.js';
import type { PcmFrame } from '../../../src/media/MediaTypes.js';
import { RecordingStore } from '../../../src/recording/RecordingStore.js';
import type { RecordingRecord } from '../../../src/pipeline/records/RecordingRecord.js';
import { testCall, testPipeline, testStream } from '../support/testCall.js';
import { frames, readAudio16k } from '../../transcribe/audio.js';
import { readStereo, soxInfo } from '../../recording/wavTools.js';

const CUSTOMER = new URL('../../fixtures/audio/demo-customer.wav', import.meta.url).pathname;
const AGENT = new URL('../../fixtures/audio/demo-agent.wav', import.meta.url).pathname;
const RATE = 16;
const root = mkdtempSync(join(tmpdir(), 'callsight-recording-processor-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A SIPREC-like call with two streams: the customer on channel 0, the agent on channel 1. */
function twoPartyCall(callId: string) {
  return testCall(callId, {
    inviteHeaders: { 'x-ticket': 'T-7' },
    streams: [testStream(callId, 0, '1'), testStream(callId, 1, '2')],
    startedAt: new Date('2025-03-14T15:09:26.000Z'),
  });
}

/** A pipeline of a recording configuration, logging what it emits and publishes in one timeline. */
function recordingPipeline(store: RecordingStore, callId: string) {
  const log: (
    { kind: 'record'; record: Record<string, unknown> } | { kind: 'event'; event: EventEnvelope }
  )[] = [];
  const call = twoPartyCall(callId);
  const pipeline = testPipeline(
    call,
    {
      MediaInsightsPipelineConfigurationName: 'record-calls',
      MediaInsightsPipelineConfigurationArn: 'arn:callsight:test:record-calls',
      Elements: [
        {
          Type: 'S3RecordingSink',
          S3RecordingSinkConfiguration: { Destination: 'arn:aws:s3:::b', RecordingFileFormat: 'Wav' },
        },
        { Type: 'KinesisDataStreamSink', KinesisDataStreamSinkConfiguration: { InsightsTarget: 'x' } },
      ],
    },
    {
      engines: null,
      append: (record) => log.push({ kind: 'record', record: record as Record<string, unknown> }),
      recordings: {
        storage: store,
        urlFor: (c, p) => `http://callsight.test:8080/api/calls/${c}/recording.wav?pipelineId=${p}`,
      },
    },
    { runtimeMetadata: { ticket: 'T-7' }, publish: (event) => log.push({ kind: 'event', event }) },
  );
  const recordings = () =>
    log.flatMap((e) =>
      e.kind === 'record' && e.record['detail-type'] === 'Recording'
        ? [e.record as unknown as RecordingRecord]
        : [],
    );
  const eventTypes = () =>
    log.flatMap((e) =>
      e.kind === 'event'
        ? [(e.event.detail as { eventType?: string }).eventType ?? e.event['detail-type']]
        : [],
    );
  return { pipeline, call, log, recordings, eventTypes };
}

describe('RecordingProcessor (S3RecordingSink) in a real pipeline', () => {
  let store: RecordingStore;
  let customer: Int16Array;
  let agent: Int16Array;

  before(async () => {
    store = await RecordingStore.open({
      dir: join(root, 'recordings'),
      retentionDays: 30,
      s3: null,
      logger: silentLogger,
    });
    customer = readAudio16k(CUSTOMER);
    agent = readAudio16k(AGENT);
  });
  after(() => store.close());

  test('records both parties aligned in stereo, skips the paused time, then sends the Recording record', async () => {
    const { pipeline, call, log, recordings, eventTypes } = recordingPipeline(store, 'call-recorded');
    pipeline.start();
    // The customer speaks from 40 ms into the call, the agent's stream starts a second later; frames
    // arrive in time order, each channel's at its own offsets.
    const all: PcmFrame[] = [...frames(customer, 0, 40), ...frames(agent, 1, 1040)].sort(
      (a, b) => a.offsetMs - b.offsetMs,
    );
    const [pauseFrom, pauseTo] = [4040, 6040];
    for (const frame of all.filter((f) => f.offsetMs < pauseFrom)) pipeline.write(frame);
    await pipeline.pause();
    for (const frame of all.filter((f) => f.offsetMs >= pauseFrom && f.offsetMs < pauseTo))
      pipeline.write(frame);
    await pipeline.resume();
    for (const frame of all.filter((f) => f.offsetMs >= pauseTo)) pipeline.write(frame);
    await pipeline.stop();

    assert.equal(pipeline.status, 'Stopped');
    assert.deepEqual(pipeline.toJSON().ElementStatuses, [{ Type: 'S3RecordingSink', Status: 'Stopped' }]);
    assert.deepEqual(eventTypes(), [
      'chime:MediaInsightsInProgress',
      'chime:MediaInsightsPaused',
      'chime:MediaInsightsInProgress',
      'chime:MediaInsightsStopped',
    ]);

    // The file: the call's timeline from the first frame (40 ms), less the two paused seconds.
    const path = store.pathFor(call.callId, pipeline.id);
    const callSamples = Math.max(customer.length, 1000 * RATE + agent.length);
    const timeline = { left: new Int16Array(callSamples), right: new Int16Array(callSamples) };
    timeline.left.set(customer, 0);
    timeline.right.set(agent, 1000 * RATE);
    const cut = (x: Int16Array) => {
      const out = new Int16Array(x.length - 2000 * RATE);
      out.set(x.subarray(0, (pauseFrom - 40) * RATE));
      out.set(x.subarray((pauseTo - 40) * RATE), (pauseFrom - 40) * RATE);
      return out;
    };
    const wav = readStereo(path);
    assert.deepEqual(wav.left, cut(timeline.left), 'left: the customer, every sample in place');
    assert.deepEqual(wav.right, cut(timeline.right), 'right: the agent, a second later, sample-aligned');
    const info = soxInfo(path);
    const seconds = (callSamples - 2000 * RATE) / 16_000;
    assert.deepEqual([info.channels, info.sampleRate, info.seconds], [2, 16_000, seconds]);

    // One Recording record, Chime's shape plus Callsight's fields, before the pipeline reports Stopped.
    const [record, ...others] = recordings();
    assert.ok(record);
    assert.equal(others.length, 0);
    assert.deepEqual(
      {
        'service-type': record['service-type'],
        'detail-type': record['detail-type'],
        mediaInsightsPipelineId: record.mediaInsightsPipelineId,
        s3MediaObjectConsoleUrl: record.s3MediaObjectConsoleUrl,
        recordingDurationSeconds: record.recordingDurationSeconds,
        location: record.location,
        sizeBytes: record.sizeBytes,
        sampleRate: record.sampleRate,
        channels: record.channels,
      },
      {
        'service-type': 'CallAnalytics',
        'detail-type': 'Recording',
        mediaInsightsPipelineId: pipeline.id,
        s3MediaObjectConsoleUrl: `http://callsight.test:8080/api/calls/call-recorded/recording.wav?pipelineId=${pipeline.id}`,
        recordingDurationSeconds: String(Math.round(seconds * 100) / 100),
        location: undefined,
        sizeBytes: statSync(path).size,
        sampleRate: 16_000,
        channels: 2,
      },
    );
    const metadata = JSON.parse(record.metadata) as Record<string, string>;
    assert.equal(metadata.callId, 'call-recorded');
    assert.equal(metadata.ticket, 'T-7', 'runtime metadata');
    assert.equal(
      metadata.startTime,
      '2025-03-14T15:09:26.040Z',
      'the first recorded sample, on the wall clock',
    );
    assert.equal(
      metadata.endTime,
      new Date(Date.parse('2025-03-14T15:09:26.040Z') + callSamples / RATE).toISOString(),
    );
    const oneTime = JSON.parse(metadata.oneTimeMetadata!) as { sipHeaders: string };
    assert.deepEqual(JSON.parse(oneTime.sipHeaders), { 'x-ticket': 'T-7' });
    const recordAt = log.findIndex((e) => e.kind === 'record' && e.record['detail-type'] === 'Recording');
    const stoppedAt = log.findIndex(
      (e) =>
        e.kind === 'event' &&
        (e.event.detail as { eventType?: string }).eventType === 'chime:MediaInsightsStopped',
    );
    assert.ok(recordAt < stoppedAt, 'the record comes before Stopped');
  });

  test('a pipeline that received no audio leaves no file and sends no record', async () => {
    const { pipeline, call, recordings } = recordingPipeline(store, 'call-silent');
    pipeline.start();
    await pipeline.stop();
    assert.equal(pipeline.status, 'Stopped');
    assert.deepEqual(recordings(), []);
    assert.ok(!existsSync(store.pathFor(call.callId, pipeline.id)));
    assert.ok(!existsSync(`${store.pathFor(call.callId, pipeline.id)}.part`));
  });

  test('a recording that cannot be written fails its element with an alert; the pipeline reports the failure', async () => {
    // The call's folder cannot be created: a file has its name.
    writeFileSync(join(store.dir, 'call-unwritable'), 'in the way');
    const { pipeline, eventTypes, log } = recordingPipeline(store, 'call-unwritable');
    pipeline.start();
    for (const frame of frames(customer.subarray(0, 16_000), 0, 0)) pipeline.write(frame);
    const deadline = Date.now() + 5000;
    while (pipeline.status !== 'Failed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(pipeline.status, 'Failed');
    const alert = log.find(
      (e) => e.kind === 'event' && e.event['detail-type'] === 'Callsight Pipeline Alert',
    );
    assert.ok(alert && alert.kind === 'event');
    assert.equal((alert.event.detail as { elementType: string }).elementType, 'S3RecordingSink');
    assert.match((alert.event.detail as { reason: string }).reason, /cannot create the recording file/);
    assert.ok(eventTypes().includes('chime:MediaInsightsPermanentFailure'));
    assert.deepEqual(pipeline.toJSON().ElementStatuses, [{ Type: 'S3RecordingSink', Status: 'Failed' }]);
    await pipeline.stop();
  });
});
