import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WavHeader } from '../../src/media/wav/WavHeader.js';
import { RecordingClock } from '../../src/recording/RecordingClock.js';
import { mergeSpans, silenceSpans } from '../../src/recording/WavRedaction.js';
import { ramp, readStereo } from './wavTools.js';

const root = mkdtempSync(join(tmpdir(), 'callsight-wav-redaction-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A stereo WAV whose left channel is `left` and right `right`. */
function stereoAt(path: string, left: Int16Array, right: Int16Array): void {
  const data = Buffer.alloc(left.length * 4);
  for (let i = 0; i < left.length; i++) {
    data.writeInt16LE(left[i]!, 4 * i);
    data.writeInt16LE(right[i]!, 4 * i + 2);
  }
  const header = new WavHeader({ channels: 2, sampleRate: 16_000, dataBytes: data.length }).serialize();
  writeFileSync(path, Buffer.concat([header, data]));
}

describe('silenceSpans', () => {
  test('zeroes exactly the spans of their channel, in place; the other channel and the rest stay', async () => {
    const path = join(root, 'a.wav');
    // Longer than one chunk (262,144 frames), so that a span crossing a chunk boundary is covered.
    const frames = 300_000;
    const left = ramp(1, frames);
    const right = ramp(9, frames);
    stereoAt(path, left, right);
    const result = await silenceSpans(path, [
      { channel: 0, start: 100, end: 200 },
      { channel: 0, start: 150, end: 260 }, // overlaps the first
      { channel: 1, start: 262_000, end: 270_000 },
      { channel: 0, start: 299_990, end: 400_000 }, // past the end: clipped
      { channel: 3, start: 0, end: 10 }, // no such channel
    ]);
    assert.deepEqual(result, { silencedFrames: 160 + 8000 + 10, spans: 3 });
    const wav = readStereo(path);
    const expectLeft = Int16Array.from(left);
    expectLeft.fill(0, 100, 260).fill(0, 299_990);
    const expectRight = Int16Array.from(right);
    expectRight.fill(0, 262_000, 270_000);
    assert.deepEqual(wav.left, expectLeft);
    assert.deepEqual(wav.right, expectRight);
    assert.equal(wav.header.dataBytes, frames * 4, 'the header is unchanged');
  });

  test('mergeSpans merges touching spans per channel and drops empty ones', () => {
    assert.deepEqual(
      mergeSpans(
        [
          { channel: 1, start: 5, end: 9 },
          { channel: 0, start: 10, end: 20 },
          { channel: 0, start: 20, end: 30 },
          { channel: 0, start: 40, end: 40 },
          { channel: 0, start: -5, end: 2.5 },
        ],
        100,
      ),
      [
        { channel: 0, start: 0, end: 3 },
        { channel: 0, start: 10, end: 30 },
        { channel: 1, start: 5, end: 9 },
      ],
    );
  });
});

describe('RecordingClock.framesOf: call time to file positions', () => {
  test('from the first frame on, less the paused time; what fell in a pause is not in the file', () => {
    const clock = new RecordingClock(16_000);
    assert.deepEqual(clock.framesOf(0, 1000), [], 'nothing recorded yet');
    assert.equal(clock.positionOf(500), 0); // the first frame at 500 ms
    assert.deepEqual(clock.framesOf(600, 700), [[1600, 3200]]);
    assert.deepEqual(clock.framesOf(400, 510), [[0, 160]], 'before the first frame: not in the file');
    clock.pause(16_000); // one second recorded (500–1500 ms)
    clock.resume();
    assert.equal(clock.positionOf(3500), 16_000, 'after a 2 s pause the file goes on where it stopped');
    assert.deepEqual(clock.framesOf(3600, 3700), [[17_600, 19_200]]);
    // A span across the pause: its recorded parts before and after, nothing of the paused time.
    assert.deepEqual(clock.framesOf(1400, 3600), [
      [14_400, 16_000],
      [16_000, 17_600],
    ]);
  });
});
