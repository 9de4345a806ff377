import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import WebSocket from 'ws';
import { AccessControl } from '../../src/access/AccessControl.js';
import { HttpServer } from '../../src/gateway/HttpServer.js';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';
import { TestCa } from '../helpers/testCa.js';

const ca = TestCa.create();
after(() => ca.cleanup());

function get(port: number, path: string): Promise<{ status: number; hsts: string | undefined; cn: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, servername: 'localhost', ca: readFileSync(ca.caFile), agent: false },
      (res) => {
        res.resume();
        const peer = (
          res.socket as unknown as { getPeerCertificate(): PeerCertificate }
        ).getPeerCertificate();
        resolve({
          status: res.statusCode ?? 0,
          hsts: res.headers['strict-transport-security'],
          cn: String(peer.subject.CN),
        });
      },
    );
    req.once('error', reject);
    req.end();
  });
}

test('HTTPS and WSS with the configured files, HSTS on, and a renewed certificate served without a restart', async () => {
  const first = ca.issue('first', { cn: 'first.localhost', dns: ['localhost'], ips: ['127.0.0.1'] });
  const live = { certFile: join(ca.dir, 'live.crt'), keyFile: join(ca.dir, 'live.key') };
  copyFileSync(first.certFile, live.certFile);
  copyFileSync(first.keyFile, live.keyFile);
  const stream = SqliteDataStream.open({ path: join(ca.dir, 'stream.db') });
  const server = await HttpServer.start({
    access: AccessControl.none(),
    stream,
    tls: { ...live, reloadIntervalMs: 50 },
  });
  try {
    server.setReady(true);
    const answer = await get(server.port, '/healthz');
    assert.equal(answer.status, 200);
    assert.equal(answer.cn, 'first.localhost');
    assert.match(answer.hsts ?? '', /^max-age=\d+/);
    const ws = new WebSocket(`wss://127.0.0.1:${server.port}/ws`, { ca: readFileSync(ca.caFile) });
    await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.close();

    const renewed = ca.issue('renewed', { cn: 'renewed.localhost', dns: ['localhost'], ips: ['127.0.0.1'] });
    copyFileSync(renewed.keyFile, live.keyFile);
    copyFileSync(renewed.certFile, live.certFile);
    const deadline = Date.now() + 10_000;
    let cn = '';
    while (cn !== 'renewed.localhost' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      cn = (await get(server.port, '/healthz')).cn;
    }
    assert.equal(cn, 'renewed.localhost', 'new connections get the renewed certificate');
  } finally {
    await server.close();
    await stream.close();
  }
});
