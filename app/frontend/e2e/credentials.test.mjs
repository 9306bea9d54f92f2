// The Content Credentials mark on a finished preview video's card, in Chromium against the real
// backend: nothing is asked until it is opened; opened (by keyboard), it reads the signed
// manifest as valid, made by the preview engine (algorithmic, not AI), from no sources, signed by
// the studio's own certificate; Escape closes it and gives the focus back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, closeStudio, openStudio, screenshot, waitForStatus } from './helpers.mjs';

/* global document -- only inside page callbacks, which run in Chromium */

describe('Content Credentials mark', () => {
  let backend, browser, session;

  before(async () => {
    ({ backend, browser, session } = await openStudio());
  });

  after(() => closeStudio({ backend, browser }));

  it('shows a finished preview video as valid, made by the preview engine', async () => {
    const { page } = session;
    const made = await api(backend.url, 'POST', '/v1/videos', { prompt: 'A kingfisher on a branch', size: '128x96' });
    assert.equal(made.status, 201);
    await waitForStatus(backend.url, made.body.id, ['completed']);
    const asked = [];
    page.on('request', (req) => {
      if (req.url().endsWith('/credentials')) asked.push(req.url());
    });
    await page.goto(`${backend.url}/video-generation`);
    const card = page.locator(`[data-testid="job"][data-video-id="${made.body.id}"]`);
    const mark = card.getByRole('button', { name: 'Content Credentials' });
    await mark.waitFor();
    assert.equal(await mark.getAttribute('aria-expanded'), 'false');
    assert.deepEqual(asked, []); // fetched only when opened

    await mark.focus();
    await page.keyboard.press('Enter');
    const panel = card.getByRole('dialog', { name: 'Content Credentials' });
    await panel.waitFor();
    const state = panel.getByTestId('credentials-state');
    await state.filter({ hasText: 'Valid' }).waitFor();
    assert.equal(await state.innerText(), 'Valid');
    assert.match(await panel.getByTestId('credentials-model').innerText(), /Preview engine/);
    assert.match(await panel.innerText(), /Algorithmic, not AI/);
    assert.match(await panel.innerText(), /None: made from the prompt alone/);
    assert.match(await panel.getByTestId('credentials-signer').innerText(), /Video Studio content signer/);
    assert.deepEqual(asked, [`${backend.url}/v1/videos/${made.body.id}/credentials`]);
    await screenshot(page, 'credentials-open');

    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    assert.equal(await mark.evaluate((el) => el === document.activeElement), true);
    assert.equal(await mark.getAttribute('aria-expanded'), 'false');
    assert.deepEqual(session.errors, []);
  });
});
