import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../../fixtures/siprec/', import.meta.url);

/** A fixture file as stored. */
export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

export interface SipFixture {
  readonly headers: Record<string, string>;
  readonly contentType: string | null;
  readonly body: string;
}

/**
 * A SIP message fixture: leading `#` comment lines dropped, headers as IncomingInvite has them (names
 * lower-cased, repeats joined by ", "), and the body with CRLF line ends as on the wire.
 */
export function sipFixture(name: string, lineEnd: '\r\n' | '\n' = '\r\n'): SipFixture {
  const lines = fixture(name).split('\n');
  while (lines[0]?.startsWith('#')) lines.shift();
  const blank = lines.indexOf('');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1, blank)) {
    const colon = line.indexOf(':');
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
  }
  return {
    headers,
    contentType: headers['content-type'] ?? null,
    body: lines.slice(blank + 1).join(lineEnd),
  };
}

/** Runs fn and returns what it threw, failing if it returned or threw something of another class. */
export function thrown<E extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (err) {
    if (err instanceof type) return err;
    throw new Error(`expected ${type.name}, got ${String(err)}`, { cause: err });
  }
  throw new Error(`expected ${type.name}, but nothing was thrown`);
}

/** Deterministic PRNG (mulberry32) for the fuzz tests. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
