import { countRequest, countResponse } from './SipTraffic.js';
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../platform/logger.js';
import type { AllowList } from './access/AllowList.js';
import type { DigestAuthenticator } from './access/DigestAuth.js';
import type { DigestAnswer, DigestClient } from './access/DigestClient.js';
import { LogThrottle } from './access/LogThrottle.js';
import {
  SipRejection,
  type CallEndReason,
  type CallHandler,
  type DialogHandler,
  type IncomingInvite,
  type SipTransportName,
} from './CallHandlerTypes.js';
import { Dialog, dialogKey, viaHeader, type LocalContact } from './dialog/Dialog.js';
import { SipHeaders } from './message/SipHeaders.js';
import { parseOptionTags, splitList } from './message/HeaderValues.js';
import {
  REASON,
  SipRequest,
  SipResponse,
  newTag,
  responseTo,
  type ResponseOptions,
} from './message/SipMessage.js';
import { SipParseError, parseSipMessage } from './message/SipParser.js';
import { formatHost, userOrUri } from './message/SipUri.js';
import { stampReceived } from './message/ViaReceived.js';
import {
  InviteClientTransaction,
  NonInviteClientTransaction,
  cancelFor,
  clientTransactionKey,
  type ClientTransactionContext,
  type InviteOutcome,
} from './transaction/ClientTransaction.js';
import {
  InviteServerTransaction,
  NonInviteServerTransaction,
  serverTransactionKey,
  type ServerTransaction,
  type TransactionContext,
} from './transaction/ServerTransaction.js';
import { DEFAULT_TIMERS, RetransmitSchedule, type SipTimers } from './transaction/Timers.js';
import type { StreamLimits, StreamTransport, StreamTransportStats } from './transport/StreamTransport.js';
import { TcpTransport } from './transport/TcpTransport.js';
import type { TlsCredentials } from './transport/TlsCredentials.js';
import { TlsTransport, type TlsTransportStats } from './transport/TlsTransport.js';
import type { SipFlow, SipTransport } from './transport/TransportTypes.js';
import { UdpTransport } from './transport/UdpTransport.js';

export interface SipUserAgentOptions {
  readonly host: string;
  readonly udpPort: number;
  readonly tcpPort: number;
  /** SIP over TLS (RFC 3261 §26): listens on tlsPort when set. */
  readonly tls?: {
    readonly port: number;
    readonly credentials: TlsCredentials;
    /** Identities of which a client certificate must carry one (mutual TLS); empty: any. */
    readonly clientAllowList?: readonly string[];
  } | null;
  /** Limits on TCP and TLS connections (defaults: DEFAULT_STREAM_LIMITS). */
  readonly streamLimits?: Partial<StreamLimits>;
  /** Address put in Contact and Via (reachable by the peers). */
  readonly advertisedAddress: string;
  readonly handler: CallHandler;
  readonly logger: Logger;
  readonly timers?: Partial<SipTimers>;
  /** Option tags a peer may put in Require (RFC 3261 §8.2.2.3); others get 420. */
  readonly supportedOptionTags?: readonly string[];
  /**
   * Who may send requests: sources outside `allowList` get 403 (every request but ACK); with `auth`,
   * a new INVITE must carry digest credentials (401 challenge otherwise). In-dialog requests,
   * CANCEL (RFC 3261 §22.1) and OPTIONS are never challenged. Default: everyone, no authentication.
   */
  readonly access?: { readonly allowList: AllowList; readonly auth?: DigestAuthenticator | null };
}

/** RFC 3261 §19.1.2: 5061 for TLS, 5060 otherwise. */
export function defaultPort(transport: SipTransportName): number {
  return transport === 'tls' ? 5061 : 5060;
}

/** Methods this UAS implements; everything else known to SIP gets 405, unknown methods 501. */
const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO';
const IMPLEMENTED: ReadonlySet<string> = new Set(ALLOW.split(', '));
const KNOWN_UNSUPPORTED = new Set([
  'REGISTER',
  'SUBSCRIBE',
  'NOTIFY',
  'REFER',
  'MESSAGE',
  'PUBLISH',
  'PRACK',
  'UPDATE',
]);
const SERVER = 'Callsight';
/** With a 415 for an INVITE whose Accept leaves out SDP: what every answer of ours carries. */
const NOT_ACCEPTABLE_HEADERS: [string, string][] = [
  ['accept', 'application/sdp'],
  ['warning', '399 callsight "the answer is SDP, which the Accept header does not allow"'],
];

/**
 * Whether the request's Accept allows our SDP answer (RFC 3261 §20.1: absent means application/sdp,
 * present but empty means nothing); RFC 4475 §3.3.15 asks for a refusal otherwise.
 */
function acceptsSdp(request: SipRequest): boolean {
  const values = request.headers.getAll('accept');
  if (values.length === 0) return true;
  return values
    .flatMap(splitList)
    .map((range) => range.split(';', 1)[0]!.trim().toLowerCase())
    .some((range) => range === 'application/sdp' || range === 'application/*' || range === '*/*');
}
/** How long a shutdown waits for the peers to answer its BYEs. */
const SHUTDOWN_BYE_WAIT_MS = 2000;

interface DialogState {
  readonly dialog: Dialog;
  readonly sipCallId: string;
  readonly handler: DialogHandler;
  /** Our current SDP, repeated for re-INVITEs the handler does not renegotiate. */
  sdp: string;
  /** Retransmits our 2xx until the ACK with this CSeq arrives (RFC 3261 §13.3.1.4). */
  awaitingAck: { cseq: number; schedule: RetransmitSchedule; initial: boolean } | null;
  /** An INVITE transaction of this dialog (either side's) is still open: another offer gets 491. */
  offerPending: boolean;
  /** The ACK we sent for the peer's 2xx, re-sent if that 2xx is retransmitted. */
  lastAck: { seq: number; data: Buffer } | null;
}

export interface OutgoingInviteOptions {
  /** Where to send it: the next hop (for TLS, `address` is the name its certificate must carry). */
  readonly target: { readonly transport: SipTransportName; readonly address: string; readonly port: number };
  readonly requestUri: string;
  /** From and To header values without tags (name-addr), e.g. `"Alice" <sip:+15555550100@example.com>`. */
  readonly from: string;
  readonly to: string;
  readonly sdp: string;
  readonly headers?: readonly (readonly [string, string])[];
  /** Give up (CANCEL, or stop retransmitting) when no final response came in this time. */
  readonly timeoutMs: number;
  /** Each provisional response (180, 183 with early-media SDP, …). */
  readonly onProvisional?: (response: SipResponse) => void;
  /** Receives the dialog's events once a 2xx has made one. */
  readonly handler: DialogHandler;
  /** Answers a 401/407 from the target (RFC 3261 §22.2); without it a challenge is a final refusal. */
  readonly credentials?: DigestClient | null;
}

/** A call we placed: the final outcome, and a way to take it back before it is answered. */
export interface OutgoingInvite {
  /** Call-ID of the new dialog (the key for hangup() and reinvite()). */
  readonly sipCallId: string;
  /**
   * A 2xx (the dialog exists and was ACKed), a final failure (a 401/407 here means the credentials
   * were refused, or there were none), a timeout (no final response in timeoutMs), 'unreachable', or
   * 'cancelled' (cancel() won the race; a late 2xx is hung up at once).
   */
  readonly outcome: Promise<InviteOutcome | { readonly kind: 'cancelled' }>;
  cancel(): void;
}

interface PendingInvite {
  readonly transaction: InviteServerTransaction;
  readonly toTag: string;
  cancelled: boolean;
}

export interface SipUserAgentStats {
  requestsReceived: number;
  responsesReceived: number;
  retransmissionsReceived: number;
  malformedMessages: number;
  /** Requests answered 403 because their source is not in the allow-list. */
  forbidden: number;
  /** INVITEs answered 401 (first challenges included). */
  challenged: number;
  activeDialogs: number;
  pendingInvites: number;
  tcp: StreamTransportStats;
  /** null when TLS is not configured. */
  tls: TlsTransportStats | null;
}

/**
 * The SIP user agent server (RFC 3261) over UDP and TCP: parses and validates every message,
 * runs the server transactions (retransmissions, timers), keeps the dialogs it accepted, and asks
 * its CallHandler what to answer. It never crashes on input: anything malformed is answered 400
 * (or dropped when it cannot be answered) and logged.
 *
 * Hand-written because no maintained Node SIP stack fits: drachtio needs its own C++ server, and
 * the pure-JS stacks on npm are unmaintained or browser/WebSocket-only.
 */
export class SipUserAgent {
  readonly #options: SipUserAgentOptions;
  readonly #logger: Logger;
  readonly #timers: SipTimers;
  readonly #udp: UdpTransport;
  readonly #tcp: TcpTransport;
  readonly #tls: TlsTransport | null;
  readonly #serverTransactions = new Map<string, ServerTransaction>();
  readonly #clientTransactions = new Map<string, NonInviteClientTransaction | InviteClientTransaction>();
  readonly #dialogs = new Map<string, DialogState>();
  readonly #dialogsBySipCallId = new Map<string, DialogState>();
  readonly #pending = new Map<string, PendingInvite>();
  readonly #supported: ReadonlySet<string>;
  readonly #serverContext: TransactionContext;
  readonly #clientContext: ClientTransactionContext;
  readonly #stats = {
    requestsReceived: 0,
    responsesReceived: 0,
    retransmissionsReceived: 0,
    malformedMessages: 0,
    forbidden: 0,
    challenged: 0,
  };
  /** Lines about refused sources, rate-limited per source so a scanner cannot flood the log. */
  readonly #accessLog = new LogThrottle();
  #closing: Promise<void> | null = null;

  private constructor(
    options: SipUserAgentOptions,
    udp: UdpTransport,
    tcp: TcpTransport,
    tls: TlsTransport | null,
  ) {
    this.#options = options;
    this.#logger = options.logger;
    this.#timers = { ...DEFAULT_TIMERS, ...options.timers };
    this.#udp = udp;
    this.#tcp = tcp;
    this.#tls = tls;
    this.#supported = new Set((options.supportedOptionTags ?? []).map((t) => t.toLowerCase()));
    this.#serverContext = {
      timers: this.#timers,
      send: (data, flow) => this.#send(data, flow),
      terminated: (key) => this.#serverTransactions.delete(key),
    };
    this.#clientContext = {
      timers: this.#timers,
      send: (data, flow) => this.#transport(flow).send(data, flow),
      terminated: (key) => this.#clientTransactions.delete(key),
    };
    udp.on('message', (data, flow) => this.#receive(data, flow));
    for (const stream of tls ? [tcp, tls] : [tcp]) {
      stream.on('message', (data, flow) => this.#receive(data, flow));
      stream.on('framingError', (err, flow) => {
        this.#stats.malformedMessages++;
        if (err instanceof SipParseError)
          this.#answerMalformed(err, flow, (data) => stream.sendOnConnection(data, flow));
      });
    }
  }

  static async start(options: SipUserAgentOptions): Promise<SipUserAgent> {
    const { logger, host, streamLimits: limits = {} } = options;
    const opened: SipTransport[] = [];
    try {
      const udp = await UdpTransport.listen(host, options.udpPort, logger);
      opened.push(udp);
      const tcp = await TcpTransport.listen({ host, port: options.tcpPort, logger, limits });
      opened.push(tcp);
      const tls = options.tls ? await TlsTransport.listen({ ...options.tls, host, logger, limits }) : null;
      return new SipUserAgent(options, udp, tcp, tls);
    } catch (err) {
      await Promise.all(opened.map((t) => t.close()));
      throw err;
    }
  }

  get udpPort(): number {
    return this.#udp.localPort;
  }

  get tcpPort(): number {
    return this.#tcp.localPort;
  }

  /** 0 when TLS is not configured. */
  get tlsPort(): number {
    return this.#tls?.localPort ?? 0;
  }

  stats(): SipUserAgentStats {
    return {
      ...this.#stats,
      activeDialogs: this.#dialogs.size,
      pendingInvites: this.#pending.size,
      tcp: this.#tcp.stats(),
      tls: this.#tls?.stats() ?? null,
    };
  }

  #transport(flow: SipFlow): SipTransport {
    if (flow.transport === 'udp') return this.#udp;
    if (flow.transport === 'tcp') return this.#tcp;
    if (this.#tls) return this.#tls;
    throw new Error('SIP over TLS is not configured (sip.tlsCertFile)');
  }

  #stream(flow: SipFlow): StreamTransport | null {
    if (flow.connectionId === undefined) return null;
    return flow.transport === 'tls' ? this.#tls : flow.transport === 'tcp' ? this.#tcp : null;
  }

  /**
   * RFC 5923: a request whose top Via carries `alias` offers its connection for our requests to its
   * sent-by address; honoured when the transport can tell the peer may speak for that name.
   */
  #learnAlias(request: SipRequest, flow: SipFlow): void {
    const via = request.topVia;
    const stream = this.#stream(flow);
    if (!stream || !via.params.has('alias') || !stream.mayAlias(flow.connectionId!, via.host)) return;
    stream.addAlias(flow.connectionId!, via.host, via.port ?? defaultPort(flow.transport));
  }

  /** Sends a response; one that cannot go out (the TCP peer left, and no connection to it opens) is lost. */
  #send(data: Buffer, flow: SipFlow): void {
    this.#transport(flow)
      .send(data, flow)
      .catch((err: unknown) =>
        this.#logger.debug({ err, remote: flow.address }, 'SIP response could not be sent'),
      );
  }

  #receive(data: Buffer, flow: SipFlow): void {
    let message;
    try {
      message = parseSipMessage(data);
    } catch (err) {
      this.#stats.malformedMessages++;
      if (!(err instanceof SipParseError)) {
        this.#logger.error({ err, remote: flow.address }, 'SIP parser failed unexpectedly');
        return;
      }
      this.#answerMalformed(err, flow, (bytes) => this.#send(bytes, flow));
      return;
    }
    try {
      if (message instanceof SipResponse) this.#onResponse(message);
      else this.#onRequest(message, flow);
    } catch (err) {
      // A bug handling one message must not take the listener (and every other call) down.
      this.#logger.error({ err, remote: flow.address }, 'SIP message handling failed');
    }
  }

  #answerMalformed(err: SipParseError, flow: SipFlow, send: (data: Buffer) => void): void {
    if (!this.#sourceAllowed(flow)) return; // no answer (nor warning) for hosts we do not serve
    const remote = `${flow.transport}:${flow.address}:${flow.port}`;
    if (!err.answerable || !err.partial) {
      this.#logger.warn(
        { remote, code: err.code, reason: err.message },
        'malformed SIP message dropped (cannot be answered)',
      );
      return;
    }
    this.#logger.warn(
      { remote, code: err.code, reason: err.message, status: err.sipStatus },
      'malformed SIP request rejected',
    );
    const response = responseTo(err.partial, err.sipStatus, REASON[err.sipStatus] ?? 'Bad Request', {
      toTag: newTag(),
      headers: [
        ['warning', `399 ${this.#options.advertisedAddress} "${err.message.replace(/["\\\r\n]/g, "'")}"`],
        ['server', SERVER],
      ],
    });
    stampReceived(response.headers, flow);
    send(response.serialize());
  }

  #onResponse(response: SipResponse): void {
    this.#stats.responsesReceived++;
    const key = clientTransactionKey(response.topVia.branch ?? '', response.cseq.method);
    this.#clientTransactions.get(key)?.receive(response);
  }

  #onRequest(request: SipRequest, flow: SipFlow): void {
    this.#stats.requestsReceived++;
    countRequest(request.method);
    this.#learnAlias(request, flow);
    // A request in an existing dialog (Call-ID and both tags match) passes from any host: the target of
    // a call Callsight placed (a route's PBX) must be able to re-INVITE and hang up without being listed.
    if (request.method !== 'ACK' && !this.#sourceAllowed(flow) && !this.#dialogOf(request)) {
      return this.#forbid(request, flow);
    }
    if (request.method === 'ACK') {
      this.#onAck(request);
      return;
    }
    const existing = this.#serverTransactions.get(serverTransactionKey(request));
    if (existing) {
      this.#stats.retransmissionsReceived++;
      existing.retransmission();
      return;
    }
    if (request.method === 'INVITE') {
      const transaction = new InviteServerTransaction(request, flow, this.#serverContext);
      this.#serverTransactions.set(transaction.key, transaction);
      if (request.toTag === null) this.#onInitialInvite(request, transaction, flow);
      else this.#onReInvite(request, transaction, flow);
      return;
    }
    const transaction = new NonInviteServerTransaction(request, flow, this.#serverContext);
    this.#serverTransactions.set(transaction.key, transaction);
    const respond = (status: number, options?: ResponseOptions) =>
      transaction.respond(this.#response(request, status, options));
    // RFC 3261 §8.2.2.3: after the method check, Require (never on CANCEL); RFC 4475 §3.3.5.
    const unsupported = IMPLEMENTED.has(request.method) ? this.#unsupportedRequired(request) : [];
    if (unsupported.length > 0 && request.method !== 'CANCEL')
      return respond(420, { headers: [['unsupported', unsupported.join(', ')]] });
    switch (request.method) {
      case 'CANCEL':
        this.#onCancel(request, respond);
        return;
      case 'BYE':
        this.#onBye(request, respond);
        return;
      case 'OPTIONS':
        respond(200, {
          headers: [
            ['allow', ALLOW],
            ['accept', 'application/sdp'],
            ['supported', [...this.#supported].join(', ')],
          ],
        });
        return;
      case 'INFO':
        respond(this.#dialogOf(request) ? 200 : 481);
        return;
      default:
        if (KNOWN_UNSUPPORTED.has(request.method)) respond(405, { headers: [['allow', ALLOW]] });
        else respond(501, { headers: [['allow', ALLOW]] });
    }
  }

  #response(request: SipRequest, status: number, options: ResponseOptions = {}): SipResponse {
    return responseTo(request, status, REASON[status] ?? 'Unknown', {
      toTag: options.toTag ?? this.#dialogOf(request)?.dialog.localTag ?? newTag(),
      ...options,
      headers: [...(options.headers ?? []), ['server', SERVER]],
    });
  }

  /** Option tags in Require that this UAS does not support (RFC 3261 §8.2.2.3). */
  #unsupportedRequired(request: SipRequest): string[] {
    return parseOptionTags(request.headers.getAll('require')).filter((t) => !this.#supported.has(t));
  }

  #sourceAllowed(flow: SipFlow): boolean {
    return this.#options.access?.allowList.allows(flow.address) ?? true;
  }

  /** 403 sent statelessly (§8.2.7): a flood from refused hosts keeps no transactions nor timers. */
  #forbid(request: SipRequest, flow: SipFlow): void {
    this.#stats.forbidden++;
    // A stateless UAS must give a retransmission the same To tag: derive it from the transaction.
    const toTag = createHash('sha256').update(serverTransactionKey(request)).digest('hex').slice(0, 12);
    const forbidden = this.#response(request, 403, { toTag });
    stampReceived(forbidden.headers, flow);
    this.#send(forbidden.serialize(), flow);
    countResponse(request.method, 403);
    const fields = { code: 'CS_ERR_SIP_FORBIDDEN', method: request.method };
    this.#warnThrottled(flow, fields, 'SIP request from a host not in sip.allowedHosts: 403');
  }

  /** Digest authentication of a new INVITE (§22.2): without valid credentials, 401 and fresh challenges. */
  #authenticated(
    request: SipRequest,
    flow: SipFlow,
    reject: (status: number, headers: [string, string][]) => void,
  ): boolean {
    const auth = this.#options.access?.auth;
    if (!auth) return true;
    const authorization = request.headers.getAll('authorization');
    const verdict = auth.verify({ method: request.method, uri: request.uri, authorization });
    if (verdict.ok) {
      this.#logger.debug({ sipCallId: request.callId, user: verdict.username }, 'INVITE authenticated');
      return true;
    }
    this.#stats.challenged++;
    const challenges = auth.challenges({ stale: verdict.stale });
    reject(
      401,
      challenges.map((c): [string, string] => ['www-authenticate', c]),
    );
    const { reason, username } = verdict;
    const fields = { sipCallId: request.callId, reason, user: username?.slice(0, 64) };
    if (reason === 'missing' || reason === 'other-realm' || reason === 'stale-nonce') {
      // The usual first round (and nonce renewal): not worth a warning.
      this.#logger.debug({ ...fields, remote: flow.address }, 'INVITE challenged: 401');
    } else {
      const failed = { code: 'CS_ERR_SIP_AUTH_FAILED', ...fields, detail: verdict.detail };
      this.#warnThrottled(flow, failed, 'INVITE credentials refused: 401');
    }
    return false;
  }

  /** A warning about a source, at most once a minute per source address (see LogThrottle). */
  #warnThrottled(flow: SipFlow, fields: Record<string, unknown>, message: string): void {
    const admitted = this.#accessLog.admit(flow.address);
    const remote = `${flow.transport}:${flow.address}:${flow.port}`;
    if (admitted) this.#logger.warn({ remote, ...fields, ...admitted }, message);
  }

  #dialogOf(request: SipRequest): DialogState | undefined {
    const { toTag, fromTag } = request;
    if (toTag === null) return undefined;
    return this.#dialogs.get(dialogKey(request.callId, toTag, fromTag ?? ''));
  }

  #onInitialInvite(request: SipRequest, transaction: InviteServerTransaction, flow: SipFlow): void {
    const sipCallId = request.callId;
    const toTag = newTag();
    const reject = (status: number, headers: [string, string][] = [], reason?: string) => {
      const response = this.#response(request, status, { toTag, headers });
      transaction.respond(
        reason ? new SipResponse(status, reason, response.headers, response.body) : response,
      );
    };
    if (this.#closing) return reject(503, [['retry-after', '30']]);
    if (!this.#authenticated(request, flow, reject)) return;
    const unsupported = this.#unsupportedRequired(request);
    if (unsupported.length > 0) return reject(420, [['unsupported', unsupported.join(', ')]]);
    if (!acceptsSdp(request)) return reject(415, NOT_ACCEPTABLE_HEADERS);
    // A second INVITE with this Call-ID that is not a retransmission: a loop or a merged fork (§8.2.2.2).
    if (this.#pending.has(sipCallId) || this.#dialogsBySipCallId.has(sipCallId)) return reject(482);

    transaction.respond(this.#response(request, 100));
    const pending: PendingInvite = { transaction, toTag, cancelled: false };
    this.#pending.set(sipCallId, pending);
    const logger = this.#logger.child({ sipCallId });
    const invite = this.#incomingInvite(request, flow);
    const { handler } = this.#options;
    const progress = (status: 180 | 183, sdp?: string) => {
      if (pending.cancelled || !transaction.proceeding) return;
      transaction.respond(
        this.#response(request, status, {
          toTag,
          headers: [['contact', this.#contactHeader(flow.transport)]],
          ...(sdp === undefined ? {} : { body: { contentType: 'application/sdp', content: sdp } }),
        }),
      );
    };
    handler
      .offer(invite, progress)
      .then(({ sdp }) => {
        if (pending.cancelled || !transaction.proceeding) return;
        const dialog = Dialog.answered(request, toTag, flow);
        const state = this.#addDialog(dialog, sdp, {
          ...(handler.update ? { update: (update) => handler.update!(sipCallId, update) } : {}),
          confirmed: () => handler.confirmed(sipCallId),
          ended: (reason) => handler.ended(sipCallId, reason),
        });
        this.#sendOk(state, request, transaction, true);
        logger.info(
          { from: invite.fromNumber, to: invite.toNumber, transport: flow.transport },
          'INVITE answered 200',
        );
      })
      .catch((err: unknown) => {
        if (pending.cancelled || !transaction.proceeding) return;
        if (err instanceof SipRejection) {
          logger.info({ code: err.code, status: err.status, reason: err.reason }, 'INVITE rejected');
          reject(err.status, Object.entries(err.extraHeaders), err.reason);
        } else {
          logger.error({ err }, 'call handler failed on INVITE');
          reject(500);
        }
      })
      .finally(() => this.#pending.delete(sipCallId));
  }

  #incomingInvite(request: SipRequest, flow: SipFlow): IncomingInvite {
    return {
      sipCallId: request.callId,
      fromNumber: userOrUri(request.from.uri, request.from.uriText),
      toNumber: userOrUri(request.to.uri, request.to.uriText),
      fromUri: request.from.uriText,
      toUri: request.to.uriText,
      requestUri: request.uri,
      headers: request.headers.toRecord(),
      contentType: request.contentType,
      body: request.body.toString('utf8'),
      source: { address: flow.address, port: flow.port, transport: flow.transport },
    };
  }

  /** 200 OK with our SDP, retransmitted (UDP) until its ACK; no ACK in 64·T1 ends the call with BYE. */
  #sendOk(
    state: DialogState,
    request: SipRequest,
    transaction: InviteServerTransaction,
    initial: boolean,
  ): void {
    const { dialog } = state;
    const ok = this.#response(request, 200, {
      toTag: dialog.localTag,
      headers: [
        ...request.headers.getAll('record-route').map((r): [string, string] => ['record-route', r]),
        ['contact', this.#contactHeader(dialog.flow.transport)],
        ['allow', ALLOW],
        ['supported', [...this.#supported].join(', ')],
      ],
      body: { contentType: 'application/sdp', content: state.sdp },
    });
    transaction.respond(ok);
    const bytes = ok.serialize();
    state.awaitingAck?.schedule.stop();
    state.awaitingAck = {
      cseq: request.cseq.seq,
      initial,
      schedule: new RetransmitSchedule(
        this.#timers,
        dialog.flow.transport === 'udp' ? () => void this.#udp.send(bytes, dialog.flow) : null,
        () => this.#onAckTimeout(state),
      ),
    };
  }

  #onAckTimeout(state: DialogState): void {
    this.#logger.warn({ sipCallId: state.sipCallId }, 'no ACK for 200 OK: ending the call with BYE');
    state.awaitingAck = null;
    void this.#endDialog(state, 'ack-timeout', true);
  }

  #onAck(request: SipRequest): void {
    const transaction = this.#serverTransactions.get(serverTransactionKey(request));
    if (transaction instanceof InviteServerTransaction && transaction.state === 'completed') {
      transaction.ack();
      return;
    }
    const state = this.#dialogOf(request);
    if (!state?.awaitingAck || state.awaitingAck.cseq !== request.cseq.seq) return;
    const { initial, schedule } = state.awaitingAck;
    schedule.stop();
    state.awaitingAck = null;
    state.offerPending = false;
    if (initial) state.handler.confirmed?.();
  }

  #onReInvite(request: SipRequest, transaction: InviteServerTransaction, flow: SipFlow): void {
    const state = this.#dialogOf(request);
    const respond = (status: number, reason?: string, headers: [string, string][] = []) => {
      const response = this.#response(request, status, { headers });
      transaction.respond(
        reason ? new SipResponse(status, reason, response.headers, response.body) : response,
      );
    };
    if (!state) return respond(481);
    const unsupported = this.#unsupportedRequired(request);
    if (unsupported.length > 0) {
      const response = this.#response(request, 420, { headers: [['unsupported', unsupported.join(', ')]] });
      return transaction.respond(response);
    }
    if (!acceptsSdp(request))
      return transaction.respond(this.#response(request, 415, { headers: NOT_ACCEPTABLE_HEADERS }));
    // RFC 3261 §14.2: an offer while another offer of this dialog is unanswered must wait.
    if (state.awaitingAck || state.offerPending) return respond(491);
    const handler = state.handler;
    // Without a handler for it, hold, resume or a session refresh gets the same answer as before.
    if (!handler.update) return this.#sendOk(state, request, transaction, false);
    state.offerPending = true;
    transaction.respond(this.#response(request, 100));
    handler
      .update(this.#incomingInvite(request, flow))
      .then(({ sdp }) => {
        state.sdp = sdp;
        this.#sendOk(state, request, transaction, false);
      })
      .catch((err: unknown) => {
        state.offerPending = false;
        if (err instanceof SipRejection) {
          this.#logger.info(
            { sipCallId: state.sipCallId, code: err.code, status: err.status, reason: err.reason },
            're-INVITE rejected',
          );
          // The handler's headers too: a 488's Warning says which part of the re-offer was refused.
          return respond(err.status, err.reason, Object.entries(err.extraHeaders));
        }
        this.#logger.error({ err, sipCallId: state.sipCallId }, 're-INVITE handling failed');
        respond(500);
      });
  }

  #onCancel(request: SipRequest, respond: (status: number, options?: ResponseOptions) => void): void {
    const invite = this.#serverTransactions.get(serverTransactionKey(request, 'INVITE'));
    if (!(invite instanceof InviteServerTransaction)) return respond(481);
    const pending = this.#pending.get(request.callId);
    // RFC 3261 §9.2: the 200 to CANCEL carries the To tag of the INVITE's responses.
    respond(200, pending?.transaction === invite ? { toTag: pending.toTag } : {});
    if (!invite.proceeding || !pending || pending.transaction !== invite) return;
    pending.cancelled = true;
    invite.respond(this.#response(invite.request, 487, { toTag: pending.toTag }));
    this.#logger.info({ sipCallId: request.callId }, 'INVITE cancelled by the caller');
    this.#options.handler.ended(request.callId, 'cancelled');
  }

  #onBye(request: SipRequest, respond: (status: number) => void): void {
    const state = this.#dialogOf(request);
    if (!state) return respond(481);
    respond(200);
    void this.#endDialog(state, 'bye-received', false);
  }

  #endDialog(state: DialogState, reason: CallEndReason, sendBye: boolean): Promise<void> {
    if (this.#dialogs.get(state.dialog.key) !== state) return Promise.resolve();
    this.#dialogs.delete(state.dialog.key);
    this.#dialogsBySipCallId.delete(state.sipCallId);
    state.awaitingAck?.schedule.stop();
    state.awaitingAck = null;
    this.#logger.info({ sipCallId: state.sipCallId, reason }, 'dialog ended');
    state.handler.ended(reason);
    return sendBye ? this.#sendBye(state) : Promise.resolve();
  }

  async #sendBye(state: DialogState): Promise<void> {
    const hop = state.dialog.nextHop();
    const bye = state.dialog.request('BYE', this.#localContact(hop.transport));
    const transaction = new NonInviteClientTransaction(bye, hop, this.#clientContext);
    this.#clientTransactions.set(transaction.key, transaction);
    const response = await transaction.response;
    this.#logger.debug({ sipCallId: state.sipCallId, status: response?.status ?? 'timeout' }, 'BYE answered');
  }

  #addDialog(dialog: Dialog, sdp: string, handler: DialogHandler): DialogState {
    const state: DialogState = {
      dialog,
      sipCallId: dialog.callId,
      handler,
      sdp,
      awaitingAck: null,
      offerPending: false,
      lastAck: null,
    };
    this.#dialogs.set(dialog.key, state);
    this.#dialogsBySipCallId.set(dialog.callId, state);
    return state;
  }

  #localContact(transport: SipTransportName): LocalContact {
    return {
      address: formatHost(this.#options.advertisedAddress),
      port: this.#transport({ transport, address: '', port: 0 }).localPort,
      transport,
    };
  }

  #contactHeader(transport: SipTransportName): string {
    const { address, port } = this.#localContact(transport);
    return `<sip:callsight@${address}:${port}${transport === 'udp' ? '' : `;transport=${transport}`}>`;
  }

  /**
   * Places a call (the B2BUA's outbound leg): INVITE to `target`, provisional responses reported as
   * they come, a 2xx ACKed and turned into a dialog whose events go to `handler`. A 401 or 407 is
   * answered with `credentials` (the INVITE again, CSeq + 1, same Call-ID and From tag); a second
   * challenge only if it says the nonce was stale. A call not answered in `timeoutMs` is cancelled
   * (or, if the peer never answered at all, simply abandoned) and ends as a timeout.
   */
  invite(options: OutgoingInviteOptions): OutgoingInvite {
    const flow: SipFlow = { ...options.target };
    const sipCallId = this.#newCallId();
    const fromTag = newTag();
    const build = (cseq: number, authorization: DigestAnswer | null) => {
      const headers = this.#outOfDialogHeaders(flow.transport, {
        from: `${options.from};tag=${fromTag}`,
        to: options.to,
        callId: sipCallId,
        cseq: `${cseq} INVITE`,
      });
      if (authorization) headers.append(authorization.header, authorization.value);
      for (const [name, value] of options.headers ?? []) headers.append(name, value);
      headers.append('content-type', 'application/sdp');
      return new SipRequest('INVITE', options.requestUri, headers, Buffer.from(options.sdp));
    };
    const logger = this.#logger.child({ sipCallId });
    /** Why we gave up before a final answer: the caller's cancel() or our own deadline. */
    let givenUp: 'cancelled' | 'timeout' | null = null;
    let answered = false;
    let request = build(1, null);
    let transaction!: InviteClientTransaction;
    let cancelSent = false;
    const sendCancel = () => {
      if (cancelSent) return;
      cancelSent = true;
      const cancel = new NonInviteClientTransaction(cancelFor(request), flow, this.#clientContext);
      this.#clientTransactions.set(cancel.key, cancel);
    };
    const send = (next: SipRequest) => {
      request = next;
      cancelSent = false;
      transaction = new InviteClientTransaction(next, flow, this.#clientContext, {
        provisional: (response) => {
          // A CANCEL may only follow a provisional response (RFC 3261 §9.1).
          if (givenUp) sendCancel();
          else options.onProvisional?.(response);
        },
        retransmitted2xx: (response) => {
          const state = this.#dialogs.get(dialogKey(sipCallId, fromTag, response.toTag ?? ''));
          if (state?.lastAck)
            void this.#transport(flow)
              .send(state.lastAck.data, state.dialog.nextHop())
              .catch(() => undefined);
        },
      });
      this.#clientTransactions.set(transaction.key, transaction);
      return transaction.outcome;
    };
    const giveUp = (why: 'cancelled' | 'timeout') => {
      if (givenUp || answered) return;
      givenUp = why;
      if (transaction.proceeding) sendCancel();
      else if (why === 'timeout') transaction.abandon();
    };
    const deadline = setTimeout(() => {
      logger.info({ target: `${flow.address}:${flow.port}` }, 'outbound INVITE not answered in time');
      giveUp('timeout');
    }, options.timeoutMs);
    const outcome = (async (): Promise<InviteOutcome | { kind: 'cancelled' }> => {
      let result = await send(request);
      // RFC 3261 §22.2: answer a challenge once; again only when the nonce was stale (RFC 7616 §3.3).
      for (let answers = 0; result.kind === 'response' && !givenUp; answers++) {
        const { response } = result;
        if (response.status !== 401 && response.status !== 407) break;
        const challenges = response.headers.getAll(
          response.status === 401 ? 'www-authenticate' : 'proxy-authenticate',
        );
        const answer = options.credentials?.answer(response.status, challenges, request) ?? null;
        if (!answer || answers === 2 || (answers === 1 && !answer.stale)) break;
        logger.debug(
          { status: response.status, stale: answer.stale },
          'outbound INVITE challenged: answering',
        );
        result = await send(build(request.cseq.seq + 1, answer));
      }
      clearTimeout(deadline);
      answered = true;
      if (result.kind !== 'response' || result.response.status >= 300)
        return givenUp ? { kind: givenUp } : result;
      const dialog = Dialog.placed(request, result.response, flow);
      // A dialog born after we gave up is ended at once; its owner never hears of it.
      const state = this.#addDialog(
        dialog,
        options.sdp,
        givenUp ? { ended: () => undefined } : options.handler,
      );
      const ack = dialog.ack(request.cseq.seq, this.#localContact(dialog.nextHop().transport));
      state.lastAck = { seq: request.cseq.seq, data: ack.serialize() };
      this.#send(state.lastAck.data, dialog.nextHop());
      if (givenUp) {
        // The 2xx crossed our CANCEL: the call exists, so it must be ended with BYE (§9.1).
        void this.#endDialog(state, 'bye-sent', true);
        return { kind: givenUp };
      }
      return result;
    })();
    return { sipCallId, outcome, cancel: () => giveUp('cancelled') };
  }

  /**
   * OPTIONS to `target` (RFC 3261 §11), as a keep-alive of a route's target: resolves with the final
   * status and the round-trip time, or a null status when nothing came back in `timeoutMs` (or the
   * request could not be sent).
   */
  async ping(
    target: OutgoingInviteOptions['target'],
    requestUri: string,
    timeoutMs: number,
  ): Promise<{ status: number | null; rttMs: number }> {
    const headers = this.#outOfDialogHeaders(target.transport, {
      from: `<sip:callsight@${formatHost(this.#options.advertisedAddress)}>;tag=${newTag()}`,
      to: `<${requestUri}>`,
      callId: this.#newCallId(),
      cseq: '1 OPTIONS',
    }).append('accept', 'application/sdp');
    const started = performance.now();
    const transaction = new NonInviteClientTransaction(
      new SipRequest('OPTIONS', requestUri, headers),
      { ...target },
      this.#clientContext,
    );
    this.#clientTransactions.set(transaction.key, transaction);
    const timer = setTimeout(() => transaction.abandon(), timeoutMs);
    const response = await transaction.response;
    clearTimeout(timer);
    return { status: response?.status ?? null, rttMs: performance.now() - started };
  }

  #newCallId(): string {
    return `${randomBytes(12).toString('hex')}@${this.#options.advertisedAddress}`;
  }

  /** The headers of a request that starts a transaction outside any dialog (RFC 3261 §8.1.1). */
  #outOfDialogHeaders(
    transport: SipTransportName,
    fields: { from: string; to: string; callId: string; cseq: string },
  ): SipHeaders {
    return new SipHeaders()
      .append('via', viaHeader(this.#localContact(transport)))
      .append('max-forwards', '70')
      .append('from', fields.from)
      .append('to', fields.to)
      .append('call-id', fields.callId)
      .append('cseq', fields.cseq)
      .append('contact', this.#contactHeader(transport))
      .append('allow', ALLOW)
      .append('user-agent', SERVER);
  }

  /**
   * Sends a re-INVITE in a dialog (either side's): resolves with the peer's answer SDP, or throws
   * SipRejection with the peer's final status (the dialog goes on as before).
   */
  async reinvite(sipCallId: string, sdp: string): Promise<{ sdp: string }> {
    const state = this.#dialogsBySipCallId.get(sipCallId);
    if (!state) throw new SipRejection('CS_ERR_SIP_NO_DIALOG', REASON[481]!);
    if (state.offerPending || state.awaitingAck)
      throw new SipRejection('CS_ERR_SIP_REQUEST_PENDING', REASON[491]!);
    state.offerPending = true;
    try {
      const hop = state.dialog.nextHop();
      const request = state.dialog.request('INVITE', this.#localContact(hop.transport));
      request.headers.append('contact', this.#contactHeader(hop.transport));
      request.headers.append('content-type', 'application/sdp');
      const invite = new SipRequest('INVITE', request.uri, request.headers, Buffer.from(sdp));
      const transaction = new InviteClientTransaction(invite, hop, this.#clientContext, {
        provisional: () => undefined,
        retransmitted2xx: () => {
          if (state.lastAck)
            void this.#transport(hop)
              .send(state.lastAck.data, hop)
              .catch(() => undefined);
        },
      });
      this.#clientTransactions.set(transaction.key, transaction);
      const outcome = await transaction.outcome;
      if (outcome.kind !== 'response')
        throw new SipRejection('CS_ERR_SIP_PEER_REFUSED', 'Request Timeout', { status: 408 });
      const { response } = outcome;
      if (response.status >= 300)
        throw new SipRejection('CS_ERR_SIP_PEER_REFUSED', response.reason, { status: response.status });
      const ack = state.dialog.ack(invite.cseq.seq, this.#localContact(hop.transport));
      state.lastAck = { seq: invite.cseq.seq, data: ack.serialize() };
      this.#send(state.lastAck.data, hop);
      state.sdp = sdp;
      return { sdp: response.body.toString('utf8') };
    } finally {
      state.offerPending = false;
    }
  }

  /** Hangs up a call we accepted: BYE to the peer. Resolves when the peer answered (or gave up). */
  hangup(sipCallId: string): Promise<void> {
    const state = this.#dialogsBySipCallId.get(sipCallId);
    return state ? this.#endDialog(state, 'bye-sent', true) : Promise.resolve();
  }

  /**
   * Graceful shutdown: new INVITEs get 503, INVITEs still being decided get 503, every call in
   * progress is hung up with BYE (waiting briefly for the answers), then the sockets close.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    for (const [sipCallId, pending] of this.#pending) {
      if (!pending.transaction.proceeding) continue;
      pending.cancelled = true;
      pending.transaction.respond(this.#response(pending.transaction.request, 503, { toTag: pending.toTag }));
      this.#options.handler.ended(sipCallId, 'cancelled');
    }
    const byes = [...this.#dialogs.values()].map((state) => this.#endDialog(state, 'bye-sent', true));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(byes),
      new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_BYE_WAIT_MS))),
    ]);
    clearTimeout(timer);
    for (const transaction of [...this.#clientTransactions.values()]) transaction.abandon();
    for (const transaction of [...this.#serverTransactions.values()]) transaction.terminate();
    await Promise.all([this.#udp.close(), this.#tcp.close(), this.#tls?.close()]);
  }
}
