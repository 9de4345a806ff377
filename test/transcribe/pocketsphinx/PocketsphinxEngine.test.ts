import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CallsightError, InvalidStateError } from '../../../src/platform/errors.js';
import { PocketsphinxEngine } from '../../../src/transcribe/pocketsphinx/PocketsphinxEngine.js';
import { resolvePocketsphinxOptions } from '../../../src/transcribe/pocketsphinx/PocketsphinxOptions.js';
import type {
  RecognitionResult,
  RecognitionSettings,
  RecognitionStream,
} from '../../../src/transcribe/SpeechEngineTypes.js';
import { wordErrorRate } from '../../../src/transcribe/wer.js';
import { SpeechEngines } from '../../../src/transcribe/SpeechEngines.js';
import { speechEngineContract } from '../SpeechEngineContract.js';
import { frames, readAudio16k } from '../audio.js';
import { telephoneAudio } from '../../../scripts/lib/TelephoneAsr.js';

const FIXTURES = new URL('../../fixtures/audio/', import.meta.url);
const GOFORWARD = '/usr/share/pocketsphinx/test/data/goforward.raw';
const RAW_16K = ['-t', 'raw', '-r', '16000', '-e', 'signed-integer', '-b', '16', '-c', '1'];
/** Measured 49% with the default settings (docs/asr.md: flite speech, no G.711 here); plus a margin. */
const DEMO_CUSTOMER_MAX_WER = 0.6;

function collect(stream: RecognitionStream): RecognitionResult[] {
  const results: RecognitionResult[] = [];
  stream.on('result', (r) => results.push(r));
  return results;
}

function finals(results: RecognitionResult[]): RecognitionResult[] {
  return results.filter((r) => !r.isPartial);
}

describe('PocketsphinxEngine', () => {
  const engine = new PocketsphinxEngine({ workers: 2 });

  before(() => engine.ready());
  after(() => engine.close());

  test('transcribes the demo customer call: partials precede their final, words are timed', async () => {
    const samples = readAudio16k(new URL('demo-customer.wav', FIXTURES).pathname);
    const stream = engine.openStream({ channel: 1, role: null, settings: { languageCode: 'en-US' } });
    const results = collect(stream);
    // The call started 5 s before this channel's audio: times are from call start.
    for (const frame of frames(samples, 1, 5000)) stream.write(frame);
    await stream.end();

    const done = finals(results);
    assert.ok(done.length >= 5, `expected one final per sentence, got ${done.length}`);
    const finalIndex = new Map(done.map((f) => [f.resultId, results.indexOf(f)]));
    assert.equal(finalIndex.size, done.length, 'one final per resultId');
    for (const [i, r] of results.entries()) {
      assert.equal(r.channel, 1);
      assert.match(r.resultId, /^[0-9a-f-]{36}$/);
      if (r.isPartial) {
        const at = finalIndex.get(r.resultId);
        assert.ok(at !== undefined && at > i, 'a partial comes before the final with its resultId');
      }
    }
    assert.ok(
      results.some((r) => r.isPartial),
      'partials are emitted while speech is in progress',
    );
    for (const f of done) {
      assert.ok(f.startMs >= 5000 && f.endMs > f.startMs && f.endMs <= 5000 + samples.length / 16 + 1);
      assert.ok(f.words.length > 0);
      assert.equal(f.transcript, f.words.map((w) => w.word).join(' '));
      let previous = f.startMs;
      for (const w of f.words) {
        assert.ok(w.startMs >= previous && w.endMs > w.startMs && w.endMs <= f.endMs, JSON.stringify(w));
        assert.ok(w.confidence >= 0 && w.confidence <= 1);
        assert.doesNotMatch(w.word, /^<|^\[|^\+\+|\(\d+\)$/);
        previous = w.startMs;
      }
    }
    const reference = readFileSync(new URL('demo-customer.txt', FIXTURES), 'utf8');
    const { wer } = wordErrorRate(reference, done.map((f) => f.transcript).join(' '));
    assert.ok(wer < DEMO_CUSTOMER_MAX_WER, `WER ${wer}`);
  });

  test('end() flushes an utterance that is still open', async () => {
    // No trailing silence: only end() can close the utterance.
    const samples = readAudio16k(GOFORWARD, RAW_16K).subarray(0, 16 * 1800);
    const stream = engine.openStream({ channel: 0, role: null, settings: { languageCode: 'en-US' } });
    const results = collect(stream);
    for (const frame of frames(samples)) stream.write(frame);
    await stream.end();
    const done = finals(results);
    assert.equal(done.length, 1);
    assert.match(done[0]!.transcript, /go forward/);
    const [first] = frames(samples);
    assert.throws(() => stream.write(first!), InvalidStateError);
  });

  test('a custom vocabulary (experimental option): a product name the model does not know is heard, as its DisplayAs', async () => {
    const engine = new PocketsphinxEngine({ workers: 1, vocabularies: true });
    await engine.ready();
    const wav = join(mkdtempSync(join(tmpdir(), 'callsight-vocabulary-')), 'nuvexa.wav');
    execFileSync('flite', ['-voice', 'kal', '-t', 'i am calling about my nuvexa subscription', '-o', wav]);
    const samples = telephoneAudio(wav);
    rmSync(dirname(wav), { recursive: true });
    const hear = async (settings: RecognitionSettings) => {
      const stream = engine.openStream({ channel: 0, role: null, settings });
      const results = collect(stream);
      for (const frame of frames(samples)) stream.write(frame);
      await stream.end();
      return finals(results);
    };
    const plain = await hear({ languageCode: 'en-US' });
    assert.ok(!plain.some((r) => /nuvexa/i.test(r.transcript)), plain.map((r) => r.transcript).join(' | '));
    const vocabulary = { VocabularyName: 'products', Table: [{ Phrase: 'Nuvexa', DisplayAs: 'NuVexa' }] };
    const withIt = await hear({
      languageCode: 'en-US',
      vocabularyNames: 'products',
      vocabularies: [vocabulary],
    });
    const item = withIt.flatMap((r) => r.words).find((w) => w.word === 'NuVexa');
    assert.ok(item, withIt.map((r) => r.transcript).join(' | '));
    assert.deepEqual(
      item.spoken?.map((w) => w.word),
      ['nuvexa'],
    );
    assert.match(withIt.map((r) => r.transcript).join(' '), /about my nuvexa subscription/);
    await engine.close();
  });

  test('a crashed worker fails its streams and is replaced; new streams still transcribe', async () => {
    const samples = readAudio16k(GOFORWARD, RAW_16K);
    assert.deepEqual(engine.workerLoad(), [0, 0]);
    const doomed = engine.openStream({ channel: 0, role: null, settings: { languageCode: 'en-US' } });
    assert.deepEqual(engine.workerLoad(), [1, 0]);
    const failed = new Promise<Error>((resolve) => doomed.on('error', resolve));
    for (const frame of frames(samples.subarray(0, 16_000))) doomed.write(frame);
    engine.crashWorkerForTesting(0);
    const error = await failed;
    assert.ok(error instanceof CallsightError);
    assert.equal(error.code, 'CS_ERR_ASR_FAILED');
    await assert.rejects(doomed.end(), { code: 'CS_ERR_ASR_FAILED' });
    assert.deepEqual(engine.workerLoad(), [0, 0]);

    // Goes to the replacement worker (least loaded, lowest index), which loads while audio queues.
    const stream = engine.openStream({ channel: 0, role: null, settings: { languageCode: 'en-US' } });
    assert.deepEqual(engine.workerLoad(), [1, 0]);
    const results = collect(stream);
    for (const frame of frames(samples)) stream.write(frame);
    await stream.end();
    assert.equal(
      finals(results)
        .map((r) => r.transcript)
        .join(' '),
      'go forward ten meters',
    );
  });
});

describe('PocketsphinxEngine lifecycle', () => {
  test('a missing model rejects ready() with CS_ERR_ASR_UNAVAILABLE', async () => {
    const engine = new PocketsphinxEngine({ workers: 1, hmm: '/nonexistent/en-us' });
    try {
      await assert.rejects(engine.ready(), (err: unknown) => {
        assert.ok(err instanceof CallsightError);
        assert.equal(err.code, 'CS_ERR_ASR_UNAVAILABLE');
        assert.match(err.message, /apt-get install libpocketsphinx3 pocketsphinx-en-us/);
        return true;
      });
    } finally {
      await engine.close();
    }
  });

  test('methods reject after close()', async () => {
    const engine = new PocketsphinxEngine({ workers: 1 });
    await engine.close();
    await engine.close();
    assert.equal(engine.closed, true);
    assert.throws(
      () => engine.openStream({ channel: 0, role: null, settings: { languageCode: 'en-US' } }),
      InvalidStateError,
    );
    await assert.rejects(engine.ready(), InvalidStateError);
  });
});

speechEngineContract('pocketsphinx', async () => {
  const engine = new PocketsphinxEngine({ name: 'pocketsphinx', workers: 1 });
  const fallback = new PocketsphinxEngine({ name: 'fallback', workers: 1 });
  await Promise.all([engine.ready(), fallback.ready()]);
  const engines = new SpeechEngines([engine, fallback], new Map([['pocketsphinx', 'fallback']]));
  return {
    engines,
    name: 'pocketsphinx',
    // A native fault: the worker dies (and is replaced), its streams fail over.
    breakEngine: () => engine.crashWorkerForTesting(0),
    repairEngine: () => undefined,
    maxWer: DEMO_CUSTOMER_MAX_WER,
    close: () => engines.close(),
  };
});

describe('PocketsphinxEngine profiles', () => {
  test('`fast` searches fewer HMMs per frame (explicit tuning still wins) and still transcribes the demo customer call', async () => {
    const flag = (args: readonly string[]) => args[args.indexOf('-maxhmmpf') + 1];
    assert.equal(flag(resolvePocketsphinxOptions({}).args), '30000');
    assert.equal(flag(resolvePocketsphinxOptions({ profile: 'fast' }).args), '2500');
    assert.equal(
      flag(resolvePocketsphinxOptions({ profile: 'fast', tuning: { maxhmmpf: 5000 } }).args),
      '5000',
    );

    const engine = new PocketsphinxEngine({ workers: 1, profile: 'fast' });
    try {
      await engine.ready();
      const samples = readAudio16k(new URL('demo-customer.wav', FIXTURES).pathname);
      const stream = engine.openStream({ channel: 0, role: null, settings: { languageCode: 'en-US' } });
      const results = collect(stream);
      for (const frame of frames(samples)) stream.write(frame);
      await stream.end();
      const reference = readFileSync(new URL('demo-customer.txt', FIXTURES), 'utf8');
      const heard = finals(results)
        .map((f) => f.transcript)
        .join(' ');
      const { wer } = wordErrorRate(reference, heard);
      assert.ok(wer < DEMO_CUSTOMER_MAX_WER, `WER ${wer}: ${heard}`);
    } finally {
      await engine.close();
    }
  });
});
