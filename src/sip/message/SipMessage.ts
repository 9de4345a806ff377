import { randomBytes } from 'node:crypto';
import {
  parseCSeq,
  parseNameAddr,
  parseVia,
  splitList,
  type CSeq,
  type NameAddr,
  type Via,
} from './HeaderValues.js';
import { SipHeaders } from './SipHeaders.js';

const EMPTY: Buffer = Buffer.alloc(0);

/** RFC 3261 §8.1.1.7: branches starting with this cookie are unique per transaction. */
export const BRANCH_COOKIE = 'z9hG4bK';

export function newBranch(): string {
  return `${BRANCH_COOKIE}${randomBytes(10).toString('hex')}`;
}

export function newTag(): string {
  return randomBytes(6).toString('hex');
}

/**
 * What every request and response carries and the transaction layer reads (RFC 3261 §8.1.1).
 * For parsed messages the parser has already checked these; for built messages a missing or
 * malformed header is a programming error and throws.
 */
abstract class SipMessageBase {
  readonly headers: SipHeaders;
  readonly body: Buffer;
  #vias: Via[] | null = null;
  #from: NameAddr | null = null;
  #to: NameAddr | null = null;
  #cseq: CSeq | null = null;

  constructor(headers: SipHeaders, body: Buffer) {
    this.headers = headers;
    this.body = body;
  }

  get callId(): string {
    return this.#required('call-id').trim();
  }

  get cseq(): CSeq {
    this.#cseq ??= parseCSeq(this.#required('cseq')) ?? this.#invalid('CSeq');
    return this.#cseq;
  }

  get vias(): readonly Via[] {
    this.#vias ??= this.headers
      .getAll('via')
      .flatMap(splitList)
      .map((v) => parseVia(v) ?? this.#invalid('Via'));
    return this.#vias;
  }

  get topVia(): Via {
    return this.vias[0] ?? this.#invalid('Via');
  }

  get from(): NameAddr {
    this.#from ??= parseNameAddr(this.#required('from')) ?? this.#invalid('From');
    return this.#from;
  }

  get to(): NameAddr {
    this.#to ??= parseNameAddr(this.#required('to')) ?? this.#invalid('To');
    return this.#to;
  }

  get fromTag(): string | null {
    return this.from.params.get('tag') ?? null;
  }

  get toTag(): string | null {
    return this.to.params.get('tag') ?? null;
  }

  get contentType(): string | null {
    return this.headers.get('content-type')?.trim() ?? null;
  }

  protected abstract startLine(): string;

  /** Wire form; Content-Length is always written and always matches the body. */
  serialize(): Buffer {
    this.headers.set('content-length', String(this.body.length));
    const head = Buffer.from(`${this.startLine()}\r\n${this.headers.serialize()}\r\n`, 'utf8');
    return this.body.length === 0 ? head : Buffer.concat([head, this.body]);
  }

  toString(): string {
    return this.serialize().toString('utf8');
  }

  #required(name: string): string {
    return this.headers.get(name) ?? this.#invalid(name);
  }

  #invalid(name: string): never {
    throw new Error(`SIP message has no valid ${name} header`);
  }
}

export class SipRequest extends SipMessageBase {
  readonly method: string;
  readonly uri: string;

  constructor(method: string, uri: string, headers: SipHeaders, body: Buffer = EMPTY) {
    super(headers, body);
    this.method = method;
    this.uri = uri;
  }

  protected startLine(): string {
    return `${this.method} ${this.uri} SIP/2.0`;
  }
}

export class SipResponse extends SipMessageBase {
  readonly status: number;
  readonly reason: string;

  constructor(status: number, reason: string, headers: SipHeaders, body: Buffer = EMPTY) {
    super(headers, body);
    this.status = status;
    this.reason = reason;
  }

  protected startLine(): string {
    return `SIP/2.0 ${this.status} ${this.reason}`;
  }
}

export type SipMessage = SipRequest | SipResponse;

export interface ResponseOptions {
  /** Added to To when the request's To has no tag (every response but 100 must carry one). */
  readonly toTag?: string;
  readonly headers?: Iterable<readonly [string, string]>;
  readonly body?: { contentType: string; content: string | Buffer };
}

/**
 * A response to `request` (RFC 3261 §8.2.6): Via, From, Call-ID and CSeq copied, To copied with our
 * tag added. Works for requests the parser accepted only partly (for 400s), copying what is there.
 */
export function responseTo(
  request: { headers: SipHeaders },
  status: number,
  reason: string,
  options: ResponseOptions = {},
): SipResponse {
  const headers = new SipHeaders();
  for (const name of ['via', 'from', 'to', 'call-id', 'cseq']) {
    for (const value of request.headers.getAll(name)) {
      const needsTag =
        name === 'to' && status !== 100 && options.toTag !== undefined && !/;\s*tag\s*=/i.test(value);
      headers.append(name, needsTag ? `${value};tag=${options.toTag}` : value);
    }
  }
  for (const [name, value] of options.headers ?? []) headers.append(name, value);
  let body: Buffer = EMPTY;
  if (options.body) {
    headers.set('content-type', options.body.contentType);
    body = Buffer.isBuffer(options.body.content)
      ? options.body.content
      : Buffer.from(options.body.content, 'utf8');
  }
  return new SipResponse(status, reason, headers, body);
}

/** Standard reason phrases for the statuses Callsight sends. */
export const REASON: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  513: 'Message Too Large',
};
