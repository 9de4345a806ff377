import type { WebhookDelivery } from '../../events/Webhook.js';
import type { PipelineRecordSink } from '../PipelineTypes.js';

/**
 * Chime's LambdaFunctionSink, SqsQueueSink and SnsTopicSink, for an http(s) InsightsTarget: each
 * record is POSTed as JSON, in order, with retries; what cannot be delivered is dead-lettered.
 */
export class WebhookSink implements PipelineRecordSink {
  readonly type: string;
  readonly #delivery: WebhookDelivery;

  constructor(type: string, delivery: WebhookDelivery) {
    this.type = type;
    this.#delivery = delivery;
  }

  deliver(record: object): void {
    this.#delivery.send(record);
  }

  close(): Promise<void> {
    return this.#delivery.close();
  }
}
