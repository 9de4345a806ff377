import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { EventEnvelope } from '../../src/events/EventEnvelope.js';
import { silentLogger } from '../../src/platform/logger.js';
import { blueprintFor } from '../../src/pipeline/ElementFactory.js';
import { PipelineManager, type PipelineBlueprint } from '../../src/pipeline/PipelineManager.js';
import type { PipelineDocument } from '../../src/pipeline/PipelineDocument.js';
import { RecordingStore } from '../../src/recording/RecordingStore.js';
import { PocketsphinxEngine } from '../../src/transcribe/pocketsphinx/PocketsphinxEngine.js';
import { SpeechEngines } from '../../src/transcribe/SpeechEngines.js';
import { frames, readAudio16k } from '../transcribe/audio.js';
import { origin, testCall } from './support/testCall.js';

// The garbage collector, to see what a stopped pipeline still holds on to.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const DEMO = new URL('../fixtures/audio/demo-customer.wav', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'callsight-pipeline-manager-'));

/** Whether every referent has been collected, after a few collections. */
async function collected(refs: readonly WeakRef<object>[]): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    // A WeakRef's target lives at least until the current job ends.
    await tick();
    gc();
    if (refs.every((r) => r.deref() === undefined)) return true;
  }
  return false;
}

describe('PipelineManager', () => {
  let engine: PocketsphinxEngine;
  let store: RecordingStore;
  let audio: Int16Array;

  before(async () => {
    engine = new PocketsphinxEngine({ workers: 1 });
    await engine.ready();
    store = await RecordingStore.open({
      dir: join(root, 'recordings'),
      retentionDays: 30,
      s3: null,
      logger: silentLogger,
    });
    audio = readAudio16k(DEMO);
  });
  after(async () => {
    await engine.close();
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('a stopped pipeline keeps only its description: its processors and sinks are let go, its listing is unchanged', async () => {
    const real = blueprintFor(
      {
        MediaInsightsPipelineConfigurationName: 'transcribe-and-record',
        MediaInsightsPipelineConfigurationArn: 'arn:callsight:test:transcribe-and-record',
        Elements: [
          {
            Type: 'AmazonTranscribeProcessor',
            AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US' },
          },
          {
            Type: 'S3RecordingSink',
            S3RecordingSinkConfiguration: { Destination: 'arn:aws:s3:::b', RecordingFileFormat: 'Wav' },
          },
          { Type: 'KinesisDataStreamSink', KinesisDataStreamSinkConfiguration: { InsightsTarget: 'x' } },
        ],
      },
      {
        engines: new SpeechEngines([engine]),
        append: () => undefined,
        deadLetter: () => assert.fail('no webhook in this configuration'),
        origin,
        logger: silentLogger,
        recordings: { storage: store, urlFor: (c, p) => `http://callsight.test/${c}/${p}` },
      },
    );
    // The real elements, watched: a WeakRef does not keep them alive.
    const elements: WeakRef<object>[] = [];
    const blueprint: PipelineBlueprint = {
      ...real,
      build: (context, fail, recovered) => {
        const parts = real.build(context, fail, recovered);
        for (const part of [...parts.processors, ...parts.sinks]) elements.push(new WeakRef(part));
        return parts;
      },
    };
    const events: EventEnvelope[] = [];
    let atStop: PipelineDocument | undefined;
    const manager = new PipelineManager({
      resolve: () => Promise.resolve(blueprint),
      origin,
      publish: (event) => events.push(event),
      logger: silentLogger,
      // The description as the Stopped event is published, while the elements are still held.
      stateChanged: (pipeline) => {
        if (pipeline.status === 'Stopped') atStop = pipeline.toJSON();
      },
    });

    const call = testCall('call-stopped');
    const pipeline = await manager.start(call, 'transcribe-and-record');
    for (const frame of frames(audio.subarray(0, 16_000 * 4))) manager.write(call.callId, frame);
    assert.equal(elements.length, 3, 'two processors and a sink built');
    assert.equal(await collected(elements), false, 'a running pipeline holds its elements');

    await manager.callEnded(call.callId);
    assert.equal(pipeline.status, 'Stopped');
    assert.ok(
      await collected(elements),
      'the stopped pipeline, still listed, no longer holds its processors or sinks',
    );

    // GET and the listing answer as they did when it stopped.
    assert.ok(atStop);
    assert.deepEqual(manager.get(pipeline.id).toJSON(), atStop);
    assert.deepEqual(
      manager.list().map((p) => p.toJSON()),
      [atStop],
    );
    assert.deepEqual(
      atStop.ElementStatuses.map((e) => [e.Type, e.Status]),
      [
        ['AmazonTranscribeProcessor', 'Stopped'],
        ['S3RecordingSink', 'Stopped'],
      ],
    );
    assert.deepEqual(
      pipeline.elementStatuses().map((e) => e.status),
      ['Stopped', 'Stopped'],
    );
    // Lifecycle calls on it are refused as before.
    await assert.rejects(pipeline.pause(), { code: 'CS_ERR_PIPELINE_STATE' });
    await manager.close();
  });
});
