import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { EventEnvelope } from '../../src/events/EventEnvelope.js';
import type { AppendKey } from '../../src/stream/StreamTypes.js';
import type { SpeechEngines } from '../../src/transcribe/SpeechEngines.js';
import { writesBareWords } from '../../src/transcribe/ReadableText.js';
import type { RecognitionResult } from '../../src/transcribe/SpeechEngineTypes.js';
import { wordErrorRate } from '../../src/transcribe/wer.js';
import { testCall, testPipeline, testStream } from '../pipeline/support/testCall.js';
import { frames, readAudio16k } from './audio.js';

/** An engine under test, with a pocketsphinx fallback named `fallback` in `engines`. */
export interface EngineUnderTest {
  readonly engines: SpeechEngines;
  /** The engine's name in `engines`. */
  readonly name: string;
  /** From now on the engine fails the streams it carries (its server answers errors, goes away, …). */
  readonly breakEngine: () => void | Promise<void>;
  /** Undoes breakEngine. */
  readonly repairEngine: () => void | Promise<void>;
  /** Most WER this engine may have on the demo customer call (what it measured, plus a margin). */
  readonly maxWer: number;
  readonly close: () => Promise<void>;
}

const FIXTURES = new URL('../fixtures/audio/', import.meta.url);
const GOFORWARD = '/usr/share/pocketsphinx/test/data/goforward.raw';
const RAW_16K = ['-t', 'raw', '-r', '16000', '-e', 'signed-integer', '-b', '16', '-c', '1'];
function demoCall(): { samples: Int16Array; reference: string } {
  const samples = readAudio16k(new URL('demo-customer.wav', FIXTURES).pathname);
  return { samples, reference: readFileSync(new URL('demo-customer.txt', FIXTURES), 'utf8') };
}

/** The record invariants every engine keeps, whatever its protocol. */
export function assertResultOrder(results: readonly RecognitionResult[]): void {
  const finalAt = new Map<string, number>();
  results.forEach((r, i) => {
    if (r.isPartial) return;
    assert.equal(finalAt.has(r.resultId), false, `one final per resultId (${r.resultId})`);
    finalAt.set(r.resultId, i);
  });
  let lastFinalStart = -Infinity;
  results.forEach((r, i) => {
    const at = finalAt.get(r.resultId);
    if (r.isPartial) {
      assert.ok(at === undefined || at > i, 'no partial after the final of its utterance');
      return;
    }
    assert.ok(r.startMs >= lastFinalStart, 'finals come in time order');
    lastFinalStart = r.startMs;
    assert.ok(r.endMs >= r.startMs);
    for (const w of r.words) {
      assert.ok(
        w.startMs >= r.startMs - 1 && w.endMs <= r.endMs + 1 && w.startMs <= w.endMs,
        `word "${w.word}" ${w.startMs}–${w.endMs} lies inside its utterance ${r.startMs}–${r.endMs}`,
      );
      assert.ok(w.confidence >= 0 && w.confidence <= 1);
    }
  });
}

/**
 * One suite for every speech engine (as DataStreamContract is for every stream): the same audio
 * gives the same record shapes, partials before their final, word times inside the utterance,
 * channels with their roles, and a mid-call failure that the fallback carries on from.
 */
export function speechEngineContract(label: string, setup: () => Promise<EngineUnderTest>): void {
  describe(`speech engine contract: ${label}`, () => {
    let under: EngineUnderTest;
    const { samples, reference } = demoCall();

    before(async () => {
      under = await setup();
    });
    after(() => under.close());

    test('transcribes real speech: finals in order, after their partials, word times inside the utterance', async () => {
      const stream = under.engines.get(under.name).openStream({
        channel: 1,
        role: 'AGENT',
        settings: { languageCode: 'en-US' },
      });
      const results: RecognitionResult[] = [];
      stream.on('result', (r) => results.push(r));
      // The channel's audio starts 5 s into the call: every time is from the call's start.
      for (const frame of frames(samples, 1, 5000)) stream.write(frame);
      await stream.end();
      const finals = results.filter((r) => !r.isPartial);
      assert.ok(finals.length >= 1, 'at least one final');
      for (const r of results) assert.equal(r.channel, 1);
      assert.ok(finals[0]!.startMs >= 5000 && finals.at(-1)!.endMs <= 5000 + samples.length / 16 + 1);
      assertResultOrder(results);
      const heard = finals.map((f) => f.transcript).join(' ');
      const wer = wordErrorRate(reference, heard);
      assert.ok(wer.wer <= under.maxWer, `WER ${(wer.wer * 100).toFixed(1)} % ("${heard}")`);
    });

    test('a pipeline choosing it by CallsightSpeechEngine writes Transcribe records per channel', async () => {
      const goforward = readAudio16k(GOFORWARD, RAW_16K);
      const records: { record: Record<string, unknown>; key: AppendKey }[] = [];
      const call = testCall(`contract-${label}-roles`, {
        streams: [testStream('c', 0), testStream('c', 1)],
      });
      const pipeline = testPipeline(
        call,
        configurationOn(under.name),
        { engines: under.engines, append: (record, key) => records.push({ record: record as never, key }) },
        { publish: () => undefined },
      );
      pipeline.start();
      for (const frame of frames(goforward, 0, 0)) pipeline.write(frame);
      for (const frame of frames(goforward, 1, 4000)) pipeline.write(frame);
      await pipeline.stop();
      assert.equal(pipeline.status, 'Stopped');
      const events = records
        .filter((r) => r.key.type === 'Transcribe')
        .map((r) => r.record.TranscriptEvent as TranscriptEvent);
      for (const channel of ['ch_0', 'ch_1']) {
        const finals = events.filter((e) => e.ChannelId === channel && !e.IsPartial);
        assert.ok(finals.length >= 1, `a final on ${channel}`);
        for (const e of finals) {
          assert.deepEqual(
            Object.keys(e).filter((k) => k !== 'LanguageCode'),
            ['ResultId', 'StartTime', 'EndTime', 'IsPartial', 'ChannelId', 'Alternatives'],
          );
          assert.ok(e.Alternatives[0].Transcript.length > 0);
          for (const item of e.Alternatives[0].Items) {
            assert.ok(item.StartTime >= e.StartTime - 0.001 && item.EndTime <= e.EndTime + 0.001);
          }
        }
      }
      // Engines of bare lower-case words are made readable ("go forward ten meters": Go forward 10 meters.).
      if (writesBareWords(under.engines.get(under.name).kind)) {
        const finals = events.filter((e) => !e.IsPartial);
        for (const e of finals) assert.match(e.Alternatives[0].Transcript, /^[A-Z0-9$].*[.?]$/);
        assert.ok(
          finals.some((e) => / 10 /.test(e.Alternatives[0].Transcript)),
          'ten as digits',
        );
      }
      const ch1 = events.filter((e) => e.ChannelId === 'ch_1' && !e.IsPartial);
      assert.ok(ch1[0]!.StartTime >= 4, 'ch_1 times follow its own audio');
    });

    test('fails over mid-call: a TemporaryFailure with the reason, then the fallback carries the call', async () => {
      const records: { record: Record<string, unknown>; key: AppendKey }[] = [];
      const events: EventEnvelope[] = [];
      const pipeline = testPipeline(
        testCall(`contract-${label}-fallback`),
        configurationOn(under.name),
        { engines: under.engines, append: (record, key) => records.push({ record: record as never, key }) },
        { publish: (event) => events.push(event) },
      );
      const transcripts = () =>
        records
          .filter((r) => r.key.type === 'Transcribe')
          .map((r) => r.record.TranscriptEvent as TranscriptEvent);
      const all = [...frames(samples, 0, 0)];
      const half = Math.floor(all.length / 2);
      pipeline.start();
      for (const frame of all.slice(0, half)) pipeline.write(frame);
      // Let the engine work on the first half (a Vosk-like server answers only as audio comes).
      const since = Date.now();
      await until(() => transcripts().length > 0 || Date.now() - since > 5_000, 60_000, 'the first half');
      await under.breakEngine();
      try {
        for (const frame of all.slice(half)) pipeline.write(frame);
        await pipeline.stop();
      } finally {
        await under.repairEngine();
      }
      const states = events
        .filter((e) => e['detail-type'] === 'Media Insights State Change')
        .map((e) => e.detail as { eventType: string; failureReason?: string });
      const failure = states.find((s) => s.eventType === 'chime:MediaInsightsTemporaryFailure');
      assert.ok(
        failure,
        `a TemporaryFailure state change (got ${states.map((s) => s.eventType).join(', ')})`,
      );
      assert.match(
        failure.failureReason ?? '',
        new RegExp(
          `AmazonTranscribeProcessor: speech engine ${under.name} failed on ch_0 .*continuing with fallback`,
        ),
      );
      assert.equal(states.at(-1)?.eventType, 'chime:MediaInsightsStopped');
      assert.equal(pipeline.status, 'Stopped');
      const finals = transcripts().filter((t) => !t.IsPartial);
      assert.ok(
        finals.some((t) => t.EndTime * 1000 > all[half]!.offsetMs),
        'the audio after the failure was transcribed',
      );
      const ids = finals.map((t) => t.ResultId);
      assert.equal(new Set(ids).size, ids.length, 'one final per utterance across the engines');
    });
  });
}

interface TranscriptEvent {
  ResultId: string;
  StartTime: number;
  EndTime: number;
  IsPartial: boolean;
  ChannelId: string;
  Alternatives: [{ Transcript: string; Items: { StartTime: number; EndTime: number }[] }];
}

function configurationOn(engine: string) {
  return {
    MediaInsightsPipelineConfigurationName: 'contract',
    MediaInsightsPipelineConfigurationArn: 'arn:callsight:contract',
    Elements: [
      {
        Type: 'AmazonTranscribeProcessor',
        AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US', CallsightSpeechEngine: engine },
      },
      { Type: 'KinesisDataStreamSink', KinesisDataStreamSinkConfiguration: { InsightsTarget: 'x' } },
    ],
  };
}

export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
