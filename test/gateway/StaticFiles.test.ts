import { after, before, describe, test } from 'node:test';
import { AccessControl } from '../../src/access/AccessControl.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { HttpServer } from '../../src/gateway/HttpServer.js';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';
import { rawRequest, tempDir } from './wsHarness.js';

const tmp = tempDir('callsight-static-');
const built = path.join(tmp.dir, 'built');
const empty = path.join(tmp.dir, 'not <built> & "empty"');
let stream: SqliteDataStream;
const servers: HttpServer[] = [];
const INDEX = '<!doctype html><title>Callsight</title>';
const SCRIPT = 'console.log("the entry chunk of the web app");\n'.repeat(20);

async function serve(webRoot: string): Promise<string> {
  return `http://127.0.0.1:${(await start(webRoot)).port}`;
}

async function start(webRoot: string): Promise<HttpServer> {
  const server = await HttpServer.start({ access: AccessControl.none(), stream, webRoot });
  servers.push(server);
  return server;
}

before(() => {
  fs.mkdirSync(path.join(built, 'assets'), { recursive: true });
  fs.mkdirSync(empty, { recursive: true });
  fs.writeFileSync(path.join(built, 'index.html'), INDEX);
  fs.writeFileSync(path.join(built, 'assets', 'index-DXAYdBma.js'), SCRIPT);
  // What the build writes beside each text file (web/vite.config.ts); index.html has a brotli copy only.
  const script = path.join(built, 'assets', 'index-DXAYdBma.js');
  fs.writeFileSync(`${script}.br`, zlib.brotliCompressSync(SCRIPT));
  fs.writeFileSync(`${script}.gz`, zlib.gzipSync(SCRIPT));
  fs.writeFileSync(path.join(built, 'index.html.br'), zlib.brotliCompressSync(INDEX));
  fs.writeFileSync(path.join(built, 'favicon.svg'), '<svg/>');
  fs.writeFileSync(path.join(built, '.env'), 'SECRET=1');
  stream = SqliteDataStream.open({ path: path.join(tmp.dir, 'stream.db') });
});

after(async () => {
  for (const server of servers) await server.close();
  await stream.close();
  tmp.cleanup();
});

describe('static files of the web app', () => {
  test('hashed assets are cached for a year; index.html and other files are revalidated', async () => {
    const base = await serve(built);
    const asset = await fetch(`${base}/assets/index-DXAYdBma.js`);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(asset.headers.get('x-content-type-options'), 'nosniff');
    assert.equal((await fetch(`${base}/`)).headers.get('cache-control'), 'no-cache');
    assert.equal((await fetch(`${base}/favicon.svg`)).headers.get('cache-control'), 'no-cache');
  });

  test('a web root without index.html answers / with a page saying how to build it', async () => {
    const base = await serve(empty);
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 503);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    assert.match(html, /npm run build/);
    assert.match(html, /CALLSIGHT_WEB_ROOT/);
    assert.ok(html.includes('not &#60;built&#62; &#38; &#34;empty&#34;'), 'the folder name is escaped');
    assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404);
  });

  test('a client that has the file is told it has not changed (ETag, 304, no body)', async () => {
    const server = await start(built);
    for (const file of ['/', '/assets/index-DXAYdBma.js']) {
      const first = await rawRequest(server.port, file);
      assert.equal(first.status, 200, file);
      const etag = first.headers.etag;
      assert.ok(etag, `${file} has an ETag`);
      assert.ok(first.headers['last-modified'], `${file} has a Last-Modified`);
      const again = await rawRequest(server.port, file, { 'if-none-match': etag });
      assert.equal(again.status, 304, file);
      assert.equal(again.body.length, 0, file);
      assert.equal(again.headers['cache-control'], first.headers['cache-control'], file);
      const stale = await rawRequest(server.port, file, { 'if-none-match': 'W/"stale"' });
      assert.equal(stale.status, 200, file);
    }
  });

  test('the precompressed copy the client accepts is sent, with the headers of the file itself', async () => {
    const server = await start(built);
    const asset = '/assets/index-DXAYdBma.js';
    const br = await rawRequest(server.port, asset, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(zlib.brotliDecompressSync(br.body).toString(), SCRIPT);
    assert.match(br.headers['content-type'] ?? '', /javascript/);
    assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(br.headers.vary, 'accept-encoding');

    const gz = await rawRequest(server.port, asset, { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(gz.body).toString(), SCRIPT);
    assert.notEqual(gz.headers.etag, br.headers.etag, 'each encoding has its own ETag');

    const plain = await rawRequest(server.port, asset);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), SCRIPT);

    // index.html has no gzip copy: a gzip-only client gets the file itself.
    const page = await rawRequest(server.port, '/', { 'accept-encoding': 'br' });
    assert.equal(page.headers['content-encoding'], 'br');
    assert.equal(zlib.brotliDecompressSync(page.body).toString(), INDEX);
    assert.equal(page.headers['cache-control'], 'no-cache');
    const gzipOnly = await rawRequest(server.port, '/', { 'accept-encoding': 'gzip' });
    assert.equal(gzipOnly.headers['content-encoding'], undefined);
    assert.equal(gzipOnly.body.toString(), INDEX);
  });

  test('dot files are not served; the app routes by URL hash, so other paths are 404s', async () => {
    const server = await start(built);
    const env = await rawRequest(server.port, '/.env');
    assert.equal(env.status, 404);
    assert.ok(!env.body.toString().includes('SECRET'));
    assert.equal((await rawRequest(server.port, '/calls/some-call')).status, 404);
    const head = await rawRequest(server.port, '/', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });
});
