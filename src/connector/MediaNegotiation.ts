import { randomInt } from 'node:crypto';
import { isIPv6 } from 'node:net';
import * as sdpTransform from 'sdp-transform';
import { z } from 'zod';
import { CODECS, DEFAULT_CODECS, codecNamed, codecOfStaticPayloadType } from '../media/codec/AudioCodecs.js';
import type { AudioEncoding } from '../media/MediaTypes.js';
import { cryptoLineFor, type CryptoLine } from '../media/srtp/SdesCrypto.js';
import type { SrtpMasterKey } from '../media/srtp/SrtpSuite.js';
import { SipRejection } from '../sip/CallHandlerTypes.js';
import {
  chooseProtection,
  refusalWarning,
  type MediaEncryption,
  type ProtectionRefusal,
  type StreamSrtp,
} from './MediaEncryption.js';

/** One offered audio stream Callsight will receive. */
export interface NegotiatedStream {
  /** Index of the m-line in the offer (and in our answer). */
  readonly mediaIndex: number;
  /** `a=label` (SIPREC), or null. */
  readonly label: string | null;
  /** Where the peer says it sends from (c= line); null for 0.0.0.0 (hold) or unspecified. */
  readonly remoteAddress: string | null;
  readonly payloadType: number;
  readonly encoding: AudioEncoding;
  /** The offer's fmtp for the audio format (Opus parameters), echoed in our SDP; null when none. */
  readonly audioFmtp: string | null;
  /** RFC 4733 telephone-event payload type, if offered. */
  readonly telephoneEvent: number | null;
  readonly telephoneEventFmtp: string | null;
  readonly ptime: number | null;
  readonly port: number;
  /** The offerer's direction (sendrecv when it says nothing). */
  readonly direction: MediaDirection;
  /** The m-line's transport protocol, echoed in the answer: RTP/AVP or RTP/SAVP. */
  readonly protocol: string;
  /** SDES keys when the stream is SRTP, else null. */
  readonly srtp: StreamSrtp | null;
}

/** Where a stream's SDP says the party's RTP is (null: on hold, or unspecified). */
export function remoteOf(
  stream: Pick<NegotiatedStream, 'remoteAddress' | 'port'>,
): { address: string; port: number } | null {
  return stream.remoteAddress === null ? null : { address: stream.remoteAddress, port: stream.port };
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
  crypto: z
    .array(
      z.object({
        id: z.number().int(),
        suite: z.string(),
        config: z.string(),
        sessionConfig: z.string().optional(),
      }),
    )
    .optional(),
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

/** The codec of an offered format: by its rtpmap (name and clock rate), else by its static payload type. */
function codecOf(media: OfferedMedia, payloadType: number): AudioEncoding | null {
  const rtpmap = media.rtp.find((r) => r.payload === payloadType);
  if (rtpmap) return codecNamed(rtpmap.codec, rtpmap.rate ?? 8000);
  return codecOfStaticPayloadType(payloadType);
}

/**
 * The offered format whose codec comes first in `codecs` (our order of preference, not the
 * offerer's: wideband beats G.711 for recognition), and telephone-event at that codec's clock rate
 * if offered; the SRTP keys if the policy and the offer agree on encryption. A refused m-line says why.
 */
function chooseAudio(
  media: OfferedMedia,
  mediaIndex: number,
  sessionIp: string | null,
  encryption: MediaEncryption,
  codecs: readonly AudioEncoding[],
): NegotiatedStream | ProtectionRefusal | null {
  const protocol = media.protocol.toUpperCase();
  if (media.type !== 'audio' || media.port === 0 || (protocol !== 'RTP/AVP' && protocol !== 'RTP/SAVP'))
    return null;
  const formats = media.payloads.split(/\s+/).filter(Boolean).map(Number);
  let chosen: { payloadType: number; encoding: AudioEncoding; rank: number } | null = null;
  for (const pt of formats) {
    const encoding = codecOf(media, pt);
    const rank = encoding === null ? -1 : codecs.indexOf(encoding);
    if (encoding !== null && rank >= 0 && (chosen === null || rank < chosen.rank))
      chosen = { payloadType: pt, encoding, rank };
  }
  if (!chosen) return null;
  const clockRate = CODECS[chosen.encoding].clockRate;
  const telephoneEvent =
    formats.find((pt) => {
      const rtpmap = media.rtp.find((r) => r.payload === pt);
      return rtpmap?.codec.toUpperCase() === 'TELEPHONE-EVENT' && (rtpmap.rate ?? 8000) === clockRate;
    }) ?? null;
  const protection = chooseProtection(protocol, media.crypto ?? [], encryption);
  if (protection.kind === 'refused') return protection.why;
  const ip = media.connection?.ip ?? sessionIp;
  return {
    mediaIndex,
    label: media.label ?? null,
    remoteAddress: ip === null || ip === '0.0.0.0' || ip === '::' ? null : ip,
    payloadType: chosen.payloadType,
    encoding: chosen.encoding,
    audioFmtp: media.fmtp.find((f) => f.payload === chosen.payloadType)?.config ?? null,
    telephoneEvent,
    telephoneEventFmtp:
      telephoneEvent === null ? null : (media.fmtp.find((f) => f.payload === telephoneEvent)?.config ?? null),
    ptime: media.ptime ?? null,
    port: media.port,
    direction: media.direction ?? 'sendrecv',
    protocol,
    srtp: protection.kind === 'srtp' ? protection.srtp : null,
  };
}

/**
 * RFC 3264 offer/answer for a listener: accept up to `maxStreams` audio m-lines that offer one of
 * `codecs` (`media.codecs`, most preferred first) over RTP or SRTP as `encryption` allows, refuse
 * the rest (port 0). No acceptable stream → 488 (with the encryption policy's reason when that is
 * what refused them); not SDP → 415.
 */
export function negotiate(
  invite: SdpBody,
  maxStreams: number,
  encryption: MediaEncryption = 'optional',
  codecs: readonly AudioEncoding[] = DEFAULT_CODECS,
): Negotiation {
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
  let refusal: ProtectionRefusal | null = null;
  for (const [index, media] of session.media.entries()) {
    if (accepted.length >= maxStreams) break;
    const stream = chooseAudio(media, index, sessionIp, encryption, codecs);
    if (typeof stream === 'string') refusal ??= stream;
    else if (stream) accepted.push(stream);
  }
  if (accepted.length === 0)
    throw new SipRejection('CS_ERR_SDP_NO_CODEC', 'Not Acceptable Here', {
      extraHeaders: {
        Warning: refusal
          ? refusalWarning(refusal)
          : `305 callsight "no audio stream offered in a codec taken here (${codecs.map((c) => CODECS[c].rtpmapName).join(', ')})"`,
      },
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
    return {
      ...audioMedia(
        stream,
        ports[slot]!,
        stream.srtp === null ? [] : [{ tag: stream.srtp.tag, master: stream.srtp.local }],
        answerDirection(stream.direction),
      ),
      ...(stream.label === null ? {} : { label: stream.label }),
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

/** An SDES key we announce: the tag of its a=crypto line and the key itself. */
export interface AnnouncedKey {
  readonly tag: number;
  readonly master: SrtpMasterKey;
}

type AudioFormat = Pick<
  NegotiatedStream,
  'payloadType' | 'encoding' | 'audioFmtp' | 'telephoneEvent' | 'telephoneEventFmtp' | 'ptime' | 'protocol'
>;

/** One audio m-line of ours: the stream's format, our port, our keys if it is SRTP. */
function audioMedia(
  stream: AudioFormat,
  port: number,
  keys: readonly AnnouncedKey[],
  direction: MediaDirection,
) {
  const telephone = stream.telephoneEvent;
  const codec = CODECS[stream.encoding];
  return {
    type: 'audio',
    port,
    protocol: stream.protocol,
    payloads: [stream.payloadType, ...(telephone === null ? [] : [telephone])].join(' '),
    rtp: [
      {
        payload: stream.payloadType,
        codec: codec.rtpmapName,
        rate: codec.clockRate,
        ...(codec.channels === null ? {} : { encoding: codec.channels }),
      },
      ...(telephone === null
        ? []
        : [{ payload: telephone, codec: 'telephone-event', rate: codec.clockRate }]),
    ],
    fmtp: [
      ...(stream.audioFmtp === null ? [] : [{ payload: stream.payloadType, config: stream.audioFmtp }]),
      ...(telephone === null ? [] : [{ payload: telephone, config: stream.telephoneEventFmtp ?? '0-16' }]),
    ],
    ...(keys.length === 0 ? {} : { crypto: keys.map((k): CryptoLine => cryptoLineFor(k.tag, k.master)) }),
    ...(stream.ptime === null ? {} : { ptime: stream.ptime }),
    direction,
  };
}

/**
 * What the relay sends one party for an anchored stream: one audio m-line, our address and port,
 * and the keys we encrypt with towards that party (several in an offer, the chosen one in an answer).
 */
export function relayedSdp(
  stream: AudioFormat,
  address: string,
  port: number,
  direction: MediaDirection,
  keys: readonly AnnouncedKey[],
): string {
  const ipVer = isIPv6(address) ? 6 : 4;
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
    media: [audioMedia(stream, port, keys, direction)],
  });
}

/**
 * A party's answer to an offer the relay made (one audio stream): where it receives, in which
 * direction, and — when we offered SDES keys — which of them it took and the key it sends with. An
 * answer that refuses the stream, changes the one payload type offered, or answers keys with a tag
 * or suite we did not offer is 488; so is a plain answer to our keys when `keysRequired` (an
 * RTP/SAVP offer, or media.encryption required), else that leg is plain.
 */
export function readAnswer(
  answer: SdpBody,
  offered: Pick<NegotiatedStream, 'payloadType' | 'encoding'>,
  keys: readonly AnnouncedKey[],
  keysRequired: boolean,
): {
  remote: { address: string; port: number } | null;
  direction: MediaDirection;
  srtp: StreamSrtp | null;
} {
  const negotiation = negotiate(answer, 1, 'optional', [offered.encoding]);
  const stream = negotiation.accepted[0]!;
  const refuse = (why: string) =>
    new SipRejection('CS_ERR_SDP_NO_CODEC', 'Not Acceptable Here', {
      extraHeaders: { Warning: `305 callsight "${why}"` },
    });
  if (stream.payloadType !== offered.payloadType) throw refuse('answer changed the payload type');
  let srtp: StreamSrtp | null = null;
  if (keys.length > 0 && (stream.srtp || keysRequired)) {
    const ours = keys.find((k) => k.tag === stream.srtp?.tag);
    if (!stream.srtp || !ours || ours.master.suite !== stream.srtp.remote.suite)
      throw refuse('answer to an SRTP offer without one of its a=crypto tags');
    srtp = { tag: ours.tag, remote: stream.srtp.remote, local: ours.master };
  }
  return { remote: remoteOf(stream), direction: stream.direction, srtp };
}
