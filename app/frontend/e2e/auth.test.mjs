// A studio that requires sign-in (STUDIO_AUTH_REQUIRED=true): the page asks for a login,
// then works with the session cookie and Django's CSRF token, and signs out again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkPrerequisites, closeStudio, manage, newDataDir, openStudio, screenshot } from './helpers.mjs';

const PASSWORD = 'e2e-Passw0rd-long';

describe('signed-in studio', () => {
  let backend, browser, session;

  before(async () => {
    checkPrerequisites(); // before manage.py runs: a missing Python is said clearly
    const dataDir = newDataDir();
    const env = { STUDIO_AUTH_REQUIRED: 'true' };
    manage(['migrate', '--noinput'], { dataDir, env });
    manage(
      [
        'shell',
        '-c',
        `from django.contrib.auth import get_user_model; get_user_model().objects.create_user('alice', password='${PASSWORD}')`,
      ],
      { dataDir, env },
    );
    // The wrong password below answers 401 on purpose.
    ({ backend, browser, session } = await openStudio({
      backend: { dataDir, env },
      page: { allow: [/status of 401/] },
    }));
  });

  after(() => closeStudio({ backend, browser }));

  it('the API refuses anonymous calls', async () => {
    const res = await fetch(`${backend.url}/v1/videos`);
    assert.equal(res.status, 401);
  });

  it('asks for a sign-in, rejects a wrong password, then generates a video', async () => {
    const { page } = session;
    await page.goto(`${backend.url}/video-generation`);
    await page.getByRole('heading', { name: 'Sign in to Video Studio' }).waitFor();
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('not-it');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();
    await screenshot(page, '08-sign-in');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('empty-state').waitFor();
    assert.equal(new URL(page.url()).pathname, '/video-generation');

    // A write with the session cookie: only works when the page sends the CSRF token.
    const input = page.getByLabel('Prompt', { exact: true });
    await input.fill('Volcano on a beach');
    await input.press('Enter');
    await page.locator('[data-testid="job"][data-status="completed"]').waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('submit-error').count(), 0);
  });

  it('signs out back to the sign-in form', async () => {
    const { page } = session;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Video Studio' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Video Studio' }).waitFor();
    assert.deepEqual(session.errors, []);
  });
});
