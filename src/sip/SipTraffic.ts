import { eventCounter, eventHistogram, record } from '../platform/metrics.js';

/** The SIP traffic Prometheus sees: requests in, responses out, and how long answering a call took. */

const METHODS = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'INFO',
  'UPDATE',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'REFER',
  'MESSAGE',
  'PUBLISH',
]);

export const SIP_REQUESTS = eventCounter(
  'callsight_sip_requests_received_total',
  'SIP requests received (retransmissions included), by method (other: an extension method).',
  ['method'],
);

export const SIP_RESPONSES = eventCounter(
  'callsight_sip_responses_sent_total',
  "SIP responses sent by this user agent as a server (each once, not its retransmissions), by the request's method and the status code.",
  ['method', 'status'],
);

export const SIP_ANSWER_SECONDS = eventHistogram(
  'callsight_sip_answer_seconds',
  'Time from receiving an initial INVITE to sending its 200 OK (routing, media set-up, and a trunk leg being answered).',
  [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
);

/** A method as a label: the standard ones by name, anything else `other` (bounded cardinality). */
function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'other';
}

export function countRequest(method: string): void {
  record(SIP_REQUESTS, { method: methodLabel(method) });
}

export function countResponse(method: string, status: number): void {
  record(SIP_RESPONSES, { method: methodLabel(method), status: String(status) });
}

export function observeAnswer(seconds: number): void {
  record(SIP_ANSWER_SECONDS, {}, seconds);
}
