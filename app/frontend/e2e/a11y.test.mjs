// axe-core (injected into the page) on the home page, the video generation page, the storyboard
// view and the sweep grid view (with a finished grid), at phone width as Lighthouse's mobile run:
// no violation of the WCAG 2 A and AA rules.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { api, closeStudio, openStudio } from './helpers.mjs';

/* global document, axe -- only inside page callbacks, which run in Chromium */

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function violations(page) {
  // The studio's CSP (script-src 'self') refuses an injected <script>; DevTools' evaluate is not
  // subject to it.
  const cdp = await page.context().newCDPSession(page);
  const loaded = await cdp.send('Runtime.evaluate', { expression: AXE });
  assert.equal(loaded.exceptionDetails, undefined, JSON.stringify(loaded.exceptionDetails));
  await cdp.detach();
  const result = await page.evaluate(() =>
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] }),
  );
  return result.violations.map((v) => ({
    id: v.id,
    help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
  }));
}

describe('accessibility (axe-core, wcag2a + wcag2aa)', () => {
  let backend, browser, session;

  before(async () => {
    ({ backend, browser, session } = await openStudio({ page: { viewport: { width: 390, height: 844 } } }));
  });

  after(() => closeStudio({ backend, browser }));

  const check = async (path, ready) => {
    const { page } = session;
    await page.goto(`${backend.url}${path}`);
    await ready(page);
    await sleep(300); // let the models answer settle into the page
    const found = await violations(page);
    assert.deepEqual(found, [], `${path}: ${JSON.stringify(found, null, 2)}`);
  };

  it('home page', () => check('/', (page) => page.getByTestId('powered-by').first().waitFor()));

  it('video generation page', () =>
    check('/video-generation', (page) => page.getByLabel('Prompt', { exact: true }).waitFor()));

  it('storyboard view', () => check('/storyboard', (page) => page.getByTestId('shot-card').first().waitFor()));

  it('sweep grid view with a finished grid', async () => {
    const made = await api(backend.url, 'POST', '/v1/videos/sweeps', {
      base: { prompt: 'A red fox in snow', size: '128x96' },
      axes: [
        { param: 'seed', range: [1, 2] },
        { param: 'num_inference_steps', values: [4, 8] },
      ],
    });
    assert.equal(made.status, 201);
    const deadline = Date.now() + 90_000;
    while ((await api(backend.url, 'GET', `/v1/videos/sweeps/${made.body.id}`)).body.status !== 'completed') {
      if (Date.now() > deadline) throw new Error('the sweep did not finish');
      await sleep(300);
    }
    await check(`/sweep?sweep=${made.body.id}`, (page) => page.getByTestId('grid-download').waitFor());
  });
});
