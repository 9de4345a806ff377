import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { responseTo } from '../../../src/sip/message/SipMessage.js';
import { OFFER, PeerCall, UdpPeer, isRequest, isResponse, sleep } from '../../sip/support/SipPeer.js';
import { freePort } from '../../helpers/ports.js';
import { startLoopbackConnector } from '../support/loopbackConnector.js';
import type { VoiceConnector } from '../../../src/connector/VoiceConnector.js';
import type { SipUserAgent } from '../../../src/sip/SipUserAgent.js';

/*
 * The far leg's failover inside one process, with raw UDP peers as the caller and the two targets,
 * for an exchange no off-the-shelf peer produces on demand: the first target rings, is cancelled at
 * the route's timeout, and answers 200 anyway (its 2xx crossing our CANCEL).
 */

/** The target answers its INVITE 200 with an SDP answer and takes the ACK. */
async function answer(target: UdpPeer, tag: string): Promise<void> {
  const invite = await target.next(isRequest('INVITE'), 3000, `the INVITE to ${tag}`);
  target.send(
    responseTo(invite, 200, 'OK', {
      toTag: tag,
      headers: [['contact', `<sip:${tag}@127.0.0.1:${target.port}>`]],
      body: { contentType: 'application/sdp', content: OFFER },
    }).serialize(),
  );
  await target.next(isRequest('ACK'), 3000, `the ACK of ${tag}'s answer`);
}

describe('trunk failover: a 2xx crossing the CANCEL of a target given up on', () => {
  let uas: SipUserAgent;
  let connector: VoiceConnector;
  let caller: UdpPeer;
  let first: UdpPeer;
  let second: UdpPeer;

  before(async () => {
    // Targets' sockets first: their ports go into the route; they learn Callsight's port after.
    first = await UdpPeer.open(0);
    second = await UdpPeer.open(0);
    ({ uas, connector } = await startLoopbackConnector([
      {
        name: 'two-targets',
        targets: [
          { uri: `sip:127.0.0.1:${first.port}`, priority: 1 },
          { uri: `sip:127.0.0.1:${second.port}`, priority: 2 },
        ],
        timeoutSec: 1,
      },
    ]));
    caller = await UdpPeer.open(uas.udpPort);
    first.retarget(uas.udpPort);
    second.retarget(uas.udpPort);
  });

  after(async () => {
    await uas.close();
    await connector.drain();
    await Promise.all([caller, first, second].map((p) => p.close()));
  });

  test('the late 2xx is ACKed and hung up, the second target takes the call, and the caller’s BYE still reaches it', async () => {
    const call = new PeerCall(caller);
    caller.send(call.invite());
    const invite1 = await first.next(isRequest('INVITE'), 3000, 'the INVITE to the first target');
    first.send(responseTo(invite1, 180, 'Ringing', { toTag: 'first' }).serialize());
    const cancel = await first.next(isRequest('CANCEL'), 3000, 'the CANCEL at the route timeout');
    first.send(responseTo(cancel, 200, 'OK', { toTag: 'first' }).serialize());
    first.send(
      responseTo(invite1, 200, 'OK', {
        toTag: 'first',
        headers: [['contact', `<sip:first@127.0.0.1:${first.port}>`]],
        body: { contentType: 'application/sdp', content: OFFER },
      }).serialize(),
    );
    await first.next(isRequest('ACK'), 3000, 'the ACK of the late 2xx');
    const bye1 = await first.next(isRequest('BYE'), 3000, 'the BYE ending the late dialog');
    first.send(PeerCall.ok(bye1));

    await answer(second, 'second');
    const ok = await call.next(isResponse(200, 'INVITE'), 3000, "the caller's 200 OK");
    caller.send(call.ackOk(ok));
    await sleep(300);
    assert.equal(
      caller.all(isRequest('BYE')).length,
      0,
      'the end of the late dialog did not hang up the caller',
    );

    caller.send(call.inDialog('BYE'));
    await call.next(isResponse(200, 'BYE'), 3000, '200 to the BYE');
    const bye2 = await second.next(isRequest('BYE'), 3000, "the caller's BYE passed on to the second target");
    second.send(PeerCall.ok(bye2));
  });
});

describe('trunk failover: a target that cannot be reached', () => {
  test('TCP connection refused gives way to the next target at once, not after the timeout', async () => {
    const target = await UdpPeer.open(0);
    const closedPort = await freePort();
    const { uas, connector } = await startLoopbackConnector([
      {
        name: 'tcp-down',
        targets: [
          { uri: `sip:127.0.0.1:${closedPort};transport=tcp`, priority: 1 },
          { uri: `sip:127.0.0.1:${target.port}`, priority: 2 },
        ],
        timeoutSec: 10,
      },
    ]);
    target.retarget(uas.udpPort);
    const caller = await UdpPeer.open(uas.udpPort);
    try {
      const call = new PeerCall(caller);
      const started = Date.now();
      caller.send(call.invite());
      await answer(target, 'second');
      const ok = await call.next(isResponse(200, 'INVITE'), 3000, "the caller's 200 OK");
      assert.ok(Date.now() - started < 2000, `answered after ${Date.now() - started} ms`);
      caller.send(call.ackOk(ok));
      caller.send(call.inDialog('BYE'));
      await call.next(isResponse(200, 'BYE'), 3000, '200 to the BYE');
      target.send(PeerCall.ok(await target.next(isRequest('BYE'), 3000, 'the BYE passed on')));
    } finally {
      await uas.close();
      await connector.drain();
      await Promise.all([caller, target].map((p) => p.close()));
    }
  });
});
