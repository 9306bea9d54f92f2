// Steering the queue on the page, against the real backend (preview engine, one job at a time):
// pause the queue, queue two videos, run the second next and edit its prompt, resume, and the
// second runs first with the edited prompt. The first is held at the preview gate, so it cannot
// finish before the test lets it: had it run first, the second would never start.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, closeStudio, openStudio, screenshot, waitForStatus } from './helpers.mjs';

/* global document, window -- only inside page callbacks, which run in Chromium */

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The newest video whose prompt is `prompt`, once the page has sent it. */
async function videoWithPrompt(baseUrl, prompt) {
  for (let i = 0; i < 80; i += 1) {
    const found = (await api(baseUrl, 'GET', '/v1/videos?limit=20')).body.data.find((v) => v.prompt === prompt);
    if (found) return found;
    await sleep(250);
  }
  throw new Error(`no job for “${prompt}”`);
}

describe('steering the queue', () => {
  let backend, browser, session;

  before(async () => {
    ({ backend, browser, session } = await openStudio());
  });

  after(() => closeStudio({ backend, browser }));

  it('pauses, runs the second video next with an edited prompt, resumes: the second runs first', async () => {
    const { page, errors } = session;
    await page.goto(`${backend.url}/video-generation`);
    await page.getByTestId('empty-state').waitFor();

    // Pause: the header's button flips and the notice says what a pause means.
    const pause = page.getByRole('button', { name: 'Pause queue' });
    await pause.click();
    await page.getByRole('button', { name: 'Resume queue' }).waitFor();
    assert.match(
      await page.getByTestId('queue-paused').innerText(),
      /Queue paused: running videos finish, nothing new starts/,
    );
    assert.equal((await api(backend.url, 'GET', '/v1/queue')).body.paused, true);

    // Two videos; the first would wait at its gate once started.
    const firstPrompt = backend.gate.prompt('first', 'First in line: a lighthouse');
    const secondPrompt = 'Second in line: a windmill';
    const editedPrompt = 'Second in line: a windmill at night, edited';
    const input = page.getByLabel('Prompt', { exact: true });
    await input.fill(firstPrompt);
    await input.press('Enter');
    await page.getByTestId('job').filter({ hasText: 'First in line' }).waitFor();
    await input.fill(secondPrompt);
    await input.press('Enter');
    const first = page.getByTestId('job').filter({ hasText: 'First in line' });
    const second = page.getByTestId('job').filter({ hasText: 'Second in line' });
    await second.waitFor();
    const firstId = (await videoWithPrompt(backend.url, firstPrompt)).id;
    const secondId = (await videoWithPrompt(backend.url, secondPrompt)).id;
    await second.getByText('Queued: position 2 (1 ahead)').waitFor();
    // Paused: neither starts.
    await sleep(500);
    assert.equal((await api(backend.url, 'GET', `/v1/videos/${firstId}`)).body.status, 'queued');

    // Run the second next: its card says so at once, and the first moves behind it.
    await second.getByRole('button', { name: /^Run next/ }).click();
    await second.getByText('Queued: next to start').waitFor();
    await first.getByText('Queued: position 2 (1 ahead)').waitFor();
    const order = (await api(backend.url, 'GET', '/v1/queue')).body.data.map((v) => v.id);
    assert.deepEqual(order, [secondId, firstId]);

    // Edit its prompt in place.
    await second.getByRole('button', { name: /^Edit/ }).click();
    const form = second.getByRole('form', { name: 'Edit the queued video' });
    const promptField = form.getByLabel('Prompt', { exact: true });
    assert.equal(await promptField.inputValue(), secondPrompt);
    await promptField.fill(editedPrompt);
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.waitFor({ state: 'detached' });
    const edited = page.getByTestId('job').filter({ hasText: editedPrompt });
    await edited.waitFor();
    assert.equal((await api(backend.url, 'GET', `/v1/videos/${secondId}`)).body.prompt, editedPrompt);

    // At a phone's width the queued card's actions still fit without scrolling sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await edited.getByRole('button', { name: /^Run next/ }).scrollIntoViewIfNeeded();
    assert.ok(await edited.getByRole('button', { name: /^Move to end/ }).isVisible());
    assert.ok(await page.getByRole('button', { name: 'Resume queue' }).isVisible());
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scroll at 390 px (${overflow} px over)`);
    await screenshot(page, '40-queue-paused-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
    await screenshot(page, '41-queue-paused-edited');

    // Resume: the second (edited) runs first and completes while the first waits its turn.
    await page.getByRole('button', { name: 'Resume queue' }).click();
    await page.getByRole('button', { name: 'Pause queue' }).waitFor();
    await page.getByTestId('queue-paused').waitFor({ state: 'detached' });
    await page
      .locator(`[data-testid="job"][data-video-id="${secondId}"][data-status="completed"]`)
      .waitFor({ timeout: 60_000 });
    const done = await waitForStatus(backend.url, secondId, ['completed']);
    assert.equal(done.prompt, editedPrompt);
    assert.notEqual((await api(backend.url, 'GET', `/v1/videos/${firstId}`)).body.status, 'completed');
    assert.match(await edited.getByTestId('job-video').getAttribute('aria-label'), /a windmill at night, edited/);

    // Then the first runs, once let through its gate.
    await backend.gate.waitUntilHeld('first');
    backend.gate.open('first');
    const firstDone = await waitForStatus(backend.url, firstId, ['completed']);
    assert.ok(firstDone.started_at >= done.started_at, 'the second started first');
    await page
      .locator(`[data-testid="job"][data-video-id="${firstId}"][data-status="completed"]`)
      .waitFor({ timeout: 30_000 });
    await screenshot(page, '42-queue-resumed');
    assert.deepEqual(errors, []);
  });
});
