// The sweep grid view against the real backend (preview engine): a 3x3 sweep of seeds by steps
// made on the page, its cells' queue states while the first is held at the preview gate, the
// cells playing on one clock (the spread of their currentTime measured in the browser over ~2 s
// of playback stays under one frame), the grid MP4's download, a sweep's pending cells cancelled
// and the sweep deleted from the page (its videos and grid with it), and a batch of prompts from a
// dropped .txt file (one job per line, each line's outcome shown).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, closeStudio, openStudio, screenshot } from './helpers.mjs';

/* global document, requestAnimationFrame, DataTransfer -- only inside page callbacks, which run in Chromium */

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitForSweep(baseUrl, id, done, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api(baseUrl, 'GET', `/v1/videos/sweeps/${id}`);
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`sweep ${id} not there yet: ${JSON.stringify(body.status)}`);
    await sleep(300);
  }
}

describe('sweep grid view', () => {
  let backend, browser, session;

  before(async () => {
    ({ backend, browser, session } = await openStudio({ page: { allow: [/status of 400/] } }));
  });

  after(() => closeStudio({ backend, browser }));

  it('makes a 3x3 sweep of seeds by steps whose cells play in step', async () => {
    const { page } = session;
    await page.goto(`${backend.url}/`);
    await page.getByTestId('nav-sweep').click();
    await page.getByRole('heading', { name: 'Sweep grid' }).waitFor();
    await page.getByTestId('sweep-prompt').fill(backend.gate.prompt('sweep-first', 'A red fox in snow'));
    await page.getByTestId('sweep-size').fill('128x96');
    // The form starts with seeds 1..3 across and steps 4, 8, 12 down.
    const values = page.getByTestId('sweep-axis-values');
    assert.equal(await values.nth(0).inputValue(), '1..3');
    assert.equal(await values.nth(1).inputValue(), '4, 8, 12');

    // Over 64 cells: the page says so in the server's words and sends nothing.
    await values.nth(0).fill('1..30');
    await page.getByTestId('sweep-error').filter({ hasText: '30 x 3 = 90 cells; a sweep makes at most 64.' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Make the grid' }).isDisabled(), true);
    await values.nth(0).fill('1..3');
    await page.getByTestId('sweep-cells').filter({ hasText: '9 cells' }).waitFor();

    await page.getByRole('button', { name: 'Make the grid' }).click();
    await page.waitForURL(/sweep=sweep_/);
    const sweepId = new URL(page.url()).searchParams.get('sweep');

    // The first cell is held: the others queue behind it, and the grid's download waits.
    await backend.gate.waitUntilHeld('sweep-first');
    await page.locator('[data-testid="sweep-cell"][data-status="queued"]').first().waitFor();
    await page.getByTestId('grid-download-pending').waitFor();
    const pending = await api(backend.url, 'GET', `/v1/videos/sweeps/${sweepId}/content`);
    assert.equal(pending.status, 404);
    assert.equal(pending.body.error.code, 'video_not_ready');
    await screenshot(page, 'sweep-queued');
    backend.gate.open('sweep-first');

    const sweep = await waitForSweep(backend.url, sweepId, (s) => s.status === 'completed' && s.content_url);
    assert.equal(sweep.cells.length, 9);
    await page.getByTestId('grid-download').waitFor();
    assert.deepEqual(await page.locator('thead th').allTextContents(), ['Seed = 1', 'Seed = 2', 'Seed = 3']);
    assert.deepEqual(await page.locator('tbody th').allTextContents(), ['Steps = 4', 'Steps = 8', 'Steps = 12']);
    const video = (await api(backend.url, 'GET', `/v1/videos/${sweep.cells[0].video_id}`)).body;
    const fps = video.metadata.fps;
    assert.equal(fps, 16);

    // Every cell's video has its metadata before the clock starts.
    await page.waitForFunction(() => {
      const videos = [...document.querySelectorAll('[data-testid="sweep-cell"] video')];
      return videos.length === 9 && videos.every((v) => v.readyState >= 2);
    });
    await page.getByTestId('grid-play').click();
    await sleep(300);
    const measured = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const videos = [...document.querySelectorAll('[data-testid="sweep-cell"] video')];
          const period = Math.max(...videos.map((v) => v.duration));
          const dist = (a, b) => {
            const m = Math.abs(a - b) % period;
            return Math.min(m, period - m);
          };
          const start = performance.now();
          let worst = 0;
          let samples = 0;
          let first = null;
          let last = null;
          const step = () => {
            const times = videos.map((v) => v.currentTime);
            for (let i = 0; i < times.length; i++)
              for (let j = i + 1; j < times.length; j++) worst = Math.max(worst, dist(times[i], times[j]));
            samples += 1;
            first ??= times[0];
            last = times[0];
            if (performance.now() - start < 2000) requestAnimationFrame(step);
            else resolve({ worst, samples, first, last, playing: videos.filter((v) => !v.paused).length, period });
          };
          requestAnimationFrame(step);
        }),
    );
    console.log(`sweep clock: max spread ${(measured.worst * 1000).toFixed(1)} ms over ${measured.samples} samples`);
    assert.ok(measured.samples > 20, `only ${measured.samples} samples`);
    assert.ok(measured.first !== measured.last, 'the cells did not play');
    assert.ok(measured.worst < 1 / fps, `spread ${measured.worst} s is a frame (1/${fps} s) or more`);
    await screenshot(page, 'sweep-playing');
    await page.getByTestId('grid-play').click(); // pause all
    await page.getByRole('button', { name: 'Play all' }).waitFor();

    const href = await page.getByTestId('grid-download').getAttribute('href');
    const res = await page.request.get(new URL(href, backend.url).href);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'video/mp4');

    // A cell becomes a storyboard shot.
    await page.getByRole('button', { name: 'Add Seed = 2, Steps = 8 to the storyboard' }).click();
    await page.getByRole('button', { name: 'Open storyboard' }).click();
    await page.getByTestId('shot-card').first().waitFor();
    assert.match(await page.getByTestId('shot-card').first().getByLabel('Prompt').inputValue(), /A red fox in snow/);
    assert.equal(await page.getByTestId('shot-card').first().getByLabel('Seed').inputValue(), '2');
    assert.deepEqual(session.errors, []);
  });

  it('cancels the pending cells, then deletes the sweep with its videos and grid', async () => {
    const { page } = session;
    const made = await api(backend.url, 'POST', '/v1/videos/sweeps', {
      base: { prompt: backend.gate.prompt('sweep-cancel', 'A heron in the reeds'), size: '128x96' },
      axes: [{ param: 'seed', values: [1, 2, 3] }],
    });
    assert.equal(made.status, 201);
    const id = made.body.id;
    const videoIds = made.body.cells.map((c) => c.video_id);
    await backend.gate.waitUntilHeld('sweep-cancel'); // the first cell runs, held; two are queued
    await page.goto(`${backend.url}/sweep?sweep=${id}`);
    const cancel = page.getByRole('button', { name: 'Cancel 3 pending cells' });
    await cancel.waitFor();
    await screenshot(page, 'sweep-cancel');
    await cancel.press('Enter');
    const done = await waitForSweep(backend.url, id, (s) => s.cells.every((c) => c.status === 'cancelled'));
    assert.equal(done.status, 'failed');
    await page.locator('[data-testid="sweep-cell"][data-status="cancelled"]').nth(2).waitFor();
    await page.getByTestId('sweep-cancel').waitFor({ state: 'detached' });
    await page.getByTestId('grid-download').waitFor(); // nothing left to run: the grid of greyed cells
    const grid = await fetch(`${backend.url}/v1/videos/sweeps/${id}/content`, { headers: { Range: 'bytes=0-0' } });
    assert.equal(grid.status, 206);

    // Delete asks first; confirmed, the sweep, its videos and its grid are gone.
    await page.getByRole('button', { name: 'Delete sweep' }).click();
    const confirm = page.getByTestId('sweep-delete-confirm');
    assert.equal(await confirm.evaluate((el) => el === document.activeElement), true);
    assert.match(
      await page.getByRole('group', { name: 'Confirm: Delete sweep' }).textContent(),
      /Delete this sweep, its 3 videos and its grid\?/,
    );
    assert.equal((await api(backend.url, 'GET', `/v1/videos/sweeps/${id}`)).status, 200);
    await confirm.click();
    await page.getByTestId('sweep-notice').filter({ hasText: 'Sweep deleted' }).waitFor();
    await page.waitForURL((url) => !url.searchParams.has('sweep'));
    assert.equal(await page.getByTestId('sweep-grid').count(), 0);
    assert.equal((await api(backend.url, 'GET', `/v1/videos/sweeps/${id}`)).status, 404);
    assert.equal((await api(backend.url, 'GET', `/v1/videos/sweeps/${id}/content`)).status, 404);
    for (const videoId of videoIds) assert.equal((await api(backend.url, 'GET', `/v1/videos/${videoId}`)).status, 404);
    assert.deepEqual(session.errors, []);
  });

  it('queues a job per line of a dropped .txt file, showing each line', async () => {
    const { page } = session;
    await page.goto(`${backend.url}/sweep`);
    await page.getByTestId('sweep-size').fill('128x96'); // the batch takes the form's settings
    const lines = ['A lighthouse at night', '', 'A cactus in bloom', 'x'.repeat(2100)];
    const dt = await page.evaluateHandle((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'prompts.txt', { type: 'text/plain' }));
      return data;
    }, lines.join('\n'));
    await page.getByTestId('batch-drop').dispatchEvent('drop', { dataTransfer: dt });
    await page.getByTestId('batch-results').getByText('Batch: 3 of 3 sent').waitFor();
    const items = await page.getByTestId('batch-results').locator('li').allTextContents();
    assert.match(items[0], /^Line 1: A lighthouse at night — queued/);
    assert.match(items[1], /^Line 3: A cactus in bloom — queued/);
    assert.match(items[2], /^Line 4: x+ — failed: /);
    const listed = (await api(backend.url, 'GET', '/v1/videos?limit=100')).body.data;
    for (const prompt of ['A lighthouse at night', 'A cactus in bloom']) {
      const video = listed.find((v) => v.prompt === prompt);
      assert.ok(video, `no job for ${prompt}`);
      assert.equal(video.size, '128x96');
    }

    // The same on the video page's composer, with its settings (one job per line, no variations).
    await page.goto(`${backend.url}/video-generation`);
    await page.getByLabel('Prompt', { exact: true }).waitFor();
    const composerFile = await page.evaluateHandle(() => {
      const data = new DataTransfer();
      data.items.add(new File(['A paper boat\nA snowy owl\n'], 'more.txt', { type: 'text/plain' }));
      return data;
    });
    await page.getByTestId('batch-drop').dispatchEvent('drop', { dataTransfer: composerFile });
    await page.getByTestId('batch-results').getByText('Batch: 2 of 2 sent').waitFor();
    const all = (await api(backend.url, 'GET', '/v1/videos?limit=100')).body.data.map((v) => v.prompt);
    assert.equal(all.filter((p) => p === 'A paper boat' || p === 'A snowy owl').length, 2);
  });
});
