// ui.test.mjs - the embedded web UI against a real `cip serve` in headless Chromium.
// Trains and registers the three models into a temporary tracking store with the CLI, starts
// `cip serve --port 0`, then drives every page: customer scoring, batch upload, runs (filter,
// sort, compare, metric history), model registry (promote to champion on a server that
// requires a token: the 401 makes the page ask for it), audit, live drift monitoring (the clv
// and churn bundles get a reference.json first) and the transaction CLV page (empty state, then
// a `cip clv evaluate` run on CDNOW_sample.txt when CIP_SHARED_DIR has it). Fails on
// any console error or page error. Screenshots go to $WORK (and to docs/img/ui-*.png when
// UPDATE_SCREENSHOTS=1). Run through tests/browser/run.sh (ctest browser.ui).
// SPDX-License-Identifier: MIT
import {spawn, execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {chromium} from 'playwright-core';

const BIN = process.env.CIP_BIN;
const SRC = process.env.CIP_SOURCE_DIR;
const WORK = process.env.WORK;
if (!BIN || !SRC || !WORK) {
  console.error('ui.test: CIP_BIN, CIP_SOURCE_DIR and WORK must be set (run via tests/browser/run.sh)');
  process.exit(1);
}
const DATA = path.join(SRC, 'data', 'customers.csv');
const DB = path.join(WORK, 'mlflow.db');
const URI = 'sqlite:///' + DB;
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(SRC, 'docs', 'img') : null;
const T0 = Date.now();
// URLs whose HTTP error answers are expected: the audit 404 when there is no report, the
// 400 of the deliberately bad runs filter and the 401 of a promotion without the token.
// The clv 404 is the CLV page's empty state, checked before `cip clv evaluate` runs.
const allowedHttpErrors = [/\/api\/v1\/audit$/, /\/api\/v1\/runs\?.*banana/,
  /\/api\/v1\/models\/cip-clv\/aliases$/, /\/api\/v1\/clv$/];
const CDNOW = process.env.CIP_SHARED_DIR ? path.join(process.env.CIP_SHARED_DIR, 'data', 'CDNOW_sample.txt') : null;
// The server requires a token for alias changes; the models page must ask for it.
const TOKEN = 'ui-test-token';

function log(msg) {
  console.log(`[${((Date.now() - T0) / 1000).toFixed(1)}s] ${msg}`);
}

function cip(args) {
  try {
    return execFileSync(BIN, args, {cwd: WORK, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
      env: {...process.env, MLFLOW_TRACKING_URI: URI}});
  } catch (e) {
    throw new Error(`cip ${args.join(' ')} failed (exit ${e.status}):\n${e.stderr || ''}${e.stdout || ''}`);
  }
}

function check(cond, msg) {
  if (!cond) throw new Error('check failed: ' + msg);
}

/* ---- 1. a tracking store with trained, registered models ---- */
function prepareStore() {
  const quick = ['--cv', '3', '--n-estimators', '30', '--tracking-uri', URI, '-q'];
  cip(['train', 'clv', DATA, ...quick, '--register', 'cip-clv']);
  cip(['train', 'churn', DATA, ...quick, '--register', 'cip-churn']);
  cip(['train', 'segments', DATA, '--k', '2..4', '--n-init', '3', '--tracking-uri', URI, '-q',
    '--register', 'cip-segments']);
  // A second clv version (alias challenger) so that the UI can promote it.
  cip(['train', 'clv', DATA, ...quick, '--seed', '7', '--register', 'cip-clv']);
  // Reference statistics (reference.json) in the served bundles, so that the server monitors
  // them: both clv versions (the models page promotes version 2) and churn. (Training writes
  // one too when its run logging saves it; rewriting it from the same data changes nothing.)
  for (const m of ['models:/cip-clv/1', 'models:/cip-clv/2', 'models:/cip-churn@champion']) {
    cip(['monitor', '--model', m, '--current', DATA, '--reference', DATA, '--write-reference',
      '--no-track', '--json', '-q', '--tracking-uri', URI]);
  }
  const models = JSON.parse(cip(['models', 'list', '--json', '--tracking-uri', URI]));
  log('registered: ' + models.map((m) => `${m.name} v${m.latest_version}`).join(', '));
  check(models.length === 3, 'three registered models');
}

/* ---- 2. the server ---- */
function startServer() {
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, ['serve', '--port', '0', '--tracking-uri', URI, '--token', TOKEN],
      {cwd: WORK, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '', err = '';
    const timer = setTimeout(() => reject(new Error('cip serve did not report its address in 30 s:\n' + err)), 30000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        resolve({proc, url: m[1].replace(/\/?$/, '/'), stderr: () => err});
      }
    });
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cip serve exited (status ${code}) before listening:\n${err}`));
    });
  });
}

/* ---- 3. the browser ---- */
async function shot(page, name) {
  await page.mouse.move(0, 0); // no hover state in the pictures
  await page.screenshot({path: path.join(WORK, name), fullPage: true});
  if (SHOTS) {
    fs.mkdirSync(SHOTS, {recursive: true});
    await page.screenshot({path: path.join(SHOTS, name), fullPage: true});
  }
}

async function noErrorMessage(page, where) {
  const msgs = await page.locator('#messages .msg.error').allTextContents();
  check(msgs.length === 0, `${where}: unexpected error message(s): ${msgs.join(' | ')}`);
}

async function testCustomer(page, base) {
  await page.goto(base + '#/customer');
  const clv = page.locator('#clv-value');
  await clv.waitFor({timeout: 15000});
  const first = await clv.textContent();
  check(/^\$[\d,]+(\.\d+)?$/.test(first), 'a CLV prediction is shown: ' + first);
  check(/^\d+(\.\d)?%$/.test(await page.locator('#churn-value').textContent()), 'a churn probability is shown');
  check(/^#\d+$/.test(await page.locator('#segment-value').textContent()), 'a segment is shown');
  check((await page.locator('#recommendation').textContent()).trim().length > 0, 'a recommendation is shown');
  // Labels are attached to the form fields.
  for (const f of ['age', 'annual_income', 'loyalty_score']) {
    if (await page.locator('#f-' + f).count()) {
      check(await page.getByLabel(new RegExp('^' + f.replace('_', ' '), 'i')).count() > 0, 'label of ' + f);
    }
  }
  // Changing the form re-scores (debounced): a young, infrequent, low-income customer gets a
  // different prediction.
  const young = {age: '26', annual_income: '38000', purchase_amount: '220', purchase_frequency: '11',
    loyalty_score: '3.2'};
  for (const [f, v] of Object.entries(young)) {
    if (await page.locator('#f-' + f).count()) await page.locator('#f-' + f).fill(v);
  }
  await page.waitForFunction((old) => {
    const el = document.querySelector('#clv-value');
    return el && el.textContent !== old && !document.querySelector('#customer-result.busy');
  }, first, {timeout: 10000});
  log(`customer: CLV ${first} -> ${await clv.textContent()}`);
  check(await page.locator('#customer-result svg.chart').count() >= 2, 'gauge and contribution charts drawn');
  await noErrorMessage(page, 'customer');
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await shot(page, 'ui-customer.png');
}

async function testBatch(page, base) {
  await page.goto(base + '#/batch');
  await page.locator('#batch-file').setInputFiles(DATA);
  await page.locator('#batch-table tbody tr').first().waitFor({timeout: 15000});
  const header = await page.locator('#batch-table thead th').allTextContents();
  check(header.join(',') === 'user_id,predicted_clv,churn_probability,churn_prediction,customer_segment',
    'scored columns: ' + header.join(','));
  check(await page.locator('#batch-table tbody tr').count() === 20, 'first page has 20 rows');
  check((await page.locator('#batch-status').textContent()).includes('238 rows'), '238 rows scored');
  const href = await page.locator('#batch-download').getAttribute('href');
  check(href.startsWith('blob:'), 'download link is a Blob URL');
  const firstId = await page.locator('#batch-table tbody tr td').first().textContent();
  await page.getByRole('button', {name: /next/i}).click();
  check(await page.locator('#batch-table tbody tr td').first().textContent() !== firstId, 'pagination');
  check(await page.locator('#batch-result svg.chart').count() === 3, 'two histograms and the segment mix');
  await noErrorMessage(page, 'batch');
  await shot(page, 'ui-batch.png');
}

async function testRuns(page, base) {
  await page.goto(base + '#/runs');
  const rows = page.locator('#runs-table tbody tr');
  await rows.first().waitFor({timeout: 15000});
  const n = await rows.count();
  check(n === 4, 'four runs listed, got ' + n);
  // An invalid filter shows the API's error.
  await page.locator('#runs-filter').fill('metrics.test_r2 >>> banana');
  await page.getByRole('button', {name: 'Search'}).click();
  await page.locator('#runs-error-msg').waitFor({timeout: 10000});
  log('runs: bad filter -> ' + (await page.locator('#runs-error-msg').textContent()));
  // A valid filter selects the clv runs only (default run names are "<task>-<8 hex>").
  await page.locator('#runs-filter').fill("attributes.run_name LIKE 'clv-%'");
  await page.getByRole('button', {name: 'Search'}).click();
  await page.waitForFunction(() => !document.querySelector('#runs-error-msg') &&
    document.querySelectorAll('#runs-table tbody tr').length === 2, null, {timeout: 10000});
  // Sort by clicking a header.
  await page.getByRole('button', {name: 'Run', exact: true}).click();
  check(await page.locator('th[aria-sort=ascending]').count() === 1, 'sorted by run name');
  // Compare both clv runs and plot a metric history.
  await rows.nth(0).locator('input[type=checkbox]').check();
  await rows.nth(1).locator('input[type=checkbox]').check();
  await page.locator('#compare-table').waitFor();
  check(await page.locator('#compare-table thead th').count() === 3, 'two runs side by side');
  const keys = await page.locator('#metric-key option').allTextContents();
  const key = keys.find((k) => k.startsWith('cv_')) || keys.find((k) => k === 'test_r2') || keys[0];
  check(key, 'the compared runs have metrics');
  await page.locator('#metric-key').selectOption(key);
  await page.locator('#metric-chart svg.chart').waitFor({timeout: 10000});
  await noErrorMessage(page, 'runs');
  await shot(page, 'ui-runs.png');
}

async function testModels(page, base) {
  await page.goto(base + '#/models');
  await page.locator('section[data-model="cip-clv"]').waitFor({timeout: 15000});
  check(await page.locator('section[data-model]').count() === 3, 'three models shown');
  const promote = page.getByRole('button', {name: 'Promote cip-clv version 2 to champion'});
  check(await promote.isEnabled(), 'version 2 can be promoted');
  await promote.click();
  // 401: the page asks for the token, then finishes the promotion with it.
  await page.locator('#messages .msg.error').waitFor({timeout: 10000});
  check(/401/.test(await page.locator('#messages .msg.error').textContent()), 'the 401 is reported');
  await page.getByLabel('API token').fill(TOKEN);
  await page.getByRole('button', {name: 'Use token'}).click();
  await page.locator('#messages .msg.ok', {hasText: 'now points at version 2'}).waitFor({timeout: 10000});
  await page.waitForFunction(() => {
    const b = [...document.querySelectorAll('button')].find((x) =>
      x.getAttribute('aria-label') === 'Promote cip-clv version 2 to champion');
    return b && b.disabled;
  }, null, {timeout: 10000});
  const show = JSON.parse(cip(['models', 'show', 'cip-clv', '--json', '--tracking-uri', URI]));
  check(String(show.aliases.champion) === '2', 'the store has cip-clv@champion = 2');
  // The server re-resolves the alias and swaps version 2 in; the page shows it.
  await page.locator('section[data-model="cip-clv"]', {hasText: 'served: v2'}).waitFor({timeout: 15000});
  check((await page.locator('#server-status').textContent()).includes('cip-clv v2'), 'header shows cip-clv v2');
  await noErrorMessage(page, 'models');
  await shot(page, 'ui-models.png');
}

async function testAudit(page, base) {
  await page.goto(base + '#/audit');
  await page.locator('#audit-table, #audit-empty').first().waitFor({timeout: 15000});
  log('audit: ' + ((await page.locator('#audit-table').count()) ? 'findings table' : 'empty state'));
  await noErrorMessage(page, 'audit');
  await shot(page, 'ui-audit.png');
}

async function testMonitor(page, base) {
  await page.goto(base + '#/monitor');
  const cards = page.locator('section.monitor-model');
  await cards.first().waitFor({timeout: 15000});
  const api = await page.evaluate(() => fetch('/api/v1/monitor').then((r) => r.json()));
  const roles = api.models.map((m) => m.role);
  check(roles.includes('clv') && roles.includes('churn'), 'clv and churn are monitored: ' + roles.join(','));
  check(await cards.count() === roles.length, 'one card per monitored model');
  const clv = page.locator('section.monitor-model[data-role="clv"]');
  const apiClv = api.models.find((m) => m.role === 'clv');
  // The batch page scored the 238 training rows (plus the customer page's few): the same
  // distribution as the reference, so every column is stable.
  const rows0 = Number((await clv.locator('.rows-seen').textContent()).replace(/,/g, ''));
  check(rows0 >= 238, 'rows seen include the batch: ' + rows0);
  check(await clv.locator('.psi-row').count() === apiClv.gauges.length, 'one bar per gauge');
  check(await clv.locator('line.threshold').count() === 2, 'warning and alert lines');
  const status = await clv.locator('[data-status]').getAttribute('data-status');
  check(status === 'stable', 'training rows are stable, got ' + status);
  // Auto-refresh: more traffic shows up without reloading the page.
  const csv = fs.readFileSync(DATA, 'utf8');
  await page.evaluate((body) => fetch('/api/v1/score/batch', {method: 'POST', body,
    headers: {'Content-Type': 'text/csv'}}).then((r) => { if (!r.ok) throw new Error('batch ' + r.status); }), csv);
  await page.waitForFunction((n) => {
    const el = document.querySelector('section.monitor-model[data-role="clv"] .rows-seen');
    return el && Number(el.textContent.replace(/,/g, '')) > n;
  }, rows0, {timeout: 12000});
  log(`monitor: clv rows ${rows0} -> ${await clv.locator('.rows-seen').textContent()} (auto-refresh), status ${status}`);
  // Drift: the same customers twice more, 20 years older and 40,000 richer. Half of the window
  // is then far above the reference deciles of age and income: alert on both.
  const lines = csv.trim().split(/\r?\n/);
  const head = lines[0].split(',');
  const ia = head.indexOf('age'), ii = head.indexOf('annual_income');
  check(ia >= 0 && ii >= 0, 'customers.csv has age and annual_income');
  const shifted = [lines[0], ...lines.slice(1).map((l) => {
    const f = l.split(',');
    f[ia] = String(Number(f[ia]) + 20);
    f[ii] = String(Number(f[ii]) + 40000);
    return f.join(',');
  })].join('\n') + '\n';
  for (let k = 0; k < 2; k++) {
    await page.evaluate((body) => fetch('/api/v1/score/batch', {method: 'POST', body,
      headers: {'Content-Type': 'text/csv'}}).then((r) => { if (!r.ok) throw new Error('batch ' + r.status); }), shifted);
  }
  await clv.locator('[data-status="alert"]').waitFor({timeout: 12000});
  const after = await page.evaluate(() => fetch('/api/v1/monitor').then((r) => r.json()));
  const g = Object.fromEntries(after.models.find((m) => m.role === 'clv').gauges.map((x) => [x.feature, x.psi]));
  check(g.age >= 0.25 && g.annual_income >= 0.25, `age and income alert: ${g.age}, ${g.annual_income}`);
  check(g.loyalty_score < 0.1, 'an unchanged column stays stable: ' + g.loyalty_score);
  log(`monitor: after the shifted batches PSI age ${g.age.toFixed(3)}, income ${g.annual_income.toFixed(3)}, loyalty ${g.loyalty_score.toFixed(4)}`);
  await noErrorMessage(page, 'monitor');
  await shot(page, 'ui-monitor.png');
}

// `cip clv evaluate` in the background (a few seconds under ASan) while the models and audit
// pages are tested; testClv waits for it. Its run only counts once FINISHED, so the empty
// state checked just before starting it stays valid until then.
let clvJob = null;

async function testClvEmpty(page, base) {
  await page.goto(base + '#/clv');
  await page.locator('#clv-empty').waitFor({timeout: 15000});
  check((await page.locator('#clv-empty').textContent()).includes('cip clv evaluate'), 'empty state says what to run');
  await noErrorMessage(page, 'clv (empty)');
  if (!CDNOW || !fs.existsSync(CDNOW)) {
    log('clv: CIP_SHARED_DIR/data/CDNOW_sample.txt absent: empty state only');
    return;
  }
  const t0 = Date.now();
  clvJob = new Promise((resolve, reject) => {
    const args = ['clv', 'evaluate', CDNOW, '--calibration-end', '1997-09-30', '--holdout-end',
      '1998-06-30', '--unit', 'week', '--trees', '60', '-q', '--tracking-uri', URI];
    const proc = spawn(BIN, args, {cwd: WORK, stdio: ['ignore', 'ignore', 'pipe']});
    let err = '';
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('exit', (code) => {
      if (code === 0) resolve((Date.now() - t0) / 1000);
      else reject(new Error(`cip ${args.join(' ')} failed (exit ${code}):\n${err}`));
    });
  });
  clvJob.catch(() => {}); // reported by testClv
}

async function testClv(page, base) {
  if (!clvJob) return;
  log(`clv: evaluate took ${(await clvJob).toFixed(1)} s`);
  await page.goto(base + '#/clv');
  await page.locator('#clv-methods').waitFor({timeout: 15000});
  const facts = await page.locator('#clv-facts').textContent();
  check(facts.includes('1997-09-30') && facts.includes('1998-06-30') && facts.includes('2,357'),
    'calibration / holdout facts: ' + facts);
  const methods = await page.locator('#clv-methods tbody td:first-child').allTextContents();
  check(methods.includes('BG/NBD'), 'methods table has BG/NBD: ' + methods.join(', '));
  check(await page.locator('#clv-churn tbody tr').count() >= 2, 'churn methods table');
  check((await page.locator('#clv-fits').textContent()).includes('alpha'), 'fitted BG/NBD parameters');
  const chart = page.locator('section[aria-label="Cumulative repeat purchases"] svg.chart');
  check(await chart.locator('path.line').count() >= 2, 'actual and BG/NBD cumulative lines');
  check(await chart.locator('line.marker').count() === 1, 'calibration end marker');
  await noErrorMessage(page, 'clv');
  await shot(page, 'ui-clv.png');
}

async function main() {
  let server = null, browser = null;
  const problems = [];
  try {
    prepareStore();
    server = await startServer();
    log('server at ' + server.url);
    browser = await chromium.launch({executablePath: process.env.CHROMIUM, args: ['--no-sandbox']});
    const page = await browser.newPage({viewport: {width: 1280, height: 860}});
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const url = (m.location() && m.location().url) || '';
      // Chromium logs every non-2xx fetch; the ones a step provokes on purpose are allowed.
      if (/Failed to load resource/.test(m.text()) && allowedHttpErrors.some((re) => re.test(url))) return;
      problems.push(`console error: ${m.text()} (${url})`);
    });
    for (const t of [testCustomer, testBatch, testMonitor, testRuns, testClvEmpty, testModels, testAudit,
      testClv]) {
      await t(page, server.url);
      log(t.name + ' ok');
    }
    check(problems.length === 0, problems.join('\n'));
  } finally {
    if (browser) await browser.close();
    if (server) {
      const exited = new Promise((r) => {
        if (server.proc.exitCode !== null || server.proc.signalCode !== null) r(server.proc.exitCode);
        else server.proc.once('exit', (code) => r(code));
      });
      server.proc.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 10000))]);
      if (code === 'timeout') server.proc.kill('SIGKILL');
      // `cip serve` exits 0 on SIGTERM; a sanitizer report or a hang is a failure too.
      const err = server.stderr();
      if (code !== 0 || /AddressSanitizer|LeakSanitizer|runtime error:/.test(err)) {
        problems.push(`cip serve ended badly on SIGTERM (exit ${code}):\n${err.split('\n').filter((l) => !/^(GET|POST) /.test(l)).join('\n')}`);
      }
    }
  }
  check(problems.length === 0, problems.join('\n'));
}

main().then(() => {
  log('ui.test: all pages ok');
  process.exit(0);
}, (e) => {
  console.error('ui.test FAILED: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
