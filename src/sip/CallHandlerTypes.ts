/** What the SIP user agent server hands to the layer that decides about calls (the voice connector). */

export type SipTransportName = 'udp' | 'tcp' | 'tls';

export interface SipPeer {
  readonly address: string;
  readonly port: number;
  readonly transport: SipTransportName;
}

/** A new INVITE, already answered with 100 Trying. */
export interface IncomingInvite {
  /** SIP Call-ID header value. */
  readonly sipCallId: string;
  /** The user part of the From URI (a phone number for trunks), or the whole URI when it has none. */
  readonly fromNumber: string;
  readonly toNumber: string;
  readonly fromUri: string;
  readonly toUri: string;
  readonly requestUri: string;
  /** Every header of the INVITE, names lower-cased, values as received (repeated headers joined by ", "). */
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string | null;
  /** The raw body (SDP, or multipart for SIPREC). */
  readonly body: string;
  readonly source: SipPeer;
}

/** Why a dialog ended. */
export type CallEndReason =
  | 'bye-received' // the peer hung up
  | 'bye-sent' // we hung up (hangup() or shutdown)
  | 'cancelled' // CANCEL (or shutdown) before the final response
  | 'ack-timeout'; // 200 OK never acknowledged in 64*T1: we sent BYE

/** A final refusal for an INVITE: status (4xx–6xx) and reason phrase. */
export class SipRejection extends Error {
  override name = 'SipRejection';
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly extraHeaders: Readonly<Record<string, string>> = {},
  ) {
    super(`${status} ${reason}`);
  }
}

/** Sends a provisional response to the INVITE being decided: 180 Ringing, or 183 with early-media SDP. */
export type ProgressSender = (status: 180 | 183, sdp?: string) => void;

export interface CallHandler {
  /**
   * Decide about an INVITE. Resolve with the SDP answer (sent in 200 OK) or throw SipRejection; call
   * `progress` for provisional responses meanwhile. If the caller cancels while this runs,
   * ended(sipCallId, 'cancelled') follows and the answer is discarded.
   */
  offer(invite: IncomingInvite, progress: ProgressSender): Promise<{ sdp: string }>;
  /** The ACK for our 200 OK arrived: media may start. */
  confirmed(sipCallId: string): void;
  /** The dialog ended (for any reason, exactly once per accepted or cancelled INVITE). */
  ended(sipCallId: string, reason: CallEndReason): void;
  /**
   * A re-INVITE in an accepted dialog (hold, resume, a stream added, new SIPREC metadata): resolve
   * with our answer, or throw SipRejection (the dialog goes on as before). Without this method the
   * previous answer is repeated.
   */
  update?(sipCallId: string, invite: IncomingInvite): Promise<{ sdp: string }>;
}

/** Who owns a dialog's events: the CallHandler for dialogs we answered, the caller of invite() for ours. */
export interface DialogHandler {
  update?(invite: IncomingInvite): Promise<{ sdp: string }>;
  /** The 2xx we sent was acknowledged (dialogs we answered). */
  confirmed?(): void;
  ended(reason: CallEndReason): void;
}
