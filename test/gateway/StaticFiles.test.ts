import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { HttpServer } from '../../src/gateway/HttpServer.js';
import { SqliteDataStream } from '../../src/stream/SqliteDataStream.js';
import { tempDir } from './wsHarness.js';

const tmp = tempDir('callsight-static-');
const built = path.join(tmp.dir, 'built');
const empty = path.join(tmp.dir, 'not <built> & "empty"');
let stream: SqliteDataStream;
const servers: HttpServer[] = [];

async function serve(webRoot: string): Promise<string> {
  const server = await HttpServer.start({ stream, webRoot });
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}

before(() => {
  fs.mkdirSync(path.join(built, 'assets'), { recursive: true });
  fs.mkdirSync(empty, { recursive: true });
  fs.writeFileSync(path.join(built, 'index.html'), '<!doctype html><title>Callsight</title>');
  fs.writeFileSync(path.join(built, 'assets', 'index-DXAYdBma.js'), 'console.log(1);');
  fs.writeFileSync(path.join(built, 'favicon.svg'), '<svg/>');
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
});
