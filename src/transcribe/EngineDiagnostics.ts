import diagnostics_channel from 'node:diagnostics_channel';

/**
 * Speech engines' per-request latencies, published on diagnostics channels so the hot path pays
 * nothing when nobody listens; the app turns them into Prometheus histograms. Below: the decoders
 * engines hold, read when metrics are scraped.
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

/** What an engine with local decoders (pocketsphinx) has loaded, for `callsight_asr_decoders`. */
export interface DecoderCountsSource {
  readonly engine: string;
  decoderCounts(): DecoderCounts;
}

export interface DecoderCounts {
  /** Decoding an utterance. */
  readonly busy: number;
  /** Loaded, waiting for an utterance (freed after the engine's idle time). */
  readonly idle: number;
  /** Streams whose utterance waits for a decoder (every one was busy, at the bound). */
  readonly waiting: number;
  /** Streams refused since start because no decoder came free in time. */
  readonly refused: number;
}

const decoderSources = new Set<DecoderCountsSource>();

/** Makes an engine's decoders visible to the metrics; returns the call that takes them away. */
export function trackDecoders(source: DecoderCountsSource): () => void {
  decoderSources.add(source);
  return () => decoderSources.delete(source);
}

/** The engines' decoder counts, summed by engine name. */
export function decoderCountsByEngine(): Map<string, DecoderCounts> {
  const out = new Map<string, DecoderCounts>();
  for (const source of decoderSources) {
    const c = source.decoderCounts();
    const sum = out.get(source.engine) ?? { busy: 0, idle: 0, waiting: 0, refused: 0 };
    out.set(source.engine, {
      busy: sum.busy + c.busy,
      idle: sum.idle + c.idle,
      waiting: sum.waiting + c.waiting,
      refused: sum.refused + c.refused,
    });
  }
  return out;
}
