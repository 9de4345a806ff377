import { CallsightError } from '../../platform/errors.js';
import { parseCSeq, parseNameAddr, parseVia, splitList } from './HeaderValues.js';
import { SipHeaders } from './SipHeaders.js';
import { SipRequest, SipResponse, type SipMessage } from './SipMessage.js';
import { parseSipUri } from './SipUri.js';

/** Most headers one message may carry; more is an attack or a broken peer, not a call. */
const MAX_HEADERS = 256;
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const HEADER_LINE = /^([A-Za-z0-9\-.!%*_+`'~]+)[ \t]*:[ \t]*(.*)$/;

/**
 * A message that breaks RFC 3261's grammar. `status` is the response a UAS owes for it (400, or 505
 * for another SIP version, 416 for a non-SIP Request-URI, 513 for one over the size limits, whose
 * code is then CS_ERR_SIP_TOO_LARGE); `partial` holds what could be read, so a request can still be
 * answered when its Via, From, To, Call-ID and CSeq are intact.
 */
export class SipParseError extends CallsightError {
  override name = 'SipParseError';
  readonly sipStatus: number;
  readonly partial: { method: string | null; headers: SipHeaders } | null;

  constructor(
    message: string,
    sipStatus = 400,
    partial: { method: string | null; headers: SipHeaders } | null = null,
  ) {
    super(sipStatus === 513 ? 'CS_ERR_SIP_TOO_LARGE' : 'CS_ERR_SIP_PARSE', message);
    this.sipStatus = sipStatus;
    this.partial = partial;
  }

  /** True when a response can be routed back and matched: the request's top Via and CSeq parsed. */
  get answerable(): boolean {
    const headers = this.partial?.headers;
    if (!this.partial?.method || this.partial.method === 'ACK' || !headers) return false;
    // Via and CSeq are what the sender's transaction matches a response on (RFC 3261 §17.1.3); a
    // request without From, To or Call-ID still gets its 400 (RFC 4475 §3.3.1).
    // A Via of another SIP version still routes its 505 back (RFC 4475 §3.1.2.16), and one with broken
    // parameters its 400 (§3.1.2.1): the response copies the Via as it came.
    const via = splitList(headers.get('via') ?? '')[0]
      ?.replace(/^SIP\s*\/\s*\d+\.\d+/i, 'SIP/2.0')
      .replace(/;.*$/, '');
    return via !== undefined && parseVia(via) !== null && headers.has('cseq');
  }
}

/** Header section: unfold continuation lines (RFC 3261 §7.3.1) and split name from value. */
function parseHeaderLines(lines: readonly string[]): SipHeaders {
  const headers = new SipHeaders();
  let pending: [string, string] | null = null;
  let count = 0;
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (!pending) throw new SipParseError('continuation line before the first header');
      pending[1] += ` ${line.trim()}`;
      continue;
    }
    if (pending) headers.append(pending[0], pending[1].trim());
    const match = HEADER_LINE.exec(line);
    if (!match)
      throw new SipParseError(`malformed header line "${line.slice(0, 60)}"`, 400, { method: null, headers });
    if (++count > MAX_HEADERS)
      throw new SipParseError(`more than ${MAX_HEADERS} headers`, 400, { method: null, headers });
    pending = [match[1]!, match[2]!];
  }
  if (pending) headers.append(pending[0], pending[1].trim());
  return headers;
}

/** Checks the headers every request and response needs (RFC 3261 §8.1.1) and their grammar. */
function checkCoreHeaders(headers: SipHeaders, method: string | null): void {
  const fail = (message: string): never => {
    throw new SipParseError(message, 400, { method, headers });
  };
  const vias = headers.getAll('via').flatMap(splitList);
  if (vias.length === 0) fail('missing Via');
  for (const via of vias) if (!parseVia(via)) fail(`malformed Via "${via.slice(0, 80)}"`);
  for (const name of ['from', 'to'] as const) {
    const values = headers.getAll(name);
    if (values.length !== 1) fail(values.length === 0 ? `missing ${name}` : `more than one ${name} header`);
    if (!parseNameAddr(values[0]!)) fail(`malformed ${name} "${values[0]!.slice(0, 80)}"`);
  }
  const callIds = headers.getAll('call-id');
  if (callIds.length !== 1 || !/^[!-~]+$/.test(callIds[0]!)) fail('missing or malformed Call-ID');
  const cseqs = headers.getAll('cseq');
  const cseq = cseqs.length === 1 ? parseCSeq(cseqs[0]!) : null;
  if (!cseq) fail('missing or malformed CSeq');
  if (method !== null && cseq!.method !== method)
    fail(`CSeq method ${cseq!.method} does not match ${method}`);
  const maxForwards = headers.get('max-forwards');
  // 1*DIGIT with leading zeros allowed (RFC 4475 §3.1.1.1 sends 0068), at most 255 (§3.1.2.4).
  if (maxForwards !== undefined && !(/^\d{1,10}$/.test(maxForwards.trim()) && Number(maxForwards) <= 255))
    fail('malformed Max-Forwards');
}

/**
 * The declared Content-Length, or null when absent; several differing values are malformed. `method`
 * is the request's (null for a response), so that a request with a bad Content-Length can be answered.
 */
export function declaredContentLength(headers: SipHeaders, method: string | null = null): number | null {
  const values = headers.getAll('content-length').map((v) => v.trim());
  if (values.length === 0) return null;
  if (!values.every((v) => /^\d{1,9}$/.test(v)) || new Set(values.map(Number)).size !== 1)
    throw new SipParseError('malformed Content-Length', 400, { method, headers });
  return Number(values[0]);
}

/**
 * Parses one whole SIP message (a UDP datagram, or a frame cut by the stream framer) strictly:
 * CRLF line ends, SIP/2.0 only, every core header present and well-formed, Content-Length true.
 * On a datagram, bytes beyond Content-Length are dropped (RFC 3261 §18.3); fewer is an error.
 */
export function parseSipMessage(data: Buffer): SipMessage {
  const split = data.indexOf('\r\n\r\n');
  if (split < 0) throw new SipParseError('no blank line after the headers');
  const head = data.subarray(0, split).toString('utf8');
  // A NUL is legal only escaped in a quoted string (quoted-pair, RFC 3261 §25.1; RFC 4475 §3.1.1.2).
  if (head.replace(/\\[\0-\x7f]/g, '').includes('\0'))
    throw new SipParseError('NUL byte in the header section');
  const lines = head.split('\r\n');
  if (lines.some((line) => line.includes('\n') || line.includes('\r')))
    throw new SipParseError('bare CR or LF in the header section (lines must end with CRLF)');
  const startLine = lines[0]!;
  const headers = parseHeaderLines(lines.slice(1));

  let request: { method: string; uri: string } | null = null;
  let response: { status: number; reason: string } | null = null;
  const responseMatch = /^SIP\/2\.0 ([1-6]\d\d) ([^\r\n]*)$/i.exec(startLine);
  if (responseMatch) {
    response = { status: Number(responseMatch[1]), reason: responseMatch[2]! };
  } else {
    const parts = startLine.split(' ');
    if (parts.length !== 3) {
      // Extra spaces (RFC 4475 §3.1.2.8–10): still a request that can be answered 400.
      const method = TOKEN.test(parts[0] ?? '') ? parts[0]! : null;
      throw new SipParseError(`malformed start line "${startLine.slice(0, 80)}"`, 400, { method, headers });
    }
    const [method, uri, version] = parts as [string, string, string];
    if (!TOKEN.test(method)) throw new SipParseError(`malformed method "${method.slice(0, 20)}"`);
    if (!/^SIP\/\d+\.\d+$/i.test(version))
      throw new SipParseError(`malformed version "${version.slice(0, 20)}"`, 400, { method, headers });
    if (version.toUpperCase() !== 'SIP/2.0')
      throw new SipParseError(`SIP version ${version} is not supported`, 505, { method, headers });
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uri))
      throw new SipParseError(`malformed Request-URI "${uri.slice(0, 80)}"`, 400, { method, headers });
    if (!/^sips?:/i.test(uri))
      throw new SipParseError(`Request-URI scheme of "${uri.slice(0, 80)}" is not supported`, 416, {
        method,
        headers,
      });
    const parsedUri = parseSipUri(uri);
    if (!parsedUri)
      throw new SipParseError(`malformed Request-URI "${uri.slice(0, 80)}"`, 400, { method, headers });
    // RFC 3261 §19.1.1: URI headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
    if (parsedUri.headers !== null)
      throw new SipParseError('Request-URI carries URI headers', 400, { method, headers });
    request = { method, uri };
  }
  const method = request?.method ?? null;
  checkCoreHeaders(headers, method);

  let body = data.subarray(split + 4);
  const length = declaredContentLength(headers, method);
  if (length !== null) {
    if (body.length < length)
      throw new SipParseError(`body is ${body.length} bytes, Content-Length says ${length}`, 400, {
        method,
        headers,
      });
    body = body.subarray(0, length);
  }
  // Copy out of the receive buffer: the message outlives the datagram or stream chunk it came in.
  const ownBody = Buffer.from(body);
  return request
    ? new SipRequest(request.method, request.uri, headers, ownBody)
    : new SipResponse(response!.status, response!.reason, headers, ownBody);
}
