/**
 * SIPREC Session Recording Server body handling (RFC 7866, metadata RFC 7865): pure functions, no
 * sockets. The voice connector calls parseSiprecInvite on an INVITE, mapStreams once it knows the
 * accepted audio m-lines, and applyPartialUpdate for metadata in re-INVITEs and UPDATEs.
 */
export { parseContentDisposition, parseContentType } from './ContentType.js';
export type { ContentDisposition, ContentType } from './ContentType.js';
export { MULTIPART_DEFAULTS, parseMultipart } from './Multipart.js';
export type { MultipartLimits, MultipartPart } from './Multipart.js';
export { METADATA_DEFAULTS, parseRecordingMetadata, referenceProblems } from './RecordingMetadata.js';
export { PRE_RFC_RECORDING_NAMESPACE, RECORDING_NAMESPACE } from './RecordingMetadataTypes.js';
export type {
  DataMode,
  NameId,
  Participant,
  ParticipantName,
  ParticipantSessionAssoc,
  ParticipantStreamAssoc,
  RecordingGroup,
  RecordingMetadata,
  RecordingMetadataOptions,
  RecordingSession,
  RecordingStream,
  SessionRecordingAssoc,
} from './RecordingMetadataTypes.js';
export { applyPartialUpdate } from './PartialUpdate.js';
export { ACCEPTED_BODY_TYPES, isSiprecInvite, parseSiprecInvite } from './SiprecInvite.js';
export type {
  InviteBody,
  InviteOffer,
  PlainOffer,
  SiprecInviteOptions,
  SiprecOffer,
} from './SiprecInvite.js';
export { MAX_AUDIO_STREAMS, mapStreams } from './StreamMapping.js';
export type {
  MappedStream,
  SdpAudioStream,
  StreamMappingOptions,
  StreamParticipant,
} from './StreamMapping.js';
export { siprecMetadataJson, siprecMetadataObject } from './SiprecMetadataJson.js';
export { MultipartError, RecordingMetadataError, StreamMappingError } from './SiprecErrors.js';
export type { MultipartErrorKind } from './SiprecErrors.js';
