import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { CallsightError } from '../platform/errors.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Resolves a URL path to a file inside root, or null when it would escape root, is malformed or is
 * not a regular file. A directory means its index.html.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = path.resolve(root);
  let file = path.resolve(base, `.${path.posix.normalize(`/${decoded}`)}`);
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  try {
    if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    return fs.statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

/**
 * Cache policy: Vite names every file under `assets/` after a hash of its content, so those never
 * change and may be kept for a year; anything else (index.html first) is revalidated every time, so a
 * new build is picked up at the next load.
 */
function cacheControl(root: string, file: string): string {
  const relative = path.relative(path.resolve(root), file).split(path.sep);
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

/** Serves the web app's files from root for any GET not matched by a more specific route. */
export function registerStaticFiles(app: FastifyInstance, root: string): void {
  app.get('/*', async (request, reply) => {
    const file = resolveStaticPath(root, request.url);
    if (file === null) {
      const page = request.url.split('?')[0];
      if ((page === '/' || page === '/index.html') && resolveStaticPath(root, '/index.html') === null)
        return reply
          .code(503)
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(notBuiltPage(root));
      throw new CallsightError('CS_ERR_NOT_FOUND', `no file at ${page}`);
    }
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return reply
      .type(type)
      .header('cache-control', cacheControl(root, file))
      .header('x-content-type-options', 'nosniff')
      .send(fs.createReadStream(file));
  });
}
