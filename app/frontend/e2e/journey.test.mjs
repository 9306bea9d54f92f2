// The main user journey in real Chromium against the real backend with the built-in
// preview engine: home card -> /video-generation, generate, play, download, queue,
// cancel, delete, reload, backend restart, phone width.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, closeStudio, openPage, openStudio, screenshot, startBackend } from './helpers.mjs';

/* global document, getComputedStyle -- only inside page.evaluate/waitForFunction callbacks, which run in Chromium */

const PROMPT = 'Volcano on a beach';

/** Wait until the <video> of a job has metadata: a duration > 0 and readyState >= 1. */
async function videoInfo(locator) {
  await locator.evaluate(
    (el) =>
      new Promise((resolve, reject) => {
        if (el.readyState >= 1 && el.duration > 0) return resolve();
        const timer = setTimeout(() => reject(new Error(`no metadata; readyState=${el.readyState}`)), 20_000);
        el.addEventListener('loadedmetadata', () => (clearTimeout(timer), resolve()), { once: true });
        el.addEventListener('error', () => (clearTimeout(timer), reject(new Error('video error'))), { once: true });
        el.load();
      }),
  );
  return locator.evaluate((el) => ({
    duration: el.duration,
    readyState: el.readyState,
    poster: el.poster,
    src: el.src,
  }));
}

describe('video generation journey (preview engine)', () => {
  let backend, browser, session;

  before(async () => {
    ({ backend, browser, session } = await openStudio());
  });

  after(() => closeStudio({ backend, browser }));

  it('home page shows the Video Generation card with a ready provider and opens the page', async () => {
    const { page } = session;
    await page.goto(`${backend.url}/`);
    await page.getByRole('heading', { name: 'AI Playground' }).waitFor();
    const card = page.getByTestId('model-card-video-generation');
    await card.getByRole('heading', { name: 'Video Generation' }).waitFor();
    const state = card.getByTestId('provider-state');
    await state.waitFor();
    assert.equal(await state.getAttribute('data-ready'), 'true');
    assert.match(await state.innerText(), /Ready: Preview engine/);
    // The card names what will really run: the preview engine here, not "Wan 2.2 on Tenstorrent".
    assert.match(await card.getByTestId('powered-by').innerText(), /Preview engine/);
    assert.doesNotMatch(await card.innerText(), /n300|Wan 2\.2 on Tenstorrent/);
    assert.match(await card.innerText(), /VideoGen/);
    // The nav item is a live link when a provider is ready.
    const nav = page.getByRole('link', { name: 'Video Generation' }).first();
    assert.equal(await nav.getAttribute('href'), '/video-generation');
    await screenshot(page, '01-home');

    await card.click();
    await page.waitForURL(`${backend.url}/video-generation`);
    await page.getByTestId('empty-state').waitFor();
    assert.equal(
      await page.getByLabel('Prompt', { exact: true }).getAttribute('placeholder'),
      'Describe a video, e.g. “Volcano on a beach”',
    );
    await screenshot(page, '02-empty');

    // The prompt box has the focus on load, and is reachable again with Tab, focus visible on the way.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'prompt-input');
    let reached = false;
    for (let i = 0; i < 20 && !reached; i += 1) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        return {
          testid: el?.getAttribute('data-testid'),
          tag: el?.tagName,
          outline: el ? getComputedStyle(el).outlineStyle : '',
        };
      });
      // Past the last control focus leaves the page (BODY) before wrapping to the skip link.
      if (focused.testid !== 'prompt-input' && focused.tag !== 'BODY') {
        assert.notEqual(focused.outline, 'none', `focus ring on ${focused.testid ?? 'element'}`);
      }
      reached = focused.testid === 'prompt-input';
    }
    assert.ok(reached, 'Tab reaches the prompt box');
  });

  it('generates a video from a prompt: progress, then a playable, seekable video with label and download', async () => {
    const { page } = session;
    const input = page.getByLabel('Prompt', { exact: true });
    await input.focus(); // keyboard only from here
    // The job waits at the test gate after its first frame until let go below.
    await page.keyboard.type(backend.gate.prompt('volcano', PROMPT));
    await page.keyboard.press('Enter');

    const job = page.getByTestId('job').filter({ hasText: PROMPT });
    await job.waitFor();
    // The job is answered "queued" at once and shown with its progress bar before it finishes.
    await job.getByTestId('job-waiting').waitFor();
    await job.getByTestId('job-waiting').getByRole('progressbar').waitFor();
    assert.equal(await input.inputValue(), '', 'the prompt box is cleared after submitting');
    backend.gate.open('volcano');
    await page
      .getByTestId('announcer')
      .filter({ hasText: `Video ready: ${PROMPT}` })
      .waitFor({ state: 'attached', timeout: 60_000 });

    await page
      .locator('[data-testid="job"][data-status="completed"]')
      .filter({ hasText: PROMPT })
      .waitFor({ timeout: 60_000 });
    const video = job.getByTestId('job-video');
    const info = await videoInfo(video);
    assert.ok(info.duration > 0, `duration ${info.duration}`);
    assert.ok(info.readyState >= 1, `readyState ${info.readyState}`);
    // The player reads it through a short-lived signed link (docs/api.md, Signed links).
    assert.match(info.src, /\/links\/video\/\d+\/[A-Za-z0-9_-]+\/videos\/video_[0-9a-f]{32}\.mp4$/);
    assert.match(info.poster, /variant=thumbnail/);
    assert.equal(await video.getAttribute('controls'), '');

    // It plays, and seeking works (the server answers Range requests).
    const played = await video.evaluate(async (el) => {
      el.muted = true;
      await el.play();
      await new Promise((r) => setTimeout(r, 600));
      const t = el.currentTime;
      el.pause();
      el.currentTime = Math.min(1, el.duration / 2);
      await new Promise((r) => el.addEventListener('seeked', r, { once: true }));
      return { t, afterSeek: el.currentTime };
    });
    assert.ok(played.t > 0, `currentTime advanced while playing (${played.t})`);
    assert.ok(played.afterSeek > 0, 'seeked');

    const label = job.getByTestId('preview-label');
    assert.equal((await label.innerText()).trim(), 'preview, not AI');
    assert.ok(await label.isVisible());

    const download = job.getByTestId('job-download');
    assert.match(await download.getAttribute('href'), /\/content\?download=1$/);
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    assert.match(file.suggestedFilename(), /volcano.*beach.*\.mp4$/i);

    await job.scrollIntoViewIfNeeded();
    await screenshot(page, '04-finished-video');
  });

  it('queues two prompts behind a running job, cancels one and deletes one', async () => {
    const { page } = session;
    // A job held running at the test gate keeps the single preview worker busy so the next
    // prompts really wait in the queue (it is cancelled below, never let go).
    const blocker = await api(backend.url, 'POST', '/v1/videos', {
      prompt: backend.gate.prompt('blocker', 'Long blocker clip'),
    });
    assert.equal(blocker.status, 201);
    await backend.gate.waitUntilHeld('blocker');
    await page.reload();
    const blockerCard = page.locator(`[data-video-id="${blocker.body.id}"]`);
    await blockerCard.waitFor();

    const input = page.getByLabel('Prompt', { exact: true });
    await input.fill('A paper boat drifting down a rainy street');
    await input.press('Enter');
    await page.getByTestId('job').filter({ hasText: 'A paper boat' }).waitFor();
    await input.fill('Northern lights over a snowy forest');
    await page.getByRole('button', { name: 'Generate video' }).click();
    const second = page.getByTestId('job').filter({ hasText: 'Northern lights' });
    await second.waitFor();

    const first = page.getByTestId('job').filter({ hasText: 'A paper boat' });
    // Both wait behind the blocker, with their queue position shown.
    await first.getByText(/Queued: (next to start|position)/).waitFor();
    await second.getByText(/Queued: position 2 \(1 ahead\)/).waitFor();
    await second.getByTestId('job-eta').waitFor();
    await second.getByTestId('job-elapsed').waitFor();
    // The running blocker shows a real progress bar.
    await page.waitForFunction(
      (id) => {
        const bar = document.querySelector(`[data-video-id="${id}"] [role="progressbar"]`);
        return bar && Number(bar.getAttribute('aria-valuenow')) > 0;
      },
      blocker.body.id,
      { timeout: 30_000 },
    );
    await page.getByTestId('active-count').waitFor();
    await blockerCard.getByRole('progressbar').scrollIntoViewIfNeeded();
    await screenshot(page, '03-generating');

    // Cancel the second queued prompt.
    await second.getByTestId('job-cancel').click();
    await page.locator('[data-testid="job"][data-status="cancelled"]').filter({ hasText: 'Northern lights' }).waitFor();
    const cancelledId = await second.getAttribute('data-video-id');
    assert.equal((await api(backend.url, 'GET', `/v1/videos/${cancelledId}`)).body.status, 'cancelled');

    // Cancel the blocker from its card, then delete it; the paper boat goes ahead.
    await blockerCard.getByTestId('job-cancel').click();
    await page.locator(`[data-video-id="${blocker.body.id}"][data-status="cancelled"]`).waitFor({ timeout: 30_000 });
    await blockerCard.getByTestId('job-delete').click();
    await blockerCard.waitFor({ state: 'detached' });
    // Deleted on the server once the undo time has passed.
    for (let i = 0; i < 60 && (await api(backend.url, 'GET', `/v1/videos/${blocker.body.id}`)).status !== 404; i += 1) {
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal((await api(backend.url, 'GET', `/v1/videos/${blocker.body.id}`)).status, 404);

    await page
      .locator('[data-testid="job"][data-status="completed"]')
      .filter({ hasText: 'A paper boat' })
      .waitFor({ timeout: 60_000 });

    // Retry the cancelled one: a new job with the same prompt that completes.
    await second.getByTestId('job-retry').click();
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid="job"][data-status="completed"]')].filter((el) =>
          el.textContent?.includes('Northern lights'),
        ).length === 1,
      undefined,
      { timeout: 60_000 },
    );
  });

  it('keeps the history over a reload and over a backend restart', async () => {
    const { page } = session;
    const before = await page
      .locator('[data-testid="job"]')
      .evaluateAll((els) => els.map((el) => `${el.getAttribute('data-video-id')}:${el.getAttribute('data-status')}`));
    assert.equal(before.length, 4, `expected 4 jobs, saw ${before.join(', ')}`);

    await page.reload();
    await page.locator('[data-testid="job"]').nth(3).waitFor();
    const afterReload = await page
      .locator('[data-testid="job"]')
      .evaluateAll((els) => els.map((el) => `${el.getAttribute('data-video-id')}:${el.getAttribute('data-status')}`));
    assert.deepEqual(afterReload, before);
    // Prompts, parameters and posters come back too.
    const firstJob = page.getByTestId('job').filter({ hasText: PROMPT });
    assert.match(await firstJob.getByLabel('Parameters').innerText(), /steps\s*12[\s\S]*seed\s*\d+/);
    // An older card asks for its poster once it comes near the screen (useNearViewport).
    await firstJob.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (el) => /variant=thumbnail/.test(el.getAttribute('poster') ?? ''),
      await firstJob.getByTestId('job-video').elementHandle(),
      { timeout: 10_000 },
    );

    // Same data dir and port, new process. The tab leaves first: a stop resets the player's
    // open media connection, which Chromium logs as a console error.
    const { dataDir, port } = backend;
    const pageUrl = page.url();
    await page.goto('about:blank');
    await backend.stop();
    backend = await startBackend({ dataDir, port });
    await page.goto(pageUrl);
    await page.locator('[data-testid="job"]').nth(3).waitFor();
    const afterRestart = await page
      .locator('[data-testid="job"]')
      .evaluateAll((els) => els.map((el) => `${el.getAttribute('data-video-id')}:${el.getAttribute('data-status')}`));
    assert.deepEqual(afterRestart, before);
    await firstJob.scrollIntoViewIfNeeded(); // its player is given its link once near the screen
    await page.waitForFunction(
      (el) => Boolean(el.getAttribute('src')),
      await firstJob.getByTestId('job-video').elementHandle(),
      { timeout: 10_000 },
    );
    const info = await videoInfo(firstJob.getByTestId('job-video'));
    assert.ok(info.duration > 0);
  });

  it('fits a phone screen (375 px) without horizontal scrolling', async () => {
    const phone = await openPage(browser, { viewport: { width: 375, height: 812 } });
    try {
      await phone.page.goto(`${backend.url}/`);
      await phone.page.getByTestId('model-card-video-generation').waitFor();
      await phone.page.getByTestId('provider-state').waitFor();
      await screenshot(phone.page, '06-phone-home');
      const homeOverflow = await phone.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(homeOverflow <= 375, `home scrollWidth ${homeOverflow}`);

      await phone.page.goto(`${backend.url}/video-generation`);
      await phone.page.locator('[data-testid="job"][data-status="completed"]').first().waitFor();
      await screenshot(phone.page, '06-phone-video-generation');
      await phone.page.getByTestId('settings-toggle').click();
      await phone.page.getByLabel('Negative prompt').waitFor();
      const widths = await phone.page.evaluate(() => ({
        doc: document.documentElement.scrollWidth,
        chat: document.querySelector('[data-testid="chat-scroll"]')?.scrollWidth ?? 0,
      }));
      assert.ok(widths.doc <= 375, `page scrollWidth ${widths.doc}`);
      assert.ok(widths.chat <= 375, `chat scrollWidth ${widths.chat}`);
      await screenshot(phone.page, '06-phone-parameters');
      assert.deepEqual(phone.errors, [], 'no console errors at phone width');
    } finally {
      await phone.context.close();
    }
  });

  it('logged no console errors along the way', () => {
    assert.deepEqual(session.errors, []);
  });
});
