import type { Logger } from '../platform/logger.js';
import type { EventEnvelope } from './EventEnvelope.js';

export type EventHandler = (event: EventEnvelope) => void | Promise<void>;

interface Rule {
  readonly name: string;
  readonly matches: (event: EventEnvelope) => boolean;
  readonly target: EventHandler;
}

/**
 * The in-process EventBridge counterpart: rules pair a match with a target, and every published event
 * goes to every matching target in the order the rules were added. A failing target is logged and
 * never stops the others or the publisher.
 */
export class EventBus {
  readonly #rules: Rule[] = [];
  readonly #logger: Logger;
  readonly #pending = new Set<Promise<void>>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  addRule(name: string, matches: (event: EventEnvelope) => boolean, target: EventHandler): void {
    this.#rules.push({ name, matches, target });
  }

  publish(event: EventEnvelope): void {
    for (const rule of this.#rules) {
      try {
        if (!rule.matches(event)) continue;
        const outcome = rule.target(event);
        if (outcome) this.#track(rule, event, outcome);
      } catch (err) {
        this.#logger.error(
          { err, rule: rule.name, detailType: event['detail-type'] },
          'event rule target failed',
        );
      }
    }
  }

  /**
   * Runs the targets of every matching rule, one rule after another (each rule's targets in order),
   * and resolves once all have finished, with the errors of those that failed (each is also logged).
   * For a rules engine that acknowledges an event only after its targets ran (the worker role's).
   */
  async dispatch(event: EventEnvelope): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const rule of this.#rules) {
      try {
        if (!rule.matches(event)) continue;
        await rule.target(event);
      } catch (err) {
        errors.push(err);
        this.#logger.error(
          { err, rule: rule.name, detailType: event['detail-type'] },
          'event rule target failed',
        );
      }
    }
    return errors;
  }

  /** Resolves when every asynchronous target started so far has finished. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #track(rule: Rule, event: EventEnvelope, outcome: Promise<void>): void {
    const tracked = outcome
      .catch((err: unknown) => {
        this.#logger.error(
          { err, rule: rule.name, detailType: event['detail-type'] },
          'event rule target failed',
        );
      })
      .finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }
}
