import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readWav } from '../../src/media/wav/WavFile.js';
import { authFetch, placeCall, startCallsight, type RunningCallsight } from '../helpers/callsight.js';
import { STREAM_SINK_ELEMENT, writeConfigFile } from '../helpers/configFile.js';
import { RecordCollector, callIdOf, detailOf, type StreamFrame } from '../helpers/wsRecords.js';

const WAV = new URL('../fixtures/audio/demo-customer.wav', import.meta.url).pathname;
/** Words the customer says ("… my phone bill …", "… my internet keeps dropping …"). */
const WORDS = ['phone', 'bill', 'internet'];
const SPOKEN = /\b(phone|bill|internet)\b/i;

const transcribe = (filter: string) => ({
  Type: 'AmazonTranscribeProcessor',
  AmazonTranscribeProcessorConfiguration: {
    LanguageCode: 'en-US',
    VocabularyFilterName: filter,
    VocabularyFilterMethod: 'mask',
  },
});

function configFile(): string {
  return writeConfigFile(
    {
      configurations: [
        {
          MediaInsightsPipelineConfigurationName: 'filtered',
          Elements: [transcribe('secret'), STREAM_SINK_ELEMENT],
        },
      ],
      pipeline: { defaultConfiguration: 'filtered' },
    },
    { prefix: 'callsight-vocabulary-filters-' },
  );
}

const transcriptEvent = (f: StreamFrame) =>
  f.TranscriptEvent as {
    IsPartial: boolean;
    Alternatives: { Transcript: string; Items: { Content: string; VocabularyFilterMatch: boolean }[] }[];
  };

describe('a filter created through the API masks the words of the next call', () => {
  let callsight: RunningCallsight;
  let base: string;
  let frames: StreamFrame[];

  before(async () => {
    callsight = await startCallsight({ env: { CALLSIGHT_CONFIG: configFile() } });
    base = `http://127.0.0.1:${callsight.httpPort}`;
    // Created after the configuration that names it: the process's filter cache reloads on the write.
    const created = await authFetch(`${base}/api/vocabulary-filters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ VocabularyFilterName: 'secret', LanguageCode: 'en-US', Words: WORDS }),
    });
    assert.equal(created.status, 201);
    const live = new RecordCollector(base);
    await live.opened;
    await placeCall(callsight.sipPort, readWav(WAV).samples);
    const ended = await live.waitFor((f) => detailOf(f).streamingStatus === 'ENDED', 15_000, 'ENDED');
    const callId = callIdOf(ended)!;
    await live.waitFor(
      (f) => detailOf(f).eventType === 'chime:MediaInsightsStopped' && callIdOf(f) === callId,
      30_000,
      'the pipeline to stop',
    );
    frames = live.frames.filter((f) => f['detail-type'] === 'Transcribe' && callIdOf(f) === callId);
    live.close();
  });

  after(async () => {
    const code = await callsight?.stop();
    assert.equal(code, 0, callsight?.stderr());
  });

  test('no partial or final holds a filtered word; the masked items are marked', () => {
    const events = frames.map(transcriptEvent);
    assert.ok(
      events.some((e) => e.IsPartial) && events.some((e) => !e.IsPartial),
      `${events.length} results`,
    );
    for (const { Alternatives } of events) {
      assert.doesNotMatch(Alternatives[0]!.Transcript, SPOKEN);
      for (const item of Alternatives[0]!.Items)
        assert.equal(item.VocabularyFilterMatch, item.Content === '***', `item ${item.Content}`);
    }
    const finals = events.filter((e) => !e.IsPartial).map((e) => e.Alternatives[0]!.Transcript);
    assert.ok(
      finals.some((t) => t.includes('***')),
      `finals: ${finals.join(' | ')}`,
    );
  });

  test('a configuration naming a filter that does not exist is accepted with a warning; one that exists, without', async () => {
    const create = async (name: string, filter: string) => {
      const res = await authFetch(`${base}/api/configurations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          MediaInsightsPipelineConfigurationName: name,
          Elements: [transcribe(filter), STREAM_SINK_ELEMENT],
        }),
      });
      assert.equal(res.status, 201);
      return ((await res.json()) as { Warnings?: { path: string; message: string }[] }).Warnings ?? [];
    };
    assert.deepEqual(await create('known-filter', 'secret'), []);
    assert.deepEqual(
      (await create('unknown-filter', 'nope')).map((w) => w.path),
      ['Elements[0].AmazonTranscribeProcessorConfiguration.VocabularyFilterName'],
    );
  });
});
