// report.test.mjs - the HTML report of `cip report` in headless Chromium.
// Renders the fixtures tests/data/summary_full.json (every section, a feature named <script>)
// and summary_minimal.json with the CLI, opens each report.html from file://, and checks that
// every expected chart <svg id> exists with a non-zero size and a <title>, that the page runs
// no script and loads nothing from the network, that hostile text shows as text, and that no
// console or page error occurs. When `cip pipeline` works in this build it also renders a real
// summary of data/customers.csv. Screenshots go to $WORK; with UPDATE_SCREENSHOTS=1 the real
// report of ../shared/data/Customer_Purchasing_Behaviors.csv (else the fixture) becomes
// docs/img/report.png. Run through tests/browser/run.sh (ctest browser.report).
// SPDX-License-Identifier: MIT
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {chromium} from 'playwright-core';

const BIN = process.env.CIP_BIN;
const SRC = process.env.CIP_SOURCE_DIR;
const WORK = process.env.WORK;
const DATA = process.env.CIP_TEST_DATA || (SRC && path.join(SRC, 'tests', 'data'));
const SHARED = process.env.CIP_SHARED_DIR;
if (!BIN || !SRC || !WORK) {
  console.error('report.test: CIP_BIN, CIP_SOURCE_DIR and WORK must be set (run via tests/browser/run.sh)');
  process.exit(1);
}
const T0 = Date.now();
const ALL_CHARTS = [
  'chart-clv-importance', 'chart-churn-importance', 'chart-segments-importance',
  'chart-clv-actual-predicted', 'chart-clv-residuals', 'chart-churn-roc', 'chart-churn-pr',
  'chart-churn-confusion', 'chart-segments-sweep', 'chart-segments-profiles',
  'chart-segments-projection', 'chart-tx-cumulative',
];

function log(msg) {
  console.log(`[${((Date.now() - T0) / 1000).toFixed(1)}s] ${msg}`);
}

function check(cond, msg) {
  if (!cond) throw new Error('check failed: ' + msg);
}

function cip(args, timeout = 60000) {
  try {
    return execFileSync(BIN, args, {cwd: WORK, encoding: 'utf8', timeout,
      stdio: ['ignore', 'pipe', 'pipe']});
  } catch (e) {
    const err = new Error(`cip ${args.join(' ')} failed (exit ${e.status}):\n${e.stderr || ''}${e.stdout || ''}`);
    err.status = e.status;
    err.stderr = e.stderr || '';
    throw err;
  }
}

// Charts a summary should produce: those whose data is present.
function expectedCharts(summary) {
  const m = summary.models || {};
  const want = [];
  const has = (v) => Array.isArray(v) && v.length > 0;
  if (m.clv && has(m.clv.importances)) want.push('chart-clv-importance');
  if (m.clv && has(m.clv.actual)) want.push('chart-clv-actual-predicted', 'chart-clv-residuals');
  if (m.churn && has(m.churn.importances)) want.push('chart-churn-importance');
  if (m.churn && m.churn.roc && has(m.churn.roc.fpr)) want.push('chart-churn-roc');
  if (m.churn && m.churn.pr && has(m.churn.pr.recall)) want.push('chart-churn-pr');
  if (m.churn && has(m.churn.confusion)) want.push('chart-churn-confusion');
  if (m.segments && has(m.segments.importances)) want.push('chart-segments-importance');
  if (m.segments && has(m.segments.sweep)) want.push('chart-segments-sweep');
  if (m.segments && has(m.segments.profiles)) want.push('chart-segments-profiles');
  if (m.segments && m.segments.projection && has(m.segments.projection.x)) {
    want.push('chart-segments-projection');
  }
  if (summary.transactions && summary.transactions.cumulative) want.push('chart-tx-cumulative');
  return want;
}

// Open a report and check it; returns the page (caller closes).
async function openReport(browser, file, charts, label) {
  const page = await browser.newPage({viewport: {width: 1200, height: 900}});
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('file://')) problems.push('network request: ' + r.url());
  });
  await page.goto('file://' + file, {waitUntil: 'load'});
  for (const id of charts) {
    const info = await page.evaluate((id) => {
      const el = document.getElementById(id);
      if (!el) return null;
      const r = el.getBoundingClientRect();
      const t = el.querySelector('title');
      return {tag: el.tagName.toLowerCase(), w: r.width, h: r.height, title: t ? t.textContent : ''};
    }, id);
    check(info !== null, `${label}: chart #${id} exists`);
    check(info.tag === 'svg', `${label}: #${id} is an <svg> (got ${info.tag})`);
    check(info.w > 100 && info.h > 50, `${label}: #${id} has a visible size (${info.w}x${info.h})`);
    check(info.title.length > 5, `${label}: #${id} has a <title>`);
  }
  const nSvg = await page.evaluate(() => document.querySelectorAll('svg').length);
  check(nSvg === charts.length, `${label}: ${charts.length} charts expected, page has ${nSvg}`);
  const nScripts = await page.evaluate(() => document.scripts.length);
  check(nScripts === 0, `${label}: the page has no <script> (found ${nScripts})`);
  check(problems.length === 0, `${label}: no console/page errors or network use:\n  ${problems.join('\n  ')}`);
  return page;
}

async function fixtureReports(browser) {
  const full = path.join(WORK, 'report.html');
  const out = cip(['report', path.join(DATA, 'summary_full.json'), '-o', full]);
  check(out.includes('wrote ' + full), 'cip report says where it wrote the page');
  const size = fs.statSync(full).size;
  log(`fixture report: ${size} bytes`);
  const page = await openReport(browser, full, ALL_CHARTS, 'full fixture');
  // Hostile names are shown as text, never run.
  const text = await page.evaluate(() => document.body.innerText);
  check(text.includes('<script>alert(1)</script>'), 'the <script> feature name is shown as text');
  check(text.includes('Verdict: the numbers are realistic.'), 'the verdict is in plain words');
  const rows = await page.$$eval('#criteria-table tbody tr', (trs) => trs.length);
  check(rows === 4, `criteria table has 4 rows (got ${rows})`);
  await page.screenshot({path: path.join(WORK, 'report-fixture.png'), fullPage: true});
  await page.emulateMedia({media: 'print'});
  await page.pdf({path: path.join(WORK, 'report-fixture.pdf')});
  await page.close();

  const mini = path.join(WORK, 'minimal.html');
  cip(['report', path.join(DATA, 'summary_minimal.json'), '-o', mini]);
  const p2 = await openReport(browser, mini, ['chart-segments-profiles'], 'minimal fixture');
  const t2 = await p2.evaluate(() => document.body.innerText);
  check(t2.includes('Not available: this model was not trained in this run'),
    'missing models are reported as not available');
  await p2.close();

  // Bad JSON: exit 1 and line:column in the message.
  const bad = path.join(WORK, 'bad.json');
  fs.writeFileSync(bad, '{"seed": 1,\n "models": {]}\n');
  let failed = null;
  try { cip(['report', bad, '-o', path.join(WORK, 'bad.html')]); } catch (e) { failed = e; }
  check(failed && failed.status === 1, 'bad JSON exits with status 1');
  check(/bad\.json:2:\d+: invalid summary JSON/.test(failed.stderr), `line:column in "${failed.stderr.trim()}"`);
}

// A real summary from `cip pipeline` when this build has it; null (with a visible note) if not.
function pipelineSummary(data, outDir, timeout) {
  try {
    cip(['pipeline', data, '--out', outDir, '--no-track', '-q'], timeout);
  } catch (e) {
    log(`NOTE: cip pipeline did not produce a summary here (${e.message.split('\n')[0]}); ` +
      'real-report check skipped');
    return null;
  }
  const file = path.join(outDir, 'summary.json');
  if (!fs.existsSync(file)) {
    log('NOTE: cip pipeline wrote no summary.json; real-report check skipped');
    return null;
  }
  return file;
}

async function realReport(browser, data, name, timeout) {
  const summary = pipelineSummary(data, path.join(WORK, name), timeout);
  if (!summary) return null;
  const html = path.join(WORK, name, 'report-cli.html');
  cip(['report', summary, '-o', html]);
  const doc = JSON.parse(fs.readFileSync(summary, 'utf8'));
  const charts = expectedCharts(doc);
  check(charts.length >= 3, `the real summary yields charts (${charts.join(', ')})`);
  const size = fs.statSync(html).size;
  check(size < 1024 * 1024, `real report under 1 MB (${size} bytes)`);
  log(`real report (${name}): ${size} bytes, charts: ${charts.join(' ')}`);
  const page = await openReport(browser, html, charts, 'real ' + name);
  await page.screenshot({path: path.join(WORK, `report-${name}.png`), fullPage: true});
  return page;
}

const browser = await chromium.launch({executablePath: process.env.CHROMIUM, args: ['--no-sandbox']});
try {
  await fixtureReports(browser);
  log('fixture reports ok');
  const page = await realReport(browser, path.join(SRC, 'data', 'customers.csv'), 'customers', 40000);
  if (page) await page.close();
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    const img = path.join(SRC, 'docs', 'img', 'report.png');
    fs.mkdirSync(path.dirname(img), {recursive: true});
    const ref = SHARED && path.join(SHARED, 'data', 'Customer_Purchasing_Behaviors.csv');
    let shot = ref && fs.existsSync(ref) ? await realReport(browser, ref, 'reference', 300000) : null;
    if (!shot) {
      shot = await browser.newPage({viewport: {width: 1200, height: 900}});
      await shot.goto('file://' + path.join(WORK, 'report.html'));
    }
    await shot.setViewportSize({width: 1200, height: 1500});
    await shot.screenshot({path: img});
    await shot.close();
    log('wrote ' + img);
  }
  log('report.test: ok');
} catch (e) {
  console.error(e.stack || String(e));
  process.exitCode = 1;
} finally {
  await browser.close();
}
