import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { collectPageErrors, launchBrowser, type Browser } from './browser.js';
import { pageTestSkipReason, startGateway, type Gateway } from './gatewayHarness.js';
import { SyntheticCall } from './syntheticCalls.js';

/**
 * The Messages list while records keep arriving: its closed rows stay in place and take the new
 * messages' content (the list reuses them), so each row must show its own message, never a
 * neighbour's, and an opened row must stay with its message as the list moves on.
 */
describe('the message list under a live stream', { skip: pageTestSkipReason() }, () => {
  let gateway: Gateway;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const call = new SyntheticCall({ fromNumber: '+12065550142', partials: 2 });
  const queue: object[] = [];
  const appendNext = async (count: number) => {
    for (let i = 0; i < count; i++) {
      if (queue.length === 0) queue.push(...call.next());
      await gateway.append(queue.shift()!);
    }
  };
  const shown = (count: number) =>
    page
      .getByTestId('shown-count')
      .filter({ hasText: `${count} messages` })
      .waitFor();

  /** What the visible rows say, top to bottom, next to what the stream holds under each one's seq. */
  async function rowsAgainstStream() {
    // The page's elements, as far as used here (the tests compile without the DOM's types).
    type Row = { getAttribute(name: string): string | null; getBoundingClientRect(): { top: number } };
    const rows = await page.locator('article.message').evaluateAll((articles) =>
      (articles as unknown as Row[]).map((a) => ({
        seq: a.getAttribute('data-seq')!,
        type: a.getAttribute('data-type')!,
        top: a.getBoundingClientRect().top,
      })),
    );
    rows.sort((a, b) => a.top - b.top);
    const stored = new Map((await gateway.stream.read('0', 10_000)).map((r) => [r.sequenceNumber, r.type]));
    return rows.map((row) => ({ ...row, storedType: stored.get(row.seq) }));
  }

  before(async () => {
    gateway = await startGateway();
    for (const record of call.start()) await gateway.append(record);
    await appendNext(40);
    browser = await launchBrowser();
    page = await browser.newPage();
    errors = collectPageErrors(page);
    await page.goto(`${gateway.url}/#/messages`);
    await page.getByTestId('connection').and(page.locator('[data-state=open]')).waitFor();
  });

  after(async () => {
    await browser?.close();
    await gateway?.close();
  });

  test('each row shows its own message, newest first, however often the list moves on', async () => {
    let total = Number(gateway.stream.lastSequence());
    await shown(total);
    for (let round = 0; round < 5; round++) {
      await appendNext(7);
      total += 7;
      await shown(total);
      const rows = await rowsAgainstStream();
      assert.ok(rows.length >= 10, `rows rendered: ${rows.length}`);
      assert.equal(rows[0]!.seq, String(total), 'the newest message on top');
      for (const [i, row] of rows.entries()) {
        assert.equal(row.type, row.storedType, `row ${i} (#${row.seq}) shows its own message`);
        if (i > 0)
          assert.equal(Number(row.seq), Number(rows[i - 1]!.seq) - 1, `row ${i} follows row ${i - 1}`);
      }
    }
  });

  test('an opened row stays with its message while new ones push it down', async () => {
    const top = page.locator('article.message').first();
    const seq = await top.getAttribute('data-seq');
    await top.getByRole('button', { name: 'JSON' }).click();
    const opened = page.locator('article.message.open');
    await opened.getByRole('group', { name: /as JSON$/ }).waitFor();

    await appendNext(3);
    await shown(Number(seq) + 3);
    assert.equal(await opened.count(), 1);
    assert.equal(await opened.getAttribute('data-seq'), seq);
    assert.match(await opened.innerText(), new RegExp(`"sequenceNumber":\\s*"${seq}"`));
    const rows = await rowsAgainstStream();
    assert.deepEqual(
      rows.slice(0, 4).map((r) => r.seq),
      [3, 2, 1, 0].map((n) => String(Number(seq) + n)),
      'three new rows above the opened one',
    );
    for (const row of rows) assert.equal(row.type, row.storedType, `#${row.seq} shows its own message`);
    assert.deepEqual(errors, []);
  });
});
