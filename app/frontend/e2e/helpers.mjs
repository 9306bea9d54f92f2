// Shared plumbing for the browser tests: start the real Django backend as a subprocess,
// drive Debian's Chromium through playwright-core, collect console errors, save screenshots.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FRONTEND_DIR = path.resolve(here, '..');
export const REPO_ROOT = path.resolve(FRONTEND_DIR, '..', '..');
export const DIST_DIR = path.join(FRONTEND_DIR, 'dist');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-output', 'screenshots');
const PYTHON = process.env.STUDIO_PYTHON
  ? path.resolve(FRONTEND_DIR, process.env.STUDIO_PYTHON)
  : path.resolve(FRONTEND_DIR, '../../.venv/bin/python');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The backend the suites start: this checkout's, or another copy (STUDIO_BACKEND_DIR, the folder
// holding manage.py), e.g. a clean export of HEAD while the backend is being edited.
const BACKEND_DIR = process.env.STUDIO_BACKEND_DIR
  ? path.resolve(process.env.STUDIO_BACKEND_DIR)
  : path.join(REPO_ROOT, 'app', 'backend');
const MANAGE = path.join(BACKEND_DIR, 'manage.py');

export function checkPrerequisites() {
  const missing = [];
  if (!existsSync(path.join(DIST_DIR, 'index.html'))) missing.push(`${DIST_DIR}/index.html (run npm run build)`);
  if (!existsSync(PYTHON)) missing.push(`${PYTHON} (set STUDIO_PYTHON)`);
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (apt-get install -y chromium)`);
  if (missing.length) throw new Error(`e2e prerequisites missing:\n  ${missing.join('\n  ')}`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function newDataDir() {
  return mkdtempSync(path.join(tmpdir(), 'studio-e2e-'));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The preview engine's test gate (app/backend/videos/providers/preview_gate.py): every backend
// started here sets VIDEO_PREVIEW_GATE_DIR, and a preview job whose prompt carries [gate:NAME]
// draws its first frame and then waits, running and cancellable, until the test opens gate
// NAME. A test that needs a job still running (to cancel it, to stop the studio under it, to see
// others queue behind it) holds it there instead of hoping a long clip is slow enough.
const gateDirOf = (dataDir) => `${dataDir}-gate`;

/** `text` with the token that holds its preview job at gate `name`. */
function gatePrompt(name, text = 'held') {
  return `${text} [gate:${name}]`;
}

function gate(dataDir) {
  const folder = gateDirOf(dataDir);
  mkdirSync(folder, { recursive: true });
  const isHeld = (name) => existsSync(path.join(folder, `${name}.waiting`));
  return {
    folder,
    prompt: gatePrompt,
    isHeld,
    /** Until a job has drawn its first frame and waits at gate `name` (running, not ended). */
    async waitUntilHeld(name, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!isHeld(name)) {
        if (Date.now() > deadline) throw new Error(`no job reached the gate ${name} within ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    /** Let the job held at gate `name` (or one that will reach it) go on. */
    open(name) {
      writeFileSync(path.join(folder, name), '');
    },
  };
}

/**
 * Migrate and start `manage.py runstudio` on a free port (or `port`), and wait for /healthz.
 * `env` is added over the test defaults: fresh data dir, no cloud URL (so the preview
 * engine is the default model).
 */
function backendEnv(dataDir, env) {
  return {
    ...process.env,
    // Ignore a developer's app/.env and any provider set in the shell: the preview engine
    // must be the default model, with one job at a time, on a fresh database.
    STUDIO_ENV_FILE: '/dev/null',
    STUDIO_DATA_DIR: dataDir,
    DJANGO_SECRET_KEY: 'e2e-test-key',
    STUDIO_FRONTEND_DIST: DIST_DIR,
    CLOUD_VIDEO_GENERATION_URL: '',
    OPENAI_VIDEO_BASE_URL: '',
    LOCAL_WAN_MODEL_PATH: '',
    VIDEO_DEFAULT_PROVIDER: '',
    VIDEO_JOB_BACKEND: 'inprocess',
    DATABASE_URL: '',
    PYTHONUNBUFFERED: '1',
    VIDEO_PREVIEW_GATE_DIR: gateDirOf(dataDir), // shared by a restart on the same data dir
    ...env,
  };
}

/** Run `manage.py <args>` against a backend's data dir; throws with the output on failure. */
export function manage(args, { dataDir, env = {} }) {
  const result = spawnSync(PYTHON, [MANAGE, ...args], {
    cwd: REPO_ROOT,
    env: backendEnv(dataDir, env),
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`manage.py ${args[0]} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

export async function startBackend({ dataDir = newDataDir(), port, env = {} } = {}) {
  port ??= await freePort();
  const fullEnv = backendEnv(dataDir, env);
  manage(['migrate', '--noinput'], { dataDir, env });
  const proc = spawn(PYTHON, [MANAGE, 'runstudio', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: REPO_ROOT,
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 60_000;
  let exitInfo = null;
  exited.then((info) => (exitInfo = info));
  for (;;) {
    if (exitInfo) throw new Error(`runstudio exited early (${JSON.stringify(exitInfo)}):\n${log}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`runstudio did not answer /healthz within 60 s:\n${log}`);
    }
    await sleep(200);
  }

  return {
    url,
    port,
    dataDir,
    gate: gate(dataDir),
    log: () => log,
    async stop({ removeData = false } = {}) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (removeData) {
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(gateDirOf(dataDir), { recursive: true, force: true });
      }
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A page whose console errors and uncaught exceptions are recorded in `errors`.
 * `allow` lists regexps for errors a test provokes on purpose (an expected 4xx).
 */
export async function openPage(browser, { viewport = { width: 1280, height: 860 }, allow = [] } = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (!allow.some((re) => re.test(text))) errors.push(text);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  return { context, page, errors };
}

/**
 * What a browser suite starts before its tests: the prerequisites checked, a backend
 * (`backend`: startBackend's options) and Chromium with one page (`page`: openPage's options).
 * Resolves to { backend, browser, session }; closeStudio ends them. When a step fails, what had
 * started is ended before the error is thrown.
 */
export async function openStudio({ backend: backendOptions, page: pageOptions } = {}) {
  checkPrerequisites();
  const backend = await startBackend(backendOptions);
  let browser;
  try {
    browser = await launchBrowser();
    return { backend, browser, session: await openPage(browser, pageOptions) };
  } catch (error) {
    await closeStudio({ backend, browser });
    throw error;
  }
}

/** Ends a suite's browser and backend, the backend's data dir too; either may be missing. */
export async function closeStudio({ backend, browser }) {
  await browser?.close();
  await backend?.stop({ removeData: true });
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });
}

export async function api(baseUrl, method, urlPath, body) {
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

export async function waitForStatus(baseUrl, id, statuses, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api(baseUrl, 'GET', `/v1/videos/${id}`);
    if (statuses.includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`video ${id} still ${body.status} after ${timeoutMs} ms`);
    await sleep(250);
  }
}
