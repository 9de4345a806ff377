import { detailTypeOf, subTypeOf, type StreamRecord } from './records.js';

/** One received frame, as the Messages view lists it. */
export interface MessageEntry {
  /** Position in the log since the page loaded (0, 1, 2…): survives eviction, orders entries. */
  readonly index: number;
  readonly seq: string;
  readonly type: string;
  readonly subType: string | null;
  readonly callId: string | null;
  readonly time: string | null;
  readonly record: StreamRecord;
  /** The frame's text exactly as received: what "copy" copies and what search looks in. */
  readonly raw: string;
}

/** Filter keys: a detail-type, or `type + SUB + subType` for one event type within it. */
export const SUB = '\u0000';
export const subKey = (type: string, subType: string) => `${type}${SUB}${subType}`;

export interface MessageFilter {
  /** Selected keys; empty shows every type (the seed's rule). A type key selects all its sub-types. */
  readonly types: ReadonlySet<string>;
  readonly callId: string | null;
  /** Case-insensitive substring of the raw JSON; empty matches everything. */
  readonly text: string;
}

/** Default bound of the raw message list: beyond it the oldest are dropped, with a visible note. */
export const DEFAULT_MESSAGE_CAP = 10_000;

/**
 * The raw message list, newest last, bounded to `cap` entries so that memory stays flat however long
 * the page stays open at however many messages per second.
 */
export class MessageLog {
  readonly cap: number;
  #entries: MessageEntry[] = [];
  #next = 0;
  /** Entries dropped by `forget` (not by the cap). */
  #forgotten = 0;
  #forgets = 0;
  readonly #forgottenCalls = new Set<string>();

  constructor(cap = DEFAULT_MESSAGE_CAP) {
    this.cap = cap;
  }

  /** Every entry received since the page loaded, including evicted ones. */
  get received(): number {
    return this.#next;
  }

  /** How many of the oldest were dropped to respect the cap. */
  get evicted(): number {
    return this.#next - this.#entries.length - this.#forgotten;
  }

  /** Index of the oldest retained entry (`received` when none is). */
  get firstIndex(): number {
    return this.#entries[0]?.index ?? this.#next;
  }

  /** Bumped whenever `forget` drops entries: indices then have gaps, and filtered lists start over. */
  get forgets(): number {
    return this.#forgets;
  }

  get entries(): readonly MessageEntry[] {
    return this.#entries;
  }

  append(record: StreamRecord, raw: string, callId: string | null): MessageEntry {
    const type = detailTypeOf(record);
    const entry: MessageEntry = {
      index: this.#next++,
      seq: record.sequenceNumber,
      type,
      subType: subTypeOf(record, type),
      callId,
      time: typeof record.time === 'string' ? record.time : null,
      record,
      raw,
    };
    this.#entries.push(entry);
    return entry;
  }

  /** Drops the oldest beyond the cap; called once per batch so the copy is paid once per frame. */
  trim(): void {
    const excess = this.#entries.length - this.cap;
    if (excess > 0) this.#entries.splice(0, excess);
  }

  /** Drops every entry of the call (it was erased); resolves how many went. */
  forget(callId: string): number {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((entry) => entry.callId !== callId);
    const dropped = before - this.#entries.length;
    this.#forgottenCalls.add(callId);
    if (dropped > 0) {
      this.#forgotten += dropped;
      this.#forgets++;
    }
    return dropped;
  }

  /** Whether the call's entries were dropped by `forget` (a list held elsewhere should drop them too). */
  isForgotten(callId: string | null): boolean {
    return callId !== null && this.#forgottenCalls.has(callId);
  }

  /** Where in `entries` the first entry of `index` or later stands (indices ascend, with gaps after a `forget`). */
  positionOf(index: number): number {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#entries[middle]!.index < index) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Entry with the given index, if still retained. */
  at(index: number): MessageEntry | undefined {
    const entry = this.#entries[this.positionOf(index)];
    return entry?.index === index ? entry : undefined;
  }
}

export function matchesType(entry: MessageEntry, types: ReadonlySet<string>): boolean {
  if (types.size === 0 || types.has(entry.type)) return true;
  return entry.subType !== null && types.has(subKey(entry.type, entry.subType));
}

/** The call and text parts of a filter: what the per-type counts are counted under. */
export function matchesScope(entry: MessageEntry, filter: MessageFilter, needle: string): boolean {
  if (filter.callId !== null && entry.callId !== filter.callId) return false;
  return needle === '' || entry.raw.toLowerCase().includes(needle);
}

export interface TypeCount {
  readonly type: string;
  readonly count: number;
  readonly subTypes: readonly { readonly subType: string; readonly count: number }[];
}

/**
 * The Messages view's list under a filter, kept up to date incrementally: each batch tests only the
 * new entries and drops the evicted ones from the front, so a frame costs O(batch), not O(log).
 * `counts` are per type (and sub-type) among the entries matching the call and text filters, which
 * is what the type checkboxes show: ticking one shows exactly that many messages.
 */
export class FilteredMessages {
  readonly filter: MessageFilter;
  readonly #log: MessageLog;
  readonly #needle: string;
  /** Entries matching call + text, oldest first. */
  #scope: MessageEntry[] = [];
  /** Of those, the ones matching the types too, oldest first. */
  #items: MessageEntry[] = [];
  #nextIndex: number;
  #forgets: number;
  readonly #counts = new Map<string, number>();

  constructor(log: MessageLog, filter: MessageFilter) {
    this.#log = log;
    this.filter = filter;
    this.#needle = filter.text.trim().toLowerCase();
    this.#nextIndex = log.firstIndex;
    this.#forgets = log.forgets;
    this.update();
  }

  /** Catches up with the log: drops what it evicted, tests what it appended; starts over after a `forget`. */
  update(): void {
    if (this.#forgets !== this.#log.forgets) {
      this.#forgets = this.#log.forgets;
      this.#scope = [];
      this.#items = [];
      this.#counts.clear();
      this.#nextIndex = this.#log.firstIndex;
    }
    const first = this.#log.firstIndex;
    let drop = 0;
    while (drop < this.#scope.length && this.#scope[drop]!.index < first) {
      this.#count(this.#scope[drop]!, -1);
      drop++;
    }
    if (drop > 0) this.#scope.splice(0, drop);
    drop = 0;
    while (drop < this.#items.length && this.#items[drop]!.index < first) drop++;
    if (drop > 0) this.#items.splice(0, drop);

    const entries = this.#log.entries;
    for (let i = this.#log.positionOf(this.#nextIndex); i < entries.length; i++) {
      const entry = entries[i]!;
      if (!matchesScope(entry, this.filter, this.#needle)) continue;
      this.#scope.push(entry);
      this.#count(entry, 1);
      if (matchesType(entry, this.filter.types)) this.#items.push(entry);
    }
    this.#nextIndex = this.#log.received;
  }

  /** Matching entries, oldest first (the view shows them newest first). */
  get items(): readonly MessageEntry[] {
    return this.#items;
  }

  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  /** Types in first-seen order, with their sub-types, as the checkbox list shows them. */
  typeCounts(): TypeCount[] {
    const types = new Map<string, { count: number; subTypes: { subType: string; count: number }[] }>();
    for (const [key, count] of this.#counts) {
      const cut = key.indexOf(SUB);
      if (cut < 0) {
        const existing = types.get(key);
        if (existing) existing.count = count;
        else types.set(key, { count, subTypes: [] });
      } else {
        const type = key.slice(0, cut);
        let entry = types.get(type);
        if (!entry) types.set(type, (entry = { count: 0, subTypes: [] }));
        entry.subTypes.push({ subType: key.slice(cut + 1), count });
      }
    }
    return [...types].map(([type, { count, subTypes }]) => ({ type, count, subTypes }));
  }

  #count(entry: MessageEntry, delta: number): void {
    this.#bump(entry.type, delta);
    if (entry.subType !== null) this.#bump(subKey(entry.type, entry.subType), delta);
  }

  #bump(key: string, delta: number): void {
    const next = (this.#counts.get(key) ?? 0) + delta;
    if (next > 0) this.#counts.set(key, next);
    else this.#counts.delete(key);
  }
}
