import { CallsightError } from '../../platform/errors.js';

/** What was wrong with a multipart body. */
export type MultipartErrorKind =
  | 'not-multipart' // the Content-Type is not multipart/*
  | 'invalid-content-type' // the Content-Type (of the message or of a part) does not parse
  | 'missing-boundary' // no boundary parameter, or an empty or over-long one
  | 'no-opening-delimiter' // the boundary never appears
  | 'no-closing-delimiter' // the body ends without `--boundary--`
  | 'malformed-part' // a header line that is not `Name: value`, or no blank line after the headers
  | 'part-without-content-type'
  | 'too-large'; // more parts or bytes than the limits allow

/** A malformed RFC 2046 multipart body. */
export class MultipartError extends CallsightError {
  override name = 'MultipartError';
  constructor(
    readonly kind: MultipartErrorKind,
    message: string,
  ) {
    super('CS_ERR_MULTIPART_INVALID', message);
  }
}

/**
 * RFC 7865 metadata that Callsight refuses: `why` is a short phrase fit for a SIP reason phrase
 * ("invalid recording metadata: <why>").
 */
export class RecordingMetadataError extends CallsightError {
  override name = 'RecordingMetadataError';
  constructor(
    readonly why: string,
    options?: { tooLarge?: boolean; cause?: unknown },
  ) {
    super(
      options?.tooLarge ? 'CS_ERR_SIPREC_METADATA_TOO_LARGE' : 'CS_ERR_SIPREC_METADATA_INVALID',
      why,
      options,
    );
  }
}

/** The audio streams of a SIPREC offer cannot be mapped to the two pipeline channels. */
export class StreamMappingError extends CallsightError {
  override name = 'StreamMappingError';
  constructor(message: string) {
    super('CS_ERR_SIPREC_STREAMS', message);
  }
}
