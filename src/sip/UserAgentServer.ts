import { createHash } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import type { AllowList } from './access/AllowList.js';
import type { DigestAuthenticator } from './access/DigestAuth.js';
import { LogThrottle } from './access/LogThrottle.js';
import { SipRejection, type CallEndReason, type CallHandler, type IncomingInvite } from './CallHandlerTypes.js';
import { Dialog, dialogKey } from './dialog/Dialog.js';
import { parseOptionTags } from './message/HeaderValues.js';
import { REASON, SipRequest, SipResponse, newTag, responseTo, type ResponseOptions } from './message/SipMessage.js';
import { SipParseError, parseSipMessage } from './message/SipParser.js';
import { formatHost, userOrUri } from './message/SipUri.js';
import { NonInviteClientTransaction, clientTransactionKey } from './transaction/ClientTransaction.js';
import {
  InviteServerTransaction,
  NonInviteServerTransaction,
  serverTransactionKey,
  type ServerTransaction,
  type TransactionContext,
} from './transaction/ServerTransaction.js';
import { DEFAULT_TIMERS, RetransmitSchedule, type SipTimers } from './transaction/Timers.js';
import { TcpTransport } from './transport/TcpTransport.js';
import type { SipFlow, SipTransport } from './transport/TransportTypes.js';
import { UdpTransport } from './transport/UdpTransport.js';

export interface UserAgentServerOptions {
  readonly host: string;
  readonly udpPort: number;
  readonly tcpPort: number;
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

/** Methods this UAS implements; everything else known to SIP gets 405, unknown methods 501. */
const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO';
const KNOWN_UNSUPPORTED = new Set(['REGISTER', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'PUBLISH', 'PRACK', 'UPDATE']);
const SERVER = 'Callsight';
/** How long a shutdown waits for the peers to answer its BYEs. */
const SHUTDOWN_BYE_WAIT_MS = 2000;

interface DialogState {
  readonly dialog: Dialog;
  readonly sipCallId: string;
  /** The SDP we answered with, repeated for re-INVITEs the handler does not renegotiate. */
  sdp: string;
  /** Retransmits our 2xx until the ACK with this CSeq arrives (RFC 3261 §13.3.1.4). */
  awaitingAck: { cseq: number; schedule: RetransmitSchedule; initial: boolean } | null;
}

interface PendingInvite {
  readonly transaction: InviteServerTransaction;
  readonly toTag: string;
  cancelled: boolean;
}

export interface UserAgentServerStats {
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
export class UserAgentServer {
  readonly #options: UserAgentServerOptions;
  readonly #logger: Logger;
  readonly #timers: SipTimers;
  readonly #udp: UdpTransport;
  readonly #tcp: TcpTransport;
  readonly #serverTransactions = new Map<string, ServerTransaction>();
  readonly #clientTransactions = new Map<string, NonInviteClientTransaction>();
  readonly #dialogs = new Map<string, DialogState>();
  readonly #dialogsBySipCallId = new Map<string, DialogState>();
  readonly #pending = new Map<string, PendingInvite>();
  readonly #supported: ReadonlySet<string>;
  readonly #serverContext: TransactionContext;
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

  private constructor(options: UserAgentServerOptions, udp: UdpTransport, tcp: TcpTransport) {
    this.#options = options;
    this.#logger = options.logger;
    this.#timers = { ...DEFAULT_TIMERS, ...options.timers };
    this.#udp = udp;
    this.#tcp = tcp;
    this.#supported = new Set((options.supportedOptionTags ?? []).map((t) => t.toLowerCase()));
    this.#serverContext = {
      timers: this.#timers,
      send: (data, flow) => this.#send(data, flow),
      terminated: (key) => this.#serverTransactions.delete(key),
    };
    udp.on('message', (data, flow) => this.#receive(data, flow));
    tcp.on('message', (data, flow) => this.#receive(data, flow));
    tcp.on('framingError', (err, flow) => {
      this.#stats.malformedMessages++;
      if (err instanceof SipParseError) this.#answerMalformed(err, flow, (data) => tcp.sendOnConnection(data, flow));
    });
  }

  static async start(options: UserAgentServerOptions): Promise<UserAgentServer> {
    const logger = options.logger;
    const udp = await UdpTransport.listen(options.host, options.udpPort, logger);
    try {
      const tcp = await TcpTransport.listen({ host: options.host, port: options.tcpPort, logger });
      return new UserAgentServer(options, udp, tcp);
    } catch (err) {
      await udp.close();
      throw err;
    }
  }

  get udpPort(): number {
    return this.#udp.localPort;
  }

  get tcpPort(): number {
    return this.#tcp.localPort;
  }

  stats(): UserAgentServerStats {
    return { ...this.#stats, activeDialogs: this.#dialogs.size, pendingInvites: this.#pending.size };
  }

  #transport(flow: SipFlow): SipTransport {
    return flow.transport === 'tcp' ? this.#tcp : this.#udp;
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
      this.#logger.warn({ remote, reason: err.message }, 'malformed SIP message dropped (cannot be answered)');
      return;
    }
    this.#logger.warn({ remote, reason: err.message, status: err.sipStatus }, 'malformed SIP request rejected');
    const response = responseTo(err.partial, err.sipStatus, REASON[err.sipStatus] ?? 'Bad Request', {
      toTag: newTag(),
      headers: [
        ['warning', `399 ${this.#options.advertisedAddress} "${err.message.replace(/["\\\r\n]/g, "'")}"`],
        ['server', SERVER],
      ],
    });
    send(response.serialize());
  }

  #onResponse(response: SipResponse): void {
    this.#stats.responsesReceived++;
    const key = clientTransactionKey(response.topVia.branch ?? '', response.cseq.method);
    this.#clientTransactions.get(key)?.receive(response);
  }

  #onRequest(request: SipRequest, flow: SipFlow): void {
    this.#stats.requestsReceived++;
    if (request.method !== 'ACK' && !this.#sourceAllowed(flow)) return this.#forbid(request, flow);
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
      else this.#onReInvite(request, transaction);
      return;
    }
    const transaction = new NonInviteServerTransaction(request, flow, this.#serverContext);
    this.#serverTransactions.set(transaction.key, transaction);
    const respond = (status: number, options?: ResponseOptions) =>
      transaction.respond(this.#response(request, status, options));
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

  #sourceAllowed(flow: SipFlow): boolean {
    return this.#options.access?.allowList.allows(flow.address) ?? true;
  }

  /** 403 sent statelessly (§8.2.7): a flood from refused hosts keeps no transactions nor timers. */
  #forbid(request: SipRequest, flow: SipFlow): void {
    this.#stats.forbidden++;
    // A stateless UAS must give a retransmission the same To tag: derive it from the transaction.
    const toTag = createHash('sha256').update(serverTransactionKey(request)).digest('hex').slice(0, 12);
    this.#send(this.#response(request, 403, { toTag }).serialize(), flow);
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
    reject(401, challenges.map((c): [string, string] => ['www-authenticate', c]));
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
    const unsupported = parseOptionTags(request.headers.getAll('require')).filter((t) => !this.#supported.has(t));
    if (unsupported.length > 0) return reject(420, [['unsupported', unsupported.join(', ')]]);
    // A second INVITE with this Call-ID that is not a retransmission: a loop or a merged fork (§8.2.2.2).
    if (this.#pending.has(sipCallId) || this.#dialogsBySipCallId.has(sipCallId)) return reject(482);

    transaction.respond(this.#response(request, 100));
    const pending: PendingInvite = { transaction, toTag, cancelled: false };
    this.#pending.set(sipCallId, pending);
    const logger = this.#logger.child({ sipCallId });
    const invite = this.#incomingInvite(request, flow);
    this.#options.handler
      .offer(invite)
      .then(({ sdp }) => {
        if (pending.cancelled || !transaction.proceeding) return;
        const dialog = new Dialog(request, toTag, flow);
        const state: DialogState = { dialog, sipCallId, sdp, awaitingAck: null };
        this.#dialogs.set(dialog.key, state);
        this.#dialogsBySipCallId.set(sipCallId, state);
        this.#sendOk(state, request, transaction, true);
        logger.info({ from: invite.fromNumber, to: invite.toNumber, transport: flow.transport }, 'INVITE answered 200');
      })
      .catch((err: unknown) => {
        if (pending.cancelled || !transaction.proceeding) return;
        if (err instanceof SipRejection) {
          logger.info({ status: err.status, reason: err.reason }, 'INVITE rejected');
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
  #sendOk(state: DialogState, request: SipRequest, transaction: InviteServerTransaction, initial: boolean): void {
    const { dialog } = state;
    const contactTransport = dialog.flow.transport === 'tcp' ? ';transport=tcp' : '';
    const port = dialog.flow.transport === 'tcp' ? this.tcpPort : this.udpPort;
    const ok = this.#response(request, 200, {
      toTag: dialog.localTag,
      headers: [
        ...request.headers.getAll('record-route').map((r): [string, string] => ['record-route', r]),
        ['contact', `<sip:callsight@${formatHost(this.#options.advertisedAddress)}:${port}${contactTransport}>`],
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
    this.#endDialog(state, 'ack-timeout', true);
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
    if (initial) this.#options.handler.confirmed(state.sipCallId);
  }

  #onReInvite(request: SipRequest, transaction: InviteServerTransaction): void {
    const state = this.#dialogOf(request);
    const respond = (status: number) => transaction.respond(this.#response(request, status));
    if (!state) return respond(481);
    // RFC 3261 §14.2: an offer while our previous answer is unacknowledged must wait.
    if (state.awaitingAck) return respond(491);
    // Hold, resume or a session refresh: the media we receive is unchanged, so is our answer.
    this.#sendOk(state, request, transaction, false);
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
    this.#endDialog(state, 'bye-received', false);
  }

  #endDialog(state: DialogState, reason: CallEndReason, sendBye: boolean): Promise<void> {
    if (this.#dialogs.get(state.dialog.key) !== state) return Promise.resolve();
    this.#dialogs.delete(state.dialog.key);
    this.#dialogsBySipCallId.delete(state.sipCallId);
    state.awaitingAck?.schedule.stop();
    state.awaitingAck = null;
    this.#logger.info({ sipCallId: state.sipCallId, reason }, 'dialog ended');
    this.#options.handler.ended(state.sipCallId, reason);
    return sendBye ? this.#sendBye(state) : Promise.resolve();
  }

  async #sendBye(state: DialogState): Promise<void> {
    const hop = state.dialog.nextHop();
    const port = hop.transport === 'tcp' ? this.tcpPort : this.udpPort;
    const bye = state.dialog.request('BYE', {
      address: formatHost(this.#options.advertisedAddress),
      port,
      transport: hop.transport,
    });
    const transaction = new NonInviteClientTransaction(bye, hop, {
      timers: this.#timers,
      send: (data, flow) => this.#transport(flow).send(data, flow),
      terminated: (key) => this.#clientTransactions.delete(key),
    });
    this.#clientTransactions.set(transaction.key, transaction);
    const response = await transaction.response;
    this.#logger.debug({ sipCallId: state.sipCallId, status: response?.status ?? 'timeout' }, 'BYE answered');
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
    await Promise.all([this.#udp.close(), this.#tcp.close()]);
  }
}
