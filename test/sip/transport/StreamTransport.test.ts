import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { silentLogger } from '../../../src/platform/logger.js';
import type { StreamLimits } from '../../../src/sip/transport/StreamTransport.js';
import { TcpTransport } from '../../../src/sip/transport/TcpTransport.js';
import type { SipFlow } from '../../../src/sip/transport/TransportTypes.js';
import { sleep, wire } from '../support/SipPeer.js';

/*
 * The limits of SIP over TCP (the same code serves TLS: TlsTransport.test.ts checks the deadline
 * there too), on real loopback sockets.
 */

const OPTIONS = wire(`OPTIONS sip:callsight@127.0.0.1 SIP/2.0
Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK.slow
Max-Forwards: 70
From: <sip:peer@127.0.0.1>;tag=1
To: <sip:callsight@127.0.0.1>
Call-ID: slow@127.0.0.1
CSeq: 1 OPTIONS
Content-Length: 0

`);

const transports: TcpTransport[] = [];
const sockets: Socket[] = [];
const servers: Server[] = [];
after(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(transports.map((t) => t.close()));
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(limits: Partial<StreamLimits>): Promise<TcpTransport> {
  const transport = await TcpTransport.listen({ host: '127.0.0.1', port: 0, logger: silentLogger, limits });
  transports.push(transport);
  return transport;
}

/** A client socket, from `local` (any of 127/8 is another source address on Linux). */
async function dial(port: number, local = '127.0.0.1'): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, localAddress: local });
  sockets.push(socket);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  return socket;
}

const closedWithin = (socket: Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (socket.destroyed || socket.readableEnded) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

describe('StreamTransport: a message deadline that each byte does not restart', () => {
  test('a peer sending one byte every 100 ms is cut off at sip.messageTimeoutMs', async () => {
    const transport = await listen({ messageTimeoutMs: 1000, idleTimeoutMs: 60_000 });
    const messages: Buffer[] = [];
    transport.on('message', (data) => messages.push(data));
    const socket = await dial(transport.localPort);
    const started = Date.now();
    let closedAt = 0;
    socket.once('close', () => (closedAt = Date.now()));
    for (let i = 0; i < OPTIONS.length && closedAt === 0; i++) {
      socket.write(OPTIONS.subarray(i, i + 1));
      await sleep(100);
    }
    assert.ok(closedAt > 0, 'the trickling connection was closed');
    const after = closedAt - started;
    assert.ok(after >= 1000 && after < 1600, `closed after ${after} ms, the deadline is 1000 ms`);
    assert.equal(messages.length, 0);
    assert.equal(transport.stats().messageTimeouts, 1);
  });

  test('whole messages on a long-lived connection never trip it, nor do CRLF keep-alives between them', async () => {
    const transport = await listen({ messageTimeoutMs: 300, idleTimeoutMs: 60_000 });
    const messages: Buffer[] = [];
    transport.on('message', (data) => messages.push(data));
    const socket = await dial(transport.localPort);
    for (let i = 0; i < 4; i++) {
      socket.write(OPTIONS);
      socket.write('\r\n\r\n');
      await sleep(200);
    }
    assert.equal(messages.length, 4);
    assert.equal(await closedWithin(socket, 100), false, 'still open');
    assert.equal(transport.stats().messageTimeouts, 0);
  });
});

describe('StreamTransport: connection limits', () => {
  test('sip.maxConnectionsPerSource refuses one source, not another', async () => {
    const transport = await listen({ maxConnectionsPerSource: 3 });
    const first = await Promise.all([1, 2, 3, 4, 5].map(() => dial(transport.localPort)));
    const closed = await Promise.all(first.map((s) => closedWithin(s, 300)));
    assert.equal(closed.filter(Boolean).length, 2, 'two over the limit closed');
    const other = await dial(transport.localPort, '127.0.0.2');
    assert.equal(await closedWithin(other, 300), false, 'another source still gets in');
    assert.equal(transport.stats().refusedPerSourceLimit, 2);
    assert.equal(transport.stats().connections, 4);
  });

  test('sip.maxConnections refuses beyond the total, and admits again once one closes', async () => {
    const transport = await listen({ maxConnections: 4, maxConnectionsPerSource: 100 });
    const open = await Promise.all([1, 2, 3, 4].map((n) => dial(transport.localPort, `127.0.0.${n}`)));
    await sleep(50);
    const refused = await dial(transport.localPort, '127.0.0.5');
    assert.equal(await closedWithin(refused, 300), true);
    open[0]!.destroy();
    await sleep(100);
    const admitted = await dial(transport.localPort, '127.0.0.6');
    assert.equal(await closedWithin(admitted, 300), false);
    assert.equal(transport.stats().refusedTotalLimit, 1);
  });
});

describe('StreamTransport: keep-alive and reuse of outbound flows', () => {
  /** A SIP peer's listener: records what arrives, answers pings when `pong` says so. */
  async function peerServer(pong: boolean): Promise<{ server: Server; port: number; received: string[] }> {
    const received: string[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (chunk) => {
        received.push(chunk.toString('latin1'));
        if (pong && chunk.toString('latin1').endsWith('\r\n\r\n')) socket.write('\r\n');
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const address = server.address();
    return { server, port: typeof address === 'object' && address ? address.port : 0, received };
  }

  test('an idle outbound flow is pinged with CRLFCRLF and kept while the peer answers CRLF', async () => {
    const peer = await peerServer(true);
    const transport = await listen({ keepAliveIntervalMs: 200, keepAliveTimeoutMs: 300 });
    const flow: SipFlow = { transport: 'tcp', address: '127.0.0.1', port: peer.port };
    await transport.send(OPTIONS, flow);
    await sleep(900);
    const pings = peer.received.join('').split('\r\n\r\n').length - 2;
    assert.ok(pings >= 2, `${pings} pings in 900 ms at an interval of 160–200 ms`);
    assert.equal(transport.connectionCount, 1, 'the answered flow is kept');
    assert.equal(transport.stats().keepAliveFailures, 0);
  });

  test('a flow whose ping goes unanswered is closed', async () => {
    const peer = await peerServer(false);
    const transport = await listen({ keepAliveIntervalMs: 200, keepAliveTimeoutMs: 300 });
    await transport.send(OPTIONS, { transport: 'tcp', address: '127.0.0.1', port: peer.port });
    await sleep(800);
    assert.equal(transport.connectionCount, 0);
    assert.equal(transport.stats().keepAliveFailures, 1);
  });

  test('requests to an aliased peer (RFC 5923) go out on its inbound connection', async () => {
    const transport = await listen({});
    const flows: SipFlow[] = [];
    transport.on('message', (_data, flow) => flows.push(flow));
    const socket = await dial(transport.localPort);
    const received: string[] = [];
    socket.on('data', (chunk) => received.push(chunk.toString('latin1')));
    socket.write(OPTIONS);
    await sleep(100);
    const inbound = flows[0]!;
    assert.equal(transport.mayAlias(inbound.connectionId!, '127.0.0.1'), true);
    assert.equal(transport.mayAlias(inbound.connectionId!, '192.0.2.1'), false, 'not for another host');
    transport.addAlias(inbound.connectionId!, '127.0.0.1', 5999);
    // Nothing listens on 5999: only the inbound connection can carry it.
    await transport.send(OPTIONS, { transport: 'tcp', address: '127.0.0.1', port: 5999 });
    await sleep(100);
    assert.ok(received.join('').startsWith('OPTIONS sip:'), 'arrived on the inbound connection');
    assert.equal(transport.connectionCount, 1);
  });
});
