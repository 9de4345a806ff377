import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import * as sdpTransform from 'sdp-transform';
import { SipHeaders } from '../../src/sip/message/SipHeaders.js';
import { SipRequest, SipResponse, newBranch, newTag, responseTo } from '../../src/sip/message/SipMessage.js';
import { parseSipMessage } from '../../src/sip/message/SipParser.js';
import { formatHost } from '../../src/sip/message/SipUri.js';
import { DEFAULT_TIMERS } from '../../src/sip/transaction/Timers.js';
import { codecNamed, codecOfStaticPayloadType } from '../../src/media/codec/AudioCodecs.js';
import type { AudioEncoding } from '../../src/media/MediaTypes.js';
import { sendRtp } from './RtpSender.js';

export interface DialOptions {
  /** Where Callsight's SIP listens. */
  readonly host: string;
  readonly port: number;
  readonly fromNumber: string;
  readonly toNumber: string;
  /** Local port put in the SDP offer's m= line: where the caller's RTP comes from. */
  readonly rtpPort: number;
  readonly extraHeaders?: Readonly<Record<string, string>>;
  /** The offer's direction: `sendonly` (default: Callsight only listens) or `sendrecv` (a routed call). */
  readonly direction?: 'sendonly' | 'sendrecv';
  /** The codec offered first (G.711 µ-law is always offered too, after it). Default PCMU. */
  readonly codec?: 'PCMU' | 'G722' | 'OPUS';
}

/** The payload type and rtpmap of each codec the caller can offer. */
const OFFERED: Readonly<Record<NonNullable<DialOptions['codec']>, { payloadType: number; rtpmap: string }>> =
  {
    PCMU: { payloadType: 0, rtpmap: 'PCMU/8000' },
    G722: { payloadType: 9, rtpmap: 'G722/8000' },
    OPUS: { payloadType: 111, rtpmap: 'opus/48000/2' },
  };

/** An answered, acknowledged call whose media the caller drives itself. */
export interface DialedCall {
  readonly sipCallId: string;
  /** Where to send RTP (from the 200 OK's SDP answer). */
  readonly rtpTarget: { address: string; port: number };
  /** The codec and payload type the answer chose. */
  readonly codec: { encoding: AudioEncoding; payloadType: number };
  /** Wall-clock ms (Date.now()) when the INVITE was first sent: Callsight's media clock starts about then. */
  readonly inviteSentAt: number;
  /** Aborted when Callsight hangs up (its BYE has been answered); stop sending then. */
  readonly signal: AbortSignal;
  /** Sends BYE and waits for its 2xx; a no-op when Callsight already hung up. Idempotent. */
  hangup(): Promise<void>;
}

export interface PlaceCallOptions extends Omit<DialOptions, 'rtpPort'> {
  /** Mono PCM to play once the call is answered: 8 kHz for PCMU, 16 kHz for G722 and OPUS. */
  readonly samples: Int16Array;
  /** Silence after the audio before hanging up. */
  readonly tailMs?: number;
  /** Wait after the ACK before the first RTP packet (default 0: at once, as phones do). */
  readonly mediaDelayMs?: number;
  /** Called for every RTP packet sent (wall-clock ms, index of its first sample). */
  readonly onPacket?: (sentAt: number, firstSample: number) => void;
  /** Called once the call is answered and acknowledged. */
  readonly onAnswered?: (info: {
    sipCallId: string;
    rtpTarget: { address: string; port: number };
    inviteSentAt: number;
  }) => void;
}

export interface CallOutcome {
  readonly sipCallId: string;
  readonly packetsSent: number;
  /** Who ended the call. */
  readonly endedBy: 'caller' | 'callsight';
}

/** The local IPv4 address the kernel would send from to reach `host` (no packet is sent). */
async function addressFacing(host: string): Promise<string> {
  const probe = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.connect(9, host, () => resolve());
    });
    return probe.address().address;
  } finally {
    probe.close();
  }
}

/** A final response other than 2xx. */
export class CallRejectedError extends Error {
  override name = 'CallRejectedError';
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`call rejected: ${status} ${reason}`);
  }
}

/**
 * A minimal SIP user agent client over UDP for the demo call and the benchmarks: INVITE with a PCMU
 * offer (G.722 or Opus before it when asked), ACK, RTP in real time, BYE. It speaks real SIP on real sockets (RFC 3261 Timer A/E
 * retransmissions included), so Callsight cannot tell it from a phone.
 */
export class SipCaller {
  readonly #socket: Socket;
  readonly #local: string;
  readonly #handlers = new Set<(message: SipRequest | SipResponse) => void>();

  private constructor(socket: Socket, local: string) {
    this.#socket = socket;
    this.#local = local;
    socket.on('message', (data) => {
      let message;
      try {
        message = parseSipMessage(data);
      } catch {
        return;
      }
      for (const handler of this.#handlers) handler(message);
    });
  }

  /** Opens the caller's SIP socket on `localAddress`, or on the local address that routes to `towards`. */
  static async open(towards: string, localAddress?: string): Promise<SipCaller> {
    const local = localAddress ?? (await addressFacing(towards));
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, local, resolve));
    return new SipCaller(socket, local);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  close(): void {
    this.#socket.close();
  }

  #send(message: SipRequest | SipResponse, host: string, port: number): void {
    this.#socket.send(message.serialize(), port, host);
  }

  /** Sends a request, retransmitting at T1, 2·T1 … until any response; resolves with the final one. */
  #transact(request: SipRequest, host: string, port: number): Promise<SipResponse> {
    const branch = request.topVia.branch;
    return new Promise((resolve, reject) => {
      let interval = DEFAULT_TIMERS.t1;
      let retransmit: NodeJS.Timeout | undefined;
      const arm = () => {
        retransmit = setTimeout(() => {
          this.#send(request, host, port);
          interval = Math.min(interval * 2, DEFAULT_TIMERS.t2);
          arm();
        }, interval);
      };
      const timeout = setTimeout(() => {
        finish();
        reject(new Error(`no final response to ${request.method} in ${64 * DEFAULT_TIMERS.t1} ms`));
      }, 64 * DEFAULT_TIMERS.t1);
      const handler = (message: SipRequest | SipResponse) => {
        if (!(message instanceof SipResponse) || message.topVia.branch !== branch) return;
        if (message.cseq.method !== request.method) return;
        // A provisional response stops retransmission; the final one ends the transaction.
        clearTimeout(retransmit);
        if (message.status < 200) return;
        finish();
        resolve(message);
      };
      const finish = () => {
        clearTimeout(retransmit);
        clearTimeout(timeout);
        this.#handlers.delete(handler);
      };
      this.#handlers.add(handler);
      this.#send(request, host, port);
      arm();
    });
  }

  /** Places a call and plays `samples` over RTP in real time, then hangs up (unless Callsight did). */
  async call(options: PlaceCallOptions): Promise<CallOutcome> {
    const rtp = createSocket('udp4');
    await new Promise<void>((resolve) => rtp.bind(0, this.#local, resolve));
    try {
      const call = await this.dial({ ...options, rtpPort: rtp.address().port });
      try {
        const { sipCallId, rtpTarget, inviteSentAt, signal } = call;
        options.onAnswered?.({ sipCallId, rtpTarget, inviteSentAt });
        if (options.mediaDelayMs) await new Promise((resolve) => setTimeout(resolve, options.mediaDelayMs));
        if (call.codec.encoding !== (options.codec ?? 'PCMU'))
          throw new Error(
            `the answer chose ${call.codec.encoding}, not the ${options.codec ?? 'PCMU'} asked for`,
          );
        const { packets } = await sendRtp({
          remote: rtpTarget,
          encoding: call.codec.encoding,
          payloadType: call.codec.payloadType,
          samples: options.samples,
          socket: rtp,
          signal,
          ...(options.onPacket ? { onPacket: options.onPacket } : {}),
        });
        if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, options.tailMs ?? 1000));
        const endedBy = signal.aborted ? 'callsight' : 'caller';
        await call.hangup();
        return { sipCallId, packetsSent: packets, endedBy };
      } catch (err) {
        await call.hangup().catch(() => undefined);
        throw err;
      }
    } finally {
      rtp.close();
    }
  }

  /**
   * INVITE with a PCMU offer (or `codec`, then PCMU), then ACK: resolves once the call is answered, leaving the media to the
   * caller (a load generator can drive the RTP of many calls from one place). Throws CallRejectedError
   * for a non-2xx final response.
   */
  async dial(options: DialOptions): Promise<DialedCall> {
    const { host, port } = options;
    const local = formatHost(this.#local);
    const sipCallId = `${randomBytes(12).toString('hex')}@${local}`;
    const fromTag = newTag();
    const from = `<sip:${options.fromNumber}@${local}>;tag=${fromTag}`;
    const requestUri = `sip:${options.toNumber}@${formatHost(host)}:${port}`;
    let cseq = 1;
    const request = (method: string, to: string, branch = newBranch(), seq = cseq++, body?: Buffer) => {
      const headers = new SipHeaders()
        .append('via', `SIP/2.0/UDP ${local}:${this.port};branch=${branch};rport`)
        .append('max-forwards', '70')
        .append('from', from)
        .append('to', to)
        .append('call-id', sipCallId)
        .append('cseq', `${seq} ${method}`)
        .append('contact', `<sip:caller@${local}:${this.port}>`)
        .append('user-agent', 'callsight-demo-call');
      return new SipRequest(method, requestUri, headers, body);
    };

    const codecs = [...new Set([options.codec ?? 'PCMU', 'PCMU' as const])].map((c) => OFFERED[c]);
    const offer = [
      'v=0',
      `o=caller ${Date.now()} 1 IN IP4 ${this.#local}`,
      's=callsight demo call',
      `c=IN IP4 ${this.#local}`,
      't=0 0',
      `m=audio ${options.rtpPort} RTP/AVP ${codecs.map((c) => c.payloadType).join(' ')} 101`,
      ...codecs.map((c) => `a=rtpmap:${c.payloadType} ${c.rtpmap}`),
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
      'a=ptime:20',
      `a=${options.direction ?? 'sendonly'}`,
      '',
    ].join('\r\n');
    const invite = request(
      'INVITE',
      `<sip:${options.toNumber}@${formatHost(host)}>`,
      newBranch(),
      cseq++,
      Buffer.from(offer),
    );
    for (const [name, value] of Object.entries(options.extraHeaders ?? {}))
      invite.headers.append(name, value);
    invite.headers.append('content-type', 'application/sdp');
    const inviteSeq = invite.cseq.seq;
    const inviteSentAt = Date.now();
    const final = await this.#transact(invite, host, port);
    const to = final.headers.get('to')!;
    if (final.status >= 300) {
      // The ACK of a non-2xx response belongs to the INVITE transaction: same branch (RFC 3261 §17.1.1.3).
      this.#send(request('ACK', to, invite.topVia.branch!, inviteSeq), host, port);
      throw new CallRejectedError(final.status, final.reason);
    }
    this.#send(request('ACK', to, newBranch(), inviteSeq), host, port);
    const answer = sdpTransform.parse(final.body.toString('utf8'));
    const audio = answer.media.find((m) => m.type === 'audio' && m.port !== 0);
    const rtpHost = audio?.connection?.ip ?? answer.connection?.ip;
    if (!audio || !rtpHost) {
      // Answered but unusable: end the dialog rather than leave it open.
      await this.#transact(request('BYE', to), host, port).catch(() => undefined);
      throw new Error('the 200 OK has no usable audio stream in its SDP answer');
    }

    // Callsight may hang up first (shutdown): answer its BYE and tell the media to stop.
    const hungUp = new AbortController();
    const onBye = (message: SipRequest | SipResponse) => {
      if (message instanceof SipRequest && message.method === 'BYE' && message.callId === sipCallId) {
        hungUp.abort();
        this.#send(responseTo(message, 200, 'OK'), host, port);
      }
    };
    this.#handlers.add(onBye);
    let hangingUp: Promise<void> | null = null;
    const hangup = async (): Promise<void> => {
      try {
        if (hungUp.signal.aborted) return;
        const byeResponse = await this.#transact(request('BYE', to), host, port);
        if (byeResponse.status >= 300)
          throw new Error(`BYE answered ${byeResponse.status} ${byeResponse.reason}`);
      } finally {
        this.#handlers.delete(onBye);
      }
    };
    const payloadType = Number(String(audio.payloads).split(' ')[0]);
    const rtpmap = audio.rtp.find((r) => r.payload === payloadType);
    const encoding =
      codecNamed(rtpmap?.codec ?? '', rtpmap?.rate ?? 0) ?? codecOfStaticPayloadType(payloadType);
    if (encoding === null)
      throw new Error(`the answer chose payload type ${payloadType}, not a codec we offered`);
    return {
      sipCallId,
      rtpTarget: { address: rtpHost, port: audio.port },
      codec: { encoding, payloadType },
      inviteSentAt,
      signal: hungUp.signal,
      hangup: () => (hangingUp ??= hangup()),
    };
  }
}
