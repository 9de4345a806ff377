import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../../src/platform/logger.js';
import { createRequire } from 'node:module';
import type OpusScript from 'opusscript';
import { decodeG711 } from '../../src/media/codec/G711.js';
import { G722Decoder, G722Encoder } from '../../src/media/codec/G722.js';
import { Upsampler2x } from '../../src/media/codec/Resampler.js';
import type { PcmFrame } from '../../src/media/MediaTypes.js';
import { RtpReceiver } from '../../src/media/RtpReceiver.js';
import type { DtmfEvent, RtpReceiverOptions } from '../../src/media/RtpReceiverTypes.js';
import { PortAllocator } from '../../src/media/rtp/PortAllocator.js';
import { RtpPacket } from '../../src/media/rtp/RtpPacket.js';
import { TelephoneEvent } from '../../src/media/rtp/TelephoneEvent.js';
import { capturedLogger } from '../helpers/capturedLogger.js';
import { amplitudeAt, tone } from './support/audio.js';
import { RtpSender, packetize, sleep, waitFor } from './support/RtpSender.js';

const base = 40000 + 2 * Math.floor(Math.random() * 4000);
const ports = new PortAllocator({ min: base, max: base + 199 });
const now = (): number => performance.timeOrigin + performance.now();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

interface Harness {
  receiver: RtpReceiver;
  sender: RtpSender;
  frames: PcmFrame[];
  dtmf: DtmfEvent[];
  firstPacket: { offsetMs: number }[];
  callStartMs: number;
  send: (packets: RtpPacket[], gapMs?: number) => Promise<void>;
}

/** A receiver and a sender whose address and port are the ones in the receiver's SDP, unless overridden. */
async function harness(overrides: Partial<RtpReceiverOptions> = {}): Promise<Harness> {
  const callStartMs = now() - 1000;
  const sender = await RtpSender.open();
  const receiver = await RtpReceiver.open({
    host: '127.0.0.1',
    ports,
    channel: 1,
    expectedRemote: { address: '127.0.0.1', port: sender.port },
    payloadTypes: { audio: 0, encoding: 'PCMU', telephoneEvent: 101 },
    callStartMs,
    logger: silentLogger,
    ...overrides,
  });
  cleanups.push(
    () => receiver.close(),
    () => sender.close(),
  );
  const h: Harness = {
    receiver,
    sender,
    frames: [],
    dtmf: [],
    firstPacket: [],
    callStartMs,
    send: async (packets, gapMs = 1) => {
      for (const p of packets) {
        await sender.send(p.serialize(), receiver.localPort);
        if (gapMs > 0) await sleep(gapMs);
      }
    },
  };
  receiver.on('frame', (f) => h.frames.push(f));
  receiver.on('dtmf', (d) => h.dtmf.push(d));
  receiver.on('firstPacket', (at) => h.firstPacket.push(at));
  return h;
}

/** What the receiver must produce for these 8 kHz samples: the same decode and upsampling, one pass. */
function expected16k(pcmu: Uint8Array[]): Int16Array {
  const decoded = decodeG711('PCMU', Uint8Array.from(pcmu.flatMap((p) => [...p])));
  const out = new Int16Array(decoded.length * 2);
  new Upsampler2x().process(decoded, decoded.length, out);
  return out;
}

function joined(frames: PcmFrame[]): Int16Array {
  const out = new Int16Array(frames.reduce((n, f) => n + f.samples.length, 0));
  let pos = 0;
  for (const f of frames) {
    out.set(f.samples, pos);
    pos += f.samples.length;
  }
  return out;
}

const speech = (seconds: number): Int16Array => {
  // Two tones with a syllable-rate envelope: speech-like level changes through every G.711 segment.
  const n = 8000 * seconds;
  const a = tone(8000, 440, 9000, n);
  const b = tone(8000, 1250, 5000, n, 1);
  return a.map((v, i) => Math.round((v + b[i]!) * (0.55 + 0.45 * Math.sin((2 * Math.PI * 4 * i) / 8000))));
};

const stream = (seconds: number, firstSeq = 1000, firstTs = 50_000, ssrc = 0x1234): RtpPacket[] =>
  packetize(speech(seconds), { encoding: 'PCMU', payloadType: 0, firstSeq, firstTs, ssrc });

/** Consecutive 20 ms packets of already-encoded payloads, the timestamp advancing `units` each. */
function packetsOf(payloads: readonly Uint8Array[], payloadType: number, units: number): RtpPacket[] {
  return payloads.map(
    (payload, i) =>
      new RtpPacket({
        payloadType,
        sequenceNumber: 500 + i,
        timestamp: 90_000 + i * units,
        ssrc: 0xabc,
        marker: i === 0,
        payload,
      }),
  );
}

/** 16 kHz: a 440 Hz tone and a 6 kHz one, which G.711 could not carry. */
const wideband = (seconds: number): Int16Array => {
  const low = tone(16000, 440, 8000, 16000 * seconds);
  const high = tone(16000, 6000, 4000, 16000 * seconds);
  return low.map((v, i) => v + high[i]!);
};

describe('RtpReceiver: wideband codecs', () => {
  test('G.722 (clock 8000, 160 bytes per 20 ms) arrives at 16 kHz as decoded, no upsampling: 6 kHz kept; a loss is 320 samples of silence', async () => {
    const h = await harness({ payloadTypes: { audio: 9, encoding: 'G722', telephoneEvent: null } });
    const encoded = new G722Encoder().encode(wideband(0.4));
    const payloads = Array.from({ length: 20 }, (_, i) => encoded.subarray(160 * i, 160 * (i + 1)));
    const packets = packetsOf(payloads, 9, 160);
    await h.send(packets.filter((_, i) => i !== 7));
    await waitFor(() => h.frames.length === 20, '20 frames');
    assert.deepEqual(
      h.frames.map((f) => [f.samples.length, f.concealed]),
      payloads.map((_, i) => [320, i === 7]),
    );
    for (let i = 1; i < 20; i++)
      assert.ok(Math.abs(h.frames[i]!.offsetMs - h.frames[i - 1]!.offsetMs - 20) < 1e-6, `frame ${i}`);
    const expected = new G722Decoder().decode(Uint8Array.from(payloads.flatMap((p) => [...p])));
    expected.fill(0, 7 * 320, 8 * 320);
    const got = joined(h.frames);
    // Frames after the loss were decoded with the lost packet's state missing: identical up to it.
    assert.deepEqual(got.subarray(0, 7 * 320), expected.subarray(0, 7 * 320));
    assert.ok(amplitudeAt(got.subarray(9 * 320, 9 * 320 + 3200), 16000, 6000) > 3000, '6 kHz survives');
  });

  test('Opus (clock 48000, 960 units per 20 ms) is decoded to 16 kHz: 320 samples a packet, 6 kHz kept, closed with the stream', async () => {
    const require = createRequire(import.meta.url);
    const Opus = require('opusscript') as typeof OpusScript;
    const encoder = new Opus(16000, 1, Opus.Application.AUDIO);
    encoder.setBitrate(32000);
    const input = wideband(0.4);
    const payloads = Array.from({ length: 20 }, (_, i) => {
      const frame = input.subarray(320 * i, 320 * (i + 1));
      return new Uint8Array(
        encoder.encode(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), 320),
      );
    });
    encoder.delete();
    const h = await harness({ payloadTypes: { audio: 111, encoding: 'OPUS', telephoneEvent: null } });
    await h.send(packetsOf(payloads, 111, 960));
    await waitFor(() => h.frames.length === 20, '20 frames');
    assert.ok(h.frames.every((f) => f.samples.length === 320 && !f.concealed));
    for (let i = 1; i < 20; i++)
      assert.ok(Math.abs(h.frames[i]!.offsetMs - h.frames[i - 1]!.offsetMs - 20) < 1e-6, `frame ${i}`);
    const got = joined(h.frames).subarray(1600);
    assert.ok(amplitudeAt(got, 16000, 440) > 6000, `440 Hz: ${amplitudeAt(got, 16000, 440).toFixed(0)}`);
    assert.ok(amplitudeAt(got, 16000, 6000) > 2500, `6 kHz: ${amplitudeAt(got, 16000, 6000).toFixed(0)}`);
    // A packet that is not Opus is concealed, not thrown.
    const bad = { payloadType: 111, sequenceNumber: 520, timestamp: 90_000 + 20 * 960, ssrc: 0xabc };
    await h.send([new RtpPacket({ ...bad, payload: Uint8Array.of(0xff, 0xff, 0xff) })]);
    await waitFor(() => h.frames.length === 21, 'the bad packet');
    assert.equal(h.frames[20]!.concealed, true);
  });
});

describe('RtpReceiver', () => {
  test('in-order audio arrives as 16 kHz frames with exact samples and offsets on the media clock', async () => {
    const h = await harness();
    const packets = stream(1);
    await h.send(packets);
    await waitFor(() => h.frames.length === 50, '50 frames');
    assert.equal(h.firstPacket.length, 1);
    const first = h.firstPacket[0]!.offsetMs;
    assert.ok(first >= 1000 && first < 5000, `first packet at ${first} ms`);
    h.frames.forEach((f, i) => {
      assert.equal(f.channel, 1);
      assert.equal(f.concealed, false);
      assert.equal(f.samples.length, 320);
      assert.ok(Math.abs(f.offsetMs - (first + 20 * i)) < 1e-6, `frame ${i} at ${f.offsetMs}`);
    });
    assert.deepEqual(joined(h.frames), expected16k(packets.map((p) => p.payload)));
    assert.ok(
      amplitudeAt(joined(h.frames).subarray(3200, 3200 + 4096), 16000, 1250) > 1000,
      'the 1250 Hz partial survives',
    );
    const stats = h.receiver.stats();
    assert.equal(stats.packetsReceived, 50);
    assert.equal(stats.packetsLost + stats.packetsDuplicate + stats.packetsSpoofed + stats.packetsInvalid, 0);
  });

  test('packet sizes other than 20 ms work (30 ms → 480 samples)', async () => {
    const h = await harness();
    const packets = packetize(speech(0.3), {
      encoding: 'PCMU',
      payloadType: 0,
      firstSeq: 1,
      firstTs: 0,
      ssrc: 7,
      samplesPerPacket: 240,
    });
    await h.send(packets);
    await waitFor(() => h.frames.length === 10, '10 frames');
    assert.deepEqual(
      h.frames.map((f) => f.samples.length),
      Array(10).fill(480),
    );
    assert.ok(Math.abs(h.frames[9]!.offsetMs - h.frames[0]!.offsetMs - 270) < 1e-6);
  });

  test('A-law streams decode with the A-law table', async () => {
    const h = await harness({ payloadTypes: { audio: 8, encoding: 'PCMA', telephoneEvent: null } });
    const packets = packetize(speech(0.2), {
      encoding: 'PCMA',
      payloadType: 8,
      firstSeq: 1,
      firstTs: 0,
      ssrc: 7,
    });
    await h.send(packets);
    await waitFor(() => h.frames.length === 10, '10 frames');
    const decoded = decodeG711('PCMA', Uint8Array.from(packets.flatMap((p) => [...p.payload])));
    const out = new Int16Array(decoded.length * 2);
    new Upsampler2x().process(decoded, decoded.length, out);
    assert.deepEqual(joined(h.frames), out);
  });

  test('reordered packets come out in order', async () => {
    const h = await harness();
    const packets = stream(0.4);
    const shuffled = [...packets];
    for (let i = 1; i + 1 < shuffled.length; i += 3)
      [shuffled[i], shuffled[i + 1]] = [shuffled[i + 1]!, shuffled[i]!];
    await h.send(shuffled);
    await waitFor(() => h.frames.length === 20, '20 frames');
    assert.deepEqual(joined(h.frames), expected16k(packets.map((p) => p.payload)));
    assert.ok(h.receiver.stats().packetsReordered >= 6);
    assert.equal(h.receiver.stats().packetsLost, 0);
  });

  test('duplicates are dropped and counted', async () => {
    const h = await harness();
    const packets = stream(0.2);
    await h.send(packets.flatMap((p) => [p, p]));
    await waitFor(() => h.receiver.stats().packetsDuplicate === 10, '10 duplicates');
    assert.equal(h.frames.length, 10);
    assert.deepEqual(joined(h.frames), expected16k(packets.map((p) => p.payload)));
  });

  test('lost packets become concealed silence frames that keep the media clock continuous', async () => {
    const h = await harness();
    const packets = stream(0.4);
    const dropped = new Set([5, 6, 12]);
    await h.send(packets.filter((_, i) => !dropped.has(i)));
    await waitFor(() => h.frames.length === 20, '20 frames including concealed ones');
    assert.deepEqual(
      h.frames.flatMap((f, i) => (f.concealed ? [i] : [])),
      [...dropped],
    );
    for (let i = 1; i < 20; i++)
      assert.ok(Math.abs(h.frames[i]!.offsetMs - h.frames[i - 1]!.offsetMs - 20) < 1e-6);
    const silence = new Uint8Array(160).fill(0xff);
    assert.deepEqual(
      joined(h.frames),
      expected16k(packets.map((p, i) => (dropped.has(i) ? silence : p.payload))),
    );
    assert.equal(h.receiver.stats().packetsLost, 3);
  });

  test('the drain timer releases a gap even when the sender stops', async () => {
    const h = await harness({ jitterDepthMs: 40 });
    const packets = stream(0.1);
    await h.send([packets[0]!, packets[2]!, packets[3]!]);
    await waitFor(() => h.frames.length === 4, 'gap released by the timer');
    assert.deepEqual(
      h.frames.map((f) => f.concealed),
      [false, true, false, false],
    );
  });

  test('a spoofed source is dropped and counted while the real stream continues', async () => {
    const h = await harness();
    const intruder = await RtpSender.open();
    cleanups.push(() => intruder.close());
    const packets = stream(0.4);
    const fake = stream(0.4, 1000, 50_000).map(
      (p) => new RtpPacket({ ...p, csrcs: [], payload: new Uint8Array(160).fill(0x00) }),
    );
    for (let i = 0; i < packets.length; i++) {
      await h.sender.send(packets[i]!.serialize(), h.receiver.localPort);
      await intruder.send(fake[i]!.serialize(), h.receiver.localPort);
      await sleep(1);
    }
    await waitFor(
      () => h.frames.length === 20 && h.receiver.stats().packetsSpoofed === 20,
      'real frames and spoof count',
    );
    assert.deepEqual(joined(h.frames), expected16k(packets.map((p) => p.payload)));
    assert.equal(h.receiver.stats().packetsDuplicate, 0);
  });

  test('strict source: packets from an address other than the SDP c= address are spoofed', async () => {
    const h = await harness({ expectedRemote: { address: '10.9.8.7', port: 4000 }, learnSource: false });
    await h.send(stream(0.1));
    await waitFor(() => h.receiver.stats().packetsSpoofed === 5, '5 spoofed');
    assert.equal(h.frames.length, 0);
    h.receiver.setExpectedRemote(null);
    await h.send(stream(0.1, 2000));
    await waitFor(() => h.frames.length === 5, 'frames after re-targeting');
  });

  test('NAT: a party sending from another address and port than its SDP is learned after a run of 4, nothing lost', async () => {
    const sdp = { address: '127.0.0.1', port: 9 }; // what the party's SDP says: nobody sends from there
    const h = await harness({ expectedRemote: sdp });
    const natted = await RtpSender.open('127.0.0.2');
    cleanups.push(() => natted.close());
    const packets = stream(0.4);
    for (const p of packets) {
      await natted.send(p.serialize(), h.receiver.localPort);
      await sleep(1);
    }
    await waitFor(() => h.frames.length === 20, '20 frames');
    assert.deepEqual(
      joined(h.frames),
      expected16k(packets.map((p) => p.payload)),
      'the held run is not lost',
    );
    assert.equal(h.firstPacket.length, 1);
    const stats = h.receiver.stats();
    assert.equal(stats.learnedSource, `127.0.0.2:${natted.port}`);
    assert.equal(stats.packetsSpoofed, 0);
  });

  test('NAT: stray packets out of sequence never take the stream', async () => {
    const h = await harness({ expectedRemote: { address: '127.0.0.1', port: 9 } });
    const packets = stream(0.4);
    // Every other packet: no run of consecutive sequence numbers ever forms.
    await h.send(packets.filter((_, i) => i % 2 === 0));
    await sleep(100);
    assert.equal(h.frames.length, 0);
    assert.equal(h.receiver.stats().learnedSource, null);
  });

  test("attack: a sender on the caller's address but another port who sends first loses the stream to the SDP port", async () => {
    const h = await harness();
    const attacker = await RtpSender.open();
    cleanups.push(() => attacker.close());
    const noise = stream(0.2, 30_000, 0, 0xbad).map(
      (p) => new RtpPacket({ ...p, csrcs: [], payload: new Uint8Array(160).fill(0x00) }),
    );
    for (const p of noise) {
      await attacker.send(p.serialize(), h.receiver.localPort);
      await sleep(1);
    }
    await waitFor(
      () => h.receiver.stats().learnedSource === `127.0.0.1:${attacker.port}`,
      "the attacker's run locked",
    );
    // The caller starts from the port its SDP named: it takes the stream at once, the attacker is dropped.
    const packets = stream(0.4, 500, 100_000);
    for (let i = 0; i < packets.length; i++) {
      await h.sender.send(packets[i]!.serialize(), h.receiver.localPort);
      await attacker.send(noise[i % noise.length]!.serialize(), h.receiver.localPort);
      await sleep(1);
    }
    await waitFor(() => h.frames.length >= noise.length + 20, "the caller's frames");
    // The first of the caller's frames starts from the noise in the upsampler's memory; the rest are exact.
    assert.equal(h.frames.length, noise.length + 20);
    assert.deepEqual(
      joined(h.frames.slice(-19)),
      expected16k(packets.map((p) => p.payload)).subarray(320),
      "all of the caller's audio",
    );
    assert.equal(h.receiver.stats().learnedSource, null, 'locked on the SDP port');
    assert.equal(h.receiver.stats().packetsSpoofed, 20);
  });

  test('garbage and unknown payload types are counted invalid, logged CS_ERR_RTP_INVALID, and never break the stream', async () => {
    const log = capturedLogger();
    const h = await harness({ logger: log.logger });
    const packets = stream(0.4);
    let seed = 99;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    await h.send(packets.slice(0, 2));
    for (let i = 0; i < 30; i++) {
      const junk = Buffer.alloc(1 + (rand() % 40));
      for (let j = 0; j < junk.length; j++) junk[j] = rand();
      junk[0] = (junk[0]! & 0x3f) | (i % 2 ? 0x80 : 0x40);
      if (i % 2) junk[1] = 96; // well-formed enough to parse, but an unnegotiated payload type
      await h.sender.send(junk, h.receiver.localPort);
    }
    await h.send(packets.slice(2));
    await waitFor(() => h.frames.length === 20, '20 frames');
    assert.equal(h.receiver.stats().packetsInvalid, 30);
    assert.deepEqual(joined(h.frames), expected16k(packets.map((p) => p.payload)));
    // One debug line for the first drop; the next waits 5 s and carries the count.
    const dropped = log.lines.filter((line) => line.msg === 'dropping RTP packets');
    assert.deepEqual(
      dropped.map((line) => [line.code, line.reason, line.dropped]),
      [['CS_ERR_RTP_INVALID', 'malformed', 1]],
    );
  });

  test('sequence numbers and timestamps wrap around without a gap', async () => {
    const h = await harness();
    const packets = stream(0.4, 65530, 0xffffffff - 800);
    await h.send(packets);
    await waitFor(() => h.frames.length === 20, '20 frames');
    assert.equal(h.receiver.stats().packetsLost, 0);
    for (let i = 1; i < 20; i++)
      assert.ok(Math.abs(h.frames[i]!.offsetMs - h.frames[i - 1]!.offsetMs - 20) < 1e-6);
  });

  test('interarrival jitter is near 0 for a paced stream and larger for a jittery one', async () => {
    const steady = await harness();
    const jittery = await harness();
    const a = stream(1);
    const b = stream(1);
    const start = performance.now();
    let seed = 5;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
    const sendAt = async (h: Harness, packet: RtpPacket, at: number): Promise<void> => {
      await sleep(Math.max(0, start + at - performance.now()));
      await h.sender.send(packet.serialize(), h.receiver.localPort);
    };
    await Promise.all([
      ...a.map((p, i) => sendAt(steady, p, 20 * i)),
      ...b.map((p, i) => sendAt(jittery, p, 20 * i + rand() * 60)),
    ]);
    await waitFor(() => steady.frames.length === 50 && jittery.frames.length === 50, 'both streams');
    const calm = steady.receiver.stats().jitterMs;
    const rough = jittery.receiver.stats().jitterMs;
    assert.ok(calm < 5, `steady jitter ${calm.toFixed(2)} ms`);
    assert.ok(
      rough > 10 && rough > 2 * calm,
      `jittery ${rough.toFixed(2)} ms vs steady ${calm.toFixed(2)} ms`,
    );
  });

  test('telephone events become one dtmf event each, not audio', async () => {
    const h = await harness();
    const audio = stream(0.1);
    await h.send(audio);
    const eventTs = audio[4]!.timestamp + 160;
    const dtmf = (seq: number, duration: number, end: boolean): RtpPacket =>
      new RtpPacket({
        payloadType: 101,
        sequenceNumber: 1005 + seq,
        timestamp: eventTs,
        ssrc: 0x1234,
        payload: new TelephoneEvent({ event: 11, end, volume: 10, duration }).serialize(),
      });
    await h.send([
      dtmf(0, 160, false),
      dtmf(1, 320, false),
      dtmf(2, 800, true),
      dtmf(3, 800, true),
      dtmf(4, 800, true),
    ]);
    await waitFor(() => h.dtmf.length === 1, 'a dtmf event');
    await sleep(50);
    assert.equal(h.dtmf.length, 1);
    assert.equal(h.dtmf[0]!.digit, '#');
    assert.equal(h.dtmf[0]!.durationMs, 100);
    assert.ok(Math.abs(h.dtmf[0]!.offsetMs - (h.frames[0]!.offsetMs + 100)) < 1e-6);
    assert.equal(h.frames.length, 5);
    assert.equal(h.receiver.stats().packetsLost, 0);
  });

  test('comfort noise keeps the sequence continuous: no loss, no frame, the pause shows in the offsets', async () => {
    const h = await harness();
    const audio = stream(0.2);
    const cn = new RtpPacket({
      payloadType: 13,
      sequenceNumber: 1005,
      timestamp: audio[4]!.timestamp + 160,
      ssrc: 0x1234,
      payload: new Uint8Array([40]),
    });
    // After the comfort-noise packet the talker resumes 1 s later on both clocks.
    const resumed = stream(0.1, 1006, audio[4]!.timestamp + 160 + 8000);
    await h.send([...audio.slice(0, 5), cn, ...resumed]);
    await waitFor(() => h.frames.length === 10, '10 frames');
    const stats = h.receiver.stats();
    assert.equal(stats.packetsLost, 0);
    assert.equal(stats.packetsInvalid, 0);
    assert.ok(h.frames.every((f) => !f.concealed));
    assert.ok(Math.abs(h.frames[5]!.offsetMs - h.frames[4]!.offsetMs - 1020) < 1e-6);
  });

  test('close() flushes held packets as frames, releases the port and is idempotent', async () => {
    const h = await harness({ jitterDepthMs: 10_000 });
    const packets = stream(0.1);
    await h.send([packets[0]!, packets[2]!, packets[4]!]);
    await waitFor(() => h.receiver.stats().packetsReceived === 3, '3 packets in');
    assert.equal(h.frames.length, 1);
    const inUse = ports.inUse;
    await Promise.all([h.receiver.close(), h.receiver.close()]);
    assert.equal(h.receiver.closed, true);
    assert.deepEqual(
      h.frames.map((f) => f.concealed),
      [false, true, false, true, false],
    );
    assert.equal(ports.inUse, inUse - 1);
    await h.receiver.close();
  });
});
