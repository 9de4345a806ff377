/** A call as the voice connector knows it: identity, parties and one entry per received media stream. */

export type CallDirection = 'Inbound' | 'Outbound';

/** Chime's participant roles of a call analytics channel. */
export type ParticipantRole = 'AGENT' | 'CUSTOMER';

export interface CallStream {
  /** Index of the m-line in the SDP offer. */
  readonly mediaIndex: number;
  /** The m-line's `a=label` (SIPREC), if any. */
  readonly mediaLabel: string | null;
  /** Pipeline channel: 0 → ch_0, 1 → ch_1. */
  readonly channel: number;
  readonly isCaller: boolean;
  /** Who speaks on this stream, when the connector knows (SIPREC metadata, trunk legs). */
  readonly participantRole?: ParticipantRole;
  readonly streamArn: string;
  readonly startFragmentNumber: string;
}

/** How the call reached Callsight: answered here, forked by a recording client, or trunked through. */
export type CallKind = 'listener' | 'siprec' | 'trunk';

export interface CallInfo {
  /** Callsight's id for the call (a UUID), as Chime's callId. */
  readonly callId: string;
  /** One per SIP dialog (a UUID), as Chime's transactionId. */
  readonly transactionId: string;
  readonly sipCallId: string;
  readonly kind: CallKind;
  readonly voiceConnectorId: string;
  readonly direction: CallDirection;
  readonly fromNumber: string;
  readonly toNumber: string;
  /** INVITE headers allowed by voiceConnector.inviteHeaders, lower-cased names. */
  readonly inviteHeaders: Readonly<Record<string, string>>;
  /** SIPREC calls: the recording metadata XML as received (latest snapshot), and its JSON rendering. */
  readonly siprecMetadata: string | null;
  readonly siprecMetadataJson: string | null;
  readonly streams: readonly CallStream[];
  /** When the INVITE arrived; the media clock's zero. */
  readonly startedAt: Date;
}
