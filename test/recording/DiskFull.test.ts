import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StereoWavRecorder } from '../../src/recording/StereoWavRecorder.js';
import { WAV_HEADER_SIZE } from '../../src/media/wav/WavHeader.js';
import { framesOf, ramp, readStereo } from './wavTools.js';
import { mountSmallDisk } from '../helpers/smallDisk.js';

const RATE = 16_000;
const FRAME = 320;
const small = mountSmallDisk();
const disk = small.path ?? '';
after(() => small.remove());

describe('a recording on a disk that fills up', { skip: small.skip }, () => {
  const filler = join(disk, 'filler');
  before(() => {
    // Leaves about 64 KiB: one second of 16 kHz stereo.
    writeFileSync(filler, Buffer.alloc(448 * 1024, 1));
  });

  test('goes on as silence while the disk is full, resumes when space returns, and stays a valid WAV', async () => {
    const path = join(disk, 'call-1', 'pipeline-1.wav');
    const space: unknown[] = [];
    const recorder = new StereoWavRecorder({
      path,
      sampleRate: RATE,
      onError: (error) => assert.fail(`a full disk failed the recording: ${error.message}`),
      onSpace: (s) => space.push(s),
    });
    const left = ramp(1, 6 * RATE);
    const right = ramp(30_001, 6 * RATE);
    const leftFrames = framesOf(left, 0, 0);
    const rightFrames = framesOf(right, 1, 0);
    const writeSeconds = (from: number, to: number) => {
      for (let i = (from * RATE) / FRAME; i < (to * RATE) / FRAME; i++) {
        recorder.write(leftFrames[i]!);
        recorder.write(rightFrames[i]!);
      }
    };

    writeSeconds(0, 3);
    await recorder.written();
    assert.deepEqual(space, [{ full: true, code: 'ENOSPC' }], 'the full disk is reported once');

    rmSync(filler);
    writeSeconds(3, 6);
    await recorder.written();
    assert.deepEqual(space, [{ full: true, code: 'ENOSPC' }, { full: false }], 'and its return once');

    const summary = await recorder.finish();
    assert.equal(summary.durationMs, 6000);
    assert.ok(summary.lostMs > 500 && summary.lostMs < 3000, `lost ${summary.lostMs} ms`);
    assert.equal(statSync(path).size, WAV_HEADER_SIZE + 6 * RATE * 4, 'the header and the file agree');
    const wav = readStereo(path);
    assert.equal(wav.left.length, 6 * RATE);
    // The start and the end are the audio; what found no room is silence, nothing is shifted.
    assert.deepEqual(wav.left.subarray(0, RATE / 2), left.subarray(0, RATE / 2));
    assert.deepEqual(wav.right.subarray(5 * RATE), right.subarray(5 * RATE));
    const silent = wav.left.filter((v) => v === 0).length;
    assert.equal(silent, (summary.lostMs / 1000) * RATE, 'the lost audio is silence');
  });
});
