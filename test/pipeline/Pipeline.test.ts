import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventEnvelope } from '../../src/events/EventEnvelope.js';
import { PocketsphinxEngine } from '../../src/transcribe/pocketsphinx/PocketsphinxEngine.js';
import { SpeechEngines } from '../../src/transcribe/SpeechEngines.js';
import type { AppendKey } from '../../src/stream/StreamTypes.js';
import { testCall, testPipeline } from './support/testCall.js';
import { frames, readAudio16k } from '../transcribe/audio.js';

const DEMO = new URL('../fixtures/audio/demo-customer.wav', import.meta.url).pathname;
/** A pipeline of the default configuration on a real engine, recording what it emits and publishes. */
function pipelineFor(
  engine: PocketsphinxEngine,
  callId: string,
  runtimeMetadata: Record<string, string> = {},
) {
  const records: { record: Record<string, unknown>; key: AppendKey }[] = [];
  const events: EventEnvelope[] = [];
  const pipeline = testPipeline(
    testCall(callId),
    {
      MediaInsightsPipelineConfigurationName: 'test',
      MediaInsightsPipelineConfigurationArn: 'arn:callsight:test',
      Elements: [
        {
          Type: 'AmazonTranscribeProcessor',
          AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US' },
        },
        { Type: 'KinesisDataStreamSink', KinesisDataStreamSinkConfiguration: { InsightsTarget: 'x' } },
      ],
    },
    {
      engines: new SpeechEngines([engine]),
      append: (record, key) => records.push({ record: record as Record<string, unknown>, key }),
    },
    { runtimeMetadata, publish: (event) => events.push(event) },
  );
  const eventTypes = () =>
    events.map((e) => (e.detail as { eventType?: string }).eventType ?? e['detail-type']);
  const finals = () =>
    records
      .filter((r) => r.key.type === 'Transcribe')
      .map((r) => r.record.TranscriptEvent as { IsPartial: boolean; StartTime: number; EndTime: number })
      .filter((t) => !t.IsPartial);
  return { pipeline, records, events, eventTypes, finals };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Pipeline', () => {
  let engine: PocketsphinxEngine;
  let audio: Int16Array;

  before(async () => {
    engine = new PocketsphinxEngine({ workers: 2 });
    await engine.ready();
    audio = readAudio16k(DEMO);
  });
  after(() => engine.close());

  test('runs Initializing → InProgress → Paused → InProgress → Stopped, dropping the paused audio', async () => {
    const { pipeline, records, eventTypes, finals } = pipelineFor(engine, 'call-lifecycle', {
      TestData: 'abc',
    });
    assert.equal(pipeline.status, 'Initializing');
    pipeline.start();
    assert.equal(pipeline.status, 'InProgress');
    assert.equal(
      records[0]?.key.type,
      'CallAnalyticsMetadata',
      'the Transcribe processor announces the call first',
    );
    const all = [...frames(audio)];
    // Pause over the middle third of the call: nothing spoken then may be transcribed.
    const third = Math.floor(all.length / 3);
    for (const frame of all.slice(0, third)) pipeline.write(frame);
    await pipeline.pause();
    assert.equal(pipeline.status, 'Paused');
    const pausedFrom = all[third]!.offsetMs / 1000;
    const pausedTo = all[2 * third]!.offsetMs / 1000;
    for (const frame of all.slice(third, 2 * third)) pipeline.write(frame);
    await pipeline.resume();
    for (const frame of all.slice(2 * third)) pipeline.write(frame);
    await pipeline.stop();
    assert.equal(pipeline.status, 'Stopped');
    assert.deepEqual(eventTypes(), [
      'chime:MediaInsightsInProgress',
      'chime:MediaInsightsPaused',
      'chime:MediaInsightsInProgress',
      'chime:MediaInsightsStopped',
    ]);
    const results = finals();
    assert.ok(
      results.some((t) => t.EndTime <= pausedFrom),
      'results before the pause',
    );
    assert.ok(
      results.some((t) => t.StartTime >= pausedTo),
      'results after the pause, on the call clock',
    );
    for (const t of results) {
      assert.ok(
        t.EndTime <= pausedFrom + 0.05 || t.StartTime >= pausedTo - 0.05,
        `result ${t.StartTime}–${t.EndTime} inside the pause`,
      );
    }
    const metadata = JSON.parse(records.at(-1)!.record.metadata as string) as Record<string, string>;
    assert.equal(metadata.TestData, 'abc', 'runtime metadata in every record');
    assert.equal(metadata.callId, 'call-lifecycle');
  });

  test('refuses transitions its status does not allow, with CS_ERR_PIPELINE_STATE', async () => {
    const { pipeline } = pipelineFor(engine, 'call-conflict');
    pipeline.start();
    await assert.rejects(pipeline.resume(), { code: 'CS_ERR_PIPELINE_STATE' });
    await pipeline.pause();
    await assert.rejects(pipeline.pause(), { code: 'CS_ERR_PIPELINE_STATE' });
    await pipeline.stop();
    await assert.rejects(pipeline.resume(), { code: 'CS_ERR_PIPELINE_STATE' });
    await pipeline.stop();
  });

  test('a crashed speech worker fails its pipeline with an alert; the pipeline on the other worker goes on', async () => {
    const a = pipelineFor(engine, 'call-crashed');
    const b = pipelineFor(engine, 'call-survivor');
    a.pipeline.start();
    b.pipeline.start();
    const all = [...frames(audio)];
    const half = Math.floor(all.length / 2);
    for (const frame of all.slice(0, half)) {
      a.pipeline.write(frame);
      b.pipeline.write(frame);
    }
    // Let both workers work through the first half before one of them dies.
    await until(() => a.finals().length > 0 && b.finals().length > 0, 20_000, 'first finals');
    engine.crashWorkerForTesting(0);
    const alerted = () => [a, b].some((p) => p.eventTypes().includes('Callsight Pipeline Alert'));
    // The crash waits behind the audio already queued to the worker (seconds on a loaded machine).
    await until(alerted, 30_000, 'the alert of the crashed pipeline');
    for (const frame of all.slice(half)) {
      a.pipeline.write(frame);
      b.pipeline.write(frame);
    }
    await Promise.all([a.pipeline.stop(), b.pipeline.stop()]);
    const [crashed, survivor] = a.eventTypes().includes('Callsight Pipeline Alert') ? [a, b] : [b, a];
    assert.equal(crashed.pipeline.status, 'Failed');
    assert.ok(crashed.eventTypes().includes('chime:MediaInsightsPermanentFailure'));
    const alert = crashed.events.find((e) => e['detail-type'] === 'Callsight Pipeline Alert')!;
    assert.equal(alert.source, 'callsight');
    assert.equal((alert.detail as { elementType: string }).elementType, 'AmazonTranscribeProcessor');
    assert.equal(crashed.pipeline.toJSON().ElementStatuses[0]?.Status, 'Failed');
    assert.equal(survivor.pipeline.status, 'Stopped');
    assert.ok(
      survivor.finals().some((t) => t.StartTime >= all[half]!.offsetMs / 1000),
      'the survivor transcribed audio sent after the crash',
    );
  });
});
