import type { SipRequest, SipResponse } from '../message/SipMessage.js';
import type { SipFlow } from '../transport/TransportTypes.js';
import { RetransmitSchedule, type SipTimers } from './Timers.js';

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
    this.#schedule = new RetransmitSchedule(
      context.timers,
      flow.transport === 'udp' ? send : null,
      () => this.#finish(null),
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
