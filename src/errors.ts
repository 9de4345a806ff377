/**
 * Stable error codes. Each code has one class of condition, an HTTP or SIP status, and an entry in
 * docs/errors.md (test/errors.test.ts checks that every code is documented).
 */
export const ERROR_CODES = {
  CS_ERR_CONFIG_INVALID: { status: 500, summary: 'The configuration file or environment is invalid.' },
  CS_ERR_SIP_PARSE: { status: 400, summary: 'A SIP message could not be parsed.' },
  CS_ERR_SIP_TOO_LARGE: { status: 513, summary: 'A SIP message exceeded the size limit.' },
  CS_ERR_SDP_NO_CODEC: { status: 488, summary: 'The SDP offer has no codec Callsight can decode.' },
  CS_ERR_SDP_INVALID: { status: 400, summary: 'The SDP body could not be parsed.' },
  CS_ERR_NO_RTP_PORT: { status: 503, summary: 'No free RTP port is left in the configured range.' },
  CS_ERR_RTP_INVALID: { status: 0, summary: 'An RTP packet was malformed and was dropped.' },
  CS_ERR_ASR_UNAVAILABLE: { status: 503, summary: 'The speech engine could not be loaded.' },
  CS_ERR_ASR_FAILED: { status: 500, summary: 'The speech engine failed while decoding a stream.' },
  CS_ERR_STREAM_CLOSED: { status: 503, summary: 'The data stream is closed.' },
  CS_ERR_STREAM_BAD_SEQUENCE: { status: 400, summary: 'A sequence number was not a non-negative integer.' },
  CS_ERR_WS_SLOW_CLIENT: { status: 4008, summary: 'A WebSocket client fell too far behind and was disconnected.' },
  CS_ERR_CLOSED: { status: 0, summary: 'The object was used after close().' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class CallsightError extends Error {
  override name = 'CallsightError';
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = ERROR_CODES[code].status;
  }
}

/** Thrown by a method called after the object's close(). */
export class InvalidStateError extends CallsightError {
  override name = 'InvalidStateError';
  constructor(what: string) {
    super('CS_ERR_CLOSED', `${what} is closed`);
  }
}
