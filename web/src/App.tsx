import { Suspense, lazy, useEffect, useState } from 'react';
import { applyTheme, hrefFor, storedTheme, useRoute, useStoreVersion, type Theme } from './hooks.js';
import type { StreamClient } from '../../client/src/StreamClient.js';
import type { Store } from './state/Store.js';
import { CallView } from './views/CallView.js';
import { ConnectionIndicator } from './views/ConnectionIndicator.js';
import { LiveCalls } from './views/LiveCalls.js';
import { Messages } from './views/Messages.js';

// The editor (CodeMirror) is only needed by whoever edits configurations.
const Configurations = lazy(() => import('./views/Configurations.js'));

export function App({ store, client }: { store: Store; client: StreamClient }) {
  useStoreVersion(store);
  const route = useRoute();
  const current = route.view === 'call' ? 'calls' : route.view;
  const tabs = [
    { view: 'calls', label: 'Live calls', href: hrefFor.calls() },
    { view: 'messages', label: 'Messages', href: hrefFor.messages() },
    { view: 'configurations', label: 'Configurations', href: hrefFor.configurations() },
  ] as const;
  useEffect(() => {
    const name = route.view === 'call' ? 'Call' : tabs.find((t) => t.view === current)?.label;
    document.title = `${name ?? 'Callsight'} · Callsight`;
  });
  return (
    <div className="app">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={hrefFor.calls()}>
          Callsight
        </a>
        <nav className="tabs" aria-label="Views">
          {tabs.map((tab) => (
            <a key={tab.view} href={tab.href} aria-current={current === tab.view ? 'page' : undefined}>
              {tab.label}
            </a>
          ))}
        </nav>
        <span className="spacer" />
        <ConnectionIndicator
          status={store.status}
          lastSeq={store.lastSeq}
          received={store.log.received}
          onReconnect={() => client.reconnectNow()}
        />
        <ThemeToggle />
      </header>
      <main id="main" tabIndex={-1}>
        {route.view === 'calls' && <LiveCalls store={store} />}
        {route.view === 'call' && <CallView store={store} callId={route.callId} />}
        {route.view === 'messages' && <Messages store={store} callId={route.callId} />}
        {route.view === 'configurations' && (
          <Suspense fallback={<p className="page muted">Loading the editor…</p>}>
            <Configurations name={route.name} />
          </Suspense>
        )}
      </main>
    </div>
  );
}

const NEXT_THEME: Record<Theme, Theme> = { system: 'dark', dark: 'light', light: 'system' };

function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(storedTheme);
  useEffect(() => applyTheme(theme), [theme]);
  return (
    <button
      type="button"
      onClick={() => setTheme(NEXT_THEME[theme])}
      aria-label={`Theme: ${theme}. Switch to ${NEXT_THEME[theme]}`}
      title="Theme: system, dark or light"
    >
      {theme === 'dark' ? '☾ Dark' : theme === 'light' ? '☀ Light' : '◐ System'}
    </button>
  );
}
