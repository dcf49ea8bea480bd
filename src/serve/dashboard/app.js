'use strict';
// The framepipe serve dashboard: a job form, a live job table and a page per job (#/jobs/ID).
// Every text that comes from the server goes into the DOM through text nodes, never as HTML.

const ACTIVE_STATES = new Set(['queued', 'running']);
// Each event stream holds one of the browser's six connections to the server; the jobs beyond
// this many are kept current by the periodic table refresh instead.
const MAX_STREAMS = 3;
const REFRESH_MS = 3000;

const token = takeToken();
const jobs = new Map(); // id -> latest job object
const rows = new Map(); // id -> the job's table row and its cells
const streams = new Map(); // id -> EventSource
let shownJobId = null; // the job whose page is open, or null on the table

// A ?token=T in the page's URL is kept for the tab's lifetime and removed from the address bar.
function takeToken() {
  const params = new URLSearchParams(location.search);
  const given = params.get('token');
  if (given) {
    sessionStorage.setItem('framepipe.token', given);
    params.delete('token');
    const query = params.toString();
    history.replaceState(null, '', location.pathname + (query ? '?' + query : '') + location.hash);
  }
  return sessionStorage.getItem('framepipe.token');
}

// For URLs the browser fetches itself (event streams, links), which cannot carry a header.
function withToken(url) {
  return token ? `${url}?access_token=${encodeURIComponent(token)}` : url;
}

async function api(path, init = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  const response = await fetch(path, { ...init, headers });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(body?.error ?? `${response.status} ${response.statusText}`);
    error.field = body?.field ?? null;
    throw error;
  }
  return body;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

function number(value, digits = 1) {
  return typeof value === 'number' ? value.toFixed(digits) : '–';
}

function time(iso) {
  return iso ? new Date(iso).toLocaleString() : '–';
}

function showStatus(message) {
  const status = document.getElementById('status');
  status.textContent = message;
  status.hidden = !message;
}

// A progress bar without a percentage (a live stream has no expected frame count) is indeterminate.
function setProgress(bar, label, job) {
  const percent = job.progress?.percent;
  if (typeof percent === 'number') {
    bar.value = percent;
    label.textContent = `${percent.toFixed(0)} %`;
  } else {
    bar.removeAttribute('value');
    label.textContent = job.progress?.frames != null ? `${job.progress.frames} frames` : '';
  }
}

// ---- jobs: one store, updated by the table refresh, the event streams and the job page ----

function update(job) {
  const known = jobs.get(job.id);
  // A refresh answered before a job ended must not bring it back to life.
  if (known && !ACTIVE_STATES.has(known.state) && ACTIVE_STATES.has(job.state)) return;
  jobs.set(job.id, job);
  updateRow(job);
  if (shownJobId === job.id) renderJob(job);
  if (ACTIVE_STATES.has(job.state)) follow(job.id);
}

function follow(id) {
  if (streams.has(id) || streams.size >= MAX_STREAMS) return;
  const source = new EventSource(withToken(`/api/jobs/${id}/events`));
  streams.set(id, source);
  source.addEventListener('progress', (event) => update(JSON.parse(event.data)));
  source.addEventListener('end', (event) => {
    unfollow(id);
    update(JSON.parse(event.data));
  });
  // The browser retries a dropped stream by itself; a refused one is closed and left to refresh.
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) unfollow(id);
  });
}

function unfollow(id) {
  streams.get(id)?.close();
  streams.delete(id);
}

async function cancel(id) {
  try {
    update(await api(`/api/jobs/${id}/cancel`, { method: 'POST' }));
  } catch (error) {
    showStatus(`Cancelling job ${id}: ${error.message}`);
  }
}

// ---- the table ----

function stateFilter() {
  return document.getElementById('state-filter').value;
}

async function refreshJobs() {
  const filter = stateFilter();
  try {
    const { jobs: list } = await api(filter ? `/api/jobs?state=${encodeURIComponent(filter)}` : '/api/jobs');
    list.forEach(update);
    showStatus('');
  } catch (error) {
    showStatus(`Loading jobs: ${error.message}`);
  }
}

function createRow(job) {
  const cells = {
    state: el('span', { className: 'state' }),
    bar: el('progress', { max: 100 }),
    percent: el('span', { className: 'percent' }),
    fps: el('td', { className: 'fps' }),
    cancel: el('button', { type: 'button', className: 'cancel', textContent: 'Cancel' }),
  };
  cells.cancel.addEventListener('click', () => cancel(job.id));
  cells.tr = el('tr', {},
    el('td', {}, el('a', { href: `#/jobs/${job.id}`, textContent: String(job.id) })),
    el('td', { textContent: job.pipeline }),
    el('td', { textContent: job.inputs.join(', ') }),
    el('td', {}, cells.state),
    el('td', {}, el('div', { className: 'progress' }, cells.bar, cells.percent)),
    cells.fps,
    el('td', { textContent: time(job.created) }),
    el('td', {}, cells.cancel));
  cells.tr.dataset.jobId = job.id;
  // Newest first: before the first row with a smaller id.
  const tbody = document.querySelector('#jobs tbody');
  const next = [...tbody.rows].find((tr) => Number(tr.dataset.jobId) < job.id);
  tbody.insertBefore(cells.tr, next ?? null);
  return cells;
}

function updateRow(job) {
  let cells = rows.get(job.id);
  if (!cells) {
    cells = createRow(job);
    rows.set(job.id, cells);
  }
  cells.tr.dataset.state = job.state;
  cells.tr.hidden = stateFilter() !== '' && stateFilter() !== job.state;
  cells.state.textContent = job.state;
  cells.state.dataset.state = job.state;
  setProgress(cells.bar, cells.percent, job);
  cells.fps.textContent = number(job.summary?.fps ?? job.progress?.fps);
  cells.cancel.hidden = !ACTIVE_STATES.has(job.state);
}

// ---- the form ----

async function loadChoices() {
  const form = document.getElementById('submit-form');
  try {
    const [{ pipelines }, { files }] = await Promise.all([api('/api/pipelines'), api('/api/media')]);
    const option = (value) => el('option', { value, textContent: value });
    form.elements.pipeline.replaceChildren(...pipelines.map((p) => option(p.name)));
    form.elements.inputs.replaceChildren(...files.map(option));
  } catch (error) {
    showStatus(`Loading pipelines and media: ${error.message}`);
  }
}

function formMessage(text, isError) {
  const message = document.getElementById('form-message');
  message.textContent = text;
  message.classList.toggle('error', isError);
}

async function submitJob(event) {
  event.preventDefault();
  const fields = event.target.elements;
  for (const field of fields) field.removeAttribute('aria-invalid');
  const options = { profile: fields.profile.value };
  for (const name of ['stride', 'cpus']) {
    if (fields[name].value !== '') options[name] = Number(fields[name].value);
  }
  const request = { pipeline: fields.pipeline.value, inputs: [fields.inputs.value], options };
  formMessage('Submitting…', false);
  try {
    const job = await api('/api/jobs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
    formMessage(`Job ${job.id} submitted.`, false);
    update(job);
  } catch (error) {
    formMessage(error.message, true);
    // The server names the field it rejected, e.g. "options.stride" or "inputs[0]".
    const name = error.field?.split('.').pop().replace(/\[\d+\]$/, '');
    if (name) fields.namedItem(name)?.setAttribute('aria-invalid', 'true');
  }
}

// ---- the job page ----

function fieldList(dl, entries) {
  dl.replaceChildren(...entries.flatMap(([term, value]) => [
    el('dt', { textContent: term }),
    el('dd', { textContent: value }),
  ]));
}

function renderJob(job) {
  document.getElementById('job-body').hidden = false;
  document.getElementById('job-id').textContent = job.id;
  const state = document.getElementById('job-state');
  state.textContent = job.state;
  state.dataset.state = job.state;
  const error = document.getElementById('job-error');
  error.textContent = job.error ?? '';
  error.hidden = !job.error;
  setProgress(document.getElementById('job-progress'), document.getElementById('job-percent'), job);
  document.getElementById('job-cancel').hidden = !ACTIVE_STATES.has(job.state);

  const options = Object.entries(job.options ?? {})
    .filter(([, value]) => value !== null && value !== 0)
    .map(([key, value]) => `${key}=${value}`);
  const progress = job.progress ?? {};
  const frames = progress.expected_frames
    ? `${progress.frames} / ${progress.expected_frames}`
    : String(progress.frames ?? '–');
  fieldList(document.getElementById('job-fields'), [
    ['Pipeline', job.pipeline],
    ['Inputs', job.inputs.join(', ')],
    ['Options', options.join(' ') || '–'],
    ['Cores', job.cores?.length ? job.cores.join(', ') : '–'],
    ['Frames', frames],
    ['FPS', number(progress.fps)],
    ['ETA', ACTIVE_STATES.has(job.state) ? `${number(progress.eta_seconds, 0)} s` : '–'],
    ['Created', time(job.created)],
    ['Started', time(job.started)],
    ['Finished', time(job.finished)],
    ['Exit code', job.exit_code ?? '–'],
  ].map(([term, value]) => [term, String(value)]));

  const summary = job.summary;
  document.getElementById('job-summary').hidden = !summary;
  if (summary) {
    fieldList(document.getElementById('summary-fields'), [
      ['FPS', number(summary.fps)],
      ['Frames', String(summary.frames)],
      ['Processing time', `${number(summary.processing_seconds, 2)} s`],
      ['CPU cores used', number(summary.cpu_cores_used, 2)],
    ]);
    document.querySelector('#stages tbody').replaceChildren(...(summary.stages ?? []).map((stage) =>
      el('tr', {},
        el('td', { textContent: stage.stage }),
        el('td', { textContent: number(stage.p50_ms, 2) }),
        el('td', { textContent: number(stage.p90_ms, 2) }))));
  }

  const files = job.files ?? [];
  document.getElementById('job-files').hidden = files.length === 0;
  const fileUrl = (name) => withToken(`/api/jobs/${job.id}/files/${encodeURIComponent(name)}`);
  document.querySelector('#job-files ul').replaceChildren(...files.map((name) =>
    el('li', {}, el('a', { href: fileUrl(name), textContent: name }))));
}

async function showJob(id) {
  shownJobId = id;
  document.getElementById('job-body').hidden = true;
  if (jobs.has(id)) renderJob(jobs.get(id));
  try {
    update(await api(`/api/jobs/${id}`));
  } catch (error) {
    showStatus(`Loading job ${id}: ${error.message}`);
  }
}

function route() {
  const match = /^#\/jobs\/(\d+)$/.exec(location.hash);
  document.getElementById('list-view').hidden = Boolean(match);
  document.getElementById('job-view').hidden = !match;
  showStatus('');
  if (match) {
    showJob(Number(match[1]));
  } else {
    shownJobId = null;
  }
}

document.getElementById('submit-form').addEventListener('submit', submitJob);
document.getElementById('state-filter').addEventListener('change', () => {
  jobs.forEach(updateRow);
  refreshJobs();
});
document.getElementById('job-cancel').addEventListener('click', () => cancel(shownJobId));
window.addEventListener('hashchange', route);
route();
loadChoices();
refreshJobs();
setInterval(refreshJobs, REFRESH_MS);
