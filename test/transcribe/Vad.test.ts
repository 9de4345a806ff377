import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Vad, blockLevelDbfs, type VadOutput } from '../../src/transcribe/Vad.js';
import { readAudio16k } from './audio.js';

const RATE = 16_000;

function silence(ms: number): Int16Array {
  return new Int16Array((RATE * ms) / 1000);
}

/** Low white noise, as a quiet line carries between words. */
function noise(ms: number, amplitude: number, seed = 1): Int16Array {
  const out = new Int16Array((RATE * ms) / 1000);
  let x = seed;
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = Math.round(((x / 2147483648) * 2 - 1) * amplitude);
  }
  return out;
}

function tone(ms: number, hz: number, amplitude: number): Int16Array {
  const out = new Int16Array((RATE * ms) / 1000);
  for (let i = 0; i < out.length; i++)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / RATE));
  return out;
}

function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Feeds 20 ms frames, as the media stage does, and collects every output. */
function run(vad: Vad, samples: Int16Array, flush = true): VadOutput[] {
  const out: VadOutput[] = [];
  for (let i = 0; i < samples.length; i += 320)
    out.push(...vad.processInput(samples.subarray(i, i + 320), i / 16));
  if (flush) out.push(...vad.flush());
  return out;
}

const boundaries = (out: VadOutput[]) => out.filter((o) => o.kind !== 'audio');

describe('Vad', () => {
  test('digital silence and steady low noise never start an utterance', () => {
    assert.deepEqual(run(new Vad(), silence(3000)), []);
    assert.deepEqual(run(new Vad(), concat(noise(2000, 60), noise(2000, 200, 7))), []);
  });

  test('a tone after silence starts with pre-roll and ends after the trailing silence', () => {
    const out = run(
      new Vad({ preRollMs: 250, trailingSilenceMs: 500 }),
      concat(silence(1000), tone(800, 440, 8000), silence(1500)),
    );
    const b = boundaries(out);
    assert.equal(b.length, 2);
    const [start, end] = b;
    assert.equal(start?.kind, 'start');
    // Onset at 1000 ms, confirmed after 60 ms of tone, pre-roll 250 ms before the first loud block.
    assert.equal(start?.offsetMs, 750);
    assert.equal(end?.kind, 'end');
    // Tone ends at 1800 ms; 500 ms of silence later the utterance closes.
    assert.ok(end.offsetMs >= 2290 && end.offsetMs <= 2310, `end at ${end?.offsetMs}`);
    // The audio between them is contiguous and covers start..end exactly.
    let at = start.offsetMs;
    for (const o of out) {
      if (o.kind !== 'audio') continue;
      assert.equal(o.offsetMs, at);
      at += o.samples.length / 16;
    }
    assert.equal(at, end.offsetMs);
  });

  test('a click shorter than minSpeechMs is ignored', () => {
    assert.deepEqual(
      boundaries(run(new Vad(), concat(silence(500), tone(30, 1000, 20000), silence(1000)))),
      [],
    );
  });

  test('pauses shorter than the trailing silence stay in one utterance (hangover)', () => {
    const speech = concat(
      silence(500),
      tone(400, 300, 6000),
      silence(300),
      tone(400, 300, 6000),
      silence(1000),
    );
    assert.equal(boundaries(run(new Vad({ trailingSilenceMs: 500 }), speech)).length, 2);
    assert.equal(boundaries(run(new Vad({ trailingSilenceMs: 200 }), speech)).length, 4);
  });

  test('speech over background noise is found once the floor has adapted', () => {
    const vad = new Vad();
    const out = run(vad, concat(noise(1500, 300), tone(600, 250, 6000), noise(1500, 300)));
    assert.deepEqual(
      boundaries(out).map((o) => o.kind),
      ['start', 'end'],
    );
    assert.ok(vad.noiseFloorDbfs! > -50 && vad.noiseFloorDbfs! < -35, `floor ${vad.noiseFloorDbfs}`);
  });

  test('flush ends an open utterance with the audio left over', () => {
    const vad = new Vad();
    const out = run(vad, concat(silence(300), tone(500, 440, 8000).subarray(0, 8005)));
    assert.deepEqual(
      boundaries(out).map((o) => o.kind),
      ['start', 'end'],
    );
    assert.equal(vad.inSpeech, false);
  });

  test('maxUtteranceMs forces an end in speech without pauses', () => {
    const out = run(new Vad({ maxUtteranceMs: 1000 }), concat(silence(200), tone(2500, 300, 6000)));
    assert.ok(boundaries(out).filter((o) => o.kind === 'start').length >= 2);
  });

  test('real speech: the demo customer recording splits into its six sentences', () => {
    const samples = readAudio16k(new URL('../fixtures/audio/demo-customer.wav', import.meta.url).pathname);
    assert.equal(boundaries(run(new Vad(), samples)).filter((o) => o.kind === 'start').length, 6);
  });

  test('audio that starts mid-sentence starts an utterance at once (a pipeline resumed mid-call)', () => {
    const toneFirst = boundaries(run(new Vad(), concat(tone(800, 300, 6000), silence(1000))));
    assert.deepEqual(
      toneFirst.map((o) => [o.kind, o.offsetMs]),
      [
        ['start', 0],
        ['end', 1350],
      ],
    );
    const samples = readAudio16k(new URL('../fixtures/audio/demo-customer.wav', import.meta.url).pathname);
    const fromSecondWord = samples.subarray(RATE * 1.5);
    const starts = boundaries(run(new Vad(), fromSecondWord)).filter((o) => o.kind === 'start');
    assert.equal(starts[0]?.offsetMs, 0, 'the sentence under way is heard from the first block');
    assert.equal(starts.length, 6, 'the rest of the first sentence, then the five others');
  });

  test('blockLevelDbfs', () => {
    assert.equal(blockLevelDbfs(new Int16Array(160)), -96);
    assert.ok(Math.abs(blockLevelDbfs(tone(10, 1000, 32767)) - -3) < 0.2);
  });
});
