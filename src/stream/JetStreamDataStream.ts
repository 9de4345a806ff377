import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos, nuid } from '@nats-io/transport-node';
import { setTimeout as delay } from 'node:timers/promises';
import { CallsightError, InvalidStateError } from '../platform/errors.js';
import { silentLogger, type Logger } from '../platform/logger.js';
import { connectNats, type NatsConnection } from '../platform/nats/NatsConnection.js';
import { publishWithRetry, unavailable } from '../platform/nats/JetStreamPublish.js';
import { ensureStream } from '../platform/nats/JetStreamSetup.js';
import { serializeRecord } from './AppendCheck.js';
import { JetStreamSubscription, type JetStreamSubscriptionSource } from './JetStreamSubscription.js';
import { parseSequence } from './Sequence.js';
import { checkRead } from './StreamReads.js';
import type {
  AppendKey,
  DataStream,
  StoredRecord,
  StreamRetention,
  StreamSubscription,
} from './StreamTypes.js';
import { callToken, isValidPrefix, keyOfSubject, subjectFor } from './SubjectTokens.js';

export const DEFAULT_STREAM_NAME = 'CALLSIGHT_RECORDS';
export const DEFAULT_SUBJECT_PREFIX = 'callsight.records';

export interface JetStreamDataStreamOptions {
  /** A connection shared with the rest of the process (left open by close()). */
  readonly connection?: NatsConnection;
  /** Otherwise the stream connects (and closes) its own: see connectNats for the URL's form. */
  readonly url?: string;
  /** JetStream stream name. Default `CALLSIGHT_RECORDS`. */
  readonly streamName?: string;
  /** Subjects are `<prefix>.<type token>.<call token>` (SubjectTokens.ts). Default `callsight.records`. */
  readonly subjectPrefix?: string;
  readonly retention?: StreamRetention;
  /** Copies of the stream in a NATS cluster (1, 3 or 5; more than the cluster has fails). Default 1. */
  readonly replicas?: number;
  /** How long an append keeps retrying (same Nats-Msg-Id) while NATS is away. Default 30 000 ms. */
  readonly appendTimeoutMs?: number;
  /** How long one publish waits for its acknowledgement before it is retried. Default 5000 ms. */
  readonly ackTimeoutMs?: number;
  /** Records a subscriber pulls at a time (its bounded queue). Default 256. */
  readonly subscriptionQueueLimit?: number;
  readonly logger?: Logger;
}

/** The window in which JetStream drops a message whose Nats-Msg-Id it has already stored. */
const DUPLICATE_WINDOW_MS = 120_000;
/** Records one read() asks the server for at a time. */
const READ_BATCH = 1000;

/**
 * The data stream in NATS JetStream, for several Callsight processes on several machines: one stream
 * (file storage, limits retention), one subject per record type and call, and the stream's own
 * sequence as every record's `sequenceNumber`. Appends are publishes that resolve with JetStream's
 * acknowledgement, i.e. once the server has stored the message (and, with replicas, a majority has):
 * a record acknowledged to a process that is then killed is kept. Each append carries a Nats-Msg-Id,
 * so a publish retried after a lost acknowledgement is stored once.
 *
 * Order: records appended by one process are stored in the order append() was called (publishes go
 * out in order on one connection), except that a publish retried after a timeout lands after the ones
 * sent meanwhile. Records of different processes interleave in the order the server receives them.
 */
export class JetStreamDataStream implements DataStream {
  readonly #nc: NatsConnection;
  readonly #ownsConnection: boolean;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #streamName: string;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #appendTimeoutMs: number;
  readonly #ackTimeoutMs: number;
  readonly #queueLimit: number;
  readonly #msgIdPrefix = nuid.next();
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #subscriptions = new Set<JetStreamSubscription>();
  readonly #source: JetStreamSubscriptionSource;
  #msgCounter = 0;
  #readCounter = 0;
  #lastSequence: number;
  #tracker: ConsumerMessages | null = null;
  #closePromise: Promise<void> | undefined;

  static async open(options: JetStreamDataStreamOptions): Promise<JetStreamDataStream> {
    const logger = (options.logger ?? silentLogger).child({ component: 'stream' });
    const streamName = options.streamName ?? DEFAULT_STREAM_NAME;
    const prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(streamName))
      throw new CallsightError(
        'CS_ERR_CONFIG_INVALID',
        `nats.streamName must be letters, digits, - and _ only, got ${JSON.stringify(streamName)}`,
      );
    if (!isValidPrefix(prefix))
      throw new CallsightError(
        'CS_ERR_CONFIG_INVALID',
        `nats.subjectPrefix must be dot-separated letters, digits, - and _, got ${JSON.stringify(prefix)}`,
      );
    let nc = options.connection;
    const owns = nc === undefined;
    if (!nc) {
      if (!options.url) throw new TypeError('JetStreamDataStream needs a connection or a url');
      nc = await connectNats({ url: options.url, name: 'callsight-stream', logger: options.logger });
    }
    try {
      const jsm = await jetstreamManager(nc);
      const config = streamConfig(streamName, prefix, options.retention ?? {}, options.replicas ?? 1);
      const lastSequence = await ensureStream(jsm, config, logger);
      const stream = new JetStreamDataStream(options, nc, owns, jsm, lastSequence, logger);
      await stream.#startTracker();
      logger.info(
        { stream: streamName, subjects: config.subjects, lastSequence },
        'data stream opened (JetStream)',
      );
      return stream;
    } catch (err) {
      if (owns) await nc.close().catch(() => undefined);
      if (err instanceof CallsightError) throw err;
      throw unavailable(`cannot open JetStream stream ${streamName}`, err);
    }
  }

  private constructor(
    options: JetStreamDataStreamOptions,
    nc: NatsConnection,
    owns: boolean,
    jsm: JetStreamManager,
    lastSequence: number,
    logger: Logger,
  ) {
    this.#nc = nc;
    this.#ownsConnection = owns;
    this.#jsm = jsm;
    this.#js = jetstream(nc);
    this.#streamName = options.streamName ?? DEFAULT_STREAM_NAME;
    this.#prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    this.#logger = logger;
    this.#appendTimeoutMs = options.appendTimeoutMs ?? 30_000;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 5000;
    this.#queueLimit = options.subscriptionQueueLimit ?? 256;
    this.#lastSequence = lastSequence;
    this.#source = {
      js: this.#js,
      streamName: this.#streamName,
      toStored: (message) => this.#toStored(message),
      detach: (subscription) => this.#subscriptions.delete(subscription),
    };
  }

  get closed(): boolean {
    return this.#closePromise !== undefined;
  }

  get streamName(): string {
    return this.#streamName;
  }

  async append(record: object, key: AppendKey): Promise<string> {
    if (this.closed) throw new InvalidStateError('data stream');
    const json = serializeRecord(record, key);
    const subject = subjectFor(this.#prefix, key);
    const msgID = key.msgId ?? `${this.#msgIdPrefix}-${++this.#msgCounter}`;
    const done = this.#publish(subject, Buffer.from(json, 'utf8'), msgID);
    this.#inflight.add(done);
    void done.then(
      () => this.#inflight.delete(done),
      () => this.#inflight.delete(done),
    );
    const seq = await done;
    if (seq > this.#lastSequence) this.#lastSequence = seq;
    return String(seq);
  }

  async read(after: string, limit: number): Promise<StoredRecord[]> {
    if (this.closed) throw new InvalidStateError('data stream');
    const from = checkRead(after, limit);
    if (limit === 0) return [];
    return this.#readWith({ deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from + 1 }, limit);
  }

  /**
   * The records of a call appended since `since`, oldest first, at most `limit`: what a worker taking
   * a pipeline over reads to learn where the previous worker's results stopped. (One subject filter
   * with a wildcard for the type: several filters need nats-server 2.10.)
   */
  async recentOfCall(callId: string, since: Date, limit: number): Promise<StoredRecord[]> {
    if (this.closed) throw new InvalidStateError('data stream');
    if (limit <= 0) return [];
    return this.#readWith(
      {
        deliver_policy: DeliverPolicy.StartTime,
        opt_start_time: since.toISOString(),
        filter_subject: `${this.#prefix}.*.${callToken(callId)}`,
      },
      limit,
    );
  }

  async #readWith(
    start: Pick<
      Partial<ConsumerConfig>,
      'deliver_policy' | 'opt_start_seq' | 'opt_start_time' | 'filter_subject'
    >,
    limit: number,
  ): Promise<StoredRecord[]> {
    // A throwaway consumer in server memory: its creation tells how many records there are to read.
    const name = `${this.#msgIdPrefix}_r${++this.#readCounter}`;
    let info;
    try {
      info = await this.#jsm.consumers.add(this.#streamName, {
        name,
        ...start,
        ack_policy: AckPolicy.None,
        mem_storage: true,
        num_replicas: 1,
        inactive_threshold: nanos(10_000),
      });
    } catch (err) {
      throw unavailable('cannot read the stream', err);
    }
    const out: StoredRecord[] = [];
    try {
      const consumer = this.#js.consumers.getConsumerFromInfo(info);
      let remaining = Math.min(limit, info.num_pending);
      while (remaining > 0) {
        const batch = Math.min(remaining, READ_BATCH);
        const messages = await consumer.fetch({ max_messages: batch, expires: 2000 });
        let received = 0;
        let atEnd = false;
        for await (const message of messages) {
          received++;
          const record = this.#toStored(message);
          if (record) out.push(record);
          if (message.info.pending === 0) {
            atEnd = true;
            break;
          }
          if (received === batch) break;
        }
        remaining -= received;
        if (atEnd || received === 0) break;
      }
    } catch (err) {
      throw unavailable('cannot read the stream', err);
    } finally {
      this.#jsm.consumers.delete(this.#streamName, name).catch(() => undefined);
    }
    return out;
  }

  subscribe(after: string): StreamSubscription {
    if (this.closed) throw new InvalidStateError('data stream');
    const subscription = new JetStreamSubscription(this.#source, parseSequence(after), this.#queueLimit);
    this.#subscriptions.add(subscription);
    return subscription;
  }

  /**
   * The newest sequence number this process knows of: its own acknowledged appends, and every record
   * any process appends, as reported by a headers-only ordered consumer (a few dozen bytes per record,
   * no payload), so it is current within a network round trip.
   */
  lastSequence(): string {
    if (this.closed) throw new InvalidStateError('data stream');
    return String(this.#lastSequence);
  }

  async eraseCall(callId: string): Promise<number> {
    if (this.closed) throw new InvalidStateError('data stream');
    await this.settled();
    const { purged } = await this.#jsm.streams.purge(this.#streamName, {
      filter: `${this.#prefix}.*.${callToken(callId)}`,
    });
    this.#logger.info({ callId, erased: purged }, 'call erased from the data stream');
    return purged;
  }

  /** The stream's state from the server (messages, bytes, first and last sequence). */
  async info(): Promise<{ messages: number; bytes: number; firstSequence: number; lastSequence: number }> {
    if (this.closed) throw new InvalidStateError('data stream');
    const { state } = await this.#jsm.streams.info(this.#streamName);
    if (state.last_seq > this.#lastSequence) this.#lastSequence = state.last_seq;
    return {
      messages: state.messages,
      bytes: state.bytes,
      firstSequence: state.first_seq,
      lastSequence: state.last_seq,
    };
  }

  /** Resolves once every append made so far is acknowledged (or failed). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#inflight]);
  }

  /** Waits for appends in flight, ends every subscription, then closes the connection if it is ours. */
  close(): Promise<void> {
    this.#closePromise ??= (async () => {
      await this.settled();
      const subscriptions = [...this.#subscriptions];
      for (const subscription of subscriptions) subscription.close();
      this.#tracker?.stop();
      await Promise.race([Promise.all(subscriptions.map((s) => s.stopped())), delay(2000)]);
      if (this.#ownsConnection) await this.#nc.drain().catch(() => this.#nc.close());
      this.#logger.info({ lastSequence: this.#lastSequence }, 'data stream closed');
    })();
    return this.#closePromise;
  }

  #toStored(message: JsMsg): StoredRecord | null {
    const seq = message.seq;
    if (seq > this.#lastSequence) this.#lastSequence = seq;
    const key = keyOfSubject(this.#prefix, message.subject);
    const json = message.string();
    if (!key || !json.startsWith('{')) {
      this.#logger.warn(
        { subject: message.subject, seq },
        'skipped a message that is not a Callsight record',
      );
      return null;
    }
    return {
      sequenceNumber: String(seq),
      json,
      type: key.type,
      callId: key.callId,
      appendedAt: Number(message.timestampNanos / 1_000_000n),
    };
  }

  async #publish(subject: string, payload: Uint8Array, msgID: string): Promise<number> {
    const ack = await publishWithRetry(this.#js, subject, payload, msgID, {
      what: `append to ${this.#streamName}`,
      timeoutMs: this.#appendTimeoutMs,
      ackTimeoutMs: this.#ackTimeoutMs,
      connection: this.#nc,
      logger: this.#logger,
    });
    return ack.seq;
  }

  async #startTracker(): Promise<void> {
    const consumer = await this.#js.consumers.get(this.#streamName, {
      opt_start_seq: this.#lastSequence + 1,
      headers_only: true,
      inactive_threshold: 30_000,
    });
    this.#tracker = await consumer.consume({
      max_messages: 1000,
      callback: (message) => {
        if (message.seq > this.#lastSequence) this.#lastSequence = message.seq;
      },
    });
    void this.#tracker.closed().then(() => consumer.delete().catch(() => undefined));
  }
}

/** The stream's JetStream configuration for these options (limits retention, file storage). */
export function streamConfig(
  name: string,
  prefix: string,
  retention: StreamRetention,
  replicas: number,
): Partial<StreamConfig> & { name: string } {
  const maxAgeMs = retention.maxAgeMs ?? 0;
  return {
    name,
    description: 'Callsight data stream: every record, subject <prefix>.<type>.<callId>',
    subjects: [`${prefix}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(maxAgeMs),
    max_msgs: retention.maxRecords ?? -1,
    max_bytes: retention.maxBytes ?? -1,
    num_replicas: replicas,
    // JetStream refuses a duplicate window longer than the age limit.
    duplicate_window: nanos(maxAgeMs > 0 ? Math.min(DUPLICATE_WINDOW_MS, maxAgeMs) : DUPLICATE_WINDOW_MS),
  };
}
