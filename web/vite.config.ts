import { fileURLToPath } from 'node:url';
import { constants } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';

const root = fileURLToPath(new URL('.', import.meta.url));
/** Where `npm run web:dev` forwards the API and the WebSocket: a Callsight started with `npm run launch`. */
const backend = process.env.CALLSIGHT_DEV_BACKEND ?? 'http://127.0.0.1:8080';

/**
 * The built page's Content Security Policy: scripts only from the page's own origin (the build has no
 * inline script), connections only back to it (API, WebSocket). Build only: the dev server's hot
 * reload injects an inline script. Styles allow inline attributes (React and the editor set them).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "media-src 'self' https: http:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'callsight-csp',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP },
        injectTo: 'head-prepend',
      },
    ],
  };
}

/**
 * A brotli and a gzip copy beside each text file, for the gateway to send to clients that accept them
 * (src/gateway/StaticFiles.ts). Brotli quality 10, not the plugin's 11: within 2 % of its size for a
 * third of its time (measured on this build's JS and CSS: 230 kB against 226 kB, 1.3 s against 3.2 s of CPU), and every
 * test run builds.
 */
function precompress(): Plugin {
  return compression({
    algorithms: [
      defineAlgorithm('brotliCompress', { params: { [constants.BROTLI_PARAM_QUALITY]: 10 } }),
      'gzip',
    ],
  });
}

// The web app is built into web/dist, which the gateway serves at `/` (src/app/App.ts).
export default defineConfig({
  root,
  base: './',
  plugins: [react(), contentSecurityPolicy(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // Everything bundled, nothing fetched from a CDN; the entry stays small, heavy views load on demand.
    chunkSizeWarningLimit: 800,
    // The compression runs inside Vite's generateBundle (the plugin wraps it), so Rolldown's timing
    // check would blame vite:build-import-analysis for the brotli time on every build.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    proxy: {
      '/api': backend,
      '/healthz': backend,
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
});
