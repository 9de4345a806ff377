import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SipParseError, parseSipMessage } from '../../../src/sip/message/SipParser.js';
import { SipHeaders } from '../../../src/sip/message/SipHeaders.js';
import { SipRequest, SipResponse, type SipMessage } from '../../../src/sip/message/SipMessage.js';

/** Wire text written with `\n` line ends in the test, sent with CRLF as SIP requires. */
function wire(text: string): Buffer {
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8');
}

function parseRequest(data: Buffer): SipRequest {
  const message = parseSipMessage(data);
  assert.ok(message instanceof SipRequest, 'parsed as a request');
  return message;
}

function parseResponse(data: Buffer): SipResponse {
  const message = parseSipMessage(data);
  assert.ok(message instanceof SipResponse, 'parsed as a response');
  return message;
}

function parseError(data: Buffer): SipParseError {
  try {
    parseSipMessage(data);
  } catch (err) {
    assert.ok(err instanceof SipParseError, `threw ${String(err)}, not a SipParseError`);
    return err;
  }
  assert.fail('parsed a message that should have been refused');
}

const SDP = [
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 192.0.2.10',
  's=-',
  'c=IN IP4 192.0.2.10',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 101',
  'a=rtpmap:101 telephone-event/8000',
  '',
].join('\r\n');

/** A plain, valid INVITE: the base that the malformed cases and the fuzzer break. */
const INVITE = `INVITE sip:+15550100@callsight.example.net SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK.trunk.7f3a;rport
Max-Forwards: 70
From: "Trunk A" <sip:+15550111@192.0.2.10>;tag=fr0m-7ag
To: <sip:+15550100@callsight.example.net>
Call-ID: 4f1c2d3e@192.0.2.10
CSeq: 101 INVITE
Contact: <sip:trunk@192.0.2.10:5060>
Content-Type: application/sdp
Content-Length: ${Buffer.byteLength(SDP)}

${SDP}`;

/** The same INVITE with one header line replaced (or removed when `value` is null). */
function withHeader(name: string, value: string | null, text = INVITE): Buffer {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  assert.ok(index > 0, `base message has ${name}`);
  if (value === null) lines.splice(index, 1);
  else lines[index] = `${name}: ${value}`;
  return wire(lines.join('\n'));
}

function withStartLine(startLine: string): Buffer {
  return wire([startLine, ...INVITE.split('\n').slice(1)].join('\n'));
}

describe('parseSipMessage: valid requests', () => {
  test('an INVITE with an SDP body exposes its start line, core headers and body', () => {
    const invite = parseRequest(wire(INVITE));
    assert.equal(invite.method, 'INVITE');
    assert.equal(invite.uri, 'sip:+15550100@callsight.example.net');
    assert.equal(invite.callId, '4f1c2d3e@192.0.2.10');
    assert.deepEqual(invite.cseq, { seq: 101, method: 'INVITE' });
    assert.equal(invite.topVia.transport, 'UDP');
    assert.equal(invite.topVia.host, '192.0.2.10');
    assert.equal(invite.topVia.port, 5060);
    assert.equal(invite.topVia.branch, 'z9hG4bK.trunk.7f3a');
    assert.equal(invite.topVia.params.get('rport'), '');
    assert.equal(invite.from.displayName, 'Trunk A');
    assert.equal(invite.from.uri?.user, '+15550111');
    assert.equal(invite.fromTag, 'fr0m-7ag');
    assert.equal(invite.toTag, null);
    assert.equal(invite.contentType, 'application/sdp');
    assert.equal(invite.body.toString('utf8'), SDP);
  });

  test('compact header names and any capitalisation are read as the long forms', () => {
    const invite = parseRequest(
      wire(`INVITE sip:bob@biloxi.example.com SIP/2.0
v: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9
mAx-fOrWaRdS: 70
f: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
t: Bob <sip:bob@biloxi.example.com>
i: 3848276298220188511@atlanta.example.com
CSEQ: 2 INVITE
m: <sip:alice@client.atlanta.example.com;transport=tcp>
k: timer, 100rel
c: application/sdp
l: ${Buffer.byteLength(SDP)}

${SDP}`),
    );
    assert.equal(invite.callId, '3848276298220188511@atlanta.example.com');
    assert.equal(invite.topVia.transport, 'TCP');
    assert.equal(invite.from.displayName, 'Alice');
    assert.equal(invite.to.uri?.user, 'bob');
    assert.equal(invite.cseq.seq, 2);
    assert.equal(invite.headers.get('Contact'), '<sip:alice@client.atlanta.example.com;transport=tcp>');
    assert.equal(invite.headers.get('supported'), 'timer, 100rel');
    assert.equal(invite.contentType, 'application/sdp');
    assert.equal(invite.body.length, Buffer.byteLength(SDP));
  });

  test('folded header lines (SP or HTAB continuation) are joined with one space', () => {
    const invite = parseRequest(
      wire(`OPTIONS sip:callsight.example.net SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060
  ;branch=z9hG4bK.fold.1
Max-Forwards: 70
From: <sip:probe@192.0.2.10>
\t;tag=probe1
To: <sip:callsight.example.net>
Call-ID: fold-1@192.0.2.10
CSeq: 7
\tOPTIONS
Subject: a subject
   that goes on
\t\tover three lines
Content-Length: 0

`),
    );
    assert.equal(invite.topVia.branch, 'z9hG4bK.fold.1');
    assert.equal(invite.fromTag, 'probe1');
    assert.deepEqual(invite.cseq, { seq: 7, method: 'OPTIONS' });
    assert.equal(invite.headers.get('subject'), 'a subject that goes on over three lines');
  });

  test('several Via values in one header and in several headers keep their order', () => {
    const request = parseRequest(
      wire(`BYE sip:callsight@192.0.2.1:5060 SIP/2.0
Via: SIP/2.0/UDP proxy2.example.com;branch=z9hG4bK.p2, SIP/2.0/TCP proxy1.example.com:5070;branch=z9hG4bK.p1
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK.ua;received=192.0.2.99
Max-Forwards: 68
From: <sip:+15550111@192.0.2.10>;tag=a
To: <sip:+15550100@callsight.example.net>;tag=b
Call-ID: via-list@192.0.2.10
CSeq: 102 BYE
Content-Length: 0

`),
    );
    assert.deepEqual(
      request.vias.map((v) => [v.transport, v.host, v.port, v.branch]),
      [
        ['UDP', 'proxy2.example.com', null, 'z9hG4bK.p2'],
        ['TCP', 'proxy1.example.com', 5070, 'z9hG4bK.p1'],
        ['UDP', '192.0.2.10', 5060, 'z9hG4bK.ua'],
      ],
    );
    assert.equal(request.topVia.host, 'proxy2.example.com');
    assert.equal(request.vias[2]!.params.get('received'), '192.0.2.99');
    assert.equal(request.toTag, 'b');
  });

  test('IPv6 hosts in the Request-URI, Via, From, To and Contact', () => {
    const request = parseRequest(
      wire(`INVITE sip:[2001:db8::10]:5070;transport=udp SIP/2.0
Via: SIP/2.0/UDP [2001:db8::9]:5060;branch=z9hG4bK.v6;received=2001:db8::9;rport=5060
Max-Forwards: 70
From: <sip:alice@[2001:db8::9]>;tag=v6from
To: <sip:[2001:db8::10]:5070>
Call-ID: v6@[2001:db8::9]
CSeq: 1 INVITE
Contact: <sip:alice@[2001:db8::9]:5060>
Content-Length: 0

`),
    );
    assert.equal(request.uri, 'sip:[2001:db8::10]:5070;transport=udp');
    assert.equal(request.topVia.host, '2001:db8::9');
    assert.equal(request.topVia.port, 5060);
    assert.equal(request.topVia.params.get('received'), '2001:db8::9');
    assert.equal(request.from.uri?.host, '2001:db8::9');
    assert.equal(request.to.uri?.host, '2001:db8::10');
    assert.equal(request.to.uri?.port, 5070);
    assert.equal(request.to.uri?.user, null);
  });

  test('tel: URIs in From and To are kept as written, not parsed as SIP URIs', () => {
    const request = parseRequest(
      wire(`INVITE sip:+15550100@callsight.example.net;user=phone SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK.tel
Max-Forwards: 70
From: "Caller" <tel:+1-201-555-0123;phone-context=+1>;tag=telfrom
To: tel:+15550100
Call-ID: tel-uris@192.0.2.10
CSeq: 1 INVITE
Content-Length: 0

`),
    );
    assert.equal(request.from.uri, null);
    assert.equal(request.from.uriText, 'tel:+1-201-555-0123;phone-context=+1');
    assert.equal(request.fromTag, 'telfrom');
    assert.equal(request.to.uri, null);
    assert.equal(request.to.uriText, 'tel:+15550100');
    assert.equal(request.toTag, null);
  });

  test('quoted display names may hold escaped quotes, commas and angle brackets', () => {
    const request = parseRequest(
      withHeader('From', '"Dr. \\"Who\\", <boss> of ops" <sip:who@192.0.2.10>;tag=quoted'),
    );
    assert.equal(request.from.displayName, 'Dr. "Who", <boss> of ops');
    assert.equal(request.from.uri?.user, 'who');
    assert.equal(request.fromTag, 'quoted');
  });

  test('an unbracketed To puts every ;param on the header, a bracketed one on the URI', () => {
    const bare = parseRequest(withHeader('To', 'sip:+15550100@callsight.example.net;user=phone'));
    assert.equal(bare.to.uriText, 'sip:+15550100@callsight.example.net');
    assert.equal(bare.to.params.get('user'), 'phone');
    const bracketed = parseRequest(withHeader('To', '<sip:+15550100@callsight.example.net;user=phone>'));
    assert.equal(bracketed.to.uri?.params.get('user'), 'phone');
    assert.equal(bracketed.to.params.size, 0);
  });

  test('an escaped user part is unescaped; LWS around the Via separators is allowed', () => {
    const request = parseRequest(
      wire(
        INVITE.replace('INVITE sip:+15550100@', 'INVITE sip:%2B1555%30100@').replace(
          'Via: SIP/2.0/UDP 192.0.2.10:5060',
          'Via  :  SIP / 2.0 / udp   192.0.2.10:5060 ',
        ),
      ),
    );
    assert.equal(request.topVia.transport, 'UDP');
    assert.equal(request.topVia.port, 5060);
    assert.equal(request.uri, 'sip:%2B1555%30100@callsight.example.net');
  });

  test('an unknown method with a matching CSeq is a request like any other', () => {
    const request = parseRequest(
      wire(
        INVITE.replace('INVITE sip:', 'NEWMETHOD sip:').replace('CSeq: 101 INVITE', 'CSeq: 101 NEWMETHOD'),
      ),
    );
    assert.equal(request.method, 'NEWMETHOD');
  });

  test('on a datagram, bytes past Content-Length are dropped', () => {
    const request = parseRequest(Buffer.concat([wire(INVITE), Buffer.from('\r\ntrailing junk\0\xff')]));
    assert.equal(request.body.toString('utf8'), SDP);
    const shorter = parseRequest(withHeader('Content-Length', '4'));
    assert.equal(shorter.body.toString('utf8'), 'v=0\r');
  });

  test('without Content-Length, a datagram body runs to the end of the datagram', () => {
    const request = parseRequest(withHeader('Content-Length', null));
    assert.equal(request.body.toString('utf8'), SDP);
  });

  test('the body may hold any bytes, NUL included, and is a copy of the datagram', () => {
    const body = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x0d, 0x0a, 0]);
    const head = INVITE.slice(0, INVITE.indexOf('Content-Type')) + 'Content-Length: 9\n\n';
    const datagram = Buffer.concat([wire(head), body]);
    const request = parseRequest(datagram);
    assert.deepEqual(request.body, body);
    datagram.fill(0x41);
    assert.deepEqual(request.body, body, 'the body does not alias the receive buffer');
  });
});

describe('parseSipMessage: valid responses', () => {
  test('a 200 OK with a reason phrase, To tag and body', () => {
    const response = parseResponse(
      wire(`SIP/2.0 200 OK
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK.trunk.7f3a;rport=5060;received=192.0.2.10
From: "Trunk A" <sip:+15550111@192.0.2.10>;tag=fr0m-7ag
To: <sip:+15550100@callsight.example.net>;tag=t0-7ag
Call-ID: 4f1c2d3e@192.0.2.10
CSeq: 101 INVITE
Contact: <sip:callsight@192.0.2.1:5060>
Content-Type: application/sdp
Content-Length: ${Buffer.byteLength(SDP)}

${SDP}`),
    );
    assert.equal(response.status, 200);
    assert.equal(response.reason, 'OK');
    assert.equal(response.toTag, 't0-7ag');
    assert.deepEqual(response.cseq, { seq: 101, method: 'INVITE' });
    assert.equal(response.body.toString('utf8'), SDP);
  });

  test('reason phrases may be empty, long, or UTF-8', () => {
    for (const [line, status, reason] of [
      ['SIP/2.0 180 ', 180, ''],
      [
        'SIP/2.0 486 Busy Here – très occupé, rappelez plus tard',
        486,
        'Busy Here – très occupé, rappelez plus tard',
      ],
      ['SIP/2.0 699 Whatever 6xx', 699, 'Whatever 6xx'],
    ] as const) {
      const response = parseResponse(
        wire(`${line}
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK.r
From: <sip:a@192.0.2.10>;tag=1
To: <sip:b@192.0.2.1>;tag=2
Call-ID: reasons@192.0.2.10
CSeq: 5 INVITE
Content-Length: 0

`),
      );
      assert.equal(response.status, status);
      assert.equal(response.reason, reason);
    }
  });
});

describe('serialize → parse round trips', () => {
  const samples: Record<string, Buffer> = {
    'the base INVITE': wire(INVITE),
    'a compact-form request': wire(
      INVITE.replace('Via:', 'v:')
        .replace('From:', 'f:')
        .replace('Call-ID:', 'i:')
        .replace('Content-Length:', 'l:'),
    ),
    'a folded, IPv6 request': wire(`OPTIONS sip:[2001:db8::10] SIP/2.0
Via: SIP/2.0/UDP [2001:db8::9]:5060
 ;branch=z9hG4bK.rt6
Max-Forwards: 70
From: <sip:probe@[2001:db8::9]>;tag=rt6
To: <sip:[2001:db8::10]>
Call-ID: rt6@2001:db8::9
CSeq: 9 OPTIONS
Content-Length: 0

`),
    'a response': wire(`SIP/2.0 487 Request Terminated
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK.trunk.7f3a
From: "Trunk A" <sip:+15550111@192.0.2.10>;tag=fr0m-7ag
To: <sip:+15550100@callsight.example.net>;tag=callsight
Call-ID: 4f1c2d3e@192.0.2.10
CSeq: 101 INVITE
Content-Length: 0

`),
  };

  const shape = (m: SipMessage) => ({
    start: m instanceof SipRequest ? `${m.method} ${m.uri}` : `${m.status} ${m.reason}`,
    headers: [...m.headers.entries()].filter((e) => e.name !== 'content-length'),
    body: m.body.toString('latin1'),
  });

  for (const [name, data] of Object.entries(samples)) {
    test(`${name}: parse(serialize(parse(x))) equals parse(x), and serialize is a fixed point`, () => {
      const first = parseSipMessage(data);
      const bytes = first.serialize();
      const second = parseSipMessage(bytes);
      assert.deepEqual(shape(second), shape(first));
      assert.deepEqual(second.serialize(), bytes);
      assert.equal(second.headers.get('content-length'), String(first.body.length));
    });
  }

  test('serialize writes long header names, CRLF line ends and a true Content-Length', () => {
    const text = parseSipMessage(samples['a compact-form request']!).toString();
    assert.match(text, /^INVITE sip:\+15550100@callsight\.example\.net SIP\/2\.0\r\nVia: /);
    assert.match(text, /\r\nFrom: "Trunk A"/);
    assert.match(text, /\r\nCall-ID: 4f1c2d3e@192\.0\.2\.10\r\n/);
    assert.match(text, new RegExp(`\\r\\nContent-Length: ${Buffer.byteLength(SDP)}\\r\\n\\r\\nv=0`));
    assert.doesNotMatch(text.replace(/\r\n/g, ''), /[\r\n]/);
  });

  test('a request built in code parses back to the same values', () => {
    const headers = new SipHeaders([
      ['Via', 'SIP/2.0/TCP [::1]:5061;branch=z9hG4bK.built;rport'],
      ['Max-Forwards', '70'],
      ['From', '<sip:callsight@[::1]:5061>;tag=ours'],
      ['To', '"Peer" <sip:peer@[::1]:5062>;tag=theirs'],
      ['Call-ID', 'built@::1'],
      ['CSeq', '8 BYE'],
    ]);
    const built = new SipRequest('BYE', 'sip:peer@[::1]:5062;transport=tcp', headers);
    const parsed = parseRequest(built.serialize());
    assert.equal(parsed.uri, built.uri);
    assert.deepEqual(parsed.cseq, { seq: 8, method: 'BYE' });
    assert.equal(parsed.topVia.host, '::1');
    assert.equal(parsed.to.displayName, 'Peer');
    assert.equal(parsed.headers.get('content-length'), '0');
  });
});

interface Malformed {
  readonly name: string;
  readonly data: Buffer;
  readonly status: number;
  /** Whether a UAS can route a response back and the sender match it (its top Via and CSeq parse). */
  readonly answerable: boolean;
}

const MALFORMED: readonly Malformed[] = [
  { name: 'missing Call-ID', data: withHeader('Call-ID', null), status: 400, answerable: true },
  { name: 'missing CSeq', data: withHeader('CSeq', null), status: 400, answerable: false },
  { name: 'missing Via', data: withHeader('Via', null), status: 400, answerable: false },
  { name: 'missing From', data: withHeader('From', null), status: 400, answerable: true },
  { name: 'missing To', data: withHeader('To', null), status: 400, answerable: true },
  {
    name: 'CSeq method differs from the request method',
    data: withHeader('CSeq', '101 BYE'),
    status: 400,
    answerable: true,
  },
  {
    name: 'CSeq number is not a number',
    data: withHeader('CSeq', 'one INVITE'),
    status: 400,
    answerable: true,
  },
  {
    name: 'CSeq number needs more than 31 bits',
    data: withHeader('CSeq', '2147483648 INVITE'),
    status: 400,
    answerable: true,
  },
  { name: 'CSeq without a method', data: withHeader('CSeq', '101'), status: 400, answerable: true },
  {
    name: 'two CSeq headers',
    data: wire(INVITE.replace('CSeq: 101 INVITE', 'CSeq: 101 INVITE\nCSeq: 102 INVITE')),
    status: 400,
    answerable: true,
  },
  {
    name: 'SIP/3.0 request',
    data: withStartLine('INVITE sip:+15550100@callsight.example.net SIP/3.0'),
    status: 505,
    answerable: true,
  },
  {
    name: 'SIP/3.0 ACK (never answered)',
    data: wire(
      INVITE.replace('INVITE sip', 'ACK sip')
        .replace('SIP/2.0\n', 'SIP/3.0\n')
        .replace('101 INVITE', '101 ACK'),
    ),
    status: 505,
    answerable: false,
  },
  {
    name: 'tel: Request-URI',
    data: withStartLine('INVITE tel:+15550100 SIP/2.0'),
    status: 416,
    answerable: true,
  },
  {
    name: 'http: Request-URI',
    data: withStartLine('INVITE http://callsight.example.net/ SIP/2.0'),
    status: 416,
    answerable: true,
  },
  {
    name: 'Request-URI that breaks the SIP URI grammar',
    data: withStartLine('INVITE sip:bob@exa_mple..com SIP/2.0'),
    status: 400,
    answerable: true,
  },
  {
    name: 'Request-URI with a port past 65535',
    data: withStartLine('INVITE sip:bob@192.0.2.1:70000 SIP/2.0'),
    status: 400,
    answerable: true,
  },
  {
    name: 'Request-URI without a scheme',
    data: withStartLine('INVITE bob@callsight.example.net SIP/2.0'),
    status: 400,
    answerable: true,
  },
  {
    name: 'start line with two spaces',
    data: withStartLine('INVITE  sip:bob@callsight.example.net SIP/2.0'),
    status: 400,
    answerable: true,
  },
  {
    name: 'start line without a version',
    data: withStartLine('INVITE sip:bob@callsight.example.net'),
    status: 400,
    answerable: true,
  },
  {
    name: 'lower-case garbage version',
    data: withStartLine('INVITE sip:bob@callsight.example.net SIP/two'),
    status: 400,
    answerable: true,
  },
  {
    name: 'response status outside 100–699',
    data: wire(
      'SIP/2.0 700 Nope\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nFrom: <sip:a@h>;tag=1\nTo: <sip:b@h>\nCall-ID: x\nCSeq: 1 INVITE\n\n',
    ),
    status: 400,
    answerable: false,
  },
  {
    name: 'response without a CSeq',
    data: wire(
      'SIP/2.0 200 OK\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nFrom: <sip:a@h>;tag=1\nTo: <sip:b@h>\nCall-ID: x\n\n',
    ),
    status: 400,
    answerable: false,
  },
  {
    name: 'top Via without a sent-by',
    data: withHeader('Via', 'SIP/2.0/UDP'),
    status: 400,
    answerable: false,
  },
  {
    name: 'top Via with an unbracketed IPv6 host',
    data: withHeader('Via', 'SIP/2.0/UDP 2001:db8::9:5060;branch=z9hG4bK.x'),
    status: 400,
    answerable: false,
  },
  {
    name: 'top Via of SIP/1.0',
    data: withHeader('Via', 'SIP/1.0/UDP 192.0.2.10;branch=z9hG4bK.x'),
    status: 400,
    answerable: true,
  },
  {
    name: 'a later Via is malformed (the top one still routes the 400)',
    data: wire(INVITE.replace('Max-Forwards', 'Via: SIP/2.0/UDP bad host;branch=x\nMax-Forwards')),
    status: 400,
    answerable: true,
  },
  {
    name: 'Via parameter with an empty value',
    data: withHeader('Via', 'SIP/2.0/UDP 192.0.2.10;branch='),
    status: 400,
    answerable: true,
  },
  {
    name: 'From with an unterminated display name',
    data: withHeader('From', '"Trunk A <sip:+15550111@192.0.2.10>;tag=1'),
    status: 400,
    answerable: true,
  },
  {
    name: 'From with a space inside the URI',
    data: withHeader('From', '<sip:alice@exa mple.com>;tag=1'),
    status: 400,
    answerable: true,
  },
  {
    name: 'From without a closing angle bracket',
    data: withHeader('From', '<sip:alice@example.com;tag=1'),
    status: 400,
    answerable: true,
  },
  {
    name: 'two From headers',
    data: wire(INVITE.replace('To:', 'From: <sip:x@192.0.2.11>;tag=2\nTo:')),
    status: 400,
    answerable: true,
  },
  {
    name: 'Call-ID with a space',
    data: withHeader('Call-ID', 'two words@host'),
    status: 400,
    answerable: true,
  },
  { name: 'empty Call-ID', data: withHeader('Call-ID', ''), status: 400, answerable: true },
  {
    name: 'Max-Forwards that is not a number',
    data: withHeader('Max-Forwards', 'seventy'),
    status: 400,
    answerable: true,
  },
  {
    name: 'body shorter than Content-Length',
    data: withHeader('Content-Length', String(Buffer.byteLength(SDP) + 1)),
    status: 400,
    answerable: true,
  },
  {
    name: 'conflicting Content-Length headers',
    data: wire(INVITE.replace('Content-Type', 'Content-Length: 2\nContent-Type')),
    status: 400,
    answerable: true,
  },
  {
    name: 'negative Content-Length',
    data: withHeader('Content-Length', '-1'),
    status: 400,
    answerable: true,
  },
  {
    name: 'Content-Length that is not a number',
    data: withHeader('Content-Length', '12abc'),
    status: 400,
    answerable: true,
  },
  { name: 'bare LF line ends throughout', data: Buffer.from(INVITE, 'utf8'), status: 400, answerable: false },
  {
    name: 'one header ending in a bare LF',
    data: Buffer.from(wire(INVITE).toString('utf8').replace('Max-Forwards: 70\r\n', 'Max-Forwards: 70\n')),
    status: 400,
    answerable: false,
  },
  {
    name: 'a bare CR inside a header',
    data: wire(INVITE.replace('Contact', 'Subject: a\rb\nContact')),
    status: 400,
    answerable: false,
  },
  {
    name: 'NUL byte in a header value',
    data: withHeader('Contact', '<sip:trunk@192.0.2.10\0>'),
    status: 400,
    answerable: false,
  },
  {
    name: 'header line without a colon',
    data: wire(INVITE.replace('Max-Forwards: 70', 'Max-Forwards 70')),
    status: 400,
    answerable: false,
  },
  {
    name: 'header name with a space',
    data: wire(INVITE.replace('Max-Forwards: 70', 'Max Forwards: 70')),
    status: 400,
    answerable: false,
  },
  {
    name: 'continuation line before the first header',
    data: wire(INVITE.replace('\nVia:', '\n continued\nVia:')),
    status: 400,
    answerable: false,
  },
  {
    name: 'more than 256 headers',
    data: wire(INVITE.replace('Max-Forwards', 'X-Filler: x\n'.repeat(260) + 'Max-Forwards')),
    status: 400,
    answerable: false,
  },
  {
    name: 'no blank line after the headers',
    data: wire(INVITE.slice(0, INVITE.indexOf('\n\n'))),
    status: 400,
    answerable: false,
  },
  { name: 'empty datagram', data: Buffer.alloc(0), status: 400, answerable: false },
  { name: 'a lone CRLF keep-alive', data: Buffer.from('\r\n\r\n'), status: 400, answerable: false },
  {
    name: 'binary garbage',
    data: Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x0d, 0x0a, 0x0d, 0x0a]),
    status: 400,
    answerable: false,
  },
  {
    name: 'an HTTP request',
    data: wire('GET / HTTP/1.1\nHost: callsight.example.net\n\n'),
    status: 400,
    answerable: false,
  },
];

describe('parseSipMessage: malformed messages', () => {
  for (const { name, data, status, answerable } of MALFORMED) {
    test(`${name} → ${status}, ${answerable ? 'answerable' : 'not answerable'}`, () => {
      const err = parseError(data);
      assert.equal(err.name, 'SipParseError');
      assert.equal(err.code, 'CS_ERR_SIP_PARSE');
      assert.equal(err.sipStatus, status, err.message);
      assert.equal(err.answerable, answerable, err.message);
      if (answerable) assert.ok(err.partial?.headers.has('via'), 'the partial headers can route a response');
    });
  }
});

/** mulberry32: small, fast and the same sequence on every run and platform. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bytes that matter to the grammar, more likely to find an edge than uniform noise. */
const INTERESTING = Buffer.from(' \t\r\n:;,<>"\\@[]%=?/.0129zZ\0\x7f\xff');

function mutate(input: Buffer, random: () => number): Buffer {
  const pick = (n: number) => Math.floor(random() * n);
  let bytes = Buffer.from(input);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const at = pick(bytes.length + 1);
    const byte = random() < 0.7 ? INTERESTING[pick(INTERESTING.length)]! : pick(256);
    switch (pick(7)) {
      case 0: // overwrite one byte
        if (at < bytes.length) bytes[at] = byte;
        break;
      case 1: // insert one byte
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([byte]), bytes.subarray(at)]);
        break;
      case 2: // delete a run
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + pick(8))]);
        break;
      case 3: // truncate
        bytes = bytes.subarray(0, at);
        break;
      case 4: {
        // duplicate a line
        const lines = bytes.toString('latin1').split('\r\n');
        const i = pick(lines.length);
        lines.splice(i, 0, lines[i]!);
        bytes = Buffer.from(lines.join('\r\n'), 'latin1');
        break;
      }
      case 5: {
        // swap two lines
        const lines = bytes.toString('latin1').split('\r\n');
        const i = pick(lines.length);
        const j = pick(lines.length);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        bytes = Buffer.from(lines.join('\r\n'), 'latin1');
        break;
      }
      default: {
        // change a number to an extreme one
        const text = bytes.toString('latin1');
        const numbers = [...text.matchAll(/\d+/g)];
        const victim = numbers[pick(numbers.length)];
        if (!victim) break;
        const extreme = ['0', '-1', '65536', '2147483648', '99999999999', '007', ''][pick(7)]!;
        bytes = Buffer.from(
          text.slice(0, victim.index) + extreme + text.slice(victim.index + victim[0].length),
          'latin1',
        );
      }
    }
  }
  return bytes;
}

const CRASH_DIR = join(tmpdir(), 'callsight-sip-fuzz');

/** Keeps a failing input where it can be replayed, and names it in the assertion message. */
function crashReport(input: Buffer, what: string): string {
  mkdirSync(CRASH_DIR, { recursive: true });
  const file = join(CRASH_DIR, `${createHash('sha1').update(input).digest('hex').slice(0, 12)}.sip`);
  writeFileSync(file, input);
  return `${what}; input saved to ${file}`;
}

describe('parseSipMessage: random mutations', () => {
  test('4000 seeded mutations of a valid INVITE either parse fully or throw SipParseError', () => {
    const random = prng(0x5eed_c0de);
    const seeds = [wire(INVITE), ...MALFORMED.slice(0, 10).map((m) => m.data)];
    const outcome = { parsed: 0, refused: 0 };
    for (let i = 0; i < 4000; i++) {
      const input = mutate(seeds[i % 3 === 0 ? Math.floor(random() * seeds.length) : 0]!, random);
      let message: SipMessage;
      try {
        message = parseSipMessage(input);
      } catch (err) {
        if (!(err instanceof SipParseError))
          assert.fail(crashReport(input, `iteration ${i} threw ${String(err)}`));
        assert.ok([400, 416, 505].includes(err.sipStatus), crashReport(input, `status ${err.sipStatus}`));
        void err.answerable;
        outcome.refused++;
        continue;
      }
      outcome.parsed++;
      // What the parser accepted, the transaction layer can read, and it survives a round trip.
      try {
        void [message.callId, message.cseq, message.topVia, message.vias, message.from, message.to];
        const again = parseSipMessage(message.serialize());
        assert.equal(again.callId, message.callId);
        assert.deepEqual(again.body, message.body);
      } catch (err) {
        assert.fail(crashReport(input, `iteration ${i}: parsed message unusable: ${String(err)}`));
      }
    }
    // The mix must exercise both outcomes, or the fuzzer is testing nothing.
    assert.ok(outcome.parsed > 200, `only ${outcome.parsed} mutations parsed`);
    assert.ok(outcome.refused > 200, `only ${outcome.refused} mutations were refused`);
  });
});
