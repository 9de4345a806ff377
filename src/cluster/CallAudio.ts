import type { Subscription } from '@nats-io/transport-node';
import type { CallInfo, CallStream } from '../connector/CallTypes.js';
import type { Logger } from '../platform/logger.js';
import { counter, type ScrapedMetric } from '../platform/metrics.js';
import type { PcmFrame } from '../media/MediaTypes.js';
import type { NatsConnection } from '../platform/nats/NatsConnection.js';
import { decodeToken } from '../stream/SubjectTokens.js';
import {
  AudioReplayBuffer,
  decodeReplay,
  encodeReplay,
  encodeReplayRequest,
  parseReplayRequest,
  type ReplayFrom,
} from './AudioReplay.js';
import { CallAudioDecoder, NarrowbandEncoder, decodeAudioMessage, encodeStreamAdded } from './AudioWire.js';
import type { ClusterSubjects } from './ClusterSubjects.js';

/**
 * A call's audio between the sip process and the worker running its pipelines, on core NATS: real
 * time, not persisted (a worker that is not subscribed misses it, as a pipeline started late misses
 * the audio before it started), except that the sip process keeps the last few seconds of each call
 * for a worker taking a pipeline over (AudioReplay.ts). The frame format is AudioWire.ts.
 */

/** Room left in a replay reply for NATS's own framing, under the server's max_payload. */
const REPLY_HEADROOM_BYTES = 4096;
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** The sip side: publishes each call's frames and its added streams; ended() publishes the call's end. */
export class CallAudioPublisher {
  readonly #nc: NatsConnection;
  readonly #subjects: ClusterSubjects;
  readonly #encoders = new Map<string, Map<number, NarrowbandEncoder>>();
  readonly #replay: AudioReplayBuffer;
  framesSent = 0;
  bytesSent = 0;
  replaysServed = 0;

  /** `replayMs`: how much of each call's most recent audio is kept for replays (0: none). */
  constructor(nc: NatsConnection, subjects: ClusterSubjects, replayMs = 0) {
    this.#nc = nc;
    this.#subjects = subjects;
    this.#replay = new AudioReplayBuffer(replayMs);
  }

  /** What it reports on /metrics. */
  metrics(): ScrapedMetric[] {
    return [
      counter(
        'callsight_audio_frames_sent_total',
        'Audio frames published to the workers.',
        () => this.framesSent,
      ),
      counter('callsight_audio_bytes_sent_total', 'Bytes of audio frames published.', () => this.bytesSent),
    ];
  }

  /** Answers replay requests for the calls this process holds; the others are left to their own. */
  serveReplays(logger: Logger): { close(): void } {
    const maxBytes = (this.#nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD) - REPLY_HEADROOM_BYTES;
    const subscription = this.#nc.subscribe(this.#subjects.anyAudioReplay, {
      callback: (err, msg) => {
        if (err) return;
        const callId = decodeToken(msg.subject.split('.').at(-2) ?? '');
        if (callId === null || !this.#replay.has(callId)) return;
        const from = parseReplayRequest(msg.data);
        if (!from) {
          logger.warn({ callId }, 'dropped a malformed audio replay request');
          return;
        }
        const messages = this.#replay.since(callId, from, maxBytes);
        this.replaysServed++;
        logger.info({ callId, frames: messages.length }, 'audio replayed for a worker taking a call over');
        msg.respond(encodeReplay(messages));
      },
    });
    return { close: () => subscription.unsubscribe() };
  }

  frame(call: CallInfo, frame: PcmFrame): void {
    let channels = this.#encoders.get(call.callId);
    if (!channels) this.#encoders.set(call.callId, (channels = new Map<number, NarrowbandEncoder>()));
    let encoder = channels.get(frame.channel);
    if (!encoder) channels.set(frame.channel, (encoder = new NarrowbandEncoder()));
    const data = encoder.encode(frame);
    this.framesSent++;
    this.bytesSent += data.length;
    this.#nc.publish(this.#subjects.audio(call.callId), data);
    this.#replay.add(call.callId, frame.channel, frame.offsetMs, data);
  }

  streamAdded(call: CallInfo, stream: CallStream): void {
    this.#nc.publish(this.#subjects.audio(call.callId), encodeStreamAdded(stream));
  }

  /** The call's media ended (after its last frame): tell whoever runs its pipelines. */
  ended(callId: string): void {
    this.#encoders.delete(callId);
    this.#replay.delete(callId);
    this.#nc.publish(this.#subjects.callEnded(callId));
  }
}

export interface CallAudioHandlers {
  frame(frame: PcmFrame): void;
  streamAdded(stream: CallStream): void;
  ended(): void;
}

/** The worker side: one subscription per call to its audio and its end. */
export class CallAudioFeed {
  readonly #nc: NatsConnection;
  readonly #subjects: ClusterSubjects;
  readonly #logger: Logger;

  constructor(nc: NatsConnection, subjects: ClusterSubjects, logger: Logger) {
    this.#nc = nc;
    this.#subjects = subjects;
    this.#logger = logger;
  }

  /**
   * The call's recent audio from the sip process holding it, from `from` on (per channel), decoded;
   * empty when no sip process has it (the window passed, or the call is over).
   */
  async replay(callId: string, from: ReplayFrom, timeoutMs: number): Promise<PcmFrame[]> {
    let data: Uint8Array;
    try {
      data = (
        await this.#nc.request(this.#subjects.audioReplay(callId), encodeReplayRequest(from), {
          timeout: timeoutMs,
        })
      ).data;
    } catch {
      return [];
    }
    const messages = decodeReplay(data);
    if (!messages) {
      this.#logger.warn({ callId, bytes: data.length }, 'dropped a malformed audio replay');
      return [];
    }
    const decoder = new CallAudioDecoder();
    const frames: PcmFrame[] = [];
    for (const bytes of messages) {
      const message = decodeAudioMessage(bytes);
      if (message?.kind !== 'frame') continue;
      const frame = decoder.decode(message);
      if (frame) frames.push(frame);
    }
    return frames;
  }

  /**
   * Subscribes to the call's audio and end. Both arrive through callbacks on one connection from
   * one publisher, so the end comes after the last frame. Resolves once the server has the
   * subscriptions (so an end published after that is not missed).
   */
  async subscribe(callId: string, handlers: CallAudioHandlers): Promise<{ close(): void }> {
    const decoder = new CallAudioDecoder();
    const subscriptions: Subscription[] = [
      this.#nc.subscribe(this.#subjects.audio(callId), {
        callback: (err, msg) => {
          if (err) return;
          const message = decodeAudioMessage(msg.data);
          if (!message) {
            this.#logger.warn({ callId, bytes: msg.data.length }, 'dropped a malformed audio message');
            return;
          }
          if (message.kind === 'streamAdded') return handlers.streamAdded(message.stream);
          const frame = decoder.decode(message);
          if (frame) handlers.frame(frame);
        },
      }),
      this.#nc.subscribe(this.#subjects.callEnded(callId), {
        callback: (err) => {
          if (!err) handlers.ended();
        },
      }),
    ];
    await this.#nc.flush();
    return {
      close: () => {
        for (const subscription of subscriptions) subscription.unsubscribe();
      },
    };
  }
}
