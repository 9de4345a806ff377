import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AudioReplayBuffer,
  decodeReplay,
  encodeReplay,
  encodeReplayRequest,
  parseReplayRequest,
} from '../../src/cluster/AudioReplay.js';
import { CallAudioFeed, CallAudioPublisher } from '../../src/cluster/CallAudio.js';
import { ClusterSubjects } from '../../src/cluster/ClusterSubjects.js';
import type { CallInfo } from '../../src/connector/CallTypes.js';
import { silentLogger } from '../../src/platform/logger.js';
import { decodeG711, encodeG711 } from '../../src/media/codec/G711.js';
import { Upsampler2x } from '../../src/media/codec/Resampler.js';
import type { PcmFrame } from '../../src/media/MediaTypes.js';
import { readWav } from '../../src/media/wav/WavFile.js';
import { connectNats, type NatsConnection } from '../../src/platform/nats/NatsConnection.js';
import { startNatsServer, uniqueName, type NatsServer } from '../helpers/natsServer.js';

/** demo-customer.wav as the media stage hands it on: G.711, 16 kHz, 20 ms frames on one channel. */
function speechFrames(channel: number, seconds: number): PcmFrame[] {
  const wav = readWav(new URL('../fixtures/audio/demo-customer.wav', import.meta.url).pathname);
  const line = decodeG711('PCMU', encodeG711('PCMU', wav.samples.subarray(0, 8000 * seconds)));
  const up = new Upsampler2x();
  const frames: PcmFrame[] = [];
  for (let i = 0; i + 160 <= line.length; i += 160) {
    const samples = new Int16Array(320);
    up.process(line.subarray(i, i + 160), 160, samples);
    frames.push({ channel, samples, offsetMs: i / 8, concealed: false });
  }
  return frames;
}

const message = (offsetMs: number, bytes = 40) => {
  const data = new Uint8Array(bytes);
  new DataView(data.buffer).setFloat64(4, offsetMs, true);
  return data;
};

describe('AudioReplayBuffer', () => {
  test('keeps each call for the window, from a media time per channel, newest kept when too large', () => {
    const buffer = new AudioReplayBuffer(1000);
    for (let t = 0; t < 3000; t += 20) {
      buffer.add('a', 0, t, message(t));
      buffer.add('a', 1, t, message(t));
    }
    const all = buffer.since(
      'a',
      new Map([
        [0, 0],
        [1, 2500],
      ]),
      1e9,
    );
    const offsets = all.map((m) => new DataView(m.buffer, m.byteOffset).getFloat64(4, true));
    // Channel 0 from the window's start (1980 ms, the newest frame being 2980), channel 1 from 2500.
    assert.equal(offsets.filter((t) => t < 2500).length, (2500 - 1980) / 20);
    assert.equal(Math.min(...offsets), 1980);
    assert.equal(all.length, (2980 - 1980) / 20 + 1 + (2980 - 2500) / 20 + 1);
    const newest = buffer.since('a', new Map([[0, 0]]), 10 * 44);
    assert.deepEqual(
      newest.map((m) => new DataView(m.buffer, m.byteOffset).getFloat64(4, true)),
      [2800, 2820, 2840, 2860, 2880, 2900, 2920, 2940, 2960, 2980],
    );
    assert.deepEqual(buffer.since('b', new Map([[0, 0]]), 1e9), []);
    buffer.delete('a');
    assert.equal(buffer.has('a'), false);
  });

  test('a window of 0 keeps nothing', () => {
    const buffer = new AudioReplayBuffer(0);
    buffer.add('a', 0, 0, message(0));
    assert.equal(buffer.has('a'), false);
  });

  test('replies and requests decode back; malformed ones are refused', () => {
    const messages = [message(0), message(20, 100)];
    assert.deepEqual(decodeReplay(encodeReplay(messages)), messages);
    assert.deepEqual(decodeReplay(new Uint8Array(0)), []);
    assert.equal(decodeReplay(encodeReplay(messages).subarray(0, 50)), null);
    assert.equal(decodeReplay(new Uint8Array([3, 0, 0, 0, 1, 2, 3])), null, 'shorter than a frame header');
    const from = new Map([
      [0, 1234.5],
      [1, 0],
    ]);
    assert.deepEqual(parseReplayRequest(encodeReplayRequest(from)), from);
    for (const bad of ['', '{}', '{"from":{"x":1}}', '{"from":{"0":"1"}}', '{"from":{"0":null}}'])
      assert.equal(parseReplayRequest(Buffer.from(bad)), null, bad);
  });
});

describe('audio replay between a sip process and a worker, over NATS', () => {
  let nats: NatsServer | null = null;
  let skip: string | false = false;
  let sipSide: NatsConnection;
  let workerSide: NatsConnection;
  const subjects = new ClusterSubjects(uniqueName('replay'));

  before(async () => {
    const started = await startNatsServer();
    ({ server: nats, skip } = started);
    if (skip) return;
    sipSide = await connectNats({ url: nats!.url });
    workerSide = await connectNats({ url: nats!.url });
  });

  after(async () => {
    await sipSide?.close();
    await workerSide?.close();
    await nats?.stop();
  });

  test('a worker gets the speech of a call from a media time on, sample for sample', async (t) => {
    if (skip) return t.skip(skip);
    const publisher = new CallAudioPublisher(sipSide, subjects, 5000);
    const serving = publisher.serveReplays(silentLogger);
    const call = { callId: 'call/1 é' } as CallInfo;
    const frames = [...speechFrames(0, 8), ...speechFrames(1, 8)].sort((a, b) => a.offsetMs - b.offsetMs);
    for (const frame of frames) publisher.frame(call, frame);
    await sipSide.flush();
    const feed = new CallAudioFeed(workerSide, subjects, silentLogger);
    try {
      const replayed = await feed.replay(
        call.callId,
        new Map([
          [0, 6000],
          [1, 0],
        ]),
        2000,
      );
      const ofChannel = (c: number) => replayed.filter((f) => f.channel === c);
      // Channel 0 from 6 s on; channel 1 the whole window (the last 5 s: from 3 s on). The decoder
      // moves each frame 1.5 ms back, to the media time of its samples.
      assert.equal(ofChannel(0)[0]!.offsetMs, 6000 - 1.5);
      assert.equal(ofChannel(0).length, 100);
      assert.equal(ofChannel(1)[0]!.offsetMs, 2980 - 1.5);
      const sent = new Map(frames.filter((f) => f.channel === 1).map((f) => [f.offsetMs, f.samples]));
      // After the first frame (the decoder's filter warming up), each frame is what was sent 1.5 ms later.
      const second = ofChannel(1)[1]!;
      const original = sent.get(second.offsetMs + 1.5)!;
      const previous = sent.get(second.offsetMs + 1.5 - 20)!;
      const expected = [...previous.subarray(320 - 24), ...original.subarray(0, 320 - 24)];
      assert.deepEqual([...second.samples], expected);
      assert.equal(publisher.replaysServed, 1);

      assert.deepEqual(await feed.replay('another call', new Map([[0, 0]]), 300), [], 'nobody has it');
      publisher.ended(call.callId);
      assert.deepEqual(await feed.replay(call.callId, new Map([[0, 0]]), 300), [], 'the call is over');
    } finally {
      serving.close();
    }
  });
});
