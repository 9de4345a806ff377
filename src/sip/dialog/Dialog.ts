import { randomInt } from 'node:crypto';
import { splitList } from '../message/HeaderValues.js';
import { SipHeaders } from '../message/SipHeaders.js';
import { SipRequest, newBranch } from '../message/SipMessage.js';
import { parseNameAddr } from '../message/HeaderValues.js';
import type { SipFlow } from '../transport/TransportTypes.js';

/** Identifies a dialog from the UAS side: Call-ID, our tag (To), the peer's tag (From). */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`;
}

/** Where our in-dialog requests go and what they say about us. */
export interface LocalContact {
  readonly address: string;
  readonly port: number;
  readonly transport: 'udp' | 'tcp';
}

/**
 * A dialog created by an INVITE we answered with 2xx (RFC 3261 §12.1.1): the state needed to
 * recognise its requests and to send our own (BYE) along the peer's route set.
 */
export class Dialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** Our To header value, with our tag: the From of requests we send. */
  readonly localHeader: string;
  /** The peer's From header value: the To of requests we send. */
  readonly remoteHeader: string;
  /** The peer's Contact URI: the Request-URI of requests we send. */
  readonly remoteTarget: string;
  /** Record-Route values of the INVITE, in order: the Route set of requests we send. */
  readonly routeSet: readonly string[];
  /** The flow the INVITE arrived on. */
  readonly flow: SipFlow;
  #localSeq = randomInt(1, 2 ** 16);

  constructor(invite: SipRequest, localTag: string, flow: SipFlow) {
    this.callId = invite.callId;
    this.localTag = localTag;
    this.remoteTag = invite.fromTag ?? '';
    const to = invite.headers.get('to')!;
    this.localHeader = /;\s*tag\s*=/i.test(to) ? to : `${to};tag=${localTag}`;
    this.remoteHeader = invite.headers.get('from')!;
    const contact = invite.headers.get('contact');
    const contactAddr = contact ? parseNameAddr(splitList(contact)[0] ?? '') : null;
    this.remoteTarget = contactAddr?.uriText ?? invite.from.uriText;
    this.routeSet = invite.headers.getAll('record-route').flatMap(splitList);
    this.flow = flow;
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /**
   * Where to send our requests: the first route if the set is loose-routed, else — for UDP — the
   * address the INVITE came from (symmetric signalling gets through NAT where the Contact often does
   * not), else the flow's connection.
   */
  nextHop(): SipFlow {
    const firstRoute = this.routeSet[0] ? parseNameAddr(this.routeSet[0]) : null;
    const uri = firstRoute?.uri;
    if (uri) {
      const transport = uri.params.get('transport')?.toLowerCase() === 'tcp' ? 'tcp' : this.flow.transport;
      return { transport, address: uri.host, port: uri.port ?? 5060 };
    }
    return this.flow;
  }

  /** A new in-dialog request from us (BYE), with a fresh branch and the next CSeq. */
  request(method: string, local: LocalContact): SipRequest {
    const headers = new SipHeaders();
    const transport = local.transport.toUpperCase();
    headers.append('via', `SIP/2.0/${transport} ${local.address}:${local.port};branch=${newBranch()};rport`);
    headers.append('max-forwards', '70');
    for (const route of this.routeSet) headers.append('route', route);
    headers.append('from', this.localHeader);
    headers.append('to', this.remoteHeader);
    headers.append('call-id', this.callId);
    headers.append('cseq', `${this.#localSeq++} ${method}`);
    return new SipRequest(method, this.remoteTarget, headers);
  }
}
