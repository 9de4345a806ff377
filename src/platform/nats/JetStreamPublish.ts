import { JetStreamApiError, type JetStreamClient, type PubAck } from '@nats-io/jetstream';
import { errors as natsErrors, RequestError, type MsgHdrs } from '@nats-io/transport-node';
import { setTimeout as delay } from 'node:timers/promises';
import { CallsightError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { NatsConnection } from './NatsConnection.js';

/**
 * How every JetStream user in Callsight publishes (the data stream, the event bus, the pipeline jobs):
 * with a Nats-Msg-Id, retried until acknowledged.
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
