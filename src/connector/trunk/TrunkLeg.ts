import { CallsightError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { PortAllocator } from '../../media/rtp/PortAllocator.js';
import { RtpRelay } from '../../media/RtpRelay.js';
import {
  SipRejection,
  type CallEndReason,
  type IncomingInvite,
  type ProgressSender,
} from '../../sip/CallHandlerTypes.js';
import { parseNameAddr } from '../../sip/message/HeaderValues.js';
import { formatHost } from '../../sip/message/SipUri.js';
import type { SipUserAgent } from '../../sip/SipUserAgent.js';
import type { CallInfo } from '../CallTypes.js';
import { offerKeys, type MediaEncryption, type StreamSrtp } from '../MediaEncryption.js';
import {
  negotiate,
  readAnswer,
  relayedSdp,
  remoteOf,
  type AnnouncedKey,
  type NegotiatedStream,
} from '../MediaNegotiation.js';
import type { SipResponse } from '../../sip/message/SipMessage.js';
import type { RouteDefinition, RouteTarget } from './Routes.js';

/** What a trunked call needs of the SIP user agent. */
export type OutboundSip = Pick<SipUserAgent, 'invite' | 'hangup' | 'reinvite' | 'ping'>;

export interface TrunkLegOptions {
  readonly call: CallInfo;
  /** The caller's INVITE (leg A). */
  readonly invite: IncomingInvite;
  /** The caller's audio stream, as negotiated: its payload type is the one both legs use. */
  readonly stream: NegotiatedStream;
  readonly route: RouteDefinition;
  /** The route's targets in the order to try them (orderTargets), down ones left out. */
  readonly targets: readonly RouteTarget[];
  /** The SRTP policy re-offers are held to (the caller's offer already was). */
  readonly encryption: MediaEncryption;
  /** Symmetric RTP with learning on both legs (false: `media.strictRtpSource`). */
  readonly learnRtpSource: boolean;
  readonly sip: OutboundSip;
  readonly advertisedAddress: string;
  readonly rtpHost: string;
  readonly ports: PortAllocator;
  readonly jitterBufferMs: number;
  readonly callStartMs: number;
  readonly logger: Logger;
  /** The far end hung up (or its dialog failed): the caller's leg must be ended too. */
  readonly farEndHungUp: () => void;
  /** A re-INVITE from the far end (hold, resume, a new address) was passed on to the caller and answered. */
  readonly farEndUpdated: (invite: IncomingInvite) => void;
}

const quoted = (text: string) => `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/**
 * The far leg of a call the Voice Connector routes on (a B2BUA): an INVITE of its own to the route's
 * targets in turn until one answers, whose provisional and final answers, CANCEL, BYE and re-INVITEs are passed between the
 * legs, with the media of both legs anchored in one RtpRelay (party 0 the caller, party 1 the far
 * end). Only the caller's chosen payload type (G.711, G.722 or Opus) (plus telephone-event) is offered on, so the
 * relay forwards packets unchanged and can tap both directions.
 */
export class TrunkLeg {
  readonly relay: RtpRelay;
  readonly #options: TrunkLegOptions;
  readonly #logger: Logger;
  #farSipCallId: string | null = null;
  #farEnded = false;
  #cancel: (() => void) | null = null;
  #cancelled = false;
  /** The keys we announce to each party: [caller's leg, far leg]; empty for a plain leg. */
  readonly #announced: [AnnouncedKey[], AnnouncedKey[]];
  /** The keys every target is offered (one of ours per suite), before one answers. */
  readonly #farOffer: AnnouncedKey[];

  private constructor(options: TrunkLegOptions, relay: RtpRelay) {
    this.#options = options;
    this.#logger = options.logger;
    this.relay = relay;
    const srtp = options.stream.srtp;
    this.#farOffer = srtp ? offerKeys(srtp.local.suite.name) : [];
    this.#announced = [srtp ? [{ tag: srtp.tag, master: srtp.local }] : [], this.#farOffer];
  }

  static async open(options: TrunkLegOptions): Promise<TrunkLeg> {
    const { stream } = options;
    const payloadTypes = {
      audio: stream.payloadType,
      encoding: stream.encoding,
      telephoneEvent: stream.telephoneEvent,
    };
    const relay = await RtpRelay.open({
      host: options.rtpHost,
      ports: options.ports,
      sides: [
        {
          channel: 0,
          remote: remoteOf(stream),
          payloadTypes,
          srtp: keysOf(stream.srtp),
        },
        // The far end's keys come with its answer.
        { channel: 1, remote: null, payloadTypes, srtp: null },
      ],
      callStartMs: options.callStartMs,
      jitterDepthMs: options.jitterBufferMs,
      learnSource: options.learnRtpSource,
      logger: options.logger,
    });
    return new TrunkLeg(options, relay);
  }

  /** Our SDP towards party `side`, for the relay's port facing it, with the keys we announce to it. */
  #sdpFor(side: 0 | 1, direction: NegotiatedStream['direction']): string {
    const keys = this.#announced[side];
    return relayedSdp(
      {
        ...this.#options.stream,
        // The far leg mirrors the caller's: RTP/SAVP for RTP/SAVP, best-effort SRTP (RTP/AVP with keys) for best effort.
        protocol: keys.length > 0 ? this.#options.stream.protocol : 'RTP/AVP',
      },
      this.#options.advertisedAddress,
      this.relay.localPort(side),
      direction,
      keys,
    );
  }

  /**
   * Party `side`'s answer to an offer of ours. A plain answer to best-effort SRTP (RTP/AVP with keys)
   * makes that leg plain, unless media.encryption is `required`.
   */
  #answerOf(side: 0 | 1, contentType: string | null, body: string) {
    return readAnswer(
      { contentType, body },
      this.#options.stream,
      this.#announced[side],
      this.#options.encryption === 'required' || this.#options.stream.protocol === 'RTP/SAVP',
    );
  }

  /** Party `side` answered (or re-offered): its keys go to the relay, and we announce only the chosen one. */
  #keyed(side: 0 | 1, srtp: StreamSrtp | null): void {
    this.relay.setKeys(side, keysOf(srtp));
    this.#announced[side] = srtp ? [{ tag: srtp.tag, master: srtp.local }] : [];
  }

  /**
   * Places the far leg and resolves with the answer for the caller once a target answers. Targets
   * are tried in the order given; a target that does not answer in the route's time, cannot be
   * reached, answers 503 or refuses our credentials (401/407) gives way to the next one. Its 180
   * and 183 (early media through the relay) are passed back as they come. Other refusals are passed
   * back as they are; when every target failed, the caller gets 503.
   */
  async connect(progress: ProgressSender): Promise<{ sdp: string }> {
    const { route, targets } = this.#options;
    const failures: { target: string; failure: string }[] = [];
    for (const target of targets) {
      if (this.#cancelled) break;
      const attempt = await this.#attempt(target, progress);
      if (attempt.kind === 'answered') return this.#answered(attempt.response);
      if (attempt.kind === 'cancelled') break;
      if (attempt.kind === 'refused') {
        this.#logger.info({ target: target.uri, status: attempt.status }, 'route target refused the call');
        throw new SipRejection('CS_ERR_SIP_PEER_REFUSED', attempt.reason, { status: attempt.status });
      }
      failures.push({ target: target.uri, failure: attempt.failure });
      // Early media of a target given up on must not reach the caller from the next one's port, and
      // the next target is offered our keys afresh.
      this.relay.setRemote(1, null);
      this.relay.setKeys(1, null);
      this.#announced[1] = this.#farOffer;
    }
    if (this.#cancelled) throw new SipRejection('CS_ERR_SIP_CANCELLED', 'Request Terminated');
    this.#logger.warn(
      { code: 'CS_ERR_TRUNK_UNAVAILABLE', route: route.name, failures },
      'no target of the route took the call: 503 to the caller',
    );
    throw new SipRejection('CS_ERR_TRUNK_UNAVAILABLE', 'Service Unavailable');
  }

  /** One INVITE (with its challenges answered) to one target. */
  async #attempt(
    target: RouteTarget,
    progress: ProgressSender,
  ): Promise<
    | { kind: 'answered'; response: SipResponse }
    | { kind: 'cancelled' }
    | { kind: 'refused'; status: number; reason: string }
    | { kind: 'failed'; failure: string }
  > {
    const { invite, route, sip, call } = this.#options;
    const host = formatHost(target.host);
    // The target's own scheme and transport carry on into the Request-URI and To (sips: stays sips:).
    const scheme = target.uri.toLowerCase().startsWith('sips:') ? 'sips' : 'sip';
    const transportParam =
      target.transport === 'udp' || scheme === 'sips' ? '' : `;transport=${target.transport}`;
    const user = /^[\w+*#.-]+$/.test(call.toNumber) ? call.toNumber : null;
    const display = parseNameAddr(invite.headers.from ?? '')?.displayName;
    const fromUser = /^[\w+*#.-]+$/.test(call.fromNumber) ? call.fromNumber : 'anonymous';
    const outgoing = sip.invite({
      target: { transport: target.transport, address: target.host, port: target.port },
      requestUri: user ? `${scheme}:${user}@${host}:${target.port}${transportParam}` : target.uri,
      from: `${display ? `${quoted(display)} ` : ''}<sip:${fromUser}@${formatHost(this.#options.advertisedAddress)}>`,
      to: user ? `<${scheme}:${user}@${host}>` : `<${target.uri}>`,
      sdp: this.#sdpFor(1, this.#options.stream.direction),
      timeoutMs: route.timeoutMs,
      credentials: route.credentials,
      onProvisional: (response) => {
        if (response.status === 180) progress(180);
        if (response.status !== 183 || response.body.length === 0) return;
        try {
          const early = this.#answerOf(1, response.contentType, response.body.toString('utf8'));
          this.relay.setRemote(1, early.remote);
          this.#keyed(1, early.srtp);
          progress(183, this.#sdpFor(0, early.direction));
        } catch {
          this.#logger.debug('183 without usable early-media SDP: not passed on');
        }
      },
      handler: {
        update: (reoffer) => this.#farEndReoffered(reoffer),
        ended: (reason) => this.#farEndEnded(reason),
      },
    });
    this.#farSipCallId = outgoing.sipCallId;
    this.#cancel = () => outgoing.cancel();
    const outcome = await outgoing.outcome;
    if (outcome.kind === 'cancelled') return outcome;
    if (outcome.kind !== 'response') {
      this.#logger.info({ target: target.uri, outcome: outcome.kind }, 'route target did not answer');
      return { kind: 'failed', failure: outcome.kind };
    }
    const { status, reason } = outcome.response;
    if (status < 300) return { kind: 'answered', response: outcome.response };
    if (status === 401 || status === 407) {
      this.#logger.warn(
        {
          code: 'CS_ERR_TRUNK_AUTH_FAILED',
          route: route.name,
          target: target.uri,
          status,
          user: route.credentials?.username,
        },
        route.credentials
          ? 'route target refused our credentials'
          : 'route target asks for credentials the route does not have',
      );
      return { kind: 'failed', failure: `${status} (authentication)` };
    }
    if (status === 503) {
      this.#logger.info({ target: target.uri, status }, 'route target unavailable');
      return { kind: 'failed', failure: '503' };
    }
    return { kind: 'refused', status, reason };
  }

  /** The far end answered: the caller's answer, for the relay's port facing it. */
  async #answered(response: SipResponse): Promise<{ sdp: string }> {
    try {
      const answer = this.#answerOf(1, response.contentType, response.body.toString('utf8'));
      this.relay.setRemote(1, answer.remote);
      this.#keyed(1, answer.srtp);
      return { sdp: this.#sdpFor(0, answer.direction) };
    } catch (err) {
      // The far end answered with media we cannot relay: end its leg, refuse the caller with 488
      // (the caller's offer was fine, so not the 400 a malformed answer would be).
      await this.hangUpFarEnd();
      throw new SipRejection(
        err instanceof CallsightError ? err.code : 'CS_ERR_SDP_INVALID',
        'Not Acceptable Here',
        { status: 488, extraHeaders: err instanceof SipRejection ? err.extraHeaders : {}, cause: err },
      );
    }
  }

  /** The caller cancelled before the far end answered. */
  cancel(): void {
    this.#cancelled = true;
    this.#cancel?.();
  }

  /** A re-INVITE from the caller (hold, resume, a new address): offered on to the far end. */
  async callerReoffered(invite: IncomingInvite): Promise<{ sdp: string }> {
    const stream = this.#reoffered(invite, 0);
    this.relay.setRemote(0, remoteOf(stream));
    this.#keyed(0, stream.srtp);
    const farAnswer = await this.#options.sip.reinvite(
      this.#farSipCallId!,
      this.#sdpFor(1, stream.direction),
    );
    const answer = this.#answerOf(1, 'application/sdp', farAnswer.sdp);
    this.relay.setRemote(1, answer.remote);
    this.#keyed(1, answer.srtp);
    return { sdp: this.#sdpFor(0, answer.direction) };
  }

  /** A re-INVITE from the far end: offered on to the caller. */
  async #farEndReoffered(invite: IncomingInvite): Promise<{ sdp: string }> {
    const stream = this.#reoffered(invite, 1);
    this.relay.setRemote(1, remoteOf(stream));
    this.#keyed(1, stream.srtp);
    const callerAnswer = await this.#options.sip.reinvite(
      this.#options.invite.sipCallId,
      this.#sdpFor(0, stream.direction),
    );
    const answer = this.#answerOf(0, 'application/sdp', callerAnswer.sdp);
    this.relay.setRemote(0, answer.remote);
    this.#keyed(0, answer.srtp);
    this.#options.farEndUpdated(invite);
    return { sdp: this.#sdpFor(1, answer.direction) };
  }

  /**
   * A re-offer must keep the call's payload type: the relay forwards packets as they are. Our key
   * towards the party stays the same while the suite does, so the re-offer does not rekey our side.
   */
  #reoffered(invite: IncomingInvite, side: 0 | 1): NegotiatedStream {
    const stream = negotiate(invite, 1, this.#options.encryption, [this.#options.stream.encoding])
      .accepted[0]!;
    if (stream.payloadType !== this.#options.stream.payloadType)
      throw new SipRejection('CS_ERR_SDP_NO_CODEC', 'Not Acceptable Here', {
        extraHeaders: { Warning: '305 callsight "re-offer changed the payload type"' },
      });
    const ours = this.#announced[side][0]?.master;
    if (stream.srtp && ours && ours.suite === stream.srtp.local.suite)
      return { ...stream, srtp: { ...stream.srtp, local: ours } };
    return stream;
  }

  #farEndEnded(reason: CallEndReason): void {
    this.#farEnded = true;
    this.#logger.info({ reason }, 'far end of the trunked call ended');
    this.#options.farEndHungUp();
  }

  /** BYE to the far end, unless it already hung up. */
  async hangUpFarEnd(): Promise<void> {
    if (this.#farEnded || this.#farSipCallId === null) return;
    this.#farEnded = true;
    await this.#options.sip.hangup(this.#farSipCallId);
  }

  close(): Promise<void> {
    return this.relay.close();
  }
}

function keysOf(
  srtp: StreamSrtp | null,
): { inbound: StreamSrtp['remote']; outbound: StreamSrtp['local'] } | null {
  return srtp ? { inbound: srtp.remote, outbound: srtp.local } : null;
}
