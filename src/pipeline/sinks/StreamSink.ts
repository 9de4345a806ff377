import type { AppendKey } from '../../stream/StreamTypes.js';
import type { PipelineRecordSink } from '../PipelineTypes.js';

/**
 * Chime's KinesisDataStreamSink: records go to Callsight's data stream (the append is durable and
 * ordered). close() waits for the appends still in flight, so that the pipeline's "Stopped" event,
 * published after its sinks close, follows its last records on the stream even when another process
 * appends it.
 */
export class StreamSink implements PipelineRecordSink {
  readonly type = 'KinesisDataStreamSink';
  readonly #append: (record: object, key: AppendKey) => unknown;
  readonly #inflight = new Set<PromiseLike<unknown>>();

  /** `append` may return a promise of the append's outcome (a rejection is the caller's to log). */
  constructor(append: (record: object, key: AppendKey) => unknown) {
    this.#append = append;
  }

  deliver(record: object, key: AppendKey): void {
    const outcome = this.#append(record, key);
    if (!isThenable(outcome)) return;
    const tracked: Promise<void> = Promise.resolve(outcome).then(
      () => void this.#inflight.delete(tracked),
      () => void this.#inflight.delete(tracked),
    );
    this.#inflight.add(tracked);
  }

  async close(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
