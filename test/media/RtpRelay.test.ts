import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../../src/platform/logger.js';
import { G722Decoder, G722Encoder } from '../../src/media/codec/G722.js';
import type { AudioEncoding, PcmFrame } from '../../src/media/MediaTypes.js';
import { RtpRelay } from '../../src/media/RtpRelay.js';
import { PortAllocator } from '../../src/media/rtp/PortAllocator.js';
import { RtpPacket } from '../../src/media/rtp/RtpPacket.js';
import type { RelaySideKeys } from '../../src/media/RtpRelay.js';
import { newMasterKey } from '../../src/media/srtp/SdesCrypto.js';
import { SrtpSession } from '../../src/media/srtp/SrtpSession.js';
import { amplitudeAt, tone } from './support/audio.js';
import { RtpSender, packetize, sleep, waitFor } from './support/RtpSender.js';

const base = 44000 + 2 * Math.floor(Math.random() * 4000);
const ports = new PortAllocator({ min: base, max: base + 99 });
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const PCMU = { audio: 0, encoding: 'PCMU' as const, telephoneEvent: 101 };

/** Two real "phones" on loopback and a relay between them; `keys` makes their legs SRTP. */
async function harness(
  keys: [RelaySideKeys | null, RelaySideKeys | null] = [null, null],
  payloadTypes: { audio: number; encoding: AudioEncoding; telephoneEvent: number | null } = PCMU,
) {
  const caller = await RtpSender.open();
  const callee = await RtpSender.open();
  const relay = await RtpRelay.open({
    host: '127.0.0.1',
    ports,
    sides: [
      {
        channel: 0,
        remote: { address: '127.0.0.1', port: caller.port },
        payloadTypes,
        srtp: keys[0],
      },
      { channel: 1, remote: null, payloadTypes, srtp: keys[1] },
    ],
    callStartMs: performance.timeOrigin + performance.now(),
    jitterDepthMs: 40,
    logger: silentLogger,
  });
  const frames: PcmFrame[] = [];
  relay.on('frame', (frame) => frames.push(frame));
  const received = { caller: [] as Buffer[], callee: [] as Buffer[] };
  caller.socket.on('message', (msg) => received.caller.push(msg));
  callee.socket.on('message', (msg) => received.callee.push(msg));
  cleanups.push(async () => {
    await relay.close();
    await caller.close();
    await callee.close();
  });
  return { caller, callee, relay, frames, received };
}

describe('RtpRelay', () => {
  test('forwards each direction unchanged and taps it as its own channel', async () => {
    const { caller, callee, relay, frames, received } = await harness();
    // The callee's SDP answer arrives: now the relay knows where to send the caller's audio.
    relay.setRemote(1, { address: '127.0.0.1', port: callee.port });
    const up = packetize(tone(8000, 440, 8000, 3200), {
      encoding: 'PCMU',
      payloadType: 0,
      firstSeq: 10,
      firstTs: 0,
      ssrc: 1,
    });
    const down = packetize(tone(8000, 880, 8000, 3200), {
      encoding: 'PCMU',
      payloadType: 0,
      firstSeq: 500,
      firstTs: 9000,
      ssrc: 2,
    });
    for (let i = 0; i < up.length; i++) {
      await caller.send(up[i]!.serialize(), relay.localPort(0));
      await callee.send(down[i]!.serialize(), relay.localPort(1));
      await sleep(2);
    }
    await waitFor(
      () => received.callee.length === up.length && received.caller.length === down.length,
      'forwarded packets',
    );
    assert.deepEqual(
      received.callee,
      up.map((p) => Buffer.from(p.serialize())),
      'callee got the caller packets byte for byte',
    );
    assert.deepEqual(
      received.caller,
      down.map((p) => Buffer.from(p.serialize())),
      'caller got the callee packets byte for byte',
    );
    await waitFor(() => frames.filter((f) => f.channel === 1).length >= down.length - 1, 'tapped frames');
    assert.ok(frames.filter((f) => f.channel === 0).length >= up.length - 1);
    // The relay worker reports its forwarded counts once a second.
    await waitFor(
      () =>
        relay.stats()[0].packetsForwarded === up.length && relay.stats()[1].packetsForwarded === down.length,
      'forwarded counts',
    );
    const [upStats] = relay.stats();
    assert.equal(upStats.packetsLost, 0);
  });

  test('G.722 on both legs: forwarded byte for byte (no transcoding) and tapped at 16 kHz with its 6 kHz tone', async () => {
    const { caller, callee, relay, frames, received } = await harness([null, null], {
      audio: 9,
      encoding: 'G722',
      telephoneEvent: null,
    });
    relay.setRemote(1, { address: '127.0.0.1', port: callee.port });
    const encoded = new G722Encoder().encode(tone(16000, 6000, 8000, 6400));
    const up = Array.from(
      { length: 20 },
      (_, i) =>
        new RtpPacket({
          payloadType: 9,
          sequenceNumber: 30 + i,
          timestamp: 160 * i,
          ssrc: 3,
          payload: encoded.subarray(160 * i, 160 * (i + 1)),
        }),
    );
    for (const packet of up) {
      await caller.send(packet.serialize(), relay.localPort(0));
      await sleep(2);
    }
    await waitFor(() => received.callee.length === up.length, 'forwarded packets');
    assert.deepEqual(
      received.callee,
      up.map((p) => Buffer.from(p.serialize())),
    );
    await waitFor(() => frames.length === up.length, 'tapped frames');
    assert.ok(frames.every((f) => f.samples.length === 320));
    const tapped = Int16Array.from(frames.flatMap((f) => [...f.samples]));
    assert.deepEqual(tapped, new G722Decoder().decode(encoded));
    assert.ok(amplitudeAt(tapped.subarray(1600), 16000, 6000) > 7000);
  });

  test('NAT: a party sending from another address and port than its SDP is learned, and sent to where it sends from', async () => {
    const { caller, relay, received } = await harness();
    relay.setRemote(1, { address: '127.0.0.1', port: 9 }); // its SDP: an address nobody listens on
    const natted = await RtpSender.open('127.0.0.2');
    const heard: Buffer[] = [];
    natted.socket.on('message', (msg) => heard.push(msg));
    cleanups.push(() => natted.close());
    const hello = packetize(tone(8000, 300, 8000, 800), {
      encoding: 'PCMU',
      payloadType: 0,
      firstSeq: 1,
      firstTs: 0,
      ssrc: 7,
    });
    // Its first packets reveal where it really is once they form a run of 4 in sequence.
    for (const p of hello) await natted.send(p.serialize(), relay.localPort(1));
    await waitFor(() => received.caller.length === hello.length, 'the whole run forwarded to the caller');
    await waitFor(() => relay.stats()[1].learnedSource === `127.0.0.2:${natted.port}`, 'the learned source');
    await caller.send(hello[0]!.serialize(), relay.localPort(0));
    await waitFor(() => heard.length === 1, 'the packet at the learned address');
  });

  test('does not forward spoofed, malformed or unnegotiated packets', async () => {
    const { caller, callee, relay, received } = await harness();
    relay.setRemote(1, { address: '127.0.0.1', port: callee.port });
    const good = packetize(tone(8000, 300, 8000, 320), {
      encoding: 'PCMU',
      payloadType: 0,
      firstSeq: 1,
      firstTs: 0,
      ssrc: 7,
    });
    await caller.send(good[0]!.serialize(), relay.localPort(0));
    const intruder = await RtpSender.open();
    cleanups.push(() => intruder.close());
    await intruder.send(good[1]!.serialize(), relay.localPort(0)); // another port: the lock refuses it
    await caller.send(Buffer.from('not rtp at all'), relay.localPort(0));
    const video = new RtpPacket({
      payloadType: 96,
      sequenceNumber: 3,
      timestamp: 320,
      ssrc: 7,
      payload: new Uint8Array(160),
    });
    await caller.send(video.serialize(), relay.localPort(0));
    await caller.send(good[1]!.serialize(), relay.localPort(0));
    await waitFor(() => received.callee.length === 2, 'the two good packets');
    await sleep(30);
    assert.equal(received.callee.length, 2);
    const [upStats] = relay.stats();
    assert.equal(upStats.packetsSpoofed, 1);
    assert.equal(upStats.packetsInvalid, 2);
  });

  test("SRTP legs: each direction is decrypted with the sender's key, tapped, and encrypted again with the receiver's", async () => {
    const caller = {
      inbound: newMasterKey('AES_CM_128_HMAC_SHA1_80'),
      outbound: newMasterKey('AES_CM_128_HMAC_SHA1_80'),
    };
    const callee = { inbound: newMasterKey('AEAD_AES_128_GCM'), outbound: newMasterKey('AEAD_AES_128_GCM') };
    const h = await harness([caller, callee]);
    h.relay.setRemote(1, { address: '127.0.0.1', port: h.callee.port });
    // What each phone encrypts with, and decrypts what it receives with.
    const callerSends = new SrtpSession(caller.inbound);
    const callerHears = new SrtpSession(caller.outbound);
    const calleeSends = new SrtpSession(callee.inbound);
    const calleeHears = new SrtpSession(callee.outbound);
    const up = packetize(tone(8000, 440, 8000, 1600), {
      encoding: 'PCMU',
      payloadType: 0,
      firstSeq: 65530,
      firstTs: 0,
      ssrc: 1,
    });
    const down = packetize(tone(8000, 880, 8000, 1600), {
      encoding: 'PCMU',
      payloadType: 0,
      firstSeq: 9,
      firstTs: 0,
      ssrc: 2,
    });
    for (let i = 0; i < up.length; i++) {
      await h.caller.send(callerSends.protectRtp(up[i]!.serialize()), h.relay.localPort(0));
      await h.callee.send(calleeSends.protectRtp(down[i]!.serialize()), h.relay.localPort(1));
      await sleep(2);
    }
    await waitFor(
      () => h.received.callee.length === up.length && h.received.caller.length === down.length,
      'forwarded',
    );
    assert.deepEqual(
      h.received.callee.map((p) => calleeHears.unprotectRtp(p)),
      up.map((p) => p.serialize()),
      "the callee decrypts the caller's audio (across the sequence wrap) with its own key",
    );
    assert.deepEqual(
      h.received.caller.map((p) => callerHears.unprotectRtp(p)),
      down.map((p) => p.serialize()),
    );
    assert.equal(
      new SrtpSession(caller.inbound).unprotectRtp(h.received.callee[0]!),
      'unauthenticated',
      "not the caller's key",
    );
    await waitFor(
      () => h.frames.filter((f) => f.channel === 0).length >= up.length - 1,
      'tapped plain audio',
    );

    // A replayed packet and a forged one are neither forwarded nor tapped, and are counted.
    const replay = callerSends.protectRtp(up[0]!.serialize());
    await h.caller.send(replay, h.relay.localPort(0));
    const next = new RtpPacket({
      payloadType: 0,
      sequenceNumber: 20,
      timestamp: 99_999,
      ssrc: 1,
      payload: Buffer.alloc(160),
    });
    const forged = Buffer.from(callerSends.protectRtp(next.serialize()));
    forged[20]! ^= 1;
    await h.caller.send(forged, h.relay.localPort(0));
    await sleep(50);
    assert.equal(h.received.callee.length, up.length);
    const [upStats] = h.relay.stats();
    assert.equal(upStats.packetsReplayed, 1);
    assert.equal(upStats.packetsUnauthenticated, 1);
    assert.equal(upStats.packetsForwarded, up.length);

    // SRTCP: a report from the callee to the relay's RTCP port (its port + 1) teaches the relay where the
    // callee takes RTCP; the caller's report then reaches it, decrypted and encrypted again for it.
    const isRtcp = (p: Buffer) => p[1]! >= 200 && p[1]! <= 206;
    const report = (ssrc: number) =>
      Buffer.from(`81c90007${ssrc.toString(16).padStart(8, '0')}` + '00'.repeat(24), 'hex');
    await h.callee.send(calleeSends.protectRtcp(report(2)), h.relay.localPort(1) + 1);
    await waitFor(
      () => h.received.caller.some(isRtcp) || h.relay.stats()[1].rtcpPackets === 1,
      'callee report taken',
    );
    await h.caller.send(callerSends.protectRtcp(report(1)), h.relay.localPort(0) + 1);
    await waitFor(() => h.received.callee.some(isRtcp), "the caller's report at the callee");
    assert.deepEqual(calleeHears.unprotectRtcp(h.received.callee.find(isRtcp)!), report(1));
    const forgedReport = Buffer.from(callerSends.protectRtcp(report(1)));
    forgedReport[9]! ^= 1;
    await h.caller.send(forgedReport, h.relay.localPort(0) + 1);
    await waitFor(() => h.relay.stats()[0].rtcpRefused === 1, 'the forged report refused');
    assert.equal(h.received.callee.filter(isRtcp).length, 1);
  });

  test('close() frees both ports and is idempotent', async () => {
    const before = ports.inUse;
    const { relay } = await harness();
    assert.equal(ports.inUse, before + 2);
    await Promise.all([relay.close(), relay.close()]);
    assert.equal(ports.inUse, before);
  });
});
