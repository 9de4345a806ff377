import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/platform/logger.js';
import { DigestAuthenticator } from '../../src/sip/access/DigestAuth.js';
import type { DigestAlgorithm } from '../../src/sip/access/DigestAlgorithm.js';
import { DigestClient } from '../../src/sip/access/DigestClient.js';
import { DigestCredentials } from '../../src/sip/access/DigestHeaders.js';
import type { CallHandler } from '../../src/sip/CallHandlerTypes.js';
import { SipRequest, responseTo, type SipMessage } from '../../src/sip/message/SipMessage.js';
import { SipUserAgent, type OutgoingInvite } from '../../src/sip/SipUserAgent.js';
import { OFFER, UdpPeer, isRequest, sleep } from './support/SipPeer.js';

/*
 * The UAC side of digest authentication (RFC 3261 §22.2, RFC 8760): Callsight's outbound INVITE
 * (a route's far leg) meets a target that challenges. The target is a raw UDP peer driven step by
 * step, judging the answers with the UAS side's DigestAuthenticator.
 */

const TIMERS = { t1: 50, t2: 400, t4: 500 };
const NOBODY: CallHandler = {
  offer: () => Promise.reject(new Error('no calls expected')),
  confirmed: () => undefined,
  ended: () => undefined,
};
const isInvite =
  (seq: number) =>
  (m: SipMessage): m is SipRequest =>
    isRequest('INVITE')(m) && m.cseq.seq === seq;
const isAck =
  (seq: number) =>
  (m: SipMessage): m is SipRequest =>
    isRequest('ACK')(m) && m.cseq.seq === seq;

describe('SipUserAgent.invite(): answering 401/407 from the target', () => {
  let uac: SipUserAgent;
  const peers: UdpPeer[] = [];
  const target = async () => {
    const peer = await UdpPeer.open(uac.udpPort);
    peers.push(peer);
    return peer;
  };
  const place = (peer: UdpPeer, credentials: DigestClient | null): OutgoingInvite =>
    uac.invite({
      target: { transport: 'udp', address: '127.0.0.1', port: peer.port },
      requestUri: `sip:+15550100@127.0.0.1:${peer.port}`,
      from: '<sip:+15550111@127.0.0.1>',
      to: '<sip:+15550100@127.0.0.1>',
      sdp: OFFER,
      timeoutMs: 5000,
      handler: { ended: () => undefined },
      credentials,
    });
  const server = (algorithms: DigestAlgorithm[], now?: () => number) =>
    new DigestAuthenticator({
      realm: 'carrier.example.net',
      users: { acme: { password: 'trunk-pa55' } },
      algorithms,
      ...(now ? { now, nonceLifetimeMs: 1000 } : {}),
    });
  /** The challenge, then the target expects the ACK of it in the same transaction (same branch). */
  const challenge = async (peer: UdpPeer, invite: SipRequest, status: 401 | 407, values: string[]) => {
    const header = status === 401 ? 'www-authenticate' : 'proxy-authenticate';
    peer.send(
      responseTo(invite, status, status === 401 ? 'Unauthorized' : 'Proxy Authentication Required', {
        toTag: 'target1',
        headers: values.map((v): [string, string] => [header, v]),
      }).serialize(),
    );
    const ack = await peer.next(isAck(invite.cseq.seq), 2000, `the ACK of the ${status}`);
    assert.equal(
      ack.topVia.branch,
      invite.topVia.branch,
      'the ACK of a non-2xx is in the INVITE transaction',
    );
    assert.equal(ack.toTag, 'target1');
  };
  const answerOk = async (peer: UdpPeer, invite: SipRequest) => {
    peer.send(
      responseTo(invite, 200, 'OK', {
        toTag: 'target1',
        headers: [['contact', `<sip:target@127.0.0.1:${peer.port}>`]],
        body: { contentType: 'application/sdp', content: OFFER },
      }).serialize(),
    );
    await peer.next(isAck(invite.cseq.seq), 2000, 'the ACK of the 200');
  };

  before(async () => {
    uac = await SipUserAgent.start({
      host: '127.0.0.1',
      udpPort: 0,
      tcpPort: 0,
      advertisedAddress: '127.0.0.1',
      handler: NOBODY,
      logger: silentLogger,
      timers: TIMERS,
    });
  });

  after(async () => {
    await uac.close();
    await Promise.all(peers.map((p) => p.close()));
  });

  test('401 with SHA-256 and MD5: ACK, INVITE again with CSeq 2, same Call-ID and From tag, new branch, SHA-256 Authorization', async () => {
    const peer = await target();
    const auth = server(['SHA-256', 'MD5']);
    const call = place(peer, new DigestClient('acme', 'trunk-pa55'));
    const first = await peer.next(isInvite(1));
    assert.equal(first.headers.get('authorization'), undefined);
    await challenge(peer, first, 401, auth.challenges());
    const second = await peer.next(isInvite(2), 2000, 'the INVITE with credentials');
    assert.equal(second.callId, first.callId);
    assert.equal(second.fromTag, first.fromTag);
    assert.equal(second.toTag, null, 'still outside a dialog');
    assert.notEqual(second.topVia.branch, first.topVia.branch, 'a new transaction');
    const verdict = auth.verify({
      method: 'INVITE',
      uri: second.uri,
      authorization: second.headers.getAll('authorization'),
    });
    assert.deepEqual(verdict, { ok: true, username: 'acme', algorithm: 'SHA-256' });
    await answerOk(peer, second);
    const outcome = await call.outcome;
    assert.equal(outcome.kind === 'response' && outcome.response.status, 200);
    await uac.hangup(call.sipCallId);
  });

  test('407 from a proxy: Proxy-Authorization, MD5', async () => {
    const peer = await target();
    const auth = server(['MD5']);
    const call = place(peer, new DigestClient('acme', 'trunk-pa55'));
    const first = await peer.next(isInvite(1));
    await challenge(peer, first, 407, auth.challenges());
    const second = await peer.next(isInvite(2));
    assert.equal(second.headers.get('authorization'), undefined);
    const values = second.headers.getAll('proxy-authorization');
    assert.equal(DigestCredentials.parse(values[0]!)!.algorithm, 'MD5');
    assert.equal(auth.verify({ method: 'INVITE', uri: second.uri, authorization: values }).ok, true);
    await answerOk(peer, second);
    assert.equal((await call.outcome).kind, 'response');
    await uac.hangup(call.sipCallId);
  });

  test('a second challenge with stale=true is answered once more (CSeq 3); the fresh nonce is accepted', async () => {
    const peer = await target();
    let clock = 0;
    const auth = server(['SHA-256'], () => clock);
    const call = place(peer, new DigestClient('acme', 'trunk-pa55'));
    await challenge(peer, await peer.next(isInvite(1)), 401, auth.challenges());
    const second = await peer.next(isInvite(2));
    clock = 10_000; // the first nonce has expired by the time its answer is checked
    const stale = auth.verify({
      method: 'INVITE',
      uri: second.uri,
      authorization: second.headers.getAll('authorization'),
    });
    assert.ok(
      !stale.ok && stale.stale,
      `the answer was right, only its nonce was old: ${JSON.stringify(stale)}`,
    );
    await challenge(peer, second, 401, auth.challenges({ stale: true }));
    const third = await peer.next(isInvite(3), 2000, 'the INVITE answering the stale challenge');
    assert.equal(third.callId, second.callId);
    const verdict = auth.verify({
      method: 'INVITE',
      uri: third.uri,
      authorization: third.headers.getAll('authorization'),
    });
    assert.equal(verdict.ok, true);
    await answerOk(peer, third);
    assert.equal((await call.outcome).kind, 'response');
    await uac.hangup(call.sipCallId);
  });

  test('a wrong password: the second 401 (not stale) ends the attempt as a 401, with no third INVITE', async () => {
    const peer = await target();
    const auth = server(['SHA-256', 'MD5']);
    const call = place(peer, new DigestClient('acme', 'not-the-password'));
    await challenge(peer, await peer.next(isInvite(1)), 401, auth.challenges());
    const second = await peer.next(isInvite(2));
    assert.equal(
      auth.verify({
        method: 'INVITE',
        uri: second.uri,
        authorization: second.headers.getAll('authorization'),
      }).ok,
      false,
    );
    await challenge(peer, second, 401, auth.challenges());
    const outcome = await call.outcome;
    assert.equal(outcome.kind === 'response' && outcome.response.status, 401);
    await sleep(200);
    assert.equal(peer.all(isInvite(3)).length, 0);
  });

  test('endless stale challenges are answered once, not forever', async () => {
    const peer = await target();
    const auth = server(['MD5']);
    const call = place(peer, new DigestClient('acme', 'trunk-pa55'));
    await challenge(peer, await peer.next(isInvite(1)), 401, auth.challenges({ stale: true }));
    await challenge(peer, await peer.next(isInvite(2)), 401, auth.challenges({ stale: true }));
    await challenge(peer, await peer.next(isInvite(3)), 401, auth.challenges({ stale: true }));
    const outcome = await call.outcome;
    assert.equal(outcome.kind === 'response' && outcome.response.status, 401);
    await sleep(200);
    assert.equal(peer.all(isInvite(4)).length, 0);
  });

  test('without credentials a challenge is the final answer', async () => {
    const peer = await target();
    const call = place(peer, null);
    await challenge(peer, await peer.next(isInvite(1)), 401, server(['MD5']).challenges());
    const outcome = await call.outcome;
    assert.equal(outcome.kind === 'response' && outcome.response.status, 401);
    await sleep(200);
    assert.equal(peer.all(isInvite(2)).length, 0);
  });
});
