import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { wordErrorRate } from '../../src/transcribe/wer.js';
import { readWav } from '../../src/media/wav/WavFile.js';
import { matchAudio } from '../helpers/audioMatch.js';
import type { Baresip } from '../helpers/baresip.js';
import { BaresipLab } from '../helpers/baresipLab.js';
import { padded } from '../helpers/paddedWav.js';
import {
  AUDIO,
  MAX_WER,
  MIN_CORRELATION,
  heardAndTranscribed,
  srtcpArrivedIn,
  srtpAvailable,
  transcriptOf,
} from '../helpers/srtpCall.js';
import { transcriptText } from '../helpers/wsRecords.js';

/*
 * SRTP against a real peer nobody here wrote: Debian's baresip with its srtp module and
 * `mediaenc=srtp-mand` (RTP/SAVP, SDES a=crypto, SRTP mandatory) calls Callsight, which runs with
 * `media.encryption: required`. A routed call is relayed between two such phones (each leg keyed on
 * its own, re-encrypted per leg), a call answered here is the listener. SIP is plain UDP here
 * (SrtpTlsBaresip.test.ts: the same over SIP/TLS).
 */

const CALLER = '+15551001';
const AGENT_DESK = '+15551002';
const LISTENER = '+15551003';

describe(
  'SRTP (SDES) with baresip phones, media.encryption required',
  { skip: !srtpAvailable && 'baresip (Debian) with its srtp module is not installed' },
  () => {
    // One call at a time: two recognised calls at once on a shared 2-core machine slow each other's pipeline.
    // Even so the recogniser may finish a call's audio a minute after its BYE on a loaded machine
    // (66 s measured at load average 20): the pipelines are given 120 s to stop, as in TrunkBaresip.test.ts.
    const lab = new BaresipLab();
    let agent: Baresip;
    const srtcpArrived = (callId: string) => srtcpArrivedIn(lab, callId);

    before(async () => {
      agent = await lab.phone({
        user: AGENT_DESK,
        answerMode: 'auto',
        wavPath: padded(join(AUDIO, 'demo-agent.wav'), 3, lab.scratch),
        dumpAudio: true,
        mediaenc: 'srtp-mand',
      });
      await lab.start({
        media: { encryption: 'required' },
        routes: [
          {
            name: 'to-agent',
            match: { toNumber: [AGENT_DESK] },
            target: `sip:${AGENT_DESK}@127.0.0.1:${agent.sipPort}`,
          },
          { name: 'listener', match: { toNumber: [LISTENER] }, target: 'local' },
        ],
      });
    });

    after(() => lab.close());

    test('a relayed call with SRTP on both legs: each phone hears the other intact, both channels are transcribed', async () => {
      const customer = await lab.phone({
        user: CALLER,
        answerMode: 'manual',
        wavPath: join(AUDIO, 'demo-customer.wav'),
        dumpAudio: true,
        mediaenc: 'srtp-mand',
        sipTrace: true,
      });
      await lab.dial(customer, AGENT_DESK);
      const callId = await lab.callOf(AGENT_DESK);
      const during = await srtcpArrived(callId);
      for (const [channel, stats] of during.rtp.entries()) {
        assert.ok(stats.packetsReceived > 50, `ch_${channel} received ${stats.packetsReceived} packets`);
        assert.equal(stats.packetsUnauthenticated, 0, `ch_${channel}: every SRTP packet authenticated`);
        assert.equal(stats.packetsReplayed, 0);
      }
      // The caller offered RTP/SAVP with keys, and Callsight answered with one key of its own.
      const invite = customer.output.slice(customer.output.indexOf('INVITE sip:'));
      assert.match(invite, /m=audio \d+ RTP\/SAVP/);
      const ok = customer.output.slice(customer.output.indexOf('SIP/2.0 200 OK'));
      assert.match(ok, /m=audio \d+ RTP\/SAVP/);
      assert.match(ok, /a=crypto:\d+ AES_CM_128_HMAC_SHA1_(80|32) inline:[A-Za-z0-9+/]{40}/);

      await customer.waitForEvent('CALL_CLOSED', 40_000);
      await agent.waitForEvent('CALL_CLOSED', 5_000);
      await lab.pipelineStopped(callId, 120_000);

      heardAndTranscribed(lab, callId, customer, agent, 'SRTP trunk');
    });

    test('a call answered here (the listener) over SRTP is transcribed', async () => {
      const caller = await lab.phone({
        user: '+15551011',
        answerMode: 'manual',
        wavPath: join(AUDIO, 'demo-customer.wav'),
        mediaenc: 'srtp-mand',
      });
      await lab.dial(caller, LISTENER);
      const callId = await lab.callOf(LISTENER);
      const during = await srtcpArrived(callId);
      assert.equal(during.rtp[0]!.packetsUnauthenticated, 0);
      await caller.waitForEvent('CALL_CLOSED', 40_000);
      await lab.pipelineStopped(callId, 120_000);
      const ch0 = transcriptText(lab.live.frames, callId, 'ch_0');
      const wer = wordErrorRate(transcriptOf('demo-customer'), ch0).wer;
      process.stderr.write(`SRTP listener WER ${(wer * 100).toFixed(1)} %\n`);
      assert.ok(wer <= MAX_WER, `WER ${wer}: "${ch0}"`);
    });

    test('a plain RTP offer is refused with 488 and a Warning saying SRTP is required', async () => {
      const plain = await lab.phone({ user: '+15551012', answerMode: 'manual', sipTrace: true });
      await lab.dial(plain, LISTENER);
      const closed = await plain.waitForEvent('CALL_CLOSED');
      assert.equal(closed.param, '488 Not Acceptable Here');
      assert.match(plain.output, /Warning: 399 callsight "SRTP is required here/);
    });
  },
);

describe(
  'best-effort SRTP caller to a plain phone, media.encryption optional: one leg SRTP, one plain',
  { skip: !srtpAvailable && 'baresip (Debian) with its srtp module is not installed' },
  () => {
    const lab = new BaresipLab();
    let plainDesk: Baresip;

    before(async () => {
      plainDesk = await lab.phone({
        user: '+15551102',
        answerMode: 'auto',
        wavPath: padded(join(AUDIO, 'demo-agent.wav'), 3, lab.scratch),
        dumpAudio: true,
        sipTrace: true,
      });
      await lab.start(
        { routes: [{ name: 'to-plain', target: `sip:+15551102@127.0.0.1:${plainDesk.sipPort}` }] },
        { CALLSIGHT_ASR_ENABLED: 'false' },
      );
    });

    after(() => lab.close());

    test("the relay decrypts the caller's SRTP for the plain phone and encrypts the plain phone's RTP for the caller", async () => {
      const caller = await lab.phone({
        user: '+15551101',
        answerMode: 'manual',
        wavPath: join(AUDIO, 'demo-customer.wav'),
        dumpAudio: true,
        mediaenc: 'srtp',
        sipTrace: true,
      });
      await lab.dial(caller, '+15551102');
      await caller.waitForEvent('CALL_CLOSED', 40_000);
      await plainDesk.waitForEvent('CALL_CLOSED', 5_000);
      const ok = caller.output.slice(caller.output.indexOf('SIP/2.0 200 OK'));
      assert.match(ok, /a=crypto:\d+ AES_CM_128_HMAC_SHA1_(80|32) inline:/, "the caller's leg is SRTP");
      const farInvite = plainDesk.output.slice(plainDesk.output.indexOf('INVITE sip:'));
      assert.match(farInvite, /m=audio \d+ RTP\/AVP /, 'the far leg was offered RTP/AVP…');
      assert.match(farInvite, /a=crypto:1 AES_CM_128_HMAC_SHA1_/, '… with keys: best-effort SRTP');
      const heardByPlain = matchAudio(
        readWav(caller.dumps().sent).samples,
        readWav(plainDesk.dumps().received).samples,
      );
      const heardByCaller = matchAudio(
        readWav(plainDesk.dumps().sent).samples,
        readWav(caller.dumps().received).samples,
      );
      process.stderr.write(
        `mixed legs: SRTP→plain ${heardByPlain.correlation.toFixed(4)}, plain→SRTP ${heardByCaller.correlation.toFixed(4)}\n`,
      );
      assert.ok(
        heardByPlain.correlation >= MIN_CORRELATION,
        `the plain phone heard ${heardByPlain.correlation}`,
      );
      assert.ok(
        heardByCaller.correlation >= MIN_CORRELATION,
        `the SRTP phone heard ${heardByCaller.correlation}`,
      );
    });
  },
);
