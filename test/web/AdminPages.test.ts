import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startAuthGateway, type AuthGateway } from '../gateway/auth/gatewayWithAuth.js';
import { collectPageErrors, launchBrowser, type Browser } from './browser.js';
import { WEB_DIST, pageTestSkipReason } from './gatewayHarness.js';
import { SyntheticCall } from './syntheticCalls.js';

/** The page's globals that page.evaluate reads (Node has no DOM types). */
declare const window: {
  callsight: {
    store: { audit: { entries: { action: string }[] }; log: { entries: { callId: string | null }[] } };
  };
};

/**
 * The admin pages and what each role sees, in real Chromium against the real gateway (auth.mode
 * local, the route table, audit records on the data stream): an admin adds a user and a token and
 * watches their audit records arrive; a viewer sees no control, recording or admin page.
 */
describe('admin pages and role-aware views', { skip: pageTestSkipReason() }, () => {
  let gateway: AuthGateway;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const call = new SyntheticCall({ fromNumber: '+12065550177', partials: 1 });

  async function signInAs(session: string): Promise<void> {
    await browser.context.clearCookies();
    await browser.context.addCookies([{ name: 'callsight_session', value: session, url: gateway.base }]);
  }

  async function openCall(): Promise<void> {
    await page.goto('about:blank');
    await page.goto(`${gateway.base}/#/calls/${call.callId}`);
    await page.getByTestId('pipeline-status').filter({ hasText: 'Stopped' }).waitFor();
  }

  /** Appends the records of `of` to the gateway's data stream, keyed as the server keys them. */
  async function appendCall(of: SyntheticCall, records: readonly object[]): Promise<void> {
    for (const record of records) {
      const r = record as { 'detail-type': string; metadata?: string; detail?: { callId?: string } };
      const callId = r.detail?.callId ?? (r.metadata ? of.callId : null);
      await gateway.stream.append(record, { type: r['detail-type'], callId });
    }
  }

  before(async () => {
    gateway = await startAuthGateway({ webRoot: WEB_DIST, eraseRecords: true });
    await appendCall(call, [
      ...call.start(),
      ...Array.from({ length: 3 }, () => call.next()).flat(),
      ...call.end(),
    ]);
    browser = await launchBrowser();
    page = await browser.newPage();
    errors = collectPageErrors(page);
  });

  after(async () => {
    await browser?.close();
    await gateway?.close();
  });

  test('an admin adds a user and a token; both show once, work, and their audit records appear live', async () => {
    await signInAs(gateway.sessions.admin);
    await page.goto(`${gateway.base}/#/admin/users`);
    const nav = page.getByRole('navigation', { name: 'Views' });
    for (const name of ['Users', 'Tokens', 'Audit trail'])
      assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 1, name);
    assert.match((await page.getByTestId('user').textContent()) ?? '', /admin-user \(admin\)/);

    // Add a user: the page makes the password and shows it once.
    const add = page.getByRole('form', { name: 'Add a user' });
    await add.getByLabel('User name').fill('alice');
    await add.getByLabel('Role').selectOption('agent');
    await add.getByLabel(/Agent identities/).fill('^\\+1206555\\d{4}$\nsip:alice@');
    await add.getByRole('button', { name: 'Add user' }).click();
    const shown = page.getByRole('region', { name: 'Password of alice' });
    const password = (await shown.getByTestId('secret').innerText()).trim();
    assert.match(password, /^[a-z2-9]{18}$/);
    const row = page.locator('tr[data-username=alice]');
    await row.waitFor();
    assert.match(await row.innerText(), /agent/);
    assert.match(await row.innerText(), /\^\\\+1206555\\d\{4\}\$, sip:alice@/);
    await shown.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.getByTestId('secret').count(), 0, 'gone once dismissed');
    const login = await fetch(`${gateway.base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password }),
    });
    assert.equal(login.status, 200, 'the shown password signs alice in');

    // Change her role.
    await row.getByRole('button', { name: 'Change role of alice' }).click();
    await row.getByLabel('Role of alice', { exact: true }).selectOption('supervisor');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByText('supervisor', { exact: true }).waitFor();

    // A token, shown once with a copy button.
    await nav.getByRole('link', { name: 'Tokens' }).click();
    const create = page.getByRole('form', { name: 'Create a token' });
    await create.getByLabel('Name').fill('ci-bot');
    await create.getByLabel('Role').selectOption('viewer');
    await create.getByLabel('Expires after').selectOption('30');
    await create.getByRole('button', { name: 'Create token' }).click();
    const tokenBox = page.getByRole('region', { name: 'Token ci-bot' });
    const token = (await tokenBox.getByTestId('secret').innerText()).trim();
    await tokenBox.getByRole('button', { name: 'Copy' }).click();
    await tokenBox
      .getByRole('status')
      .filter({ hasText: /Copied|copy by hand/ })
      .waitFor();
    const tokenRow = page.locator('tr', { hasText: 'ci-bot' });
    assert.match(await tokenRow.innerText(), /viewer[\s\S]*admin-user[\s\S]*active/);
    const withToken = await fetch(`${gateway.base}/api/calls`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(withToken.status, 200, 'the shown token works');

    // The audit trail has both, who made them and from where.
    await nav.getByRole('link', { name: 'Audit trail' }).click();
    const rows = page.getByTestId('audit-row');
    for (const action of ['POST /api/users', 'PATCH /api/users/:username', 'POST /api/tokens']) {
      const entry = rows.and(page.locator(`[data-action="${action}"]`));
      await entry.first().waitFor();
      assert.match(
        await entry.first().innerText(),
        /admin-user[\s\S]*success 20\d[\s\S]*127\.0\.0\.1/,
        action,
      );
    }
    assert.match(
      await rows.and(page.locator('[data-action="PATCH /api/users/:username"]')).first().innerText(),
      /username alice/,
    );
    assert.equal(
      await rows.and(page.locator('[data-action="PATCH /api/users/:username"]')).count(),
      1,
      'one change, one request',
    );
    await page.getByLabel('Action').selectOption('POST /api/tokens');
    await page
      .getByTestId('audit-count')
      .filter({ hasText: /^1 record$/ })
      .waitFor();
    assert.equal(await rows.count(), 1);

    // Live: revoking the token adds its record to the open trail, without a reload.
    await nav.getByRole('link', { name: 'Tokens' }).click();
    await page.getByRole('button', { name: 'Revoke ci-bot' }).click();
    await page
      .getByRole('group', { name: /^Revoke ci-bot\?/ })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await tokenRow.getByText('revoked').waitFor();
    const revoked = await fetch(`${gateway.base}/api/calls`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(revoked.status, 401);
    await nav.getByRole('link', { name: 'Audit trail' }).click();
    await page.getByLabel('Action').selectOption('');
    await rows.and(page.locator('[data-action="DELETE /api/tokens/:id"]')).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(token), 'no secret in the trail');
  });

  test('an admin sees pipeline control, the recording and erasure on a call', async () => {
    await openCall();
    for (const name of ['Pause', 'Resume', 'Stop'])
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, name);
    await page.getByRole('heading', { name: 'Recording' }).waitFor();
    assert.equal(await page.locator('audio').count(), 1);
    assert.equal(await page.getByRole('button', { name: 'Erase call…' }).count(), 1);
  });

  test('a viewer sees no Pause/Resume/Stop, no recording, no admin page, no audit record', async () => {
    await signInAs(gateway.sessions.viewer);
    await openCall();
    assert.match((await page.getByTestId('user').textContent()) ?? '', /viewer-user \(viewer\)/);
    for (const name of ['Pause', 'Resume', 'Stop', 'Erase call…'])
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, name);
    assert.equal(await page.getByRole('heading', { name: 'Recording' }).count(), 0);
    assert.equal(await page.locator('audio').count(), 0);
    assert.equal(await page.locator(`a[href*="/recording"]`).count(), 0);
    // The transcript and analytics stay.
    assert.ok((await page.getByTestId('utterance').count()) > 0);

    const nav = page.getByRole('navigation', { name: 'Views' });
    assert.deepEqual(await nav.getByRole('link').allInnerTexts(), [
      'Live calls',
      'Messages',
      'Configurations',
    ]);
    await page.goto(`${gateway.base}/#/admin/users`);
    await page.getByText('This page is for admins.').waitFor();
    assert.equal(await page.getByRole('form', { name: 'Add a user' }).count(), 0);
    // Configurations: readable, without the controls that change them.
    await nav.getByRole('link', { name: 'Configurations' }).click();
    await page.getByText('Only admins change configurations.').waitFor();
    assert.equal(await page.getByRole('link', { name: '+ New configuration' }).count(), 0);
    const audits = await page.evaluate(() => window.callsight.store.audit.entries.length);
    assert.equal(audits, 0, 'the stream sends viewers no audit record');
  });

  test('an admin erases the call after a confirming second press, and the trail records it', async () => {
    await signInAs(gateway.sessions.admin);
    await openCall();
    await page.getByRole('button', { name: 'Erase call…' }).click();
    const ask = page.getByRole('group', { name: /^Erase every record/ });
    await ask.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await ask.count(), 0, 'Cancel erases nothing');
    await page.getByRole('button', { name: 'Erase call…' }).click();
    await ask.getByRole('button', { name: 'Erase', exact: true }).click();
    await page
      .getByRole('heading', { name: 'Call erased' })
      .waitFor({ timeout: 5000 })
      .catch(async (err: unknown) => {
        throw new Error(`${String(err)}\n${await page.locator('main').innerText()}\n${errors.join('\n')}`);
      });
    const records = await (
      await fetch(`${gateway.base}/api/records?from=0&limit=1000`, {
        headers: { cookie: `callsight_session=${gateway.sessions.admin}` },
      })
    ).json();
    const left = (records as { 'detail-type': string; detail?: { callId?: string } }[]).filter(
      (r) => r.detail?.callId === call.callId && r['detail-type'] !== 'Callsight Audit',
    );
    assert.deepEqual(
      left.map((r) => r['detail-type']),
      [],
      'the server erased its records',
    );
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page
      .getByTestId('audit-row')
      .and(page.locator('[data-action="DELETE /api/calls/:callId"]'))
      .waitFor();
    const actions = await page.evaluate(() => window.callsight.store.audit.entries.map((e) => e.action));
    assert.ok(actions.includes('DELETE /api/calls/:callId'), actions.join());
    const unexpected = errors.filter((e) => !/Failed to load resource/.test(e));
    assert.deepEqual(unexpected, []);
  });

  test("an erasure record arriving live takes the call's messages off an open Messages view", async () => {
    const other = new SyntheticCall({ fromNumber: '+12065550178', partials: 1 });
    await signInAs(gateway.sessions.admin);
    await page.goto('about:blank');
    await page.goto(`${gateway.base}/#/messages?call=${other.callId}`);
    await appendCall(other, [...other.start(), ...other.next(), ...other.end()]);
    const shown = page.getByTestId('shown-count');
    await shown.filter({ hasNotText: /^0 messages$/ }).waitFor();
    const ofCall = () =>
      page.evaluate(
        (id) => window.callsight.store.log.entries.filter((e) => e.callId === id).length,
        other.callId,
      );
    assert.ok((await ofCall()) > 0);
    // What the server's erasure appends once every part forgot the call (src/calls/CallErasure.ts).
    await gateway.stream.append(
      {
        version: '0',
        id: 'erasure-of-other',
        'detail-type': 'Callsight Call Erased',
        source: 'callsight',
        time: new Date().toISOString(),
        detail: { callId: other.callId, erasedAt: new Date().toISOString(), removed: { records: 3 } },
      },
      { type: 'Callsight Call Erased', callId: null },
    );
    await shown.filter({ hasText: /^0 messages$/ }).waitFor({ timeout: 5000 });
    assert.equal(await ofCall(), 0);
    assert.deepEqual(
      errors.filter((e) => !/Failed to load resource/.test(e)),
      [],
    );
  });
});
