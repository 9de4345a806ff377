import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NARROWBAND_DELAY_SAMPLES,
  NarrowbandDecoder,
  NarrowbandEncoder,
  decodeAudioMessage,
  encodeStreamAdded,
} from '../../src/cluster/AudioWire.js';
import { Upsampler2x } from '../../src/media/codec/Resampler.js';
import type { PcmFrame } from '../../src/media/MediaTypes.js';

/** 20 ms frames of 8 kHz audio upsampled the way the media stage does it (one upsampler per stream). */
function g711Frames(count: number, seed = 1): PcmFrame[] {
  const up = new Upsampler2x();
  let state = seed;
  const frames: PcmFrame[] = [];
  for (let f = 0; f < count; f++) {
    const narrow = new Int16Array(160);
    for (let i = 0; i < narrow.length; i++) {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      narrow[i] = Math.round(Math.sin((f * 160 + i) / 7) * 8000 + ((state >> 8) % 4000) - 2000);
    }
    const samples = new Int16Array(320);
    up.process(narrow, narrow.length, samples);
    frames.push({ channel: 1, samples, offsetMs: 40 + f * 20, concealed: f === 3 });
  }
  return frames;
}

/** The samples of a frame sequence laid out on the media clock (16 per ms). */
function timeline(frames: readonly PcmFrame[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const frame of frames)
    frame.samples.forEach((value, i) => out.set(Math.round(frame.offsetMs * 16) + i, value));
  return out;
}

describe('audio on the wire between sip and worker', () => {
  test('G.711 audio travels at 8 kHz and comes back sample for sample at its media time', () => {
    const frames = g711Frames(50);
    const encoder = new NarrowbandEncoder();
    const decoder = new NarrowbandDecoder();
    let bytes = 0;
    const received: PcmFrame[] = [];
    for (const frame of frames) {
      const wire = encoder.encode(frame);
      bytes += wire.length;
      const message = decodeAudioMessage(wire);
      assert.ok(message?.kind === 'frame' && message.narrowband, 'sent narrowband');
      const decoded = decoder.decode(message);
      if (decoded) received.push(decoded);
    }
    assert.equal(encoder.wideband, false);
    assert.equal(bytes, frames.length * (12 + 320), 'half the samples, plus a 12-byte header');
    assert.equal(received[3]!.concealed, true);
    const sent = timeline(frames);
    const got = timeline(received);
    // Everything but the last 1.5 ms (still in the decoder's filter) arrives, each sample in its place;
    // the 1.5 ms before the first frame are the silence the media stage's filter started from.
    const start = Math.round(frames[0]!.offsetMs * 16);
    for (const [t, value] of got) assert.equal(value, t < start ? 0 : sent.get(t), `sample at ${t / 16} ms`);
    assert.equal([...got.keys()].filter((t) => sent.has(t)).length, sent.size - NARROWBAND_DELAY_SAMPLES);
  });

  test('audio the worker could not rebuild exactly is sent at 16 kHz from then on', () => {
    const frames = g711Frames(10);
    const wideband = { ...frames[5]!, samples: frames[5]!.samples.map((v, i) => (i % 2 ? v + 99 : v)) };
    const encoder = new NarrowbandEncoder();
    const decoder = new NarrowbandDecoder();
    const flags = [...frames.slice(0, 5), wideband, ...frames.slice(6)].map((frame) => {
      const message = decodeAudioMessage(encoder.encode(frame));
      assert.ok(message?.kind === 'frame');
      const decoded = decoder.decode(message);
      if (!message.narrowband) assert.deepEqual(decoded, message.frame, '16 kHz frames pass unchanged');
      return message.narrowband;
    });
    assert.deepEqual(flags, [true, true, true, true, true, false, false, false, false, false]);
    assert.equal(encoder.wideband, true);
  });

  test('a stream added mid-call travels as JSON; malformed messages decode to null', () => {
    const stream = {
      mediaIndex: 1,
      mediaLabel: '2',
      channel: 1,
      isCaller: false,
      streamArn: 'arn:x',
      startFragmentNumber: '1',
    };
    assert.deepEqual(decodeAudioMessage(encodeStreamAdded(stream)), { kind: 'streamAdded', stream });
    assert.equal(decodeAudioMessage(new Uint8Array([1, 0, 0])), null);
    assert.equal(decodeAudioMessage(new Uint8Array([9, 0, 0, 0])), null);
    assert.equal(decodeAudioMessage(new Uint8Array([2, 0x7b])), null);
  });
});
