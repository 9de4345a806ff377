import { randomUUID } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import {
  SipRequest,
  SipResponse,
  newBranch,
  newTag,
  type SipMessage,
} from '../../../src/sip/message/SipMessage.js';
import { parseSipMessage } from '../../../src/sip/message/SipParser.js';
import { StreamFramer } from '../../../src/sip/transport/StreamFramer.js';

/** A PCMU offer with telephone-event, as a trunk sends it. */
export const OFFER = [
  'v=0',
  'o=peer 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  '',
].join('\r\n');

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Wire text written with `\n` line ends, sent with CRLF. */
export function wire(text: string): Buffer {
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8');
}

export interface Received {
  readonly message: SipMessage;
  readonly at: number;
}

export const isResponse =
  (status: number, method?: string) =>
  (m: SipMessage): m is SipResponse =>
    m instanceof SipResponse && m.status === status && (method === undefined || m.cseq.method === method);

export const isRequest =
  (method: string) =>
  (m: SipMessage): m is SipRequest =>
    m instanceof SipRequest && m.method === method;

/**
 * A SIP peer on a real loopback socket that keeps everything it receives. `next` hands out each
 * matching message once, in arrival order; `count` looks at everything received so far.
 */
export abstract class SipPeer {
  readonly received: Received[] = [];
  readonly #taken = new Set<Received>();
  readonly #waiters = new Set<() => void>();
  abstract readonly transport: 'UDP' | 'TCP';
  abstract readonly port: number;

  protected deliver(data: Buffer): void {
    let message: SipMessage;
    try {
      message = parseSipMessage(data);
    } catch {
      return;
    }
    this.received.push({ message, at: Date.now() });
    for (const wake of this.#waiters) wake();
  }

  abstract send(data: Buffer | string): void;
  abstract close(): Promise<void>;

  async next<T extends SipMessage>(
    predicate: (m: SipMessage) => m is T,
    timeoutMs = 3000,
    what = 'a message',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find((r) => !this.#taken.has(r) && predicate(r.message));
      if (found) {
        this.#taken.add(found);
        return found.message as T;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const got = this.received.map((r) => startLine(r.message)).join(', ');
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received: ${got || 'nothing'}`);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  /** Everything received that matches, taken or not. */
  all<T extends SipMessage>(predicate: (m: SipMessage) => m is T): T[] {
    return this.received.filter((r) => predicate(r.message)).map((r) => r.message as T);
  }

  arrivals(predicate: (m: SipMessage) => boolean): number[] {
    return this.received.filter((r) => predicate(r.message)).map((r) => r.at);
  }
}

export function startLine(m: SipMessage): string {
  return m instanceof SipRequest ? `${m.method} (CSeq ${m.cseq.seq})` : `${m.status} ${m.cseq.method}`;
}

export class UdpPeer extends SipPeer {
  readonly transport = 'UDP' as const;
  readonly #socket: UdpSocket;
  #target: number;

  private constructor(socket: UdpSocket, target: number) {
    super();
    this.#socket = socket;
    this.#target = target;
    socket.on('message', (data) => this.deliver(data));
  }

  /** `local` is the address to send from: any of 127/8 works on Linux (e.g. 127.0.0.2, a second host). */
  static async open(target: number, local = '127.0.0.1'): Promise<UdpPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, local, resolve));
    return new UdpPeer(socket, target);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  send(data: Buffer | string): void {
    this.#socket.send(typeof data === 'string' ? wire(data) : data, this.#target, '127.0.0.1');
  }

  /** Sends to another port from now on (a peer whose own port had to be known first). */
  retarget(port: number): void {
    this.#target = port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

export class TcpPeer extends SipPeer {
  readonly transport = 'TCP' as const;
  readonly socket: TcpSocket;
  /** Resolves when the server closed the connection (or it broke). */
  readonly ended: Promise<void>;
  readonly #framer = new StreamFramer();

  private constructor(socket: TcpSocket) {
    super();
    this.socket = socket;
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      for (const item of this.#framer.push(chunk)) if (item.kind === 'message') this.deliver(item.data);
    });
    socket.on('error', () => {});
  }

  static async open(target: number): Promise<TcpPeer> {
    const socket = connect({ host: '127.0.0.1', port: target });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new TcpPeer(socket);
  }

  get port(): number {
    return this.socket.localPort ?? 0;
  }

  send(data: Buffer | string): void {
    this.socket.write(typeof data === 'string' ? wire(data) : data);
  }

  async close(): Promise<void> {
    this.socket.destroy();
    await this.ended;
  }
}

export interface RequestParts {
  readonly method: string;
  readonly uri?: string;
  readonly branch: string;
  readonly cseq: number;
  readonly cseqMethod?: string;
  readonly to: string;
  readonly headers?: readonly string[];
  readonly body?: string;
}

/**
 * One call as a trunk places it: keeps the Call-ID, tags, branch and CSeq, and writes the wire text
 * of each request, so that a test reads as the exchange it checks.
 */
export class PeerCall {
  readonly callId: string;
  readonly fromTag: string;
  readonly inviteBranch = newBranch();
  readonly inviteSeq = 1;
  readonly from: string;
  /** The To header of requests: with Callsight's tag once a response carried one. */
  to = '<sip:+15550100@127.0.0.1>';
  /** The Via sent-by of requests; a peer behind NAT puts its private address here. */
  viaSentBy: string | null = null;
  #seq = 1;

  /** `same` copies another call's Call-ID and From tag: a second INVITE of the same call (a fork). */
  constructor(
    readonly peer: SipPeer,
    same?: PeerCall,
  ) {
    this.callId = same?.callId ?? `${randomUUID()}@127.0.0.1`;
    this.fromTag = same?.fromTag ?? newTag();
    this.from = `"Caller" <sip:+15550111@127.0.0.1:${peer.port}>;tag=${this.fromTag}`;
  }

  /** The next message of this call (by Call-ID) that matches. */
  next<T extends SipMessage>(
    predicate: (m: SipMessage) => m is T,
    timeoutMs?: number,
    what?: string,
  ): Promise<T> {
    return this.peer.next((m): m is T => m.callId === this.callId && predicate(m), timeoutMs, what);
  }

  request(parts: RequestParts): Buffer {
    const body = parts.body ?? '';
    const lines = [
      `${parts.method} ${parts.uri ?? 'sip:+15550100@127.0.0.1'} SIP/2.0`,
      `Via: SIP/2.0/${this.peer.transport} ${this.viaSentBy ?? `127.0.0.1:${this.peer.port}`};branch=${parts.branch};rport`,
      'Max-Forwards: 70',
      `From: ${this.from}`,
      `To: ${parts.to}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${parts.cseq} ${parts.cseqMethod ?? parts.method}`,
      `Contact: <sip:peer@127.0.0.1:${this.peer.port}${this.peer.transport === 'TCP' ? ';transport=tcp' : ''}>`,
      ...(parts.headers ?? []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      '',
    ];
    return Buffer.concat([Buffer.from(lines.join('\r\n')), Buffer.from(body)]);
  }

  invite(options: { headers?: readonly string[]; body?: string } = {}): Buffer {
    return this.request({
      method: 'INVITE',
      branch: this.inviteBranch,
      cseq: this.inviteSeq,
      to: '<sip:+15550100@127.0.0.1>',
      headers: ['Content-Type: application/sdp', ...(options.headers ?? [])],
      body: options.body ?? OFFER,
    });
  }

  cancel(): Buffer {
    return this.request({
      method: 'CANCEL',
      branch: this.inviteBranch,
      cseq: this.inviteSeq,
      to: '<sip:+15550100@127.0.0.1>',
    });
  }

  /** ACK for a non-2xx final response: part of the INVITE transaction (same branch). */
  ackFailure(response: SipResponse): Buffer {
    return this.request({
      method: 'ACK',
      branch: this.inviteBranch,
      cseq: this.inviteSeq,
      to: response.headers.get('to')!,
    });
  }

  /** ACK for a 2xx: a transaction of its own, sent to the Contact (RFC 3261 §13.2.2.4). */
  ackOk(ok: SipResponse): Buffer {
    this.to = ok.headers.get('to')!;
    return this.request({
      method: 'ACK',
      uri: contactUri(ok),
      branch: newBranch(),
      cseq: this.inviteSeq,
      to: this.to,
    });
  }

  /** A new in-dialog request (BYE, INFO, re-INVITE) with the next CSeq. */
  inDialog(method: string, options: { headers?: readonly string[]; body?: string } = {}): Buffer {
    return this.request({ method, branch: newBranch(), cseq: ++this.#seq, to: this.to, ...options });
  }

  /** Our 200 OK to a request Callsight sent (its BYE). */
  static ok(request: SipRequest): Buffer {
    const copy = ['via', 'from', 'to', 'call-id', 'cseq'].flatMap((name) =>
      request.headers.getAll(name).map((value) => `${name}: ${value}`),
    );
    return wire(['SIP/2.0 200 OK', ...copy, 'Content-Length: 0', '', ''].join('\n'));
  }
}

export function contactUri(response: SipResponse): string {
  const contact = response.headers.get('contact') ?? '';
  return /<([^>]+)>/.exec(contact)?.[1] ?? contact;
}
