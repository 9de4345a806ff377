import { Suspense, lazy, useEffect, useState } from 'react';
import { signOut, type Me } from './auth.js';
import { applyTheme, hrefFor, storedTheme, useRoute, useStoreVersion, type Theme } from './hooks.js';
import { permissionsOf, type Capability } from './permissions.js';
import type { StreamClient } from '../../client/src/StreamClient.js';
import type { Store } from './state/Store.js';
import { CallView } from './views/CallView.js';
import { ConnectionIndicator } from './views/ConnectionIndicator.js';
import { LiveCalls } from './views/LiveCalls.js';
import { Messages } from './views/Messages.js';

// The editor (CodeMirror) is only needed by whoever edits configurations.
const Configurations = lazy(() => import('./views/Configurations.js'));
// Only admins open these.
const Admin = lazy(() => import('./views/Admin.js'));

export function App({ store, client, me }: { store: Store; client: StreamClient; me: Me }) {
  useStoreVersion(store);
  const route = useRoute();
  const current = route.view === 'call' ? 'calls' : route.view;
  // The views hide what the role may not use; the server refuses it anyway (RouteTable.ts).
  const can = permissionsOf(me.user?.role ?? null);
  const tabs: readonly { view: string; label: string; href: string; needs?: Capability }[] = [
    { view: 'calls', label: 'Live calls', href: hrefFor.calls() },
    { view: 'messages', label: 'Messages', href: hrefFor.messages() },
    // An agent may read only their own calls' records: the configuration API would refuse them.
    { view: 'configurations', label: 'Configurations', href: hrefFor.configurations(), needs: 'read' },
    { view: 'users', label: 'Users', href: hrefFor.users(), needs: 'administer' },
    { view: 'tokens', label: 'Tokens', href: hrefFor.tokens(), needs: 'administer' },
    { view: 'audit', label: 'Audit trail', href: hrefFor.audit(), needs: 'administer' },
  ];
  const shown = tabs.filter((tab) => !tab.needs || can(tab.needs));
  const adminPage =
    (route.view === 'users' || route.view === 'tokens' || route.view === 'audit') && can('administer')
      ? route.view
      : null;
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
          {shown.map((tab) => (
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
        {me.user && me.mode === 'local' && (
          <span className="user" data-testid="user">
            {me.user.name} <span className="muted">({me.user.role})</span>{' '}
            <button type="button" onClick={() => void signOut().then(() => window.location.reload())}>
              Sign out
            </button>
          </span>
        )}
      </header>
      {me.mode === 'none' && (
        <p className="auth-off" role="alert">
          Authentication is off (auth.mode none): anyone who can reach this server sees every call and can
          change everything.
        </p>
      )}
      <main id="main" tabIndex={-1}>
        {route.view === 'calls' && <LiveCalls store={store} />}
        {route.view === 'call' && <CallView store={store} callId={route.callId} can={can} />}
        {route.view === 'messages' && <Messages store={store} callId={route.callId} />}
        {route.view === 'configurations' && can('read') && (
          <Suspense fallback={<p className="page muted">Loading the editor…</p>}>
            <Configurations name={route.name} editable={can('configure')} />
          </Suspense>
        )}
        {adminPage && (
          <Suspense fallback={<p className="page muted">Loading…</p>}>
            <Admin page={adminPage} store={store} />
          </Suspense>
        )}
        {!adminPage && (route.view === 'users' || route.view === 'tokens' || route.view === 'audit') && (
          <p className="page muted">This page is for admins.</p>
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
