import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as sdpTransform from 'sdp-transform';
import { newBranch, type SipResponse } from '../../src/sip/message/SipMessage.js';
import type { SipUserAgent } from '../../src/sip/SipUserAgent.js';
import { PeerCall, UdpPeer, contactUri, isResponse } from '../sip/support/SipPeer.js';
import { startLoopbackConnector } from './support/loopbackConnector.js';

/*
 * A listener call's codec over re-INVITEs, on real SIP over UDP: the stream's decoder is chosen when
 * it opens, so a re-offer keeps the codec in use when it still has it and is refused when it has not.
 */

const offer = (formats: string, ...rtpmaps: string[]) =>
  [
    'v=0',
    'o=peer 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio 40000 RTP/AVP ${formats}`,
    ...rtpmaps,
    'a=sendonly',
    '',
  ].join('\r\n');

const answered = (response: SipResponse) =>
  sdpTransform.parse(response.body.toString('utf8')).media[0]!.rtp.map((r) => `${r.codec}/${r.rate}`);

describe("re-INVITEs keep a stream's codec", () => {
  let uas: SipUserAgent;
  let caller: UdpPeer;

  before(async () => {
    ({ uas } = await startLoopbackConnector());
    caller = await UdpPeer.open(uas.udpPort);
  });

  after(async () => {
    await caller?.close();
    await uas?.close();
  });

  test('G.722 answered over PCMU; a re-offer listing PCMU first keeps G.722; one without G.722 is 488', async () => {
    const call = new PeerCall(caller);
    caller.send(call.invite({ body: offer('0 9', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:9 G722/8000') }));
    const ok = await call.next(isResponse(200), 3000, 'the 200 OK');
    assert.deepEqual(answered(ok), ['G722/8000']);
    caller.send(call.ackOk(ok));

    caller.send(
      call.inDialog('INVITE', {
        headers: ['Content-Type: application/sdp'],
        body: offer('0 9', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:9 G722/8000'),
      }),
    );
    const kept = await call.next(isResponse(200), 3000, 'the re-INVITE answer');
    assert.deepEqual(answered(kept), ['G722/8000']);
    // A 2xx's ACK has a transaction of its own, with the re-INVITE's CSeq number.
    caller.send(
      call.request({
        method: 'ACK',
        uri: contactUri(kept),
        branch: newBranch(),
        cseq: kept.cseq.seq,
        to: call.to,
      }),
    );

    caller.send(
      call.inDialog('INVITE', {
        headers: ['Content-Type: application/sdp'],
        body: offer('0', 'a=rtpmap:0 PCMU/8000'),
      }),
    );
    const refused = await call.next(isResponse(488), 3000, 'the 488');
    assert.equal(refused.reason, 'Not Acceptable Here');
    // RFC 3261 §20.43: the refusal says why, as docs/errors.md (CS_ERR_SDP_NO_CODEC) promises.
    assert.equal(refused.headers.get('warning'), `305 callsight "re-offer changed a stream's codec"`);
    caller.send(ackRefusal(call, refused));
  });
});

/** The ACK of a non-2xx belongs to the re-INVITE's transaction: its branch and CSeq. */
const ackRefusal = (call: PeerCall, refused: SipResponse) =>
  call.request({
    method: 'ACK',
    branch: refused.topVia.branch!,
    cseq: refused.cseq.seq,
    to: refused.headers.get('to')!,
  });

/** A fresh AES_CM_128_HMAC_SHA1_80 master key and salt (30 bytes), as an SDES inline parameter. */
const inlineKey = () => `inline:${randomBytes(30).toString('base64')}`;

describe('media.encryption required over re-INVITEs', () => {
  let uas: SipUserAgent;
  let caller: UdpPeer;

  before(async () => {
    ({ uas } = await startLoopbackConnector(undefined, { encryption: 'required' }));
    caller = await UdpPeer.open(uas.udpPort);
  });

  after(async () => {
    await caller?.close();
    await uas?.close();
  });

  test('an SRTP call re-offered as plain RTP gets 488 with a Warning saying SRTP is required; the call goes on', async () => {
    const srtpOffer = offer(
      '0',
      'a=rtpmap:0 PCMU/8000',
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 ${inlineKey()}`,
    ).replace('RTP/AVP', 'RTP/SAVP');
    const call = new PeerCall(caller);
    caller.send(call.invite({ body: srtpOffer }));
    const ok = await call.next(isResponse(200), 3000, 'the 200 OK');
    assert.match(ok.body.toString('utf8'), /m=audio \d+ RTP\/SAVP 0\r\n/);
    caller.send(call.ackOk(ok));

    caller.send(
      call.inDialog('INVITE', {
        headers: ['Content-Type: application/sdp'],
        body: offer('0', 'a=rtpmap:0 PCMU/8000'),
      }),
    );
    const refused = await call.next(isResponse(488), 3000, 'the 488');
    assert.equal(refused.reason, 'Not Acceptable Here');
    assert.equal(
      refused.headers.get('warning'),
      '399 callsight "SRTP is required here (media.encryption: required): offer RTP/SAVP with a=crypto"',
    );
    caller.send(ackRefusal(call, refused));

    // The refusal left the dialog as it was: an SRTP re-offer is still answered.
    caller.send(call.inDialog('INVITE', { headers: ['Content-Type: application/sdp'], body: srtpOffer }));
    const again = await call.next(isResponse(200), 3000, 'the SRTP re-offer answer');
    assert.match(again.body.toString('utf8'), /a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:/);
  });
});
