import { readFileSync, readdirSync } from 'node:fs';
import { negotiate } from '../../../src/connector/MediaNegotiation.js';
import { parseMultipart } from '../../../src/connector/siprec/Multipart.js';
import { parseRecordingMetadata } from '../../../src/connector/siprec/RecordingMetadata.js';
import { MultipartError, RecordingMetadataError } from '../../../src/connector/siprec/SiprecErrors.js';
import { parseSiprecInvite } from '../../../src/connector/siprec/SiprecInvite.js';
import { RtpPacket } from '../../../src/media/rtp/RtpPacket.js';
import { TelephoneEvent } from '../../../src/media/rtp/TelephoneEvent.js';
import { SipRejection } from '../../../src/sip/CallHandlerTypes.js';
import { SipParseError, parseSipMessage } from '../../../src/sip/message/SipParser.js';
import { StreamFramer } from '../../../src/sip/transport/StreamFramer.js';
import type { FuzzTarget } from './FuzzHarness.js';
import { SRTP_FUZZ_TARGETS } from './srtpTargets.js';

/*
 * Every wire parser the fuzzer runs, in one list: `npm test` (test/fuzz/WireParsers.test.ts) gives
 * each a few seconds, `npm run bench -- --only fuzz` a minute. A new parser is one more entry here,
 * with its seeds and its typed refusal. SRTP and SRTCP unprotect are in srtpTargets.ts.
 */

const FIXTURES = new URL('../../../test/', import.meta.url);
const file = (path: string) => readFileSync(new URL(path, FIXTURES));
const folder = (path: string, suffix: string) =>
  readdirSync(new URL(path, FIXTURES))
    .filter((name) => name.endsWith(suffix))
    .map((name) => file(`${path}${name}`));

/** A SIP message fixture's Content-Type and body (SIPREC INVITEs as the connector sees them). */
function inviteParts(path: string): { contentType: string; body: Buffer } {
  const text = file(path)
    .toString('utf8')
    .replace(/^(#.*\n)+/, '');
  const blank = text.indexOf('\n\n');
  const contentType = /^content-type:\s*(.+)$/im.exec(text.slice(0, blank))?.[1]?.trim() ?? '';
  return { contentType, body: Buffer.from(text.slice(blank + 2).replace(/\r?\n/g, '\r\n'), 'utf8') };
}

const SIPREC_INVITES = ['fixtures/siprec/rfc7866-invite.txt', 'fixtures/siprec/sonus-style-invite.txt'];
const SDP_OFFERS = () => [
  ...folder('sip/fixtures/rfc4475/', '.dat')
    .map((data) => data.subarray(data.indexOf('\r\n\r\n') + 4))
    .filter((body) => body.subarray(0, 4).toString('latin1') === 'v=0\r'),
  Buffer.from(
    'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendonly\r\nm=audio 4002 RTP/AVP 0\r\na=label:2\r\n',
  ),
];

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'sip-message',
    seeds: () => folder('sip/fixtures/rfc4475/', '.dat'),
    run(input) {
      const message = parseSipMessage(input);
      // What the parser accepted, the transaction layer reads, and it survives a round trip.
      void [message.callId, message.cseq, message.topVia, message.vias, message.from, message.to];
      parseSipMessage(message.serialize());
    },
    refusal: (err) => err instanceof SipParseError,
  },
  {
    name: 'sip-stream-framing',
    seeds: () =>
      folder('sip/fixtures/rfc4475/', '.dat').map((d) => Buffer.concat([d, Buffer.from('\r\n\r\n'), d])),
    run(input) {
      // The same bytes in chunks cut where the input's own bytes say, as TCP may deliver them.
      const framer = new StreamFramer();
      for (let offset = 0; offset < input.length;) {
        const size = 1 + ((input[offset] ?? 0) % 97);
        const items = framer.push(input.subarray(offset, offset + size));
        if (items.some((item) => item.kind === 'error')) return;
        offset += size;
      }
    },
    refusal: () => false,
  },
  {
    name: 'sdp-offer',
    seeds: SDP_OFFERS,
    run: (input) => void negotiate({ contentType: 'application/sdp', body: input.toString('utf8') }, 2),
    refusal: (err) => err instanceof SipRejection,
  },
  {
    name: 'siprec-multipart',
    seeds: () => SIPREC_INVITES.map((path) => inviteParts(path).body),
    run: (input) => void parseMultipart(inviteParts(SIPREC_INVITES[0]!).contentType, input.toString('utf8')),
    refusal: (err) => err instanceof MultipartError,
  },
  {
    name: 'siprec-metadata',
    seeds: () => folder('fixtures/siprec/', '.xml'),
    run: (input) => void parseRecordingMetadata(input.toString('utf8')),
    refusal: (err) => err instanceof RecordingMetadataError,
  },
  {
    name: 'siprec-invite',
    seeds: () => SIPREC_INVITES.map((path) => inviteParts(path).body),
    run(input) {
      const { contentType } = inviteParts(SIPREC_INVITES[1]!);
      parseSiprecInvite({
        contentType,
        body: input.toString('utf8'),
        headers: { 'content-type': contentType, require: 'siprec' },
      });
    },
    refusal: (err) => err instanceof SipRejection,
  },
  {
    name: 'rtp-packet',
    seeds: () => folder('media/rtp/fixtures/', '.bin'),
    run(input) {
      // RTCP (muxed, RFC 5761) is told apart here too: it must come back null, like any non-RTP datagram.
      const packet = RtpPacket.parse(input);
      if (!packet) return;
      if (!packet.serialize().equals(input)) throw new Error('RTP round trip changed the packet');
      const event = TelephoneEvent.parse(packet.payload);
      if (event) void event.serialize();
    },
    refusal: () => false,
  },
  ...SRTP_FUZZ_TARGETS,
];
