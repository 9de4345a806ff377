/** Who the page is signed in as (GET /api/auth/me), signing in and out (docs/security.md). */

export interface Me {
  /** `none`: the server runs without authentication (auth.mode none). */
  readonly mode: 'local' | 'none';
  /** How this server lets people sign in: a password, single sign-on (OpenID Connect), or both. */
  readonly signIn?: { readonly password: boolean; readonly sso: boolean };
  readonly user: { readonly name: string; readonly role: string; readonly kind: string } | null;
}

export async function whoAmI(): Promise<Me> {
  const response = await fetch('/api/auth/me');
  if (!response.ok) throw new Error(`GET /api/auth/me: HTTP ${response.status}`);
  return (await response.json()) as Me;
}

/** Resolves with null when signed in (the session cookie is set), else with what went wrong. */
export async function signIn(username: string, password: string): Promise<string | null> {
  const response = await fetch('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.ok) return null;
  const body = (await response.json().catch(() => ({}))) as { message?: string };
  if (response.status === 429)
    return `Too many failed attempts: try again in ${response.headers.get('retry-after') ?? 'a few'} s.`;
  return body.message ?? `HTTP ${response.status}`;
}

export async function signOut(): Promise<void> {
  await fetch('/api/auth/logout', { method: 'POST' });
}

/** Where the "Sign in with SSO" button goes: the server redirects to the OpenID provider. */
export const SSO_START = '/api/auth/oidc/start';
