import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CallHandler } from '../../src/sip/CallHandlerTypes.js';
import { SipRequest } from '../../src/sip/message/SipMessage.js';
import { startLoopbackUas } from './support/loopbackUas.js';
import { OFFER, TcpPeer, isRequest, isResponse, wire } from './support/SipPeer.js';

const handler: CallHandler = {
  offer: () => Promise.resolve({ sdp: OFFER }),
  confirmed: () => undefined,
  ended: () => undefined,
};
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close();
});

/** A port nothing listens on: only a reused connection can carry a request "to" it. */
const CLOSED_PORT = 9;

test("RFC 5923: a peer whose Via says alias gets Callsight's new requests on its own connection", async () => {
  const uas = await startLoopbackUas(handler);
  const peer = await TcpPeer.open(uas.tcpPort);
  closers.push(
    () => peer.close(),
    () => uas.close(),
  );
  peer.send(
    wire(`OPTIONS sip:callsight@127.0.0.1 SIP/2.0
Via: SIP/2.0/TCP 127.0.0.1:${CLOSED_PORT};branch=z9hG4bK.alias;alias
Max-Forwards: 70
From: <sip:pbx@127.0.0.1>;tag=a1
To: <sip:callsight@127.0.0.1>
Call-ID: alias@127.0.0.1
CSeq: 1 OPTIONS
Content-Length: 0

`),
  );
  await peer.next(isResponse(200, 'OPTIONS'));
  const outgoing = uas.invite({
    target: { transport: 'tcp', address: '127.0.0.1', port: CLOSED_PORT },
    requestUri: `sip:+15550100@127.0.0.1:${CLOSED_PORT};transport=tcp`,
    from: '<sip:+15550111@127.0.0.1>',
    to: '<sip:+15550100@127.0.0.1>',
    sdp: OFFER,
    timeoutMs: 2000,
    handler: { ended: () => undefined },
  });
  const invite = await peer.next(isRequest('INVITE'));
  assert.ok(invite instanceof SipRequest);
  assert.match(invite.headers.get('via')!, /^SIP\/2\.0\/TCP .*;alias$/, 'our Via offers alias too');
  outgoing.cancel();
});
