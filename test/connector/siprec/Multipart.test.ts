import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMultipart } from '../../../src/connector/siprec/Multipart.js';
import { MultipartError } from '../../../src/connector/siprec/SiprecErrors.js';
import { sipFixture, thrown } from './support.js';

const SDP =
  'v=0\r\no=src 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=label:1\r\n';
const XML = '<?xml version="1.0"?>\r\n<recording xmlns="urn:ietf:params:xml:ns:recording:1"/>';

/** A body from lines, CRLF-separated. */
const crlf = (...lines: string[]) => lines.join('\r\n');

const twoParts = crlf(
  '--b1',
  'Content-Type: application/sdp',
  'Content-Disposition: session;handling=required',
  '',
  SDP,
  '--b1',
  'Content-Type: application/rs-metadata+xml',
  'Content-Disposition: recording-session',
  'Content-ID: <meta@src.example.com>',
  '',
  XML,
  '--b1--',
  '',
);

describe('parseMultipart: what SIPREC INVITEs carry', () => {
  test('splits two parts with their headers; the CRLF before a delimiter is not part of the body', () => {
    const [sdp, meta] = parseMultipart('multipart/mixed;boundary=b1', twoParts);
    assert.equal(sdp!.contentType.mediaType, 'application/sdp');
    assert.equal(sdp!.contentDisposition?.disposition, 'session');
    assert.equal(sdp!.contentDisposition?.handling, 'required');
    assert.equal(sdp!.body, SDP);
    assert.equal(meta!.contentType.mediaType, 'application/rs-metadata+xml');
    assert.equal(meta!.contentDisposition?.disposition, 'recording-session');
    assert.equal(meta!.contentId, 'meta@src.example.com');
    assert.equal(meta!.body, XML);
  });

  test('the RFC 7866-style INVITE fixture: SDP (application/SDP) and metadata', () => {
    const invite = sipFixture('rfc7866-invite.txt');
    const parts = parseMultipart(invite.contentType!, invite.body);
    assert.deepEqual(
      parts.map((p) => p.contentType.mediaType),
      ['application/sdp', 'application/rs-metadata'],
    );
    assert.match(parts[0]!.body, /^v=0\r\n[\s\S]*a=label:99\r\na=sendonly\r\n$/);
    assert.match(parts[1]!.body, /^<\?xml[\s\S]*<\/recording>$/);
  });

  test('the boundary may be quoted and the parameter name in any case', () => {
    const body = crlf('--simple boundary', 'Content-Type: text/plain', '', 'hello', '--simple boundary--');
    const [part] = parseMultipart('multipart/mixed; BOUNDARY="simple boundary"', body);
    assert.equal(part!.body, 'hello');
  });

  test('preamble, epilogue and transport padding after delimiters are ignored', () => {
    const body = crlf(
      'This is the preamble.',
      '--b1 \t',
      'Content-Type: text/plain',
      '',
      'one',
      '--b1--   ',
      'This is the epilogue.',
    );
    const parts = parseMultipart('multipart/mixed;boundary=b1', body);
    assert.deepEqual(
      parts.map((p) => p.body),
      ['one'],
    );
  });

  test('bare LF line ends are accepted, and bodies are returned unchanged', () => {
    const body = [
      '--b1',
      'Content-Type: application/sdp',
      '',
      'v=0',
      'm=audio 4000 RTP/AVP 0',
      '',
      '--b1--',
    ].join('\n');
    const [part] = parseMultipart('multipart/mixed;boundary=b1', body);
    assert.equal(part!.body, 'v=0\nm=audio 4000 RTP/AVP 0\n');
  });

  test('a line that only starts with the delimiter is content, not a delimiter', () => {
    const body = crlf(
      '--b1',
      'Content-Type: text/plain',
      '',
      '--b1x is text',
      '--b1-- is text too',
      '--b1--',
    );
    const [part] = parseMultipart('multipart/mixed;boundary=b1', body);
    assert.equal(part!.body, '--b1x is text\r\n--b1-- is text too');
  });

  test('header names are case-insensitive, folded lines are joined, repeats joined by ", "', () => {
    const body = crlf(
      '--b1',
      'content-type: application/rs-metadata+xml;',
      '  charset=UTF-8',
      'X-Note: a',
      'x-note: b',
      '',
      '<recording/>',
      '--b1--',
    );
    const [part] = parseMultipart('multipart/mixed;boundary=b1', body);
    assert.equal(part!.contentType.params.get('charset'), 'UTF-8');
    assert.equal(part!.headers.get('x-note'), 'a, b');
  });

  test('a part with headers and no body is an empty body', () => {
    const [part] = parseMultipart(
      'multipart/mixed;boundary=b1',
      crlf('--b1', 'Content-Type: text/plain', '--b1--'),
    );
    assert.equal(part!.body, '');
  });
});

describe('parseMultipart: refusals are MultipartError with a kind', () => {
  const kindOf = (contentType: string, body: string, limits?: { maxParts?: number; maxBytes?: number }) => {
    const err = thrown(() => parseMultipart(contentType, body, limits), MultipartError);
    assert.equal(err.code, 'CS_ERR_MULTIPART_INVALID');
    assert.equal(err.status, 400);
    return err.kind;
  };

  test('no boundary parameter', () => {
    assert.equal(kindOf('multipart/mixed', twoParts), 'missing-boundary');
    assert.equal(kindOf('multipart/mixed; boundary=""', twoParts), 'missing-boundary');
  });

  test('not multipart, or not a media type', () => {
    assert.equal(kindOf('application/sdp', SDP), 'not-multipart');
    assert.equal(kindOf('multipart', twoParts), 'invalid-content-type');
  });

  test('the boundary never occurs', () => {
    assert.equal(kindOf('multipart/mixed;boundary=other', twoParts), 'no-opening-delimiter');
  });

  test('the closing delimiter before any part', () => {
    assert.equal(kindOf('multipart/mixed;boundary=b1', crlf('--b1--', '')), 'no-opening-delimiter');
  });

  test('no closing delimiter (a truncated body)', () => {
    assert.equal(
      kindOf('multipart/mixed;boundary=b1', twoParts.slice(0, twoParts.lastIndexOf('--b1--'))),
      'no-closing-delimiter',
    );
    assert.equal(
      kindOf('multipart/mixed;boundary=b1', twoParts.replace('--b1--', '--b1-')),
      'no-closing-delimiter',
    );
  });

  test('a part without Content-Type', () => {
    assert.equal(
      kindOf('multipart/mixed;boundary=b1', crlf('--b1', 'Content-Disposition: session', '', SDP, '--b1--')),
      'part-without-content-type',
    );
    assert.equal(
      kindOf('multipart/mixed;boundary=b1', crlf('--b1', '', SDP, '--b1--')),
      'part-without-content-type',
    );
  });

  test('a part whose headers run into the body without a blank line', () => {
    assert.equal(
      kindOf('multipart/mixed;boundary=b1', crlf('--b1', 'Content-Type: application/sdp', 'v=0', '--b1--')),
      'malformed-part',
    );
  });

  test('a broken part Content-Type or Content-Disposition', () => {
    assert.equal(
      kindOf('multipart/mixed;boundary=b1', crlf('--b1', 'Content-Type: sdp', '', 'x', '--b1--')),
      'invalid-content-type',
    );
    assert.equal(
      kindOf(
        'multipart/mixed;boundary=b1',
        crlf('--b1', 'Content-Type: a/b', 'Content-Disposition: ;', '', 'x', '--b1--'),
      ),
      'malformed-part',
    );
  });

  test('more parts or bytes than the limits allow', () => {
    const many = crlf(
      ...Array.from({ length: 3 }, () => ['--b1', 'Content-Type: text/plain', '', 'x']).flat(),
      '--b1--',
    );
    assert.equal(parseMultipart('multipart/mixed;boundary=b1', many, { maxParts: 3 }).length, 3);
    assert.equal(kindOf('multipart/mixed;boundary=b1', many, { maxParts: 2 }), 'too-large');
    assert.equal(kindOf('multipart/mixed;boundary=b1', twoParts, { maxBytes: 100 }), 'too-large');
  });
});
