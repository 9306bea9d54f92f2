// Keyboard, phone and attention: the prompt focused on load and reached by the skip link,
// keyboard-only submit, Escape closing the parameters, one Tab stop per card's actions, a clear
// focus ring, the tab title counting running jobs, the prompt counter and long-prompt collapse,
// not-ready reasons where models are chosen, and a phone layout with 44 px targets, no
// horizontal scroll and a nav tooltip that closes after a tap.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, closeStudio, openStudio, screenshot, waitForStatus } from './helpers.mjs';

/* global document, getComputedStyle -- only inside page callbacks, which run in Chromium */

const focusedTestId = (page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

describe('keyboard, phone and attention', () => {
  let backend, browser, session;

  before(async () => {
    ({ backend, browser, session } = await openStudio());
  });

  after(() => closeStudio({ backend, browser }));

  it('works from the keyboard alone: focus on load, skip link, Escape, one Tab stop per card', async () => {
    const { page } = session;
    for (const prompt of ['Keyboard one: a canyon', 'Keyboard two: a harbour']) {
      const { body } = await api(backend.url, 'POST', '/v1/videos', { prompt });
      await waitForStatus(backend.url, body.id, ['completed']);
    }
    await page.goto(`${backend.url}/video-generation`);
    await page.locator('[data-testid="job"][data-status="completed"]').nth(1).waitFor();
    assert.equal(await focusedTestId(page), 'prompt-input', 'the prompt box has the focus on load');
    // Its focus ring: the box's frame gets the brand colour and a ring.
    const ring = await page.getByTestId('prompt-input').evaluate((el) => getComputedStyle(el.parentElement).boxShadow);
    assert.notEqual(ring, 'none');

    // The skip link (first Tab stop) lands on the prompt, not on the oldest video.
    await page.evaluate(() => document.activeElement?.blur());
    await page.evaluate(() => document.querySelector('a[href="#main"]')?.focus());
    await page.keyboard.press('Enter');
    assert.equal(await focusedTestId(page), 'prompt-input');

    // Each card's actions are one Tab stop (arrow keys move inside).
    const perToolbar = await page
      .locator('[role="toolbar"]')
      .evaluateAll((bars) => bars.map((b) => b.querySelectorAll('[tabindex="0"]').length));
    assert.ok(perToolbar.length >= 2);
    assert.ok(
      perToolbar.every((n) => n === 1),
      `tabbable controls per card toolbar: ${perToolbar}`,
    );

    // Parameters by keyboard, closed with Escape, focus back on the toggle.
    await page.keyboard.press('Shift+Tab'); // the parameters toggle, just before the prompt
    assert.equal(await focusedTestId(page), 'settings-toggle');
    await page.keyboard.press('Enter');
    await page.getByTestId('settings-panel').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    await page.getByTestId('settings-panel').waitFor({ state: 'detached' });
    assert.equal(await focusedTestId(page), 'settings-toggle');

    // Keyboard-only submit.
    await page.keyboard.press('Tab');
    assert.equal(await focusedTestId(page), 'prompt-input');
    await page.keyboard.type('Typed only: a quiet pond');
    await page.keyboard.press('Enter');
    await page.getByTestId('job').filter({ hasText: 'Typed only: a quiet pond' }).waitFor();
    await screenshot(page, '30-keyboard');
  });

  it('counts running videos in the tab title', async () => {
    const { page } = session;
    await page.getByLabel('Prompt', { exact: true }).fill('Title count: a long train');
    // Held running at the test gate until cancelled below: the prompt sent next waits behind it.
    const blocker = await api(backend.url, 'POST', '/v1/videos', {
      prompt: backend.gate.prompt('title', 'Title blocker'),
    });
    await backend.gate.waitUntilHeld('title');
    await page.getByLabel('Prompt', { exact: true }).press('Enter');
    await page.waitForFunction(() => /\d+ running/.test(document.title), undefined, { timeout: 15_000 });
    assert.match(await page.title(), /running\) Video Studio/);
    await api(backend.url, 'POST', `/v1/videos/${blocker.body.id}/cancel`);
    await page.waitForFunction(() => document.title === 'Video Studio', undefined, { timeout: 60_000 });
  });

  it('shows a counter near the length limit, refuses a prompt over it, and collapses long prompts', async () => {
    const { page } = session;
    const input = page.getByLabel('Prompt', { exact: true });
    await input.fill('a'.repeat(1700));
    assert.match(await page.getByTestId('prompt-counter').innerText(), /1700 \/ 2000/);
    await input.fill('b'.repeat(2100));
    await input.press('Enter');
    await page.getByText('Keep the prompt under 2000 characters.').waitFor();
    assert.equal(await input.inputValue(), 'b'.repeat(2100), 'not cut');

    const long = `Long prompt: ${'a slow pan across a misty valley at dawn, '.repeat(10)}`.trim();
    await input.fill(long);
    await input.press('Enter');
    const c = page.getByTestId('job').filter({ hasText: 'Long prompt:' });
    const toggle = c.getByTestId('prompt-toggle');
    await toggle.waitFor();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    const collapsed = (await c.getByTestId('job-prompt').boundingBox()).height;
    await toggle.click();
    const open = (await c.getByTestId('job-prompt').boundingBox()).height;
    assert.ok(open > collapsed, `expanded ${open} > collapsed ${collapsed}`);
  });

  it('says why each model is not ready where models are chosen', async () => {
    const { page } = session;
    await page.getByTestId('settings-toggle').click();
    const reasons = page.getByTestId('not-ready-reasons');
    await reasons.waitFor();
    assert.match(await reasons.innerText(), /is not ready: CLOUD_VIDEO_GENERATION_URL/);
    const options = await page
      .getByRole('combobox', { name: 'Model' })
      .locator('option')
      .evaluateAll((os) => os.map((o) => `${o.disabled ? 'x' : '-'} ${o.textContent}`));
    assert.ok(
      options.some((o) => o.startsWith('x') && /not ready:/.test(o)),
      options.join(' | '),
    );
    await page.keyboard.press('Escape');
  });

  it('fits a phone: no horizontal scroll, 44 px targets, the hint shown, nav tooltip closes after a tap', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    try {
      await page.goto(`${backend.url}/video-generation`);
      await page.locator('[data-testid="job"][data-status="completed"]').first().waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `scrollWidth ${width}`);
      assert.ok(await page.getByTestId('prompt-hint').isVisible(), 'model, steps and seed hint shown on phones');
      const small = await page.evaluate(() =>
        [...document.querySelectorAll('main button, main a[href], main select')]
          .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
          .map((el) => ({
            h: el.getBoundingClientRect().height,
            what: el.getAttribute('aria-label') ?? el.textContent,
          }))
          .filter((x) => x.h < 43.5),
      );
      assert.deepEqual(small, [], 'every target at least 44 px tall');
      await screenshot(page, '31-phone-page');

      await page.goto(`${backend.url}/`);
      const nav = page.getByTestId('nav-video-generation');
      await nav.waitFor();
      await page.getByTestId('nav-home').tap();
      const tooltipId = await page.getByTestId('nav-home').getAttribute('aria-describedby');
      await page.waitForTimeout(300);
      assert.equal(await page.locator(`[id="${tooltipId}"]`).isVisible(), false, 'no tooltip left open after a tap');
      await screenshot(page, '32-phone-home-after-tap');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('logged no console errors', () => {
    assert.deepEqual(session.errors, []);
  });
});
