import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '../platform/logger.js';
import { ensureConsumer, ensureStream } from '../platform/nats/JetStreamSetup.js';
import type { ClusterSubjects } from './ClusterSubjects.js';

/** The durable consumer every worker pulls events from: each event is handled by one worker. */
export const RULES_CONSUMER = 'rules';
/** The durable consumer every worker pulls pipeline jobs from. */
export const JOBS_CONSUMER = 'pipelines';
/** How long handled events stay in `<NS>_EVENTS` (for inspection; the data stream keeps them for good). */
const EVENTS_MAX_AGE_MS = 24 * 3_600_000;
const DUPLICATE_WINDOW_MS = 120_000;

/**
 * How long a worker's pull request for an event or a job stays open. A worker that freezes keeps its
 * last one open at the server, and a job redelivered while it is would go to the frozen worker: kept
 * below two thirds of AckWait, it has expired by the time anything is redelivered.
 */
export function pullExpiresMs(ackWaitMs: number): number {
  return Math.max(1000, Math.floor(ackWaitMs / 3));
}

export interface ClusterStreamOptions {
  readonly replicas: number;
  /** The consumers' AckWait: worker.jobAckWaitMs. */
  readonly ackWaitMs: number;
  readonly logger: Logger;
}

/**
 * Creates (or brings in line) the two JetStream streams and their durable consumers. Every role
 * process does it at start, so that no event published before the first worker started is missed.
 *
 * - `<NS>_EVENTS`: limits retention (a day), file storage. Consumer `rules`: explicit acks, one event
 *   in flight at a time across all workers (max_ack_pending 1), so events are handled in the order
 *   they were published, as in one process; redelivered after AckWait when its worker died.
 * - `<NS>_JOBS`: a work queue (a job is deleted once acknowledged), file storage, no age limit (a job
 *   lives as long as its call). Consumer `pipelines`: explicit acks, any number in flight, redelivered
 *   to another worker after AckWait without a heartbeat, forever.
 */
export async function ensureClusterStreams(
  jsm: JetStreamManager,
  subjects: ClusterSubjects,
  options: ClusterStreamOptions,
): Promise<void> {
  const { replicas, ackWaitMs, logger } = options;
  await ensureStream(
    jsm,
    {
      name: subjects.eventsStream,
      description: 'Callsight event bus: every event, for the rules engine of the workers',
      subjects: [`${subjects.eventsPrefix}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: nanos(EVENTS_MAX_AGE_MS),
      num_replicas: replicas,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    },
    logger,
  );
  await ensureConsumer(
    jsm,
    subjects.eventsStream,
    {
      durable_name: RULES_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      ack_wait: nanos(ackWaitMs),
      max_ack_pending: 1,
      max_deliver: -1,
    },
    logger,
  );
  await ensureStream(
    jsm,
    {
      name: subjects.jobsStream,
      description: 'Callsight pipeline jobs: one per pipeline, acknowledged when it stops',
      subjects: [`${subjects.jobsPrefix}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Workqueue,
      discard: DiscardPolicy.Old,
      num_replicas: replicas,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    },
    logger,
  );
  await ensureConsumer(
    jsm,
    subjects.jobsStream,
    {
      durable_name: JOBS_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(ackWaitMs),
      max_ack_pending: -1,
      max_deliver: -1,
    },
    logger,
  );
}
