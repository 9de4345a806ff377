import { obj, str, num, type StreamRecord } from './records.js';

/** One `Callsight Audit` record (docs/messages.md): who did what, when and from where. */
export interface AuditEntry {
  readonly seq: string;
  /** The envelope's time (ISO), when the action happened. */
  readonly time: string | null;
  readonly actor: string;
  readonly actorKind: string;
  /** `auth.login`, `auth.logout`, or `METHOD /route/:param`. */
  readonly action: string;
  /** The route's parameters, e.g. `{username: "alice"}`. */
  readonly target: Readonly<Record<string, string>>;
  readonly outcome: 'success' | 'failure';
  readonly status: number | null;
  readonly remoteAddress: string;
  readonly callId: string | null;
}

/** Default bound of the audit list: beyond it the oldest are dropped (the stream keeps them all). */
export const DEFAULT_AUDIT_CAP = 5_000;

/** Reads an audit record defensively: any producer that can write to the stream could send one. */
export function auditEntryOf(record: StreamRecord): AuditEntry {
  const detail = obj(record.detail);
  const target: Record<string, string> = {};
  for (const [key, value] of Object.entries(obj(detail.target)))
    if (typeof value === 'string') target[key] = value;
  return {
    seq: record.sequenceNumber,
    time: str(record.time),
    actor: str(detail.actor) ?? '?',
    actorKind: str(detail.actorKind) ?? 'unknown',
    action: str(detail.action) ?? '?',
    target,
    outcome: detail.outcome === 'success' ? 'success' : 'failure',
    status: num(detail.status),
    remoteAddress: str(detail.remoteAddress) ?? '',
    callId: str(detail.callId),
  };
}

/** `{username: "alice"}` → `username alice`; several joined by commas. */
export function describeTarget(target: Readonly<Record<string, string>>): string {
  return Object.entries(target)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
}

export interface AuditFilter {
  /** Only this action; null: every action. */
  readonly action: string | null;
  /** Only failures. */
  readonly failuresOnly: boolean;
  /** Case-insensitive substring of the actor, target or address; empty matches everything. */
  readonly text: string;
}

/**
 * The audit trail as the page received it (the stream sends these records to admins only), newest
 * last, bounded to `cap` entries, with a count per action for the filter.
 */
export class AuditLog {
  readonly cap: number;
  #entries: AuditEntry[] = [];
  readonly #actions = new Map<string, number>();
  #version = 0;

  constructor(cap = DEFAULT_AUDIT_CAP) {
    this.cap = cap;
  }

  get entries(): readonly AuditEntry[] {
    return this.#entries;
  }

  /** Changes whenever an entry arrived: views memoize on it. */
  get version(): number {
    return this.#version;
  }

  append(record: StreamRecord): AuditEntry {
    const entry = auditEntryOf(record);
    this.#entries.push(entry);
    this.#actions.set(entry.action, (this.#actions.get(entry.action) ?? 0) + 1);
    if (this.#entries.length > this.cap * 1.25) this.#trim();
    this.#version++;
    return entry;
  }

  /** Each action seen, with how many of the retained entries have it, by name. */
  actions(): [action: string, count: number][] {
    return [...this.#actions].sort(([a], [b]) => a.localeCompare(b));
  }

  /** The entries the filter lets through, newest first. */
  select(filter: AuditFilter): AuditEntry[] {
    const text = filter.text.trim().toLowerCase();
    const shown: AuditEntry[] = [];
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const entry = this.#entries[i]!;
      if (filter.action !== null && entry.action !== filter.action) continue;
      if (filter.failuresOnly && entry.outcome !== 'failure') continue;
      if (
        text &&
        !`${entry.actor}\n${describeTarget(entry.target)}\n${entry.remoteAddress}`
          .toLowerCase()
          .includes(text)
      )
        continue;
      shown.push(entry);
    }
    return shown;
  }

  /** Drops the oldest beyond the cap (in batches, so a busy trail does not copy the list per record). */
  #trim(): void {
    const dropped = this.#entries.splice(0, this.#entries.length - this.cap);
    for (const entry of dropped) {
      const left = (this.#actions.get(entry.action) ?? 1) - 1;
      if (left > 0) this.#actions.set(entry.action, left);
      else this.#actions.delete(entry.action);
    }
  }
}
