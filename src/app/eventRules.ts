import type { CallInfo } from '../connector/CallTypes.js';
import { readSecret } from '../platform/secrets.js';
import { deadLetterEvent } from '../events/DeadLetter.js';
import type { EventBus } from '../events/EventBus.js';
import type { EventEnvelope, EventOrigin } from '../events/EventEnvelope.js';
import type { RuleDefinition, RuleTarget } from '../events/RuleConfig.js';
import { WebhookDelivery } from '../events/Webhook.js';
import type { Logger } from '../platform/logger.js';
import { CallsightError } from '../platform/errors.js';
import type { ConfigurationStore } from '../configurations/ConfigurationStoreTypes.js';
import type { AppendKey } from '../stream/StreamTypes.js';

export interface RuleWiring {
  readonly bus: EventBus;
  /** The call an event is about (the Voice Connector's, or, scaled out, the one the event carried). */
  readonly findCall: (event: EventEnvelope) => CallInfo | undefined | Promise<CallInfo | undefined>;
  /**
   * A startPipeline target: starts the pipeline here (one process) or submits it as a job to the
   * workers (scaled out); `event` is the one that matched.
   */
  readonly startPipeline: (call: CallInfo, configuration: string, event: EventEnvelope) => Promise<unknown>;
  /** A rejection makes the target fail (the worker's rules engine then retries the event). */
  readonly append: (record: object, key: AppendKey) => Promise<unknown> | void;
  readonly origin: EventOrigin;
  readonly logger: Logger;
}

export function eventCallId(event: EventEnvelope): string | null {
  const callId = (event.detail as { callId?: unknown }).callId;
  return typeof callId === 'string' ? callId : null;
}

/** Refuses to start when a rule would start a pipeline of a configuration that does not exist. */
export async function checkRuleConfigurations(
  rules: readonly RuleDefinition[],
  store: ConfigurationStore,
): Promise<void> {
  const problems: string[] = [];
  for (const rule of rules) {
    for (const target of rule.targets) {
      if ('startPipeline' in target && !(await store.find(target.startPipeline)))
        problems.push(`rule ${rule.name}: startPipeline names no configuration "${target.startPipeline}"`);
    }
  }
  if (problems.length > 0)
    throw new CallsightError('CS_ERR_CONFIG_INVALID', `invalid event rules:\n  ${problems.join('\n  ')}`);
}

/**
 * Puts the configured rules on the bus (the EventBridge rules and the seed's Lambda): each rule's
 * pattern decides, and its targets run in the order written. Returns the rules' webhooks so that
 * shutdown can let them finish.
 */
export function installRules(rules: readonly RuleDefinition[], wiring: RuleWiring): WebhookDelivery[] {
  const webhooks: WebhookDelivery[] = [];
  const { bus, logger } = wiring;
  if (!rules.some((rule) => rule.enabled && rule.targets.some((t) => 'stream' in t))) {
    logger.warn(
      'no event rule forwards events to the data stream: the WebSocket and web page will not see them',
    );
  }
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const targets = rule.targets.map((target, index) =>
      targetHandler(rule.name, index, target, wiring, webhooks),
    );
    bus.addRule(
      rule.name,
      (event) => rule.pattern.matches(event),
      async (event) => {
        for (const target of targets) await target(event);
      },
    );
  }
  return webhooks;
}

function targetHandler(
  ruleName: string,
  index: number,
  target: RuleTarget,
  wiring: RuleWiring,
  webhooks: WebhookDelivery[],
): (event: EventEnvelope) => void | Promise<void> {
  const { append, findCall, startPipeline, logger, origin } = wiring;
  if ('stream' in target) {
    // The event's id (with the rule's and the target's) makes a repeated append (the event handled
    // again after a worker died) a no-op, while two stream rules still store it twice, as always.
    // append is called synchronously, so events reach the stream in the order they were published.
    return async (event) => {
      const msgId = `${event.id}:${ruleName}:${index}`;
      await append(event, { type: event['detail-type'], callId: eventCallId(event), msgId });
    };
  }
  if ('startPipeline' in target) {
    const configuration = target.startPipeline;
    return async (event) => {
      const call = await findCall(event);
      if (!call) {
        logger.warn(
          { rule: ruleName, detailType: event['detail-type'] },
          'startPipeline: the event names no active call',
        );
        return;
      }
      await startPipeline(call, configuration, event);
    };
  }
  const { url, maxAttempts, initialBackoffMs, timeoutMs, secret } = target.webhook;
  const delivery = new WebhookDelivery({
    url,
    maxAttempts,
    initialBackoffMs,
    timeoutMs,
    ...(secret ? { signingSecret: readSecret(secret, `rule ${ruleName} webhook secret`) } : {}),
    logger: logger.child({ rule: ruleName }),
    deadLetter: (payload, error, attempts) => {
      const callId = eventCallId(payload as EventEnvelope);
      const record = deadLetterEvent(
        { url, owner: `rule ${ruleName}`, error, attempts, payload, callId },
        origin,
        new Date(),
      );
      void Promise.resolve(append(record, { type: record['detail-type'], callId })).catch((err: unknown) =>
        logger.error({ err, url }, 'dead letter lost: stream append failed'),
      );
    },
  });
  webhooks.push(delivery);
  return (event) => delivery.send(event);
}
