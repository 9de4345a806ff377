import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { wordErrorRate } from '../../src/transcribe/wer.js';
import { encodeWav, readWav } from '../../src/media/wav/WavFile.js';
import { matchAudio } from '../helpers/audioMatch.js';
import { Baresip, baresipAvailable } from '../helpers/baresip.js';
import { startCallsight, type RunningCallsight } from '../helpers/callsight.js';
import { padded } from '../helpers/paddedWav.js';
import { librivoxSpeech } from '../helpers/librivoxSpeech.js';
import { freePort } from '../helpers/ports.js';
import {
  RecordCollector,
  callIdOf,
  detailOf,
  transcriptText,
  type StreamFrame,
} from '../helpers/wsRecords.js';

/*
 * Calls routed through Callsight between two real SIP phones nobody here wrote: Debian's baresip on
 * both legs (test/helpers/baresip.ts). Callsight is the B2BUA of its `routes:` config; every leg is
 * real SIP over UDP on loopback and the media is G.711 (G.722 in one test) relayed through Callsight's RtpRelay.
 */

const AUDIO = new URL('../fixtures/audio/', import.meta.url).pathname;
const CUSTOMER_WAV = join(AUDIO, 'demo-customer.wav');
const AGENT_WAV = join(AUDIO, 'demo-agent.wav');
const text = (name: string) => readFileSync(join(AUDIO, `${name}.txt`), 'utf8').trim();

/**
 * Measured through baresip's G.711 and the relay: ch_0 (customer) 32.7 %, ch_1 (agent) 30.6 %, the
 * same in each of 6 runs (baresip paces its RTP evenly). The bound is the one of the sipp call
 * (CallTranscript.test.ts): a broken channel (silence, the other side's audio, garbled PCM) scores 80 %+.
 */
const MAX_WER = 0.5;
/**
 * Normalised cross-correlation of what a phone decoded with what the other one sent, after
 * alignment: measured 0.9999 both ways (μ-law quantisation is all that differs); unrelated speech
 * scores 0.02–0.05. Any lost, reordered or re-encoded packet run pulls it well below 0.99.
 */
const MIN_CORRELATION = 0.99;
/** A route's timeoutSec for the unreachable target, and the slack allowed on top of it. */
const DEAD_TIMEOUT_SEC = 2;
const DEAD_MARGIN_MS = 1500;

const CALLER = '+15550001';
const AGENT_DESK = '+15550002';
const DEAD_PBX = '+15550003';
const RINGING_DESK = '+15550004';
const HOLD_DESK = '+15550005';
const G722_CALLER = '+15550006';
const G722_DESK = '+15550007';
const hasG722 = existsSync('/usr/lib/baresip/modules/g722.so');
/** baresip names G.722 by its audio rate, not its SDP clock; aufile then wants a 16 kHz file. */
const G722_FIRST = 'g722/16000/1,pcmu';

const status = (f: StreamFrame) => detailOf(f).streamingStatus as string | undefined;

describe(
  'trunk routes between two baresip phones through Callsight',
  {
    skip: !baresipAvailable && 'baresip (Debian) with aufile, aubridge, sndfile, ctrl_tcp is not installed',
    concurrency: true,
  },
  () => {
    let callsight: RunningCallsight;
    let live: RecordCollector;
    let agentDesk: Baresip;
    let ringingDesk: Baresip;
    let holdDesk: Baresip;
    let g722Desk: Baresip;
    const phones: Baresip[] = [];
    const scratch: string[] = [];
    const phone = async (options: Parameters<typeof Baresip.start>[0]) => {
      const started = await Baresip.start(options);
      phones.push(started);
      return started;
    };
    const dial = (from: Baresip, to: string) =>
      from.command('dial', `sip:${to}@127.0.0.1:${callsight.sipPort}`);
    const callOf = async (to: string, statusValue = 'ALL_STARTED') =>
      callIdOf(
        await live.waitFor(
          (f) => status(f) === statusValue && detailOf(f).toNumber === to,
          15_000,
          `${statusValue} to ${to}`,
        ),
      )!;

    before(async () => {
      // The agent's file is padded so that the caller's ends first: the caller hangs up (BYE from leg A).
      [agentDesk, ringingDesk, holdDesk, g722Desk] = await Promise.all([
        phone({
          user: AGENT_DESK,
          answerMode: 'auto',
          wavPath: padded(AGENT_WAV, 3, scratch),
          dumpAudio: true,
        }),
        phone({ user: RINGING_DESK, answerMode: 'manual', sipTrace: true }),
        phone({ user: HOLD_DESK, answerMode: 'auto', sipTrace: true }),
        phone({ user: G722_DESK, answerMode: 'auto', dumpAudio: true, audioCodecs: G722_FIRST }),
      ]);
      const config = join(mkdtempSync(join(tmpdir(), 'callsight-routes-')), 'callsight.yaml');
      scratch.push(dirname(config));
      writeFileSync(
        config,
        stringify({
          routes: [
            {
              name: 'pstn-to-agent',
              match: { toNumber: [AGENT_DESK] },
              target: `sip:${AGENT_DESK}@127.0.0.1:${agentDesk.sipPort}`,
              direction: 'Inbound',
            },
            // Nobody listens there: the INVITE goes unanswered until the route's timeout.
            {
              name: 'pbx-down',
              match: { toNumber: [DEAD_PBX] },
              target: `sip:127.0.0.1:${await freePort()}`,
              timeoutSec: DEAD_TIMEOUT_SEC,
            },
            {
              name: 'ringing-desk',
              match: { toNumber: [RINGING_DESK] },
              target: `sip:127.0.0.1:${ringingDesk.sipPort}`,
            },
            {
              name: 'g722-desk',
              match: { toNumber: [G722_DESK] },
              target: `sip:${G722_DESK}@127.0.0.1:${g722Desk.sipPort}`,
            },
            {
              name: 'agent-calls-out',
              match: { toNumber: [HOLD_DESK] },
              target: `sip:127.0.0.1:${holdDesk.sipPort}`,
              direction: 'Outbound',
            },
          ],
        }),
      );
      callsight = await startCallsight({
        env: { CALLSIGHT_CONFIG: config, CALLSIGHT_SIP_ADVERTISED_ADDRESS: '127.0.0.1' },
      });
      live = new RecordCollector(`http://127.0.0.1:${callsight.httpPort}`);
      await live.opened;
    });

    after(async () => {
      live?.close();
      await Promise.all(phones.map((p) => p.stop()));
      const code = await callsight?.stop();
      for (const dir of [...scratch, callsight?.dataDir ?? ''])
        if (dir) rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, callsight?.stderr());
    });

    test('a routed call: both legs hear each other intact, both channels are transcribed, the caller hangs up', async () => {
      const customer = await phone({
        user: CALLER,
        answerMode: 'manual',
        wavPath: CUSTOMER_WAV,
        dumpAudio: true,
      });
      await dial(customer, AGENT_DESK);
      const callId = await callOf(AGENT_DESK);
      // The caller's file ends first: its BYE ends the call, and Callsight hangs up the agent's leg.
      const callerClosed = await customer.waitForEvent('CALL_CLOSED', 40_000);
      const agentClosed = await agentDesk.waitForEvent('CALL_CLOSED', 5_000);
      assert.ok(agentClosed.receivedAt - callerClosed.receivedAt < 2000, 'the BYE was passed on at once');
      // The recogniser lags behind the call when the machine is busy (the G.722 call runs beside this one).
      await live.waitFor(
        (f) => detailOf(f).eventType === 'chime:MediaInsightsStopped' && callIdOf(f) === callId,
        120_000,
        'the pipeline to stop',
      );

      // ALL_STARTED: both legs' streams, the caller's first; direction from the route.
      const all = live.frames.find((f) => status(f) === 'ALL_STARTED' && callIdOf(f) === callId)!;
      const detail = detailOf(all);
      assert.equal(detail.direction, 'Inbound');
      assert.equal(detail.fromNumber, CALLER);
      assert.equal(detail.toNumber, AGENT_DESK);
      const streams = detail.streams as {
        isCaller: boolean;
        channelId: number;
        streamArn: string;
        sdp: { mediaIndex: number; mediaLabel?: string };
      }[];
      assert.deepEqual(
        streams.map((s) => [s.isCaller, s.channelId]),
        [
          [true, 0],
          [false, 1],
        ],
      );
      assert.notEqual(streams[0]!.streamArn, streams[1]!.streamArn);
      assert.deepEqual(
        streams[1]!.sdp,
        { mediaIndex: 0 },
        "the callee's leg: the relay's one m-line, no label of the caller's",
      );
      const ended = live.frames.filter((f) => status(f) === 'ENDED' && callIdOf(f) === callId);
      assert.equal(ended.length, 2, 'ENDED for each stream');

      // What each phone decoded is what the other one sent.
      const sentByCustomer = readWav(customer.dumps().sent).samples;
      const sentByAgent = readWav(agentDesk.dumps().sent).samples;
      const heardByAgent = matchAudio(sentByCustomer, readWav(agentDesk.dumps().received).samples);
      const heardByCustomer = matchAudio(sentByAgent, readWav(customer.dumps().received).samples);
      const chance = matchAudio(sentByAgent, readWav(agentDesk.dumps().received).samples);
      process.stderr.write(
        `trunk audio: caller→callee correlation ${heardByAgent.correlation.toFixed(4)} (${heardByAgent.overlapSeconds} s, lag ${heardByAgent.lagSamples}), ` +
          `callee→caller ${heardByCustomer.correlation.toFixed(4)} (${heardByCustomer.overlapSeconds} s, lag ${heardByCustomer.lagSamples}), ` +
          `unrelated speech ${chance.correlation.toFixed(4)}\n`,
      );
      for (const [what, match] of [
        ['the agent heard the customer', heardByAgent],
        ['the customer heard the agent', heardByCustomer],
      ] as const) {
        assert.ok(match.correlation >= MIN_CORRELATION, `${what}: correlation ${match.correlation}`);
        assert.equal(match.blocksAbove90, 1, `${what}: every second of speech came through`);
        assert.ok(match.overlapSeconds >= 20, `${what}: ${match.overlapSeconds} s`);
      }
      assert.ok(Math.abs(chance.correlation) < 0.2, `unrelated speech correlates ${chance.correlation}`);

      // Both directions were tapped: the caller's leg on ch_0, the agent's on ch_1.
      const ch0 = transcriptText(live.frames, callId, 'ch_0');
      const ch1 = transcriptText(live.frames, callId, 'ch_1');
      const wer0 = wordErrorRate(text('demo-customer'), ch0).wer;
      const wer1 = wordErrorRate(text('demo-agent'), ch1).wer;
      process.stderr.write(
        `trunk WER ch_0 ${(wer0 * 100).toFixed(1)} %: "${ch0}"\ntrunk WER ch_1 ${(wer1 * 100).toFixed(1)} %: "${ch1}"\n`,
      );
      assert.ok(wer0 <= MAX_WER, `ch_0 (caller) WER ${wer0}: "${ch0}"`);
      assert.ok(wer1 <= MAX_WER, `ch_1 (callee) WER ${wer1}: "${ch1}"`);
    });

    test(
      "G.722 on both legs: the far leg is offered the caller's G.722 and the relay forwards it unchanged; the desk hears the caller intact, ch_0 is transcribed",
      { skip: !hasG722 && "baresip's g722 module is not installed" },
      async () => {
        const { samples, reference } = librivoxSpeech();
        const wav = join(mkdtempSync(join(tmpdir(), 'callsight-g722-')), 'caller.wav');
        scratch.push(dirname(wav));
        writeFileSync(wav, encodeWav(samples, 16000));
        const caller = await phone({
          user: G722_CALLER,
          answerMode: 'manual',
          wavPath: wav,
          dumpAudio: true,
          audioCodecs: G722_FIRST,
        });
        await dial(caller, G722_DESK);
        const callId = await callOf(G722_DESK);
        await caller.waitForEvent('CALL_CLOSED', 60_000);
        await live.waitFor(
          (f) => detailOf(f).eventType === 'chime:MediaInsightsStopped' && callIdOf(f) === callId,
          120_000,
          'the pipeline to stop',
        );

        // baresip dumps what it decodes at its codec's rate: 16 kHz is G.722 on the desk's leg too.
        const sent = readWav(caller.dumps().sent);
        const heard = readWav(g722Desk.dumps().received);
        assert.deepEqual([sent.sampleRate, heard.sampleRate], [16000, 16000]);
        const match = matchAudio(sent.samples, heard.samples);
        process.stderr.write(
          `G.722 trunk: caller→desk correlation ${match.correlation.toFixed(4)} (${match.overlapSeconds} s)\n`,
        );
        assert.ok(match.correlation >= MIN_CORRELATION, `correlation ${match.correlation}`);
        assert.equal(match.blocksAbove90, 1, 'every second of speech came through');

        const hypothesis = transcriptText(live.frames, callId, 'ch_0');
        const { wer } = wordErrorRate(reference, hypothesis);
        process.stderr.write(`G.722 trunk WER ch_0 ${(wer * 100).toFixed(1)} %: "${hypothesis}"\n`);
        assert.ok(wer <= MAX_WER, `WER ${wer}: "${hypothesis}"`);
      },
    );

    test('a number no route matches gets 404', async () => {
      const caller = await phone({ user: '+15550011', answerMode: 'manual' });
      await dial(caller, '+15559999');
      const closed = await caller.waitForEvent('CALL_CLOSED');
      assert.equal(closed.param, '404 Not Found');
    });

    test(`an unreachable target gets 503 after the route's ${DEAD_TIMEOUT_SEC} s timeout`, async () => {
      const caller = await phone({ user: '+15550012', answerMode: 'manual' });
      const dialed = Date.now();
      await dial(caller, DEAD_PBX);
      const closed = await caller.waitForEvent('CALL_CLOSED', 15_000);
      const elapsed = closed.receivedAt - dialed;
      assert.equal(closed.param, '503 Service Unavailable');
      assert.ok(
        elapsed >= DEAD_TIMEOUT_SEC * 1000 - 100 && elapsed <= DEAD_TIMEOUT_SEC * 1000 + DEAD_MARGIN_MS,
        `503 after ${elapsed} ms`,
      );
    });

    test('the caller hanging up while the callee rings is passed on as CANCEL', async () => {
      const caller = await phone({ user: '+15550013', answerMode: 'manual' });
      await dial(caller, RINGING_DESK);
      await ringingDesk.waitForEvent('CALL_INCOMING');
      await caller.waitForEvent('CALL_RINGING'); // the callee's 180, passed back
      await caller.command('hangup');
      const closed = await ringingDesk.waitForEvent('CALL_CLOSED', 5_000);
      assert.match(ringingDesk.output, /^CANCEL sip:/m, 'the callee received a CANCEL');
      await caller.waitForEvent('CALL_CLOSED');
      assert.ok(closed);
      assert.ok(
        !live.frames.some((f) => status(f) === 'STARTED' && detailOf(f).toNumber === RINGING_DESK),
        'the call never started',
      );
    });

    test('hold and resume are passed on as re-INVITEs both ways (UPDATED), and the callee hanging up ends both legs', async () => {
      const caller = await phone({ user: '+15550014', answerMode: 'manual', sipTrace: true });
      await dial(caller, HOLD_DESK);
      await caller.waitForEvent('CALL_ESTABLISHED');
      const callId = await callOf(HOLD_DESK);
      const all = live.frames.find((f) => status(f) === 'ALL_STARTED' && callIdOf(f) === callId)!;
      assert.equal(detailOf(all).direction, 'Outbound', 'direction from the route');
      const offersTo = (p: Baresip) =>
        p.events.filter((e) => e.type === 'CALL_REMOTE_SDP' && e.param === 'offer').length;
      const updated = () => live.frames.filter((f) => status(f) === 'UPDATED' && callIdOf(f) === callId);

      // The caller holds: Callsight offers a=sendonly on to the callee, and says UPDATED.
      const offersBefore = offersTo(holdDesk);
      assert.equal((await caller.command('hold')).ok, true);
      await holdDesk.waitForEvent('CALL_REMOTE_SDP', 5_000, () => offersTo(holdDesk) > offersBefore);
      await live.waitFor((f) => status(f) === 'UPDATED' && callIdOf(f) === callId, 5_000, 'UPDATED');
      const reinvite = holdDesk.output.slice(holdDesk.output.lastIndexOf('INVITE sip:'));
      assert.match(reinvite, /a=sendonly/, 'the hold reached the callee');
      await caller.command('resume');
      await new Promise((resolve) => setTimeout(resolve, 500));

      // The callee holds: the re-INVITE goes the other way, to the caller.
      const callerOffers = offersTo(caller);
      await holdDesk.command('hold');
      await caller.waitForEvent('CALL_REMOTE_SDP', 5_000, () => offersTo(caller) > callerOffers);
      assert.match(
        caller.output.slice(caller.output.lastIndexOf('INVITE sip:')),
        /a=sendonly/,
        'the hold reached the caller',
      );
      await holdDesk.command('resume');
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.ok(updated().length >= 3, `UPDATED per re-INVITE: ${updated().length}`);

      // The callee hangs up: Callsight ends the caller's leg too.
      await holdDesk.command('hangup');
      await caller.waitForEvent('CALL_CLOSED', 5_000);
      await live.waitFor((f) => status(f) === 'ENDED' && callIdOf(f) === callId, 5_000, 'ENDED');
    });
  },
);
