/** RFC 3261 §7.3.3 compact forms, plus the ones later RFCs registered. */
const COMPACT: Readonly<Record<string, string>> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

/** Spellings that the capitalise-each-word rule gets wrong. */
const DISPLAY: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
};

/** Lower-cased long form of a header name. */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
}

function displayName(name: string): string {
  return (
    DISPLAY[name] ?? name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())
  );
}

/** Ordered SIP headers; names are matched case-insensitively and compact forms are expanded. */
export class SipHeaders {
  readonly #entries: { name: string; value: string }[] = [];

  constructor(entries: Iterable<readonly [string, string]> = []) {
    for (const [name, value] of entries) this.append(name, value);
  }

  append(name: string, value: string): this {
    this.#entries.push({ name: canonicalHeaderName(name), value });
    return this;
  }

  /** Replaces every header of this name with one value. */
  set(name: string, value: string): this {
    const canonical = canonicalHeaderName(name);
    const index = this.#entries.findIndex((e) => e.name === canonical);
    this.delete(canonical);
    this.#entries.splice(index < 0 ? this.#entries.length : index, 0, { name: canonical, value });
    return this;
  }

  /** Replaces the value of the first header of this name, where it stands (no-op without one). */
  replaceFirst(name: string, value: string): this {
    const canonical = canonicalHeaderName(name);
    const entry = this.#entries.find((e) => e.name === canonical);
    if (entry) entry.value = value;
    return this;
  }

  delete(name: string): this {
    const canonical = canonicalHeaderName(name);
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      if (this.#entries[i]!.name === canonical) this.#entries.splice(i, 1);
    }
    return this;
  }

  get(name: string): string | undefined {
    const canonical = canonicalHeaderName(name);
    return this.#entries.find((e) => e.name === canonical)?.value;
  }

  getAll(name: string): string[] {
    const canonical = canonicalHeaderName(name);
    return this.#entries.filter((e) => e.name === canonical).map((e) => e.value);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  entries(): IterableIterator<{ name: string; value: string }> {
    return this.#entries.values();
  }

  /** Names lower-cased, repeated headers joined with ", " (as Chime's `inviteHeaders`). */
  toRecord(): Record<string, string> {
    const record: Record<string, string> = {};
    for (const { name, value } of this.#entries) {
      record[name] = name in record ? `${record[name]}, ${value}` : value;
    }
    return record;
  }

  serialize(): string {
    return this.#entries.map(({ name, value }) => `${displayName(name)}: ${value}\r\n`).join('');
  }
}
