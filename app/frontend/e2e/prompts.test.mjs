// Prompts are never lost: a prompt entered while another is being sent waits its turn; the box
// is cleared only if it still holds the text that was sent; a failed send keeps the text and
// says why once. The POST is held (and failed) with request interception.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, closeStudio, openStudio, screenshot } from './helpers.mjs';

/* global document -- only inside page callbacks, which run in Chromium */

describe('prompts are never lost', () => {
  let backend, browser, session;

  before(async () => {
    ({ backend, browser, session } = await openStudio({ page: { allow: [/500 \(Internal Server Error\)/] } }));
  });

  after(() => closeStudio({ backend, browser }));

  it('queues prompts typed while a send is in flight and sends every one', async () => {
    const { page } = session;
    await page.goto(`${backend.url}/video-generation`);
    await page.getByTestId('empty-state').waitFor();

    // Hold the first POST until released.
    let release;
    const held = new Promise((r) => (release = r));
    let posts = 0;
    await page.route('**/v1/videos', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts += 1;
      if (posts === 1) await held;
      return route.continue();
    });

    const input = page.getByLabel('Prompt', { exact: true });
    await input.fill('First prompt: a red kite');
    await input.press('Enter');
    await page.getByTestId('sending').waitFor();
    // While it is held, the user replaces the text with two more prompts and sends each.
    await input.fill('Second prompt: a blue boat');
    await input.press('Enter');
    await input.fill('Third prompt: a green hill');
    await input.press('Enter');
    await screenshot(page, '10-prompts-queued-while-sending');
    assert.equal(posts, 1, 'one send at a time');
    assert.equal(await input.inputValue(), 'Third prompt: a green hill');
    release();

    for (const text of ['First prompt', 'Second prompt', 'Third prompt']) {
      await page.getByTestId('job').filter({ hasText: text }).waitFor();
    }
    // The box held the last text sent, so it is cleared once that one went through.
    await page.waitForFunction(() => document.querySelector('[data-testid="prompt-input"]')?.value === '');
    const { body } = await api(backend.url, 'GET', '/v1/videos?limit=10');
    const prompts = body.data.map((v) => v.prompt).reverse();
    assert.deepEqual(prompts, ['First prompt: a red kite', 'Second prompt: a blue boat', 'Third prompt: a green hill']);
    await page.unroute('**/v1/videos');
  });

  it('keeps a text typed while the send was in flight instead of clearing it', async () => {
    const { page } = session;
    let release;
    const held = new Promise((r) => (release = r));
    await page.route('**/v1/videos', async (route) => {
      if (route.request().method() === 'POST') await held;
      return route.continue();
    });
    const input = page.getByLabel('Prompt', { exact: true });
    await input.fill('Fourth prompt: a yellow tram');
    await input.press('Enter');
    await page.getByTestId('sending').waitFor();
    await input.fill('Not sent yet: still thinking');
    release();
    await page.getByTestId('job').filter({ hasText: 'Fourth prompt' }).waitFor();
    await page.getByTestId('sending').waitFor({ state: 'detached' });
    assert.equal(await input.inputValue(), 'Not sent yet: still thinking');
    await page.unroute('**/v1/videos');
    await input.fill('');
  });

  it('keeps the text of a failed send and says why once', async () => {
    const { page } = session;
    await page.route('**/v1/videos', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 500,
            contentType: 'application/json',
            body: JSON.stringify({ error: { message: 'the database is locked', type: 'server_error', code: null } }),
          })
        : route.continue(),
    );
    const input = page.getByLabel('Prompt', { exact: true });
    await input.fill('Fifth prompt: a purple cloud');
    await input.press('Enter');
    const alert = page.getByTestId('submit-error');
    await alert.waitFor();
    assert.equal(await alert.count(), 1);
    assert.match(await alert.innerText(), /Not sent\. the database is locked/);
    assert.equal(await page.getByText('the database is locked').count(), 1, 'the reason is said once');
    assert.equal(await input.inputValue(), 'Fifth prompt: a purple cloud');
    await screenshot(page, '11-prompt-send-failed');
    await page.unroute('**/v1/videos');
    // Sent again, it goes through and the error goes away.
    await input.press('Enter');
    await page.getByTestId('job').filter({ hasText: 'Fifth prompt' }).waitFor();
    await alert.waitFor({ state: 'detached' });
    assert.equal(await input.inputValue(), '');
  });

  it('keeps an unsent prompt over a reload', async () => {
    const { page } = session;
    await page.getByLabel('Prompt', { exact: true }).fill('Half typed: a fox in the');
    await page.reload();
    await page.getByTestId('job').first().waitFor();
    assert.equal(await page.getByLabel('Prompt', { exact: true }).inputValue(), 'Half typed: a fox in the');
    await page.getByLabel('Prompt', { exact: true }).fill('');
  });

  it('logged no unexpected console errors', () => {
    assert.deepEqual(session.errors, []);
  });
});
