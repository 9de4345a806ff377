import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StereoInterleaver } from '../../src/recording/StereoInterleaver.js';

/** Concatenates the blocks handed out. */
function join(blocks: Int16Array[]): Int16Array {
  const out = new Int16Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const block of blocks) {
    out.set(block, at);
    at += block.length;
  }
  return out;
}

/** Samples numbered from `first` (never 0, so silence is told apart). */
const ramp = (first: number, length: number) => Int16Array.from({ length }, (_, i) => first + i);

/** One channel of an interleaved stereo stream. */
const channelOf = (stereo: Int16Array, channel: number) => stereo.filter((_, i) => i % 2 === channel);

describe('StereoInterleaver', () => {
  test('two channels starting at different positions, arriving out of step, come out aligned', () => {
    const interleaver = new StereoInterleaver({ holdbackFrames: 50, blockFrames: 10 });
    const blocks: Int16Array[] = [];
    // Left from position 0, right from 25; right arrives two frames behind left.
    for (let f = 0; f < 20; f++) {
      blocks.push(...interleaver.processInput(0, ramp(1000 + f * 10, 10), f * 10));
      if (f >= 2)
        blocks.push(...interleaver.processInput(1, ramp(5000 + (f - 2) * 10, 10), 25 + (f - 2) * 10));
    }
    blocks.push(...interleaver.drain());
    const stereo = join(blocks);
    assert.equal(stereo.length / 2, 25 + 18 * 10, 'ends with the right channel, which ends last');
    const left = channelOf(stereo, 0);
    const right = channelOf(stereo, 1);
    assert.deepEqual(left.subarray(0, 200), ramp(1000, 200));
    assert.deepEqual(left.subarray(200), new Int16Array(5), 'left is silent after its end');
    assert.deepEqual(right.subarray(0, 25), new Int16Array(25), 'right is silent before its start');
    assert.deepEqual(right.subarray(25), ramp(5000, 180));
    assert.equal(interleaver.lateFrames, 0);
  });

  test('gaps within a channel, and in both, are silence; a long gap never allocates much at once', () => {
    const interleaver = new StereoInterleaver({ holdbackFrames: 16, blockFrames: 8 });
    const blocks = [
      ...interleaver.processInput(0, ramp(1, 8), 0),
      ...interleaver.processInput(1, ramp(200, 24), 0),
      // A lost packet: 8..16 never arrives on the left.
      ...interleaver.processInput(0, ramp(100, 8), 16),
      // Both silent for 100 000 frames (about six seconds at 16 kHz).
      ...interleaver.processInput(0, ramp(300, 8), 100_024),
      ...interleaver.drain(),
    ];
    assert.ok(Math.max(...blocks.map((b) => b.length)) <= 2 * 16_000, 'silence comes in bounded blocks');
    const stereo = join(blocks);
    const left = channelOf(stereo, 0);
    const right = channelOf(stereo, 1);
    assert.equal(left.length, 100_032);
    assert.deepEqual(left.subarray(0, 8), ramp(1, 8));
    assert.deepEqual(left.subarray(8, 16), new Int16Array(8));
    assert.deepEqual(left.subarray(16, 24), ramp(100, 8));
    assert.deepEqual(right.subarray(0, 24), ramp(200, 24));
    assert.ok(left.subarray(24, 100_024).every((s) => s === 0) && right.subarray(24).every((s) => s === 0));
    assert.deepEqual(left.subarray(100_024), ramp(300, 8));
  });

  test('samples for a place already handed out are dropped and counted, the rest of the frame kept', () => {
    const interleaver = new StereoInterleaver({ holdbackFrames: 10, blockFrames: 10 });
    const blocks = interleaver.processInput(0, ramp(1, 40), 0);
    assert.equal(interleaver.finalFrames, 30);
    blocks.push(...interleaver.processInput(1, ramp(500, 10), 25), ...interleaver.drain());
    assert.equal(interleaver.lateFrames, 5);
    const right = channelOf(join(blocks), 1);
    assert.deepEqual(right.subarray(25, 30), new Int16Array(5), 'the late half is not written');
    assert.deepEqual(right.subarray(30, 35), ramp(505, 5), 'the timely half is');
  });

  test('the output does not depend on how the input is cut (frames, or one sample at a time)', () => {
    const left = ramp(1, 997);
    const right = ramp(3000, 601);
    const feed = (size: number) => {
      const interleaver = new StereoInterleaver({ holdbackFrames: 100, blockFrames: 32 });
      const blocks: Int16Array[] = [];
      for (let i = 0; i < left.length; i += size) {
        blocks.push(...interleaver.processInput(0, left.subarray(i, i + size), 3 + i));
        if (i < right.length)
          blocks.push(...interleaver.processInput(1, right.subarray(i, i + size), 50 + i));
      }
      return { blocks, drained: interleaver.drain() };
    };
    const frames = feed(20);
    const samples = feed(1);
    assert.deepEqual(
      join([...samples.blocks, ...samples.drained]),
      join([...frames.blocks, ...frames.drained]),
    );
    assert.ok(
      samples.blocks.every((b) => b.length >= 2 * 32),
      'blocks while streaming are at least blockFrames',
    );
  });

  test('channels other than 0 and 1 are ignored', () => {
    const interleaver = new StereoInterleaver({ holdbackFrames: 4, blockFrames: 4 });
    assert.deepEqual(interleaver.processInput(2, ramp(1, 8), 0), []);
    assert.equal(interleaver.endFrames, 0);
  });
});
