import { DetailType } from '../events/DetailTypes.js';
import {
  CALLSIGHT_SOURCE,
  makeEvent,
  type EventEnvelope,
  type EventOrigin,
} from '../events/EventEnvelope.js';

/** The account and region audit records carry (the Voice Connector's). */
export type AuditOrigin = EventOrigin;

export interface AuditEntry {
  /**
   * Who: a user name, `token:<name>`, `anonymous` (auth.mode none), the name tried at a failed
   * sign-in, or the operating system's user running `callsight users|tokens` (actorKind `cli`).
   */
  readonly actor: string;
  readonly actorKind: 'user' | 'token' | 'anonymous' | 'unknown' | 'cli';
  /** What, e.g. `auth.login`, `PUT /api/configurations/:identifier`. */
  readonly action: string;
  /** The route's parameters (a configuration's name, a pipeline's or call's id, a user name). */
  readonly target: Readonly<Record<string, string>>;
  /** `success`, or `failure` with the HTTP status. */
  readonly outcome: 'success' | 'failure';
  readonly status: number;
  /** From where: the client's address, or `cli` for the command line. */
  readonly remoteAddress: string;
  /** Only for calls: set when the action is about one (a recording download). */
  readonly callId?: string;
}

/**
 * The `Callsight Audit` record: who did what, when (the envelope's `time`) and from where. Sign-ins
 * (success and failure), every change made through /api (configurations, routes, users, tokens,
 * pipeline pause/resume/stop) and every recording download. Only admins read them (RecordScope).
 */
export function auditEvent(entry: AuditEntry, origin: AuditOrigin, at = new Date()): EventEnvelope {
  return makeEvent(DetailType.Audit, { version: '0', ...entry }, origin, at, { source: CALLSIGHT_SOURCE });
}
