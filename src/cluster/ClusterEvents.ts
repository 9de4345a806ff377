import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { setTimeout as delay } from 'node:timers/promises';
import type { CallInfo } from '../connector/CallTypes.js';
import { CallsightError } from '../platform/errors.js';
import type { EventBus } from '../events/EventBus.js';
import type { EventEnvelope } from '../events/EventEnvelope.js';
import type { Logger } from '../platform/logger.js';
import { counter, type ScrapedMetric } from '../platform/metrics.js';
import { publishWithRetry } from '../platform/nats/JetStreamPublish.js';
import type { NatsConnection } from '../platform/nats/NatsConnection.js';
import { callInfoJson } from '../calls/CallDirectoryRows.js';
import type { CallInfoJson } from '../calls/CallDirectoryTypes.js';
import { RULES_CONSUMER, pullExpiresMs } from './ClusterStreams.js';
import type { ClusterSubjects } from './ClusterSubjects.js';

/**
 * The event bus across processes: every event (the Voice Connector's, the pipelines') is published to
 * the JetStream stream `<NS>_EVENTS`, and the workers' rules engines take them from one durable
 * consumer, each event to one worker, in order. A message is `{ event, call }`: the EventBridge
 * envelope as it goes to the data stream, and the call it is about as the sip process knew it (so a
 * startPipeline target needs no lookup), or null.
 */
interface EventMessage {
  readonly event: EventEnvelope;
  readonly call: CallInfoJson | null;
}

/** How long a publish keeps retrying while NATS is away (as the data stream's appends). */
const PUBLISH_TIMEOUT_MS = 30_000;
const ACK_TIMEOUT_MS = 5000;
/** Delay before an event whose targets failed for want of NATS or PostgreSQL is tried again… */
const RETRY_DELAY_MS = 1000;
/** …up to this many times (about half a minute); events after it wait meanwhile, to keep their order. */
const MAX_ATTEMPTS = 30;

export function callInfoFromJson(info: CallInfoJson): CallInfo {
  return { ...info, startedAt: new Date(info.startedAt) };
}

/** Publishes events to `<NS>_EVENTS`, each with its id as Nats-Msg-Id (a retried publish is stored once). */
export class ClusterEventPublisher {
  readonly #js: JetStreamClient;
  readonly #nc: NatsConnection;
  readonly #subjects: ClusterSubjects;
  readonly #logger: Logger;
  readonly #inflight = new Set<Promise<unknown>>();
  published = 0;

  constructor(options: {
    js: JetStreamClient;
    nc: NatsConnection;
    subjects: ClusterSubjects;
    logger: Logger;
  }) {
    this.#js = options.js;
    this.#nc = options.nc;
    this.#subjects = options.subjects;
    this.#logger = options.logger;
  }

  /** In the order called (one connection); failures are logged, never thrown. */
  publish(event: EventEnvelope, call: CallInfo | null = null): void {
    const callId = (event.detail as { callId?: unknown }).callId;
    const message: EventMessage = { event, call: call ? callInfoJson(call) : null };
    const done = publishWithRetry(
      this.#js,
      this.#subjects.event(event['detail-type'], typeof callId === 'string' ? callId : null),
      Buffer.from(JSON.stringify(message), 'utf8'),
      event.id,
      {
        what: `publish to ${this.#subjects.eventsStream}`,
        timeoutMs: PUBLISH_TIMEOUT_MS,
        ackTimeoutMs: ACK_TIMEOUT_MS,
        connection: this.#nc,
        logger: this.#logger,
      },
    ).then(
      () => void this.published++,
      (err: unknown) =>
        this.#logger.error(
          { err, detailType: event['detail-type'], eventId: event.id },
          'event lost: publish failed',
        ),
    );
    this.#inflight.add(done);
    void done.finally(() => this.#inflight.delete(done));
  }

  /** What it reports on /metrics. */
  metrics(): ScrapedMetric[] {
    return [
      counter('callsight_events_published_total', 'Events published to the event bus.', () => this.published),
    ];
  }

  /** Resolves when every publish so far is acknowledged (or has failed). */
  async settled(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }
}

/** Target failures worth another attempt: NATS or PostgreSQL away for a moment. */
function transient(err: unknown): boolean {
  return (
    err instanceof CallsightError &&
    (err.code === 'CS_ERR_STREAM_UNAVAILABLE' || err.code === 'CS_ERR_DATABASE_UNAVAILABLE')
  );
}

export interface ClusterRulesEngineOptions {
  readonly js: JetStreamClient;
  readonly subjects: ClusterSubjects;
  /** Holds the configured rules (installRules); dispatch() runs an event's targets. */
  readonly bus: EventBus;
  readonly ackWaitMs: number;
  readonly logger: Logger;
}

/**
 * The worker's rules engine: pulls events from the shared durable consumer `rules` and runs the
 * matching rules' targets; acknowledges once they ran. The consumer lets one event be in flight at a
 * time across all workers, so the data stream gets events in the order they were published. A worker
 * that dies holding an event leaves it to another after AckWait; a target that failed because NATS
 * or PostgreSQL was away has the event tried again a second later, for about half a minute. Targets are idempotent where
 * they can be (the stream append and the pipeline job carry ids derived from the event); a webhook
 * may then be called twice (at least once).
 */
export class ClusterRulesEngine {
  readonly #options: ClusterRulesEngineOptions;
  readonly #calls = new Map<string, CallInfo>();
  #messages: ConsumerMessages | null = null;
  #closed = false;
  #running: Promise<void>;
  handled = 0;

  constructor(options: ClusterRulesEngineOptions) {
    this.#options = options;
    this.#running = this.#run();
  }

  /** What it reports on /metrics. */
  metrics(): ScrapedMetric[] {
    return [
      counter('callsight_events_handled_total', 'Events whose rules this worker ran.', () => this.handled),
    ];
  }

  /** The call the event being handled carried (for the startPipeline target). */
  callOf(event: EventEnvelope): CallInfo | undefined {
    return this.#calls.get(event.id);
  }

  async #run(): Promise<void> {
    const { js, subjects, logger } = this.#options;
    while (!this.#closed) {
      try {
        const consumer = await js.consumers.get(subjects.eventsStream, RULES_CONSUMER);
        this.#messages = await consumer.consume({
          max_messages: 1,
          expires: pullExpiresMs(this.#options.ackWaitMs),
        });
        // Closed while the consumer was being set up: close() had nothing to stop yet.
        if (this.#closed) this.#messages.stop();
        for await (const message of this.#messages) {
          if (this.#closed) {
            message.nak();
            break;
          }
          await this.#handle(message);
        }
        if (!this.#closed) await delay(250);
      } catch (err) {
        if (this.#closed) break;
        logger.warn({ err }, 'event rules consumer interrupted; pulling again');
        await delay(1000);
      }
    }
  }

  async #handle(message: JsMsg): Promise<void> {
    const { bus, ackWaitMs, logger } = this.#options;
    let payload: EventMessage;
    try {
      payload = message.json<EventMessage>();
      if (typeof payload?.event?.id !== 'string') throw new TypeError('no event');
    } catch (err) {
      logger.error({ err, subject: message.subject }, 'dropped a message that is not an event');
      message.term();
      return;
    }
    const { event, call } = payload;
    if (call) this.#calls.set(event.id, callInfoFromJson(call));
    const heartbeat = setInterval(() => message.working(), Math.max(250, Math.floor(ackWaitMs / 3)));
    try {
      const errors = await bus.dispatch(event);
      const attempt = message.info.deliveryCount;
      if (errors.some(transient) && attempt < MAX_ATTEMPTS) {
        logger.warn(
          { eventId: event.id, detailType: event['detail-type'], attempt },
          'event targets failed: retrying the event',
        );
        message.nak(RETRY_DELAY_MS);
      } else {
        if (errors.length > 0)
          logger.error(
            { eventId: event.id, detailType: event['detail-type'], attempt },
            'event targets failed: giving up on the event',
          );
        message.ack();
        this.handled++;
      }
    } finally {
      clearInterval(heartbeat);
      this.#calls.delete(event.id);
    }
  }

  /** Stops pulling; the event being handled finishes (and is acknowledged) first. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#messages?.stop();
    await this.#running;
  }
}
