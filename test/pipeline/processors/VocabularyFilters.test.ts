import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PocketsphinxEngine } from '../../../src/transcribe/pocketsphinx/PocketsphinxEngine.js';
import { SpeechEngines } from '../../../src/transcribe/SpeechEngines.js';
import type { TranscribeRecord } from '../../../src/pipeline/records/TranscribeRecord.js';
import type { VocabularyFilterList } from '../../../src/transcribe/SpeechEngineTypes.js';
import { testCall, testPipeline } from '../support/testCall.js';
import { frames, readAudio16k } from '../../transcribe/audio.js';

const DEMO = new URL('../../fixtures/audio/demo-customer.wav', import.meta.url).pathname;
/** Words the customer says ("… my phone bill …", "… my bank account …", "… my internet keeps dropping …"). */
const SECRET: VocabularyFilterList = {
  VocabularyFilterName: 'secret',
  LanguageCode: 'en-US',
  Words: ['phone', 'account', 'internet'],
};
const SPOKEN = /\b(phone|account|internet)\b/i;

describe('vocabulary filters in a pipeline (pocketsphinx, real audio)', () => {
  let engine: PocketsphinxEngine;

  before(async () => {
    engine = new PocketsphinxEngine({ workers: 1 });
    await engine.ready();
  });
  after(() => engine.close());

  test('a filtered word the customer says is masked in every partial and final, its items marked', async () => {
    const records: TranscribeRecord[] = [];
    const pipeline = testPipeline(
      testCall('call-filtered'),
      {
        MediaInsightsPipelineConfigurationName: 'filtered',
        MediaInsightsPipelineConfigurationArn: 'arn:callsight:filtered',
        Elements: [
          {
            Type: 'AmazonTranscribeProcessor',
            AmazonTranscribeProcessorConfiguration: {
              LanguageCode: 'en-US',
              VocabularyFilterName: 'secret',
              VocabularyFilterMethod: 'mask',
            },
          },
          { Type: 'KinesisDataStreamSink', KinesisDataStreamSinkConfiguration: { InsightsTarget: 'x' } },
        ],
      },
      {
        engines: new SpeechEngines([engine]),
        vocabularyFilter: (name) => (name === 'secret' ? SECRET : undefined),
        append: (record, key) => {
          if (key.type === 'Transcribe') records.push(record as TranscribeRecord);
        },
      },
      { publish: () => undefined },
    );
    pipeline.start();
    for (const frame of frames(readAudio16k(DEMO))) pipeline.write(frame);
    await pipeline.stop();

    const events = records.map((r) => r.TranscriptEvent);
    const finals = events.filter((e) => !e.IsPartial);
    const partials = events.filter((e) => e.IsPartial);
    assert.ok(
      finals.length > 0 && partials.length > 0,
      `${finals.length} finals, ${partials.length} partials`,
    );
    for (const event of events) {
      const [alternative] = event.Alternatives;
      assert.doesNotMatch(
        alternative.Transcript,
        SPOKEN,
        `${event.IsPartial ? 'partial' : 'final'} ${event.ResultId}`,
      );
      for (const item of alternative.Items) {
        assert.doesNotMatch(item.Content, SPOKEN);
        assert.equal(item.VocabularyFilterMatch, item.Content === '***', `item ${item.Content}`);
      }
    }
    const masked = (list: typeof events) => list.filter((e) => e.Alternatives[0].Transcript.includes('***'));
    assert.ok(
      masked(finals).length > 0,
      `a final masks a word: ${finals.map((e) => e.Alternatives[0].Transcript).join(' | ')}`,
    );
    assert.ok(masked(partials).length > 0, 'a partial masks a word');
    assert.ok(
      finals.some((e) => e.Alternatives[0].Items.some((i) => i.VocabularyFilterMatch)),
      'the masked items of a final are marked VocabularyFilterMatch',
    );
  });
});
