import { randomUUID } from 'node:crypto';
import type { DetailType } from './DetailTypes.js';

/** An EventBridge event as Chime publishes it (https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html). */
export interface EventEnvelope<D extends object = Record<string, unknown>> {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: D;
}

export interface EventOrigin {
  readonly account: string;
  readonly region: string;
}

/** EventBridge stamps whole seconds: "2023-04-05T22:14:02Z". */
export function eventTime(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Chime's events come from `aws.chime`; Callsight's own (alerts, dead letters) from `callsight`. */
export const CHIME_SOURCE = 'aws.chime';
export const CALLSIGHT_SOURCE = 'callsight';

export function makeEvent<D extends object>(
  detailType: DetailType,
  detail: D,
  origin: EventOrigin,
  at: Date = new Date(),
  options: { readonly source?: string; readonly resources?: readonly string[] } = {},
): EventEnvelope<D> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: options.source ?? CHIME_SOURCE,
    account: origin.account,
    time: eventTime(at),
    region: origin.region,
    resources: options.resources ?? [],
    detail,
  };
}
