import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, createServer, type PeerCertificate, type TLSSocket } from 'node:tls';
import { silentLogger } from '../../../src/platform/logger.js';
import type { CallHandler } from '../../../src/sip/CallHandlerTypes.js';
import { parseSipMessage } from '../../../src/sip/message/SipParser.js';
import { SipRequest, SipResponse } from '../../../src/sip/message/SipMessage.js';
import type { SipUserAgent } from '../../../src/sip/SipUserAgent.js';
import { StreamFramer } from '../../../src/sip/transport/StreamFramer.js';
import { TlsCredentials } from '../../../src/sip/transport/TlsCredentials.js';
import { TestCa, type IssuedCertificate } from '../../helpers/testCa.js';
import { startLoopbackUas } from '../support/loopbackUas.js';
import { OFFER, sleep, wire } from '../support/SipPeer.js';

/*
 * SIP over TLS between a SipUserAgent and node:tls peers on loopback, with certificates from a CA
 * made for this run (test/helpers/testCa.ts).
 */

const handler: CallHandler = {
  offer: () => Promise.resolve({ sdp: OFFER }),
  confirmed: () => undefined,
  ended: () => undefined,
};

function options(branch: string): Buffer {
  return wire(`OPTIONS sip:callsight@sip.test SIP/2.0
Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK.${branch}
Max-Forwards: 70
From: <sip:sbc@sbc1.test>;tag=${branch}
To: <sip:callsight@sip.test>
Call-ID: ${branch}@sbc1.test
CSeq: 1 OPTIONS
Content-Length: 0

`);
}

/** A TLS client that sends `request` and resolves with the response, or with the error that ended it. */
async function exchange(
  port: number,
  ca: Buffer,
  request: Buffer,
  client: Partial<IssuedCertificate> = {},
): Promise<{ response: SipResponse | null; certificate: PeerCertificate | null; error: string | null }> {
  const socket = connect({
    host: '127.0.0.1',
    port,
    servername: 'sip.test',
    ca,
    ...(client.cert ? { cert: client.cert, key: client.key } : {}),
  });
  const framer = new StreamFramer();
  return new Promise((resolve) => {
    let certificate: PeerCertificate | null = null;
    const done = (response: SipResponse | null, error: string | null) => {
      socket.destroy();
      resolve({ response, certificate, error });
    };
    socket.once('secureConnect', () => {
      certificate = socket.getPeerCertificate();
      socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => {
      for (const item of framer.push(chunk)) {
        if (item.kind !== 'message') continue;
        const message = parseSipMessage(item.data);
        if (message instanceof SipResponse && message.status >= 200) done(message, null);
      }
    });
    socket.once('error', (err: Error) => done(null, err.message));
    socket.once('close', () => done(null, 'closed'));
    setTimeout(() => done(null, 'timeout'), 3000);
  });
}

describe('SIP over TLS', () => {
  let ca: TestCa;
  let caPem: Buffer;
  const closers: (() => Promise<void> | void)[] = [];

  before(() => {
    ca = TestCa.create();
    caPem = readFileSync(ca.caFile);
  });

  after(async () => {
    for (const close of closers.reverse()) await close();
    ca.cleanup();
  });

  async function start(
    extra: { clientCa?: boolean; allow?: string[]; pollMs?: number; files?: IssuedCertificate } = {},
  ): Promise<{ uas: SipUserAgent; credentials: TlsCredentials; files: IssuedCertificate }> {
    const files =
      extra.files ?? ca.issue(`server-${closers.length}`, { dns: ['sip.test'], uris: ['sip:sip.test'] });
    const credentials = TlsCredentials.load(
      {
        certFile: files.certFile,
        keyFile: files.keyFile,
        caFile: ca.caFile,
        ...(extra.clientCa ? { clientCaFile: ca.caFile } : {}),
      },
      silentLogger,
      extra.pollMs ?? 5000,
    );
    const uas = await startLoopbackUas(handler, {
      tls: { port: 0, credentials, clientAllowList: extra.allow ?? [] },
    });
    closers.push(
      () => uas.close(),
      () => credentials.close(),
    );
    return { uas, credentials, files };
  }

  test('OPTIONS over TLS on the tls port: 200 OK, the server certificate verified for sip.test', async () => {
    const { uas } = await start();
    const { response, certificate, error } = await exchange(uas.tlsPort, caPem, options('plain'));
    assert.equal(error, null);
    assert.equal(response?.status, 200);
    assert.match(response.headers.get('via')!, /^SIP\/2\.0\/TLS /);
    assert.match(certificate!.subjectaltname ?? '', /URI:sip:sip\.test/);
  });

  test('mutual TLS: no client certificate → handshake refused; a certificate of the CA → 200', async () => {
    const { uas } = await start({ clientCa: true });
    const anonymous = await exchange(uas.tlsPort, caPem, options('anon'));
    assert.equal(anonymous.response, null, 'no answer without a client certificate');
    const sbc = ca.issue('sbc1', { dns: ['sbc1.test'] });
    const known = await exchange(uas.tlsPort, caPem, options('sbc1'), sbc);
    assert.equal(known.response?.status, 200);
    assert.ok(uas.stats().tls!.handshakeFailures >= 1);
  });

  test('sip.tlsClientAllowList: a valid certificate for an unlisted name is closed, a listed one answered', async () => {
    const { uas } = await start({ clientCa: true, allow: ['sbc1.test', 'sip:trunk.example.com'] });
    const rogue = ca.issue('rogue', { dns: ['rogue.test'] });
    const refused = await exchange(uas.tlsPort, caPem, options('rogue'), rogue);
    assert.equal(refused.response, null);
    const bySipUri = ca.issue('sbc-uri', { uris: ['sip:sbc1.test'] });
    const allowed = await exchange(uas.tlsPort, caPem, options('uri'), bySipUri);
    assert.equal(allowed.response?.status, 200, 'a sip: URI subjectAltName names the peer (RFC 5922)');
    assert.equal(uas.stats().tls!.clientsNotAllowed, 1);
  });

  test('a renewed certificate is served without a restart', async () => {
    const first = ca.issue('renew-a', { dns: ['sip.test'] });
    const live = { ...first, certFile: join(ca.dir, 'live.crt'), keyFile: join(ca.dir, 'live.key') };
    copyFileSync(first.certFile, live.certFile);
    copyFileSync(first.keyFile, live.keyFile);
    const { uas } = await start({ files: live, pollMs: 50 });
    const before = await exchange(uas.tlsPort, caPem, options('before'));
    const renewed = ca.issue('renew-b', { dns: ['sip.test'] });
    copyFileSync(renewed.keyFile, live.keyFile);
    copyFileSync(renewed.certFile, live.certFile);
    await sleep(400);
    const afterRenewal = await exchange(uas.tlsPort, caPem, options('after'));
    assert.equal(afterRenewal.response?.status, 200);
    assert.notEqual(before.certificate!.serialNumber, afterRenewal.certificate!.serialNumber);
    assert.equal(afterRenewal.certificate!.fingerprint256, new X509Certificate(renewed.cert).fingerprint256);
  });

  test('a peer trickling a message over TLS is cut off at the message deadline', async () => {
    const files = ca.issue('deadline', { dns: ['sip.test'] });
    const credentials = TlsCredentials.load(
      { certFile: files.certFile, keyFile: files.keyFile },
      silentLogger,
    );
    const uas = await startLoopbackUas(handler, {
      tls: { port: 0, credentials },
      streamLimits: { messageTimeoutMs: 600 },
    });
    closers.push(
      () => uas.close(),
      () => credentials.close(),
    );
    const socket = connect({ host: '127.0.0.1', port: uas.tlsPort, servername: 'sip.test', ca: caPem });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    let closed = false;
    socket.once('close', () => (closed = true));
    socket.on('error', () => undefined);
    const request = options('trickle');
    for (let i = 0; i < 20 && !closed; i++) {
      socket.write(request.subarray(i, i + 1));
      await sleep(100);
    }
    assert.ok(closed, 'closed while still sending');
    assert.equal(uas.stats().tls!.messageTimeouts, 1);
  });

  describe('outbound INVITE over TLS (a trunk leg)', () => {
    /** A TLS SIP server standing in for an SBC; keeps the INVITEs it gets and the SNI they came with. */
    async function sbc(
      cert: IssuedCertificate,
    ): Promise<{ port: number; invites: { sni: string | false | null }[] }> {
      const invites: { sni: string | false | null }[] = [];
      const open = new Set<TLSSocket>();
      const server = createServer({ cert: cert.cert, key: cert.key }, (socket: TLSSocket) => {
        open.add(socket);
        const framer = new StreamFramer();
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => {
          for (const item of framer.push(chunk)) {
            if (item.kind !== 'message') continue;
            const request = parseSipMessage(item.data);
            if (request instanceof SipRequest && request.method === 'INVITE') {
              invites.push({ sni: socket.servername });
              const copy = ['via', 'from', 'to', 'call-id', 'cseq'].flatMap((n) =>
                request.headers.getAll(n).map((v) => `${n}: ${v}`),
              );
              socket.write(wire(['SIP/2.0 486 Busy Here', ...copy, 'Content-Length: 0', '', ''].join('\n')));
            }
          }
        });
      });
      await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
      closers.push(() => {
        for (const socket of open) socket.destroy();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      });
      const address = server.address();
      return { port: typeof address === 'object' && address ? address.port : 0, invites };
    }

    async function call(uas: SipUserAgent, port: number) {
      const outgoing = uas.invite({
        target: { transport: 'tls', address: 'localhost', port },
        requestUri: `sips:+15550100@localhost:${port}`,
        from: '<sip:+15550111@127.0.0.1>',
        to: '<sips:+15550100@localhost>',
        sdp: OFFER,
        timeoutMs: 2000,
        handler: { ended: () => undefined },
      });
      return outgoing.outcome;
    }

    test('a certificate for the host dialled: the INVITE arrives with SNI, the answer comes back', async () => {
      const { uas } = await start();
      const target = await sbc(ca.issue('pbx', { dns: ['localhost'] }));
      const outcome = await call(uas, target.port);
      assert.equal(outcome.kind, 'response');
      assert.equal(outcome.kind === 'response' ? outcome.response.status : 0, 486);
      assert.deepEqual(target.invites, [{ sni: 'localhost' }]);
    });

    test('a certificate for another name (RFC 5922) or from an unknown CA: never sent', async () => {
      const { uas } = await start();
      const wrongName = await sbc(ca.issue('pbx-other', { dns: ['other.test'] }));
      assert.notEqual((await call(uas, wrongName.port)).kind, 'response');
      assert.equal(wrongName.invites.length, 0);
      const stranger = TestCa.create('Stranger CA');
      closers.push(() => stranger.cleanup());
      const untrusted = await sbc(stranger.issue('pbx-stranger', { dns: ['localhost'] }));
      assert.notEqual((await call(uas, untrusted.port)).kind, 'response');
      assert.equal(untrusted.invites.length, 0);
    });
  });
});
