// Sound on the page, against the real backend (preview engine, whose tone is made when asked):
// the Sound switch sends `sound`, the card says the clip has sound and its player is not muted
// (Chromium decodes the AAC track while it plays), and the grid's preview plays muted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, closeStudio, openStudio, screenshot, waitForStatus } from './helpers.mjs';

/* global document -- only inside page callbacks, which run in Chromium */

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('sound on the page', () => {
  let backend, browser, session;

  before(async () => {
    ({ backend, browser, session } = await openStudio());
  });

  after(() => closeStudio({ backend, browser }));

  it('asks for sound, marks the card, plays it in the open player and mutes the grid preview', async () => {
    const { page } = session;
    const prompt = 'A bell rings over a quiet lake';
    await page.goto(`${backend.url}/video-generation`);
    const toggle = page.getByTestId('settings-toggle');
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    await page.getByTestId('settings-panel').waitFor();
    await page.getByRole('checkbox', { name: /Sound/ }).check();
    const input = page.getByLabel('Prompt', { exact: true });
    await input.fill(prompt);
    await input.press('Enter');
    await toggle.click(); // the panel closed: the card shows
    let video;
    for (let i = 0; i < 80 && !video; i += 1) {
      video = (await api(backend.url, 'GET', '/v1/videos?limit=10')).body.data.find((v) => v.prompt === prompt);
      if (!video) await sleep(250);
    }
    assert.ok(video, 'the page sent the prompt');
    assert.equal(video.sound, true, 'the switch asked for sound');
    const done = await waitForStatus(backend.url, video.id, ['completed']);
    assert.equal(done.has_audio, true);

    const card = page.locator(`[data-testid="job"][data-video-id="${video.id}"]`);
    const badge = card.getByTestId('sound-badge');
    await badge.waitFor();
    assert.match(await badge.getAttribute('title'), /^Has sound: AAC, stereo, 48 kHz$/);
    const player = card.getByTestId('job-video');
    assert.equal(await player.evaluate((el) => el.muted), false, 'the open player plays the sound');
    // Play it (a click is the gesture autoplay wants) until Chromium has decoded some sound.
    await player.evaluate((el) => el.play());
    await page.waitForFunction(
      (id) => {
        const el = document.querySelector(`[data-video-id="${id}"] [data-testid="job-video"]`);
        return el && (el.webkitAudioDecodedByteCount > 0 || el.ended);
      },
      video.id,
      { timeout: 30_000 },
    );
    const decoded = await player.evaluate((el) => el.webkitAudioDecodedByteCount);
    assert.ok(decoded > 0, 'Chromium decoded the sound');
    await screenshot(page, 'sound-card');

    await page.getByTestId('view-grid').click();
    const tile = page.locator(`[data-testid="gallery-tile"][data-video-id="${video.id}"]`);
    await tile.waitFor();
    await tile.getByText('Has sound').waitFor({ state: 'attached' });
    await tile.getByRole('button', { name: /^Play/ }).press('Enter'); // the open settings panel covers the grid's top
    const preview = tile.locator('video');
    await preview.waitFor();
    assert.equal(await preview.evaluate((el) => el.muted), true, 'the grid preview is muted');
    await screenshot(page, 'sound-grid');
  });
});
