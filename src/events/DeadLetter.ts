import { CALLSIGHT_SOURCE, makeEvent, type EventEnvelope, type EventOrigin } from './EventEnvelope.js';
import { DetailType } from './DetailTypes.js';

/**
 * What Callsight writes to the data stream when a webhook gave up on a payload (EventBridge's
 * counterpart is a target's dead-letter queue): the payload itself, where it was going and why it
 * did not arrive, so that nothing is silently lost.
 */
export function deadLetterEvent(
  input: {
    readonly url: string;
    /** The rule or pipeline sink that owned the webhook. */
    readonly owner: string;
    readonly error: string;
    readonly attempts: number;
    readonly payload: unknown;
    readonly callId: string | null;
  },
  origin: EventOrigin,
  at: Date,
): EventEnvelope {
  return makeEvent(
    DetailType.WebhookDeadLetter,
    {
      version: '0',
      url: input.url,
      owner: input.owner,
      error: input.error,
      attempts: input.attempts,
      ...(input.callId ? { callId: input.callId } : {}),
      payload: input.payload,
    },
    origin,
    at,
    { source: CALLSIGHT_SOURCE },
  );
}
