import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Cache policy: Vite names every file under `assets/` after a hash of its content, so those never
 * change and may be kept for a year; anything else (index.html first) is revalidated every time (its
 * ETag makes that a 304), so a new build is picked up at the next load. `file` may be a precompressed
 * sibling (`.br`, `.gz`): the policy is the original's.
 */
function cacheControl(root: string, file: string): string {
  const relative = path.relative(root, file.replace(/\.(br|gz)$/, '')).split(path.sep);
  const hashed =
    relative.length === 2 && relative[0] === 'assets' && /[.-][\w-]{8,}\.\w+$/.test(relative[1]!);
  return hashed ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/** The page served at `/` when the web root has no index.html: the usual cause is a missing build. */
function notBuiltPage(root: string): string {
  const escaped = root.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Callsight: web app not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The web app is not built</h1>
<p>Callsight is running, but <code>${escaped}</code> has no <code>index.html</code>.</p>
<p>Build it with <code>npm run build</code> (<code>npm run launch</code> does this too), or point
<code>CALLSIGHT_WEB_ROOT</code> (config key <code>webRoot</code>) at a folder that has one.</p>
<p>The API works meanwhile: <a href="/healthz">/healthz</a>, <a href="/api/calls">/api/calls</a>,
<code>ws://&hellip;/ws?from=0</code>.</p>
</body></html>
`;
}

/**
 * Serves the web app's files from root for any GET or HEAD not matched by a more specific route,
 * through @fastify/static: ETag and Last-Modified with 304s, ranges, and the `.br` / `.gz` sibling
 * the build writes beside each asset (web/vite.config.ts) when the client accepts it. Dot files are
 * not served. The app routes by URL hash (`#/calls/…`), so an unknown path is a 404, not index.html.
 */
export function registerStaticFiles(app: FastifyInstance, webRoot: string): void {
  const root = path.resolve(webRoot);
  void app.register(fastifyStatic, {
    root,
    preCompressed: true,
    dotfiles: 'ignore',
    cacheControl: false,
    // A path that climbs out of the root is not there, like any other missing file (send says 403).
    allowedPath: (pathname) => !pathname.split('/').includes('..'),
    setHeaders: (res, file) => {
      res.setHeader('cache-control', cacheControl(root, file));
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('vary', 'accept-encoding');
    },
  });
}

/**
 * For the server's not-found handler: `/` (or `/index.html`) when the web root has no index.html
 * gets a page saying how to build the app (503), rather than a bare 404. False: not that case.
 */
export function answerNotBuilt(webRoot: string, request: FastifyRequest, reply: FastifyReply): boolean {
  const page = request.url.split('?')[0];
  if (page !== '/' && page !== '/index.html') return false;
  if (fs.existsSync(path.join(path.resolve(webRoot), 'index.html'))) return false;
  void reply
    .code(503)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(notBuiltPage(webRoot));
  return true;
}
