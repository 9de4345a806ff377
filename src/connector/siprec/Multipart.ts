// Hand-written: the one maintained generic (non-form-data) multipart parser found on npm, @remix-run/multipart-parser (0.x, six breaking releases in 2026), is CRLF-only, refuses an RFC 2046 preamble and mishandles transport padding; SIP bodies are small strings already in memory.
import { MultipartError } from './SiprecErrors.js';
import {
  parseContentDisposition,
  parseContentType,
  type ContentDisposition,
  type ContentType,
} from './ContentType.js';

/**
 * RFC 2046 §5.1.1 multipart body, as SIP carries it (RFC 5621; RFC 7866 SIPREC INVITEs):
 *
 *   preamble (ignored)
 *   --boundary [transport padding] CRLF
 *   Content-Type: application/sdp CRLF          ← part headers (RFC 2045), folding allowed
 *   Content-Disposition: session;handling=required CRLF
 *   CRLF
 *   v=0 …                                        ← part body; the CRLF before the next delimiter
 *   CRLF--boundary CRLF                            belongs to the delimiter
 *   …
 *   CRLF--boundary-- [transport padding]
 *   epilogue (ignored)
 *
 * A delimiter is a whole line: `--boundary`, then `--` for the last one, then only whitespace. Bare
 * LF line ends are accepted as well as CRLF (some SIP stacks send them); part bodies are returned
 * unchanged.
 */

export interface MultipartPart {
  /** Part headers, names lower-cased, folded lines joined, repeated headers joined by ", ". */
  readonly headers: ReadonlyMap<string, string>;
  readonly contentType: ContentType;
  readonly contentDisposition: ContentDisposition | null;
  /** `Content-ID` without its angle brackets, or null. */
  readonly contentId: string | null;
  readonly body: string;
}

export interface MultipartLimits {
  /** Most parts accepted. Default 16. */
  readonly maxParts?: number;
  /** Most bytes (UTF-8) of the whole body. Default 256 KiB. */
  readonly maxBytes?: number;
}

export const MULTIPART_DEFAULTS = { maxParts: 16, maxBytes: 256 * 1024 } as const;

const HEADER_NAME = /^[!#$%&'*+\-.0-9A-Z^_`a-z|~]+$/;

interface Line {
  readonly start: number;
  /** End of the line's text (before CR LF or LF). */
  readonly end: number;
  /** Start of the next line. */
  readonly next: number;
}

function* lines(text: string): Generator<Line> {
  let start = 0;
  while (start <= text.length) {
    const lf = text.indexOf('\n', start);
    if (lf < 0) {
      yield { start, end: text.length, next: text.length + 1 };
      return;
    }
    const end = lf > start && text[lf - 1] === '\r' ? lf - 1 : lf;
    yield { start, end, next: lf + 1 };
    start = lf + 1;
  }
}

/** 'open', 'close' or null: whether the line is a delimiter for the boundary. */
function delimiter(text: string, line: Line, dashBoundary: string): 'open' | 'close' | null {
  if (!text.startsWith(dashBoundary, line.start)) return null;
  let rest = text.slice(line.start + dashBoundary.length, line.end);
  let kind: 'open' | 'close' = 'open';
  if (rest.startsWith('--')) {
    kind = 'close';
    rest = rest.slice(2);
  }
  return /^[ \t]*$/.test(rest) ? kind : null;
}

/** Removes the line break that precedes a delimiter (it belongs to the delimiter). */
function withoutTrailingBreak(raw: string): string {
  if (raw.endsWith('\r\n')) return raw.slice(0, -2);
  if (raw.endsWith('\n')) return raw.slice(0, -1);
  return raw;
}

function parsePart(raw: string, index: number): MultipartPart {
  const headers = new Map<string, string>();
  let body = '';
  let last: string | null = null;
  for (const line of lines(raw)) {
    const text = raw.slice(line.start, line.end);
    if (text === '') {
      body = raw.slice(Math.min(line.next, raw.length));
      break;
    }
    if ((text.startsWith(' ') || text.startsWith('\t')) && last !== null) {
      headers.set(last, `${headers.get(last)!} ${text.trim()}`.trim());
      continue;
    }
    const colon = text.indexOf(':');
    const name = colon < 0 ? '' : text.slice(0, colon).trim();
    if (!HEADER_NAME.test(name)) {
      throw new MultipartError(
        'malformed-part',
        `part ${index + 1}: "${text.slice(0, 40)}" is not a header line`,
      );
    }
    const key = name.toLowerCase();
    const value = text.slice(colon + 1).trim();
    headers.set(key, headers.has(key) ? `${headers.get(key)!}, ${value}` : value);
    last = key;
  }
  const typeText = headers.get('content-type');
  if (typeText === undefined) {
    throw new MultipartError('part-without-content-type', `part ${index + 1} has no Content-Type`);
  }
  const contentType = parseContentType(typeText);
  if (!contentType) {
    throw new MultipartError('invalid-content-type', `part ${index + 1}: invalid Content-Type "${typeText}"`);
  }
  const dispositionText = headers.get('content-disposition');
  const contentDisposition = dispositionText === undefined ? null : parseContentDisposition(dispositionText);
  if (dispositionText !== undefined && !contentDisposition) {
    throw new MultipartError(
      'malformed-part',
      `part ${index + 1}: invalid Content-Disposition "${dispositionText}"`,
    );
  }
  const id = headers.get('content-id');
  const contentId = id === undefined ? null : id.replace(/^<(.*)>$/, '$1');
  return { headers, contentType, contentDisposition, contentId, body };
}

/**
 * Splits a multipart body. `contentType` is the message's Content-Type header value (the boundary
 * parameter may be quoted; parameter names are case-insensitive). Throws MultipartError.
 */
export function parseMultipart(
  contentType: string,
  body: string,
  limits: MultipartLimits = {},
): MultipartPart[] {
  const maxParts = limits.maxParts ?? MULTIPART_DEFAULTS.maxParts;
  const maxBytes = limits.maxBytes ?? MULTIPART_DEFAULTS.maxBytes;
  const type = parseContentType(contentType);
  if (!type) throw new MultipartError('invalid-content-type', `invalid Content-Type "${contentType}"`);
  if (type.type !== 'multipart')
    throw new MultipartError('not-multipart', `${type.mediaType} is not multipart`);
  const boundary = type.params.get('boundary');
  if (boundary === undefined || boundary === '') {
    throw new MultipartError('missing-boundary', `${type.mediaType} without a boundary parameter`);
  }
  if (Buffer.byteLength(body, 'utf8') > maxBytes) {
    throw new MultipartError('too-large', `multipart body larger than ${maxBytes} bytes`);
  }

  const dashBoundary = `--${boundary}`;
  const parts: MultipartPart[] = [];
  let partStart = -1; // start of the current part's text, -1 while in the preamble
  for (const line of lines(body)) {
    const kind = delimiter(body, line, dashBoundary);
    if (kind === null) continue;
    if (partStart < 0 && kind === 'close') {
      throw new MultipartError('no-opening-delimiter', 'the closing delimiter comes before any body part');
    }
    if (partStart >= 0) {
      if (parts.length >= maxParts) throw new MultipartError('too-large', `more than ${maxParts} body parts`);
      parts.push(parsePart(withoutTrailingBreak(body.slice(partStart, line.start)), parts.length));
    }
    if (kind === 'close') return parts;
    partStart = Math.min(line.next, body.length);
  }
  if (partStart < 0)
    throw new MultipartError('no-opening-delimiter', `the boundary "${boundary}" does not occur`);
  throw new MultipartError('no-closing-delimiter', `no closing delimiter "${dashBoundary}--"`);
}
