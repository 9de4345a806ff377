import type { Subscription } from '@nats-io/transport-node';
import type { CallInfo, CallStream } from '../connector/CallTypes.js';
import type { Logger } from '../log/logger.js';
import type { PcmFrame } from '../media/MediaTypes.js';
import type { NatsConnection } from '../nats/NatsConnection.js';
import { NarrowbandDecoder, NarrowbandEncoder, decodeAudioMessage, encodeStreamAdded } from './AudioWire.js';
import type { ClusterSubjects } from './ClusterSubjects.js';

/**
 * A call's audio between the sip process and the worker running its pipelines, on core NATS: real
 * time, not persisted (a worker that is not subscribed misses it, as a pipeline started late misses
 * the audio before it started). The frame format is AudioWire.ts.
 */

/** The sip side: publishes each call's frames and its added streams; ended() publishes the call's end. */
export class CallAudioPublisher {
  readonly #nc: NatsConnection;
  readonly #subjects: ClusterSubjects;
  readonly #encoders = new Map<string, Map<number, NarrowbandEncoder>>();
  framesSent = 0;
  bytesSent = 0;

  constructor(nc: NatsConnection, subjects: ClusterSubjects) {
    this.#nc = nc;
    this.#subjects = subjects;
  }

  frame(call: CallInfo, frame: PcmFrame): void {
    let channels = this.#encoders.get(call.callId);
    if (!channels) this.#encoders.set(call.callId, (channels = new Map()));
    let encoder = channels.get(frame.channel);
    if (!encoder) channels.set(frame.channel, (encoder = new NarrowbandEncoder()));
    const data = encoder.encode(frame);
    this.framesSent++;
    this.bytesSent += data.length;
    this.#nc.publish(this.#subjects.audio(call.callId), data);
  }

  streamAdded(call: CallInfo, stream: CallStream): void {
    this.#nc.publish(this.#subjects.audio(call.callId), encodeStreamAdded(stream));
  }

  /** The call's media ended (after its last frame): tell whoever runs its pipelines. */
  ended(callId: string): void {
    this.#encoders.delete(callId);
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
   * Subscribes to the call's audio and end. Both arrive through callbacks on one connection from
   * one publisher, so the end comes after the last frame. Resolves once the server has the
   * subscriptions (so an end published after that is not missed).
   */
  async subscribe(callId: string, handlers: CallAudioHandlers): Promise<{ close(): void }> {
    const decoders = new Map<number, NarrowbandDecoder>();
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
          let decoder = decoders.get(message.frame.channel);
          if (!decoder) decoders.set(message.frame.channel, (decoder = new NarrowbandDecoder()));
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
