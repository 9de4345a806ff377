import type { AppendKey } from '../../stream/StreamTypes.js';
import type { PipelineRecordSink } from '../PipelineTypes.js';

/** Chime's KinesisDataStreamSink: records go to Callsight's data stream (the append is durable and ordered). */
export class StreamSink implements PipelineRecordSink {
  readonly type = 'KinesisDataStreamSink';
  readonly #append: (record: object, key: AppendKey) => void;

  constructor(append: (record: object, key: AppendKey) => void) {
    this.#append = append;
  }

  deliver(record: object, key: AppendKey): void {
    this.#append(record, key);
  }

  async close(): Promise<void> {}
}
