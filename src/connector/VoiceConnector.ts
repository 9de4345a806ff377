import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CallsightError } from '../platform/errors.js';
import type { EventBus } from '../events/EventBus.js';
import type { EventOrigin } from '../events/EventEnvelope.js';
import type { Logger } from '../platform/logger.js';
import { counter, eventCounter, gauge, record, type AnyMetric } from '../platform/metrics.js';
import { DEFAULT_CODECS } from '../media/codec/AudioCodecs.js';
import type { AudioEncoding, PcmFrame, RtpStreamStats } from '../media/MediaTypes.js';
import type { PortAllocator } from '../media/rtp/PortAllocator.js';
import { RtpReceiver } from '../media/RtpReceiver.js';
import {
  SipRejection,
  type CallEndReason,
  type CallHandler,
  type IncomingInvite,
  type ProgressSender,
} from '../sip/CallHandlerTypes.js';
import { TypedEmitter } from '../platform/TypedEmitter.js';
import type { CallInfo, CallKind, CallStream, ParticipantRole } from './CallTypes.js';
import { allowedHeaders, type HeaderAllowList } from './InviteHeaders.js';
import type { MediaEncryption } from './MediaEncryption.js';
import {
  answerFor,
  negotiate,
  remoteOf,
  type Negotiation,
  type NegotiatedStream,
  type SdpBody,
} from './MediaNegotiation.js';
import { RecordingSessionState } from './siprec/RecordingSessionState.js';
import { parseSiprecInvite, type SiprecOffer, type StreamMappingOptions } from './siprec/index.js';
import { allStarted, streamEnded, streamFailed, streamStarted, streamUpdated } from './StreamingStatus.js';
import { ANSWER_EVERYTHING, chooseRoute, type RouteDefinition } from './trunk/Routes.js';
import { orderTargets } from './trunk/TargetOrder.js';
import { TargetMonitor, type TargetState } from './trunk/TargetMonitor.js';
import { TrunkLeg, type OutboundSip } from './trunk/TrunkLeg.js';

/** Calls by kind and how they ended: the SIP end reason of an answered call, else not-answered or rejected. */
const CALLS_TOTAL = eventCounter(
  'callsight_calls_total',
  'Calls ended, by kind (listener, siprec, trunk) and outcome (bye-received, bye-sent, cancelled, …; not-answered; rejected: refused at INVITE).',
  ['kind', 'outcome'],
);

export interface VoiceConnectorOptions {
  readonly voiceConnectorId: string;
  readonly origin: EventOrigin;
  readonly advertisedAddress: string;
  readonly rtpHost: string;
  readonly ports: PortAllocator;
  readonly jitterBufferMs: number;
  /** SRTP policy of every stream (see MediaEncryption.ts). Default 'optional'. */
  readonly encryption?: MediaEncryption;
  /** Codecs taken, most preferred first (`media.codecs`). Default: DEFAULT_CODECS (wideband first). */
  readonly codecs?: readonly AudioEncoding[];
  /** RTP only from the address in the party's SDP, no NAT learning (see SourceLock). Default false. */
  readonly strictRtpSource?: boolean;
  /** A confirmed call with no RTP on any stream for this long is reported as 'mediaTimeout' (0: never). */
  readonly mediaTimeoutMs: number;
  /** Where INVITEs go; default: answer every one here. SIPREC INVITEs are always recorded here. */
  readonly routes?: readonly RouteDefinition[];
  /** How often the routes' targets get an OPTIONS ping (0 or absent: never; every target is tried). */
  readonly targetPingIntervalMs?: number;
  /** Which INVITE headers the events carry in `inviteHeaders`. Default: all but credentials. */
  readonly inviteHeaders?: HeaderAllowList;
  /** How SIPREC participants become AGENT and CUSTOMER. */
  readonly siprec?: Pick<StreamMappingOptions, 'agentAorPattern'>;
  readonly bus: EventBus;
  readonly logger: Logger;
}

export interface VoiceConnectorEvents {
  [event: string]: unknown[];
  /** Decoded audio of one of the call's streams. */
  frame: [call: CallInfo, frame: PcmFrame];
  /** A re-INVITE added a stream to a call in progress (its STARTED event is already out). */
  streamAdded: [call: CallInfo, stream: CallStream];
  /** Every stream of the call has ended and its last frame has been emitted. */
  mediaEnded: [call: CallInfo];
  /** No RTP arrived on any of the call's streams for mediaTimeoutMs: the SIP layer should hang up. */
  mediaTimeout: [call: CallInfo];
}

/** A route as GET /api/routes lists it: its targets in the configured order, with their OPTIONS state. */
export interface RouteView {
  readonly name: string;
  /** Scaled out: the sip process whose view this is. */
  readonly owner?: string;
  readonly direction: CallInfo['direction'];
  readonly target: 'local' | 'sip';
  /** The username the route answers challenges with (never the password). */
  readonly authentication: { readonly username: string } | null;
  readonly targets: readonly (TargetState & { readonly priority: number; readonly weight: number })[];
}

/** The media side of a call: one receiver per stream, or the relay of a trunked call. */
interface CallMedia {
  stats(): RtpStreamStats[];
  close(): Promise<void>;
}

interface ActiveCall {
  info: CallInfo;
  readonly receivers: Map<number, RtpReceiver>;
  readonly trunk: TrunkLeg | null;
  readonly recording: RecordingSessionState | null;
  readonly media: CallMedia;
  readonly startTimes: Map<number, Date>;
  confirmed: boolean;
  ended: boolean;
  /** Packets received on all streams at the last watchdog check, and when that count last moved. */
  packetsSeen: number;
  lastMediaAt: number;
}

/** How often the media watchdog looks at the calls. */
const WATCHDOG_INTERVAL_MS = 1000;

/** Most audio streams one call may have (Chime's Voice Connector: two). */
const MAX_STREAMS = 2;

/**
 * The Voice Connector counterpart. Every INVITE becomes a call of one of three kinds: a SIPREC
 * recording session (streams and roles from its metadata), a call routed through Callsight to
 * another SIP target (a B2BUA with anchored, tapped media on both legs), or a call answered here.
 * Each call's streams become pipeline channels, and its life is published as "Chime VoiceConnector
 * Streaming Status" events.
 */
export class VoiceConnector extends TypedEmitter<VoiceConnectorEvents> implements CallHandler {
  readonly #options: VoiceConnectorOptions;
  readonly #logger: Logger;
  readonly #bySipCallId = new Map<string, ActiveCall>();
  readonly #byCallId = new Map<string, ActiveCall>();
  /** Trunk calls still waiting for the far end's answer, so a CANCEL can be passed on. */
  readonly #ringing = new Map<string, TrunkLeg>();
  /** INVITEs cancelled while their media was still being set up. */
  readonly #cancelled = new Set<string>();
  readonly #watchdog: NodeJS.Timeout | null;
  /** The routes' targets, pinged with OPTIONS once attached: down ones are skipped. */
  readonly targets: TargetMonitor;
  #sip: OutboundSip | null = null;

  get #encryption(): MediaEncryption {
    return this.#options.encryption ?? 'optional';
  }

  get #codecs(): readonly AudioEncoding[] {
    return this.#options.codecs ?? DEFAULT_CODECS;
  }

  /**
   * A re-offer's negotiation: the codecs the call's receivers decode come first, so that a stream
   * keeps its codec whenever the re-offer still has it.
   */
  #renegotiate(call: ActiveCall, offer: SdpBody): Negotiation {
    const inUse = [...call.receivers.values()].map((r) => r.encoding);
    return negotiate(offer, MAX_STREAMS, this.#encryption, [...new Set([...inUse, ...this.#codecs])]);
  }

  /** A receiver's decoder is fixed for the call: a re-offer that changes a stream's codec is refused. */
  #refuseCodecChange(
    call: ActiveCall,
    streams: readonly { channel: number; stream: NegotiatedStream }[],
  ): void {
    const changed = streams.some(({ channel, stream }) => {
      const receiver = call.receivers.get(channel);
      return receiver !== undefined && receiver.encoding !== stream.encoding;
    });
    if (changed)
      throw new SipRejection('CS_ERR_SDP_NO_CODEC', 'Not Acceptable Here', {
        extraHeaders: { Warning: `305 callsight "re-offer changed a stream's codec"` },
      });
  }

  constructor(options: VoiceConnectorOptions) {
    super(options.logger);
    this.#options = options;
    this.#logger = options.logger;
    this.#watchdog =
      options.mediaTimeoutMs > 0 ? setInterval(() => this.#checkMedia(), WATCHDOG_INTERVAL_MS).unref() : null;
    this.targets = new TargetMonitor({
      routes: options.routes ?? [],
      intervalMs: options.targetPingIntervalMs ?? 0,
      logger: options.logger.child({ stage: 'trunk' }),
    });
  }

  /** The SIP user agent, for the outbound legs of trunked calls, hanging up, and pinging the targets. */
  attach(sip: OutboundSip): void {
    this.#sip = sip;
    this.targets.start(sip);
  }

  /** The routes with their targets' states (GET /api/routes). */
  routes(): RouteView[] {
    return (this.#options.routes ?? []).map((route) => ({
      name: route.name,
      direction: route.direction,
      target: route.targets === null ? 'local' : 'sip',
      authentication: route.credentials ? { username: route.credentials.username } : null,
      targets: (route.targets ?? []).map((t) => ({
        priority: t.priority,
        weight: t.weight,
        ...this.targets.state(t.uri)!,
      })),
    }));
  }

  async offer(invite: IncomingInvite, progress: ProgressSender): Promise<{ sdp: string }> {
    const attempt = { kind: 'listener' as CallKind };
    try {
      return await this.#offer(invite, progress, attempt);
    } catch (err) {
      record(CALLS_TOTAL, { kind: attempt.kind, outcome: 'rejected' });
      throw err;
    }
  }

  async #offer(
    invite: IncomingInvite,
    progress: ProgressSender,
    attempt: { kind: CallKind },
  ): Promise<{ sdp: string }> {
    let siprec: SiprecOffer | null = null;
    try {
      const parsed = parseSiprecInvite(invite);
      if (parsed.siprec) siprec = parsed;
      for (const warning of parsed.warnings)
        this.#logger.warn({ sipCallId: invite.sipCallId }, `SIPREC: ${warning}`);
    } catch (err) {
      if (err instanceof SipRejection)
        this.#logger.warn(
          { sipCallId: invite.sipCallId, code: err.code, status: err.status, reason: err.reason },
          'INVITE body refused',
        );
      throw err;
    }
    if (siprec) {
      attempt.kind = 'siprec';
      return this.#acceptRecording(invite, siprec);
    }
    const route = chooseRoute(this.#options.routes ?? ANSWER_EVERYTHING, {
      requestUri: invite.requestUri,
      fromNumber: invite.fromNumber,
      toNumber: invite.toNumber,
      fromUri: invite.fromUri,
      toUri: invite.toUri,
      source: { address: invite.source.address, transport: invite.source.transport },
    });
    if (!route) {
      this.#logger.info(
        { sipCallId: invite.sipCallId, to: invite.toNumber },
        'no route matches the call: 404',
      );
      throw new SipRejection('CS_ERR_SIP_NO_ROUTE', 'Not Found');
    }
    if (route.targets === null) return this.#acceptHere(invite, route);
    attempt.kind = 'trunk';
    return this.#relay(invite, route, progress);
  }

  /** A call answered here: one receiver per audio stream of the offer. */
  async #acceptHere(invite: IncomingInvite, route: RouteDefinition): Promise<{ sdp: string }> {
    const negotiation = negotiate(invite, MAX_STREAMS, this.#encryption, this.#codecs);
    const roles: ParticipantRole[] = [
      route.callerRole,
      route.callerRole === 'CUSTOMER' ? 'AGENT' : 'CUSTOMER',
    ];
    const call = this.#newCall(
      invite,
      'listener',
      route.direction,
      negotiation.accepted.map((stream, channel) => ({
        stream,
        channel,
        isCaller: channel === 0,
        participantRole: roles[channel]!,
      })),
    );
    const receivers = await this.#openReceivers(
      call,
      negotiation.accepted.map((stream, channel) => ({ stream, channel })),
    );
    await this.#refuseIfCancelled(invite.sipCallId, receivers);
    this.#register(invite.sipCallId, call, receivers, null, null);
    return {
      sdp: answerFor(
        negotiation,
        this.#options.advertisedAddress,
        [...receivers.values()].map((r) => r.localPort),
      ),
    };
  }

  /** A SIPREC recording session: streams, labels, speakers and roles from the RFC 7865 metadata. */
  async #acceptRecording(invite: IncomingInvite, offer: SiprecOffer): Promise<{ sdp: string }> {
    const negotiation = negotiate(
      { contentType: 'application/sdp', body: offer.sdp },
      MAX_STREAMS,
      this.#encryption,
      this.#codecs,
    );
    const recording = new RecordingSessionState(offer, this.#options.siprec ?? {});
    const mapped = recording.map(negotiation.accepted);
    const parties = recording.parties(mapped);
    const call = this.#newCall(
      { ...invite, fromNumber: parties.from ?? invite.fromNumber, toNumber: parties.to ?? invite.toNumber },
      'siprec',
      'Inbound',
      mapped.map((m) => ({
        stream: m.stream,
        channel: m.channel,
        isCaller: m.isCaller,
        participantRole: m.participantRole,
      })),
      recording,
    );
    const receivers = await this.#openReceivers(
      call,
      mapped.map((m) => ({ stream: m.stream, channel: m.channel })),
    );
    await this.#refuseIfCancelled(invite.sipCallId, receivers);
    this.#register(invite.sipCallId, call, receivers, null, recording);
    this.#logger.info(
      {
        callId: call.callId,
        streams: mapped.map(
          (m) => `${m.stream.label ?? m.stream.mediaIndex}→ch_${m.channel} ${m.participantRole}`,
        ),
      },
      'SIPREC recording session accepted',
    );
    return {
      sdp: answerFor(
        negotiation,
        this.#options.advertisedAddress,
        mapped.map((m) => receivers.get(m.channel)!.localPort),
      ),
    };
  }

  /** A call routed on to `route.target`, media anchored here: answered when the far end answers. */
  async #relay(
    invite: IncomingInvite,
    route: RouteDefinition,
    progress: ProgressSender,
  ): Promise<{ sdp: string }> {
    const sip = this.#sip;
    if (!sip) throw new SipRejection('CS_ERR_NOT_READY', 'Service Unavailable');
    const targets = orderTargets(route.targets!, (t) => this.targets.usable(t));
    if (targets.length === 0) {
      this.#logger.warn(
        { code: 'CS_ERR_TRUNK_UNAVAILABLE', sipCallId: invite.sipCallId, route: route.name },
        'every target of the route is down: 503 to the caller',
      );
      throw new SipRejection('CS_ERR_TRUNK_UNAVAILABLE', 'Service Unavailable');
    }
    const negotiation = negotiate(invite, 1, this.#encryption, this.#codecs);
    const stream = negotiation.accepted[0]!;
    const otherRole: ParticipantRole = route.callerRole === 'CUSTOMER' ? 'AGENT' : 'CUSTOMER';
    const call = this.#newCall(invite, 'trunk', route.direction, [
      { stream, channel: 0, isCaller: true, participantRole: route.callerRole },
      // The far leg's stream is the one m-line of the offer the relay sends it: no label of the caller's.
      {
        stream: { ...stream, mediaIndex: 0, label: null },
        channel: 1,
        isCaller: false,
        participantRole: otherRole,
      },
    ]);
    const leg = await TrunkLeg.open({
      call,
      invite,
      stream,
      route,
      targets,
      encryption: this.#encryption,
      learnRtpSource: !this.#options.strictRtpSource,
      sip,
      advertisedAddress: this.#options.advertisedAddress,
      rtpHost: this.#options.rtpHost,
      ports: this.#options.ports,
      jitterBufferMs: this.#options.jitterBufferMs,
      callStartMs: performance.timeOrigin + performance.now(),
      logger: this.#logger.child({ callId: call.callId }),
      farEndHungUp: () => void sip.hangup(invite.sipCallId),
      farEndUpdated: (reoffer) =>
        this.#publishUpdated(this.#bySipCallId.get(invite.sipCallId)?.info ?? call, reoffer),
    });
    leg.relay.on('frame', (frame) => this.safeEmit('frame', call, frame));
    this.#ringing.set(invite.sipCallId, leg);
    try {
      const answer = await leg.connect(progress);
      if (this.#cancelled.delete(invite.sipCallId)) {
        await leg.close();
        throw new SipRejection('CS_ERR_SIP_CANCELLED', 'Request Terminated');
      }
      this.#register(invite.sipCallId, call, new Map(), leg, null);
      return answer;
    } catch (err) {
      await leg.close();
      throw err;
    } finally {
      this.#ringing.delete(invite.sipCallId);
    }
  }

  /** The caller cancelled while the media was being set up: release it and answer 487. */
  async #refuseIfCancelled(sipCallId: string, receivers: Map<number, RtpReceiver>): Promise<void> {
    if (!this.#cancelled.delete(sipCallId)) return;
    await Promise.allSettled([...receivers.values()].map((r) => r.close()));
    throw new SipRejection('CS_ERR_SIP_CANCELLED', 'Request Terminated');
  }

  #newCall(
    invite: IncomingInvite,
    kind: CallKind,
    direction: CallInfo['direction'],
    streams: readonly {
      stream: NegotiatedStream;
      channel: number;
      isCaller: boolean;
      participantRole: ParticipantRole;
    }[],
    recording: RecordingSessionState | null = null,
  ): CallInfo {
    const callId = randomUUID();
    const transactionId = randomUUID();
    const startedAt = new Date();
    return {
      callId,
      transactionId,
      sipCallId: invite.sipCallId,
      kind,
      voiceConnectorId: this.#options.voiceConnectorId,
      direction,
      fromNumber: invite.fromNumber,
      toNumber: invite.toNumber,
      inviteHeaders: allowedHeaders(invite.headers, this.#options.inviteHeaders),
      siprecMetadata: recording?.metadataXml ?? null,
      siprecMetadataJson: recording?.metadataJson ?? null,
      streams: streams.map((s) =>
        this.#callStream(s.stream, s.channel, s.isCaller, s.participantRole, transactionId, startedAt),
      ),
      startedAt,
    };
  }

  #register(
    sipCallId: string,
    info: CallInfo,
    receivers: Map<number, RtpReceiver>,
    trunk: TrunkLeg | null,
    recording: RecordingSessionState | null,
  ): void {
    const media: CallMedia = trunk
      ? { stats: () => trunk.relay.stats(), close: () => trunk.close() }
      : {
          stats: () => [...receivers.values()].map((r) => r.stats()),
          close: async () => void (await Promise.allSettled([...receivers.values()].map((r) => r.close()))),
        };
    const call: ActiveCall = {
      info,
      receivers,
      trunk,
      recording,
      media,
      startTimes: new Map(),
      confirmed: false,
      ended: false,
      packetsSeen: 0,
      lastMediaAt: Date.now(),
    };
    this.#bySipCallId.set(sipCallId, call);
    this.#byCallId.set(info.callId, call);
    this.#logger.info(
      {
        callId: info.callId,
        sipCallId,
        kind: info.kind,
        from: info.fromNumber,
        to: info.toNumber,
        streams: info.streams.length,
      },
      'call accepted',
    );
  }

  confirmed(sipCallId: string): void {
    const call = this.#bySipCallId.get(sipCallId);
    if (!call || call.confirmed) return;
    call.confirmed = true;
    call.lastMediaAt = Date.now();
    const { bus, origin } = this.#options;
    const at = new Date();
    const startTimes = new Map<CallStream, Date>();
    for (const stream of call.info.streams) {
      call.startTimes.set(stream.channel, at);
      startTimes.set(stream, at);
      bus.publish(streamStarted(call.info, stream, origin, at));
    }
    bus.publish(allStarted(call.info, startTimes, origin, at));
  }

  ended(sipCallId: string, reason: CallEndReason): void {
    const ringing = this.#ringing.get(sipCallId);
    if (ringing && reason === 'cancelled') {
      this.#cancelled.add(sipCallId);
      ringing.cancel();
      return;
    }
    const call = this.#bySipCallId.get(sipCallId);
    if (!call) {
      if (reason === 'cancelled') this.#cancelled.add(sipCallId);
      return;
    }
    if (call.ended) return;
    call.ended = true;
    void this.#finish(call, reason);
  }

  /** A re-INVITE from the caller: hold, resume, new media address, or new SIPREC metadata and streams. */
  async update(sipCallId: string, invite: IncomingInvite): Promise<{ sdp: string }> {
    const call = this.#bySipCallId.get(sipCallId);
    if (!call) throw new SipRejection('CS_ERR_SIP_NO_DIALOG', 'Call/Transaction Does Not Exist');
    let answer: { sdp: string };
    if (call.trunk) {
      answer = await call.trunk.callerReoffered(invite);
    } else if (call.recording) {
      answer = await this.#updateRecording(call, invite);
    } else {
      const negotiation = this.#renegotiate(call, invite);
      this.#refuseCodecChange(
        call,
        negotiation.accepted.map((stream, channel) => ({ channel, stream })),
      );
      for (const [channel, stream] of negotiation.accepted.entries()) {
        call.receivers.get(channel)?.setExpectedRemote(remoteOf(stream));
        call.receivers.get(channel)?.setSrtpKey(stream.srtp?.remote ?? null);
      }
      const ports = negotiation.accepted.map((_, channel) => call.receivers.get(channel)?.localPort ?? 0);
      answer = { sdp: answerFor(negotiation, this.#options.advertisedAddress, ports) };
    }
    this.#publishUpdated(call.info, invite);
    return answer;
  }

  /** UPDATED for a re-INVITE either party of the call sent, with that re-INVITE's allowed headers. */
  #publishUpdated(info: CallInfo, invite: IncomingInvite): void {
    const { bus, origin, inviteHeaders } = this.#options;
    bus.publish(streamUpdated(info, allowedHeaders(invite.headers, inviteHeaders), origin, new Date()));
  }

  /**
   * A SIPREC re-INVITE: merge the metadata snapshot, follow moved streams, open a receiver for a
   * stream the recording client added. Streams that stay keep their receivers, so their transcripts
   * continue without a break.
   */
  async #updateRecording(call: ActiveCall, invite: IncomingInvite): Promise<{ sdp: string }> {
    const recording = call.recording!;
    const offer = parseSiprecInvite(invite);
    const negotiation = this.#renegotiate(call, { contentType: 'application/sdp', body: offer.sdp });
    if (offer.metadata) recording.update(offer.metadata, offer.metadataXml!);
    const mapped = recording.map(negotiation.accepted);
    this.#refuseCodecChange(call, mapped);
    const added: CallStream[] = [];
    for (const m of mapped) {
      const existing = call.receivers.get(m.channel);
      if (existing) {
        existing.setExpectedRemote(remoteOf(m.stream));
        existing.setSrtpKey(m.stream.srtp?.remote ?? null);
        continue;
      }
      const stream = this.#callStream(
        m.stream,
        m.channel,
        m.isCaller,
        m.participantRole,
        call.info.transactionId,
        new Date(),
      );
      const receivers = await this.#openReceivers(call.info, [{ stream: m.stream, channel: m.channel }]);
      call.receivers.set(m.channel, receivers.get(m.channel)!);
      added.push(stream);
    }
    call.info = {
      ...call.info,
      siprecMetadata: recording.metadataXml,
      siprecMetadataJson: recording.metadataJson,
      streams: [...call.info.streams, ...added],
    };
    const { bus, origin } = this.#options;
    for (const stream of added) {
      const at = new Date();
      call.startTimes.set(stream.channel, at);
      bus.publish(streamStarted(call.info, stream, origin, at));
      this.safeEmit('streamAdded', call.info, stream);
    }
    const ports = mapped.map((m) => call.receivers.get(m.channel)!.localPort);
    return { sdp: answerFor(negotiation, this.#options.advertisedAddress, ports) };
  }

  async #finish(call: ActiveCall, reason: CallEndReason): Promise<void> {
    const { bus, origin, logger } = this.#options;
    if (call.trunk && reason !== 'cancelled') await call.trunk.hangUpFarEnd();
    await call.media.close();
    this.#bySipCallId.delete(call.info.sipCallId);
    this.#byCallId.delete(call.info.callId);
    if (call.confirmed) {
      const at = new Date();
      for (const stream of call.info.streams) {
        bus.publish(
          streamEnded(
            call.info,
            stream,
            call.startTimes.get(stream.channel) ?? call.info.startedAt,
            origin,
            at,
          ),
        );
      }
    }
    this.safeEmit('mediaEnded', call.info);
    const rtp = call.media.stats();
    for (const stream of rtp) {
      this.#endedRtp.received += stream.packetsReceived;
      this.#endedRtp.lost += Math.max(0, stream.packetsLost);
    }
    record(CALLS_TOTAL, { kind: call.info.kind, outcome: call.confirmed ? reason : 'not-answered' });
    logger.info({ callId: call.info.callId, reason, rtp }, 'call ended');
  }

  /** Reports calls whose peer stopped sending RTP without hanging up (a crashed phone, a lost BYE). */
  #checkMedia(): void {
    const now = Date.now();
    for (const call of this.#byCallId.values()) {
      if (!call.confirmed || call.ended) continue;
      const packets = call.media.stats().reduce((sum, s) => sum + s.packetsReceived, 0);
      if (packets !== call.packetsSeen) {
        call.packetsSeen = packets;
        call.lastMediaAt = now;
      } else if (now - call.lastMediaAt >= this.#options.mediaTimeoutMs) {
        call.lastMediaAt = Infinity;
        const seconds = Math.round(this.#options.mediaTimeoutMs / 1000);
        this.#logger.warn(
          { callId: call.info.callId, silentForMs: this.#options.mediaTimeoutMs },
          'no RTP on any stream: hanging up',
        );
        for (const stream of call.info.streams) {
          this.#options.bus.publish(
            streamFailed(
              call.info,
              stream,
              `No RTP received for ${seconds} s`,
              this.#options.origin,
              new Date(),
            ),
          );
        }
        this.safeEmit('mediaTimeout', call.info);
      }
    }
  }

  getCall(callId: string): CallInfo | undefined {
    return this.#byCallId.get(callId)?.info;
  }

  /** The active call and stream a streamArn (from a STARTED event) names. */
  findStream(streamArn: string): { call: CallInfo; stream: CallStream } | undefined {
    for (const { info } of this.#byCallId.values()) {
      const stream = info.streams.find((s) => s.streamArn === streamArn);
      if (stream) return { call: info, stream };
    }
    return undefined;
  }

  /** Calls in progress, with their per-stream RTP counters. */
  activeCalls() {
    return [...this.#byCallId.values()].map((call) => ({
      ...call.info,
      confirmed: call.confirmed,
      rtp: call.media.stats(),
    }));
  }

  /** RTP counters of the streams of ended calls, so the totals only grow. */
  readonly #endedRtp = { received: 0, lost: 0 };

  get activeCount(): number {
    return this.#byCallId.size;
  }

  /** What it reports on /metrics: calls, and the RTP of their streams (those in progress and ended). */
  metrics(): AnyMetric[] {
    const active = () => [...this.#byCallId.values()].flatMap((call) => call.media.stats());
    const total = (read: (s: RtpStreamStats) => number, ended: () => number) => () =>
      ended() + active().reduce((sum, s) => sum + Math.max(0, read(s)), 0);
    return [
      gauge('callsight_calls_active', 'Calls this process holds.', () => this.activeCount),
      CALLS_TOTAL,
      counter(
        'callsight_rtp_packets_received_total',
        "RTP packets accepted on the calls' streams.",
        total(
          (s) => s.packetsReceived,
          () => this.#endedRtp.received,
        ),
      ),
      counter(
        'callsight_rtp_packets_lost_total',
        "RTP packets lost on the calls' streams (sequence gaps never filled).",
        total(
          (s) => s.packetsLost,
          () => this.#endedRtp.lost,
        ),
      ),
      gauge(
        'callsight_rtp_jitter_seconds',
        'Largest interarrival jitter (RFC 3550) of the streams in progress.',
        () => active().reduce((max, s) => Math.max(max, s.jitterMs / 1000), 0),
      ),
      gauge('callsight_rtp_streams', 'RTP streams in progress.', () => active().length),
    ];
  }

  #callStream(
    stream: NegotiatedStream,
    channel: number,
    isCaller: boolean,
    participantRole: ParticipantRole,
    transactionId: string,
    startedAt: Date,
  ): CallStream {
    const { origin, voiceConnectorId } = this.#options;
    return {
      mediaIndex: stream.mediaIndex,
      mediaLabel: stream.label,
      channel,
      isCaller,
      participantRole,
      streamArn: `arn:callsight:kinesisvideo:${origin.region}:${origin.account}:stream/CallsightVoiceConnector-${voiceConnectorId}-${transactionId}-${channel}/${startedAt.getTime()}`,
      startFragmentNumber: `${startedAt.getTime()}${String(channel).padStart(3, '0')}`,
    };
  }

  /** One receiver per stream; callStartMs is on the receivers' clock, taken when the INVITE arrived. */
  async #openReceivers(
    info: CallInfo,
    streams: readonly { stream: NegotiatedStream; channel: number }[],
  ): Promise<Map<number, RtpReceiver>> {
    const { rtpHost, ports, jitterBufferMs, logger } = this.#options;
    const callStartMs = performance.timeOrigin + performance.now() - (Date.now() - info.startedAt.getTime());
    const receivers = new Map<number, RtpReceiver>();
    try {
      for (const { stream, channel } of streams) {
        const receiver = await RtpReceiver.open({
          host: rtpHost,
          ports,
          channel,
          expectedRemote: remoteOf(stream),
          learnSource: !this.#options.strictRtpSource,
          payloadTypes: {
            audio: stream.payloadType,
            encoding: stream.encoding,
            telephoneEvent: stream.telephoneEvent,
          },
          srtp: stream.srtp?.remote ?? null,
          callStartMs,
          jitterDepthMs: jitterBufferMs,
          logger: logger.child({ callId: info.callId, channel }),
        });
        receiver.on('frame', (frame) => {
          const call = this.#byCallId.get(info.callId);
          this.safeEmit('frame', call?.info ?? info, frame);
        });
        receivers.set(channel, receiver);
      }
      return receivers;
    } catch (err) {
      await Promise.allSettled([...receivers.values()].map((r) => r.close()));
      if (err instanceof CallsightError && err.code === 'CS_ERR_NO_RTP_PORT') {
        logger.warn({ callId: info.callId }, 'no free RTP port: rejecting call');
        throw new SipRejection('CS_ERR_NO_RTP_PORT', 'Service Unavailable', {
          extraHeaders: { 'Retry-After': '5' },
          cause: err,
        });
      }
      throw err;
    }
  }

  /** Hangs nothing up (the SIP layer owns dialogs); waits for every call's media to finish. */
  async drain(): Promise<void> {
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.targets.close();
    while (this.#byCallId.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
