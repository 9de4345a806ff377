import { DetailType } from '../events/DetailTypes.js';
import type { Principal } from './Roles.js';

/** A stream record as the gateway holds it (StoredRecord's fields that matter here). */
interface ScopedRecord {
  readonly json: string;
  readonly type: string;
  readonly callId: string | null;
}

/** The parties a record names: its fromNumber and toNumber, in the detail or in the metadata text. */
function partiesOf(json: string): string[] {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    return [];
  }
  if (typeof record !== 'object' || record === null) return [];
  const { detail, metadata } = record as { detail?: unknown; metadata?: unknown };
  let source: unknown = detail;
  if (typeof metadata === 'string') {
    try {
      source = JSON.parse(metadata);
    } catch {
      return [];
    }
  }
  if (typeof source !== 'object' || source === null) return [];
  const { fromNumber, toNumber } = source as { fromNumber?: unknown; toNumber?: unknown };
  return [fromNumber, toNumber].filter((p): p is string => typeof p === 'string' && p !== '');
}

/**
 * Which stream records one principal may read. Audit records are for admins. Everyone else but an
 * agent sees every call; an agent sees a call's records once a record of it names one of the
 * agent's identities as a party (every call's first records do: STARTED, the pipeline's metadata, each
 * transcript's metadata), and nothing that is not about a call. One per WebSocket client (it learns
 * the calls as they pass), or per REST answer.
 */
export class RecordScope {
  readonly #principal: Principal;
  readonly #patterns: readonly RegExp[];
  readonly #calls = new Map<string, boolean>();

  constructor(principal: Principal) {
    this.#principal = principal;
    this.#patterns = principal.agentPatterns.map((p) => new RegExp(p, 'i'));
  }

  allows(record: ScopedRecord): boolean {
    if (record.type === DetailType.Audit) return this.#principal.role === 'admin';
    if (this.#principal.role !== 'agent') return true;
    if (record.callId === null) return false;
    if (this.#calls.get(record.callId)) return true;
    const parties = partiesOf(record.json);
    if (parties.length === 0) return false;
    const mine = parties.some((party) => this.#patterns.some((pattern) => pattern.test(party)));
    if (mine || this.#calls.size < 100_000) this.#calls.set(record.callId, mine);
    return mine;
  }
}
