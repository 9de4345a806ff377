import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SipParseError, parseSipMessage } from '../../../src/sip/message/SipParser.js';
import { SipRequest } from '../../../src/sip/message/SipMessage.js';
import {
  DEFAULT_FRAMER_LIMITS,
  StreamFramer,
  type FramedItem,
  type StreamFramerLimits,
} from '../../../src/sip/transport/StreamFramer.js';

function wire(text: string): Buffer {
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8');
}

function request(method: string, seq: number, body = '', extra = ''): Buffer {
  const head = wire(`${method} sip:callsight@127.0.0.1:5060;transport=tcp SIP/2.0
Via: SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bK.framer.${seq}
Max-Forwards: 70
From: <sip:peer@127.0.0.1>;tag=peer
To: <sip:callsight@127.0.0.1>
Call-ID: framer@127.0.0.1
CSeq: ${seq} ${method}
${extra}Content-Length: ${Buffer.byteLength(body)}

`);
  return Buffer.concat([head, Buffer.from(body, 'utf8')]);
}

/** A body that itself holds a blank line, so framing must trust Content-Length and not search for CRLFCRLF. */
const SDP_WITH_BLANK_LINE = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n\r\n\r\nm=audio 4000 RTP/AVP 0\r\n';
const PING = Buffer.from('\r\n\r\n');

const MESSAGES = [
  request('INVITE', 1, SDP_WITH_BLANK_LINE, 'Content-Type: application/sdp\n'),
  request('ACK', 1),
  // Compact Content-Length, in lower case.
  Buffer.from(request('OPTIONS', 2, 'hello').toString('utf8').replace('Content-Length:', 'l:')),
  request('BYE', 3),
];

/** Messages with keep-alives around them: two pings in a row, and one stray CRLF before a message. */
const STREAM = Buffer.concat([
  PING,
  MESSAGES[0]!,
  PING,
  PING,
  MESSAGES[1]!,
  Buffer.from('\r\n'),
  MESSAGES[2]!,
  PING,
  MESSAGES[3]!,
]);

const EXPECTED = [
  'ping',
  'message:INVITE',
  'ping',
  'ping',
  'message:ACK',
  'message:OPTIONS',
  'ping',
  'message:BYE',
];

function describeItems(items: readonly FramedItem[]): string[] {
  return items.map((item) => {
    if (item.kind === 'ping') return 'ping';
    if (item.kind === 'error') return `error:${item.error.sipStatus}`;
    return `message:${(parseSipMessage(item.data) as SipRequest).method}`;
  });
}

/** Feeds the chunks in order and collects every item, as a TCP connection would (it closes on an error). */
function frame(chunks: readonly Buffer[], limits?: StreamFramerLimits): FramedItem[] {
  const framer = new StreamFramer(limits);
  const items: FramedItem[] = [];
  for (const chunk of chunks) {
    items.push(...framer.push(chunk));
    if (items.at(-1)?.kind === 'error') break;
  }
  return items;
}

function splitAt(data: Buffer, ...points: number[]): Buffer[] {
  const cuts = [0, ...points, data.length];
  return cuts.slice(1).map((end, i) => data.subarray(cuts[i], end));
}

function bytes(data: Buffer): Buffer[] {
  return [...data].map((b) => Buffer.from([b]));
}

describe('StreamFramer', () => {
  test('cuts messages and pings out of one chunk, with the exact bytes of each message', () => {
    const items = frame([STREAM]);
    assert.deepEqual(describeItems(items), EXPECTED);
    const messages = items.flatMap((i) => (i.kind === 'message' ? [i.data] : []));
    assert.deepEqual(messages, MESSAGES);
    const invite = parseSipMessage(messages[0]!);
    assert.equal(invite.body.toString('utf8'), SDP_WITH_BLANK_LINE);
  });

  test('the stream split at every possible point yields the same items', () => {
    const whole = describeItems(frame([STREAM]));
    for (let at = 0; at <= STREAM.length; at++) {
      assert.deepEqual(describeItems(frame(splitAt(STREAM, at))), whole, `split at byte ${at}`);
    }
  });

  test('the stream fed one byte at a time yields the same items and the same bytes', () => {
    const items = frame(bytes(STREAM));
    assert.deepEqual(describeItems(items), EXPECTED);
    assert.deepEqual(
      items.flatMap((i) => (i.kind === 'message' ? [i.data] : [])),
      MESSAGES,
    );
  });

  test('random chunkings (seeded) yield the same items', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const points: number[] = [];
      for (let at = Math.floor(random() * 40); at < STREAM.length; at += 1 + Math.floor(random() * 60))
        points.push(at);
      assert.deepEqual(
        describeItems(frame(splitAt(STREAM, ...points))),
        EXPECTED,
        `cut at ${points.join(',')}`,
      );
    }
  });

  test('a run of pings is as many pings, however it arrives', () => {
    const pings = Buffer.concat([PING, PING, PING]);
    assert.deepEqual(describeItems(frame([pings])), ['ping', 'ping', 'ping']);
    assert.deepEqual(describeItems(frame(bytes(pings))), ['ping', 'ping', 'ping']);
    assert.deepEqual(describeItems(frame(splitAt(pings, 6))), ['ping', 'ping', 'ping']);
  });

  test('a lone CRLF is no ping and is skipped before the next message', () => {
    const framer = new StreamFramer();
    assert.deepEqual(framer.push(Buffer.from('\r\n')), []);
    assert.deepEqual(describeItems(framer.push(MESSAGES[3]!)), ['message:BYE']);
    assert.equal(framer.pending, 0);
  });

  test('holds a partial message as pending until its body is complete', () => {
    const framer = new StreamFramer();
    const invite = MESSAGES[0]!;
    assert.deepEqual(framer.push(invite.subarray(0, invite.length - 1)), []);
    assert.equal(framer.pending, invite.length - 1);
    assert.deepEqual(describeItems(framer.push(invite.subarray(invite.length - 1))), ['message:INVITE']);
    assert.equal(framer.pending, 0);
  });

  test('a cut message is a copy: reusing the receive buffer does not change it', () => {
    const chunk = Buffer.from(MESSAGES[1]!);
    const [item] = new StreamFramer().push(chunk);
    chunk.fill(0x20);
    assert.ok(item?.kind === 'message');
    assert.deepEqual(item.data, MESSAGES[1]);
  });
});

describe('StreamFramer: framing errors', () => {
  const noLength = wire(
    request('INVITE', 9).toString('utf8').replace('Content-Length: 0\r\n', 'Subject: no length\r\n'),
  );

  test('a message without Content-Length → 400 that can still be answered', () => {
    const items = frame([noLength]);
    assert.deepEqual(describeItems(items), ['error:400']);
    const error = (items[0] as { error: SipParseError }).error;
    assert.ok(error instanceof SipParseError);
    assert.equal(error.partial?.method, 'INVITE');
    assert.equal(error.partial?.headers.get('call-id'), 'framer@127.0.0.1');
    assert.equal(error.answerable, true);
  });

  test('conflicting Content-Length values → 400, answerable', () => {
    const conflicting = request('BYE', 4, '', 'Content-Length: 5\n');
    const [item] = frame([conflicting]);
    assert.ok(item?.kind === 'error');
    assert.equal(item.error.sipStatus, 400);
    assert.equal(item.error.answerable, true);
  });

  test('messages before the break are delivered whatever the split, then the error', () => {
    const stream = Buffer.concat([MESSAGES[3]!, PING, noLength]);
    const expected = ['message:BYE', 'ping', 'error:400'];
    assert.deepEqual(describeItems(frame([stream])), expected);
    assert.deepEqual(describeItems(frame(bytes(stream))), expected);
    for (let at = 0; at <= stream.length; at++) {
      assert.deepEqual(describeItems(frame(splitAt(stream, at))), expected, `split at byte ${at}`);
    }
  });

  test('failure is sticky: once framing broke, every later push throws', () => {
    const framer = new StreamFramer();
    assert.deepEqual(describeItems(framer.push(noLength)), ['error:400']);
    assert.equal(framer.pending, 0, 'the broken buffer is released');
    for (const next of [MESSAGES[1]!, PING, Buffer.alloc(0)]) {
      assert.throws(() => framer.push(next), SipParseError);
    }
  });

  const small: StreamFramerLimits = { maxHeaderBytes: 512, maxMessageBytes: 800 };

  test('a header section past the cap → 513, without waiting for its end', () => {
    const endless = Buffer.from(`INVITE sip:x@127.0.0.1 SIP/2.0\r\nX-Long: ${'a'.repeat(600)}`);
    const items = frame([endless], small);
    assert.deepEqual(describeItems(items), ['error:513']);
    assert.deepEqual(describeItems(frame(bytes(endless), small)), ['error:513']);
  });

  test('a header section of exactly the cap passes, whole or byte by byte', () => {
    const base = request('ACK', 5);
    const headerLength = base.indexOf('\r\n\r\n');
    const padded = Buffer.concat([
      base.subarray(0, headerLength),
      Buffer.from(`\r\nX-Pad: ${'p'.repeat(small.maxHeaderBytes - headerLength - 9)}`),
      base.subarray(headerLength),
    ]);
    assert.equal(padded.indexOf('\r\n\r\n'), small.maxHeaderBytes);
    assert.deepEqual(describeItems(frame([padded], small)), ['message:ACK']);
    assert.deepEqual(describeItems(frame(bytes(padded), small)), ['message:ACK']);
    const oneMore = Buffer.concat([
      Buffer.from(padded.subarray(0, 40)),
      Buffer.from('p'),
      padded.subarray(40),
    ]);
    assert.deepEqual(describeItems(frame([oneMore], small)), ['error:513']);
    assert.deepEqual(describeItems(frame(bytes(oneMore), small)), ['error:513']);
  });

  test('a message past the size cap → 513 as soon as its headers declare it, answerable', () => {
    const big = request('INVITE', 6, 'x'.repeat(600));
    const headersOnly = big.subarray(0, big.indexOf('\r\n\r\n') + 4);
    const [item] = new StreamFramer(small).push(headersOnly);
    assert.ok(item?.kind === 'error');
    assert.equal(item.error.sipStatus, 513);
    assert.equal(item.error.answerable, true);
  });

  test('a Content-Length of a gigabyte is refused, not buffered', () => {
    const huge = wire(
      request('INVITE', 7).toString('utf8').replace('Content-Length: 0', 'Content-Length: 999999999'),
    );
    assert.deepEqual(describeItems(frame([huge])), ['error:513']);
    assert.equal(DEFAULT_FRAMER_LIMITS.maxMessageBytes < 999_999_999, true);
  });
});
