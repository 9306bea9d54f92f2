// Settings restored from a dropped MP4, against the real backend (preview engine): a video made
// through the API with chosen settings is downloaded as a file and dropped on the page's prompt
// box (a real drop event carrying the file's bytes); the composer takes its prompt, negative
// prompt, seed, steps, size and length, says so, and the next video is made with them. A file
// without studio settings, picked with the parameters' file button, is said to carry none.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, closeStudio, openStudio, screenshot, waitForStatus } from './helpers.mjs';

/* global DataTransfer -- only inside page callbacks, which run in Chromium */

const MADE = {
  model: 'preview',
  prompt: 'A paper boat on a rain gutter, kept',
  negative_prompt: 'fog, people',
  seed: 777,
  num_inference_steps: 9,
  size: '320x192',
  seconds: '1',
};

describe('settings from a dropped studio MP4', () => {
  let backend, browser, session;

  before(async () => {
    ({ backend, browser, session } = await openStudio());
  });

  after(() => closeStudio({ backend, browser }));

  /** Drop `bytes` as a file named `name` on the prompt box, as a person dragging it from a folder. */
  async function dropFile(page, bytes, name) {
    const transfer = await page.evaluateHandle(
      ({ data, fileName }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(data)], fileName, { type: 'video/mp4' }));
        return dt;
      },
      { data: Array.from(bytes), fileName: name },
    );
    const box = page.getByTestId('prompt-box');
    await box.dispatchEvent('dragover', { dataTransfer: transfer });
    await box.dispatchEvent('drop', { dataTransfer: transfer });
  }

  it('fills the composer from a dropped studio MP4 and makes the next video with its settings', async () => {
    const { page, errors } = session;
    const made = await api(backend.url, 'POST', '/v1/videos', MADE);
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const done = await waitForStatus(backend.url, made.body.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed');
    const file = Buffer.from(await (await fetch(`${backend.url}/v1/videos/${done.id}/content`)).arrayBuffer());

    await page.goto(`${backend.url}/video-generation`);
    const input = page.getByLabel('Prompt', { exact: true });
    await input.waitFor();
    await dropFile(page, file, 'paper-boat.mp4');
    await page.getByTestId('settings-file-note').filter({ hasText: 'Settings restored from the video' }).waitFor();
    assert.equal(await input.inputValue(), MADE.prompt);
    const hint = await page.getByTestId('prompt-hint').textContent();
    assert.match(hint, /9 steps, seed 777/);
    assert.match(hint, /320x192, 1 s/);
    await page.getByTestId('settings-toggle').click();
    assert.equal(await page.getByLabel('Negative prompt').inputValue(), MADE.negative_prompt);
    await screenshot(page, 'settings-drop');

    await input.fill('A paper boat on a rain gutter, again');
    await input.press('Enter');
    const card = page.getByRole('article', { name: 'Video: A paper boat on a rain gutter, again' });
    await card.waitFor({ timeout: 60_000 });
    const list = await api(backend.url, 'GET', '/v1/videos?limit=5');
    const again = list.body.data.find((v) => v.prompt.endsWith('again'));
    assert.ok(again, JSON.stringify(list.body.data.map((v) => v.prompt)));
    assert.equal(again.seed, MADE.seed);
    assert.equal(again.num_inference_steps, MADE.num_inference_steps);
    assert.equal(again.negative_prompt, MADE.negative_prompt);
    assert.equal(again.size, MADE.size);
    assert.deepEqual(errors, []);
  });

  it('says a picked MP4 without studio settings carries none, and changes nothing', async () => {
    const { page, errors } = session;
    await page.goto(`${backend.url}/video-generation`);
    const input = page.getByLabel('Prompt', { exact: true });
    await input.fill('my own words');
    await page.getByTestId('settings-toggle').click();
    // An ISO file that no studio made (its `ftyp` box alone): the server finds no settings in it.
    const ftypOnly = Buffer.from([0, 0, 0, 16, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 2, 0]);
    await page.getByTestId('settings-file-input').setInputFiles({
      name: 'holiday.mp4',
      mimeType: 'video/mp4',
      buffer: ftypOnly,
    });
    await page.getByTestId('settings-file-note').filter({ hasText: 'carries no studio settings' }).waitFor();
    assert.equal(await input.inputValue(), 'my own words');
    assert.deepEqual(errors, []);
  });
});
