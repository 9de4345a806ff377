import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { AnalyticsPool } from '../../../src/analytics/worker/AnalyticsPool.js';
import { SqlitePostCallStore } from '../../../src/calls/SqlitePostCallStore.js';
import type { MediaInsightsPipelineConfigurationElement } from '../../../src/configurations/ConfigurationTypes.js';
import type { ElementFactoryDeps } from '../../../src/pipeline/ElementFactory.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { PocketsphinxEngine } from '../../../src/transcribe/pocketsphinx/PocketsphinxEngine.js';
import { SpeechEngines } from '../../../src/transcribe/SpeechEngines.js';
import type { TranscribeRecord } from '../../../src/pipeline/records/TranscribeRecord.js';
import type { VocabularyFilterList } from '../../../src/transcribe/SpeechEngineTypes.js';
import { testCall, testPipeline } from '../support/testCall.js';
import { frames, readAudio16k } from '../../transcribe/audio.js';
import { tempDir } from '../../gateway/wsHarness.js';

const DEMO = new URL('../../fixtures/audio/demo-customer.wav', import.meta.url).pathname;
/** Words the customer says ("… my phone bill …", "… my internet keeps dropping …"). */
const SECRET: VocabularyFilterList = {
  VocabularyFilterName: 'secret',
  LanguageCode: 'en-US',
  Words: ['phone', 'bill', 'internet'],
};
const SPOKEN = /\b(phone|bill|internet)\b/i;

describe('vocabulary filters in a pipeline (pocketsphinx, real audio)', () => {
  const tmp = tempDir('callsight-vocabulary-filters-');
  after(() => tmp.cleanup());

  /** The demo customer's audio through a pipeline of `element`; the records it appended, by type. */
  async function run(
    callId: string,
    element: MediaInsightsPipelineConfigurationElement,
    deps: Partial<ElementFactoryDeps> = {},
  ): Promise<Map<string, Record<string, unknown>[]>> {
    // A fresh engine each time: the decoder adapts to the audio it heard (CMN), so each run starts alike.
    const engine = new PocketsphinxEngine({ workers: 1 });
    await engine.ready();
    const records = new Map<string, Record<string, unknown>[]>();
    const pipeline = testPipeline(
      testCall(callId),
      {
        MediaInsightsPipelineConfigurationName: 'filtered',
        MediaInsightsPipelineConfigurationArn: 'arn:callsight:filtered',
        Elements: [
          element,
          { Type: 'KinesisDataStreamSink', KinesisDataStreamSinkConfiguration: { InsightsTarget: 'x' } },
        ],
      },
      {
        engines: new SpeechEngines([engine]),
        vocabularyFilter: (name) => (name === 'secret' ? SECRET : undefined),
        append: (record, key) => {
          records.set(key.type, [...(records.get(key.type) ?? []), record as Record<string, unknown>]);
        },
        ...deps,
      },
      { publish: () => undefined },
    );
    pipeline.start();
    for (const frame of frames(readAudio16k(DEMO))) pipeline.write(frame);
    await pipeline.stop();
    await engine.close();
    return records;
  }

  test('Transcribe, mask: a filtered word the customer says is *** in every partial and final, its items marked', async () => {
    const records = await run('call-masked', {
      Type: 'AmazonTranscribeProcessor',
      AmazonTranscribeProcessorConfiguration: {
        LanguageCode: 'en-US',
        VocabularyFilterName: 'secret',
        VocabularyFilterMethod: 'mask',
      },
    });
    const events = ((records.get('Transcribe') ?? []) as unknown as TranscribeRecord[]).map(
      (r) => r.TranscriptEvent,
    );
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

  test('call analytics, mask: the analytics never see the word — utterances, summary and post-call document', async () => {
    const pool = new AnalyticsPool(1, silentLogger);
    await pool.ready();
    const postCall = new SqlitePostCallStore(path.join(tmp.dir, 'callsight.db'));
    try {
      const records = await run(
        'call-removed',
        {
          Type: 'AmazonTranscribeCallAnalyticsProcessor',
          AmazonTranscribeCallAnalyticsProcessorConfiguration: {
            LanguageCode: 'en-US',
            VocabularyFilterName: 'secret',
            VocabularyFilterMethod: 'mask',
          },
        },
        { analytics: { pool, postCall, categories: [] } },
      );
      const utterances = records.get('TranscribeCallAnalytics') ?? [];
      assert.ok(utterances.length > 0, `records: ${[...records.keys()].join(', ')}`);
      assert.ok(utterances.some((u) => (u.UtteranceEvent as { IsPartial: boolean }).IsPartial));
      for (const u of utterances) {
        const event = u.UtteranceEvent as {
          IsPartial: boolean;
          Items: { Content: string; VocabularyFilterMatch: boolean }[];
        };
        assert.doesNotMatch(JSON.stringify(event), SPOKEN);
        for (const item of event.Items)
          assert.equal(item.VocabularyFilterMatch, item.Content === '***', `item ${item.Content}`);
      }
      const masked = utterances.filter((u) => JSON.stringify(u.UtteranceEvent).includes('"Content":"***"'));
      assert.ok(
        masked.some((u) => (u.UtteranceEvent as { IsPartial: boolean }).IsPartial),
        'a partial utterance masks a word',
      );
      for (const summary of records.get('Summarization') ?? [])
        assert.doesNotMatch(JSON.stringify(summary), SPOKEN);
      const document = await postCall.get('call-removed');
      assert.ok(document, 'a post-call document');
      const transcript = JSON.stringify(document.Transcript);
      assert.doesNotMatch(transcript, SPOKEN);
      assert.match(
        transcript,
        /"Content":"\*\*\*","Confidence":[\d.]+,"VocabularyFilterMatch":true/,
        'a masked item',
      );
    } finally {
      await postCall.close();
      await pool.close();
    }
  });
});
