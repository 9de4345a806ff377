import {
  JetStreamApiError,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { Logger } from '../logger.js';

/**
 * How every JetStream user in Callsight sets up what it uses: create a stream or a durable consumer,
 * or bring an existing one's settings in line with this process's.
 */

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
