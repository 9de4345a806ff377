import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as sdpTransform from 'sdp-transform';
import { offerKeys } from '../../src/connector/MediaEncryption.js';
import { answerFor, negotiate, readAnswer, type Negotiation } from '../../src/connector/MediaNegotiation.js';
import { newMasterKey } from '../../src/media/srtp/SdesCrypto.js';
import { SipRejection, type IncomingInvite } from '../../src/sip/CallHandlerTypes.js';

function invite(body: string, contentType: string | null = 'application/sdp'): IncomingInvite {
  return {
    sipCallId: 'negotiation@127.0.0.1',
    fromNumber: '+15550111',
    toNumber: '+15550100',
    fromUri: 'sip:+15550111@192.0.2.10',
    toUri: 'sip:+15550100@192.0.2.1',
    requestUri: 'sip:+15550100@192.0.2.1',
    headers: {},
    contentType,
    body,
    source: { address: '192.0.2.10', port: 5060, transport: 'udp' },
  };
}

/** An offer from session lines and media sections, CRLF-terminated as on the wire. */
function sdp(...media: string[][]): string {
  return (
    [
      'v=0',
      'o=trunk 1700000000 1 IN IP4 192.0.2.10',
      's=-',
      'c=IN IP4 192.0.2.10',
      't=0 0',
      ...media.flat(),
    ].join('\r\n') + '\r\n'
  );
}

function rejection(fn: () => unknown): SipRejection {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SipRejection, `threw ${String(err)}`);
    return err;
  }
  assert.fail('the offer was accepted');
}

const answer = (negotiation: Negotiation, ports = [30000, 30002]) =>
  sdpTransform.parse(answerFor(negotiation, '192.0.2.1', ports));

describe('negotiate: codec choice', () => {
  test('the first G.711 format in the offer order wins: PCMU before PCMA', () => {
    const { accepted } = negotiate(invite(sdp(['m=audio 4000 RTP/AVP 0 8'])), 2);
    assert.equal(accepted.length, 1);
    assert.equal(accepted[0]!.payloadType, 0);
    assert.equal(accepted[0]!.encoding, 'PCMU');
  });

  test('among G.711 formats, the configured order wins: PCMA first when media.codecs says so; other codecs are skipped', () => {
    const { accepted } = negotiate(
      invite(sdp(['m=audio 4000 RTP/AVP 18 9 0 8', 'a=rtpmap:18 G729/8000', 'a=rtpmap:9 G722/8000'])),
      2,
      'optional',
      ['PCMA', 'PCMU'],
    );
    assert.equal(accepted[0]!.payloadType, 8);
    assert.equal(accepted[0]!.encoding, 'PCMA');
  });

  test('G.711 on a dynamic payload type is found by its rtpmap name, in any case', () => {
    const { accepted } = negotiate(
      invite(sdp(['m=audio 4000 RTP/AVP 96 97', 'a=rtpmap:96 opus/48000/2', 'a=rtpmap:97 pcma/8000'])),
      2,
      'optional',
      ['PCMU', 'PCMA'],
    );
    assert.equal(accepted[0]!.payloadType, 97);
    assert.equal(accepted[0]!.encoding, 'PCMA');
    const media = answer(negotiate(invite(sdp(['m=audio 4000 RTP/AVP 97', 'a=rtpmap:97 pcma/8000'])), 2))
      .media[0]!;
    assert.equal(String(media.payloads), '97');
    assert.deepEqual(media.rtp, [{ payload: 97, codec: 'PCMA', rate: 8000 }]);
  });

  test('wideband is preferred by default whatever the offer order: G.722 (static 9, SDP clock 8000) over Opus over G.711', () => {
    const g722 = negotiate(invite(sdp(['m=audio 4000 RTP/AVP 0 8 96 9', 'a=rtpmap:96 opus/48000/2'])), 2);
    assert.equal(g722.accepted[0]!.encoding, 'G722');
    assert.equal(g722.accepted[0]!.payloadType, 9);
    assert.deepEqual(answer(g722).media[0]!.rtp, [{ payload: 9, codec: 'G722', rate: 8000 }]);
    const opus = negotiate(invite(sdp(['m=audio 4000 RTP/AVP 0 111', 'a=rtpmap:111 OPUS/48000/2'])), 2);
    assert.equal(opus.accepted[0]!.encoding, 'OPUS');
    assert.equal(opus.accepted[0]!.payloadType, 111);
  });

  test("Opus is answered as opus/48000/2 with the offer's fmtp, and telephone-event at its 48 kHz clock", () => {
    const negotiation = negotiate(
      invite(
        sdp([
          'm=audio 4000 RTP/AVP 111 101 100',
          'a=rtpmap:111 opus/48000/2',
          'a=fmtp:111 useinbandfec=1;stereo=0',
          'a=rtpmap:101 telephone-event/8000',
          'a=rtpmap:100 telephone-event/48000',
        ]),
      ),
      2,
    );
    const stream = negotiation.accepted[0]!;
    assert.equal(stream.telephoneEvent, 100);
    assert.equal(stream.audioFmtp, 'useinbandfec=1;stereo=0');
    const media = answer(negotiation).media[0]!;
    assert.equal(media.payloads, '111 100');
    assert.deepEqual(media.rtp, [
      { payload: 111, codec: 'opus', rate: 48000, encoding: 2 },
      { payload: 100, codec: 'telephone-event', rate: 48000 },
    ]);
    assert.deepEqual(media.fmtp, [
      { payload: 111, config: 'useinbandfec=1;stereo=0' },
      { payload: 100, config: '0-16' },
    ]);
  });

  test('a codec left out of media.codecs is refused: G.722 only offered, G.711 only taken → 488 naming what is taken', () => {
    const err = rejection(() =>
      negotiate(invite(sdp(['m=audio 4000 RTP/AVP 9'])), 2, 'optional', ['PCMU', 'PCMA']),
    );
    assert.equal(err.status, 488);
    assert.match(err.extraHeaders.Warning ?? '', /PCMU, PCMA/);
  });

  test('a static payload type renamed by rtpmap, or G.711 at another clock rate, is not G.711', () => {
    assert.throws(
      () => negotiate(invite(sdp(['m=audio 4000 RTP/AVP 0', 'a=rtpmap:0 G729/8000'])), 2),
      (err: unknown) => err instanceof SipRejection && err.status === 488,
    );
    assert.throws(
      () => negotiate(invite(sdp(['m=audio 4000 RTP/AVP 96', 'a=rtpmap:96 PCMU/16000'])), 2),
      (err: unknown) => err instanceof SipRejection && err.status === 488,
    );
  });

  test('telephone-event is echoed with its payload type and fmtp', () => {
    const negotiation = negotiate(
      invite(
        sdp([
          'm=audio 4000 RTP/AVP 8 100',
          'a=rtpmap:8 PCMA/8000',
          'a=rtpmap:100 telephone-event/8000',
          'a=fmtp:100 0-15',
          'a=ptime:20',
        ]),
      ),
      2,
    );
    assert.equal(negotiation.accepted[0]!.telephoneEvent, 100);
    assert.equal(negotiation.accepted[0]!.telephoneEventFmtp, '0-15');
    const media = answer(negotiation).media[0]!;
    assert.equal(media.payloads, '8 100');
    assert.deepEqual(media.rtp, [
      { payload: 8, codec: 'PCMA', rate: 8000 },
      { payload: 100, codec: 'telephone-event', rate: 8000 },
    ]);
    assert.deepEqual(media.fmtp, [{ payload: 100, config: '0-15' }]);
    assert.equal(media.ptime, 20);
  });

  test('telephone-event without fmtp is answered with 0-16; at 16 kHz it is not taken', () => {
    const plain = negotiate(
      invite(sdp(['m=audio 4000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000'])),
      2,
    );
    assert.deepEqual(answer(plain).media[0]!.fmtp, [{ payload: 101, config: '0-16' }]);
    const wide = negotiate(
      invite(sdp(['m=audio 4000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/16000'])),
      2,
    );
    assert.equal(wide.accepted[0]!.telephoneEvent, null);
    assert.equal(String(answer(wide).media[0]!.payloads), '0');
  });
});

describe('negotiate: the answer', () => {
  test('has as many m-lines as the offer: video, RTP/AVPF and (with media.encryption off) RTP/SAVP refused with port 0', () => {
    const negotiation = negotiate(
      invite(
        sdp(
          ['m=video 5000 RTP/AVP 96', 'a=rtpmap:96 H264/90000'],
          [
            'm=audio 4002 RTP/SAVP 0',
            'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz',
          ],
          ['m=audio 4000 RTP/AVP 0'],
          ['m=audio 4004 RTP/AVPF 0'],
        ),
      ),
      2,
      'off',
    );
    assert.deepEqual(
      negotiation.accepted.map((s) => s.mediaIndex),
      [2],
    );
    const parsed = answer(negotiation, [31000]);
    assert.deepEqual(
      parsed.media.map((m) => [m.type, m.port, m.protocol, String(m.payloads)]),
      [
        ['video', 0, 'RTP/AVP', '96'],
        ['audio', 0, 'RTP/SAVP', '0'],
        ['audio', 31000, 'RTP/AVP', '0'],
        ['audio', 0, 'RTP/AVPF', '0'],
      ],
    );
    assert.equal(parsed.media[2]!.direction, 'recvonly');
    assert.equal(parsed.connection?.ip, '192.0.2.1');
    assert.equal(parsed.origin?.address, '192.0.2.1');
  });

  test('a stream offered inactive or recvonly (hold) is answered inactive, a sending one recvonly', () => {
    const negotiation = negotiate(
      invite(sdp(['m=audio 4000 RTP/AVP 0', 'a=sendonly'], ['m=audio 4002 RTP/AVP 0', 'a=inactive'])),
      2,
    );
    assert.deepEqual(
      answer(negotiation, [30010, 30012]).media.map((m) => m.direction),
      ['recvonly', 'inactive'],
    );
    const held = negotiate(invite(sdp(['m=audio 4000 RTP/AVP 0', 'a=recvonly'])), 1);
    assert.equal(answer(held, [30010]).media[0]!.direction, 'inactive');
  });

  test('an offered stream with port 0 stays refused', () => {
    const negotiation = negotiate(invite(sdp(['m=audio 0 RTP/AVP 0'], ['m=audio 4000 RTP/AVP 8'])), 2);
    assert.deepEqual(
      answer(negotiation, [30010]).media.map((m) => m.port),
      [0, 30010],
    );
  });

  test('SIPREC streams each take their own best codec: G.722 for one that offers it, Opus or PCMA for the others', () => {
    const negotiation = negotiate(
      invite(
        sdp(
          ['m=audio 4000 RTP/AVP 8 9', 'a=label:1', 'a=sendonly'],
          ['m=audio 4002 RTP/AVP 8 96', 'a=rtpmap:96 opus/48000/2', 'a=label:2', 'a=sendonly'],
        ),
      ),
      2,
    );
    assert.deepEqual(
      negotiation.accepted.map((s) => [s.label, s.encoding, s.payloadType]),
      [
        ['1', 'G722', 9],
        ['2', 'OPUS', 96],
      ],
    );
    assert.deepEqual(
      answer(negotiation).media.map((m) => m.rtp.map((r) => `${r.codec}/${r.rate}`)),
      [['G722/8000'], ['opus/48000']],
    );
    const narrow = negotiate(
      invite(sdp(['m=audio 4000 RTP/AVP 8 9', 'a=label:1'], ['m=audio 4002 RTP/AVP 8 96', 'a=label:2'])),
      2,
      'optional',
      ['PCMA'],
    );
    assert.deepEqual(
      narrow.accepted.map((s) => s.encoding),
      ['PCMA', 'PCMA'],
    );
  });

  test('two audio streams (SIPREC) are both accepted, in order, with their a=label kept', () => {
    const negotiation = negotiate(
      invite(
        sdp(
          ['m=audio 4000 RTP/AVP 0', 'a=label:caller', 'a=sendonly'],
          ['m=audio 4002 RTP/AVP 8', 'a=label:2', 'a=sendonly'],
          ['m=audio 4004 RTP/AVP 0', 'a=label:3'],
        ),
      ),
      2,
    );
    assert.deepEqual(
      negotiation.accepted.map((s) => [s.mediaIndex, s.label, s.encoding]),
      [
        [0, 'caller', 'PCMU'],
        [1, '2', 'PCMA'],
      ],
    );
    const media = answer(negotiation, [30020, 30022]).media;
    assert.deepEqual(
      media.map((m) => [m.port, m.label === undefined ? null : String(m.label)]),
      [
        [30020, 'caller'],
        [30022, '2'],
        [0, null],
      ],
      'a third stream beyond maxStreams is refused',
    );
  });

  test('remote address: the media c= line wins over the session one; 0.0.0.0 (hold) is null', () => {
    const negotiation = negotiate(
      invite(
        sdp(
          ['m=audio 4000 RTP/AVP 0', 'c=IN IP4 198.51.100.7'],
          ['m=audio 4002 RTP/AVP 0', 'c=IN IP4 0.0.0.0'],
        ),
      ),
      2,
    );
    assert.deepEqual(
      negotiation.accepted.map((s) => s.remoteAddress),
      ['198.51.100.7', null],
    );
    const sessionOnly = negotiate(invite(sdp(['m=audio 4000 RTP/AVP 0'])), 2);
    assert.equal(sessionOnly.accepted[0]!.remoteAddress, '192.0.2.10');
    const held = negotiate(
      invite(sdp(['m=audio 4000 RTP/AVP 0']).replace('c=IN IP4 192.0.2.10', 'c=IN IP4 0.0.0.0')),
      2,
    );
    assert.equal(held.accepted[0]!.remoteAddress, null);
  });

  test('an IPv6 advertised address gives an IP6 answer', () => {
    const negotiation = negotiate(invite(sdp(['m=audio 4000 RTP/AVP 0'])), 2);
    const parsed = sdpTransform.parse(answerFor(negotiation, '2001:db8::1', [30000]));
    assert.deepEqual(parsed.connection, { version: 6, ip: '2001:db8::1' });
  });
});

describe('negotiate: refusals', () => {
  test('no G.711 in any stream → 488 with a Warning', () => {
    const err = rejection(() =>
      negotiate(
        invite(sdp(['m=audio 4000 RTP/AVP 18', 'a=rtpmap:18 G729/8000'], ['m=video 5000 RTP/AVP 96'])),
        2,
      ),
    );
    assert.equal(err.status, 488);
    assert.equal(err.code, 'CS_ERR_SDP_NO_CODEC');
    assert.match(err.extraHeaders.Warning ?? '', /^305 /);
  });

  test('only video, or only secure audio → 488', () => {
    assert.equal(rejection(() => negotiate(invite(sdp(['m=video 5000 RTP/AVP 0'])), 2)).status, 488);
    assert.equal(rejection(() => negotiate(invite(sdp(['m=audio 4000 RTP/SAVP 0'])), 2)).status, 488);
  });

  test('an INVITE without an offer → 488 CS_ERR_SDP_NO_CODEC', () => {
    for (const err of [
      rejection(() => negotiate(invite(''), 2)),
      rejection(() => negotiate(invite('\r\n', null), 2)),
    ]) {
      assert.equal(err.status, 488);
      assert.equal(err.code, 'CS_ERR_SDP_NO_CODEC');
    }
  });

  test('a body that is not SDP → 415 with Accept: application/sdp', () => {
    for (const contentType of ['application/pdf', 'text/plain', null, 'multipart/mixed;boundary=x']) {
      const err = rejection(() => negotiate(invite(sdp(['m=audio 4000 RTP/AVP 0']), contentType), 2));
      assert.equal(err.status, 415, String(contentType));
      assert.equal(err.code, 'CS_ERR_SIPREC_UNSUPPORTED_BODY');
      assert.equal(err.extraHeaders.Accept, 'application/sdp');
    }
  });

  test('a Content-Type with parameters and odd case is still SDP', () => {
    const negotiation = negotiate(
      invite(sdp(['m=audio 4000 RTP/AVP 0']), 'Application/SDP; charset=utf-8'),
      2,
    );
    assert.equal(negotiation.accepted.length, 1);
  });

  test('garbage or incomplete SDP → 400 with a Warning', () => {
    for (const body of [
      'this is not SDP at all',
      'v=0\r\n',
      'v=1\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n',
      'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP\r\n',
      'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nt=0 0\r\nm=audio ninety RTP/AVP 0\r\n',
      '\0\x01\x02\xff',
    ]) {
      const err = rejection(() => negotiate(invite(body), 2));
      assert.equal(err.status, 400, JSON.stringify(body));
      assert.equal(err.code, 'CS_ERR_SDP_INVALID');
      assert.match(err.extraHeaders.Warning ?? '', /^399 callsight "malformed SDP offer/);
    }
  });
});

describe('negotiate: SRTP (SDES) under media.encryption', () => {
  const KEY = 'WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz';
  const GCM_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==';
  const savp = [
    'm=audio 4000 RTP/SAVP 0',
    `a=crypto:1 F8_128_HMAC_SHA1_80 inline:${KEY}`,
    `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${KEY}|2^31`,
    `a=crypto:3 AEAD_AES_128_GCM inline:${GCM_KEY}`,
  ];
  const plain = ['m=audio 4000 RTP/AVP 0'];

  test('optional: the first usable crypto line is answered with its tag and suite and a fresh key of ours', () => {
    const negotiation = negotiate(invite(sdp(savp)), 2, 'optional');
    const stream = negotiation.accepted[0]!;
    assert.equal(stream.protocol, 'RTP/SAVP');
    assert.equal(stream.srtp?.tag, 2);
    assert.equal(stream.srtp.remote.suite.name, 'AES_CM_128_HMAC_SHA1_32');
    assert.deepEqual(
      Buffer.concat([stream.srtp.remote.key, stream.srtp.remote.salt]),
      Buffer.from(KEY, 'base64'),
    );
    assert.notDeepEqual(stream.srtp.local.key, stream.srtp.remote.key);
    const media = answer(negotiation).media[0]!;
    assert.equal(media.protocol, 'RTP/SAVP');
    assert.equal(media.crypto?.length, 1);
    assert.equal(media.crypto[0]!.id, 2);
    assert.equal(media.crypto[0]!.suite, 'AES_CM_128_HMAC_SHA1_32');
    assert.equal(
      media.crypto[0]!.config,
      `inline:${Buffer.concat([stream.srtp.local.key, stream.srtp.local.salt]).toString('base64')}`,
    );
  });

  test('optional: a plain offer is answered plainly; best-effort SRTP (RTP/AVP with a=crypto) with SRTP', () => {
    const answered = answer(negotiate(invite(sdp(plain)), 2, 'optional')).media[0]!;
    assert.equal(answered.protocol, 'RTP/AVP');
    assert.equal(answered.crypto, undefined);
    const bestEffort = negotiate(
      invite(sdp(['m=audio 4000 RTP/AVP 0', `a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`])),
      2,
    );
    assert.equal(bestEffort.accepted[0]!.srtp?.tag, 5);
    assert.equal(answer(bestEffort).media[0]!.protocol, 'RTP/AVP');
    const unusable = negotiate(
      invite(sdp(['m=audio 4000 RTP/AVP 0', `a=crypto:5 F8_128_HMAC_SHA1_80 inline:${KEY}`])),
      2,
    );
    assert.equal(unusable.accepted[0]!.srtp, null, 'no usable key: plain, as best effort allows');
  });

  test('required: a plain offer gets 488 saying SRTP is required; an SRTP one is accepted', () => {
    const err = rejection(() => negotiate(invite(sdp(plain)), 2, 'required'));
    assert.equal(err.status, 488);
    assert.match(err.extraHeaders.Warning ?? '', /SRTP is required here \(media.encryption: required\)/);
    assert.equal(negotiate(invite(sdp(savp)), 2, 'required').accepted[0]!.srtp?.tag, 2);
    const unusable = rejection(() =>
      negotiate(
        invite(sdp(['m=audio 4000 RTP/SAVP 0', `a=crypto:1 F8_128_HMAC_SHA1_80 inline:${KEY}`])),
        2,
        'required',
      ),
    );
    assert.match(unusable.extraHeaders.Warning ?? '', /no usable a=crypto line/);
  });

  test('SIPREC: two labelled SRTP streams each get their own key in the answer, under their own tag', () => {
    const negotiation = negotiate(
      invite(
        sdp(
          [
            'm=audio 4000 RTP/SAVP 0',
            'a=label:1',
            `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`,
            'a=sendonly',
          ],
          [
            'm=audio 4002 RTP/SAVP 0',
            'a=label:2',
            `a=crypto:4 AEAD_AES_128_GCM inline:${GCM_KEY}`,
            'a=sendonly',
          ],
        ),
      ),
      2,
      'required',
    );
    const [first, second] = negotiation.accepted;
    assert.equal(first!.srtp?.remote.suite.name, 'AES_CM_128_HMAC_SHA1_80');
    assert.equal(second!.srtp?.remote.suite.name, 'AEAD_AES_128_GCM');
    const media = answer(negotiation).media;
    assert.deepEqual(
      media.map((m) => [String(m.label), m.protocol, m.crypto?.[0]?.id, m.crypto?.[0]?.suite, m.direction]),
      [
        ['1', 'RTP/SAVP', 1, 'AES_CM_128_HMAC_SHA1_80', 'recvonly'],
        ['2', 'RTP/SAVP', 4, 'AEAD_AES_128_GCM', 'recvonly'],
      ],
    );
    assert.notEqual(media[0]!.crypto?.[0]?.config, media[1]!.crypto?.[0]?.config);
  });

  test('off: RTP/SAVP is refused (488 when it is all), a=crypto on RTP/AVP ignored', () => {
    const err = rejection(() => negotiate(invite(sdp(savp)), 2, 'off'));
    assert.equal(err.status, 488);
    assert.match(err.extraHeaders.Warning ?? '', /SRTP is turned off here/);
    const ignored = negotiate(
      invite(sdp(['m=audio 4000 RTP/AVP 0', `a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`])),
      2,
      'off',
    );
    assert.equal(ignored.accepted[0]!.srtp, null);
    assert.equal(answer(ignored).media[0]!.crypto, undefined);
  });
});

describe('readAnswer: the far leg answers the keys the relay offered', () => {
  const keys = offerKeys('AES_CM_128_HMAC_SHA1_80');
  const theirs = newMasterKey('AES_CM_128_HMAC_SHA1_80');
  const inline = (k: typeof theirs) => Buffer.concat([k.key, k.salt]).toString('base64');
  const body = (...lines: string[]) => ({ contentType: 'application/sdp', body: sdp(lines) });

  test('an SRTP answer takes one of our tags: our key for that tag, theirs from the answer', () => {
    const tag = keys[0]!.tag;
    const answer = readAnswer(
      body('m=audio 5000 RTP/SAVP 0', `a=crypto:${tag} AES_CM_128_HMAC_SHA1_80 inline:${inline(theirs)}`),
      { payloadType: 0, encoding: 'PCMU' },
      keys,
      true,
    );
    assert.equal(answer.srtp?.tag, tag);
    assert.equal(answer.srtp.local, keys[0]!.master);
    assert.deepEqual(answer.srtp.remote.key, theirs.key);
    assert.deepEqual(answer.remote, { address: '192.0.2.10', port: 5000 });
  });

  test('a plain answer to best-effort SRTP makes a plain leg; to RTP/SAVP (or under required) it is 488', () => {
    assert.equal(
      readAnswer(body('m=audio 5000 RTP/AVP 0'), { payloadType: 0, encoding: 'PCMU' }, keys, false).srtp,
      null,
    );
    assert.equal(
      rejection(() =>
        readAnswer(body('m=audio 5000 RTP/AVP 0'), { payloadType: 0, encoding: 'PCMU' }, keys, true),
      ).status,
      488,
    );
  });

  test('a tag or suite we did not offer is 488', () => {
    const wrongTag = body(
      'm=audio 5000 RTP/SAVP 0',
      `a=crypto:99 AES_CM_128_HMAC_SHA1_80 inline:${inline(theirs)}`,
    );
    assert.equal(
      rejection(() => readAnswer(wrongTag, { payloadType: 0, encoding: 'PCMU' }, keys, false)).status,
      488,
    );
    // Tag 1 is our AES_CM_128_HMAC_SHA1_80 key: answered as GCM, the suites disagree.
    const gcm = newMasterKey('AEAD_AES_128_GCM');
    const wrongSuite = body(
      'm=audio 5000 RTP/SAVP 0',
      `a=crypto:${keys[0]!.tag} AEAD_AES_128_GCM inline:${inline(gcm)}`,
    );
    assert.equal(
      rejection(() => readAnswer(wrongSuite, { payloadType: 0, encoding: 'PCMU' }, keys, false)).status,
      488,
    );
  });
});
