import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mapClaims, OidcSignIn, parseRoleMap, type OidcSettings } from '../../../src/access/Oidc.js';
import { startOidcProvider, type TestOidcProvider } from '../../helpers/oidcProvider.js';
import { cookie, startAuthGateway, type AuthGateway } from './gatewayWithAuth.js';

const ROLE_MAP = 'cs-admins=admin,cs-supervisors=supervisor,staff=viewer,cs-agents=agent';

const ACCOUNTS = {
  'sub-ada': { preferred_username: 'ada', groups: ['staff', 'cs-admins'] },
  'sub-sam': { preferred_username: 'sam', groups: ['cs-supervisors'] },
  'sub-ana': { preferred_username: 'ana', groups: ['cs-agents'], callsight_agent: ['^\\+15550001$'] },
  'sub-bob': { preferred_username: 'bob', groups: ['marketing'] },
  // A provider's user named like Callsight's first admin must not become it.
  'sub-admin': { preferred_username: 'admin', groups: ['staff'] },
};

/** Cookies per origin, as a browser keeps them (names and values only: enough here). */
class Jar {
  readonly #cookies = new Map<string, Map<string, string>>();
  header(url: string): string {
    return [...(this.#cookies.get(new URL(url).origin) ?? new Map<string, string>())]
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
  }
  take(url: string, response: Response): void {
    const jar = this.#cookies.get(new URL(url).origin) ?? new Map<string, string>();
    this.#cookies.set(new URL(url).origin, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      if (value === '' || /max-age=0\b/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
  }
  get(url: string, name: string): string | undefined {
    return this.#cookies.get(new URL(url).origin)?.get(name);
  }
  set(url: string, name: string, value: string): void {
    this.#cookies.get(new URL(url).origin)!.set(name, value);
  }
}

interface Flow {
  /** Callsight's answer at the callback. */
  readonly callback: Response;
  readonly body: string;
  readonly jar: Jar;
}

/**
 * A browser's way through the code flow, by hand: Callsight's start, the provider's authorization
 * endpoint and login page (the account's name, any password), back to Callsight's callback.
 * `tamper` may change the callback URL or the cookies just before the return.
 */
async function signInWithSso(
  base: string,
  account: string,
  tamper: (callbackUrl: URL, jar: Jar) => void = () => {},
): Promise<Flow> {
  const jar = new Jar();
  const go = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: jar.header(url) },
    });
    jar.take(url, response);
    return response;
  };
  let url = `${base}/api/auth/oidc/start`;
  for (let hops = 0; hops < 12; hops++) {
    if (url.startsWith(`${base}/api/auth/oidc/callback`)) {
      const callbackUrl = new URL(url);
      tamper(callbackUrl, jar);
      const callback = await go(callbackUrl.href);
      return { callback, body: await callback.text(), jar };
    }
    const response = await go(url);
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location')!, url).href;
      continue;
    }
    const page = await response.text();
    assert.equal(response.status, 200, page);
    // The provider's login page: its form posts the account's name and a password.
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    assert.ok(action, page);
    const posted = await go(new URL(action.replace(/&amp;/g, '&'), url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login: account, password: 'anything' }).toString(),
    });
    assert.ok(posted.status >= 300 && posted.status < 400, `login form: ${posted.status}`);
    url = new URL(posted.headers.get('location')!, url).href;
  }
  throw new Error('too many redirects');
}

async function me(base: string, session: string | undefined) {
  const response = await fetch(`${base}/api/auth/me`, { headers: cookie(session ?? '') });
  return (await response.json()) as {
    signIn: { password: boolean; sso: boolean };
    user: { name: string; role: string; agentPatterns: string[]; kind: string } | null;
  };
}

describe('single sign-on with OpenID Connect against a real provider (oidc-provider)', () => {
  let provider: TestOidcProvider;
  let gateway: AuthGateway;
  let settings: OidcSettings;

  before(async () => {
    provider = await startOidcProvider(ACCOUNTS);
    settings = provider.settings(ROLE_MAP);
    gateway = await startAuthGateway({ oidc: new OidcSignIn(settings) });
    provider.start(`${gateway.base}/api/auth/oidc/callback`);
  });

  after(async () => {
    await gateway?.close();
    await provider?.close();
  });

  /** The audit records of sign-ins, oldest first. */
  async function signInAudits() {
    const records = await gateway.stream.read('0', 10_000);
    return records
      .filter((r) => r.type === 'Callsight Audit')
      .map((r) => (JSON.parse(r.json) as { detail: Record<string, unknown> }).detail)
      .filter((d) => d.action === 'auth.login');
  }

  test('the page learns that single sign-on is on', async () => {
    assert.deepEqual((await me(gateway.base, undefined)).signIn, { password: true, sso: true });
  });

  test('start redirects to the provider with state, nonce and an S256 PKCE challenge', async () => {
    const response = await fetch(`${gateway.base}/api/auth/oidc/start`, { redirect: 'manual' });
    assert.equal(response.status, 303);
    const location = new URL(response.headers.get('location')!);
    assert.equal(location.origin, provider.issuer);
    for (const param of ['state', 'nonce', 'code_challenge'])
      assert.ok((location.searchParams.get(param) ?? '').length >= 32, param);
    assert.equal(location.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(location.searchParams.get('redirect_uri'), `${gateway.base}/api/auth/oidc/callback`);
    const pending = response.headers.getSetCookie().find((c) => c.startsWith('callsight_oidc='));
    assert.match(pending ?? '', /HttpOnly; SameSite=Lax; Max-Age=600/);
  });

  test('the full code flow signs an admin in with the same session cookie as a password', async () => {
    const before = (await signInAudits()).length;
    const { callback, jar } = await signInWithSso(gateway.base, 'sub-ada');
    assert.equal(callback.status, 303);
    assert.equal(callback.headers.get('location'), '/');
    assert.equal(jar.get(gateway.base, 'callsight_oidc'), undefined, 'the pending cookie is cleared');
    const session = jar.get(gateway.base, 'callsight_session');
    assert.match(
      callback.headers.getSetCookie().find((c) => c.startsWith('callsight_session=')) ?? '',
      /HttpOnly; SameSite=Strict/,
    );
    const who = await me(gateway.base, session);
    assert.deepEqual(who.user, { name: 'ada', kind: 'user', role: 'admin', agentPatterns: [] });
    // The session opens what an admin may open.
    const users = await fetch(`${gateway.base}/api/users`, { headers: cookie(session!) });
    assert.equal(users.status, 200);
    const ada = ((await users.json()) as { users: { username: string; external: boolean }[] }).users.find(
      (u) => u.username === 'ada',
    );
    assert.equal(ada?.external, true);
    const audits = (await signInAudits()).slice(before);
    assert.equal(audits.length, 1);
    assert.deepEqual(
      { ...audits[0], remoteAddress: undefined },
      {
        version: '0',
        actor: 'ada',
        actorKind: 'user',
        action: 'auth.login',
        target: { via: 'oidc' },
        outcome: 'success',
        status: 303,
        remoteAddress: undefined,
      },
    );
  });

  test('an external user has no password to sign in with or to reset', async () => {
    const login = await fetch(`${gateway.base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ada', password: 'a-long-guessed-password' }),
    });
    assert.equal(login.status, 401);
    await assert.rejects(gateway.access.setPassword('ada', 'a-long-new-password'), /single sign-on/);
  });

  test('a supervisor, and an agent bound to the identities of its claim', async () => {
    const sam = await signInWithSso(gateway.base, 'sub-sam');
    assert.equal(
      (await me(gateway.base, sam.jar.get(gateway.base, 'callsight_session'))).user?.role,
      'supervisor',
    );
    const ana = await signInWithSso(gateway.base, 'sub-ana');
    const user = (await me(gateway.base, ana.jar.get(gateway.base, 'callsight_session'))).user;
    assert.equal(user?.role, 'agent');
    assert.deepEqual(user?.agentPatterns, ['^\\+15550001$']);
  });

  test('a provider user named like a local user gets a name of their own, not the local account', async () => {
    const flow = await signInWithSso(gateway.base, 'sub-admin');
    const user = (await me(gateway.base, flow.jar.get(gateway.base, 'callsight_session'))).user;
    assert.equal(user?.role, 'viewer');
    assert.match(user?.name ?? '', /^admin-[0-9a-f]{8}$/);
    // Signing in again finds the same user.
    const again = await signInWithSso(gateway.base, 'sub-admin');
    assert.equal(
      (await me(gateway.base, again.jar.get(gateway.base, 'callsight_session'))).user?.name,
      user?.name,
    );
  });

  test('claims that map to no role are refused with a page saying why, and audited', async () => {
    const before = (await signInAudits()).length;
    const { callback, body, jar } = await signInWithSso(gateway.base, 'sub-bob');
    assert.equal(callback.status, 403);
    assert.match(callback.headers.get('content-type') ?? '', /text\/html/);
    assert.match(body, /no Callsight role/);
    assert.equal(jar.get(gateway.base, 'callsight_session'), undefined);
    const audits = (await signInAudits()).slice(before);
    assert.deepEqual(
      audits.map((a) => [a.actor, a.outcome, a.status]),
      [['bob', 'failure', 403]],
    );
    assert.equal(
      (await gateway.access.listUsers()).some((u) => u.username === 'bob'),
      false,
    );
  });

  test('a state that is not the one sent is refused', async () => {
    const { callback, body } = await signInWithSso(gateway.base, 'sub-ada', (url) =>
      url.searchParams.set('state', randomBytes(32).toString('base64url')),
    );
    assert.equal(callback.status, 401);
    assert.match(body, /state/i);
  });

  test('a nonce that is not the one sent is refused', async () => {
    const { callback, body } = await signInWithSso(gateway.base, 'sub-ada', (_url, jar) =>
      changePending(jar, { nonce: randomBytes(32).toString('base64url') }),
    );
    assert.equal(callback.status, 401);
    assert.match(body, /nonce/i);
  });

  test('a PKCE verifier that does not match the challenge is refused by the provider', async () => {
    const { callback, body } = await signInWithSso(gateway.base, 'sub-ada', (_url, jar) =>
      changePending(jar, { codeVerifier: randomBytes(32).toString('base64url') }),
    );
    assert.equal(callback.status, 401);
    assert.match(body, /invalid_grant|PKCE|verif/i);
  });

  test('a callback without the pending cookie (a sign-in started elsewhere) is refused', async () => {
    const { callback, body } = await signInWithSso(gateway.base, 'sub-ada', (_url, jar) =>
      jar.set(gateway.base, 'callsight_oidc', ''),
    );
    assert.equal(callback.status, 401);
    assert.match(body, /start it again/);
    const failures = (await signInAudits()).filter((a) => a.outcome === 'failure' && a.status === 401);
    assert.ok(failures.length >= 4, `failed sign-ins audited: ${failures.length}`);
  });

  function changePending(jar: Jar, change: Record<string, string>) {
    const value = jar.get(gateway.base, 'callsight_oidc')!;
    const pending = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Record<string, string>;
    jar.set(
      gateway.base,
      'callsight_oidc',
      Buffer.from(JSON.stringify({ ...pending, ...change })).toString('base64url'),
    );
  }
});

describe('mapping claims to a role', () => {
  const settings: OidcSettings = {
    issuer: 'https://id.example.com',
    clientId: 'x',
    clientSecret: '',
    redirectUrl: '',
    scopes: 'openid',
    usernameClaim: 'preferred_username',
    roleClaim: 'realm_access.roles',
    roleMap: parseRoleMap('ops=supervisor, all=viewer ,boss=admin'),
    agentClaim: 'callsight_agent',
  };

  test('the highest mapped role wins; a dotted path reaches into objects', () => {
    const mapped = mapClaims(
      { sub: 's', preferred_username: 'x y', realm_access: { roles: ['all', 'ops'] } },
      settings,
    );
    assert.deepEqual(mapped, { ok: true, username: 'x-y', role: 'supervisor', agentPatterns: [] });
  });

  test('an agent without identities is refused', () => {
    const mapped = mapClaims(
      { sub: 's', realm_access: { roles: ['a'] } },
      { ...settings, roleMap: parseRoleMap('a=agent') },
    );
    assert.equal(mapped.ok, false);
    assert.equal(mapped.username, 's');
  });

  test('a bad role map is refused with the pair named', () => {
    assert.throws(() => parseRoleMap('ops=root'), /"ops=root"/);
    assert.throws(() => parseRoleMap('=admin'), /not claim-value=role/);
  });
});
