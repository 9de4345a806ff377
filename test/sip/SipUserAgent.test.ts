import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiate } from '../../src/connector/MediaNegotiation.js';
import { silentLogger, type Logger } from '../../src/platform/logger.js';
import {
  SipRejection,
  type CallEndReason,
  type CallHandler,
  type IncomingInvite,
} from '../../src/sip/CallHandlerTypes.js';
import { SipResponse } from '../../src/sip/message/SipMessage.js';
import { SipUserAgent } from '../../src/sip/SipUserAgent.js';
import { capturedLogger, type CapturedLogger } from '../helpers/capturedLogger.js';
import {
  OFFER,
  PeerCall,
  TcpPeer,
  UdpPeer,
  isRequest,
  isResponse,
  sleep,
  type SipPeer,
} from './support/SipPeer.js';

const TIMERS = { t1: 50, t2: 400, t4: 500 };
/** Timer H / the 2xx ACK wait: 64·T1. */
const ACK_WAIT_MS = 64 * TIMERS.t1;

const ANSWER = [
  'v=0',
  'o=callsight 1 1 IN IP4 127.0.0.1',
  's=Callsight',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 30000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=recvonly',
  '',
].join('\r\n');

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The UAS's own interface, recorded: what it asked and told, per SIP Call-ID. */
class RecordingHandler implements CallHandler {
  readonly offers: IncomingInvite[] = [];
  readonly #events: { sipCallId: string; event: string }[] = [];
  readonly #decisions = new Map<string, (invite: IncomingInvite) => Promise<{ sdp: string }>>();
  readonly #waiters = new Set<() => void>();

  /** How to answer this call's INVITE (default: the ANSWER SDP at once). */
  decide(sipCallId: string, decision: (invite: IncomingInvite) => Promise<{ sdp: string }>): void {
    this.#decisions.set(sipCallId, decision);
  }

  /** Holds this call's INVITE until the returned deferred is settled. */
  hold(sipCallId: string): Deferred<{ sdp: string }> {
    const held = deferred<{ sdp: string }>();
    this.decide(sipCallId, () => held.promise);
    return held;
  }

  offer(invite: IncomingInvite): Promise<{ sdp: string }> {
    this.offers.push(invite);
    this.#record(invite.sipCallId, 'offer');
    return this.#decisions.get(invite.sipCallId)?.(invite) ?? Promise.resolve({ sdp: ANSWER });
  }

  confirmed(sipCallId: string): void {
    this.#record(sipCallId, 'confirmed');
  }

  ended(sipCallId: string, reason: CallEndReason): void {
    this.#record(sipCallId, `ended:${reason}`);
  }

  eventsOf(sipCallId: string): string[] {
    return this.#events.filter((e) => e.sipCallId === sipCallId).map((e) => e.event);
  }

  offersFor(sipCallId: string): number {
    return this.offers.filter((o) => o.sipCallId === sipCallId).length;
  }

  async waitFor(sipCallId: string, event: string, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.eventsOf(sipCallId).includes(event)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no "${event}" for ${sipCallId} in ${timeoutMs} ms: ${this.eventsOf(sipCallId).join(', ')}`,
        );
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  #record(sipCallId: string, event: string): void {
    this.#events.push({ sipCallId, event });
    for (const wake of this.#waiters) wake();
  }
}

async function startUas(handler: CallHandler, logger: Logger = silentLogger): Promise<SipUserAgent> {
  return SipUserAgent.start({
    host: '127.0.0.1',
    udpPort: 0,
    tcpPort: 0,
    advertisedAddress: '127.0.0.1',
    handler,
    logger,
    timers: TIMERS,
  });
}

/** The one log line with this message whose fields include `fields`. */
function logLine(log: CapturedLogger, msg: string, fields: Record<string, unknown>): Record<string, unknown> {
  const found = log.lines.filter(
    (line) => line.msg === msg && Object.entries(fields).every(([key, value]) => line[key] === value),
  );
  assert.equal(found.length, 1, `one "${msg}" line with ${JSON.stringify(fields)} in:\n${log.text()}`);
  return found[0]!;
}

/** BYE from the peer, answered 200: ends a call so that teardown has no BYE of its own to wait for. */
async function hangUp(call: PeerCall): Promise<void> {
  call.peer.send(call.inDialog('BYE'));
  await call.next(isResponse(200, 'BYE'), 3000, '200 OK to the BYE');
}

/** INVITE, 100, 200, ACK: an established call. */
async function establish(call: PeerCall, handler: RecordingHandler): Promise<SipResponse> {
  call.peer.send(call.invite());
  const ok = await call.next(isResponse(200, 'INVITE'), 3000, '200 OK to the INVITE');
  call.peer.send(call.ackOk(ok));
  await handler.waitFor(call.callId, 'confirmed');
  return ok;
}

describe('SipUserAgent over UDP', () => {
  const handler = new RecordingHandler();
  const log = capturedLogger();
  let uas: SipUserAgent;
  const peers: SipPeer[] = [];
  const udpPeer = async () => {
    const peer = await UdpPeer.open(uas.udpPort);
    peers.push(peer);
    return peer;
  };

  before(async () => {
    uas = await startUas(handler, log.logger);
  });

  after(async () => {
    await uas.close();
    await Promise.all(peers.map((p) => p.close()));
  });

  test('INVITE → 100 Trying, then 200 OK with the SDP answer, a To tag and a Contact', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    peer.send(call.invite({ headers: ['X-Trunk-Id: trunk-7'] }));

    const trying = await peer.next(isResponse(100, 'INVITE'));
    assert.equal(trying.toTag, null, '100 Trying carries no To tag');
    assert.equal(trying.topVia.branch, call.inviteBranch);

    const ok = await peer.next(isResponse(200, 'INVITE'));
    assert.equal(ok.callId, call.callId);
    assert.equal(ok.fromTag, call.fromTag);
    assert.match(ok.toTag ?? '', /^[0-9a-f]{8,}$/);
    assert.equal(ok.headers.get('contact'), `<sip:callsight@127.0.0.1:${uas.udpPort}>`);
    assert.equal(ok.contentType, 'application/sdp');
    assert.equal(ok.body.toString('utf8'), ANSWER);
    assert.match(ok.headers.get('allow') ?? '', /\bBYE\b/);
    assert.equal(ok.topVia.branch, call.inviteBranch);

    const [offer] = handler.offers.filter((o) => o.sipCallId === call.callId);
    assert.ok(offer);
    assert.equal(offer.fromNumber, '+15550111');
    assert.equal(offer.toNumber, '+15550100');
    assert.equal(offer.requestUri, 'sip:+15550100@127.0.0.1');
    assert.equal(offer.contentType, 'application/sdp');
    assert.equal(offer.body, OFFER);
    assert.equal(offer.headers['x-trunk-id'], 'trunk-7');
    assert.deepEqual(offer.source, { address: '127.0.0.1', port: peer.port, transport: 'udp' });

    peer.send(call.ackOk(ok));
    await handler.waitFor(call.callId, 'confirmed');
    await hangUp(call);
  });

  test('200 OK is retransmitted at T1, 2·T1, 4·T1 … until the ACK, which confirms the call once', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    peer.send(call.invite());
    const ok = await peer.next(isResponse(200, 'INVITE'));
    await peer.next(isResponse(200, 'INVITE'));
    await peer.next(isResponse(200, 'INVITE'));
    await peer.next(isResponse(200, 'INVITE'));
    const times = peer.arrivals(isResponse(200, 'INVITE'));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    assert.ok(gaps[0]! >= TIMERS.t1 - 10, `first retransmission after ~T1, gaps ${gaps.join(', ')}`);
    assert.ok(gaps[2]! > gaps[0]! * 2, `intervals double, gaps ${gaps.join(', ')}`);
    assert.deepEqual(handler.eventsOf(call.callId), ['offer']);

    peer.send(call.ackOk(ok));
    await handler.waitFor(call.callId, 'confirmed');
    const atAck = peer.all(isResponse(200, 'INVITE')).length;
    // A retransmission may already be on the wire; after that, silence.
    await sleep(TIMERS.t2 * 2);
    assert.ok(peer.all(isResponse(200, 'INVITE')).length <= atAck + 1, 'retransmissions stop at the ACK');
    peer.send(call.ackOk(ok));
    await sleep(50);
    assert.deepEqual(
      handler.eventsOf(call.callId),
      ['offer', 'confirmed'],
      'a repeated ACK confirms nothing',
    );
    await hangUp(call);
  });

  test('a retransmitted INVITE is answered again without a second offer()', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    const held = handler.hold(call.callId);
    peer.send(call.invite());
    await peer.next(isResponse(100, 'INVITE'));
    peer.send(call.invite());
    await peer.next(isResponse(100, 'INVITE'), 1000, 'the 100 Trying repeated');
    held.resolve({ sdp: ANSWER });
    const ok = await peer.next(isResponse(200, 'INVITE'));
    peer.send(call.invite());
    await peer.next(isResponse(200, 'INVITE'), 1000, 'the 200 OK again');
    assert.equal(peer.all(isResponse(482)).length, 0, 'a retransmission is no loop');
    assert.equal(handler.offersFor(call.callId), 1);
    peer.send(call.ackOk(ok));
    await handler.waitFor(call.callId, 'confirmed');
    assert.equal(uas.stats().retransmissionsReceived >= 2, true);
    await hangUp(call);
  });

  test('no ACK in 64·T1 → BYE to the peer and ended(ack-timeout)', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    peer.send(call.invite());
    const ok = await peer.next(isResponse(200, 'INVITE'));
    const bye = await peer.next(isRequest('BYE'), ACK_WAIT_MS + 2000, 'BYE after the ACK timeout');
    const okCount = peer.all(isResponse(200, 'INVITE')).length;
    assert.ok(okCount >= 6, `200 OK was retransmitted ${okCount - 1} times`);
    assert.equal(bye.callId, call.callId);
    assert.equal(bye.uri, `sip:peer@127.0.0.1:${peer.port}`, 'BYE goes to the Contact');
    assert.equal(bye.fromTag, ok.toTag);
    assert.equal(bye.toTag, call.fromTag);
    assert.notEqual(bye.topVia.branch, call.inviteBranch);
    peer.send(PeerCall.ok(bye));
    await handler.waitFor(call.callId, 'ended:ack-timeout');
    await sleep(TIMERS.t2);
    assert.equal(peer.all(isResponse(200, 'INVITE')).length, okCount, 'no 200 OK after the BYE');
    assert.deepEqual(handler.eventsOf(call.callId), ['offer', 'ended:ack-timeout']);
  });

  test('BYE from the peer → 200 OK and ended(bye-received)', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    await establish(call, handler);
    peer.send(call.inDialog('BYE'));
    const ok = await peer.next(isResponse(200, 'BYE'));
    assert.equal(ok.toTag, call.to.match(/tag=([^;>]+)/)?.[1]);
    await handler.waitFor(call.callId, 'ended:bye-received');
    assert.deepEqual(handler.eventsOf(call.callId), ['offer', 'confirmed', 'ended:bye-received']);
    peer.send(call.inDialog('BYE'));
    await peer.next(isResponse(481, 'BYE'), 1000, '481 for a BYE in the ended dialog');
  });

  test('hangup() → BYE from Callsight, retransmitted until the 200 OK', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    const ok = await establish(call, handler);
    const hungUp = uas.hangup(call.callId);
    const bye = await peer.next(isRequest('BYE'));
    const again = await peer.next(isRequest('BYE'), 1000, 'the BYE retransmitted');
    assert.equal(again.topVia.branch, bye.topVia.branch, 'a retransmission, not a new BYE');
    assert.equal(bye.fromTag, ok.toTag);
    assert.equal(bye.cseq.method, 'BYE');
    assert.match(bye.topVia.branch ?? '', /^z9hG4bK/);
    assert.equal(bye.topVia.port, uas.udpPort);
    peer.send(PeerCall.ok(bye));
    await hungUp;
    const byes = peer.all(isRequest('BYE')).length;
    await sleep(TIMERS.t2);
    assert.equal(peer.all(isRequest('BYE')).length, byes, 'BYE retransmissions stop at the 200');
    assert.deepEqual(handler.eventsOf(call.callId), ['offer', 'confirmed', 'ended:bye-sent']);
    await uas.hangup(call.callId);
    assert.equal(handler.eventsOf(call.callId).length, 3, 'a second hangup() does nothing');
  });

  test('CANCEL before the answer → 200 to CANCEL, 487 to INVITE until ACK, ended(cancelled)', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    const held = handler.hold(call.callId);
    peer.send(call.invite());
    await peer.next(isResponse(100, 'INVITE'));
    peer.send(call.cancel());
    const cancelOk = await peer.next(isResponse(200, 'CANCEL'));
    const terminated = await peer.next(isResponse(487, 'INVITE'));
    assert.equal(cancelOk.toTag, terminated.toTag, 'the 200 to CANCEL has the To tag of the INVITE response');
    await peer.next(isResponse(487, 'INVITE'), 1000, 'the 487 retransmitted');
    await handler.waitFor(call.callId, 'ended:cancelled');

    peer.send(call.ackFailure(terminated));
    await sleep(TIMERS.t1 / 2);
    const count = peer.all(isResponse(487)).length;
    await sleep(TIMERS.t2 * 2);
    assert.equal(peer.all(isResponse(487)).length, count, 'the ACK stops the 487 retransmissions');

    // The handler answers late: the answer is thrown away.
    held.resolve({ sdp: ANSWER });
    await sleep(100);
    assert.equal(peer.all(isResponse(200, 'INVITE')).length, 0);
    assert.deepEqual(handler.eventsOf(call.callId), ['offer', 'ended:cancelled']);
    assert.equal(uas.stats().pendingInvites, 0);
  });

  test('CANCEL after the 200 OK is answered 200 and changes nothing', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    await establish(call, handler);
    peer.send(call.cancel());
    await peer.next(isResponse(200, 'CANCEL'));
    await sleep(50);
    assert.deepEqual(handler.eventsOf(call.callId), ['offer', 'confirmed']);
    await hangUp(call);
  });

  test('CANCEL that matches no INVITE → 481', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    peer.send(call.cancel());
    const response = await peer.next(isResponse(481, 'CANCEL'));
    assert.equal(response.reason, 'Call/Transaction Does Not Exist');
  });

  test('BYE for an unknown dialog → 481', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    call.to = '<sip:+15550100@127.0.0.1>;tag=nosuchdialog';
    peer.send(call.inDialog('BYE'));
    await peer.next(isResponse(481, 'BYE'));
  });

  test('OPTIONS → 200 with Allow and Accept', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    peer.send(call.inDialog('OPTIONS'));
    const ok = await peer.next(isResponse(200, 'OPTIONS'));
    assert.deepEqual(
      ok.headers
        .get('allow')
        ?.split(',')
        .map((m) => m.trim()),
      ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'INFO'],
    );
    assert.equal(ok.headers.get('accept'), 'application/sdp');
    assert.ok(ok.toTag, 'a final response carries a To tag');
  });

  test('behind NAT (RFC 3581): the response goes to where the request came from, its Via saying where that is', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    call.viaSentBy = '192.168.1.20:5060'; // the private address a phone behind NAT puts in its Via
    peer.send(call.inDialog('OPTIONS'));
    const ok = await peer.next(isResponse(200, 'OPTIONS'));
    assert.match(
      ok.headers.get('via') ?? '',
      new RegExp(
        `^SIP/2\\.0/UDP 192\\.168\\.1\\.20:5060;branch=z9hG4bK\\w+;received=127\\.0\\.0\\.1;rport=${peer.port}$`,
      ),
    );
  });

  test('REGISTER → 405 with Allow; an unknown method → 501', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    peer.send(call.inDialog('REGISTER'));
    const notAllowed = await peer.next(isResponse(405, 'REGISTER'));
    assert.match(notAllowed.headers.get('allow') ?? '', /INVITE/);
    peer.send(call.inDialog('FOO'));
    await peer.next(isResponse(501, 'FOO'));
  });

  test('INFO inside a dialog → 200, outside one → 481', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    await establish(call, handler);
    peer.send(call.inDialog('INFO'));
    await peer.next(isResponse(200, 'INFO'));
    const stranger = new PeerCall(peer);
    stranger.to = '<sip:+15550100@127.0.0.1>;tag=unknown';
    peer.send(stranger.inDialog('INFO'));
    await peer.next(isResponse(481, 'INFO'));
    await hangUp(call);
  });

  test('a re-INVITE in the dialog gets the same SDP answer without asking the handler', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    const first = await establish(call, handler);
    peer.send(call.inDialog('INVITE', { headers: ['Content-Type: application/sdp'], body: OFFER }));
    const ok = await peer.next(isResponse(200, 'INVITE'));
    assert.equal(ok.cseq.seq, 2);
    assert.equal(ok.toTag, first.toTag);
    assert.equal(ok.body.toString('utf8'), ANSWER);
    peer.send(call.ackOk(ok));
    await sleep(50);
    assert.deepEqual(handler.eventsOf(call.callId), ['offer', 'confirmed']);
    await hangUp(call);
  });

  test('a second INVITE with the Call-ID of a pending one (new branch) → 482', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    const held = handler.hold(call.callId);
    peer.send(call.invite());
    await peer.next(isResponse(100, 'INVITE'));
    const fork = new PeerCall(peer, call);
    assert.notEqual(fork.inviteBranch, call.inviteBranch);
    peer.send(fork.invite());
    await peer.next(isResponse(482, 'INVITE'));
    assert.equal(handler.offersFor(call.callId), 1);
    held.reject(new SipRejection('CS_ERR_SIP_PEER_REFUSED', 'Busy Here', { status: 486 }));
    const busy = await peer.next(isResponse(486, 'INVITE'));
    peer.send(call.ackFailure(busy));
  });

  test('Require: foo → 420 with Unsupported: foo, and the handler is never asked', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    peer.send(call.invite({ headers: ['Require: foo, 100rel'] }));
    const response = await peer.next(isResponse(420, 'INVITE'));
    assert.equal(response.headers.get('unsupported'), 'foo, 100rel');
    peer.send(call.ackFailure(response));
    assert.equal(handler.offersFor(call.callId), 0);
  });

  test('SipRejection(488) from the handler → 488 with its headers, retransmitted until ACK', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    handler.decide(call.callId, () =>
      Promise.reject(
        new SipRejection('CS_ERR_SDP_NO_CODEC', 'Not Acceptable Here', {
          extraHeaders: { Warning: '305 callsight "no PCMU"' },
        }),
      ),
    );
    peer.send(call.invite());
    const rejected = await peer.next(isResponse(488, 'INVITE'));
    assert.equal(rejected.reason, 'Not Acceptable Here');
    logLine(log, 'INVITE rejected', { sipCallId: call.callId, code: 'CS_ERR_SDP_NO_CODEC', status: 488 });
    assert.equal(rejected.headers.get('warning'), '305 callsight "no PCMU"');
    assert.ok(rejected.toTag);
    await peer.next(isResponse(488, 'INVITE'), 1000, 'the 488 retransmitted');
    await peer.next(isResponse(488, 'INVITE'), 1000, 'the 488 retransmitted twice');
    peer.send(call.ackFailure(rejected));
    await sleep(TIMERS.t1 / 2);
    const count = peer.all(isResponse(488)).length;
    await sleep(TIMERS.t2 * 2);
    assert.equal(peer.all(isResponse(488)).length, count, 'the ACK stops the retransmissions');
    assert.deepEqual(handler.eventsOf(call.callId), ['offer'], 'a rejected INVITE never ends a dialog');
  });

  test('the SDP refusals of the offer/answer answer 488 or 400 and log their codes', async () => {
    const peer = await udpPeer();
    for (const [body, status, code] of [
      [
        OFFER.replace(/m=audio .*\r\n[\s\S]*$/, 'm=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n'),
        488,
        'CS_ERR_SDP_NO_CODEC',
      ],
      [
        'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio ninety RTP/AVP 0\r\n',
        400,
        'CS_ERR_SDP_INVALID',
      ],
    ] as const) {
      const call = new PeerCall(peer);
      // As the voice connector does: the refusal is the rejection of the handler's promise.
      handler.decide(
        call.callId,
        (invite) =>
          new Promise((resolve) => {
            negotiate(invite, 2);
            resolve({ sdp: ANSWER });
          }),
      );
      peer.send(call.invite({ body }));
      const rejected = await peer.next(isResponse(status, 'INVITE'));
      peer.send(call.ackFailure(rejected));
      const line = logLine(log, 'INVITE rejected', { sipCallId: call.callId, code, status });
      assert.equal(line.reason, rejected.reason);
    }
  });

  test('a handler that throws anything else → 500', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    handler.decide(call.callId, () => Promise.reject(new Error('handler bug')));
    peer.send(call.invite());
    const failed = await peer.next(isResponse(500, 'INVITE'));
    peer.send(call.ackFailure(failed));
  });

  test('a malformed request → 400 with a Warning, and the next valid INVITE is still answered', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    const broken = call.invite().toString('utf8').replace('CSeq: 1 INVITE', 'CSeq: 1 BYE');
    const malformedBefore = uas.stats().malformedMessages;
    peer.send(Buffer.from(broken));
    const bad = await peer.next(isResponse(400));
    assert.equal(bad.reason, 'Bad Request');
    assert.match(
      bad.headers.get('warning') ?? '',
      /^399 127\.0\.0\.1 ".*CSeq method BYE does not match INVITE.*"$/,
    );
    assert.equal(bad.callId, call.callId);
    assert.ok(bad.toTag);
    assert.equal(uas.stats().malformedMessages, malformedBefore + 1);
    const line = logLine(log, 'malformed SIP request rejected', { code: 'CS_ERR_SIP_PARSE', status: 400 });
    assert.match(String(line.reason), /CSeq method BYE does not match INVITE/);
    assert.equal(handler.offersFor(call.callId), 0);

    const next = new PeerCall(peer);
    await establish(next, handler);
    await hangUp(next);
  });

  test('SIP/3.0 → 505, a tel: Request-URI → 416', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    peer.send(Buffer.from(call.invite().toString('utf8').replace('SIP/2.0\r\n', 'SIP/3.0\r\n')));
    await peer.next(isResponse(505, 'INVITE'));
    peer.send(
      Buffer.from(
        call.invite().toString('utf8').replace('INVITE sip:+15550100@127.0.0.1', 'INVITE tel:+15550100'),
      ),
    );
    await peer.next(isResponse(416, 'INVITE'));
  });

  test('unanswerable garbage datagrams are dropped and the server keeps answering', async () => {
    const peer = await udpPeer();
    const before = uas.stats().malformedMessages;
    peer.send(Buffer.from([0x00, 0xff, 0x13, 0x37]));
    peer.send('hello\n\n');
    peer.send(
      new PeerCall(peer)
        .invite()
        .toString('utf8')
        .replace(/Call-ID: .*\r\n/, ''),
    );
    peer.send(Buffer.alloc(0));
    await sleep(100);
    assert.equal(peer.received.length, 0, 'nothing can be answered');
    assert.ok(uas.stats().malformedMessages >= before + 3);
    const call = new PeerCall(peer);
    peer.send(call.inDialog('OPTIONS'));
    await peer.next(isResponse(200, 'OPTIONS'));
  });
});

describe('SipUserAgent over TCP', () => {
  const handler = new RecordingHandler();
  const log = capturedLogger();
  let uas: SipUserAgent;
  const peers: SipPeer[] = [];
  const tcpPeer = async () => {
    const peer = await TcpPeer.open(uas.tcpPort);
    peers.push(peer);
    return peer;
  };

  before(async () => {
    uas = await startUas(handler, log.logger);
  });

  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await uas.close();
  });

  test('a call: 100, one 200 OK (no retransmission on TCP) with a TCP Contact, ACK, BYE', async () => {
    const peer = await tcpPeer();
    const call = new PeerCall(peer);
    peer.send(call.invite());
    await peer.next(isResponse(100, 'INVITE'));
    const ok = await peer.next(isResponse(200, 'INVITE'));
    assert.equal(ok.headers.get('contact'), `<sip:callsight@127.0.0.1:${uas.tcpPort};transport=tcp>`);
    assert.equal(handler.offers.at(-1)?.source.transport, 'tcp');
    await sleep(TIMERS.t1 * 4);
    assert.equal(
      peer.all(isResponse(200, 'INVITE')).length,
      1,
      'a reliable transport needs no retransmission',
    );
    peer.send(call.ackOk(ok));
    await handler.waitFor(call.callId, 'confirmed');
    await hangUp(call);
    await handler.waitFor(call.callId, 'ended:bye-received');
  });

  test('a request split across several writes is answered once it is whole', async () => {
    const peer = await tcpPeer();
    const request = new PeerCall(peer).inDialog('OPTIONS');
    for (const [from, to] of [
      [0, 7],
      [7, 60],
      [60, request.length - 1],
      [request.length - 1, request.length],
    ] as const) {
      peer.send(request.subarray(from, to));
      await sleep(20);
    }
    await peer.next(isResponse(200, 'OPTIONS'));
  });

  test('two requests in one write are both answered, in order', async () => {
    const peer = await tcpPeer();
    const call = new PeerCall(peer);
    peer.send(Buffer.concat([call.inDialog('OPTIONS'), Buffer.from('\r\n\r\n'), call.inDialog('REGISTER')]));
    await peer.next(isResponse(200, 'OPTIONS'));
    await peer.next(isResponse(405, 'REGISTER'));
    assert.deepEqual(
      peer.received.map((r) => (r.message as SipResponse).status),
      [200, 405],
    );
  });

  test('a request without Content-Length → 400, then the connection is closed', async () => {
    const peer = await tcpPeer();
    const call = new PeerCall(peer);
    const options = call.inDialog('OPTIONS').toString('utf8').replace('Content-Length: 0\r\n', '');
    peer.send(Buffer.concat([call.inDialog('INFO'), Buffer.from(options)]));
    await peer.next(isResponse(481, 'INFO'), 1000, 'the request before the broken one is answered');
    const bad = await peer.next(isResponse(400, 'OPTIONS'));
    assert.match(bad.headers.get('warning') ?? '', /Content-Length is mandatory/);
    logLine(log, 'malformed SIP request rejected', { code: 'CS_ERR_SIP_PARSE', status: 400 });
    await peer.ended;
    assert.equal(peer.socket.destroyed, true);
  });

  test('a request declaring more than 64 KiB → 513 Message Too Large, logged CS_ERR_SIP_TOO_LARGE', async () => {
    const peer = await tcpPeer();
    const call = new PeerCall(peer);
    const huge = call
      .inDialog('OPTIONS')
      .toString('utf8')
      .replace('Content-Length: 0', 'Content-Length: 70000');
    peer.send(huge);
    const tooLarge = await peer.next(isResponse(513, 'OPTIONS'));
    assert.equal(tooLarge.reason, 'Message Too Large');
    const line = logLine(log, 'malformed SIP request rejected', {
      code: 'CS_ERR_SIP_TOO_LARGE',
      status: 513,
    });
    assert.match(String(line.reason), /exceeds 65536/);
    await peer.ended;
  });

  test('a peer that hangs up before the answer does not take the server down', async () => {
    // A rejection nobody handles would end a production process (Node's default): catch any here.
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const peer = await tcpPeer();
      const call = new PeerCall(peer);
      const held = handler.hold(call.callId);
      peer.send(call.invite());
      await peer.next(isResponse(100, 'INVITE'));
      await peer.close();
      await sleep(20);
      // The 200 OK finds no connection; opening one to the peer's source port is refused.
      held.resolve({ sdp: ANSWER });
      await sleep(200);
      assert.deepEqual(unhandled, []);
      const other = await tcpPeer();
      other.send(new PeerCall(other).inDialog('OPTIONS'));
      await other.next(isResponse(200, 'OPTIONS'));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('SipUserAgent.close()', () => {
  test('sends BYE for calls in progress and 503 for INVITEs still pending, then stops answering', async () => {
    const handler = new RecordingHandler();
    const uas = await startUas(handler);
    const peer = await UdpPeer.open(uas.udpPort);
    const tcp = await TcpPeer.open(uas.tcpPort);
    try {
      const active = new PeerCall(peer);
      await establish(active, handler);
      const activeTcp = new PeerCall(tcp);
      await establish(activeTcp, handler);
      const pending = new PeerCall(peer);
      handler.hold(pending.callId);
      peer.send(pending.invite());
      await pending.next(isResponse(100, 'INVITE'));

      const closed = uas.close();
      await pending.next(isResponse(503, 'INVITE'), 1000, '503 for the pending INVITE');
      const bye = await active.next(isRequest('BYE'), 1000, 'BYE for the UDP call');
      const byeTcp = await activeTcp.next(isRequest('BYE'), 1000, 'BYE for the TCP call');
      assert.equal(byeTcp.topVia.transport, 'TCP');
      peer.send(PeerCall.ok(bye));
      tcp.send(PeerCall.ok(byeTcp));
      const started = Date.now();
      await closed;
      assert.ok(Date.now() - started < 1500, 'close() returns once the BYEs are answered');

      assert.deepEqual(handler.eventsOf(active.callId), ['offer', 'confirmed', 'ended:bye-sent']);
      assert.deepEqual(handler.eventsOf(activeTcp.callId), ['offer', 'confirmed', 'ended:bye-sent']);
      assert.deepEqual(handler.eventsOf(pending.callId), ['offer', 'ended:cancelled']);
      assert.equal(uas.stats().activeDialogs, 0);
      await tcp.ended;

      const count = peer.received.length;
      peer.send(new PeerCall(peer).inDialog('OPTIONS'));
      await sleep(100);
      assert.equal(peer.received.length, count, 'nothing answers after close()');
      await uas.close();
    } finally {
      await uas.close();
      await Promise.all([peer.close(), tcp.close()]);
    }
  });

  test('new INVITEs during close() get 503, and close() does not wait for peers that never answer BYE', async () => {
    const handler = new RecordingHandler();
    const uas = await startUas(handler);
    const peer = await UdpPeer.open(uas.udpPort);
    try {
      const active = new PeerCall(peer);
      await establish(active, handler);
      const closed = uas.close();
      await peer.next(isRequest('BYE'));
      const late = new PeerCall(peer);
      peer.send(late.invite());
      const refused = await late.next(isResponse(503, 'INVITE'), 1000, '503 for an INVITE during shutdown');
      assert.equal(refused.headers.get('retry-after'), '30');
      const started = Date.now();
      await closed;
      assert.ok(Date.now() - started < 3000, 'close() gives up on unanswered BYEs');
      assert.equal(handler.offersFor(late.callId), 0);
    } finally {
      await uas.close();
      await peer.close();
    }
  });
});
