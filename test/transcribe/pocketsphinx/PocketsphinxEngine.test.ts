import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { CallsightError, InvalidStateError } from '../../../src/platform/errors.js';
import { PocketsphinxEngine } from '../../../src/transcribe/pocketsphinx/PocketsphinxEngine.js';
import { resolvePocketsphinxOptions } from '../../../src/transcribe/pocketsphinx/PocketsphinxOptions.js';
import { VOCABULARY_FOLDER_PREFIX } from '../../../src/transcribe/pocketsphinx/VocabularyFolders.js';
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
import { deadPid, leftover } from './leftovers.js';
import { capturedLogger } from '../../helpers/capturedLogger.js';

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

  describe('custom vocabularies', () => {
    const vocabularyEngine = new PocketsphinxEngine({ workers: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'callsight-vocabulary-'));
    const speak = (text: string, voice = 'kal'): Int16Array => {
      const wav = join(dir, 'sentence.wav');
      execFileSync('flite', ['-voice', voice, '-t', text, '-o', wav]);
      return telephoneAudio(wav);
    };
    const hear = async (samples: Int16Array, settings: RecognitionSettings) => {
      const stream = vocabularyEngine.openStream({ channel: 0, role: null, settings });
      const results = collect(stream);
      for (const frame of frames(samples)) stream.write(frame);
      await stream.end();
      return finals(results);
    };

    before(() => vocabularyEngine.ready());
    after(async () => {
      await vocabularyEngine.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a product name the model does not know is heard with the vocabulary, as its DisplayAs, and not without', async () => {
      const samples = speak('i am calling about my nuvexa subscription');
      const plain = await hear(samples, { languageCode: 'en-US' });
      assert.ok(!plain.some((r) => /nuvexa/i.test(r.transcript)), plain.map((r) => r.transcript).join(' | '));
      const vocabulary = { VocabularyName: 'products', Table: [{ Phrase: 'Nuvexa', DisplayAs: 'NuVexa' }] };
      const withIt = await hear(samples, {
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
    });

    test('a vocabulary of 30 terms decodes real audio, several streams at once, without a crash', async () => {
      // ps_add_word crashed pocketsphinx 5prealpha on the first of these once 7 terms were added.
      const vocabulary = {
        VocabularyName: 'many',
        Phrases: [
          ...['Zentrix', 'Nuvexa', 'Quorvia', 'Brightlane', 'Veltora', 'Omnivue', 'Clarivox', 'Tessaline'],
          ...['Fibrenet', 'Zapmoney', 'Luminor', 'Kestrava', 'Novapay', 'Syncora', 'Primelink', 'Vortexa'],
          ...['Optiwave', 'Helixon', 'Trivana', 'Datavault', 'Cloudmesh', 'Skyroute', 'Netflex', 'Paylinea'],
          ...['Corvana', 'Kowalczyk', 'Okonkwo', 'Nakamura', 'Szymanski', 'Thibodeaux'],
        ],
      };
      const settings: RecognitionSettings = { languageCode: 'en-US', vocabularies: [vocabulary] };
      const sentences = [
        speak('my clarivox account was charged twice'),
        speak('can you help me set up optiwave on my phone', 'awb'),
        telephoneAudio(fileURLToPath(new URL('demo-customer.wav', FIXTURES))),
      ];
      const heard = await Promise.all(sentences.map((samples) => hear(samples, settings)));
      assert.match(heard[0]!.map((r) => r.transcript).join(' '), /clarivox account/);
      assert.ok(heard[0]!.flatMap((r) => r.words).some((w) => w.word === 'Clarivox'));
      assert.match(heard[1]!.map((r) => r.transcript).join(' '), /optiwave/);
      const demo = heard[2]!.map((r) => r.transcript).join(' ');
      const reference = readFileSync(new URL('demo-customer.txt', FIXTURES), 'utf8');
      assert.ok(wordErrorRate(reference, demo).wer <= DEMO_CUSTOMER_MAX_WER, demo);
      // Decoders are kept per vocabulary: a second round reuses them.
      const again = await hear(sentences[0]!, settings);
      assert.match(again.map((r) => r.transcript).join(' '), /clarivox account/);
    });
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

describe('PocketsphinxEngine vocabulary files', () => {
  const ownFolders = () =>
    readdirSync(tmpdir()).filter((name) => name.startsWith(`${VOCABULARY_FOLDER_PREFIX}${process.pid}-`));

  test("on start, the vocabulary files of a process that died go; a running process's stay", async () => {
    const dead = leftover(tmpdir(), `${VOCABULARY_FOLDER_PREFIX}${deadPid()}-1-Ab12Cd`);
    const running = leftover(tmpdir(), `${VOCABULARY_FOLDER_PREFIX}${process.ppid}-1-Ef34Gh`);
    const engine = new PocketsphinxEngine({ workers: 1 });
    try {
      await engine.ready();
      assert.ok(!existsSync(dead));
      assert.ok(existsSync(running));
    } finally {
      await engine.close();
      rmSync(running, { recursive: true, force: true });
    }
  });

  test('a worker that dies has its vocabulary files removed', async () => {
    const engine = new PocketsphinxEngine({ workers: 1 });
    try {
      await engine.ready();
      assert.deepEqual(ownFolders(), []);
      const vocabulary = { VocabularyName: 'products', Phrases: ['Nuvexa'] };
      const stream = engine.openStream({
        channel: 0,
        role: null,
        settings: { languageCode: 'en-US', vocabularies: [vocabulary] },
      });
      for (const frame of frames(readAudio16k(GOFORWARD, RAW_16K))) stream.write(frame);
      await stream.end();
      // Kept for the next call with that vocabulary.
      assert.equal(ownFolders().length, 1);
      engine.crashWorkerForTesting(0);
      const deadline = Date.now() + 5_000;
      while (ownFolders().length > 0 && Date.now() < deadline) await delay(20);
      assert.deepEqual(ownFolders(), []);
    } finally {
      await engine.close();
    }
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

describe('PocketsphinxEngine number pass', () => {
  const withPass = new PocketsphinxEngine({ workers: 1 });
  const without = new PocketsphinxEngine({ workers: 1, numberPass: false });
  const dir = mkdtempSync(join(tmpdir(), 'callsight-number-pass-'));
  const hear = async (engine: PocketsphinxEngine, samples: Int16Array): Promise<string> => {
    const stream = engine.openStream({ channel: 0, role: null, settings: { languageCode: 'en-US' } });
    const results = collect(stream);
    for (const frame of frames(samples)) stream.write(frame);
    await stream.end();
    return finals(results)
      .map((r) => r.transcript)
      .join(' ');
  };

  before(() => Promise.all([withPass.ready(), without.ready()]));
  after(async () => {
    await Promise.all([withPass.close(), without.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a card number read over G.711 comes out digit for digit, where the language model alone mishears it', async () => {
    const wav = join(dir, 'card.wav');
    const said =
      'my card number is four one one one two two two two three three three three four four four four';
    execFileSync('flite', ['-voice', 'awb', '-t', said, '-o', wav]);
    const samples = telephoneAudio(wav);
    assert.equal(await hear(withPass, samples), said);
    // Measured: "… three three three three or four four four". The pass is not always right (digit
    // words misrecognised on the PII set 51.8 → 45.6 %: docs/asr.md), but here it is.
    assert.notEqual(await hear(without, samples), said);
  });

  test('a number pass that fails (a grammar word missing from a custom dictionary) is reported once, and finals keep the first decode', async () => {
    const defaults = resolvePocketsphinxOptions({}).args;
    const dict = defaults[defaults.indexOf('-dict') + 1]!;
    const withoutDouble = join(dir, 'no-double.dict');
    writeFileSync(
      withoutDouble,
      readFileSync(dict, 'utf8')
        .split('\n')
        .filter((line) => !/^double(\(\d+\))? /.test(line))
        .join('\n'),
    );
    const logs = capturedLogger();
    const broken = new PocketsphinxEngine({ workers: 1, dict: withoutDouble, logger: logs.logger });
    await broken.ready();
    try {
      const samples = telephoneAudio(fileURLToPath(new URL('demo-customer.wav', FIXTURES)));
      const wav = join(dir, 'card.wav');
      execFileSync('flite', ['-voice', 'awb', '-t', 'my card number is four one one one two two', '-o', wav]);
      const card = telephoneAudio(wav);
      assert.ok((await hear(broken, card)).length > 0, 'the stream still transcribes');
      assert.equal(await hear(broken, samples), await hear(without, samples));
      await hear(broken, card);
      assert.equal(logs.lines.filter((l) => /the number pass failed/.test(String(l.msg))).length, 1);
    } finally {
      await broken.close();
    }
  });

  test('speech without a number is transcribed as without the pass', async () => {
    const samples = telephoneAudio(fileURLToPath(new URL('demo-customer.wav', FIXTURES)));
    assert.equal(await hear(withPass, samples), await hear(without, samples));
  });
});
