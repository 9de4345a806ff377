import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { OidcSignIn } from '../../src/access/Oidc.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidcProvider.js';
import { startAuthGateway, type AuthGateway } from '../gateway/auth/gatewayWithAuth.js';
import { collectPageErrors, launchBrowser, type Browser } from './browser.js';
import { appendRecord, pageTestSkipReason, WEB_DIST } from './gatewayHarness.js';
import { SyntheticCall } from './syntheticCalls.js';

/** Two calls: the agent's own (their number is a party) and someone else's. */
const MINE = new SyntheticCall({ fromNumber: '+12065550100', toNumber: '+15550001' });
const OTHERS = new SyntheticCall({ fromNumber: '+12065550111', toNumber: '+15550002' });

describe(
  '"Sign in with SSO" in a real browser, against a real OpenID provider',
  { skip: pageTestSkipReason() },
  () => {
    let provider: TestOidcProvider;
    let gateway: AuthGateway;
    let browser: Browser;
    let page: Page;
    let errors: string[];

    before(async () => {
      provider = await startOidcProvider({
        'sub-ana': { preferred_username: 'ana', groups: ['cs-agents'], callsight_agent: ['^\\+15550001$'] },
      });
      gateway = await startAuthGateway({
        webRoot: WEB_DIST,
        oidc: new OidcSignIn(provider.settings('cs-admins=admin,cs-agents=agent')),
      });
      provider.start(`${gateway.base}/api/auth/oidc/callback`);
      for (const record of [...MINE.start(), ...OTHERS.start()]) await appendRecord(gateway.stream, record);
      browser = await launchBrowser();
      page = await browser.newPage();
      errors = collectPageErrors(page);
    });

    after(async () => {
      await browser?.close();
      await gateway?.close();
      await provider?.close();
    });

    test('the button leads through the provider’s login page back into the calls view, signed in', async () => {
      await page.goto(`${gateway.base}/`);
      const sso = page.getByRole('link', { name: 'Sign in with SSO' });
      await sso.click();
      // The provider's own page: its login form (any password for a test account).
      await page.waitForURL((url) => url.origin === provider.issuer);
      await page.locator('input[name=login]').fill('sub-ana');
      await page.locator('input[name=password]').fill('whatever-the-provider-checks');
      await page.locator('button[type=submit]').click();
      await page.waitForURL((url) => url.origin === gateway.base);
      await page.getByTestId('user').waitFor();
      assert.match((await page.getByTestId('user').textContent()) ?? '', /ana \(agent\)/);
      await page.getByRole('heading', { name: /Live calls/ }).waitFor();
      // The WebSocket opened with the session cookie, and the agent sees their call only.
      await page.getByTestId('connection').and(page.locator('[data-state=open]')).waitFor();
      await page.locator(`tr[data-call-id="${MINE.callId}"]`).waitFor();
      assert.equal(await page.locator(`tr[data-call-id="${OTHERS.callId}"]`).count(), 0);
      // The provider's development login page asks Google for a font (no network here) and has no favicon.
      const ours = errors.filter((e) => !e.includes(provider.issuer) && !e.includes('fonts.googleapis.com'));
      assert.deepEqual(ours, []);
    });
  },
);
