/**
 * Stable error codes. Each code has one class of condition, an HTTP or SIP status (or a WebSocket
 * close code; 0: only logged), and an entry in docs/errors.md. test/platform/errors.test.ts checks
 * that every code is documented and raised somewhere in src/, and that nothing else is.
 */
export const ERROR_CODES = {
  CS_ERR_CONFIG_INVALID: { status: 500, summary: 'The configuration file or environment is invalid.' },
  CS_ERR_SIP_PARSE: { status: 400, summary: 'A SIP message could not be parsed.' },
  CS_ERR_SIP_TOO_LARGE: { status: 513, summary: 'A SIP message exceeded the size limit.' },
  CS_ERR_SIP_FORBIDDEN: {
    status: 403,
    summary: 'A SIP request came from an address not in sip.allowedHosts.',
  },
  CS_ERR_SIP_AUTH_FAILED: {
    status: 401,
    summary:
      'An INVITE carried digest credentials that were refused (wrong password, unknown user, replay…).',
  },
  CS_ERR_TRUNK_AUTH_FAILED: {
    status: 503,
    summary:
      "A route's target refused the route's digest credentials (or asked for some the route has none of).",
  },
  CS_ERR_TRUNK_UNAVAILABLE: {
    status: 503,
    summary:
      'No target of a route took the call (each timed out, was unreachable, answered 503 or refused the credentials), or every one is down.',
  },
  CS_ERR_SIP_CONNECTION_LIMIT: {
    status: 0,
    summary:
      'A SIP TCP/TLS connection was closed at accept: sip.maxConnections or sip.maxConnectionsPerSource.',
  },
  CS_ERR_SIP_MESSAGE_TIMEOUT: {
    status: 0,
    summary:
      'A SIP TCP/TLS connection was closed: a message did not arrive whole within sip.messageTimeoutMs.',
  },
  CS_ERR_SIP_TLS_CLIENT_REFUSED: {
    status: 0,
    summary: 'A SIP TLS client certificate names no one in sip.tlsClientAllowList.',
  },
  CS_ERR_SIP_NO_ROUTE: { status: 404, summary: 'No trunk route matches the INVITE.' },
  CS_ERR_SIP_NO_DIALOG: {
    status: 481,
    summary: 'A re-INVITE names a call (dialog) that has ended or never existed.',
  },
  CS_ERR_SIP_REQUEST_PENDING: {
    status: 491,
    summary: 'A re-INVITE could not be sent on: the other dialog of the relayed call has an offer open.',
  },
  CS_ERR_SIP_CANCELLED: { status: 487, summary: 'The caller cancelled the INVITE before it was answered.' },
  CS_ERR_SIP_PEER_REFUSED: {
    status: 503,
    summary:
      'The other party of a relayed call refused, or did not answer, an INVITE or re-INVITE passed on to it.',
  },
  CS_ERR_SDP_NO_CODEC: {
    status: 488,
    summary: 'The SDP offer (or answer) has no audio stream Callsight can take, or there is no SDP.',
  },
  CS_ERR_SDP_INVALID: { status: 400, summary: 'The SDP body could not be parsed.' },
  CS_ERR_NO_RTP_PORT: { status: 503, summary: 'No free RTP port is left in the configured range.' },
  CS_ERR_RTP_INVALID: { status: 0, summary: 'An RTP packet was malformed and was dropped.' },
  CS_ERR_ASR_UNAVAILABLE: { status: 503, summary: 'The speech engine could not be loaded.' },
  CS_ERR_ASR_FAILED: { status: 500, summary: 'The speech engine failed while decoding a stream.' },
  CS_ERR_ASR_OVERLOADED: {
    status: 503,
    summary: 'A speech engine fell further behind the audio than its maxBufferedMs allows.',
  },
  CS_ERR_STREAM_BAD_SEQUENCE: { status: 400, summary: 'A sequence number was not a non-negative integer.' },
  CS_ERR_STREAM_UNAVAILABLE: {
    status: 503,
    summary: 'The NATS JetStream server could not be reached, or did not acknowledge an append in time.',
  },
  CS_ERR_SSO_UNAVAILABLE: {
    status: 503,
    summary: 'The OpenID Connect provider of single sign-on could not be reached.',
  },
  CS_ERR_DATABASE_UNAVAILABLE: {
    status: 503,
    summary: 'PostgreSQL could not be reached, or refused the connection.',
  },
  CS_ERR_WS_SLOW_CLIENT: {
    status: 4008,
    summary: 'A WebSocket client fell too far behind and was disconnected.',
  },
  CS_ERR_WS_CLIENT_LIMIT: {
    status: 503,
    summary:
      'A WebSocket upgrade was refused: http.wsMaxClients clients are connected, or http.wsMaxClientsPerSource from its address.',
  },
  CS_ERR_HTTP_TIMEOUT: {
    status: 408,
    summary:
      'An HTTP client was cut off: its headers did not arrive within http.headersTimeoutMs, or its whole request within http.requestTimeoutMs.',
  },
  CS_ERR_CLOSED: { status: 0, summary: 'The object was used after close().' },
  CS_ERR_PORT_UNAVAILABLE: {
    status: 0,
    summary:
      'A listening port (SIP or HTTP) could not be bound at start: in use, privileged or not an address here.',
  },
  CS_ERR_DATA_DIR_UNWRITABLE: {
    status: 0,
    summary: 'The data folder could not be created or written at start.',
  },
  CS_ERR_NOT_READY: {
    status: 503,
    summary: 'Callsight is starting or shutting down: /healthz and new WebSocket clients are answered 503.',
  },
  CS_ERR_NOT_FOUND: {
    status: 404,
    summary: 'The call, pipeline or configuration named in the request does not exist.',
  },
  CS_ERR_CALL_IN_PROGRESS: {
    status: 409,
    summary: 'The call is still in progress: it can be erased once it has ended.',
  },
  CS_ERR_ERASURE_INCOMPLETE: {
    status: 503,
    summary: 'An erasure stopped part of the way (a store could not be reached); repeat the request.',
  },
  CS_ERR_PIPELINE_STATE: {
    status: 409,
    summary: 'The pipeline cannot make that transition from its current status.',
  },
  CS_ERR_PIPELINE_UNAVAILABLE: {
    status: 503,
    summary:
      'Scaled out: the worker running the pipeline did not answer (it is starting it, or the pipeline is moving to another worker after a failure); retry after the failover time.',
  },
  CS_ERR_ANALYTICS_FAILED: {
    status: 500,
    summary: 'The call analytics models failed on an utterance (their worker crashed or threw).',
  },
  CS_ERR_VOICE_TONE_FAILED: {
    status: 500,
    summary:
      'The voice tone analysis of a channel failed (its worker crashed or threw); the VoiceAnalyticsProcessor element fails, the pipeline goes on.',
  },
  CS_ERR_SPEAKER_SEARCH_UNSUPPORTED: {
    status: 422,
    summary:
      'The Voice API speaker search operations are not supported: speaker search needs voice embeddings Callsight does not ship.',
  },
  CS_ERR_UNAUTHENTICATED: {
    status: 401,
    summary:
      'An /api request or /ws upgrade came without valid credentials (no, unknown, expired or revoked token or session), or a sign-in was refused.',
  },
  CS_ERR_FORBIDDEN: {
    status: 403,
    summary:
      "The credentials are valid but the user's or token's role may not do this (docs/security.md has the route table).",
  },
  CS_ERR_AUTH_REVOKED: {
    status: 4401,
    summary:
      'A live WebSocket was closed: its token was revoked or expired, or its session ended (sign-out, password change, user disabled, an admin ended it).',
  },
  CS_ERR_ORIGIN_NOT_ALLOWED: {
    status: 403,
    summary:
      'A WebSocket upgrade, or a state-changing request signed in with the session cookie, came from a web origin that is not this server nor in http.allowedOrigins (cross-site WebSocket hijacking, CSRF).',
  },
  CS_ERR_HOST_NOT_ALLOWED: {
    status: 421,
    summary:
      'The Host header names none of the names this server answers to (http.allowedHosts): DNS rebinding.',
  },
  CS_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    summary:
      'A state-changing request carried a body that is not application/json (or YAML, where documented): a cross-site "simple" form or text/plain POST.',
  },
  CS_ERR_RATE_LIMITED: {
    status: 429,
    summary: 'Too many failed sign-ins for that user name or from that address: wait `Retry-After` seconds.',
  },
  CS_ERR_USER_EXISTS: { status: 409, summary: 'A user with that name already exists.' },
  CS_ERR_INTERNAL: { status: 500, summary: 'An unexpected failure; it is logged with its stack trace.' },
  CS_ERR_BAD_REQUEST: {
    status: 400,
    summary: 'A request body or parameter failed validation; every problem is listed with its path.',
  },
  CS_ERR_CONFIGURATION_CONFLICT: {
    status: 409,
    summary: 'A call analytics configuration with that name already exists, or the configuration is in use.',
  },
  CS_ERR_VOCABULARY_CONFLICT: {
    status: 409,
    summary: 'A custom vocabulary with that name already exists.',
  },
  CS_ERR_VOCABULARY_FILTER_CONFLICT: {
    status: 409,
    summary: 'A vocabulary filter with that name already exists.',
  },
  CS_ERR_RECORDING_FAILED: {
    status: 500,
    summary:
      'A call recording could not be written (folder not writable, disk failing, the 4 GiB WAV limit); the recording element fails, the pipeline goes on.',
  },
  CS_ERR_RECORDING_NOT_REDACTED: {
    status: 500,
    summary:
      'A recording that redaction applies to could not be redacted (the redacting element failed, or recognition is off): with ContentRedactionOutput redacted it is deleted; with redacted_and_unredacted only the unredacted copy is kept.',
  },
  CS_ERR_RECORDING_DISK_FULL: {
    status: 0,
    summary:
      'The recordings disk has no room (full, quota, file-size limit): the call goes on, its recording gets silence until there is room again.',
  },
  CS_ERR_DATA_DISK_FULL: {
    status: 0,
    summary:
      'The data folder has no room for the embedded data stream: records go on live and wait in memory (stream.maxHeldRecords) until there is room.',
  },
  CS_ERR_RECORDING_STORE_UNAVAILABLE: {
    status: 503,
    summary: 'The S3-compatible store that holds the recordings could not be reached.',
  },
  CS_ERR_RANGE_NOT_SATISFIABLE: {
    status: 416,
    summary: 'A Range request asked for bytes outside the recording.',
  },
  CS_ERR_EVENT_PATTERN_INVALID: {
    status: 400,
    summary: 'An EventBridge event pattern is not valid; every problem is named with its JSON path.',
  },
  CS_ERR_MULTIPART_INVALID: {
    status: 400,
    summary: 'A multipart message body is malformed: boundary, delimiters or part headers.',
  },
  CS_ERR_SIPREC_UNSUPPORTED_BODY: {
    status: 415,
    summary: 'The INVITE body, or a body part marked handling=required, has a type Callsight cannot handle.',
  },
  CS_ERR_SIPREC_NO_SDP: { status: 400, summary: 'The INVITE body carries no (or more than one) SDP offer.' },
  CS_ERR_SIPREC_METADATA_MISSING: {
    status: 400,
    summary: 'A SIPREC INVITE carries no recording metadata part.',
  },
  CS_ERR_SIPREC_METADATA_INVALID: {
    status: 400,
    summary: 'The SIPREC recording metadata (RFC 7865) is not valid.',
  },
  CS_ERR_SIPREC_METADATA_TOO_LARGE: {
    status: 413,
    summary: 'The SIPREC recording metadata exceeds the size limit.',
  },
  CS_ERR_SIPREC_STREAMS: {
    status: 488,
    summary: 'The SIPREC offer has more audio streams than a recording session may have (2).',
  },
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

/**
 * The process is starting or shutting down. `details` are the fields a healthy /healthz reports
 * (roles, counts, stream position), so a probe sees how far it got.
 */
export class NotReadyError extends CallsightError {
  override name = 'NotReadyError';
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, details: Readonly<Record<string, unknown>> = {}) {
    super('CS_ERR_NOT_READY', message);
    this.details = details;
  }
}

/** One problem of a rejected document, with the JSON path where it was found. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** A request or document that failed validation; `problems` lists every issue, not just the first. */
export class ValidationError extends CallsightError {
  override name = 'ValidationError';
  readonly problems: readonly Problem[];

  constructor(what: string, problems: readonly Problem[]) {
    super(
      'CS_ERR_BAD_REQUEST',
      `${what}: ${problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`,
    );
    this.problems = problems;
  }
}

/** Formats zod-style issue paths as `Elements[2].Type`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** The message of anything thrown: an Error's message, a string as it is, anything else as String() gives it. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : String(err);
}

/** Anything thrown, as an Error: Errors pass unchanged, anything else is wrapped with it as the cause. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(errorMessage(err), { cause: err });
}
