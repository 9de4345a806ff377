import { randomUUID } from 'node:crypto';
import { CallsightError } from '../errors.js';
import type { EventBus } from '../events/EventBus.js';
import type { EventOrigin } from '../events/EventEnvelope.js';
import type { Logger } from '../log/logger.js';
import type { PcmFrame } from '../media/MediaTypes.js';
import type { PortAllocator } from '../media/rtp/PortAllocator.js';
import { RtpReceiver } from '../media/RtpReceiver.js';
import {
  SipRejection,
  type CallEndReason,
  type CallHandler,
  type IncomingInvite,
} from '../sip/CallHandlerTypes.js';
import { TypedEmitter } from '../util/TypedEmitter.js';
import type { CallInfo, CallStream } from './CallTypes.js';
import { allStarted, streamEnded, streamStarted } from './StreamingStatus.js';
import { answerFor, negotiate, type NegotiatedStream } from './MediaNegotiation.js';

export interface VoiceConnectorOptions {
  readonly voiceConnectorId: string;
  readonly origin: EventOrigin;
  readonly advertisedAddress: string;
  readonly rtpHost: string;
  readonly ports: PortAllocator;
  readonly jitterBufferMs: number;
  /** A confirmed call with no RTP on any stream for this long is reported as 'mediaTimeout' (0: never). */
  readonly mediaTimeoutMs: number;
  readonly bus: EventBus;
  readonly logger: Logger;
}

export interface VoiceConnectorEvents {
  [event: string]: unknown[];
  /** Decoded audio of one of the call's streams. */
  frame: [call: CallInfo, frame: PcmFrame];
  /** Every stream of the call has ended and its last frame has been emitted. */
  mediaEnded: [call: CallInfo];
  /** No RTP arrived on any of the call's streams for mediaTimeoutMs: the SIP layer should hang up. */
  mediaTimeout: [call: CallInfo];
}

interface ActiveCall {
  readonly info: CallInfo;
  readonly receivers: RtpReceiver[];
  readonly startTimes: Map<CallStream, Date>;
  confirmed: boolean;
  ended: boolean;
  /** Packets received on all streams at the last watchdog check, and when that count last moved. */
  packetsSeen: number;
  lastMediaAt: number;
}

/** How often the media watchdog looks at the calls. */
const WATCHDOG_INTERVAL_MS = 1000;

/** Media types Chime's Voice Connector streams, and the most streams one call may have. */
const MAX_STREAMS = 2;

/**
 * The Voice Connector counterpart: turns accepted INVITEs into calls with one RTP receiver per audio
 * stream, and publishes the "Chime VoiceConnector Streaming Status" events of each call.
 */
export class VoiceConnector extends TypedEmitter<VoiceConnectorEvents> implements CallHandler {
  readonly #options: VoiceConnectorOptions;
  readonly #bySipCallId = new Map<string, ActiveCall>();
  readonly #byCallId = new Map<string, ActiveCall>();
  /** INVITEs cancelled while their receivers were still opening. */
  readonly #cancelled = new Set<string>();
  readonly #watchdog: NodeJS.Timeout | null;

  constructor(options: VoiceConnectorOptions) {
    super(options.logger);
    this.#options = options;
    this.#watchdog =
      options.mediaTimeoutMs > 0 ? setInterval(() => this.#checkMedia(), WATCHDOG_INTERVAL_MS).unref() : null;
  }

  /** Reports calls whose peer stopped sending RTP without hanging up (a crashed phone, a lost BYE). */
  #checkMedia(): void {
    const now = Date.now();
    for (const call of this.#byCallId.values()) {
      if (!call.confirmed || call.ended) continue;
      const packets = call.receivers.reduce((sum, r) => sum + r.stats().packetsReceived, 0);
      if (packets !== call.packetsSeen) {
        call.packetsSeen = packets;
        call.lastMediaAt = now;
      } else if (now - call.lastMediaAt >= this.#options.mediaTimeoutMs) {
        call.lastMediaAt = Infinity;
        this.#options.logger.warn(
          { callId: call.info.callId, silentForMs: this.#options.mediaTimeoutMs },
          'no RTP on any stream: hanging up',
        );
        this.safeEmit('mediaTimeout', call.info);
      }
    }
  }

  async offer(invite: IncomingInvite): Promise<{ sdp: string }> {
    const { logger } = this.#options;
    const negotiated = negotiate(invite, MAX_STREAMS);
    const callId = randomUUID();
    const transactionId = randomUUID();
    const startedAt = new Date();
    const callStartMs = performance.timeOrigin + performance.now();
    const streams = negotiated.accepted.map((stream, channel) =>
      this.#callStream(stream, channel, transactionId, startedAt),
    );
    const info: CallInfo = {
      callId,
      transactionId,
      sipCallId: invite.sipCallId,
      voiceConnectorId: this.#options.voiceConnectorId,
      direction: 'Inbound',
      fromNumber: invite.fromNumber,
      toNumber: invite.toNumber,
      inviteHeaders: invite.headers,
      streams,
      startedAt,
    };
    const receivers = await this.#openReceivers(info, negotiated.accepted, callStartMs);
    if (this.#cancelled.delete(invite.sipCallId)) {
      await Promise.all(receivers.map((r) => r.close()));
      throw new SipRejection(487, 'Request Terminated');
    }
    const call: ActiveCall = {
      info,
      receivers,
      startTimes: new Map(),
      confirmed: false,
      ended: false,
      packetsSeen: 0,
      lastMediaAt: Date.now(),
    };
    this.#bySipCallId.set(invite.sipCallId, call);
    this.#byCallId.set(callId, call);
    logger.info(
      {
        callId,
        sipCallId: invite.sipCallId,
        from: info.fromNumber,
        to: info.toNumber,
        streams: streams.length,
      },
      'call accepted',
    );
    return {
      sdp: answerFor(
        negotiated,
        this.#options.advertisedAddress,
        receivers.map((r) => r.localPort),
      ),
    };
  }

  confirmed(sipCallId: string): void {
    const call = this.#bySipCallId.get(sipCallId);
    if (!call || call.confirmed) return;
    call.confirmed = true;
    call.lastMediaAt = Date.now();
    const { bus, origin } = this.#options;
    const at = new Date();
    for (const stream of call.info.streams) {
      call.startTimes.set(stream, at);
      bus.publish(streamStarted(call.info, stream, origin, at));
    }
    bus.publish(allStarted(call.info, call.startTimes, origin, at));
  }

  ended(sipCallId: string, reason: CallEndReason): void {
    const call = this.#bySipCallId.get(sipCallId);
    if (!call) {
      if (reason === 'cancelled') this.#cancelled.add(sipCallId);
      return;
    }
    if (call.ended) return;
    call.ended = true;
    void this.#finish(call, reason);
  }

  async #finish(call: ActiveCall, reason: CallEndReason): Promise<void> {
    const { bus, origin, logger } = this.#options;
    await Promise.allSettled(call.receivers.map((r) => r.close()));
    this.#bySipCallId.delete(call.info.sipCallId);
    this.#byCallId.delete(call.info.callId);
    if (call.confirmed) {
      const at = new Date();
      for (const stream of call.info.streams) {
        bus.publish(
          streamEnded(call.info, stream, call.startTimes.get(stream) ?? call.info.startedAt, origin, at),
        );
      }
    }
    this.safeEmit('mediaEnded', call.info);
    logger.info(
      { callId: call.info.callId, reason, rtp: call.receivers.map((r) => r.stats()) },
      'call ended',
    );
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
      rtp: call.receivers.map((r) => r.stats()),
    }));
  }

  get activeCount(): number {
    return this.#byCallId.size;
  }

  #callStream(stream: NegotiatedStream, channel: number, transactionId: string, startedAt: Date): CallStream {
    const { origin, voiceConnectorId } = this.#options;
    return {
      mediaIndex: stream.mediaIndex,
      mediaLabel: stream.label,
      channel,
      // The first stream carries the caller's voice (for SIPREC, the metadata decides: see issue 3).
      isCaller: channel === 0,
      streamArn: `arn:callsight:kinesisvideo:${origin.region}:${origin.account}:stream/CallsightVoiceConnector-${voiceConnectorId}-${transactionId}-${channel}/${startedAt.getTime()}`,
      startFragmentNumber: `${startedAt.getTime()}${String(channel).padStart(3, '0')}`,
    };
  }

  /** callStartMs is on the receivers' clock (performance.timeOrigin-based), taken when the INVITE arrived. */
  async #openReceivers(info: CallInfo, accepted: readonly NegotiatedStream[], callStartMs: number): Promise<RtpReceiver[]> {
    const { rtpHost, ports, jitterBufferMs, logger } = this.#options;
    const receivers: RtpReceiver[] = [];
    try {
      for (const [channel, stream] of accepted.entries()) {
        const receiver = await RtpReceiver.open({
          host: rtpHost,
          ports,
          channel,
          expectedRemote: stream.remoteAddress === null ? null : { address: stream.remoteAddress },
          payloadTypes: {
            audio: stream.payloadType,
            encoding: stream.encoding,
            telephoneEvent: stream.telephoneEvent,
          },
          callStartMs,
          jitterDepthMs: jitterBufferMs,
          logger: logger.child({ callId: info.callId, channel }),
        });
        receiver.on('frame', (frame) => this.safeEmit('frame', info, frame));
        receivers.push(receiver);
      }
      return receivers;
    } catch (err) {
      await Promise.allSettled(receivers.map((r) => r.close()));
      if (err instanceof CallsightError && err.code === 'CS_ERR_NO_RTP_PORT') {
        logger.warn({ callId: info.callId }, 'no free RTP port: rejecting call');
        throw new SipRejection(503, 'Service Unavailable', { 'Retry-After': '5' });
      }
      throw err;
    }
  }

  /** Hangs nothing up (the SIP layer owns dialogs); waits for every call's media to finish. */
  async drain(): Promise<void> {
    if (this.#watchdog) clearInterval(this.#watchdog);
    while (this.#byCallId.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
