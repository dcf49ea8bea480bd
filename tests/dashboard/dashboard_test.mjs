// Drives the framepipe serve dashboard in Debian's chromium: submits a job through the form and
// watches it complete, cancels a second one, then checks the completed job's page and its outputs.
// Usage: node dashboard_test.mjs FRAMEPIPE_BINARY SOURCE_DIR SHARED_DIR
// Needs playwright-core in tests/dashboard/node_modules (scripts/install-deps installs it).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const TIMEOUT_MS = 120_000;
const INPUT = 'video/vtest_480x360.avi';

const [binary, sourceDir, sharedDir] = process.argv.slice(2);
if (!binary || !sourceDir || !sharedDir) {
  console.error('usage: node dashboard_test.mjs FRAMEPIPE_BINARY SOURCE_DIR SHARED_DIR');
  process.exit(2);
}

let server = null;
let serverLog = '';
let browser = null;
let dataDir = null;
const problems = []; // console errors and uncaught page errors

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function step(message) {
  console.log(`dashboard: ${message}`);
}

async function startServer() {
  const port = await freePort();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'framepipe-dashboard-'));
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--data', dataDir,
    '--media-root', path.join(sharedDir, 'media'), '--pipelines', path.join(sourceDir, 'examples'),
    '--cpus', '2'];
  const models = [path.join(sharedDir, 'models'), process.env.FRAMEPIPE_MODELS].filter(Boolean).join(':');
  step(`starting ${binary} ${args.join(' ')}`);
  server = spawn(path.resolve(binary), args, {
    cwd: sourceDir,
    env: { ...process.env, FRAMEPIPE_MODELS: models },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk) => {
    serverLog = (serverLog + chunk).slice(-8000);
  };
  server.stdout.on('data', keep);
  server.stderr.on('data', keep);
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.once('error', (error) => keep(`spawn failed: ${error.message}\n`));

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`the server exited (${server.exitCode ?? server.signalCode}) before /healthz answered`);
    }
    try {
      if ((await fetch(`${base}/healthz`)).ok) return base;
    } catch {
      // Not listening yet.
    }
    await Promise.race([sleep(100), exited]);
  }
  throw new Error('GET /healthz did not answer 200 within 30 s');
}

async function loadPlaywright() {
  try {
    return (await import('playwright-core')).chromium;
  } catch {
    throw new Error('playwright-core is not installed in tests/dashboard/node_modules: '
      + 'run scripts/install-deps (or `npm install --no-package-lock` in tests/dashboard)');
  }
}

// Waits until check(arg) is true in the page; on timeout the error says what was awaited and what
// the job's table row or page showed.
async function waitInPage(page, what, check, arg, timeout = 60_000) {
  try {
    await page.waitForFunction(check, arg, { timeout, polling: 100 });
  } catch {
    const shown = await page.evaluate(() => (document.querySelector('#list-view:not([hidden]) #jobs tbody')
      ?? document.getElementById('job-view'))?.innerText ?? '').catch(() => '');
    throw new Error(`timed out waiting for ${what}; the page shows:\n${shown.trim()}`);
  }
}

// Waits until the job's table row shows the state (and the percentage, when given); its cancel
// button must show only while the job can still be cancelled.
function rowShows(page, id, expected, timeout) {
  const what = `job ${id}'s row to show ${expected.state}`
    + (expected.percent === undefined ? '' : ` at ${expected.percent} %`);
  return waitInPage(page, what, ({ id, state, percent }) => {
    const row = document.querySelector(`#jobs tr[data-job-id="${id}"]`);
    return row !== null && row.querySelector('.state').textContent === state
      && (percent === undefined || row.querySelector('progress').value === percent)
      && row.querySelector('button.cancel').hidden === !['queued', 'running'].includes(state);
  }, { id, ...expected }, timeout);
}

async function submitJob(page, base, options) {
  const form = page.locator('#submit-form');
  await form.locator('select[name="pipeline"]').selectOption('people');
  await form.locator('select[name="inputs"]').selectOption(INPUT);
  await form.locator('input[name="stride"]').fill(options.stride ? String(options.stride) : '');
  await form.locator('input[name="cpus"]').fill(String(options.cpus));
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}/api/jobs` && r.request().method() === 'POST'),
    form.locator('button[type="submit"]').click(),
  ]);
  const body = await response.text();
  if (response.status() !== 201) throw new Error(`POST /api/jobs answered ${response.status()}: ${body}`);
  const { id } = JSON.parse(body);
  await waitInPage(page, `the form to confirm job ${id}`,
    (id) => document.getElementById('form-message').textContent.includes(`Job ${id} `), id, 10_000);
  return id;
}

async function checkJobPage(page, id) {
  await page.locator(`#jobs tr[data-job-id="${id}"] a`).click();
  await waitInPage(page, `the page of job ${id}`, (id) => location.hash === `#/jobs/${id}`
    && !document.getElementById('job-body').hidden
    && document.getElementById('job-id').textContent === String(id)
    && document.getElementById('job-state').textContent === 'completed'
    && !document.getElementById('job-summary').hidden, id, 10_000);

  const fields = async (selector) => Object.fromEntries(await page.locator(`${selector} dt`).evaluateAll(
    (terms) => terms.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
  const summary = await fields('#summary-fields');
  for (const [name, value] of [['FPS', summary.FPS], ['CPU cores used', summary['CPU cores used']]]) {
    if (!(Number(value) > 0)) {
      throw new Error(`the job page shows ${name} "${value}", expected a positive number`);
    }
  }

  const headers = await page.locator('#stages thead th').allTextContents();
  if (!headers.some((h) => h.includes('p50')) || !headers.some((h) => h.includes('p90'))) {
    throw new Error(`the stage table's headers are ${JSON.stringify(headers)}, expected p50 and p90`);
  }
  const stages = await page.locator('#stages tbody tr').evaluateAll(
    (rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent)));
  if (stages.length === 0) throw new Error('the stage table is empty');
  for (const [stage, p50, p90] of stages) {
    if (!stage || Number.isNaN(Number(p50)) || Number.isNaN(Number(p90))) {
      throw new Error(`the stage table has the row ${JSON.stringify([stage, p50, p90])}`);
    }
  }

  const link = page.locator('#job-files a', { hasText: 'detections.jsonl' });
  if ((await link.count()) !== 1) throw new Error('the job page has no link to detections.jsonl');
  const href = await link.evaluate((a) => a.href);
  const response = await page.request.get(href);
  if (response.status() !== 200) throw new Error(`GET ${href} answered ${response.status()}`);
  const first = (await response.text()).split('\n')[0];
  JSON.parse(first); // throws when the first line is not JSON
  step(`job ${id}'s page shows fps ${summary.FPS}, ${stages.length} stages, `
    + `${summary['CPU cores used']} CPU cores used; `
    + `detections.jsonl answers 200`);

  await page.getByRole('link', { name: 'All jobs' }).click();
  await waitInPage(page, 'the job table after "All jobs"',
    () => !document.getElementById('list-view').hidden, null, 10_000);
}

async function run() {
  const chromium = await loadPlaywright();
  const base = await startServer();
  step(`server answers at ${base}`);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(30_000);
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${base}/`);
  const inputs = await page.locator('select[name="inputs"] option').allTextContents();
  if (!inputs.includes(INPUT)) throw new Error(`the input list lacks ${INPUT}: ${JSON.stringify(inputs)}`);

  // 1. A short job (every 4th frame) runs to the end.
  const done = await submitJob(page, base, { stride: 4, cpus: 1 });
  step(`submitted job ${done}`);
  await rowShows(page, done, { state: 'completed', percent: 100 });
  step(`job ${done} completed at 100 %`);

  // 2. A long job (every frame) is cancelled from its row once it runs.
  const cancelled = await submitJob(page, base, { cpus: 1 });
  step(`submitted job ${cancelled}`);
  await rowShows(page, cancelled, { state: 'running' });
  await page.locator(`#jobs tr[data-job-id="${cancelled}"] button.cancel`).click();
  await rowShows(page, cancelled, { state: 'cancelled' }, 30_000);
  step(`job ${cancelled} cancelled`);

  // 3. The completed job's page.
  await checkJobPage(page, done);

  // 4. Nothing went wrong in the page.
  if (problems.length > 0) throw new Error(`the page reported errors:\n${problems.join('\n')}`);
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  if (await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)])) return;
  server.kill('SIGKILL');
  await exited;
}

let finished = false;
async function finish(error) {
  if (finished) return;
  finished = true;
  clearTimeout(timer);
  await browser?.close().catch(() => {});
  await stopServer();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (error) {
    console.error(`dashboard: FAIL: ${error.message}`);
    if (serverLog) console.error(`--- the server's last output ---\n${serverLog.trimEnd()}`);
    process.exit(1);
  }
  console.log('dashboard: PASS');
  process.exit(0);
}

const timer = setTimeout(
  () => finish(new Error(`the test took longer than ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => finish(new Error(`stopped by ${signal}`)));
}
// Last resort when the process ends another way: never leave the server running.
process.on('exit', () => server?.kill('SIGKILL'));
run().then(() => finish(null), finish);
