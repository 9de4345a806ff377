/**
 * SIPREC Session Recording Server body handling (RFC 7866, metadata RFC 7865): pure functions, no
 * sockets. The voice connector calls parseSiprecInvite on an INVITE; RecordingSessionState maps the
 * streams once the audio m-lines are accepted and applies metadata updates from re-INVITEs and UPDATEs.
 */
export { parseSiprecInvite } from './SiprecInvite.js';
export type { SiprecOffer } from './SiprecInvite.js';
export type { StreamMappingOptions } from './StreamMapping.js';
