import { countResponse, observeAnswer } from '../SipTraffic.js';
import type { SipRequest, SipResponse } from '../message/SipMessage.js';
import { stampReceived } from '../message/ViaReceived.js';
import type { SipFlow } from '../transport/TransportTypes.js';
import { RetransmitSchedule, type SipTimers } from './Timers.js';

export interface TransactionContext {
  readonly timers: SipTimers;
  /** Sends bytes back along the flow the request came on. */
  send(data: Buffer, flow: SipFlow): void;
  /** Called once when the transaction ends, so the layer can forget it. */
  terminated(key: string): void;
}

/**
 * Server transaction key (RFC 3261 §17.2.3): the top Via's branch and sent-by, and the method, with
 * ACK folded into INVITE so a non-2xx ACK finds its transaction (CANCEL passes 'INVITE' to find the
 * INVITE it cancels).
 */
export function serverTransactionKey(
  request: SipRequest,
  method = request.method === 'ACK' ? 'INVITE' : request.method,
): string {
  const via = request.topVia;
  // RFC 2543 peers have no magic cookie: fall back to the dialog-and-sequence identity (§17.2.3).
  const branch = via.branch?.startsWith('z9hG4bK')
    ? via.branch
    : `2543:${request.callId}:${request.fromTag ?? ''}:${request.cseq.seq}`;
  return `${branch}|${via.host}:${via.port ?? ''}|${method}`;
}

abstract class ServerTransactionBase {
  readonly key: string;
  /** When the request arrived (performance.now()), for the answer time of an INVITE. */
  readonly #receivedAt = performance.now();
  readonly request: SipRequest;
  readonly flow: SipFlow;
  protected readonly context: TransactionContext;
  protected lastResponse: Buffer | null = null;
  #terminated = false;
  #timers = new Set<NodeJS.Timeout>();

  constructor(request: SipRequest, flow: SipFlow, context: TransactionContext) {
    this.key = serverTransactionKey(request);
    this.request = request;
    this.flow = flow;
    this.context = context;
  }

  protected get reliable(): boolean {
    return this.flow.transport !== 'udp';
  }

  protected transmit(response: SipResponse): void {
    stampReceived(response.headers, this.flow);
    this.lastResponse = response.serialize();
    this.context.send(this.lastResponse, this.flow);
    const { method } = this.request;
    countResponse(method, response.status);
    if (method === 'INVITE' && response.status === 200 && this.request.toTag === null)
      observeAnswer((performance.now() - this.#receivedAt) / 1000);
  }

  protected resend(): void {
    if (this.lastResponse) this.context.send(this.lastResponse, this.flow);
  }

  protected after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
  }

  get terminated(): boolean {
    return this.#terminated;
  }

  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.stopTimers();
    this.context.terminated(this.key);
  }

  protected stopTimers(): void {}
}

type InviteState = 'proceeding' | 'completed' | 'confirmed' | 'accepted';

/** INVITE server transaction, RFC 3261 §17.2.1 with RFC 6026's Accepted state. */
export class InviteServerTransaction extends ServerTransactionBase {
  #state: InviteState = 'proceeding';
  #finalRetransmit: RetransmitSchedule | null = null;
  /** Called if a non-2xx final response is never acknowledged (Timer H). */
  onAckTimeout: (() => void) | null = null;

  get state(): InviteState {
    return this.#state;
  }

  /** True until a final response has been sent: CANCEL can still end the INVITE. */
  get proceeding(): boolean {
    return this.#state === 'proceeding' && !this.terminated;
  }

  respond(response: SipResponse): void {
    if (this.#state !== 'proceeding' || this.terminated) return;
    this.transmit(response);
    if (response.status < 200) return;
    if (response.status < 300) {
      // The UAS core retransmits 2xx until ACK; the transaction only absorbs INVITE retransmissions.
      this.#state = 'accepted';
      this.after(64 * this.context.timers.t1, () => this.terminate());
      return;
    }
    this.#state = 'completed';
    this.#finalRetransmit = new RetransmitSchedule(
      this.context.timers,
      this.reliable ? null : () => this.resend(),
      () => {
        this.onAckTimeout?.();
        this.terminate();
      },
    );
  }

  /** The same INVITE again: repeat the last provisional or final response (not a 2xx: the core does). */
  retransmission(): void {
    if (this.#state === 'proceeding' || this.#state === 'completed') this.resend();
  }

  /** An ACK for a non-2xx final response. */
  ack(): void {
    if (this.#state !== 'completed') return;
    this.#state = 'confirmed';
    this.#finalRetransmit?.stop();
    this.after(this.reliable ? 0 : this.context.timers.t4, () => this.terminate());
  }

  protected override stopTimers(): void {
    this.#finalRetransmit?.stop();
  }
}

/** Non-INVITE server transaction, RFC 3261 §17.2.2. */
export class NonInviteServerTransaction extends ServerTransactionBase {
  #completed = false;

  respond(response: SipResponse): void {
    if (this.#completed || this.terminated) return;
    this.transmit(response);
    if (response.status < 200) return;
    this.#completed = true;
    this.after(this.reliable ? 0 : 64 * this.context.timers.t1, () => this.terminate());
  }

  retransmission(): void {
    this.resend();
  }
}

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;
