import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { collectPageErrors, launchBrowser, type Browser } from './browser.js';
import { pageTestSkipReason, startGateway, type Gateway } from './gatewayHarness.js';
import { SyntheticCall } from './syntheticCalls.js';

/** The committed screenshots are refreshed only on request (UPDATE_SCREENSHOTS=1); otherwise they go to a temp folder. */
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? new URL('../../docs/screenshots/', import.meta.url).pathname
  : `${mkdtempSync(join(tmpdir(), 'callsight-screenshots-'))}/`;

/**
 * The record kinds other stages will emit (call analytics, voice tone, alerts, recordings, summaries)
 * in their documented shapes, through the real gateway, rendered by the real page.
 */
describe('the call view renders every analytics record kind', { skip: pageTestSkipReason() }, () => {
  let gateway: Gateway;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const call = new SyntheticCall({
    fromNumber: '<b>+1206</b>5550100',
    partials: 2,
    startedAt: Date.now() - 95_000,
  });

  before(async () => {
    gateway = await startGateway();
    gateway.postCall.set(call.callId, call.postCallDocument());
    for (const record of [
      ...call.start(),
      ...Array.from({ length: call.length }, () => call.next()).flat(),
      ...call.end(),
    ])
      await gateway.append(record);
    browser = await launchBrowser();
    page = await browser.newPage();
    errors = collectPageErrors(page);
    await page.goto(`${gateway.url}/#/calls/${call.callId}`);
    await page.getByTestId('pipeline-status').filter({ hasText: 'Stopped' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await gateway?.close();
  });

  test('SIP-supplied text is shown as text, never parsed as HTML', async () => {
    assert.match(await page.locator('.view-header h1').innerText(), /<b>\+1206<\/b>5550100 → \+13605550199/);
    assert.equal(await page.locator('.view-header h1 b').count(), 0);
    await page.getByText(/INVITE headers/).click();
    assert.match(await page.locator('dl.fields').last().innerText(), /<img src=x onerror=alert\(1\)>/);
    assert.equal(await page.locator('img').count(), 0);
  });

  test('utterances carry roles, sentiment, highlighted issues, and PII redacted', async () => {
    const transcript = page.locator('.transcript');
    const text = await transcript.innerText();
    assert.doesNotMatch(text, /4111/, 'the card number never reaches the page');
    assert.match(text, /\[CREDIT_DEBIT_NUMBER\]/);
    assert.deepEqual(await page.locator('mark.issue').allInnerTexts(), [
      'charged twice this month',
      'internet keeps dropping every evening',
    ]);
    const agent = page.locator('[data-testid=utterance][data-role=AGENT]').first();
    assert.match(await agent.innerText(), /Thank you for calling/);
    assert.match(await agent.locator('.badge').first().innerText(), /positive/);
    assert.ok(
      await page.locator('.utterance.alerted').filter({ hasText: 'cancel' }).count(),
      'the alerted utterance',
    );
    assert.equal(await page.locator('[data-testid=utterance][data-partial=true]').count(), 0);
  });

  test('sentiment chart per participant, alerts, categories, recording player and summary', async () => {
    const chart = page.getByTestId('sentiment-chart');
    await chart.locator('canvas').waitFor();
    assert.deepEqual(
      await chart.locator('.u-legend .u-series .u-label').allInnerTexts(),
      ['Customer', 'Agent'],
      'one series per participant',
    );
    assert.match(await page.locator('figcaption').innerText(), /Customer: \d+ points.*Agent: \d+ points/);
    assert.match(
      await page.getByRole('region', { name: 'Alerts and categories' }).innerText(),
      /cancellation-intent/,
    );
    const audio = page.locator('audio');
    assert.match(
      (await audio.getAttribute('src')) ?? '',
      new RegExp(`/api/calls/${call.callId}/recording\\?pipelineId=`),
    );
    assert.match(await page.getByRole('region', { name: 'Summary' }).innerText(), /charged twice/);
    const postCall = page.getByTestId('post-call');
    await postCall.waitFor();
    assert.match(await postCall.innerText(), /Customer\s+sentiment 0\.8 .*talk 0:16, 171 wpm/);
    assert.match(await postCall.innerText(), /Interruptions\s+1/);
    await page.screenshot({ path: `${SCREENSHOTS}call-view-analytics.png` });
  });

  test('the live list shows the call with its current sentiment and alert badge', async () => {
    await page.getByRole('link', { name: 'Live calls' }).click();
    const row = page.locator(`tr[data-call-id="${call.callId}"]`);
    assert.match(await row.innerText(), /Customer: positive/);
    assert.match(await row.getByLabel(/alerts/).innerText(), /⚠ 2/);
    // This gateway has no pipeline API: the page's GetMediaPipeline (channel roles) finds nothing, by design.
    assert.deepEqual(
      errors.filter((e) => !e.includes('/api/pipelines/')),
      [],
    );
  });
});
