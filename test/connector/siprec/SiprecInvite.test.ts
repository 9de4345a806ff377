import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACCEPTED_BODY_TYPES,
  isSiprecInvite,
  parseSiprecInvite,
  type InviteBody,
} from '../../../src/connector/siprec/SiprecInvite.js';
import { PRE_RFC_RECORDING_NAMESPACE } from '../../../src/connector/siprec/RecordingMetadataTypes.js';
import { MultipartError, RecordingMetadataError } from '../../../src/connector/siprec/SiprecErrors.js';
import { ERROR_CODES } from '../../../src/platform/errors.js';
import { SipRejection, type IncomingInvite } from '../../../src/sip/CallHandlerTypes.js';
import { fixture, sipFixture, thrown } from './support.js';

const SDP =
  'v=0\r\no=src 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=label:1\r\na=sendonly\r\n';
const METADATA = fixture('rfc7865-complete.xml');
const SIPREC_HEADERS = { require: 'siprec', contact: '<sip:src@192.0.2.1>;+sip.src' };

function multipart(...parts: [headers: string[], body: string][]): string {
  return `${parts.map(([headers, body]) => `--b1\r\n${headers.join('\r\n')}\r\n\r\n${body}\r\n`).join('')}--b1--\r\n`;
}
const sdpPart = (type = 'application/sdp'): [string[], string] => [[`Content-Type: ${type}`], SDP];
const metaPart = (type = 'application/rs-metadata+xml', xml = METADATA): [string[], string] => [
  [`Content-Type: ${type}`, 'Content-Disposition: recording-session'],
  xml,
];

function invite(
  body: string,
  contentType: string | null = 'multipart/mixed;boundary=b1',
  headers = SIPREC_HEADERS,
): InviteBody {
  return { contentType, body, headers };
}

/** The refusal, checked to be consistent: status from the code, one-line reason. */
function rejection(body: InviteBody): SipRejection {
  const err = thrown(() => parseSiprecInvite(body), SipRejection);
  assert.doesNotMatch(err.reason, /[\r\n]/);
  assert.equal(err.status, ERROR_CODES[err.code].status);
  assert.equal(err.message, `${err.status} ${err.reason}`);
  return err;
}

describe('isSiprecInvite', () => {
  test('the siprec option tag in Require, in any case and among others', () => {
    assert.equal(isSiprecInvite({ require: 'siprec' }), true);
    assert.equal(isSiprecInvite({ Require: 'timer, SipRec' }), true);
  });

  test('the +sip.src feature tag on a Contact, also in compact form or as a URI parameter', () => {
    assert.equal(isSiprecInvite({ contact: '"SRC" <sip:src@192.0.2.1:5060>;+sip.src' }), true);
    assert.equal(isSiprecInvite({ m: '<sip:src@192.0.2.1>;expires=60;+sip.src' }), true);
    assert.equal(isSiprecInvite({ contact: '<sip:a@192.0.2.9>, <sip:src@192.0.2.1;+sip.src>' }), true);
  });

  test('ordinary INVITEs, Supported: siprec and the SRS tag are not recording sessions', () => {
    assert.equal(isSiprecInvite({}), false);
    assert.equal(isSiprecInvite({ require: 'timer', contact: '<sip:alice@192.0.2.1>' }), false);
    assert.equal(isSiprecInvite({ supported: 'siprec' }), false);
    assert.equal(isSiprecInvite({ contact: '<sip:srs@192.0.2.1>;+sip.srs' }), false);
    assert.equal(isSiprecInvite({ contact: '<sip:src@192.0.2.1>;+sip.srcx' }), false);
  });
});

describe('parseSiprecInvite: offers', () => {
  test('the RFC 7866-style INVITE: SDP (application/SDP) and application/rs-metadata', () => {
    const offer = parseSiprecInvite(sipFixture('rfc7866-invite.txt'));
    assert.equal(offer.siprec, true);
    assert.match(offer.sdp, /^v=0\r\n[\s\S]*a=label:99\r\na=sendonly\r\n$/);
    assert.match(offer.metadataXml, /^<\?xml version="1.0" encoding="UTF-8"\?>\r\n<recording /);
    assert.equal(offer.metadata.streams.length, 4);
    assert.deepEqual(offer.warnings, []);
  });

  test('the Sonus-style INVITE: tolerated deviations are reported as warnings', () => {
    const offer = parseSiprecInvite(sipFixture('sonus-style-invite.txt'));
    assert.equal(offer.siprec, true);
    assert.equal(offer.metadata.namespace, PRE_RFC_RECORDING_NAMESPACE);
    assert.deepEqual(offer.warnings, [`pre-RFC namespace ${PRE_RFC_RECORDING_NAMESPACE}`]);
    assert.match(offer.sdp, /a=label:2\r\na=rtpmap:0 PCMU\/8000\r\na=sendonly\r\na=maxptime:20\r\n$/);
  });

  test('bare LF line ends work as well', () => {
    const offer = parseSiprecInvite(sipFixture('rfc7866-invite.txt', '\n'));
    assert.equal(offer.metadata!.participants.length, 2);
  });

  test('both metadata media types, in any case, and application/SDP', () => {
    for (const type of [
      'application/rs-metadata+xml',
      'application/rs-metadata',
      'Application/RS-Metadata+XML',
    ]) {
      const offer = parseSiprecInvite(invite(multipart(sdpPart('application/SDP'), metaPart(type))));
      assert.equal(offer.sdp, SDP, type);
      assert.equal(offer.metadata!.dataMode, 'complete', type);
    }
  });

  test('an IncomingInvite can be passed as it is', () => {
    const incoming: IncomingInvite = {
      sipCallId: 'c@192.0.2.1',
      fromNumber: 'src',
      toNumber: 'srs',
      fromUri: 'sip:src@192.0.2.1',
      toUri: 'sip:srs@192.0.2.2',
      requestUri: 'sip:srs@192.0.2.2',
      headers: SIPREC_HEADERS,
      contentType: 'multipart/mixed; boundary="b1"',
      body: multipart(sdpPart(), metaPart()),
      source: { address: '192.0.2.1', port: 5060, transport: 'udp' },
    };
    assert.equal(parseSiprecInvite(incoming).siprec, true);
  });

  test('an ordinary INVITE: plain SDP, or multipart with an optional ISUP part', () => {
    const plain = parseSiprecInvite(invite(SDP, 'application/sdp', {} as typeof SIPREC_HEADERS));
    assert.deepEqual(plain, { siprec: false, sdp: SDP, metadataXml: null, metadata: null, warnings: [] });
    const sipI = parseSiprecInvite(
      invite(
        multipart(sdpPart(), [
          [
            'Content-Type: application/ISUP;version=itu-t92+',
            'Content-Disposition: signal;handling=optional',
          ],
          '\x01\x00',
        ]),
        'multipart/mixed;boundary=b1',
        {} as typeof SIPREC_HEADERS,
      ),
    );
    assert.equal(sipI.siprec, false);
    assert.equal(sipI.sdp, SDP);
    assert.deepEqual(sipI.warnings, ['ignored body part application/isup (signal)']);
  });

  test('unknown parts without handling=required are ignored; metadata with another disposition is read', () => {
    const offer = parseSiprecInvite(
      invite(
        multipart(
          sdpPart(),
          [['Content-Type: application/rs-metadata+xml', 'Content-Disposition: render'], METADATA],
          [['Content-Type: application/vnd.vendor+xml'], '<x/>'],
        ),
      ),
    );
    assert.equal(offer.metadata!.participants.length, 2);
    assert.deepEqual(offer.warnings, [
      'metadata part with Content-Disposition render, not recording-session',
      'ignored body part application/vnd.vendor+xml',
    ]);
  });
});

describe('parseSiprecInvite: refusals carry the SIP answer', () => {
  test('a SIPREC INVITE with SDP only → 400 SIPREC metadata missing', () => {
    for (const body of [invite(SDP, 'application/sdp'), invite(multipart(sdpPart()))]) {
      const err = rejection(body);
      assert.equal(err.code, 'CS_ERR_SIPREC_METADATA_MISSING');
      assert.equal(err.status, 400);
      assert.equal(err.reason, 'SIPREC metadata missing');
    }
    assert.equal(
      rejection(invite(multipart(sdpPart(), metaPart(), metaPart()))).reason,
      'more than one SIPREC metadata part',
    );
  });

  test('no SDP offer → 400 SDP offer missing', () => {
    for (const body of [
      invite(''),
      invite(multipart(metaPart())),
      invite(METADATA, 'application/rs-metadata+xml'),
      invite(
        multipart([['Content-Type: application/sdp', 'Content-Disposition: early-session'], SDP], metaPart()),
      ),
    ]) {
      const err = rejection(body);
      assert.equal(err.code, 'CS_ERR_SIPREC_NO_SDP');
      assert.equal(`${err.status} ${err.reason}`, '400 SDP offer missing');
    }
    assert.equal(
      rejection(invite(multipart(sdpPart(), sdpPart(), metaPart()))).reason,
      'more than one SDP offer',
    );
  });

  test('a body type Callsight cannot handle → 415 with Accept', () => {
    for (const body of [
      invite('hello', 'text/plain'),
      invite(multipart(sdpPart(), metaPart()), 'multipart/alternative;boundary=b1'),
      invite(SDP, null),
      invite(
        multipart(sdpPart(), metaPart(), [
          ['Content-Type: application/vnd.secret', 'Content-Disposition: render;handling=required'],
          'x',
        ]),
      ),
    ]) {
      const err = rejection(body);
      assert.equal(err.code, 'CS_ERR_SIPREC_UNSUPPORTED_BODY');
      assert.equal(`${err.status} ${err.reason}`, '415 Unsupported Media Type');
      assert.equal(err.extraHeaders['Accept'], ACCEPTED_BODY_TYPES);
      assert.match(err.extraHeaders['Warning']!, /^399 callsight "[^"]+"$/);
    }
  });

  test('a malformed multipart body → 400 invalid multipart body', () => {
    const err = rejection(invite(multipart(sdpPart(), metaPart()), 'multipart/mixed'));
    assert.equal(err.code, 'CS_ERR_MULTIPART_INVALID');
    assert.equal(err.reason, 'invalid multipart body: multipart/mixed without a boundary parameter');
    assert.ok(err.cause instanceof MultipartError);
    const truncated = rejection(invite(multipart(sdpPart(), metaPart()).replace('--b1--', '')));
    assert.equal(truncated.reason, 'invalid multipart body: no closing delimiter "--b1--"');
  });

  test('metadata that does not parse → 400 invalid recording metadata: <why>', () => {
    const err = rejection(
      invite(
        multipart(
          sdpPart(),
          metaPart(
            undefined,
            '<recording xmlns="urn:ietf:params:xml:ns:recording:1"><datamode>maybe</datamode></recording>',
          ),
        ),
      ),
    );
    assert.equal(err.code, 'CS_ERR_SIPREC_METADATA_INVALID');
    assert.equal(err.reason, 'invalid recording metadata: datamode "maybe" is neither complete nor partial');
    assert.ok(err.cause instanceof RecordingMetadataError);
    const multiLine = rejection(
      invite(multipart(sdpPart(), metaPart(undefined, '<recording>\n<datamode>\n</recording>'))),
    );
    assert.match(multiLine.reason, /^invalid recording metadata: not well-formed XML/);
  });

  test('an attack in the metadata (billion laughs) → 400, and too much metadata → 413', () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><recording>&b;</recording>`;
    assert.equal(
      rejection(invite(multipart(sdpPart(), metaPart(undefined, lol)))).reason,
      'invalid recording metadata: DOCTYPE and entity declarations are not allowed',
    );
    const big = METADATA.replace('<datamode>', `<!-- ${'x'.repeat(70_000)} --><datamode>`);
    const err = rejection(invite(multipart(sdpPart(), metaPart(undefined, big))));
    assert.equal(`${err.status} ${err.reason}`, '413 Request Entity Too Large');
    assert.equal(err.code, 'CS_ERR_SIPREC_METADATA_TOO_LARGE');
  });

  test('limits can be configured', () => {
    const body = invite(multipart(sdpPart(), metaPart()));
    assert.equal(
      thrown(() => parseSiprecInvite(body, { metadata: { maxBytes: 1000 } }), SipRejection).status,
      413,
    );
    assert.equal(
      thrown(() => parseSiprecInvite(body, { multipart: { maxParts: 1 } }), SipRejection).code,
      'CS_ERR_MULTIPART_INVALID',
    );
  });
});
