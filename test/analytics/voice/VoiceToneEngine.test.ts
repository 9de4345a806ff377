import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VoiceToneEngine } from '../../../src/analytics/voice/VoiceToneEngine.js';
import type { AcousticWindow } from '../../../src/analytics/voice/VoiceToneTypes.js';
import { frames } from '../../transcribe/audio.js';
import { analyseSegments } from './evaluate.js';
import { clipAudio, clips, joinAudio } from './voiceToneSet.js';

describe('VoiceToneEngine', () => {
  let engine: VoiceToneEngine;
  let audio: Int16Array;

  before(async () => {
    engine = new VoiceToneEngine({ workers: 2 });
    await engine.ready();
    audio = joinAudio(
      clips()
        .filter((c) => c.voice === 'slt')
        .slice(0, 9)
        .map(clipAudio),
    );
  });
  after(() => engine.close());

  test('the worker reports the same windows as the analysis run in place, and its cost', async () => {
    const stream = engine.openStream();
    const windows: AcousticWindow[] = [];
    stream.on('window', (w) => windows.push(w));
    for (const frame of frames(audio, 0, 1000)) stream.write(frame);
    const stats = await stream.end();
    const expected = analyseSegments([audio])[0]!.map((w) => ({
      ...w,
      beginMs: w.beginMs + 1000,
      endMs: w.endMs + 1000,
    }));
    assert.equal(windows.length, expected.length);
    windows.forEach((w, i) => {
      for (const [key, value] of Object.entries(expected[i]!)) {
        const got = w[key as keyof AcousticWindow];
        if (value === null) assert.equal(got, null, key);
        else assert.ok(Math.abs((got as number) - value) < 1e-6, `${key}: ${got} ≠ ${value}`);
      }
    });
    assert.ok(Math.abs(stats.audioMs - audio.length / 16) < 1);
    assert.ok(stats.busyMs > 0 && stats.busyMs < stats.audioMs * 0.05, `${stats.busyMs} ms busy`);
    assert.deepEqual(engine.workerLoad(), [0, 0], 'the stream is released');
  });

  test('flush() ends a segment: its partial window is reported before flush resolves', async () => {
    const stream = engine.openStream();
    const windows: AcousticWindow[] = [];
    stream.on('window', (w) => windows.push(w));
    for (const frame of frames(audio.subarray(0, 16 * 7200))) stream.write(frame);
    await stream.flush();
    assert.deepEqual(
      windows.map((w) => w.beginMs),
      [0, 5000],
    );
    // The last 25 ms frame starts 30 ms before the audio ends (frames every 10 ms need 25 ms).
    assert.ok(windows[1]!.endMs > 7150 && windows[1]!.endMs <= 7200, `ends at ${windows[1]!.endMs}`);
    // After the segment, audio later on the call clock starts a new window.
    for (const frame of frames(audio.subarray(0, 16 * 3000), 0, 20_000)) stream.write(frame);
    await stream.end();
    assert.deepEqual(windows.at(-1)!.beginMs, 20_000);
  });

  test('streams go to the least-loaded worker; a closed engine refuses new streams', async () => {
    const other = new VoiceToneEngine({ workers: 2 });
    const a = other.openStream();
    const b = other.openStream();
    assert.deepEqual(other.workerLoad(), [1, 1]);
    assert.notEqual(other.workerOfForTesting(a), other.workerOfForTesting(b));
    await Promise.all([a.end(), b.end()]);
    await other.close();
    assert.throws(() => other.openStream(), { code: 'CS_ERR_CLOSED' });
    await assert.rejects(other.ready(), { code: 'CS_ERR_CLOSED' });
  });
});
