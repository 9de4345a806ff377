import { startTransition, useEffect, useRef, useState } from 'react';
import type { Store } from './state/Store.js';

/**
 * Re-renders on every store change (at most once per animation frame) and returns the store's version.
 * The re-render is a transition, not a synchronous render (useSyncExternalStore's): React renders it
 * in slices of a few milliseconds between the browser's own tasks and never lets it delay input or a
 * view being opened. The views read the store directly, so a render shows the newest state even when
 * it ran across several frames.
 */
export function useStoreVersion(store: Store): number {
  const [version, setVersion] = useState(store.getVersion);
  useEffect(() => {
    const update = () => startTransition(() => setVersion(store.getVersion()));
    update(); // a change between the first render and this subscription
    return store.subscribe(update);
  }, [store]);
  return version;
}

/**
 * A copy of a list that grows in place, taken at most every `ms` and always once it stops changing
 * (`key` says when it changed). A list scrolling at a thousand messages a second needs no more, and
 * each copy costs the browser a style and layout pass over the rows it replaces.
 */
export function useThrottledSnapshot<T>(list: readonly T[], key: string, ms: number): readonly T[] {
  const [snapshot, setSnapshot] = useState<readonly T[]>(() => list.slice());
  const taken = useRef({ at: 0, key, list });
  useEffect(() => {
    if (taken.current.key === key && taken.current.list === list) return;
    const take = () => {
      taken.current = { at: performance.now(), key, list };
      const copy = list.slice();
      startTransition(() => setSnapshot(copy));
    };
    const wait = taken.current.at + ms - performance.now();
    if (wait <= 0) return take();
    const timer = setTimeout(take, wait);
    return () => clearTimeout(timer);
  });
  return snapshot;
}

/** The current time, refreshed every `intervalMs`: for durations that tick. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export type Route =
  | { readonly view: 'calls' }
  | { readonly view: 'call'; readonly callId: string }
  | { readonly view: 'messages'; readonly callId: string | null }
  | { readonly view: 'configurations'; readonly name: string | null }
  | { readonly view: 'users' }
  | { readonly view: 'tokens' }
  | { readonly view: 'audit' };

/** Hash routes (`#/calls/<id>`), so any static server, or the gateway, serves the app unchanged. */
export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  if (parts[0] === 'calls' && parts[1]) return { view: 'call', callId: parts[1] };
  if (parts[0] === 'messages') return { view: 'messages', callId: params.get('call') };
  if (parts[0] === 'configurations') return { view: 'configurations', name: parts[1] ?? null };
  if (parts[0] === 'admin' && (parts[1] === 'users' || parts[1] === 'tokens' || parts[1] === 'audit'))
    return { view: parts[1] };
  return { view: 'calls' };
}

export const hrefFor = {
  calls: () => '#/',
  call: (callId: string) => `#/calls/${encodeURIComponent(callId)}`,
  messages: (callId?: string | null) =>
    callId ? `#/messages?call=${encodeURIComponent(callId)}` : '#/messages',
  configurations: (name?: string | null) =>
    name ? `#/configurations/${encodeURIComponent(name)}` : '#/configurations',
  users: () => '#/admin/users',
  tokens: () => '#/admin/tokens',
  audit: () => '#/admin/audit',
};

/**
 * The route in the page's hash. Moving to another view is a transition: the new view is rendered in
 * slices while the old one stays up, so opening a busy call's view never blocks the page at once.
 */
export function useRoute(): Route {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const follow = () => startTransition(() => setHash(window.location.hash));
    follow();
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return parseRoute(hash);
}

export type Theme = 'light' | 'dark' | 'system';
const THEME_KEY = 'callsight.theme';

export function storedTheme(): Theme {
  const value = localStorage.getItem(THEME_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function applyTheme(theme: Theme): void {
  if (theme === 'system') {
    document.documentElement.removeAttribute('data-theme');
    localStorage.removeItem(THEME_KEY);
  } else {
    document.documentElement.setAttribute('data-theme', theme);
    localStorage.setItem(THEME_KEY, theme);
  }
}
