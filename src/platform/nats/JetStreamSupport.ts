import {
  JetStreamApiError,
  StorageType,
  type ConsumerConfig,
  type JetStreamClient,
  type JetStreamManager,
  type PubAck,
  type StreamConfig,
} from '@nats-io/jetstream';
import { errors as natsErrors, RequestError, type MsgHdrs } from '@nats-io/transport-node';
import { setTimeout as delay } from 'node:timers/promises';
import { CallsightError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { NatsConnection } from './NatsConnection.js';
import { errorMessage } from '../errors.js';

/**
 * What every JetStream user in Callsight does the same way: publish with a Nats-Msg-Id and retry
 * until acknowledged (the data stream, the event bus, the pipeline jobs), and create a stream or a
 * durable consumer, or bring an existing one's settings in line.
 */

/** A JetStream error that says the request might succeed if sent again (same Nats-Msg-Id). */
export function isRetriable(err: unknown): boolean {
  if (err instanceof natsErrors.TimeoutError || err instanceof natsErrors.NoRespondersError) return true;
  if (err instanceof RequestError)
    return err.isNoResponders() || err.cause instanceof natsErrors.TimeoutError;
  // 503: JetStream temporarily unavailable (no quorum, leader election).
  return err instanceof JetStreamApiError && err.status === 503;
}

export function unavailable(what: string, cause: unknown): CallsightError {
  return new CallsightError('CS_ERR_STREAM_UNAVAILABLE', `${what}: ${errorMessage(cause)}`, { cause });
}

export interface PublishRetryOptions {
  /** For the error and log lines, e.g. `append to CALLSIGHT_RECORDS`. */
  readonly what: string;
  /** How long to keep retrying in all. */
  readonly timeoutMs: number;
  /** How long one publish waits for its acknowledgement. */
  readonly ackTimeoutMs: number;
  readonly connection: NatsConnection;
  readonly logger: Logger;
  readonly headers?: MsgHdrs;
}

/**
 * Publishes and waits for JetStream's acknowledgement; a publish that is not acknowledged is sent
 * again with the same Nats-Msg-Id (JetStream stores it once within the stream's duplicate window)
 * until `timeoutMs` has passed. Rejects with CS_ERR_STREAM_UNAVAILABLE.
 */
export async function publishWithRetry(
  js: JetStreamClient,
  subject: string,
  payload: Uint8Array,
  msgID: string,
  options: PublishRetryOptions,
): Promise<PubAck> {
  const deadline = Date.now() + options.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const left = deadline - Date.now();
    try {
      const ack = await js.publish(subject, payload, {
        msgID,
        timeout: Math.max(100, Math.min(options.ackTimeoutMs, left)),
        ...(options.headers ? { headers: options.headers } : {}),
      });
      if (attempt > 0)
        options.logger.info(
          { msgID, seq: ack.seq, duplicate: ack.duplicate, attempt },
          `${options.what}: retried`,
        );
      return ack;
    } catch (err) {
      if (!isRetriable(err) || Date.now() >= deadline || options.connection.isClosed()) {
        throw unavailable(`${options.what} failed`, err);
      }
      options.logger.warn({ err, msgID, attempt }, `${options.what}: not acknowledged; retrying`);
      await delay(Math.min(2000, 100 * 2 ** attempt));
    }
  }
}

const COMPARED = [
  'subjects',
  'max_age',
  'max_msgs',
  'max_bytes',
  'num_replicas',
  'duplicate_window',
] as const;

/** Creates the stream, or brings an existing one's limits in line; returns its last sequence. */
export async function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
  logger: Logger,
): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    let existing;
    try {
      existing = await jsm.streams.info(config.name);
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.status === 404)) throw err;
      try {
        const created = await jsm.streams.add(config);
        logger.info({ stream: config.name }, 'created the JetStream stream');
        return created.state.last_seq;
      } catch (addErr) {
        // Another process created it first (with other limits): read it and compare, once.
        if (attempt === 0 && addErr instanceof JetStreamApiError) continue;
        throw addErr;
      }
    }
    if (existing.config.storage !== StorageType.File)
      logger.warn(
        { stream: config.name, storage: existing.config.storage },
        'the stream is not on file storage: records do not survive a NATS restart',
      );
    const changed = COMPARED.filter(
      (k) => config[k] !== undefined && JSON.stringify(existing.config[k]) !== JSON.stringify(config[k]),
    );
    if (changed.length === 0) return existing.state.last_seq;
    logger.warn(
      {
        stream: config.name,
        changed: Object.fromEntries(changed.map((k) => [k, { was: existing.config[k], now: config[k] }])),
      },
      "updating the JetStream stream to this process's settings (every process should use the same)",
    );
    const updated = await jsm.streams.update(config.name, { ...existing.config, ...config });
    return updated.state.last_seq;
  }
}

const CONSUMER_COMPARED = ['ack_wait', 'max_ack_pending', 'max_deliver'] as const;

/** Creates a durable consumer, or updates an existing one whose settings differ. */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string },
  logger: Logger,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let existing;
    try {
      existing = await jsm.consumers.info(stream, config.durable_name);
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.status === 404)) throw err;
      try {
        await jsm.consumers.add(stream, config);
        logger.info({ stream, consumer: config.durable_name }, 'created the JetStream consumer');
        return;
      } catch (addErr) {
        if (attempt === 0 && addErr instanceof JetStreamApiError) continue;
        throw addErr;
      }
    }
    const changed = CONSUMER_COMPARED.filter(
      (k) => config[k] !== undefined && existing.config[k] !== config[k],
    );
    if (changed.length === 0) return;
    logger.warn(
      { stream, consumer: config.durable_name, changed },
      "updating the JetStream consumer to this process's settings (every process should use the same)",
    );
    await jsm.consumers.update(
      stream,
      config.durable_name,
      Object.fromEntries(changed.map((k) => [k, config[k]])),
    );
    return;
  }
}
