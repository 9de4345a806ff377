/** What the SIP user agent server hands to the layer that decides about calls (the voice connector). */

import { CallsightError, ERROR_CODES, type ErrorCode } from '../platform/errors.js';

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

/**
 * A final refusal of an INVITE or re-INVITE: why (`code`), the SIP status to answer (the code's own,
 * unless `status` is given: a far end's refusal passed on keeps its status) and the reason phrase,
 * plus headers for the answer (e.g. `Accept` with a 415, `Warning`, `Retry-After`).
 */
export class SipRejection extends CallsightError {
  override name = 'SipRejection';
  override readonly status: number;
  /** One line of printable text (RFC 3261 §25.1 Reason-Phrase), at most 160 characters. */
  readonly reason: string;
  readonly extraHeaders: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    reason: string,
    options?: { status?: number; extraHeaders?: Readonly<Record<string, string>>; cause?: unknown },
  ) {
    const status = options?.status ?? ERROR_CODES[code].status;
    const phrase = reasonPhrase(reason);
    super(code, `${status} ${phrase}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.reason = phrase;
    this.extraHeaders = options?.extraHeaders ?? {};
  }
}

function reasonPhrase(text: string): string {
  const clean = text
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > 160 ? `${clean.slice(0, 157)}...` : clean;
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
