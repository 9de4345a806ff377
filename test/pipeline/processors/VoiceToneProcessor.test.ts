import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventEnvelope } from '../../../src/events/EventEnvelope.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { defaultChannels } from '../../../src/pipeline/PipelineManager.js';
import type { SharedUtterance } from '../../../src/pipeline/PipelineTypes.js';
import {
  VoiceToneProcessor,
  type VoiceFeatureSource,
} from '../../../src/pipeline/processors/VoiceToneProcessor.js';
import {
  SPEAKER_SEARCH_UNAVAILABLE,
  voiceToneTaskId,
} from '../../../src/pipeline/records/VoiceAnalyticsEvents.js';
import { VoiceToneEngine } from '../../../src/analytics/voice/VoiceToneEngine.js';
import type { AcousticWindow, VoiceFeatureStream } from '../../../src/analytics/voice/VoiceToneTypes.js';
import { origin, testCall, testPipeline } from '../support/testCall.js';
import { frames } from '../../transcribe/audio.js';
import { clipAudio, clips, joinAudio } from '../../analytics/voice/voiceToneSet.js';

function call(callId: string) {
  return testCall(callId, { startedAt: new Date('2024-06-11T10:00:00.000Z') });
}

interface ToneDetail {
  taskId: string;
  detailStatus: string;
  statusMessage?: string;
  isCaller: boolean;
  transactionId: string;
  voiceConnectorId: string;
  callId: string;
  mediaInsightsPipelineId: string;
  sourceArn: string;
  streamArn: string;
  channelId: number;
  participantRole?: string;
  voiceToneAnalysisDetails?: {
    currentAverageVoiceTone: ToneAverage;
    overallAverageVoiceTone: ToneAverage;
  };
}
interface ToneAverage {
  startTime: string;
  endTime: string;
  voiceToneLabel: string;
  voiceToneScore: { positive: number; negative: number; neutral: number };
  beginOffsetMillis: number;
  endOffsetMillis: number;
}

/** A pipeline with only a VoiceAnalyticsProcessor (and the data stream), recording what it publishes. */
function voicePipeline(engine: VoiceToneEngine, callId: string, settings: Record<string, string>) {
  const events: EventEnvelope[] = [];
  const pipeline = testPipeline(
    call(callId),
    {
      MediaInsightsPipelineConfigurationName: 'voice',
      MediaInsightsPipelineConfigurationArn: 'arn:callsight:voice',
      Elements: [
        { Type: 'VoiceAnalyticsProcessor', VoiceAnalyticsProcessorConfiguration: settings },
        { Type: 'KinesisDataStreamSink', KinesisDataStreamSinkConfiguration: { InsightsTarget: 'x' } },
      ],
    },
    { engines: null, append: () => undefined, voiceTone: engine },
    { publish: (event) => events.push(event) },
  );
  const tones = () =>
    events
      .filter((e) => e['detail-type'] === 'VoiceToneAnalysisStatus')
      .map((e) => e.detail as unknown as ToneDetail);
  return { pipeline, events, tones };
}

/** One speaker: four neutral sentences, then the six agitated ones twice (about 20 s). */
function neutralThenAgitated(voice: string): Int16Array {
  const all = clips().filter((c) => c.voice === voice);
  const neutral = all.filter((c) => c.style === 'neutral').slice(0, 4);
  const agitated = all.filter((c) => c.style === 'agitated');
  return joinAudio([...neutral, ...agitated, ...agitated].map(clipAudio), 400);
}

function assertShape(event: EventEnvelope, callId: string): void {
  const e = event as EventEnvelope & { 'service-type'?: string };
  assert.equal(e.version, '0');
  assert.equal(e['service-type'], 'VoiceAnalytics');
  assert.equal(e.source, 'aws.chime');
  assert.equal(e.account, origin.account);
  assert.equal(e.region, origin.region);
  assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const d = e.detail as unknown as ToneDetail;
  assert.match(d.taskId, /^[0-9a-f-]{36}$/);
  assert.equal(d.isCaller, true);
  assert.equal(d.callId, callId);
  assert.equal(d.transactionId, `${callId}-tx`);
  assert.equal(d.voiceConnectorId, 'vc-test');
  assert.match(d.sourceArn, /^arn:callsight:chime:local:000000000000:media-pipeline\//);
  assert.ok(d.sourceArn.endsWith(d.mediaInsightsPipelineId));
  assert.equal(d.streamArn, `arn:${callId}:0`);
  assert.equal(d.channelId, 0);
  assert.equal(d.participantRole, 'CUSTOMER');
}

function assertAverage(average: ToneAverage, startedAt: Date): void {
  const { positive, negative, neutral } = average.voiceToneScore;
  for (const p of [positive, negative, neutral]) assert.ok(p >= 0 && p <= 1, `score ${p}`);
  assert.ok(
    Math.abs(positive + negative + neutral - 1) < 1e-9,
    `scores sum to ${positive + negative + neutral}`,
  );
  assert.ok(['positive', 'negative', 'neutral'].includes(average.voiceToneLabel));
  const top = Math.max(positive, negative, neutral);
  assert.equal(
    average.voiceToneScore[average.voiceToneLabel as 'positive'],
    top,
    'the label is the largest score',
  );
  assert.equal(Date.parse(average.startTime) - startedAt.getTime(), average.beginOffsetMillis);
  assert.equal(Date.parse(average.endTime) - startedAt.getTime(), average.endOffsetMillis);
  assert.ok(average.endOffsetMillis > average.beginOffsetMillis);
}

describe('VoiceToneProcessor through a real pipeline and worker pool', () => {
  let engine: VoiceToneEngine;

  before(async () => {
    engine = new VoiceToneEngine({ workers: 2 });
    await engine.ready();
  });
  after(() => engine.close());

  test('publishes VoiceToneAnalysisStatus every 5 s of speech in Chime’s shape, then VoiceToneAnalysisCompleted', async () => {
    const { pipeline, events, tones } = voicePipeline(engine, 'call-tone', {
      VoiceToneAnalysisStatus: 'Enabled',
    });
    const audio = neutralThenAgitated('slt');
    pipeline.start();
    // The Voice API's view: AnalyticsReady first, then one task for the call, already running.
    const ready = events[0] as EventEnvelope & { 'service-type'?: string };
    assert.equal(ready['detail-type'], 'VoiceAnalyticsStatus');
    assert.equal(ready['service-type'], 'VoiceAnalytics');
    assert.deepEqual(ready.detail, {
      detailStatus: 'AnalyticsReady',
      callId: 'call-tone',
      transactionId: 'call-tone-tx',
      voiceConnectorId: 'vc-test',
      isCaller: true,
    });
    const task = pipeline.voiceToneTask!;
    assert.equal(task.state().taskId, voiceToneTaskId(pipeline.id));
    // The test call has the caller's stream only.
    assert.deepEqual(
      [task.state().caller, task.state().callee],
      [
        { status: 'IN_PROGRESS' },
        { status: 'IN_QUEUE', statusMessage: "waiting for the other party's stream" },
      ],
    );
    for (const frame of frames(audio)) pipeline.write(frame);
    await pipeline.stop();
    assert.equal(pipeline.status, 'Stopped');
    // The caller's leg spoke: SUCCEEDED; the other leg never came: FAILED, saying so.
    assert.equal(task.state().caller.status, 'SUCCEEDED');
    assert.deepEqual(task.state().callee, {
      status: 'FAILED',
      statusMessage: "the pipeline had no channel for the other party's stream",
    });

    const all = tones();
    const successful = all.filter((d) => d.detailStatus === 'VoiceToneAnalysisSuccessful');
    const seconds = audio.length / 16000;
    // One update per 5 s window with speech (the last window may be short).
    assert.ok(
      successful.length >= Math.floor(seconds / 5),
      `${successful.length} updates for ${seconds.toFixed(1)} s`,
    );
    assert.ok(successful.length <= Math.ceil(seconds / 5));
    assert.equal(all.at(-1)?.detailStatus, 'VoiceToneAnalysisCompleted');
    assert.equal(all.filter((d) => d.detailStatus === 'VoiceToneAnalysisCompleted').length, 1);
    assert.deepEqual(
      [...new Set(all.map((d) => d.taskId))],
      [voiceToneTaskId(pipeline.id)],
      'the call’s task',
    );
    for (const event of events.filter((e) => e['detail-type'] === 'VoiceToneAnalysisStatus'))
      assertShape(event, 'call-tone');

    const ends = successful.map((d) => d.voiceToneAnalysisDetails!.currentAverageVoiceTone.endOffsetMillis);
    ends
      .slice(1)
      .forEach((end, i) => assert.ok(Math.abs(end - ends[i]! - 5000) <= 20, `cadence ${end - ends[i]!} ms`));
    for (const d of all) {
      assert.ok(d.voiceToneAnalysisDetails, d.detailStatus);
      assertAverage(d.voiceToneAnalysisDetails.currentAverageVoiceTone, call('x').startedAt);
      assertAverage(d.voiceToneAnalysisDetails.overallAverageVoiceTone, call('x').startedAt);
      assert.equal(d.voiceToneAnalysisDetails.overallAverageVoiceTone.beginOffsetMillis, 0);
    }
    // The speaker starts neutral (their baseline) and becomes agitated.
    const first = successful[0]!.voiceToneAnalysisDetails!.currentAverageVoiceTone;
    const last = successful.at(-1)!.voiceToneAnalysisDetails!.currentAverageVoiceTone;
    assert.equal(first.voiceToneLabel, 'neutral');
    assert.equal(last.voiceToneLabel, 'negative');
    assert.ok(last.voiceToneScore.negative > first.voiceToneScore.negative + 0.3);
  });

  test('no tone window spans a pause, and the paused audio is not analysed', async () => {
    const { pipeline, tones } = voicePipeline(engine, 'call-pause', { VoiceToneAnalysisStatus: 'Enabled' });
    const all = [...frames(neutralThenAgitated('awb'))];
    const third = Math.floor(all.length / 3);
    pipeline.start();
    for (const frame of all.slice(0, third)) pipeline.write(frame);
    await pipeline.pause();
    const pausedFrom = all[third]!.offsetMs;
    const pausedTo = all[2 * third]!.offsetMs;
    for (const frame of all.slice(third, 2 * third)) pipeline.write(frame);
    await pipeline.resume();
    for (const frame of all.slice(2 * third)) pipeline.write(frame);
    await pipeline.stop();
    const successful = tones().filter((d) => d.detailStatus === 'VoiceToneAnalysisSuccessful');
    const ends = successful.map((d) => d.voiceToneAnalysisDetails!.currentAverageVoiceTone.endOffsetMillis);
    assert.ok(
      ends.some((end) => end <= pausedFrom + 20),
      'windows before the pause',
    );
    assert.ok(
      ends.some((end) => end > pausedTo),
      'windows after the pause, on the call clock',
    );
    for (const end of ends)
      assert.ok(end <= pausedFrom + 20 || end > pausedTo + 1000, `window ending at ${end} inside the pause`);
    // The pause ends the window in progress: an update ends where the pause began.
    assert.ok(
      ends.some((end) => Math.abs(end - pausedFrom) <= 20),
      'the window open at the pause is reported',
    );
  });

  test('StopVoiceToneAnalysisTask ends the analysis: no event after it, none at the end, the task STOPPED', async () => {
    const { pipeline, tones } = voicePipeline(engine, 'call-stop', { VoiceToneAnalysisStatus: 'Enabled' });
    const all = [...frames(neutralThenAgitated('rms'))];
    const half = Math.floor(all.length / 2);
    pipeline.start();
    for (const frame of all.slice(0, half)) pipeline.write(frame);
    // The workers score windows as they come: wait for the first update before stopping.
    for (let waited = 0; tones().length === 0 && waited < 10_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const task = pipeline.voiceToneTask!;
    await task.stop();
    const atStop = tones().length;
    assert.ok(atStop > 0, 'updates before the stop');
    for (const frame of all.slice(half)) pipeline.write(frame);
    await pipeline.stop();
    assert.equal(tones().length, atStop, 'nothing after the stop, no Completed');
    assert.deepEqual(
      [task.state().caller, task.state().callee],
      [{ status: 'STOPPED' }, { status: 'STOPPED' }],
    );
    await task.stop(); // idempotent
  });

  test('speaker search: one SpeakerSearchStatus IdentificationFailure per call saying it is not available', async () => {
    const { pipeline, events } = voicePipeline(engine, 'call-search', {
      SpeakerSearchStatus: 'Enabled',
      VoiceToneAnalysisStatus: 'Disabled',
    });
    pipeline.start();
    for (const frame of frames(neutralThenAgitated('kal').subarray(0, 16000 * 6))) pipeline.write(frame);
    await pipeline.stop();
    const search = events.filter((e) => e['detail-type'] === 'SpeakerSearchStatus');
    assert.equal(search.length, 1);
    assertShape(search[0]!, 'call-search');
    assert.equal(pipeline.voiceToneTask, null, 'no voice tone task without voice tone');
    const detail = search[0]!.detail as unknown as ToneDetail;
    assert.equal(detail.detailStatus, 'IdentificationFailure');
    assert.equal(detail.statusMessage, SPEAKER_SEARCH_UNAVAILABLE);
    assert.equal(
      events.filter((e) => e['detail-type'] === 'VoiceToneAnalysisStatus').length,
      0,
      'voice tone disabled',
    );
  });

  test('a channel without speech for its first 10 s gets one VoiceToneAnalysisFailure', async () => {
    const { pipeline, tones } = voicePipeline(engine, 'call-silent', { VoiceToneAnalysisStatus: 'Enabled' });
    pipeline.start();
    // 14 s of faint line noise.
    const noise = new Int16Array(16000 * 14).map(() => Math.round((Math.random() - 0.5) * 40));
    for (const frame of frames(noise)) pipeline.write(frame);
    await pipeline.stop();
    const all = tones();
    assert.deepEqual(
      all.map((d) => d.detailStatus),
      ['VoiceToneAnalysisFailure'],
    );
    assert.match(all[0]!.statusMessage!, /^no speech in the first 10 seconds of audio on channel 0/);
    assert.equal(all[0]!.voiceToneAnalysisDetails, undefined);
  });

  test('a crashed worker fails its processor (and pipeline) with an alert; the pipeline on the other worker goes on', async () => {
    const a = voicePipeline(engine, 'call-crashed', { VoiceToneAnalysisStatus: 'Enabled' });
    const b = voicePipeline(engine, 'call-survivor', { VoiceToneAnalysisStatus: 'Enabled' });
    const all = [...frames(neutralThenAgitated('rms'))];
    const half = Math.floor(all.length / 2);
    a.pipeline.start();
    b.pipeline.start();
    for (const frame of all.slice(0, half)) {
      a.pipeline.write(frame);
      b.pipeline.write(frame);
    }
    assert.deepEqual(engine.workerLoad(), [1, 1], 'one stream per worker');
    engine.crashWorkerForTesting(0);
    const deadline = Date.now() + 10_000;
    while (a.pipeline.status !== 'Failed') {
      assert.ok(Date.now() < deadline, 'the crashed pipeline fails');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const alert = a.events.find((e) => e['detail-type'] === 'Callsight Pipeline Alert');
    assert.ok(alert, 'a pipeline alert is raised');
    assert.equal((alert.detail as { elementType?: string }).elementType, 'VoiceAnalyticsProcessor');
    assert.match((alert.detail as { reason?: string }).reason ?? '', /voice tone worker 0 died/);
    assert.deepEqual(
      a.pipeline.elementStatuses().map((s) => s.status),
      ['Failed'],
    );

    for (const frame of all.slice(half)) {
      a.pipeline.write(frame);
      b.pipeline.write(frame);
    }
    await Promise.all([a.pipeline.stop(), b.pipeline.stop()]);
    assert.equal(a.pipeline.status, 'Failed');
    assert.equal(b.pipeline.status, 'Stopped');
    assert.equal(b.tones().at(-1)?.detailStatus, 'VoiceToneAnalysisCompleted');
    assert.ok(b.tones().filter((d) => d.detailStatus === 'VoiceToneAnalysisSuccessful').length >= 3);

    // The dead worker was replaced: a new call is analysed.
    const c = voicePipeline(engine, 'call-after', { VoiceToneAnalysisStatus: 'Enabled' });
    c.pipeline.start();
    for (const frame of all.slice(0, half)) c.pipeline.write(frame);
    await c.pipeline.stop();
    assert.equal(c.pipeline.status, 'Stopped');
    assert.equal(c.tones().at(-1)?.detailStatus, 'VoiceToneAnalysisCompleted');
  });
});

/** Feature windows handed in by the test instead of a worker. */
class ScriptedFeatures implements VoiceFeatureSource {
  readonly streams: ScriptedStream[] = [];
  openStream(): VoiceFeatureStream {
    const stream = new ScriptedStream();
    this.streams.push(stream);
    return stream;
  }
}

class ScriptedStream implements VoiceFeatureStream {
  #window: ((window: AcousticWindow) => void) | null = null;
  write(): void {}
  flush(): Promise<void> {
    return Promise.resolve();
  }
  end() {
    return Promise.resolve({ busyMs: 0, audioMs: 0 });
  }
  on(
    event: 'window' | 'error',
    listener: ((window: AcousticWindow) => void) | ((error: Error) => void),
  ): this {
    if (event === 'window') this.#window = listener as (window: AcousticWindow) => void;
    return this;
  }
  emit(window: AcousticWindow): void {
    this.#window?.(window);
  }
}

function speechWindow(beginMs: number): AcousticWindow {
  return {
    beginMs,
    endMs: beginMs + 5000,
    speechMs: 3500,
    voicedMs: 2000,
    pitchSt: 5,
    pitchRangeSt: 3,
    levelDb: -22,
    levelSpreadDb: 5,
    onsetRate: 4,
    pauseRatio: 0,
  };
}

describe('VoiceToneProcessor and the words', () => {
  function processor(holdMs: number) {
    const events: EventEnvelope[] = [];
    const listeners: ((u: SharedUtterance) => void)[] = [];
    const features = new ScriptedFeatures();
    const theCall = call('call-words');
    const p = new VoiceToneProcessor(
      { features, voiceTone: true, speakerSearch: false, origin, expectUtterances: true, holdMs },
      {
        pipelineId: 'p1',
        pipelineArn: 'arn:callsight:chime:local:000000000000:media-pipeline/p1',
        call: theCall,
        channels: defaultChannels(theCall),
        metadata: {},
        logger: silentLogger,
        emit: () => undefined,
        publish: (event) => events.push(event),
        shareUtterance: (u) => listeners.forEach((l) => l(u)),
        onUtterance: (l) => void listeners.push(l),
      },
      (error) => assert.fail(error),
    );
    const share = (u: SharedUtterance) => listeners.forEach((l) => l(u));
    const tones = () =>
      events
        .filter((e) => e['detail-type'] === 'VoiceToneAnalysisStatus')
        .map((e) => e.detail as unknown as ToneDetail);
    return { p, features, share, tones };
  }

  test('a window waits for the words spoken in it, and negative words make the tone negative', async () => {
    const { p, features, share, tones } = processor(60_000);
    p.start();
    p.write({ channel: 0, samples: new Int16Array(320), offsetMs: 0, concealed: false });
    const stream = features.streams[0]!;
    stream.emit(speechWindow(0));
    assert.equal(tones().length, 0, 'held until its words are final');
    share({
      channelId: 0,
      participantRole: 'CUSTOMER',
      beginMs: 300,
      endMs: 5200,
      wordCount: 12,
      sentiment: 'NEGATIVE',
      sentimentScore: -0.9,
    });
    assert.equal(tones().length, 1);
    const tone = tones()[0]!.voiceToneAnalysisDetails!.currentAverageVoiceTone;
    assert.equal(tone.voiceToneLabel, 'negative');
    // The next window's words are already known when it arrives (no wait).
    share({
      channelId: 0,
      participantRole: 'CUSTOMER',
      beginMs: 5300,
      endMs: 10_400,
      wordCount: 12,
      sentiment: 'POSITIVE',
      sentimentScore: 0.9,
    });
    stream.emit(speechWindow(5000));
    assert.equal(tones().length, 2);
    assert.equal(
      tones()[1]!.voiceToneAnalysisDetails!.currentAverageVoiceTone.voiceToneScore.negative <
        tone.voiceToneScore.negative,
      true,
    );
    await p.stop();
    assert.equal(tones().at(-1)!.detailStatus, 'VoiceToneAnalysisCompleted');
  });

  test('a window whose words never come is scored after the hold time, from the voice alone', async () => {
    const { p, features, tones } = processor(50);
    p.start();
    p.write({ channel: 0, samples: new Int16Array(320), offsetMs: 0, concealed: false });
    features.streams[0]!.emit(speechWindow(0));
    assert.equal(tones().length, 0);
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(tones().length, 1);
    assert.equal(tones()[0]!.voiceToneAnalysisDetails!.currentAverageVoiceTone.voiceToneLabel, 'neutral');
    await p.stop();
  });
});
