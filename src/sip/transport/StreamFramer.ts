import { SipParseError, declaredContentLength } from '../message/SipParser.js';
import { SipHeaders } from '../message/SipHeaders.js';

/** What the framer cut from the byte stream. */
export type FramedItem =
  | { readonly kind: 'message'; readonly data: Buffer }
  /** RFC 5626 §3.5.1 double-CRLF ping: the peer expects a single CRLF back. */
  | { readonly kind: 'ping' }
  /** The stream broke framing here (always the last item): answer it if possible, then close. */
  | { readonly kind: 'error'; readonly error: SipParseError };

export interface StreamFramerLimits {
  /** Largest header section; a peer that sends more without a blank line is cut off. */
  readonly maxHeaderBytes: number;
  /** Largest whole message (headers and body). */
  readonly maxMessageBytes: number;
}

export const DEFAULT_FRAMER_LIMITS: StreamFramerLimits = {
  maxHeaderBytes: 16 * 1024,
  maxMessageBytes: 64 * 1024,
};

const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Cuts SIP messages out of a TCP byte stream by Content-Length (RFC 3261 §18.3), incrementally: any
 * split of the input yields the same items. Pure: no sockets or timers. After an `error` item (no or
 * bad Content-Length, or a size cap exceeded) the stream cannot be resynchronised and must be closed;
 * pushing more throws.
 */
export class StreamFramer {
  readonly #limits: StreamFramerLimits;
  /** The bytes held: a view of #storage (or the last chunk pushed, until more arrives). */
  #buffer: Buffer = Buffer.alloc(0);
  /** Room for #buffer to grow into without copying it on every chunk. */
  #storage: Buffer = Buffer.alloc(0);
  /** How much of #buffer was already searched for the blank line ending the header section. */
  #searched = 0;
  /** The message whose header section is read and whose body is awaited: where it starts, its size. */
  #awaiting: { readonly start: number; readonly total: number } | null = null;
  #failed = false;

  constructor(limits: StreamFramerLimits = DEFAULT_FRAMER_LIMITS) {
    this.#limits = limits;
  }

  push(chunk: Buffer): FramedItem[] {
    if (this.#failed) throw new SipParseError('stream framing already failed');
    this.#append(chunk);
    const items: FramedItem[] = [];
    try {
      for (;;) {
        const item = this.#next();
        if (!item) break;
        items.push(item);
      }
    } catch (err) {
      this.#failed = true;
      this.#buffer = this.#storage = Buffer.alloc(0);
      if (!(err instanceof SipParseError)) throw err;
      // The messages cut before the break are still delivered, as they would be in another split.
      items.push({ kind: 'error', error: err });
    }
    return items;
  }

  /** True when part of a message is held (not only the CRLFs of keep-alives between messages). */
  get holdsPartialMessage(): boolean {
    // Stops at the first byte of a message, which is at most a few CRLFs in.
    return this.#buffer.findIndex((b) => b !== 0x0d && b !== 0x0a) >= 0;
  }

  /** Bytes held waiting for the rest of a message. */
  get pending(): number {
    return this.#buffer.length;
  }

  /**
   * Appends in amortised constant time per byte: a peer that sends a message one byte per segment
   * must not make each byte cost a copy of everything held (nor a new parse of the header section).
   */
  #append(chunk: Buffer): void {
    const held = this.#buffer.length;
    if (held === 0) {
      this.#buffer = chunk;
      return;
    }
    const offset = this.#buffer.byteOffset - this.#storage.byteOffset;
    const inStorage = this.#buffer.buffer === this.#storage.buffer && offset >= 0;
    if (inStorage && offset + held + chunk.length <= this.#storage.length) {
      chunk.copy(this.#storage, offset + held);
      this.#buffer = this.#storage.subarray(offset, offset + held + chunk.length);
      return;
    }
    const storage = Buffer.allocUnsafe(Math.max(2 * (held + chunk.length), 4096));
    this.#buffer.copy(storage, 0);
    chunk.copy(storage, held);
    this.#storage = storage;
    this.#buffer = storage.subarray(0, held + chunk.length);
  }

  /** Drops the first `count` bytes held (a ping, or a message cut out). */
  #consume(count: number): void {
    this.#buffer = this.#buffer.subarray(count);
    this.#searched = 0;
    this.#awaiting = null;
  }

  #next(): FramedItem | null {
    // Keep-alives and stray CRLFs between messages (RFC 3261 §7.5 lets receivers ignore them).
    let start = 0;
    while (
      start + 1 < this.#buffer.length &&
      this.#buffer[start] === 0x0d &&
      this.#buffer[start + 1] === 0x0a
    ) {
      start += 2;
    }
    if (start >= 4) {
      // One ping is exactly CRLFCRLF: a run of them is as many pings however it was split.
      this.#consume(4);
      return { kind: 'ping' };
    }
    if (start === this.#buffer.length) return null;
    if (this.#awaiting) return this.#cut(this.#awaiting.start, this.#awaiting.total);
    const end = this.#buffer.indexOf(CRLFCRLF, Math.max(start, this.#searched - 3));
    if (end < 0) {
      this.#searched = this.#buffer.length;
      // The last 3 bytes may be the start of the blank line: only more than that proves the cap broken.
      if (this.#buffer.length - start > this.#limits.maxHeaderBytes + 3)
        throw new SipParseError(`header section longer than ${this.#limits.maxHeaderBytes} bytes`, 513);
      return null;
    }
    if (end - start > this.#limits.maxHeaderBytes)
      throw new SipParseError(`header section longer than ${this.#limits.maxHeaderBytes} bytes`, 513);
    const [startLine = '', ...lines] = this.#buffer.subarray(start, end).toString('utf8').split('\r\n');
    const headers = new SipHeaders();
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith(' ') && !line.startsWith('\t'))
        headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    // What was read, so that the request can still be answered before the connection closes.
    const partial = {
      method: /^[A-Z]+ \S+ SIP\/2\.0$/i.test(startLine) ? startLine.split(' ')[0]! : null,
      headers,
    };
    const length = declaredContentLength(headers, partial.method);
    if (length === null)
      throw new SipParseError('Content-Length is mandatory on stream transports', 400, partial);
    const total = end + 4 + length - start;
    if (total > this.#limits.maxMessageBytes)
      throw new SipParseError(
        `message of ${total} bytes exceeds ${this.#limits.maxMessageBytes}`,
        513,
        partial,
      );
    return this.#cut(start, total);
  }

  /** The message at `start` if all its `total` bytes are held; else waits, remembering its size. */
  #cut(start: number, total: number): FramedItem | null {
    if (this.#buffer.length < start + total) {
      this.#awaiting = { start, total };
      return null;
    }
    // A copy: the storage it was cut from is reused for the bytes that follow.
    const data = Buffer.from(this.#buffer.subarray(start, start + total));
    this.#consume(start + total);
    return { kind: 'message', data };
  }
}
