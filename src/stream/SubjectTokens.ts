import type { AppendKey } from './StreamTypes.js';

/**
 * How a record's key becomes its NATS subject on the JetStream data stream:
 *
 *     <prefix>.<type token>.<call token>        e.g. callsight.records.Media%20Insights%20State%20Change.6f1c…
 *
 * A token keeps `A-Z a-z 0-9 - _` as they are and writes every other UTF-8 byte as `%XX` (upper-case
 * hex), so spaces, dots and the wildcards `*` `>` never reach a subject and decoding is exact. A record
 * without a call (`callId: null`) has the call token `~`, and an empty call id `~~`: the encoder always
 * escapes `~`, so neither can be a real call id's token. So `<prefix>.Transcribe.>` is every transcript,
 * `<prefix>.*.<call token>` everything of one call, `<prefix>.*.~` everything not about a call.
 */
const PLAIN = /^[A-Za-z0-9_-]$/;
const NO_CALL = '~';
const EMPTY_CALL = '~~';
const HEX = '0123456789ABCDEF';

export function encodeToken(text: string): string {
  let out = '';
  for (const char of text) {
    if (PLAIN.test(char)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

/** The inverse of encodeToken; null for text encodeToken cannot have produced. */
export function decodeToken(token: string): string | null {
  if (!/^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})*$/.test(token)) return null;
  if (!token.includes('%')) return token;
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '%') {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(token.charCodeAt(i));
    }
  }
  const text = Buffer.from(bytes).toString('utf8');
  // Overlong or broken UTF-8 decodes to U+FFFD and would not encode back the same.
  return encodeToken(text) === token ? text : null;
}

export function callToken(callId: string | null): string {
  if (callId === null) return NO_CALL;
  return callId === '' ? EMPTY_CALL : encodeToken(callId);
}

/** The subject a record of this key is published on. */
export function subjectFor(prefix: string, key: AppendKey): string {
  return `${prefix}.${encodeToken(key.type)}.${callToken(key.callId)}`;
}

/** The key a subject of this prefix encodes, or null when it is not one of ours. */
export function keyOfSubject(prefix: string, subject: string): AppendKey | null {
  if (!subject.startsWith(`${prefix}.`)) return null;
  const tokens = subject.slice(prefix.length + 1).split('.');
  if (tokens.length !== 2) return null;
  const [typeToken, callTokenText] = tokens as [string, string];
  const type = decodeToken(typeToken);
  if (type === null || type === '') return null;
  if (callTokenText === NO_CALL) return { type, callId: null };
  if (callTokenText === EMPTY_CALL) return { type, callId: '' };
  const callId = decodeToken(callTokenText);
  return callId === null || callId === '' ? null : { type, callId };
}

/** A subject prefix must be one or more plain tokens separated by dots. */
export function isValidPrefix(prefix: string): boolean {
  return /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/.test(prefix);
}
