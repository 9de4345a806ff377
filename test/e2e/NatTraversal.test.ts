import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { readWav } from '../../src/media/wav/WavFile.js';
import { wordErrorRate } from '../../src/transcribe/wer.js';
import { SipCaller } from '../../scripts/lib/SipCaller.js';
import { sendRtp } from '../../scripts/lib/RtpSender.js';
import { startCallsight, type RunningCallsight, authFetch } from '../helpers/callsight.js';
import { RecordCollector, callIdOf, detailOf, transcriptText } from '../helpers/wsRecords.js';

/*
 * A caller behind NAT, made real on loopback: its SDP names 127.0.0.1 and a port nobody sends from,
 * while its RTP comes from another address and port, 127.0.0.2 (as a phone behind a NAT, or an SBC
 * sending from another interface, does). With symmetric RTP and learning (the default) the call is
 * transcribed; with media.strictRtpSource it is dropped as before, and counted.
 */

const AUDIO = new URL('../fixtures/audio/', import.meta.url).pathname;
const samples = readWav(`${AUDIO}demo-customer.wav`).samples;
const REFERENCE = readFileSync(`${AUDIO}demo-customer.txt`, 'utf8').trim();
/** The bound of the sipp call (CallTranscript.test.ts): a broken channel scores 80 %+. */
const MAX_WER = 0.5;

interface StreamStats {
  packetsReceived: number;
  packetsSpoofed: number;
  learnedSource: string | null;
}

async function bind(address: string): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  return socket;
}

async function streamStats(callsight: RunningCallsight, sipCallId: string): Promise<StreamStats[]> {
  const res = await authFetch(`http://127.0.0.1:${callsight.httpPort}/api/calls`);
  const body = (await res.json()) as { calls: { sipCallId: string; rtp: StreamStats[] }[] };
  return body.calls.find((c) => c.sipCallId === sipCallId)?.rtp ?? [];
}

/** Dials with an SDP naming `sdpSocket`'s port and sends the speech from `rtpSocket` instead. */
async function callFromBehindNat(callsight: RunningCallsight, seconds: number) {
  const caller = await SipCaller.open('127.0.0.1', '127.0.0.1');
  const sdpSocket = await bind('127.0.0.1');
  const rtpSocket = await bind('127.0.0.2');
  const call = await caller.dial({
    host: '127.0.0.1',
    port: callsight.sipPort,
    fromNumber: '+15550401',
    toNumber: '+15550400',
    rtpPort: sdpSocket.address().port,
  });
  const sending = sendRtp({
    remote: call.rtpTarget,
    encoding: 'PCMU',
    payloadType: 0,
    samples: samples.subarray(0, seconds * 8000),
    socket: rtpSocket,
    signal: call.signal,
  });
  return {
    call,
    natSource: `127.0.0.2:${rtpSocket.address().port}`,
    finish: async () => {
      await sending;
      await call.hangup();
      for (const s of [sdpSocket, rtpSocket]) s.close();
      caller.close();
    },
  };
}

describe('NAT: RTP from another address and port than the SDP says', () => {
  let callsight: RunningCallsight;
  let live: RecordCollector;

  before(async () => {
    callsight = await startCallsight({ env: { LOG_LEVEL: 'info' } });
    live = new RecordCollector(`http://127.0.0.1:${callsight.httpPort}`);
    await live.opened;
  });

  after(async () => {
    live?.close();
    assert.equal(await callsight?.stop(), 0, callsight?.stderr());
  });

  test('is learned (symmetric RTP), logged once with the address, and the call is transcribed', async () => {
    const nat = await callFromBehindNat(callsight, samples.length / 8000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const [during] = await streamStats(callsight, nat.call.sipCallId);
    assert.ok(during, 'the call is in /api/calls');
    assert.equal(during.learnedSource, nat.natSource);
    assert.ok(during.packetsReceived > 50, `${during.packetsReceived} packets taken`);
    assert.equal(during.packetsSpoofed, 0);
    await nat.finish();
    const ended = await live.waitFor((f) => detailOf(f).streamingStatus === 'ENDED', 15_000, 'ENDED');
    const callId = callIdOf(ended)!;
    await live.waitFor(
      (f) => detailOf(f).eventType === 'chime:MediaInsightsStopped' && callIdOf(f) === callId,
      60_000,
      'the pipeline to stop',
    );
    const text = transcriptText(live.frames, callId, 'ch_0');
    const { wer } = wordErrorRate(REFERENCE, text);
    process.stderr.write(`NAT e2e WER ${(wer * 100).toFixed(1)} %: "${text}"\n`);
    assert.ok(wer <= MAX_WER, `WER ${wer}: "${text}"`);
    const told = callsight
      .stdout()
      .split('\n')
      .filter((line) => line.includes("RTP from a source other than the SDP's"));
    assert.equal(told.length, 1, 'one log line for the call');
    assert.match(told[0]!, new RegExp(`"source":"${nat.natSource}"`));
  });
});

describe('NAT with media.strictRtpSource: the behaviour before learning', () => {
  let callsight: RunningCallsight;

  before(async () => {
    callsight = await startCallsight({
      env: { CALLSIGHT_MEDIA_STRICT_RTP_SOURCE: 'true', CALLSIGHT_ASR_ENABLED: 'false' },
    });
  });

  after(async () => {
    assert.equal(await callsight?.stop(), 0, callsight?.stderr());
  });

  test('RTP from another address than the SDP c= line is dropped and counted', async () => {
    const nat = await callFromBehindNat(callsight, 2);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [during] = await streamStats(callsight, nat.call.sipCallId);
    assert.ok(during);
    assert.equal(during.packetsReceived, 0);
    assert.ok(during.packetsSpoofed > 30, `${during.packetsSpoofed} packets dropped`);
    assert.equal(during.learnedSource, null);
    await nat.finish();
  });
});
