import { isIP } from 'node:net';
import { parseSipUri, type SipUri } from './SipUri.js';

/**
 * Parsers for the structured header values a user agent server must read (RFC 3261 §20, §25):
 * name-addr (From, To, Contact, Route), Via, CSeq, and comma-separated header lists.
 * Each returns null for a value that breaks the grammar, so the caller can answer 400.
 */

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/** Splits a header value at commas that are outside quotes and angle brackets. */
export function splitList(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') depth++;
    else if (c === '>') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

/** `;name=value;flag` header parameters, names lower-cased; null if one is not a token (or quoted string). */
export function parseParams(text: string): Map<string, string> | null {
  const params = new Map<string, string>();
  if (text.trim() === '') return params;
  if (!text.trimStart().startsWith(';')) return null;
  for (const raw of text.split(';').slice(1)) {
    const part = raw.trim();
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    let value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!TOKEN.test(name)) return null;
    if (value.startsWith('"')) {
      if (!/^"(?:[^"\\]|\\.)*"$/.test(value)) return null;
      value = value.slice(1, -1);
    } else if (eq >= 0 && !/^[A-Za-z0-9\-.!%*_+`'~:[\]]+$/.test(value)) return null;
    params.set(name.toLowerCase(), value);
  }
  return params;
}

export interface NameAddr {
  readonly displayName: string | null;
  /** The URI text as written (without angle brackets). */
  readonly uriText: string;
  /** The parsed URI if it is a SIP/SIPS URI (tel: and others stay unparsed). */
  readonly uri: SipUri | null;
  /** Header parameters after the address, e.g. `tag`. */
  readonly params: ReadonlyMap<string, string>;
}

/**
 * `"Display" <sip:user@host;uri-param>;tag=x` or `sip:user@host;tag=x`. In the second form every
 * `;param` belongs to the header (RFC 3261 §20.10), which is why the two forms are parsed differently.
 */
export function parseNameAddr(value: string): NameAddr | null {
  const text = value.trim();
  let displayName: string | null = null;
  let uriText: string;
  let rest: string;
  // A quoted display name may itself hold '<' (and commas): the bracket to find comes after it.
  const quotedDisplay = /^"(?:[^"\\]|\\.)*"/.exec(text);
  const open = text.indexOf('<', quotedDisplay?.[0].length ?? 0);
  if (open >= 0) {
    const display = text.slice(0, open).trim();
    if (display.startsWith('"')) {
      if (!/^"(?:[^"\\]|\\.)*"$/.test(display)) return null;
      displayName = display.slice(1, -1).replace(/\\(.)/g, '$1');
    } else if (display !== '') {
      if (!/^[A-Za-z0-9\-.!%*_+`'~ \t]+$/.test(display)) return null;
      displayName = display;
    }
    const close = text.indexOf('>', open);
    if (close < 0) return null;
    uriText = text.slice(open + 1, close).trim();
    rest = text.slice(close + 1);
  } else {
    const semi = text.indexOf(';');
    // Whitespace may separate the URI from its parameters (RFC 4475 §3.1.1.1: `sip:x@y ;  tag = 1`).
    uriText = (semi < 0 ? text : text.slice(0, semi)).trimEnd();
    rest = semi < 0 ? '' : text.slice(semi);
    // addr-spec without brackets may not contain a comma, question mark or semicolon in the URI.
    if (/[\s,?]/.test(uriText)) return null;
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uriText)) return null;
  const isSip = /^sips?:/i.test(uriText);
  const uri = isSip ? parseSipUri(uriText) : null;
  if (isSip && !uri) return null;
  const params = parseParams(rest);
  if (!params) return null;
  return { displayName, uriText, uri, params };
}

export interface Via {
  /** UDP, TCP, TLS, … upper-cased. */
  readonly transport: string;
  readonly host: string;
  readonly port: number | null;
  readonly params: ReadonlyMap<string, string>;
  readonly branch: string | null;
}

/** One Via entry: `SIP/2.0/UDP host:port;branch=z9hG4bK…;rport`. */
export function parseVia(value: string): Via | null {
  const match = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+([^;\s]+)\s*(.*)$/i.exec(value.trim());
  if (!match) return null;
  const sentBy = match[2]!;
  let host: string;
  let portText: string | undefined;
  if (sentBy.startsWith('[')) {
    const close = sentBy.indexOf(']');
    if (close < 0) return null;
    host = sentBy.slice(1, close);
    if (isIP(host) !== 6) return null;
    const after = sentBy.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return null;
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const parts = sentBy.split(':');
    if (parts.length > 2) return null;
    host = parts[0]!;
    portText = parts[1];
    if (!/^[A-Za-z0-9.-]+$/.test(host)) return null;
  }
  let port: number | null = null;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return null;
    port = Number(portText);
    if (port < 1 || port > 65535) return null;
  }
  const params = parseParams(match[3]!);
  if (!params) return null;
  return { transport: match[1]!.toUpperCase(), host, port, params, branch: params.get('branch') ?? null };
}

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** `CSeq: 4711 INVITE`; the number must fit 31 bits (RFC 3261 §8.1.1.5). */
export function parseCSeq(value: string): CSeq | null {
  const match = /^(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)$/.exec(value.trim());
  if (!match) return null;
  const seq = Number(match[1]);
  if (seq >= 2 ** 31) return null;
  return { seq, method: match[2]! };
}

/** Lower-cased option tags of Require/Supported/Unsupported headers. */
export function parseOptionTags(values: readonly string[]): string[] {
  return values.flatMap(splitList).map((tag) => tag.toLowerCase());
}
