import { SipHeaders } from '../message/SipHeaders.js';
import { SipRequest, type SipResponse } from '../message/SipMessage.js';
import type { SipFlow } from '../transport/TransportTypes.js';
import { RetransmitSchedule, type SipTimers } from './Timers.js';
import { errorMessage } from '../../platform/errors.js';

export interface ClientTransactionContext {
  readonly timers: SipTimers;
  send(data: Buffer, flow: SipFlow): Promise<void>;
  terminated(key: string): void;
}

/** Client transaction key: our branch and the method (responses carry both back in Via and CSeq). */
export function clientTransactionKey(branch: string, method: string): string {
  return `${branch}|${method}`;
}

/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2), used for the BYE Callsight sends when it hangs
 * up. `response` resolves with the final response, or null on Timer F (no answer in 64·T1) or when
 * the request could not be sent at all.
 */
export class NonInviteClientTransaction {
  readonly key: string;
  readonly response: Promise<SipResponse | null>;
  readonly #schedule: RetransmitSchedule;
  readonly #context: ClientTransactionContext;
  #resolve!: (response: SipResponse | null) => void;
  #done = false;

  constructor(request: SipRequest, flow: SipFlow, context: ClientTransactionContext) {
    this.key = clientTransactionKey(request.topVia.branch ?? '', request.method);
    this.#context = context;
    this.response = new Promise((resolve) => (this.#resolve = resolve));
    const data = request.serialize();
    const send = () => {
      context.send(data, flow).catch(() => this.#finish(null));
    };
    send();
    this.#schedule = new RetransmitSchedule(context.timers, flow.transport === 'udp' ? send : null, () =>
      this.#finish(null),
    );
  }

  receive(response: SipResponse): void {
    if (response.status >= 200) this.#finish(response);
  }

  #finish(response: SipResponse | null): void {
    if (this.#done) return;
    this.#done = true;
    this.#schedule.stop();
    this.#context.terminated(this.key);
    this.#resolve(response);
  }

  /** Gives up waiting (shutdown). */
  abandon(): void {
    this.#finish(null);
  }
}

/** What an INVITE client transaction ends with. */
export type InviteOutcome =
  | { readonly kind: 'response'; readonly response: SipResponse }
  /** Timer B: no final response in 64·T1 (or the caller's own deadline). */
  | { readonly kind: 'timeout' }
  /** The request could not be sent (TCP connection refused, no route). */
  | { readonly kind: 'unreachable'; readonly error: string };

export interface InviteClientCallbacks {
  /** Every 1xx, in order. */
  readonly provisional: (response: SipResponse) => void;
  /** A 2xx that arrives again after the first (the TU must ACK it again, RFC 3261 §13.2.2.4). */
  readonly retransmitted2xx: (response: SipResponse) => void;
}

/**
 * INVITE client transaction (RFC 3261 §17.1.1, with RFC 6026's Accepted state): Timer A
 * retransmissions over UDP until a response, Timer B after 64·T1; a non-2xx final response is
 * ACKed here (same branch) and its retransmissions absorbed; 2xx responses go to the TU, which ACKs
 * them in the dialog.
 */
export class InviteClientTransaction {
  readonly key: string;
  readonly request: SipRequest;
  readonly flow: SipFlow;
  /** Resolves once, with the first final response (or a timeout or send failure). */
  readonly outcome: Promise<InviteOutcome>;
  readonly #context: ClientTransactionContext;
  readonly #callbacks: InviteClientCallbacks;
  readonly #schedule: RetransmitSchedule;
  #resolve!: (outcome: InviteOutcome) => void;
  #state: 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated' = 'calling';
  #ack: Buffer | null = null;
  #linger: NodeJS.Timeout | null = null;

  constructor(
    request: SipRequest,
    flow: SipFlow,
    context: ClientTransactionContext,
    callbacks: InviteClientCallbacks,
  ) {
    this.key = clientTransactionKey(request.topVia.branch ?? '', 'INVITE');
    this.request = request;
    this.flow = flow;
    this.#context = context;
    this.#callbacks = callbacks;
    this.outcome = new Promise((resolve) => (this.#resolve = resolve));
    const data = request.serialize();
    const send = () => {
      context
        .send(data, flow)
        .catch((err: unknown) => this.#finish({ kind: 'unreachable', error: errorMessage(err) }));
    };
    send();
    this.#schedule = new RetransmitSchedule(
      { ...context.timers, t2: Number.POSITIVE_INFINITY },
      flow.transport === 'udp' ? send : null,
      () => this.#finish({ kind: 'timeout' }),
    );
  }

  get proceeding(): boolean {
    return this.#state === 'proceeding';
  }

  receive(response: SipResponse): void {
    if (this.#state === 'terminated') return;
    if (response.status < 200) {
      if (this.#state !== 'calling' && this.#state !== 'proceeding') return;
      // A provisional response stops Timers A and B: the callee may ring for as long as it likes;
      // how long to wait for an answer is the TU's decision (RFC 3261 §17.1.1.2).
      this.#schedule.stop();
      this.#state = 'proceeding';
      this.#callbacks.provisional(response);
      return;
    }
    if (response.status < 300) {
      if (this.#state === 'accepted') {
        this.#callbacks.retransmitted2xx(response);
        return;
      }
      if (this.#state === 'completed') return;
      this.#state = 'accepted';
      this.#linger = setTimeout(() => this.#terminate(), 64 * this.#context.timers.t1);
      this.#resolve({ kind: 'response', response });
      this.#schedule.stop();
      return;
    }
    if (this.#state === 'completed') {
      if (this.#ack) void this.#context.send(this.#ack, this.flow).catch(() => undefined);
      return;
    }
    if (this.#state === 'accepted') return;
    this.#state = 'completed';
    this.#schedule.stop();
    this.#ack = ackForFailure(this.request, response).serialize();
    void this.#context.send(this.#ack, this.flow).catch(() => undefined);
    this.#resolve({ kind: 'response', response });
    // Timer D: absorb retransmitted final responses for 32 s over UDP (re-ACKing them), none on TCP.
    this.#linger = setTimeout(
      () => this.#terminate(),
      this.flow.transport === 'udp' ? 64 * this.#context.timers.t1 : 0,
    );
  }

  #finish(outcome: InviteOutcome): void {
    if (this.#state === 'terminated' || this.#state === 'completed' || this.#state === 'accepted') return;
    this.#resolve(outcome);
    this.#terminate();
  }

  #terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#schedule.stop();
    if (this.#linger) clearTimeout(this.#linger);
    this.#context.terminated(this.key);
  }

  /** Gives up (shutdown, or the caller's deadline passed): no more retransmissions. */
  abandon(): void {
    this.#finish({ kind: 'timeout' });
    this.#terminate();
  }
}

/** The ACK for a non-2xx final response: part of the INVITE transaction (RFC 3261 §17.1.1.3). */
function ackForFailure(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new SipHeaders();
  headers.append('via', invite.headers.getAll('via')[0]!);
  for (const route of invite.headers.getAll('route')) headers.append('route', route);
  headers.append('max-forwards', '70');
  headers.append('from', invite.headers.get('from')!);
  headers.append('to', response.headers.get('to')!);
  headers.append('call-id', invite.callId);
  headers.append('cseq', `${invite.cseq.seq} ACK`);
  return new SipRequest('ACK', invite.uri, headers);
}

/**
 * CANCEL for a pending INVITE (RFC 3261 §9.1): same Request-URI, Call-ID, From, To, top Via (so the
 * same branch) and CSeq number as the INVITE.
 */
export function cancelFor(invite: SipRequest): SipRequest {
  const headers = new SipHeaders();
  headers.append('via', invite.headers.getAll('via')[0]!);
  for (const route of invite.headers.getAll('route')) headers.append('route', route);
  headers.append('max-forwards', '70');
  headers.append('from', invite.headers.get('from')!);
  headers.append('to', invite.headers.get('to')!);
  headers.append('call-id', invite.callId);
  headers.append('cseq', `${invite.cseq.seq} CANCEL`);
  return new SipRequest('CANCEL', invite.uri, headers);
}
