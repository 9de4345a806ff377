import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from 'pino';
import { AllowList } from '../../src/sip/access/AllowList.js';
import { DigestAuthenticator } from '../../src/sip/access/DigestAuth.js';
import { DigestChallenge } from '../../src/sip/access/DigestHeaders.js';
import type { CallEndReason, CallHandler, IncomingInvite } from '../../src/sip/CallHandlerTypes.js';
import { SipResponse, newBranch, responseTo } from '../../src/sip/message/SipMessage.js';
import { SipUserAgent, type SipUserAgentOptions } from '../../src/sip/SipUserAgent.js';
import { capturedLogger } from '../helpers/capturedLogger.js';
import { answerChallenge } from './support/DigestPeer.js';
import {
  OFFER,
  PeerCall,
  TcpPeer,
  UdpPeer,
  contactUri,
  isRequest,
  isResponse,
  sleep,
  wire,
  type SipPeer,
} from './support/SipPeer.js';

const TIMERS = { t1: 50, t2: 400, t4: 500 };
const URI = 'sip:+15550100@127.0.0.1';
const TO = '<sip:+15550100@127.0.0.1>';
const ANSWER =
  'v=0\r\no=callsight 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n';
const PASSWORD = 'wonder-land!';

/** Records what reached the call layer: only requests that passed access control get there. */
class Handler implements CallHandler {
  readonly offers: IncomingInvite[] = [];
  readonly events: string[] = [];
  hold: Promise<void> | null = null;

  async offer(invite: IncomingInvite): Promise<{ sdp: string }> {
    this.offers.push(invite);
    this.events.push(`offer:${invite.sipCallId}`);
    if (this.hold) await this.hold;
    return { sdp: ANSWER };
  }

  confirmed(sipCallId: string): void {
    this.events.push(`confirmed:${sipCallId}`);
  }

  ended(sipCallId: string, reason: CallEndReason): void {
    this.events.push(`ended:${sipCallId}:${reason}`);
  }

  async waitFor(event: string): Promise<void> {
    const deadline = Date.now() + 3000;
    while (!this.events.includes(event)) {
      assert.ok(Date.now() < deadline, `no ${event}: ${this.events.join(', ')}`);
      await sleep(10);
    }
  }
}

async function startUas(
  handler: CallHandler,
  logger: Logger,
  access: SipUserAgentOptions['access'],
): Promise<SipUserAgent> {
  return SipUserAgent.start({
    host: '127.0.0.1',
    udpPort: 0,
    tcpPort: 0,
    advertisedAddress: '127.0.0.1',
    handler,
    logger,
    timers: TIMERS,
    access,
  });
}

/** INVITE number `cseq` of `call` (a new transaction: new branch), with extra headers. */
function inviteOf(call: PeerCall, cseq: number, headers: readonly string[] = []) {
  const branch = newBranch();
  const bytes = call.request({
    method: 'INVITE',
    branch,
    cseq,
    to: TO,
    headers: ['Content-Type: application/sdp', ...headers],
    body: OFFER,
  });
  return {
    bytes,
    /** ACK for a non-2xx answer to this INVITE: same branch, in its transaction. */
    ackFailure: (response: SipResponse) =>
      call.request({ method: 'ACK', branch, cseq, to: response.headers.get('to')! }),
    /** ACK for its 200: a new transaction to the Contact; later requests go in the dialog. */
    ackOk: (ok: SipResponse) => {
      call.to = ok.headers.get('to')!;
      return call.request({ method: 'ACK', uri: contactUri(ok), branch: newBranch(), cseq, to: call.to });
    },
  };
}

const challengesOf = (response: SipResponse) =>
  response.headers.getAll('www-authenticate').map((v) => DigestChallenge.parse(v));

describe('SipUserAgent access: allowed hosts (403)', () => {
  const handler = new Handler();
  const log = capturedLogger();
  let uas: SipUserAgent;
  const peers: SipPeer[] = [];
  const peer = async (local: string) => {
    const p = await UdpPeer.open(uas.udpPort, local);
    peers.push(p);
    return p;
  };

  before(async () => {
    uas = await startUas(handler, log.logger, { allowList: AllowList.parse('127.0.0.1/32') });
  });

  after(async () => {
    await uas.close();
    await Promise.all(peers.map((p) => p.close()));
  });

  test('an INVITE from a host not in the list gets 403, without 100 Trying, and never reaches the call layer', async () => {
    const stranger = await peer('127.0.0.2');
    const call = new PeerCall(stranger);
    stranger.send(call.invite());
    const forbidden = await call.next(isResponse(403, 'INVITE'), 3000, '403 to the INVITE');
    assert.equal(forbidden.reason, 'Forbidden');
    assert.match(forbidden.toTag ?? '', /^[0-9a-f]{12}$/);
    assert.equal(forbidden.topVia.branch, call.inviteBranch);
    // Stateless: the retransmitted INVITE is answered again, with the same To tag (RFC 3261 §8.2.7).
    stranger.send(call.invite());
    const again = await call.next(isResponse(403, 'INVITE'), 3000, 'the 403 again');
    assert.equal(again.toTag, forbidden.toTag);
    stranger.send(call.ackFailure(forbidden));
    await sleep(4 * TIMERS.t1);
    assert.equal(
      stranger.all(isResponse(403)).length,
      2,
      'no retransmissions of a stateless 403, the ACK is ignored',
    );
    assert.equal(stranger.all(isResponse(100)).length, 0);
    assert.equal(handler.offers.length, 0);
    assert.equal(uas.stats().pendingInvites, 0);
  });

  test('OPTIONS, BYE, CANCEL, INFO and REGISTER from it are refused the same way', async () => {
    const stranger = await peer('127.0.0.2');
    const call = new PeerCall(stranger);
    for (const method of ['OPTIONS', 'BYE', 'CANCEL', 'INFO', 'REGISTER']) {
      stranger.send(call.request({ method, branch: newBranch(), cseq: 7, to: `${TO};tag=abc` }));
      await call.next(isResponse(403, method), 3000, `403 to ${method}`);
    }
  });

  test('the listed host is served: OPTIONS 200, INVITE 200', async () => {
    const friend = await peer('127.0.0.1');
    const call = new PeerCall(friend);
    friend.send(call.request({ method: 'OPTIONS', branch: newBranch(), cseq: 1, to: TO }));
    await call.next(isResponse(200, 'OPTIONS'));
    const invite = inviteOf(call, 2);
    friend.send(invite.bytes);
    const ok = await call.next(isResponse(200, 'INVITE'));
    friend.send(invite.ackOk(ok));
    await handler.waitFor(`confirmed:${call.callId}`);
    friend.send(call.request({ method: 'BYE', branch: newBranch(), cseq: 3, to: call.to }));
    await call.next(isResponse(200, 'BYE'));
  });

  test('the target of a call Callsight placed may hang it up from outside the list (its dialog is known)', async () => {
    const target = await peer('127.0.0.2');
    const ended: CallEndReason[] = [];
    const placed = uas.invite({
      target: { transport: 'udp', address: '127.0.0.2', port: target.port },
      requestUri: `sip:+15550100@127.0.0.2:${target.port}`,
      from: '<sip:+15550111@127.0.0.1>',
      to: '<sip:+15550100@127.0.0.2>',
      sdp: ANSWER,
      timeoutMs: 3000,
      handler: { ended: (reason) => void ended.push(reason) },
    });
    const invite = await target.next(isRequest('INVITE'));
    const ok = responseTo(invite, 200, 'OK', {
      toTag: 'pbx-tag',
      headers: [['contact', `<sip:pbx@127.0.0.2:${target.port}>`]],
      body: { contentType: 'application/sdp', content: ANSWER },
    });
    target.send(ok.serialize());
    assert.equal((await placed.outcome).kind, 'response');
    await target.next(isRequest('ACK'));
    // The callee's BYE: its From is the INVITE's To (with its tag), its To the INVITE's From.
    const bye = [
      `BYE sip:callsight@127.0.0.1:${uas.udpPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.2:${target.port};branch=${newBranch()};rport`,
      'Max-Forwards: 70',
      `From: ${invite.headers.get('to')!};tag=pbx-tag`,
      `To: ${invite.headers.get('from')!}`,
      `Call-ID: ${invite.callId}`,
      'CSeq: 1 BYE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    target.send(bye);
    await target.next(isResponse(200, 'BYE'));
    assert.deepEqual(ended, ['bye-received']);
    // Outside a dialog, the same host is still refused.
    target.send(bye.replace(invite.callId, 'not-a-dialog@127.0.0.2'));
    await target.next(isResponse(403, 'BYE'));
  });

  test('a malformed request is answered to the listed host only (505 here), not to others', async () => {
    const sip3 = (p: SipPeer) => {
      const call = new PeerCall(p);
      const text = call.request({ method: 'OPTIONS', branch: newBranch(), cseq: 1, to: TO }).toString();
      return wire(text.replace('SIP/2.0\r\n', 'SIP/3.0\r\n'));
    };
    const friend = await peer('127.0.0.1');
    friend.send(sip3(friend));
    await friend.next(isResponse(505), 3000, '505 Version Not Supported');
    const stranger = await peer('127.0.0.2');
    stranger.send(sip3(stranger));
    await sleep(100);
    assert.equal(stranger.received.length, 0);
  });

  test('refusals are logged at warn with the source, at most once a minute per source', async () => {
    const scanner = await peer('127.0.0.3');
    const call = new PeerCall(scanner);
    for (let i = 0; i < 25; i++)
      scanner.send(call.request({ method: 'OPTIONS', branch: newBranch(), cseq: i + 1, to: TO }));
    const deadline = Date.now() + 3000;
    while (scanner.all(isResponse(403)).length < 25) {
      assert.ok(Date.now() < deadline, `only ${scanner.all(isResponse(403)).length} answers`);
      await sleep(10);
    }
    const warnings = log.lines.filter(
      (l) => l.code === 'CS_ERR_SIP_FORBIDDEN' && String(l.remote).includes('127.0.0.3'),
    );
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.equal(warnings[0]!.level, 40);
    assert.equal(warnings[0]!.remote, `udp:127.0.0.3:${scanner.port}`);
    assert.ok(uas.stats().forbidden >= 25);
  });
});

describe('SipUserAgent access: digest authentication (401)', () => {
  const handler = new Handler();
  const log = capturedLogger();
  let now = Date.now();
  const auth = new DigestAuthenticator({
    users: { alice: { password: PASSWORD } },
    algorithms: ['SHA-256', 'MD5'],
    nonceLifetimeMs: 30_000,
    now: () => now,
  });
  let uas: SipUserAgent;
  const peers: SipPeer[] = [];
  const udpPeer = async () => {
    const p = await UdpPeer.open(uas.udpPort);
    peers.push(p);
    return p;
  };
  const answer = (challenge: string, password = PASSWORD, nc = 1) =>
    `Authorization: ${answerChallenge(challenge, { username: 'alice', password, method: 'INVITE', uri: URI, nc })}`;

  /** INVITE without credentials → 401 (ACKed): the challenges. */
  async function challenge(call: PeerCall, cseq = 1): Promise<string[]> {
    const invite = inviteOf(call, cseq);
    call.peer.send(invite.bytes);
    const unauthorized = await call.next(isResponse(401, 'INVITE'), 3000, '401 to the INVITE');
    call.peer.send(invite.ackFailure(unauthorized));
    return unauthorized.headers.getAll('www-authenticate');
  }

  before(async () => {
    uas = await startUas(handler, log.logger, { allowList: AllowList.parse('127.0.0.0/8'), auth });
  });

  after(async () => {
    await uas.close();
    await Promise.all(peers.map((p) => p.close()));
  });

  test('an INVITE without credentials → 401 with one challenge per algorithm, SHA-256 first; its ACK ends the retransmissions', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    const invite = inviteOf(call, 1);
    peer.send(invite.bytes);
    const unauthorized = await call.next(isResponse(401, 'INVITE'));
    assert.equal(unauthorized.reason, 'Unauthorized');
    assert.ok(unauthorized.toTag);
    const challenges = challengesOf(unauthorized);
    assert.deepEqual(
      challenges.map((c) => c.algorithm),
      ['SHA-256', 'MD5'],
    );
    assert.ok(challenges.every((c) => c.realm === 'callsight' && c.qop.join() === 'auth' && !c.stale));
    assert.equal(peer.all(isResponse(100)).length, 0, 'refused before 100 Trying');
    // Unacknowledged, the 401 is retransmitted like any non-2xx final response (Timer G)…
    await call.next(isResponse(401, 'INVITE'), 1000, 'the 401 retransmitted');
    peer.send(invite.ackFailure(unauthorized));
    await sleep(2 * TIMERS.t1);
    const afterAck = peer.all(isResponse(401)).length;
    await sleep(TIMERS.t2 * 2);
    assert.equal(peer.all(isResponse(401)).length, afterAck, '…and the ACK stops them');
    assert.equal(handler.offers.filter((o) => o.sipCallId === call.callId).length, 0);
  });

  for (const algorithm of ['SHA-256', 'MD5']) {
    test(`the INVITE again with right ${algorithm} credentials → 200; the dialog's requests are not challenged`, async () => {
      const peer = await udpPeer();
      const call = new PeerCall(peer);
      const challenges = await challenge(call);
      const invite = inviteOf(call, 2, [
        answer(challenges.find((c) => c.includes(`algorithm=${algorithm},`))!),
      ]);
      peer.send(invite.bytes);
      await call.next(isResponse(100, 'INVITE'));
      const ok = await call.next(isResponse(200, 'INVITE'));
      assert.equal(ok.cseq.seq, 2);
      peer.send(invite.ackOk(ok));
      await handler.waitFor(`confirmed:${call.callId}`);
      // re-INVITE, INFO and BYE carry no credentials: in-dialog requests are not challenged.
      const reInvite = call.request({
        method: 'INVITE',
        branch: newBranch(),
        cseq: 3,
        to: call.to,
        headers: ['Content-Type: application/sdp'],
        body: OFFER,
      });
      peer.send(reInvite);
      const reOk = await call.next(isResponse(200, 'INVITE'));
      assert.equal(reOk.cseq.seq, 3);
      peer.send(
        call.request({ method: 'ACK', uri: contactUri(reOk), branch: newBranch(), cseq: 3, to: call.to }),
      );
      peer.send(call.request({ method: 'INFO', branch: newBranch(), cseq: 4, to: call.to }));
      await call.next(isResponse(200, 'INFO'));
      peer.send(call.request({ method: 'BYE', branch: newBranch(), cseq: 5, to: call.to }));
      await call.next(isResponse(200, 'BYE'));
      await handler.waitFor(`ended:${call.callId}:bye-received`);
    });
  }

  test('a wrong password → 401 again (not stale), and a warning naming the user, never the password', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    const [sha] = await challenge(call);
    const invite = inviteOf(call, 2, [answer(sha!, 'wonder-land?')]);
    peer.send(invite.bytes);
    const refused = await call.next(isResponse(401, 'INVITE'));
    assert.equal(refused.cseq.seq, 2);
    assert.ok(challengesOf(refused).every((c) => !c.stale));
    peer.send(invite.ackFailure(refused));
    assert.equal(handler.offers.filter((o) => o.sipCallId === call.callId).length, 0);
    const warning = log.lines.find((l) => l.code === 'CS_ERR_SIP_AUTH_FAILED' && l.sipCallId === call.callId);
    assert.ok(warning, 'a warning');
    assert.equal(warning.reason, 'wrong-response');
    assert.equal(warning.user, 'alice');
    assert.ok(
      !log.text().includes(PASSWORD) && !log.text().includes('wonder-land?'),
      'no password in the log',
    );
  });

  test('an expired nonce with the right password → 401 stale=true; the fresh nonce then works', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    const [old] = await challenge(call);
    now += 31_000;
    try {
      const stale = inviteOf(call, 2, [answer(old!)]);
      peer.send(stale.bytes);
      const renewed = await call.next(isResponse(401, 'INVITE'));
      const challenges = challengesOf(renewed);
      assert.ok(challenges.length === 2 && challenges.every((c) => c.stale), renewed.toString());
      assert.notEqual(challenges[0]!.nonce, DigestChallenge.parse(old!).nonce);
      peer.send(stale.ackFailure(renewed));
      const fresh = inviteOf(call, 3, [answer(renewed.headers.get('www-authenticate')!)]);
      peer.send(fresh.bytes);
      const ok = await call.next(isResponse(200, 'INVITE'));
      peer.send(fresh.ackOk(ok));
      await handler.waitFor(`confirmed:${call.callId}`);
      peer.send(call.request({ method: 'BYE', branch: newBranch(), cseq: 4, to: call.to }));
      await call.next(isResponse(200, 'BYE'));
    } finally {
      now -= 31_000;
    }
  });

  test('a captured INVITE replayed under a new branch and Call-ID is refused (nonce count seen)', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    const [sha] = await challenge(call);
    const credentials = answer(sha!);
    const invite = inviteOf(call, 2, [credentials]);
    peer.send(invite.bytes);
    const ok = await call.next(isResponse(200, 'INVITE'));
    peer.send(invite.ackOk(ok));
    await handler.waitFor(`confirmed:${call.callId}`);

    const replay = new PeerCall(peer);
    peer.send(inviteOf(replay, 2, [credentials]).bytes);
    const refused = await replay.next(isResponse(401, 'INVITE'));
    assert.ok(challengesOf(refused).every((c) => !c.stale));
    assert.equal(handler.offers.filter((o) => o.sipCallId === replay.callId).length, 0);
    // The next count of the same nonce is a new request, and is taken (preemptive authentication).
    const next = new PeerCall(peer);
    const nextInvite = inviteOf(next, 1, [answer(sha!, PASSWORD, 2)]);
    peer.send(nextInvite.bytes);
    const nextOk = await next.next(isResponse(200, 'INVITE'));
    peer.send(nextInvite.ackOk(nextOk));
    for (const c of [call, next]) {
      peer.send(c.request({ method: 'BYE', branch: newBranch(), cseq: 9, to: c.to }));
      await c.next(isResponse(200, 'BYE'));
    }
  });

  test('OPTIONS and CANCEL are never challenged (RFC 3261 §22.1)', async () => {
    const peer = await udpPeer();
    const call = new PeerCall(peer);
    peer.send(call.request({ method: 'OPTIONS', branch: newBranch(), cseq: 1, to: TO }));
    await call.next(isResponse(200, 'OPTIONS'));
    const challenges = await challenge(call, 2);
    let release!: () => void;
    handler.hold = new Promise((resolve) => (release = resolve));
    try {
      const branch = newBranch();
      const bytes = call.request({
        method: 'INVITE',
        branch,
        cseq: 3,
        to: TO,
        headers: ['Content-Type: application/sdp', answer(challenges[0]!)],
        body: OFFER,
      });
      peer.send(bytes);
      await call.next(isResponse(100, 'INVITE'));
      peer.send(call.request({ method: 'CANCEL', branch, cseq: 3, to: TO }));
      await call.next(isResponse(200, 'CANCEL'));
      const terminated = await call.next(isResponse(487, 'INVITE'));
      peer.send(call.request({ method: 'ACK', branch, cseq: 3, to: terminated.headers.get('to')! }));
      await handler.waitFor(`ended:${call.callId}:cancelled`);
    } finally {
      release();
      handler.hold = null;
    }
  });

  test('over TCP too: 401, then 200 with credentials', async () => {
    const peer = await TcpPeer.open(uas.tcpPort);
    peers.push(peer);
    const call = new PeerCall(peer);
    const [sha] = await challenge(call);
    const invite = inviteOf(call, 2, [answer(sha!)]);
    peer.send(invite.bytes);
    const ok = await call.next(isResponse(200, 'INVITE'));
    peer.send(invite.ackOk(ok));
    await handler.waitFor(`confirmed:${call.callId}`);
    peer.send(call.request({ method: 'BYE', branch: newBranch(), cseq: 3, to: call.to }));
    await call.next(isResponse(200, 'BYE'));
    assert.ok(uas.stats().challenged >= 1);
  });
});
