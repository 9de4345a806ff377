import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWav } from '../../src/media/wav/WavFile.js';
import { StereoWavRecorder } from '../../src/recording/StereoWavRecorder.js';
import { WAV_HEADER_SIZE, WavHeader } from '../../src/media/wav/WavHeader.js';
import { CallsightError } from '../../src/platform/errors.js';
import { framesOf, ramp, readStereo, soxInfo } from './wavTools.js';

const RATE = 16_000;
const FRAME = 320; // 20 ms
const dir = mkdtempSync(join(tmpdir(), 'callsight-recorder-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('StereoWavRecorder', () => {
  test('two channels with different start offsets stay aligned; lost packets and the late start are silence', async () => {
    const path = join(dir, 'aligned.wav');
    const recorder = new StereoWavRecorder({ path, sampleRate: RATE });
    // The caller from 120 ms of the call for 3 s; the other party from 620 ms for 2.5 s.
    const caller = framesOf(ramp(1, 3 * RATE), 0, 120);
    const callee = framesOf(ramp(20_001, 2.5 * RATE), 1, 620);
    const lost = new Set([40, 41, 42]); // 60 ms of the caller never arrives (frames 40–42: 800–860 ms into it)
    // The callee's frames arrive 5 frames (100 ms) behind the caller's, as separate RTP streams do.
    for (let i = 0; i < caller.length + 5; i++) {
      if (i < caller.length && !lost.has(i)) recorder.write(caller[i]!);
      const j = i - 5 - 25; // callee starts 500 ms (25 frames) later
      if (j >= 0 && j < callee.length) recorder.write(callee[j]!);
    }
    await recorder.written();
    assert.ok(existsSync(`${path}.part`) && !existsSync(path), 'written as .part while recording');
    const summary = await recorder.finish();
    assert.ok(!existsSync(`${path}.part`) && existsSync(path), 'renamed when finished');

    // The file runs from the first frame (120 ms) to the end of the caller's audio (3120 ms).
    assert.equal(summary.durationMs, 3000);
    assert.deepEqual(
      [summary.startOffsetMs, summary.endOffsetMs, summary.skippedMs, summary.lateMs],
      [120, 3120, 0, 0],
    );
    const wav = readStereo(path);
    const expectedLeft = ramp(1, 3 * RATE);
    expectedLeft.fill(0, 40 * FRAME, 43 * FRAME);
    assert.deepEqual(wav.left, expectedLeft, 'left: the caller, silent where its packets were lost');
    const expectedRight = new Int16Array(3 * RATE);
    expectedRight.set(ramp(20_001, 2.5 * RATE), 0.5 * RATE);
    assert.deepEqual(wav.right, expectedRight, 'right: silence for 500 ms, then the callee, sample-aligned');

    // The header is right, as our reader, src/media/wav/WavFile.ts and sox each read it.
    assert.equal(wav.header.dataBytes, 3 * RATE * 4);
    assert.equal(wav.fileBytes, WAV_HEADER_SIZE + wav.header.dataBytes);
    assert.equal(wav.header.riffBytes, wav.fileBytes - 8);
    assert.equal(summary.sizeBytes, wav.fileBytes);
    const mono = readWav(path);
    assert.equal(mono.sampleRate, RATE);
    assert.deepEqual(mono.samples, expectedLeft, 'readWav reads the first channel');
    assert.deepEqual(soxInfo(path), { channels: 2, sampleRate: RATE, samples: 3 * RATE, seconds: 3 });
  });

  test('while paused nothing is recorded, and the file skips the paused time', async () => {
    const path = join(dir, 'paused.wav');
    const recorder = new StereoWavRecorder({ path, sampleRate: RATE });
    const call = ramp(1, 5 * RATE); // 5 s of the caller, from 0 ms
    const frames = framesOf(call, 0, 0);
    const at = (ms: number) => ms / 20;
    for (const frame of frames.slice(0, at(1000))) recorder.write(frame);
    await recorder.pause();
    // The header on disk already declares everything before the pause.
    const paused = WavHeader.parse(readFileSync(`${path}.part`));
    assert.equal(paused?.dataBytes, RATE * 4);
    for (const frame of frames.slice(at(1000), at(3000))) recorder.write(frame); // dropped: paused
    recorder.resume();
    for (const frame of frames.slice(at(3000))) recorder.write(frame);
    const summary = await recorder.finish();

    assert.equal(summary.durationMs, 3000, '5 s call less 2 s paused');
    assert.deepEqual([summary.startOffsetMs, summary.endOffsetMs, summary.skippedMs], [0, 5000, 2000]);
    const wav = readStereo(path);
    const expected = new Int16Array(3 * RATE);
    expected.set(call.subarray(0, RATE), 0);
    expected.set(call.subarray(3 * RATE), RATE);
    assert.deepEqual(wav.left, expected, 'the second after the pause follows the one before it');
    assert.equal(soxInfo(path).seconds, 3);
  });

  test('the header on disk follows the audio every second, so a crash loses no more than that', async () => {
    const path = join(dir, 'interval.wav');
    const recorder = new StereoWavRecorder({ path, sampleRate: RATE, holdbackMs: 100, blockMs: 100 });
    const frames = framesOf(ramp(1, 4 * RATE), 0, 0);
    const declared: number[] = [];
    for (const [i, frame] of frames.entries()) {
      recorder.write(frame);
      if (i % 10 === 9) {
        await recorder.written();
        const header = WavHeader.parse(readFileSync(`${path}.part`))!;
        const onDisk = readFileSync(`${path}.part`).length - WAV_HEADER_SIZE;
        assert.ok(
          onDisk - header.dataBytes < RATE * 4,
          `header ${header.dataBytes} within a second of ${onDisk} bytes`,
        );
        declared.push(header.dataBytes / 4 / RATE);
      }
    }
    assert.deepEqual([...new Set(declared)], [0, 1, 2, 3], 'rewritten after each second of audio');
    await recorder.finish();
    assert.equal(soxInfo(path).seconds, 4);
  });

  test('a recording that cannot be written reports CS_ERR_RECORDING_FAILED once and finish() rejects', async () => {
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const errors: CallsightError[] = [];
    const recorder = new StereoWavRecorder({
      path: join(blocker, 'call.wav'),
      sampleRate: RATE,
      onError: (e) => errors.push(e),
    });
    for (const frame of framesOf(ramp(1, RATE), 0, 0)) recorder.write(frame);
    await assert.rejects(
      recorder.finish(),
      (err: unknown) => err instanceof CallsightError && err.code === 'CS_ERR_RECORDING_FAILED',
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /cannot create the recording file/);
  });
});
