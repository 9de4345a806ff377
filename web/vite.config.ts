import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
/** Where `npm run web:dev` forwards the API and the WebSocket: a Callsight started with `npm run launch`. */
const backend = process.env.CALLSIGHT_DEV_BACKEND ?? 'http://127.0.0.1:8080';

// The web app is built into web/dist, which the gateway serves at `/` (src/app/App.ts).
export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // Everything bundled, nothing fetched from a CDN; the entry stays small, heavy views load on demand.
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/api': backend,
      '/healthz': backend,
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
});
