// The storyboard view against the real backend (preview engine): a four-shot board built on the
// page (a continue shot waits while the shot before it is held at the preview gate), a re-roll of
// shot two that keeps the other shots' videos, the joined MP4 with its seams, its download, and
// the board saved as JSON and loaded again; the board deleted from the page (after its
// confirmation, by keyboard), its shots' videos left in history; then the view at phone width.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { api, closeStudio, openStudio, screenshot } from './helpers.mjs';

/* global document, window -- only inside page callbacks, which run in Chromium */

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitForBoard(baseUrl, id, done, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api(baseUrl, 'GET', `/v1/storyboards/${id}`);
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`storyboard ${id} not there yet: ${JSON.stringify(body)}`);
    await sleep(300);
  }
}

describe('storyboard view', () => {
  let backend, browser, session;
  let boardId = null; // the first test's board

  before(async () => {
    ({ backend, browser, session } = await openStudio());
  });

  after(() => closeStudio({ backend, browser }));

  it('builds a four-shot board, re-rolls shot two alone, plays and downloads the joined MP4', async () => {
    const { page } = session;
    await page.goto(`${backend.url}/`);
    await page.getByTestId('nav-storyboard').click();
    await page.getByRole('heading', { name: 'Storyboard' }).waitFor();

    for (let i = 0; i < 3; i += 1) await page.getByRole('button', { name: 'Add shot' }).click();
    const cards = page.getByTestId('shot-card');
    assert.equal(await cards.count(), 4);
    const prompts = [
      `A fox wakes in its den ${backend.gate.prompt('sb-first', '').trim()}`,
      'It steps out into the snow',
      'The valley at dusk',
      'Stars over the hills',
    ];
    for (let i = 0; i < 4; i += 1) {
      await cards.nth(i).getByLabel('Prompt').fill(prompts[i]);
      await cards
        .nth(i)
        .getByLabel('Seed')
        .fill(String(10 + i));
    }
    await cards.nth(1).getByLabel('Join').selectOption('continue');
    await cards.nth(2).getByLabel('Join').selectOption('crossfade');
    await cards.nth(2).getByLabel('Crossfade frames').fill('4');
    await page.getByTestId('board-size').fill('128x96');

    // Reorder by keyboard and back: shot 4 left, then right again.
    await cards.nth(3).getByRole('button', { name: 'Move shot 4 left' }).press('Enter');
    assert.equal(await cards.nth(2).getByLabel('Prompt').inputValue(), prompts[3]);
    await page.getByRole('button', { name: 'Move shot 3 right' }).press('Enter');
    assert.equal(await cards.nth(3).getByLabel('Prompt').inputValue(), prompts[3]);

    await page.getByTestId('make-board').click();
    await page.waitForURL(/board=sb_/);
    boardId = new URL(page.url()).searchParams.get('board');

    // Shot one is held at the gate: the continue shot after it waits, and says so.
    await backend.gate.waitUntilHeld('sb-first');
    await cards.nth(1).getByTestId('shot-status').filter({ hasText: 'Waiting' }).waitFor();
    backend.gate.open('sb-first');

    const first = await waitForBoard(backend.url, boardId, (b) => b.status === 'completed' && b.content_url);
    const before = first.shots.map((s) => s.video_id);
    assert.equal(new Set(before).size, 4);
    await page.getByTestId('board-download').waitFor();
    await page.getByTestId('seam-marker').first().waitFor();
    assert.equal(await page.getByTestId('seam-marker').count(), 3);
    for (let i = 0; i < 4; i += 1) {
      await cards.nth(i).locator(`[data-testid="shot-thumbnail"][data-video-id="${before[i]}"]`).waitFor();
    }
    await screenshot(page, 'storyboard-joined');

    await page.getByRole('button', { name: 'Re-roll shot 2' }).click();
    const rerolled = await waitForBoard(
      backend.url,
      boardId,
      (b) => b.shots[1].video_id !== before[1] && b.status === 'completed' && b.content_url,
    );
    const after = rerolled.shots.map((s) => s.video_id);
    assert.notEqual(after[1], before[1]);
    assert.deepEqual([after[0], after[2], after[3]], [before[0], before[2], before[3]]);
    await cards.nth(1).locator(`[data-testid="shot-thumbnail"][data-video-id="${after[1]}"]`).waitFor();

    // A changed prompt, saved: the shot is "changed" (with the server's reason) and keeps its old
    // video until "Re-run stale shots" makes a new one; the others keep theirs.
    await cards.nth(3).getByLabel('Prompt').fill('Stars over the frozen lake');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await cards.nth(3).getByTestId('shot-status').filter({ hasText: 'Changed' }).waitFor();
    await cards.nth(3).getByTestId('shot-reason').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save changes' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Re-run stale shots' }).click();
    const rerun = await waitForBoard(
      backend.url,
      boardId,
      (b) => b.shots[3].video_id !== after[3] && b.status === 'completed' && b.content_url,
    );
    assert.equal(rerun.shots[3].prompt, 'Stars over the frozen lake');
    assert.deepEqual(
      rerun.shots.slice(0, 3).map((s) => s.video_id),
      after.slice(0, 3),
    );
    prompts[3] = 'Stars over the frozen lake';

    // Play all: the joined film's metadata loads in the page.
    const duration = await page
      .getByTestId('joined-video')
      .evaluate(
        (v) =>
          new Promise((resolve) =>
            v.readyState >= 1 ? resolve(v.duration) : v.addEventListener('loadedmetadata', () => resolve(v.duration)),
          ),
      );
    assert.ok(Math.abs(duration - rerun.metadata.duration) < 0.2, `${duration} vs ${rerun.metadata.duration}`);

    const href = await page.getByTestId('board-download').getAttribute('href');
    const res = await page.request.get(new URL(href, backend.url).href);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'video/mp4');
    assert.ok((await res.body()).length > 1000);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('board-download').click()]);
    assert.match(download.suggestedFilename(), /\.mp4$/);

    // Save as JSON, then load it: a new draft of the same four shots.
    const [saved] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Save as JSON' }).click(),
    ]);
    const file = await saved.path();
    const board = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(board.shots.length, 4);
    assert.equal(board.shots[1].join, 'continue');
    await page.getByTestId('board-file').setInputFiles(file);
    await page.waitForURL((url) => !url.searchParams.has('board'));
    assert.equal(await cards.count(), 4);
    assert.equal(await cards.nth(3).getByLabel('Prompt').inputValue(), prompts[3]);
    assert.equal(await cards.nth(1).getByLabel('Join').inputValue(), 'continue');
    await page.getByTestId('make-board').waitFor();
    assert.deepEqual(session.errors, []);
  });

  it("deletes a board from the page after asking, keeping its shots' videos", async () => {
    assert.ok(boardId, 'the first test made no board');
    const { page } = session;
    const videoIds = (await api(backend.url, 'GET', `/v1/storyboards/${boardId}`)).body.shots.map((s) => s.video_id);
    await page.goto(`${backend.url}/storyboard?board=${boardId}`);
    await page.getByTestId('board-status').filter({ hasText: 'Done' }).waitFor();
    // Asked first: Escape keeps it, the focus back on the button.
    const remove = page.getByRole('button', { name: 'Delete storyboard' });
    await remove.focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByTestId('board-delete-confirm');
    await confirm.waitFor();
    assert.equal(await confirm.evaluate((el) => el === document.activeElement), true);
    await page.keyboard.press('Escape');
    await remove.waitFor();
    assert.equal(await remove.evaluate((el) => el === document.activeElement), true);
    assert.equal((await api(backend.url, 'GET', `/v1/storyboards/${boardId}`)).status, 200);

    await page.keyboard.press('Enter');
    await screenshot(page, 'storyboard-delete-confirm');
    await page.keyboard.press('Enter'); // the confirm button has the focus
    await page.getByTestId('board-notice').filter({ hasText: 'Storyboard deleted' }).waitFor();
    await page.waitForURL((url) => !url.searchParams.has('board'));
    assert.equal(await page.getByTestId('shot-card').count(), 1);
    assert.equal((await api(backend.url, 'GET', `/v1/storyboards/${boardId}`)).status, 404);
    assert.equal((await api(backend.url, 'GET', `/v1/storyboards/${boardId}/content`)).status, 404);
    for (const id of videoIds) {
      assert.equal((await api(backend.url, 'GET', `/v1/videos/${id}`)).body.status, 'completed', id);
    }
    assert.deepEqual(session.errors, []);
  });

  it('fits a phone screen', async () => {
    const { page } = session;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${backend.url}/storyboard`);
    await page.getByTestId('shot-strip').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
    await screenshot(page, 'storyboard-phone');
  });
});
