import { SipRejection } from '../../sip/CallHandlerTypes.js';
import { canonicalHeaderName } from '../../sip/message/SipHeaders.js';
import { parseNameAddr, parseOptionTags, splitList } from '../../sip/message/HeaderValues.js';
import { parseContentType } from './ContentType.js';
import { parseMultipart, type MultipartLimits, type MultipartPart } from './Multipart.js';
import { parseRecordingMetadata } from './RecordingMetadata.js';
import type { RecordingMetadata, RecordingMetadataOptions } from './RecordingMetadataTypes.js';
import { MultipartError, RecordingMetadataError } from './SiprecErrors.js';

/**
 * The body of an INVITE (or re-INVITE) to a Session Recording Server, RFC 7866:
 *
 *   Require: siprec                        ← option tag: this is a recording session (RS)
 *   Contact: <sip:src@…>;+sip.src          ← feature tag: the sender is a recording client
 *   Content-Type: multipart/mixed;boundary=b
 *
 *   --b  Content-Type: application/sdp                      (Content-Disposition: session)
 *   --b  Content-Type: application/rs-metadata+xml          (Content-Disposition: recording-session)
 *   --b--
 *
 * Refusals and why (RFC 7866 names no status for a malformed RS offer; these follow RFC 3261):
 * - body type other than application/sdp or multipart/mixed, or an unknown part marked
 *   `handling=required` → 415 Unsupported Media Type with Accept (RFC 3261 §21.4.13, §20.11);
 * - no SDP offer (empty body, multipart without SDP, bare metadata) → 400 "SDP offer missing";
 * - RS INVITE without a metadata part → 400 "SIPREC metadata missing" — RFC 7866 lets metadata come
 *   later, but Callsight maps speakers to channels when it answers, so it needs them now;
 * - metadata that does not parse → 400 "invalid recording metadata: <why>" (413 past the size cap):
 *   RFC 7866 lets the SRS end a session on syntax or semantic errors rather than ask again;
 * - malformed multipart → 400 "invalid multipart body: <why>".
 * Both `application/rs-metadata+xml` (RFC 7865, and RFC 7866 as RFC 9806 corrected it) and RFC 7866's
 * original `application/rs-metadata` are accepted.
 */

/** Body types Callsight reads in an INVITE, as answered in Accept with a 415. */
export const ACCEPTED_BODY_TYPES =
  'application/sdp, multipart/mixed, application/rs-metadata+xml, application/rs-metadata';

const METADATA_TYPES: ReadonlySet<string> = new Set([
  'application/rs-metadata+xml',
  'application/rs-metadata',
]);

/** The parts of the INVITE parseSiprecInvite reads; an IncomingInvite fits. */
export interface InviteBody {
  /** Content-Type header value, or null. */
  readonly contentType: string | null;
  readonly body: string;
  /** The INVITE's headers (names matched case-insensitively; compact forms understood). */
  readonly headers: Readonly<Record<string, string>>;
}

interface OfferCommon {
  /** The SDP offer (the application/sdp part, or the whole body). */
  readonly sdp: string;
  /** Tolerated deviations found while reading, for the call's log. */
  readonly warnings: readonly string[];
}

/** A recording session offer: metadata present and parsed. */
export interface SiprecOffer extends OfferCommon {
  readonly siprec: true;
  readonly metadataXml: string;
  readonly metadata: RecordingMetadata;
}

/** An ordinary INVITE (no siprec tags); metadata is read if a part carries it anyway. */
export interface PlainOffer extends OfferCommon {
  readonly siprec: false;
  readonly metadataXml: string | null;
  readonly metadata: RecordingMetadata | null;
}

export type InviteOffer = SiprecOffer | PlainOffer;

export interface SiprecInviteOptions {
  readonly multipart?: MultipartLimits;
  readonly metadata?: Omit<RecordingMetadataOptions, 'onWarning'>;
}

function header(headers: Readonly<Record<string, string>>, name: string): string[] {
  return Object.entries(headers)
    .filter(([key]) => canonicalHeaderName(key) === name)
    .map(([, value]) => value);
}

/**
 * Whether the INVITE asks for a recording session: the `siprec` option tag in Require, or the
 * `+sip.src` feature tag on a Contact. RFC 7866 §6.2 has the SRS treat a request as an RS only when
 * both are present; Callsight accepts either, as SBCs are known to send only one, and nothing else
 * would put them in an INVITE to a recorder.
 */
export function isSiprecInvite(headers: Readonly<Record<string, string>>): boolean {
  if (parseOptionTags(header(headers, 'require')).includes('siprec')) return true;
  for (const contact of header(headers, 'contact').flatMap(splitList)) {
    const parsed = parseNameAddr(contact);
    if (parsed) {
      if (parsed.params.has('+sip.src') || parsed.uri?.params.has('+sip.src')) return true;
    } else if (/;\s*\+sip\.src\s*(?:[;=,]|$)/i.test(contact)) {
      return true;
    }
  }
  return false;
}

const describe = (part: MultipartPart) =>
  `${part.contentType.mediaType}${part.contentDisposition ? ` (${part.contentDisposition.disposition})` : ''}`;

function unsupported(what: string): SipRejection {
  return new SipRejection('CS_ERR_SIPREC_UNSUPPORTED_BODY', 'Unsupported Media Type', {
    extraHeaders: { Accept: ACCEPTED_BODY_TYPES, Warning: `399 callsight "${what.replace(/["\\]/g, '')}"` },
  });
}

function parseMetadata(xml: string, options: SiprecInviteOptions, warnings: string[]): RecordingMetadata {
  try {
    return parseRecordingMetadata(xml, { ...options.metadata, onWarning: (w) => warnings.push(w) });
  } catch (err) {
    if (!(err instanceof RecordingMetadataError)) throw err;
    if (err.code === 'CS_ERR_SIPREC_METADATA_TOO_LARGE') {
      throw new SipRejection(err.code, 'Request Entity Too Large', { cause: err });
    }
    throw new SipRejection(err.code, `invalid recording metadata: ${err.why}`, { cause: err });
  }
}

/** The SDP and metadata parts of a multipart/mixed body. */
function splitParts(
  contentType: string,
  body: string,
  options: SiprecInviteOptions,
  warnings: string[],
): { sdp: string; metadataXml: string | null } {
  let parts: MultipartPart[];
  try {
    parts = parseMultipart(contentType, body, options.multipart);
  } catch (err) {
    if (!(err instanceof MultipartError)) throw err;
    throw new SipRejection(err.code, `invalid multipart body: ${err.message}`, { cause: err });
  }
  const sdpParts: MultipartPart[] = [];
  const metadataParts: MultipartPart[] = [];
  for (const part of parts) {
    const disposition = part.contentDisposition?.disposition ?? null;
    if (
      part.contentType.mediaType === 'application/sdp' &&
      (disposition === null || disposition === 'session')
    ) {
      sdpParts.push(part);
    } else if (METADATA_TYPES.has(part.contentType.mediaType)) {
      if (disposition !== null && disposition !== 'recording-session') {
        warnings.push(`metadata part with Content-Disposition ${disposition}, not recording-session`);
      }
      metadataParts.push(part);
    } else if (part.contentDisposition?.handling === 'required') {
      throw unsupported(`cannot handle required body part ${describe(part)}`);
    } else {
      warnings.push(`ignored body part ${describe(part)}`);
    }
  }
  const [sdpPart, ...moreSdp] = sdpParts;
  if (!sdpPart) throw new SipRejection('CS_ERR_SIPREC_NO_SDP', 'SDP offer missing');
  if (moreSdp.length > 0) throw new SipRejection('CS_ERR_SIPREC_NO_SDP', 'more than one SDP offer');
  if (metadataParts.length > 1) {
    throw new SipRejection('CS_ERR_SIPREC_METADATA_MISSING', 'more than one SIPREC metadata part');
  }
  return { sdp: sdpPart.body, metadataXml: metadataParts[0]?.body ?? null };
}

/**
 * Reads the SDP offer and the RFC 7865 metadata out of an INVITE body. Throws SipRejection,
 * whose status and reason are the SIP answer to send.
 */
export function parseSiprecInvite(invite: InviteBody, options: SiprecInviteOptions = {}): InviteOffer {
  const siprec = isSiprecInvite(invite.headers);
  const warnings: string[] = [];
  const { contentType, body } = invite;
  if (body.trim() === '') throw new SipRejection('CS_ERR_SIPREC_NO_SDP', 'SDP offer missing');
  const type = contentType === null ? null : parseContentType(contentType);
  if (contentType === null || type === null) {
    throw unsupported(`Content-Type "${contentType ?? ''}" is not a media type`);
  }

  let sdp: string;
  let metadataXml: string | null = null;
  if (type.mediaType === 'application/sdp') {
    sdp = body;
  } else if (type.mediaType === 'multipart/mixed') {
    ({ sdp, metadataXml } = splitParts(contentType, body, options, warnings));
  } else if (METADATA_TYPES.has(type.mediaType)) {
    throw new SipRejection('CS_ERR_SIPREC_NO_SDP', 'SDP offer missing');
  } else {
    throw unsupported(`cannot handle an INVITE body of type ${type.mediaType}`);
  }

  if (metadataXml === null) {
    if (siprec) throw new SipRejection('CS_ERR_SIPREC_METADATA_MISSING', 'SIPREC metadata missing');
    return { siprec: false, sdp, metadataXml: null, metadata: null, warnings };
  }
  const metadata = parseMetadata(metadataXml, options, warnings);
  return siprec
    ? { siprec: true, sdp, metadataXml, metadata, warnings }
    : { siprec: false, sdp, metadataXml, metadata, warnings };
}
