import { randomInt } from 'node:crypto';
import { splitList } from '../message/HeaderValues.js';
import { SipHeaders } from '../message/SipHeaders.js';
import { SipRequest, newBranch, type SipResponse } from '../message/SipMessage.js';
import { parseNameAddr } from '../message/HeaderValues.js';
import type { SipTransportName } from '../CallHandlerTypes.js';
import type { SipFlow } from '../transport/TransportTypes.js';

/** Identifies a dialog from the UAS side: Call-ID, our tag (To), the peer's tag (From). */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`;
}

/** Where our in-dialog requests go and what they say about us. */
export interface LocalContact {
  readonly address: string;
  readonly port: number;
  readonly transport: SipTransportName;
}

/**
 * Our Via for a request sent from `local`: rport (RFC 3581), and on TCP and TLS `alias` (RFC 5923)
 * so that the peer sends its requests back on our connection.
 */
export function viaHeader(local: LocalContact): string {
  const alias = local.transport === 'udp' ? '' : ';alias';
  return `SIP/2.0/${local.transport.toUpperCase()} ${local.address}:${local.port};branch=${newBranch()};rport${alias}`;
}

export interface DialogInit {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localHeader: string;
  readonly remoteHeader: string;
  readonly remoteTarget: string;
  readonly routeSet: readonly string[];
  readonly flow: SipFlow;
  /** CSeq number of the last request we sent in it (the INVITE, for dialogs we created). */
  readonly localSeq: number;
}

function contactUri(message: SipRequest | SipResponse): string | null {
  const contact = message.headers.get('contact');
  return contact ? (parseNameAddr(splitList(contact)[0] ?? '')?.uriText ?? null) : null;
}

/**
 * A SIP dialog (RFC 3261 §12): the state needed to recognise its requests and to send our own
 * (BYE, re-INVITE) along the peer's route set — whether we answered the INVITE that made it or
 * sent it.
 */
export class Dialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** Our address-of-record header (with our tag): the From of requests we send. */
  readonly localHeader: string;
  /** The peer's header (with its tag): the To of requests we send. */
  readonly remoteHeader: string;
  /** The peer's Contact URI: the Request-URI of requests we send. */
  remoteTarget: string;
  /** Route set, in the order our requests carry it. */
  readonly routeSet: readonly string[];
  /** The flow the dialog's requests go out on (and came in on). */
  readonly flow: SipFlow;
  #localSeq: number;

  constructor(init: DialogInit) {
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localHeader = init.localHeader;
    this.remoteHeader = init.remoteHeader;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.flow = init.flow;
    this.#localSeq = init.localSeq;
  }

  /** The dialog an INVITE we answered with 2xx creates (RFC 3261 §12.1.1). */
  static answered(invite: SipRequest, localTag: string, flow: SipFlow): Dialog {
    const to = invite.headers.get('to')!;
    return new Dialog({
      callId: invite.callId,
      localTag,
      remoteTag: invite.fromTag ?? '',
      localHeader: /;\s*tag\s*=/i.test(to) ? to : `${to};tag=${localTag}`,
      remoteHeader: invite.headers.get('from')!,
      remoteTarget: contactUri(invite) ?? invite.from.uriText,
      routeSet: invite.headers.getAll('record-route').flatMap(splitList),
      flow,
      localSeq: randomInt(1, 2 ** 16),
    });
  }

  /** The dialog a 2xx to an INVITE we sent creates (RFC 3261 §12.1.2): route set reversed. */
  static placed(invite: SipRequest, response: SipResponse, flow: SipFlow): Dialog {
    return new Dialog({
      callId: invite.callId,
      localTag: invite.fromTag ?? '',
      remoteTag: response.toTag ?? '',
      localHeader: invite.headers.get('from')!,
      remoteHeader: response.headers.get('to')!,
      remoteTarget: contactUri(response) ?? invite.uri,
      routeSet: response.headers.getAll('record-route').flatMap(splitList).reverse(),
      flow,
      localSeq: invite.cseq.seq,
    });
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
      const named = uri.scheme === 'sips' ? 'tls' : uri.params.get('transport')?.toLowerCase();
      const transport = named === 'tcp' || named === 'tls' || named === 'udp' ? named : this.flow.transport;
      return { transport, address: uri.host, port: uri.port ?? (transport === 'tls' ? 5061 : 5060) };
    }
    return this.flow;
  }

  /** The ACK for a 2xx to our INVITE with CSeq `seq`: a request of its own, new branch (§13.2.2.4). */
  ack(seq: number, local: LocalContact): SipRequest {
    return this.#build('ACK', seq, local);
  }

  /** A new in-dialog request from us (BYE, re-INVITE), with a fresh branch and the next CSeq. */
  request(method: string, local: LocalContact): SipRequest {
    return this.#build(method, ++this.#localSeq, local);
  }

  #build(method: string, seq: number, local: LocalContact): SipRequest {
    const headers = new SipHeaders();
    headers.append('via', viaHeader(local));
    headers.append('max-forwards', '70');
    for (const route of this.routeSet) headers.append('route', route);
    headers.append('from', this.localHeader);
    headers.append('to', this.remoteHeader);
    headers.append('call-id', this.callId);
    headers.append('cseq', `${seq} ${method}`);
    return new SipRequest(method, this.remoteTarget, headers);
  }
}
