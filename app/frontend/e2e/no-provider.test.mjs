// With the preview engine switched off and no cloud URL, no provider is ready: the nav
// item is disabled with an explanation, and a submission shows a readable error.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, closeStudio, openStudio, screenshot } from './helpers.mjs';

/* global document -- only inside the page.waitForFunction callback, which runs in Chromium */

describe('no video provider ready', () => {
  let backend, browser, session;

  before(async () => {
    ({ backend, browser, session } = await openStudio({
      backend: { env: { VIDEO_PREVIEW_ENABLED: 'false', CLOUD_VIDEO_GENERATION_URL: '' } },
      // The rejected POST below is expected to log "Failed to load resource" with its 4xx/5xx.
      page: { allow: [/Failed to load resource: the server responded with a status of (4|5)\d\d/] },
    }));
  });

  after(() => closeStudio({ backend, browser }));

  it('the backend reports no ready model', async () => {
    const { body } = await api(backend.url, 'GET', '/v1/models');
    assert.ok(body.data.length > 0);
    assert.ok(
      body.data.every((m) => m.ready === false),
      JSON.stringify(body.data.map((m) => [m.id, m.ready])),
    );
  });

  it('disables the Video Generation nav item and explains why', async () => {
    const { page } = session;
    await page.goto(`${backend.url}/`);
    const nav = page.getByTestId('nav-video-generation');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="nav-video-generation"]')?.getAttribute('aria-disabled') === 'true',
    );
    assert.equal(await nav.getAttribute('href'), null, 'a disabled item is not a link target');
    assert.equal(await nav.getAttribute('aria-label'), 'Video Generation');

    // The explanation is the item's accessible description, shown as a tooltip on hover/focus.
    const tooltipId = await nav.getAttribute('aria-describedby');
    const tooltip = page.locator(`[id="${tooltipId}"]`);
    assert.equal(await tooltip.isVisible(), false);
    await nav.hover();
    await tooltip.waitFor({ state: 'visible' });
    const text = await tooltip.innerText();
    assert.match(text, /Video Generation is unavailable: No video provider is ready/);
    assert.match(text, /CLOUD_VIDEO_GENERATION_URL/);
    assert.match(text, /VIDEO_PREVIEW_ENABLED/);

    // Clicking it goes nowhere.
    await nav.click({ force: true }); // Playwright itself refuses aria-disabled targets
    assert.equal(new URL(page.url()).pathname, '/');

    // Keyboard users reach it and get the same explanation (the skip link comes first).
    await page.mouse.move(900, 700);
    await page.evaluate(() => document.activeElement?.blur());
    // From wherever the click left the focus point: round the page's stops (four nav items now).
    for (let i = 0; i < 12; i += 1) {
      await page.keyboard.press('Tab');
      if (await nav.evaluate((el) => el === document.activeElement)) break;
    }
    await tooltip.waitFor({ state: 'visible' });

    const state = page.getByTestId('model-card-video-generation').getByTestId('provider-state');
    assert.equal(await state.getAttribute('data-ready'), 'false');
    await screenshot(page, '07-nav-disabled');
  });

  it('shows a readable error when a prompt is submitted anyway', async () => {
    const { page } = session;
    // The home card still opens the page, which explains the situation up front.
    await page.getByTestId('model-card-video-generation').click();
    await page.waitForURL(`${backend.url}/video-generation`);
    const banner = page.getByTestId('provider-unavailable');
    await banner.waitFor();
    // Each model's own reason, as the backend gives it.
    assert.match(await banner.innerText(), /disabled by VIDEO_PREVIEW_ENABLED=false/);

    const input = page.getByLabel('Prompt', { exact: true });
    await input.fill('Volcano on a beach');
    await input.press('Enter');
    const alert = page.getByTestId('submit-error');
    await alert.waitFor();
    const text = await alert.innerText();
    assert.doesNotMatch(text, /Traceback|<html/i);
    // not_configured gets the friendly text; any other refusal shows the server's message.
    const { status, body } = await api(backend.url, 'POST', '/v1/videos', { prompt: 'Volcano on a beach' });
    assert.ok(status >= 400, `POST answered ${status}`);
    if (body.error.code === 'not_configured') assert.match(text, /No video provider is configured/);
    assert.ok(text.includes(body.error.message), `the server's message is shown: ${body.error.message}`);
    assert.equal(await input.inputValue(), 'Volcano on a beach', 'the prompt is kept for another try');
    await screenshot(page, '05-error');

    // Nothing was queued.
    assert.equal(await page.getByTestId('job').count(), 0);
    assert.deepEqual(session.errors, []);
  });
});
