import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Baresip } from '../helpers/baresip.js';
import { BaresipLab } from '../helpers/baresipLab.js';
import { padded } from '../helpers/paddedWav.js';
import { freePort } from '../helpers/ports.js';
import { AUDIO, heardAndTranscribed, srtcpArrivedIn, srtpAvailable } from '../helpers/srtpCall.js';
import { TestCa } from '../helpers/testCa.js';

/*
 * Issue 15's "verified with a real peer": Debian's baresip calls Callsight over SIP/TLS (RFC 3261
 * §26) with mandatory SRTP (`mediaenc=srtp-mand`: RTP/SAVP, SDES keys), Callsight runs with
 * `media.encryption: required` and a certificate from a CA made for the run, and routes the call
 * over TLS to a second baresip whose certificate it checks against that CA (sip.tlsCaFile). Each
 * leg's SRTP is keyed on its own and the relay re-encrypts per leg. Both phones trust the run's CA
 * (sip_cafile).
 */

const TLS_CALLER = '+15551201';
const TLS_DESK = '+15551202';

describe(
  'SIP over TLS with mandatory SRTP: a baresip phone calls another through Callsight, every leg TLS',
  { skip: !srtpAvailable && 'baresip (Debian) with its srtp module is not installed' },
  () => {
    const lab = new BaresipLab();
    // No spaces in the CA's file name: baresip's config file cannot quote one.
    const ca = TestCa.create('Callsight-Test-CA');
    let desk: Baresip;
    let tlsPort: number;

    before(async () => {
      // Callsight's certificate names 127.0.0.1, as the caller dials it; the desk's too, as RFC 5922
      // §7.2 asks of a target given by address (Callsight checks it against sip.tlsCaFile).
      const server = ca.issue('callsight', { ips: ['127.0.0.1'], dns: ['callsight.test'] });
      const deskCertificate = ca.issue('desk', { ips: ['127.0.0.1'] });
      const deskPem = join(ca.dir, 'desk.pem');
      writeFileSync(deskPem, Buffer.concat([deskCertificate.cert, deskCertificate.key]));
      desk = await lab.phone({
        user: TLS_DESK,
        answerMode: 'auto',
        wavPath: padded(join(AUDIO, 'demo-agent.wav'), 3, lab.scratch),
        dumpAudio: true,
        mediaenc: 'srtp-mand',
        sipTrace: true,
        tls: { caFile: ca.caFile, certificateFile: deskPem },
      });
      tlsPort = await freePort();
      await lab.start(
        {
          media: { encryption: 'required' },
          routes: [
            {
              name: 'tls-desk',
              match: { toNumber: [TLS_DESK], source: { transport: ['tls'] } },
              target: `sip:${TLS_DESK}@127.0.0.1:${desk.tlsPort};transport=tls`,
            },
          ],
        },
        {
          CALLSIGHT_SIP_TLS_PORT: String(tlsPort),
          CALLSIGHT_SIP_TLS_CERT_FILE: server.certFile,
          CALLSIGHT_SIP_TLS_KEY_FILE: server.keyFile,
          CALLSIGHT_SIP_TLS_CA_FILE: ca.caFile,
        },
      );
    });

    after(async () => {
      await lab.close();
      ca.cleanup();
    });

    test('SIP/TLS and SRTP on both legs: each phone hears the other intact, both channels are transcribed', async () => {
      const customer = await lab.phone({
        user: TLS_CALLER,
        answerMode: 'manual',
        wavPath: join(AUDIO, 'demo-customer.wav'),
        dumpAudio: true,
        mediaenc: 'srtp-mand',
        sipTrace: true,
        tls: { caFile: ca.caFile },
      });
      await customer.command('dial', `sip:${TLS_DESK}@127.0.0.1:${tlsPort};transport=tls`);
      const callId = await lab.callOf(TLS_DESK);
      const during = await srtcpArrivedIn(lab, callId);
      for (const [channel, stats] of during.rtp.entries()) {
        assert.equal(stats.packetsUnauthenticated, 0, `ch_${channel}: every SRTP packet authenticated`);
        assert.equal(stats.packetsReplayed, 0);
      }
      // Both legs are TLS connections: the caller's to Callsight, Callsight's to the desk.
      const metrics = await (await fetch(`http://127.0.0.1:${lab.callsight.httpPort}/metrics`)).text();
      assert.match(metrics, /^callsight_sip_connections 2$/m);
      const invite = customer.output.slice(customer.output.indexOf('INVITE sip:'));
      assert.match(invite, /^Via: SIP\/2\.0\/TLS /m, 'the caller sent its INVITE over TLS');
      assert.match(invite, /m=audio \d+ RTP\/SAVP/);
      const ok = customer.output.slice(customer.output.indexOf('SIP/2.0 200 OK'));
      assert.match(ok, /a=crypto:\d+ AES_CM_128_HMAC_SHA1_(80|32) inline:/);
      const farInvite = desk.output.slice(desk.output.indexOf('INVITE sip:'));
      assert.match(farInvite, /^Via: SIP\/2\.0\/TLS /m, 'Callsight called the desk over TLS');
      assert.match(farInvite, /m=audio \d+ RTP\/SAVP/);
      assert.match(farInvite, /a=crypto:1 /);

      const closed = await customer.waitForEvent('CALL_CLOSED', 40_000);
      await desk.waitForEvent('CALL_CLOSED', 5_000);
      // The recogniser lags behind the call when the machine is busy: it has the call's audio to finish.
      await lab.pipelineStopped(callId, 120_000);
      process.stderr.write(
        `TLS+SRTP: the pipeline stopped ${Date.now() - closed.receivedAt} ms after the BYE\n`,
      );
      heardAndTranscribed(lab, callId, customer, desk, 'TLS+SRTP trunk');
    });
  },
);
