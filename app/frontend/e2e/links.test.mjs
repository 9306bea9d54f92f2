// Signed links and the webhooks panel on the page, against the real backend (preview engine):
// make a video, "Copy link" on its card, and the copied URL gives the MP4 to a fresh browser with
// no cookies; the grid tile's "Copy link" gives its thumbnail; the header's Webhooks link opens the
// panel, which shows the studio's refusal of a private address.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeStudio, openStudio, screenshot } from './helpers.mjs';

/* global document, window -- only inside page callbacks, which run in Chromium */

describe('signed links and webhooks on the page', () => {
  let backend, browser, session;

  before(async () => {
    ({ backend, browser, session } = await openStudio({
      // The private address below is refused on purpose: the browser logs the 400.
      page: { allow: [/status of 400/] },
    }));
    // Intercept the clipboard: what the page copies is kept in window.__copied.
    await session.context.addInitScript(() => {
      const copied = [];
      window.__copied = copied;
      Object.defineProperty(navigator, 'clipboard', {
        configurable: true,
        value: { writeText: (text) => Promise.resolve(void copied.push(text)) },
      });
    });
  });

  after(() => closeStudio({ backend, browser }));

  const lastCopied = () => session.page.evaluate(() => window.__copied.at(-1));

  /** A fresh browser context (no cookies, no session) opens `url`: the navigation's answer and body. */
  async function openAnonymously(url) {
    const context = await browser.newContext();
    try {
      assert.deepEqual(await context.cookies(), []);
      const page = await context.newPage();
      const response = await page.goto(url);
      const body = await context.request.get(url);
      return {
        status: response.status(),
        type: response.headers()['content-type'],
        bytes: await body.body(),
      };
    } finally {
      await context.close();
    }
  }

  it('copies a link on a card and on a grid tile; anyone holding it gets the file', async () => {
    const { page, errors } = session;
    await page.goto(`${backend.url}/video-generation`);
    await page.getByTestId('empty-state').waitFor();
    const input = page.getByLabel('Prompt', { exact: true });
    await input.fill('A lighthouse at dusk, to share');
    await input.press('Enter');
    const card = page.locator('[data-testid="job"][data-status="completed"]').filter({ hasText: 'to share' });
    await card.waitFor({ timeout: 60_000 });

    // The card: one hour, the video (the defaults).
    await card.getByRole('button', { name: 'Copy link…' }).click();
    const form = card.getByRole('form', { name: 'Copy a link to this video' });
    assert.equal(await form.getByRole('combobox', { name: 'Works for' }).inputValue(), '3600');
    await form.getByRole('button', { name: 'Copy link' }).click();
    const status = form.getByRole('status');
    await status.getByText(/^Link copied/).waitFor();
    // The time, with the date when the hour ends after midnight (untilText): "Tue, Dec 8, 00:39".
    assert.match(
      await status.innerText(),
      /^Link copied; it works until (?:[A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2}, )?\d\d:\d\d, for anyone who has it\.$/,
    );
    const url = await lastCopied();
    assert.ok(url.startsWith(`${backend.url}/links/video/`), url);
    await screenshot(page, '50-link-copied');

    const video = await openAnonymously(url);
    assert.equal(video.status, 200);
    assert.match(video.type, /^video\/mp4/);
    assert.equal(video.bytes.subarray(4, 8).toString('latin1'), 'ftyp', 'an MP4 file');

    // Escape closes the form and gives the focus back to its button.
    await form.getByRole('combobox', { name: 'Works for' }).press('Escape');
    await form.waitFor({ state: 'detached' });
    assert.equal(
      await card.getByRole('button', { name: 'Copy link…' }).evaluate((b) => b === document.activeElement),
      true,
    );

    // The grid tile: the thumbnail, for a day.
    await page.getByTestId('view-grid').click();
    const tile = page.locator('[data-testid="gallery-tile"][data-status="completed"]').first();
    await tile.waitFor();
    await tile.getByRole('button', { name: 'Copy link…' }).click();
    const tileForm = tile.getByRole('form', { name: 'Copy a link to this video' });
    await tileForm.getByRole('radio', { name: 'Thumbnail (JPEG)' }).check();
    await tileForm.getByRole('combobox', { name: 'Works for' }).selectOption({ label: '1 day' });
    await tileForm.getByRole('button', { name: 'Copy link' }).click();
    await tileForm
      .getByRole('status')
      .getByText(/^Link copied/)
      .waitFor();
    const thumbUrl = await lastCopied();
    assert.ok(thumbUrl.startsWith(`${backend.url}/links/thumbnail/`), thumbUrl);
    const thumb = await openAnonymously(thumbUrl);
    assert.equal(thumb.status, 200);
    assert.match(thumb.type, /^image\/jpeg/);
    assert.deepEqual(errors, []);
  });

  it('opens the webhooks panel from the header; a private address is refused with the studio’s message', async () => {
    const { page } = session;
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByTestId('webhooks-empty').waitFor();
    const form = page.getByRole('form', { name: 'Add a webhook endpoint' });
    await form.getByLabel('URL').fill('http://127.0.0.1:9/hook');
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /127\.0\.0\.1/);
    assert.equal(await form.getByLabel('URL').getAttribute('aria-invalid'), 'true');
    await screenshot(page, '51-webhooks-refused');
  });
});
