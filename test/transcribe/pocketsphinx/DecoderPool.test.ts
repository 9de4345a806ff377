import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { registerSpeechEngineMetrics } from '../../../src/app/speechEngines.js';
import { CallsightError } from '../../../src/platform/errors.js';
import type { DecoderCounts } from '../../../src/transcribe/EngineDiagnostics.js';
import { PocketsphinxEngine } from '../../../src/transcribe/pocketsphinx/PocketsphinxEngine.js';
import type { RecognitionResult, RecognitionStream } from '../../../src/transcribe/SpeechEngineTypes.js';
import { frames, readAudio16k } from '../audio.js';

const GOFORWARD = '/usr/share/pocketsphinx/test/data/goforward.raw';
const RAW_16K = ['-t', 'raw', '-r', '16000', '-e', 'signed-integer', '-b', '16', '-c', '1'];
const speech = readAudio16k(GOFORWARD, RAW_16K);
/** Enough of "go forward ten meters" for the VAD to have opened an utterance and not closed it. */
const OPENING = speech.subarray(0, 16 * 1200);
const SILENCE = new Int16Array(16 * 1500);

function open(engine: PocketsphinxEngine): RecognitionStream {
  return engine.openStream({ channel: 0, role: null, settings: { languageCode: 'en-US' } });
}

function write(stream: RecognitionStream, samples: Int16Array, startMs: number): void {
  for (const frame of frames(samples, 0, startMs)) stream.write(frame);
}

function finals(stream: RecognitionStream): RecognitionResult[] {
  const out: RecognitionResult[] = [];
  stream.on('result', (r) => {
    if (!r.isPartial) out.push(r);
  });
  return out;
}

/** The counts the workers report once they match `wanted` (they report asynchronously). */
async function countsBecome(
  engine: PocketsphinxEngine,
  wanted: (c: DecoderCounts) => boolean,
  what: string,
): Promise<DecoderCounts> {
  for (let i = 0; i < 600; i++) {
    const counts = engine.decoderCounts();
    if (wanted(counts)) return counts;
    await sleep(50);
  }
  assert.fail(`decoder counts never became ${what}: ${JSON.stringify(engine.decoderCounts())}`);
}

describe('pocketsphinx decoder pool', () => {
  test('decoders follow simultaneous talkers and are freed after their idle time, down to one', async () => {
    const engine = new PocketsphinxEngine({ workers: 1, decoders: { maxPerWorker: 4, idleMs: 300 } });
    try {
      await engine.ready();
      await countsBecome(engine, (c) => c.idle === 1, 'one loaded at start');
      const streams = [open(engine), open(engine), open(engine)];
      const results = streams.map(finals);
      for (const stream of streams) write(stream, OPENING, 0);
      await countsBecome(engine, (c) => c.busy === 3, '3 busy');
      for (const stream of streams) write(stream, speech.subarray(OPENING.length), OPENING.length / 16);
      await Promise.all(streams.map((s) => s.end()));
      // Each talker was decoded by a decoder of its own, sharing one language model.
      for (const r of results) assert.equal(r.map((f) => f.transcript).join(' '), 'go forward ten meters');
      const after = await countsBecome(engine, (c) => c.busy === 0, 'none busy');
      assert.ok(after.idle >= 1 && after.idle <= 3, JSON.stringify(after));
      await countsBecome(engine, (c) => c.busy === 0 && c.idle === 1, 'one idle (freed after idleMs)');
    } finally {
      await engine.close();
    }
  });

  test('at the bound an utterance waits for a decoder and is decoded once one comes free', async () => {
    const engine = new PocketsphinxEngine({ workers: 1, decoders: { maxPerWorker: 1, waitMs: 60_000 } });
    try {
      await engine.ready();
      const first = open(engine);
      const second = open(engine);
      const firstFinals = finals(first);
      const secondFinals = finals(second);
      write(first, OPENING, 0);
      write(second, speech, 0);
      write(second, SILENCE, speech.length / 16);
      await countsBecome(engine, (c) => c.busy === 1 && c.waiting === 1, 'one busy, one waiting');
      assert.equal(secondFinals.length, 0, 'the waiting utterance is not decoded yet');
      // The first talker's utterance ends: its decoder goes to the waiting one.
      write(first, speech.subarray(OPENING.length), OPENING.length / 16);
      write(first, SILENCE, speech.length / 16);
      await Promise.all([first.end(), second.end()]);
      assert.equal(firstFinals.map((f) => f.transcript).join(' '), 'go forward ten meters');
      assert.equal(secondFinals.map((f) => f.transcript).join(' '), 'go forward ten meters');
      assert.ok(secondFinals[0]!.startMs < 500, 'times are those of the held audio');
      await countsBecome(engine, (c) => c.busy === 0 && c.waiting === 0 && c.refused === 0, 'none busy');
    } finally {
      await engine.close();
    }
  });

  test('beyond the bound and the wait, the stream is refused with CS_ERR_ASR_OVERLOADED; metrics show it', async () => {
    const engine = new PocketsphinxEngine({
      name: 'pool-bound',
      workers: 1,
      decoders: { maxPerWorker: 2, waitMs: 300 },
    });
    const registry = new Registry();
    registerSpeechEngineMetrics(registry);
    try {
      await engine.ready();
      const streams = [open(engine), open(engine), open(engine)];
      const errors: Error[][] = streams.map(() => []);
      streams.forEach((s, i) => s.on('error', (err) => errors[i]!.push(err)));
      for (const stream of streams) write(stream, OPENING, 0);
      await countsBecome(engine, (c) => c.refused === 1, 'one refused');
      assert.deepEqual(
        errors.map((e) => e.length),
        [0, 0, 1],
      );
      const error = errors[2]![0]!;
      assert.ok(error instanceof CallsightError);
      assert.equal(error.code, 'CS_ERR_ASR_OVERLOADED');
      assert.match(
        error.message,
        /no speech decoder came free within 300 ms \(2 of 2 busy.*asr\.maxDecodersPerWorker/,
      );
      await assert.rejects(streams[2]!.end(), /no speech decoder came free/);

      const text = await registry.metrics();
      assert.match(text, /^callsight_asr_decoders\{engine="pool-bound",state="busy"\} 2$/m);
      assert.match(text, /^callsight_asr_decoders\{engine="pool-bound",state="idle"\} 0$/m);
      assert.match(text, /^callsight_asr_decoder_queue\{engine="pool-bound"\} 0$/m);
      assert.match(text, /^callsight_asr_decoder_refusals_total\{engine="pool-bound"\} 1$/m);
      await Promise.all([streams[0]!.end(), streams[1]!.end()]);
    } finally {
      await engine.close();
    }
    assert.doesNotMatch(
      await registry.metrics(),
      /engine="pool-bound"/,
      'a closed engine is no longer counted',
    );
  });
});
