import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { StreamClient } from './state/StreamClient.js';
import { Store } from './state/Store.js';
import './styles.css';

/** Applies incoming frames before the next paint; the timeout covers hidden tabs, where rAF sleeps. */
function beforeNextPaint(flush: () => void): void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    flush();
  };
  requestAnimationFrame(run);
  setTimeout(run, 250);
}

const params = new URLSearchParams(window.location.search);
const cap = Number(params.get('messageCap'));
const store = new Store({ schedule: beforeNextPaint, ...(cap > 0 ? { messageCap: cap } : {}) });
const wsBase = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/ws`;
const client = new StreamClient({
  url: (from) => `${wsBase}?from=${encodeURIComponent(from)}`,
  open: (url) => new WebSocket(url),
  onFrames: store.receive,
  onStatus: store.setStatus,
  // Replays what the stream retains (?from=0), then stays live; reconnects resume after the last one.
  from: params.get('from') ?? '0',
});
client.start();

// For tests and debugging from the console: what the page holds, without reaching into React.
Object.assign(window, { callsight: { store, client } });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App store={store} client={client} />
  </StrictMode>,
);
