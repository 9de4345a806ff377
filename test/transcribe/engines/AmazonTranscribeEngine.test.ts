import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AmazonTranscribeEngine } from '../../../src/transcribe/engines/aws/AmazonTranscribeEngine.js';
import { PocketsphinxEngine } from '../../../src/transcribe/pocketsphinx/PocketsphinxEngine.js';
import { SpeechEngines } from '../../../src/transcribe/SpeechEngines.js';
import type { EngineSwitch } from '../../../src/transcribe/FallbackStream.js';
import { MASK } from '../../../src/transcribe/VocabularyFilter.js';
import { silentLogger } from '../../../src/platform/logger.js';
import type {
  EngineCategoryMatch,
  OpenStreamOptions,
  RecognitionResult,
  RecognitionSettings,
} from '../../../src/transcribe/SpeechEngineTypes.js';
import { frames, readAudio16k } from '../audio.js';
import { assertResultOrder, speechEngineContract, until } from '../SpeechEngineContract.js';
import { RecognizerBackend } from '../servers/RecognizerBackend.js';
import { SIGV4_AUTHORIZATION, TranscribeStreamingServer } from '../servers/TranscribeStreamingServer.js';

const DEMO = new URL('../../fixtures/audio/demo-customer.wav', import.meta.url).pathname;
const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';

function engineOn(endpoint: string): AmazonTranscribeEngine {
  return new AmazonTranscribeEngine({
    name: 'aws',
    region: 'eu-west-1',
    endpoint,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxBufferedMs: 60_000,
  });
}

speechEngineContract('amazon-transcribe', async () => {
  const backend = new RecognizerBackend();
  await backend.ready();
  const server = new TranscribeStreamingServer(backend);
  const endpoint = await server.listen();
  const fallback = new PocketsphinxEngine({ name: 'fallback', workers: 1 });
  await fallback.ready();
  const engines = new SpeechEngines(
    [engineOn(endpoint), fallback],
    new Map([['aws', 'fallback']]),
    'fallback',
  );
  return {
    engines,
    name: 'aws',
    breakEngine: () => void (server.failing = true),
    repairEngine: () => void (server.failing = false),
    // pocketsphinx behind the server: the engine's own figure (≤ 60 %) plus a margin.
    maxWer: 0.65,
    close: async () => {
      await engines.close();
      await server.close();
      await backend.close();
    },
  };
});

/** Channel 1 of a configuration with the filter `secret` of these words, masking. */
function filtered(words: string[]): OpenStreamOptions {
  return {
    channel: 1,
    role: 'CUSTOMER',
    settings: {
      languageCode: 'en-US',
      vocabularyFilterNames: 'secret',
      vocabularyFilterMethod: 'mask',
      vocabularyFilters: [{ VocabularyFilterName: 'secret', LanguageCode: 'en-US', Words: words }],
    },
  };
}

const finalText = (results: readonly RecognitionResult[]): string =>
  results
    .filter((r) => !r.isPartial)
    .map((r) => r.transcript)
    .join(' ');

describe('AmazonTranscribeEngine', () => {
  const backend = new RecognizerBackend();
  let server: TranscribeStreamingServer;
  let engine: AmazonTranscribeEngine;
  const samples = readAudio16k(DEMO);

  before(async () => {
    await backend.ready();
    server = new TranscribeStreamingServer(backend);
    engine = engineOn(await server.listen());
  });
  after(async () => {
    await engine.close();
    await server.close();
    await backend.close();
  });

  async function transcribe(settings: RecognitionSettings, callAnalytics = false) {
    const stream = engine.openStream({ channel: 1, role: 'CUSTOMER', settings, callAnalytics });
    const results: RecognitionResult[] = [];
    const categories: EngineCategoryMatch[] = [];
    stream.on('result', (r) => results.push(r));
    stream.on('category', (c) => categories.push(c));
    for (const frame of frames(samples, 1, 2000)) stream.write(frame);
    await stream.end();
    return { results, categories, request: server.streams.at(-1)! };
  }

  test('StartStreamTranscription: SigV4 over HTTP/2, the configuration as Transcribe headers, results mapped', async () => {
    const { results, request } = await transcribe({
      languageCode: 'en-US',
      vocabularyNames: 'products',
      vocabularyFilterNames: 'profanity',
      vocabularyFilterMethod: 'mask',
      languageModelName: 'support-calls',
      enablePartialResultsStabilization: true,
      partialResultsStability: 'high',
      contentIdentificationType: 'PII',
      piiEntityTypes: 'NAME,PHONE',
    });
    assert.equal(request.path, '/stream-transcription');
    const h = request.headers;
    const auth = SIGV4_AUTHORIZATION.exec(String(h.authorization));
    assert.ok(auth, `SigV4 Authorization header: ${String(h.authorization)}`);
    assert.equal(auth[1], ACCESS_KEY);
    assert.equal(auth[3], 'eu-west-1');
    assert.ok(auth[4]!.split(';').includes('x-amz-date'));
    assert.equal(h['x-amz-content-sha256'], 'STREAMING-AWS4-HMAC-SHA256-EVENTS');
    assert.equal(h['x-amzn-transcribe-language-code'], 'en-US');
    assert.equal(h['x-amzn-transcribe-sample-rate'], '16000');
    assert.equal(h['x-amzn-transcribe-media-encoding'], 'pcm');
    assert.equal(h['x-amzn-transcribe-vocabulary-name'], 'products');
    assert.equal(h['x-amzn-transcribe-vocabulary-filter-name'], 'profanity');
    assert.equal(h['x-amzn-transcribe-vocabulary-filter-method'], 'mask');
    assert.equal(h['x-amzn-transcribe-language-model-name'], 'support-calls');
    assert.equal(h['x-amzn-transcribe-enable-partial-results-stabilization'], 'true');
    assert.equal(h['x-amzn-transcribe-partial-results-stability'], 'high');
    assert.equal(h['x-amzn-transcribe-content-identification-type'], 'PII');
    assert.equal(h['x-amzn-transcribe-pii-entity-types'], 'NAME,PHONE');
    assert.ok(request.audioEvents >= samples.length / 1600 - 1, 'AudioEvents of 100 ms');
    assertResultOrder(results);
    const finals = results.filter((r) => !r.isPartial);
    assert.ok(finals[0]!.startMs >= 2000, 'times from the call start');
    assert.match(finals.map((f) => f.transcript).join(' '), /calling/);
  });

  test('vocabulary filters: the names go to Transcribe, which applies them; Callsight does not filter its results again', async () => {
    const engines = new SpeechEngines([engine], new Map(), 'aws');
    // A filter of the same name stored in Callsight is not applied on top of AWS's.
    const stream = engines.openStream('aws', filtered(['calling']), () => undefined, silentLogger);
    const results: RecognitionResult[] = [];
    stream.on('result', (r) => results.push(r));
    for (const frame of frames(samples, 1, 2000)) stream.write(frame);
    await stream.end();
    assert.equal(server.streams.at(-1)!.headers['x-amzn-transcribe-vocabulary-filter-name'], 'secret');
    // This test server does not filter, so the word is still there: Callsight left the result alone.
    assert.match(finalText(results), /calling/);
  });

  test('a channel that falls back from Amazon Transcribe is filtered by Callsight from the switch on', async () => {
    const fallback = new PocketsphinxEngine({ name: 'fallback', workers: 1 });
    await fallback.ready();
    const engines = new SpeechEngines([engine, fallback], new Map([['aws', 'fallback']]), 'fallback');
    const switches: EngineSwitch[] = [];
    const results: RecognitionResult[] = [];
    /** How many results had come when the channel switched. */
    let beforeSwitch = -1;
    const stream = engines.openStream(
      'aws',
      filtered(['calling', 'internet', 'evening']),
      (event) => {
        switches.push(event);
        beforeSwitch = results.length;
      },
      silentLogger,
    );
    stream.on('result', (r) => results.push(r));
    const all = [...frames(samples, 1, 2000)];
    // The first sentence ("hello i am calling about my phone bill …") to Amazon Transcribe.
    const firstPart = Math.floor(all.length / 3);
    try {
      for (const frame of all.slice(0, firstPart)) stream.write(frame);
      await until(() => results.some((r) => !r.isPartial), 60_000, 'a final from Amazon Transcribe');
      server.failing = true;
      for (const frame of all.slice(firstPart)) stream.write(frame);
      await stream.end();
    } finally {
      server.failing = false;
      // Not engines.close(): the suite's Amazon Transcribe engine serves the tests after this one.
      await fallback.close();
    }
    assert.deepEqual(
      switches.map(({ channel, from, to }) => ({ channel, from, to })),
      [{ channel: 1, from: 'aws', to: 'fallback' }],
    );
    // Amazon Transcribe's results are its own (this test server does not filter them).
    assert.match(finalText(results.slice(0, beforeSwitch)), /calling/);
    const fromFallback = results.slice(beforeSwitch);
    assert.ok(
      fromFallback.some((r) => !r.isPartial && r.endMs > all[firstPart]!.offsetMs),
      'the fallback carried the call',
    );
    for (const r of fromFallback) {
      assert.doesNotMatch(r.transcript, /calling|internet|evening/i, r.transcript);
      assert.doesNotMatch(r.spokenTranscript ?? '', /calling|internet|evening/i);
      for (const w of r.words) {
        for (const spoken of [w, ...(w.spoken ?? [])])
          assert.doesNotMatch(spoken.word, /calling|internet|evening/i);
        assert.equal(w.vocabularyFilterMatch, w.word === MASK, w.word);
      }
    }
    const masked = fromFallback.flatMap((r) => r.words).filter((w) => w.vocabularyFilterMatch);
    assert.ok(masked.length > 0, `a filtered word was heard after the switch: ${finalText(fromFallback)}`);
  });

  test('language identification sends IdentifyLanguage and the options, no language code', async () => {
    const { request } = await transcribe({
      languageCode: 'en-US',
      identifyLanguage: true,
      languageOptions: 'en-US,es-US',
      preferredLanguage: 'en-US',
    });
    assert.equal(request.headers['x-amzn-transcribe-language-code'], undefined);
    assert.equal(request.headers['x-amzn-transcribe-identify-language'], 'true');
    assert.equal(request.headers['x-amzn-transcribe-language-options'], 'en-US,es-US');
    assert.equal(request.headers['x-amzn-transcribe-preferred-language'], 'en-US');
  });

  test('StartCallAnalyticsStreamTranscription: sentiment, issues and categories come from the service', async () => {
    const { results, categories, request } = await transcribe(
      { languageCode: 'en-US', contentRedactionType: 'PII' },
      true,
    );
    assert.equal(request.path, '/call-analytics-stream-transcription');
    assert.equal(request.headers['x-amzn-transcribe-content-redaction-type'], 'PII');
    const finals = results.filter((r) => !r.isPartial);
    assert.ok(finals.every((f) => f.analysis?.sentiment !== undefined));
    const negative = finals.find((f) => f.analysis?.sentiment === 'NEGATIVE');
    assert.ok(
      negative,
      `a NEGATIVE utterance (the server's rule: "charge"), got ${finals.map((f) => f.transcript).join(' | ')}`,
    );
    const issue = negative.analysis!.issues[0]!;
    assert.match(negative.transcript.slice(issue.begin, issue.end), /^charged?$/);
    assert.deepEqual(categories[0]?.MatchedCategories, ['billing']);
    const range = (
      categories[0].MatchedDetails.billing as { TimestampRanges: { BeginOffsetMillis: number }[] }
    ).TimestampRanges[0]!;
    assert.equal(range.BeginOffsetMillis, Math.round(negative.startMs), 'category times in call time');
  });
});
