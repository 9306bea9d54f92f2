// The studio stopped mid-job: the page says "studio unreachable, reconnecting" within a few
// seconds, marks the ETA stale, backs off, and clears the banner once the studio is back, where
// the job that was running says it was started again after the restart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, closeStudio, openStudio, screenshot, startBackend } from './helpers.mjs';

/* global document -- only inside page callbacks, which run in Chromium */

describe('studio unreachable and back', () => {
  let backend, browser, session;

  before(async () => {
    // The requests that fail while the studio is down are logged by Chromium; they are the point here.
    ({ backend, browser, session } = await openStudio({
      page: { allow: [/ERR_CONNECTION_REFUSED|Failed to load resource|EventSource/] },
    }));
  });

  after(() => closeStudio({ backend, browser }));

  it('shows the banner within a few seconds, backs off, and clears it after the restart', async () => {
    const { page } = session;
    // A job held running at the test gate (never let go) keeps the preview worker busy through
    // the outage: the stop hands it back, and the restarted studio runs it again.
    const job = await api(backend.url, 'POST', '/v1/videos', {
      prompt: backend.gate.prompt('restart', 'Long clip across a restart'),
    });
    assert.equal(job.status, 201);
    await backend.gate.waitUntilHeld('restart');
    // The page opens its live stream once it lists an unfinished job; the studio is stopped only
    // once that stream is open. One still opening as the stop begins is not among the streams
    // the stop ends, and holds the stop up to its time limit (10 s, when stop() kills it).
    const streamOpen = page.waitForResponse((r) => r.url() === `${backend.url}/v1/videos/events`);
    await page.goto(`${backend.url}/video-generation`);
    const card = page.locator(`[data-video-id="${job.body.id}"]`);
    await card.getByTestId('job-waiting').waitFor();
    await page.waitForFunction(
      (id) =>
        Number(document.querySelector(`[data-video-id="${id}"] [role="progressbar"]`)?.getAttribute('aria-valuenow')) >
        0,
      job.body.id,
      { timeout: 30_000 },
    );

    assert.equal((await streamOpen).status(), 200);

    let requests = 0;
    page.on('request', (req) => {
      if (req.url().startsWith(backend.url)) requests += 1;
    });
    const { dataDir, port } = backend;
    const stoppedAt = Date.now();
    await backend.stop();
    const banner = page.getByTestId('connection-banner');
    await banner.waitFor({ timeout: 8_000 });
    const shownAfter = Date.now() - stoppedAt;
    assert.ok(shownAfter < 8_000, `banner after ${shownAfter} ms`);
    assert.match(await banner.innerText(), /Studio unreachable, reconnecting/);
    assert.match(await card.getByTestId('job-eta').innerText(), /unreachable|last known/);
    assert.equal(await card.getByTestId('job-waiting').getAttribute('data-stale'), 'true');
    await screenshot(page, '12-studio-unreachable');

    // Backoff: over 12 s down, a handful of requests, not one per job per second.
    requests = 0;
    await page.waitForTimeout(12_000);
    assert.ok(requests <= 12, `${requests} requests in 12 s while the studio was down`);

    backend = await startBackend({ dataDir, port });
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    // The job that was running is picked up again and the card says why it started over.
    await card.getByTestId('job-resumed').waitFor({ timeout: 20_000 });
    await screenshot(page, '13-studio-back-job-resumed');
  });

  it('logged no unexpected console errors', () => {
    assert.deepEqual(session.errors, []);
  });
});
