import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { whoAmI, type Me } from './auth.js';
import { StreamClient } from '../../client/src/StreamClient.js';
import { Store } from './state/Store.js';
import { preloadCallView } from './views/CallView.js';
import { SignIn } from './views/SignIn.js';
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

/**
 * Where the page starts reading: `?from=N` in its URL, else the newest `?history=` records (default
 * 50,000) the stream holds. A stream can retain millions of records; replaying them all would keep a
 * fresh page busy for minutes, and the message list keeps only the newest 10,000 anyway. Calls that
 * began earlier still show: every pipeline record repeats the call's numbers in its metadata.
 */
async function startingPoint(params: URLSearchParams): Promise<string> {
  const from = params.get('from');
  if (from !== null && /^\d+$/.test(from)) return from;
  const history = Number(params.get('history') ?? 50_000);
  try {
    const response = await fetch('/api/stream');
    const { lastSequenceNumber } = (await response.json()) as { lastSequenceNumber?: string };
    if (!response.ok || !lastSequenceNumber || !/^\d+$/.test(lastSequenceNumber)) return '0';
    const start =
      BigInt(lastSequenceNumber) - BigInt(Number.isInteger(history) && history >= 0 ? history : 50_000);
    return start > 0n ? start.toString() : '0';
  } catch {
    return '0';
  }
}

/** Signed in (or no authentication): the app, over the WebSocket, which the session cookie authenticates. */
async function startApp(me: Me): Promise<void> {
  const params = new URLSearchParams(window.location.search);
  const cap = Number(params.get('messageCap'));
  const store = new Store({ schedule: beforeNextPaint, ...(cap > 0 ? { messageCap: cap } : {}) });
  const wsBase = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/ws`;
  const client = new StreamClient({
    url: (from) => `${wsBase}?from=${encodeURIComponent(from)}`,
    open: (url) => new WebSocket(url),
    onFrames: store.receive,
    onStatus: store.setStatus,
    // Replays from the starting point, then stays live; reconnects resume after the last record received.
    from: await startingPoint(params),
  });
  client.start();

  // For tests and debugging from the console: what the page holds, without reaching into React.
  Object.assign(window, { callsight: { store, client } });

  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App store={store} client={client} me={me} />
    </StrictMode>,
  );
  preloadCallView();
}

const me = await whoAmI().catch((): Me => ({ mode: 'local', user: null }));
if (me.mode === 'local' && me.user === null)
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <SignIn password={me.signIn?.password ?? true} sso={me.signIn?.sso ?? false} />
    </StrictMode>,
  );
else await startApp(me);
