/**
 * RFC 7865 recording metadata as typed data: the snapshot a SIPREC Session Recording Client sends in
 * an `application/rs-metadata+xml` body. Ids are the document's opaque strings (base64 UUIDs in
 * practice); times are the document's `xs:dateTime` text, not parsed. Vendor extension elements are
 * not kept.
 */

/** `complete`: the whole model; `partial`: only the elements that changed since the previous snapshot. */
export type DataMode = 'complete' | 'partial';

/** The namespace of RFC 7865, and the one of the drafts before it that some SBCs still send. */
export const RECORDING_NAMESPACE = 'urn:ietf:params:xml:ns:recording:1';
export const PRE_RFC_RECORDING_NAMESPACE = 'urn:ietf:params:xml:ns:recording';

/** A group of related communication sessions (e.g. a transfer or a conference). */
export interface RecordingGroup {
  readonly groupId: string;
  readonly associateTime: string | null;
  readonly disassociateTime: string | null;
}

/** A communication session (CS) being recorded. */
export interface RecordingSession {
  readonly sessionId: string;
  /** RFC 7989 Session-ID values (`local;remote=…`), whitespace removed. */
  readonly sipSessionIds: readonly string[];
  readonly groupRef: string | null;
  readonly startTime: string | null;
  readonly stopTime: string | null;
}

export interface ParticipantName {
  readonly text: string;
  /** `xml:lang`, or null. */
  readonly lang: string | null;
}

/** `<nameID aor="…"><name xml:lang="…">…</name></nameID>`. */
export interface NameId {
  /** Address of record as written (`sip:bob@example.com`, sometimes without scheme); null if absent. */
  readonly aor: string | null;
  readonly names: readonly ParticipantName[];
}

export interface Participant {
  readonly participantId: string;
  readonly nameIds: readonly NameId[];
}

/** A media stream of the recording session; `label` is the SDP `a=label` of its m-line. */
export interface RecordingStream {
  readonly streamId: string;
  /** The session the stream belongs to; RFC 7865 requires it, some senders omit it (null). */
  readonly sessionId: string | null;
  readonly label: string | null;
  readonly associateTime: string | null;
  readonly disassociateTime: string | null;
}

export interface SessionRecordingAssoc {
  readonly sessionId: string;
  readonly associateTime: string | null;
  readonly disassociateTime: string | null;
}

export interface ParticipantSessionAssoc {
  readonly participantId: string;
  readonly sessionId: string;
  readonly associateTime: string | null;
  readonly disassociateTime: string | null;
}

/** Which streams a participant sends (speaks on) and receives (hears). */
export interface ParticipantStreamAssoc {
  readonly participantId: string;
  readonly send: readonly string[];
  readonly recv: readonly string[];
}

export interface RecordingMetadata {
  readonly dataMode: DataMode;
  /** The document's namespace: RECORDING_NAMESPACE, PRE_RFC_RECORDING_NAMESPACE, or null (none). */
  readonly namespace: string | null;
  readonly groups: readonly RecordingGroup[];
  readonly sessions: readonly RecordingSession[];
  readonly participants: readonly Participant[];
  readonly streams: readonly RecordingStream[];
  readonly sessionRecordingAssocs: readonly SessionRecordingAssoc[];
  readonly participantSessionAssocs: readonly ParticipantSessionAssoc[];
  readonly participantStreamAssocs: readonly ParticipantStreamAssoc[];
}

export interface RecordingMetadataOptions {
  /** Largest document accepted, in UTF-8 bytes. Default 64 KiB. */
  readonly maxBytes?: number;
  /** Most elements accepted (extensions included). Default 4096. */
  readonly maxElements?: number;
  /** Told about each tolerated deviation (a repaired tag, a missing datamode, …). */
  readonly onWarning?: (message: string) => void;
}
