import diagnostics_channel from 'node:diagnostics_channel';

/**
 * Speech engines' per-request latencies, published on diagnostics channels so the hot path pays
 * nothing when nobody listens; the app turns them into Prometheus histograms.
 */
export const QUEUE_DELAY_CHANNEL = 'callsight:asr:queue-delay';

/** How long a request waited for a free slot of its engine (bounded concurrency). */
export interface QueueDelayMessage {
  readonly engine: string;
  readonly delayMs: number;
}

const queueDelay = diagnostics_channel.channel(QUEUE_DELAY_CHANNEL);

export function publishQueueDelay(message: QueueDelayMessage): void {
  if (queueDelay.hasSubscribers) queueDelay.publish(message);
}
