import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWav } from '../../src/media/wav/WavFile.js';
import { wordErrorRate } from '../../src/transcribe/wer.js';
import { matchAudio } from './audioMatch.js';
import { baresipAvailable, type Baresip } from './baresip.js';
import type { BaresipLab } from './baresipLab.js';
import { authFetch } from './callsight.js';
import { transcriptText } from './wsRecords.js';

/*
 * What the SRTP calls between baresip phones (test/e2e/SrtpBaresip.test.ts, SrtpTlsBaresip.test.ts)
 * check: SRTCP arrived and authenticated, each phone heard the other, both channels transcribed.
 */

export const AUDIO = new URL('../fixtures/audio/', import.meta.url).pathname;
export const transcriptOf = (name: string) => readFileSync(join(AUDIO, `${name}.txt`), 'utf8').trim();
export const srtpAvailable = baresipAvailable && existsSync('/usr/lib/baresip/modules/srtp.so');

/** The bounds of the plain trunk test (TrunkBaresip.test.ts): encryption must change nothing in them. */
export const MAX_WER = 0.5;
export const MIN_CORRELATION = 0.99;

/** A call of `GET /api/calls`, the SRTP counters of its streams. */
export interface ActiveCallJson {
  callId: string;
  rtp: {
    packetsReceived: number;
    packetsUnauthenticated: number;
    packetsReplayed: number;
    rtcpPackets: number;
    rtcpRefused: number;
  }[];
}

/**
 * A relayed call's audio reached each phone intact (what it decoded against what the other sent) and
 * both channels were transcribed: the customer (demo-customer.wav) on ch_0, the agent on ch_1.
 */
export function heardAndTranscribed(
  lab: BaresipLab,
  callId: string,
  customer: Baresip,
  agent: Baresip,
  label: string,
): void {
  const sentByCustomer = readWav(customer.dumps().sent).samples;
  const sentByAgent = readWav(agent.dumps().sent).samples;
  const heardByAgent = matchAudio(sentByCustomer, readWav(agent.dumps().received).samples);
  const heardByCustomer = matchAudio(sentByAgent, readWav(customer.dumps().received).samples);
  process.stderr.write(
    `${label} audio: caller→callee ${heardByAgent.correlation.toFixed(4)}, callee→caller ${heardByCustomer.correlation.toFixed(4)}\n`,
  );
  for (const [what, match] of [
    ['the agent heard the customer', heardByAgent],
    ['the customer heard the agent', heardByCustomer],
  ] as const) {
    assert.ok(match.correlation >= MIN_CORRELATION, `${what}: correlation ${match.correlation}`);
    assert.ok(match.overlapSeconds >= 20, `${what}: ${match.overlapSeconds} s`);
  }
  const ch0 = transcriptText(lab.live.frames, callId, 'ch_0');
  const ch1 = transcriptText(lab.live.frames, callId, 'ch_1');
  const wer0 = wordErrorRate(transcriptOf('demo-customer'), ch0).wer;
  const wer1 = wordErrorRate(transcriptOf('demo-agent'), ch1).wer;
  process.stderr.write(`${label} WER ch_0 ${(wer0 * 100).toFixed(1)} %, ch_1 ${(wer1 * 100).toFixed(1)} %\n`);
  assert.ok(wer0 <= MAX_WER, `ch_0 WER ${wer0}: "${ch0}"`);
  assert.ok(wer1 <= MAX_WER, `ch_1 WER ${wer1}: "${ch1}"`);
}

async function activeCall(lab: BaresipLab, callId: string): Promise<ActiveCallJson | undefined> {
  const url = `http://127.0.0.1:${lab.callsight.httpPort}/api/calls`;
  const body = (await (await authFetch(url)).json()) as { calls: ActiveCallJson[] };
  return body.calls.find((c) => c.callId === callId);
}

/**
 * Waits until every stream has had 2 s of audio and an SRTCP report authenticated. (baresip also
 * sends a plain RTCP APP "PING" at the start, which SRTP must refuse: rtcpRefused may be 1.)
 */
export async function srtcpArrivedIn(lab: BaresipLab, callId: string): Promise<ActiveCallJson> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const call = await activeCall(lab, callId);
    assert.ok(call, 'the call is listed in /api/calls');
    if (call.rtp.every((s) => s.rtcpPackets > 0 && s.packetsReceived > 100)) return call;
    assert.ok(Date.now() < deadline, `no SRTCP on every stream: ${JSON.stringify(call.rtp)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
