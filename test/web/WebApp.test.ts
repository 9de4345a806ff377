import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { readWav } from '../../src/media/wav/WavFile.js';
import { SipCaller } from '../../scripts/lib/SipCaller.js';
import {
  authFetch,
  printedAdminPassword,
  startCallsight,
  type RunningCallsight,
} from '../helpers/callsight.js';
import { CHROMIUM, collectPageErrors, launchBrowser, type Browser } from './browser.js';

const WAV = new URL('../fixtures/audio/demo-customer.wav', import.meta.url).pathname;
/** The committed screenshots are refreshed only on request (UPDATE_SCREENSHOTS=1); otherwise they go to a temp folder. */
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? new URL('../../docs/screenshots/', import.meta.url).pathname
  : `${mkdtempSync(join(tmpdir(), 'callsight-screenshots-'))}/`;
const FROM = '+15555550100';
const TO = '+15555550199';

/** The page's globals, as far as the functions run in it by page.evaluate use them (Node has no DOM types). */
interface PageElement {
  tagName: string;
  textContent: string | null;
}
declare const window: {
  callsight: { store: { log: { entries: { seq: string }[] } }; client: { duplicates: number } };
  getSelection(): { toString(): string } | null;
};
declare const document: {
  querySelector(selector: string): PageElement | null;
  activeElement: PageElement | null;
};
declare function getComputedStyle(element: PageElement): { outlineStyle: string; outlineWidth: string };

interface Frame {
  sequenceNumber: string;
  'detail-type'?: string;
  detail?: { callId?: string };
}

/** Every record the server holds, through the polling API (the page's ground truth). */
async function allRecords(httpPort: number): Promise<Frame[]> {
  const records: Frame[] = [];
  for (let from = '0'; ;) {
    const page = (await (
      await authFetch(`http://127.0.0.1:${httpPort}/api/records?from=${from}&limit=1000`)
    ).json()) as Frame[];
    records.push(...page);
    if (page.length < 1000) return records;
    from = page.at(-1)!.sequenceNumber;
  }
}

/** What the page holds, read from its store (exposed as window.callsight for tests). */
function pageSequences(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    return window.callsight.store.log.entries.map((e) => e.seq);
  });
}

function shoot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
}

describe(
  'the web app against a real Callsight and a real call',
  { skip: !existsSync(CHROMIUM) && `${CHROMIUM} is not installed` },
  () => {
    let callsight: RunningCallsight;
    let browser: Browser;
    let page: Page;
    let errors: string[];
    let caller: SipCaller;
    const audio = readWav(WAV).samples;
    let callId: string;
    let base: string;

    before(async () => {
      callsight = await startCallsight();
      base = `http://127.0.0.1:${callsight.httpPort}`;
      browser = await launchBrowser();
      page = await browser.newPage();
      errors = collectPageErrors(page);
      caller = await SipCaller.open('127.0.0.1');
    });

    after(async () => {
      caller?.close();
      await browser?.close();
      if (callsight) assert.equal(await callsight.stop(), 0, callsight.stderr());
    });

    test('signing in with the password printed at first start opens the app', async () => {
      await page.goto(`${base}/`);
      const form = page.getByRole('form', { name: 'Sign in' });
      await form.getByLabel('User name').fill('admin');
      await form.getByLabel('Password').fill('not the password');
      await form.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').waitFor();
      await form.getByLabel('Password').fill(printedAdminPassword(callsight));
      await form.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('user').waitFor();
      assert.match((await page.getByTestId('user').textContent()) ?? '', /admin/);
    });

    test('a call appears in the list and its transcript fills in, partial results turning final', async () => {
      await page.goto(`${base}/`);
      await page.getByTestId('connection').and(page.locator('[data-state=open]')).waitFor();
      // The first two sentences (about 7 s) are enough for partials and several finals.
      const call = caller.call({
        host: '127.0.0.1',
        port: callsight.sipPort,
        fromNumber: FROM,
        toNumber: TO,
        samples: audio.subarray(0, 8000 * 7),
        tailMs: 500,
      });
      const row = page.locator('tr[data-call-id]');
      await row.waitFor({ timeout: 10_000 });
      callId = (await row.getAttribute('data-call-id'))!;
      assert.match(await row.innerText(), new RegExp(`\\${FROM} → \\${TO}`));
      assert.match(await row.innerText(), /live/);
      const ticking = await row.getByTestId('duration').innerText();
      await page.waitForFunction(
        ([id, before]) =>
          document.querySelector(`tr[data-call-id="${id}"] [data-testid=duration]`)?.textContent !== before,
        [callId, ticking] as const,
        { timeout: 3000 },
      );
      await shoot(page, 'live-calls');

      await row.getByRole('link').click();
      await page.waitForURL(/#\/calls\//);
      // A partial shows in place while the customer speaks…
      await page.locator('[data-testid=utterance][data-partial=true]').first().waitFor({ timeout: 15_000 });
      await call;
      // …and every utterance is final once the pipeline has stopped.
      await page
        .locator('[data-testid=pipeline-status]', { hasText: 'Stopped' })
        .waitFor({ timeout: 20_000 });
      const finals = page.locator('[data-testid=utterance][data-partial=false]');
      assert.ok((await finals.count()) >= 2, `several final utterances, got ${await finals.count()}`);
      assert.equal(await page.locator('[data-testid=utterance][data-partial=true]').count(), 0);
      assert.equal(
        await finals.first().getAttribute('data-role'),
        'CUSTOMER',
        'ch_0 is the caller, the CUSTOMER',
      );
      const text = (await page.locator('.transcript').innerText()).toLowerCase();
      assert.match(text, /bill|charged|calling/);
      await shoot(page, 'call-view');
      await page.emulateMedia({ colorScheme: 'dark' });
      await shoot(page, 'call-view-dark');
      await page.emulateMedia({ colorScheme: 'light' });
    });

    test('filtering by message type hides the others, with the right counts; the JSON view opens', async () => {
      const records = await allRecords(callsight.httpPort);
      const byType = new Map<string, number>();
      for (const r of records) byType.set(r['detail-type']!, (byType.get(r['detail-type']!) ?? 0) + 1);
      await page.getByRole('link', { name: 'Messages', exact: true }).click();
      await page
        .getByTestId('shown-count')
        .filter({ hasText: `${records.length} messages` })
        .waitFor();

      const filters = page.getByRole('group', { name: 'Message types' });
      for (const [type, count] of byType) {
        const label = filters
          .locator('label.check:not(.sub)')
          .filter({ has: page.getByText(type, { exact: true }) });
        assert.equal(await label.getByTestId('type-count').innerText(), String(count), `count of ${type}`);
      }
      await filters
        .getByRole('checkbox', { name: /^Transcribe \d/ })
        .first()
        .check();
      const transcribe = byType.get('Transcribe')!;
      await page
        .getByTestId('shown-count')
        .filter({ hasText: `${transcribe} messages` })
        .waitFor();
      const types = await Promise.all(
        (await page.locator('article.message').all()).map((row) => row.getAttribute('data-type')),
      );
      assert.ok(
        types.length > 0 && types.every((t) => t === 'Transcribe'),
        `only Transcribe rows: ${types.join(',')}`,
      );

      // Adding a sub-type of another kind shows the union.
      await filters.getByRole('checkbox', { name: /^ALL_STARTED \d/ }).check();
      await page
        .getByTestId('shown-count')
        .filter({ hasText: `${transcribe + 1} messages` })
        .waitFor();

      const first = page.locator('article.message').first();
      await first.getByRole('button', { name: 'JSON' }).click();
      const json = first.getByRole('group', { name: /as JSON$/ });
      await json.waitFor();
      assert.match(await json.innerText(), /"sequenceNumber"/);
      assert.equal(
        await first.getByRole('button', { name: 'Hide JSON' }).getAttribute('aria-expanded'),
        'true',
      );
      await shoot(page, 'messages');
      await filters.getByRole('button', { name: 'Show all types' }).click();
    });

    test('after the server restarts the page reconnects, missing nothing and duplicating nothing', async () => {
      await page.getByRole('link', { name: 'Live calls' }).click();
      const { httpPort, sipPort, dataDir } = callsight;
      assert.equal(await callsight.stop(), 0, callsight.stderr());
      await page
        .getByTestId('connection')
        .and(page.locator('[data-state=reconnecting]'))
        .waitFor({ timeout: 5000 });
      callsight = await startCallsight({ httpPort, sipPort, dataDir });
      await page
        .getByTestId('connection')
        .and(page.locator('[data-state=open]'))
        .waitFor({ timeout: 10_000 });

      // A second call after the restart; its pipeline is paused and resumed from the call view.
      const second = caller.call({
        host: '127.0.0.1',
        port: sipPort,
        fromNumber: '+15555550111',
        toNumber: TO,
        samples: audio.subarray(0, 8000 * 8),
        tailMs: 300,
      });
      const row = page.locator('tr[data-call-id]').filter({ hasText: '+15555550111' });
      await row.getByRole('link').click({ timeout: 10_000 });
      const status = page.getByTestId('pipeline-status');
      await status.filter({ hasText: 'InProgress' }).waitFor({ timeout: 10_000 });
      await page.getByRole('button', { name: 'Pause' }).click();
      await status.filter({ hasText: 'Paused' }).waitFor({ timeout: 5000 });
      await page.getByRole('button', { name: 'Resume' }).click();
      await status.filter({ hasText: 'InProgress' }).waitFor({ timeout: 5000 });
      await second;
      await status.filter({ hasText: 'Stopped' }).waitFor({ timeout: 20_000 });

      const records = await allRecords(callsight.httpPort);
      await page
        .waitForFunction(
          (last) => document.querySelector('[data-testid=last-seq]')?.textContent === `#${last}`,
          records.at(-1)!.sequenceNumber,
          { timeout: 5000 },
        )
        .catch(async (err: unknown) => {
          const seen = await pageSequences(page);
          throw new Error(
            `page has ${seen.length} records up to ${seen.at(-1)}, server ${records.length} up to ${records.at(-1)?.sequenceNumber}: ${String(err)}\n${JSON.stringify(records.slice(-3))}`,
          );
        });
      assert.deepEqual(
        await pageSequences(page),
        records.map((r) => r.sequenceNumber),
      );
      const duplicates = await page.evaluate(() => window.callsight.client.duplicates);
      assert.equal(duplicates, 0);
      await page.getByRole('link', { name: 'Live calls' }).click();
      await page.locator('tr[data-call-id]').nth(1).waitFor();
      assert.equal(await page.locator('tr[data-call-id]').count(), 2);
      assert.ok(callId);
    });

    test('configurations: list, open, and API validation errors shown at their JSON paths', async () => {
      await page.getByRole('link', { name: 'Configurations' }).click();
      await page.getByRole('button', { name: 'callsight-default' }).click();
      await page.locator('.cm-content').filter({ hasText: 'AmazonTranscribeProcessor' }).waitFor();
      await page.getByRole('link', { name: '+ New configuration' }).click();
      await page.locator('.cm-content').filter({ hasText: 'new-configuration' }).waitFor();
      const editor = page.locator('.cm-content');
      await editor.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(
        JSON.stringify(
          {
            MediaInsightsPipelineConfigurationName: 'french-line',
            Elements: [
              {
                Type: 'AmazonTranscribeProcessor',
                AmazonTranscribeProcessorConfiguration: { LanguageCode: 'fr-FR' },
              },
              { Type: 'KinesisDataStreamSink' },
            ],
          },
          null,
          2,
        ),
      );
      await page.getByRole('button', { name: 'Create' }).click();
      const problems = page.getByRole('list', { name: 'Problems' });
      await problems.waitFor();
      assert.match(
        await problems.innerText(),
        /Elements\[0\]\.AmazonTranscribeProcessorConfiguration\.LanguageCode/,
      );
      await problems.getByRole('button', { name: /LanguageCode/ }).click();
      const selected = await page.evaluate(() => window.getSelection()?.toString() ?? '');
      assert.match(selected, /"LanguageCode": "fr-FR"/);
      await shoot(page, 'configurations');
    });

    test('keyboard: tab order reaches the views with a visible focus ring; a strict CSP and no script errors', async () => {
      await page.goto('about:blank');
      await page.goto(`${base}/#/`);
      await page.getByTestId('connection').and(page.locator('[data-state=open]')).waitFor();
      const visited: string[] = [];
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press('Tab');
        visited.push(
          await page.evaluate(() => {
            const el = document.activeElement!;
            const style = getComputedStyle(el);
            return `${el.tagName}:${el.textContent?.trim().slice(0, 20)}:${style.outlineStyle !== 'none' && style.outlineWidth !== '0px'}`;
          }),
        );
      }
      assert.match(visited[0]!, /^A:Skip to content/);
      assert.ok(
        visited.some((v) => v.startsWith('A:Messages')),
        visited.join(' | '),
      );
      assert.ok(
        visited.every((v) => /^(A|BUTTON):/.test(v) && v.endsWith(':true')),
        `focusable controls with a visible outline: ${visited.join(' | ')}`,
      );
      const html = await (await fetch(`${base}/`)).text();
      assert.match(
        html,
        /http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;; script-src &#39;self&#39;/,
      );
      const scripts = html.match(/<script[^>]*>/g) ?? [];
      assert.ok(
        scripts.length > 0 && scripts.every((tag) => / src="/.test(tag)),
        `no inline script: ${scripts.join(' ')}`,
      );
      // Failed loads (the 400 of the refused configuration, the WebSocket while the server was down) are expected.
      const unexpected = errors.filter((e) => !/Failed to load resource|WebSocket connection/.test(e));
      assert.deepEqual(unexpected, []);
    });
  },
);
