import { CallErasure, type CallErasureOptions } from '../calls/CallErasure.js';
import type { DataStream } from '../stream/StreamTypes.js';

/**
 * The erasure of every role layout: its audit record goes on the data stream as a record of no call
 * (the call's own records are among what it erases), and it logs as the `calls` stage.
 */
export function callErasure(stream: DataStream, options: Omit<CallErasureOptions, 'audit'>): CallErasure {
  return new CallErasure({
    ...options,
    audit: (event) => stream.append(event, { type: event['detail-type'], callId: null }),
    logger: options.logger.child({ stage: 'calls' }),
  });
}
