import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { CallsightError, errorMessage } from '../platform/errors.js';
import { subscriptionIterator } from './StreamReads.js';
import type { StoredRecord, StreamSubscription } from './StreamTypes.js';

/** What a subscription needs from its stream. */
export interface JetStreamSubscriptionSource {
  readonly js: JetStreamClient;
  readonly streamName: string;
  /** The stream's record for a message, or null for a message that is not a Callsight record. */
  toStored(message: JsMsg): StoredRecord | null;
  detach(subscription: JetStreamSubscription): void;
}

/** How long a consumer whose process died lingers on the server. */
const INACTIVE_THRESHOLD_MS = 30_000;

/**
 * One reader of the JetStream data stream: an ordered consumer (ephemeral, in server memory, no acks)
 * starting at sequence `after + 1`. JetStream itself delivers the stored records and then the live
 * ones from one cursor, so the switch has no gap and no duplicate; the client library checks every
 * delivery sequence and, after a gap or a reconnect, recreates the consumer from the last stream
 * sequence it delivered. Records are pulled `batch` at a time as the iterator asks for them, so a slow
 * consumer holds at most one batch in memory and simply falls behind on the server.
 */
export class JetStreamSubscription implements StreamSubscription {
  readonly #source: JetStreamSubscriptionSource;
  readonly #after: number;
  readonly #batch: number;
  #messages: ConsumerMessages | null = null;
  #iterator: AsyncIterator<JsMsg> | null = null;
  #starting: Promise<void> | null = null;
  #deleteConsumer: (() => Promise<unknown>) | null = null;
  #stopped: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(source: JetStreamSubscriptionSource, after: number, batch: number) {
    this.#source = source;
    this.#after = after;
    this.#batch = Math.max(1, batch);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves once the server-side consumer is gone (or could not be removed). */
  stopped(): Promise<void> {
    return this.#stopped;
  }

  async next(): Promise<IteratorResult<StoredRecord, undefined>> {
    for (;;) {
      if (this.#closed) return { done: true, value: undefined };
      this.#starting ??= this.#start();
      await this.#starting;
      if (this.#closed || !this.#iterator) return { done: true, value: undefined };
      let result: IteratorResult<JsMsg>;
      try {
        result = await this.#iterator.next();
      } catch (cause) {
        if (this.#closed) return { done: true, value: undefined };
        throw new CallsightError(
          'CS_ERR_STREAM_UNAVAILABLE',
          `stream subscription failed: ${errorMessage(cause)}`,
          {
            cause,
          },
        );
      }
      if (result.done || this.#closed) {
        if (!this.#closed) {
          this.close();
          throw new CallsightError(
            'CS_ERR_STREAM_UNAVAILABLE',
            'stream subscription ended: the NATS connection closed',
          );
        }
        return { done: true, value: undefined };
      }
      const record = this.#source.toStored(result.value);
      if (record) return { done: false, value: record };
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#source.detach(this);
    const messages = this.#messages;
    const remove = this.#deleteConsumer;
    this.#stopped = (async () => {
      await this.#starting?.catch(() => undefined);
      // Started after close() was called: stop what #start made.
      const started = this.#messages ?? messages;
      started?.stop();
      await (this.#deleteConsumer ?? remove)?.().catch(() => undefined);
    })();
  }

  [Symbol.asyncIterator](): AsyncIterator<StoredRecord, undefined> {
    return subscriptionIterator(this);
  }

  async #start(): Promise<void> {
    const { js, streamName } = this.#source;
    try {
      const consumer = await js.consumers.get(streamName, {
        opt_start_seq: this.#after + 1,
        inactive_threshold: INACTIVE_THRESHOLD_MS,
      });
      // The library names the consumer anew after each reset; delete() removes the current one.
      this.#deleteConsumer = () => consumer.delete();
      const messages = await consumer.consume({ max_messages: this.#batch });
      this.#messages = messages;
      this.#iterator = messages[Symbol.asyncIterator]();
      if (this.#closed) messages.stop();
    } catch (cause) {
      this.#closed = true;
      this.#source.detach(this);
      throw new CallsightError(
        'CS_ERR_STREAM_UNAVAILABLE',
        `cannot subscribe to the stream: ${errorMessage(cause)}`,
        {
          cause,
        },
      );
    }
  }
}
