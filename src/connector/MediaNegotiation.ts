import { randomInt } from 'node:crypto';
import { isIPv6 } from 'node:net';
import * as sdpTransform from 'sdp-transform';
import { z } from 'zod';
import type { G711Encoding } from '../media/MediaTypes.js';
import { SipRejection } from '../sip/CallHandlerTypes.js';

/** One offered audio stream Callsight will receive. */
export interface NegotiatedStream {
  /** Index of the m-line in the offer (and in our answer). */
  readonly mediaIndex: number;
  /** `a=label` (SIPREC), or null. */
  readonly label: string | null;
  /** Where the peer says it sends from (c= line); null for 0.0.0.0 (hold) or unspecified. */
  readonly remoteAddress: string | null;
  readonly payloadType: number;
  readonly encoding: G711Encoding;
  /** RFC 4733 telephone-event payload type, if offered. */
  readonly telephoneEvent: number | null;
  readonly telephoneEventFmtp: string | null;
  readonly ptime: number | null;
  readonly port: number;
  /** The offerer's direction (sendrecv when it says nothing). */
  readonly direction: MediaDirection;
}

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** An SDP offer or answer as it arrived: the INVITE's (or a part's) Content-Type and body. */
export interface SdpBody {
  readonly contentType: string | null;
  readonly body: string;
}

export interface Negotiation {
  /** Accepted streams in m-line order; their position is the call's channel. */
  readonly accepted: readonly NegotiatedStream[];
  /** Every offered m-line, so that the answer has as many (RFC 3264 §6). */
  readonly offered: readonly { type: string; protocol: string; firstFormat: string }[];
}

const STATIC_PT: Readonly<Record<number, G711Encoding>> = { 0: 'PCMU', 8: 'PCMA' };

/** The part of sdp-transform's output we rely on, checked before use. */
const connectionSchema = z.object({ version: z.number(), ip: z.string().min(1) });
const mediaSchema = z.object({
  type: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  protocol: z.string().min(1),
  payloads: z.union([z.string(), z.number()]).transform(String),
  rtp: z.array(z.object({ payload: z.number().int(), codec: z.string(), rate: z.number().optional() })),
  fmtp: z.array(z.object({ payload: z.number().int(), config: z.string() })),
  connection: connectionSchema.optional(),
  direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
  label: z.union([z.string(), z.number()]).transform(String).optional(),
  ptime: z.number().positive().optional(),
});
const sessionSchema = z.object({
  version: z.literal(0),
  origin: z.object({ address: z.string() }),
  connection: connectionSchema.optional(),
  media: z.array(mediaSchema).min(1),
});
type OfferedMedia = z.infer<typeof mediaSchema>;

function isSdp(contentType: string | null): boolean {
  return contentType !== null && contentType.split(';', 1)[0]!.trim().toLowerCase() === 'application/sdp';
}

function codecOf(
  media: OfferedMedia,
  payloadType: number,
): { codec: string; rate: number | undefined } | null {
  const rtpmap = media.rtp.find((r) => r.payload === payloadType);
  if (rtpmap) return { codec: rtpmap.codec.toUpperCase(), rate: rtpmap.rate };
  const known = STATIC_PT[payloadType];
  return known ? { codec: known, rate: 8000 } : null;
}

/** The first G.711 format in the offerer's order of preference, and telephone-event if offered. */
function chooseAudio(
  media: OfferedMedia,
  mediaIndex: number,
  sessionIp: string | null,
): NegotiatedStream | null {
  if (media.type !== 'audio' || media.port === 0 || media.protocol.toUpperCase() !== 'RTP/AVP') return null;
  const formats = media.payloads.split(/\s+/).filter(Boolean).map(Number);
  let chosen: { payloadType: number; encoding: G711Encoding } | null = null;
  let telephoneEvent: number | null = null;
  for (const pt of formats) {
    const codec = codecOf(media, pt);
    if (!codec || (codec.rate !== undefined && codec.rate !== 8000)) continue;
    if (!chosen && (codec.codec === 'PCMU' || codec.codec === 'PCMA'))
      chosen = { payloadType: pt, encoding: codec.codec };
    if (telephoneEvent === null && codec.codec === 'TELEPHONE-EVENT') telephoneEvent = pt;
  }
  if (!chosen) return null;
  const ip = media.connection?.ip ?? sessionIp;
  return {
    mediaIndex,
    label: media.label ?? null,
    remoteAddress: ip === null || ip === '0.0.0.0' || ip === '::' ? null : ip,
    ...chosen,
    telephoneEvent,
    telephoneEventFmtp:
      telephoneEvent === null ? null : (media.fmtp.find((f) => f.payload === telephoneEvent)?.config ?? null),
    ptime: media.ptime ?? null,
    port: media.port,
    direction: media.direction ?? 'sendrecv',
  };
}

/**
 * RFC 3264 offer/answer for a listener: accept up to `maxStreams` audio m-lines that offer PCMU or
 * PCMA over plain RTP, refuse the rest (port 0). No acceptable stream → 488; not SDP → 415.
 */
export function negotiate(invite: SdpBody, maxStreams: number): Negotiation {
  if (invite.body.trim() === '')
    throw new SipRejection('CS_ERR_SDP_NO_CODEC', 'Not Acceptable Here', {
      extraHeaders: { Warning: '399 callsight "an SDP offer is required in the INVITE"' },
    });
  if (!isSdp(invite.contentType))
    throw new SipRejection('CS_ERR_SIPREC_UNSUPPORTED_BODY', 'Unsupported Media Type', {
      extraHeaders: { Accept: 'application/sdp' },
    });
  const parsed = sessionSchema.safeParse(sdpTransform.parse(invite.body));
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') || 'session';
    throw new SipRejection('CS_ERR_SDP_INVALID', 'Bad Request', {
      extraHeaders: { Warning: `399 callsight "malformed SDP offer at ${where}"` },
    });
  }
  const session = parsed.data;
  const sessionIp = session.connection?.ip ?? null;
  const accepted: NegotiatedStream[] = [];
  for (const [index, media] of session.media.entries()) {
    if (accepted.length >= maxStreams) break;
    const stream = chooseAudio(media, index, sessionIp);
    if (stream) accepted.push(stream);
  }
  if (accepted.length === 0)
    throw new SipRejection('CS_ERR_SDP_NO_CODEC', 'Not Acceptable Here', {
      extraHeaders: { Warning: '305 callsight "no PCMU or PCMA audio stream offered"' },
    });
  return {
    accepted,
    offered: session.media.map((m) => ({
      type: m.type,
      protocol: m.protocol,
      firstFormat: m.payloads.split(/\s+/)[0] ?? '0',
    })),
  };
}

/**
 * Callsight listens and never sends media back: a stream the offerer sends is answered recvonly, one
 * it does not send (hold: inactive, or recvonly) inactive, as RFC 3264 §6.1 requires.
 */
function answerDirection(offered: MediaDirection): 'recvonly' | 'inactive' {
  return offered === 'sendonly' || offered === 'sendrecv' ? 'recvonly' : 'inactive';
}

/** The SDP answer: one m-line per offered m-line, ours on `ports`, the others refused. */
export function answerFor(negotiation: Negotiation, address: string, ports: readonly number[]): string {
  const ipVer = isIPv6(address) ? 6 : 4;
  const sessionId = randomInt(1, 2 ** 31);
  const media = negotiation.offered.map((offered, index) => {
    const slot = negotiation.accepted.findIndex((s) => s.mediaIndex === index);
    const stream = negotiation.accepted[slot];
    if (!stream) {
      return {
        type: offered.type,
        port: 0,
        protocol: offered.protocol,
        payloads: offered.firstFormat,
        rtp: [],
        fmtp: [],
      };
    }
    const payloads = [stream.payloadType, ...(stream.telephoneEvent === null ? [] : [stream.telephoneEvent])];
    return {
      type: 'audio',
      port: ports[slot]!,
      protocol: 'RTP/AVP',
      payloads: payloads.join(' '),
      rtp: [
        { payload: stream.payloadType, codec: stream.encoding, rate: 8000 },
        ...(stream.telephoneEvent === null
          ? []
          : [{ payload: stream.telephoneEvent, codec: 'telephone-event', rate: 8000 }]),
      ],
      fmtp:
        stream.telephoneEvent === null
          ? []
          : [{ payload: stream.telephoneEvent, config: stream.telephoneEventFmtp ?? '0-16' }],
      ...(stream.ptime === null ? {} : { ptime: stream.ptime }),
      ...(stream.label === null ? {} : { label: stream.label }),
      direction: answerDirection(stream.direction),
    };
  });
  return sdpTransform.write({
    version: 0,
    origin: { username: 'callsight', sessionId, sessionVersion: 1, netType: 'IN', ipVer, address },
    name: 'Callsight',
    connection: { version: ipVer, ip: address },
    timing: { start: 0, stop: 0 },
    media,
  });
}

/** What the relay offers one party for an anchored stream: one audio m-line, our address and port. */
export function relayedSdp(
  stream: Pick<
    NegotiatedStream,
    'payloadType' | 'encoding' | 'telephoneEvent' | 'telephoneEventFmtp' | 'ptime'
  >,
  address: string,
  port: number,
  direction: MediaDirection,
): string {
  const ipVer = isIPv6(address) ? 6 : 4;
  const telephone = stream.telephoneEvent;
  return sdpTransform.write({
    version: 0,
    origin: {
      username: 'callsight',
      sessionId: randomInt(1, 2 ** 31),
      sessionVersion: 1,
      netType: 'IN',
      ipVer,
      address,
    },
    name: 'Callsight',
    connection: { version: ipVer, ip: address },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: 'audio',
        port,
        protocol: 'RTP/AVP',
        payloads: [stream.payloadType, ...(telephone === null ? [] : [telephone])].join(' '),
        rtp: [
          { payload: stream.payloadType, codec: stream.encoding, rate: 8000 },
          ...(telephone === null ? [] : [{ payload: telephone, codec: 'telephone-event', rate: 8000 }]),
        ],
        fmtp: telephone === null ? [] : [{ payload: telephone, config: stream.telephoneEventFmtp ?? '0-16' }],
        ...(stream.ptime === null ? {} : { ptime: stream.ptime }),
        direction,
      },
    ],
  });
}

/**
 * A party's answer to an offer the relay made (one audio stream): where it receives and in which
 * direction. An answer that refuses the stream, or changes the one payload type offered, is 488.
 */
export function readAnswer(
  answer: SdpBody,
  offered: Pick<NegotiatedStream, 'payloadType'>,
): { remote: { address: string; port: number } | null; direction: MediaDirection } {
  const negotiation = negotiate(answer, 1);
  const stream = negotiation.accepted[0]!;
  if (stream.payloadType !== offered.payloadType)
    throw new SipRejection('CS_ERR_SDP_NO_CODEC', 'Not Acceptable Here', {
      extraHeaders: { Warning: '305 callsight "answer changed the payload type"' },
    });
  return {
    remote: stream.remoteAddress === null ? null : { address: stream.remoteAddress, port: stream.port },
    direction: stream.direction,
  };
}
