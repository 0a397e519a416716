/* app.js - cip web UI: a single-page app over the HTTP API of `cip serve` (/api/v1/...).
   Pages (hash routes): #/customer, #/batch, #/runs, #/models, #/audit, #/monitor, #/clv.
   Plain ES2020, no dependencies; charts are inline SVG drawn here. Every failed request shows a message.
   SPDX-License-Identifier: MIT */
'use strict';

/* ---------- small DOM helpers ---------- */
const SVGNS = 'http://www.w3.org/2000/svg';

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  appendAll(el, children);
  return el;
}

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  appendAll(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function appendAll(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/* ---------- formatting ---------- */
const nf0 = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});
const nf2 = new Intl.NumberFormat('en-US', {maximumFractionDigits: 2});

function fmtNum(v, digits) {
  if (v === null || v === undefined || v === '') return '–';
  const x = Number(v);
  if (!Number.isFinite(x)) return String(v);
  if (digits !== undefined) return x.toFixed(digits);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e9)) return x.toExponential(3);
  if (Number.isInteger(x)) return nf0.format(x);
  return a >= 100 ? nf2.format(x) : String(Number(x.toPrecision(4)));
}

function fmtMoney(v) {
  const x = Number(v);
  return Number.isFinite(x) ? '$' + nf2.format(x) : '–';
}

function fmtPct(v) {
  const x = Number(v);
  return Number.isFinite(x) ? (x * 100).toFixed(1) + '%' : '–';
}

function fmtTime(ms) {
  if (ms === null || ms === undefined) return '–';
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return String(ms);
  return d.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

function pretty(name) {
  return String(name).replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/* ---------- API ---------- */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/* fetch a path of the API; returns parsed JSON (or text when opts.text). Throws ApiError with
   the server's {"error_code","message"} when the status is not 2xx. */
async function api(path, opts = {}) {
  const init = {method: opts.method || 'GET', headers: Object.assign({}, opts.headers || {})};
  if (opts.json !== undefined) {
    init.body = JSON.stringify(opts.json);
    init.headers['Content-Type'] = 'application/json';
  } else if (opts.body !== undefined) {
    init.body = opts.body;
  }
  if (opts.signal) init.signal = opts.signal;
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK_ERROR', 'cannot reach the cip server (' + e.message + ')');
  }
  const text = await res.text();
  if (!res.ok) {
    let code = 'HTTP_' + res.status;
    let msg = text.trim() || res.statusText || 'request failed';
    try {
      const j = JSON.parse(text);
      if (j && typeof j === 'object') {
        code = j.error_code || code;
        msg = j.message || msg;
      }
    } catch (_) { /* not JSON: keep the text */ }
    throw new ApiError(res.status, code, msg);
  }
  if (opts.text) return text;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(res.status, 'BAD_RESPONSE', 'invalid JSON from ' + path + ': ' + e.message);
  }
}

function errText(e, what) {
  if (e instanceof ApiError) {
    const st = e.status ? ' (HTTP ' + e.status + ' ' + e.code + ')' : '';
    return what + ': ' + e.message + st;
  }
  return what + ': ' + (e && e.message ? e.message : String(e));
}

/* ---------- messages ---------- */
function showMessage(text, kind = 'error', timeout = 0) {
  const box = document.getElementById('messages');
  const close = h('button', {class: 'close', type: 'button', 'aria-label': 'Dismiss message'}, '×');
  const m = h('div', {class: 'msg ' + kind}, h('span', {class: 'msg-text'}, text), close);
  close.addEventListener('click', () => m.remove());
  box.append(m);
  while (box.children.length > 4) box.firstChild.remove();
  if (timeout) setTimeout(() => m.remove(), timeout);
  return m;
}

function clearMessages() {
  clear(document.getElementById('messages'));
}

function showError(e, what) {
  showMessage(errText(e, what), 'error');
}

/* ---------- state ---------- */
const state = {
  info: null,
  infoError: null,
  token: sessionStorage.getItem('cip.token') || '',
  customer: null,
  batch: null,
  runs: {sortKey: 'start_time', sortDir: -1, filter: '', experiment: '', selected: new Set(),
    onlyDiff: true},
};

/* ---------- charts (inline SVG) ---------- */

/* Horizontal signed bar chart: items [{label, value, title}]; colours for >0 and <0. */
function signedBarChart(items, opts = {}) {
  const W = 520, rowH = 26, labelW = 236, pad = 6, valW = 70;
  const H = items.length * rowH + 24;
  const max = Math.max(1e-12, ...items.map((d) => Math.abs(d.value)));
  const plotW = W - labelW - valW - pad * 2;
  const zero = labelW + pad + plotW / 2;
  const svg = s('svg', {class: 'chart contrib', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': opts.label || 'bar chart'});
  svg.append(s('line', {class: 'axis', x1: zero, x2: zero, y1: 0, y2: H - 18}));
  items.forEach((d, i) => {
    const y = i * rowH + 4;
    const w = (Math.abs(d.value) / max) * (plotW / 2);
    const x = d.value >= 0 ? zero : zero - w;
    const fill = d.value >= 0 ? (opts.posColor || '#2e7d32') : (opts.negColor || '#c62828');
    const g = s('g', {});
    g.append(s('title', {}, d.title || `${d.label}: ${fmtNum(d.value)}`));
    g.append(s('text', {x: labelW, y: y + rowH / 2 + 1, 'text-anchor': 'end',
      'dominant-baseline': 'middle'}, d.label));
    g.append(s('rect', {x, y: y + 3, width: Math.max(1, w), height: rowH - 8, rx: 2, fill}));
    g.append(s('text', {x: W - valW + 6, y: y + rowH / 2 + 1, 'dominant-baseline': 'middle'},
      (d.value >= 0 ? '+' : '') + (opts.fmt || fmtNum)(d.value)));
    svg.append(g);
  });
  svg.append(s('text', {x: zero, y: H - 4, 'text-anchor': 'middle'}, opts.axisLabel || '0'));
  return svg;
}

/* Vertical bar chart of categories: items [{label, value}]. */
function barChart(items, opts = {}) {
  const W = 400, H = 200, left = 40, bottom = 34, top = 14;
  const plotW = W - left - 10, plotH = H - bottom - top;
  const max = niceCount(Math.max(...items.map((d) => d.value)));
  const svg = s('svg', {class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': opts.label || 'bar chart', style: opts.style});
  axesY(svg, max, left, top, plotW, plotH, opts.yFmt);
  const bw = plotW / Math.max(1, items.length);
  items.forEach((d, i) => {
    const bh = (d.value / max) * plotH;
    const x = left + i * bw + bw * 0.15;
    const g = s('g', {});
    g.append(s('title', {}, `${d.label}: ${fmtNum(d.value)}`));
    g.append(s('rect', {class: 'bar', x, y: top + plotH - bh, width: bw * 0.7, height: bh, rx: 2,
      style: d.color ? 'fill:' + d.color : null}));
    g.append(s('text', {x: x + bw * 0.35, y: top + plotH - bh - 4, 'text-anchor': 'middle'},
      fmtNum(d.value)));
    g.append(s('text', {x: x + bw * 0.35, y: H - bottom + 16, 'text-anchor': 'middle'}, d.label));
    svg.append(g);
  });
  return svg;
}

/* Y axis with 4 intervals; max must already be "nice" (see niceCount). */
function axesY(svg, max, left, top, plotW, plotH, yFmt) {
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    const y = top + plotH - (plotH * t) / 4;
    svg.append(s('line', {class: t ? 'grid-line' : 'axis', x1: left, x2: left + plotW, y1: y, y2: y}));
    svg.append(s('text', {x: left - 6, y: y + 4, 'text-anchor': 'end'}, (yFmt || fmtNum)(v)));
  }
}

/* Histogram of numeric values (nb bins) as an SVG. */
function histogram(values, opts = {}) {
  const W = 400, H = 200, left = 40, bottom = 34, top = 14, nb = opts.bins || 20;
  const plotW = W - left - 10, plotH = H - bottom - top;
  const v = values.filter(Number.isFinite);
  let lo = opts.min !== undefined ? opts.min : Math.min(...v);
  let hi = opts.max !== undefined ? opts.max : Math.max(...v);
  if (!v.length) { lo = 0; hi = 1; }
  if (hi <= lo) hi = lo + 1;
  const counts = new Array(nb).fill(0);
  for (const x of v) counts[Math.min(nb - 1, Math.max(0, Math.floor(((x - lo) / (hi - lo)) * nb)))]++;
  const max = niceCount(Math.max(...counts));
  const svg = s('svg', {class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': opts.label || 'histogram'});
  axesY(svg, max, left, top, plotW, plotH, (x) => fmtNum(Math.round(x)));
  const bw = plotW / nb;
  counts.forEach((c, i) => {
    const bh = (c / max) * plotH;
    const a = lo + ((hi - lo) * i) / nb, b = lo + ((hi - lo) * (i + 1)) / nb;
    const r = s('rect', {class: 'bar', x: left + i * bw + 1, y: top + plotH - bh,
      width: Math.max(0, bw - 2), height: bh, style: opts.color ? 'fill:' + opts.color : null});
    r.append(s('title', {}, `${(opts.fmt || fmtNum)(a)} – ${(opts.fmt || fmtNum)(b)}: ${c}`));
    svg.append(r);
  });
  for (let t = 0; t <= 4; t++) {
    const x = left + (plotW * t) / 4;
    svg.append(s('text', {x, y: H - bottom + 16, 'text-anchor': 'middle'},
      (opts.fmt || fmtNum)(lo + ((hi - lo) * t) / 4)));
  }
  if (opts.xLabel) {
    svg.append(s('text', {x: left + plotW / 2, y: H - 4, 'text-anchor': 'middle'}, opts.xLabel));
  }
  return svg;
}

/* Axis maximum for counts: 4 whole-number intervals of a round step (1, 1.5, 2, 3, 4, 5, 6 or
   8 times a power of ten) covering n. */
function niceCount(n) {
  const step = Math.max(1, Math.ceil(n / 4));
  const p = Math.pow(10, Math.floor(Math.log10(step)));
  const m = [1, 1.5, 2, 3, 4, 5, 6, 8, 10].find((x) => x * p >= step && Number.isInteger(x * p));
  return m * p * 4;
}

const PALETTE = ['#1f5fbf', '#d9534f', '#2e7d32', '#8e44ad', '#e67e22', '#16a085', '#7f8c8d',
  '#c0392b'];

/* Line chart of series [{name, points:[{x,y}]}]. */
function lineChart(series, opts = {}) {
  const W = 620, H = 260, left = 56, bottom = 36, top = 14, right = 14;
  const plotW = W - left - right, plotH = H - top - bottom;
  const pts = series.flatMap((se) => se.points);
  let x0 = Math.min(...pts.map((p) => p.x)), x1 = Math.max(...pts.map((p) => p.x));
  let y0 = Math.min(...pts.map((p) => p.y)), y1 = Math.max(...pts.map((p) => p.y));
  if (!pts.length) { x0 = 0; x1 = 1; y0 = 0; y1 = 1; }
  if (x1 <= x0) { x0 -= 1; x1 += 1; }
  if (y1 <= y0) { const d = Math.abs(y0) * 0.05 || 1; y0 -= d; y1 += d; }
  const padY = (y1 - y0) * 0.08;
  y0 -= padY; y1 += padY;
  if (opts.floor0 && pts.length && pts.every((p) => p.y >= 0)) { y0 = 0; y1 = niceCount(Math.max(...pts.map((p) => p.y))); }
  const X = (x) => left + ((x - x0) / (x1 - x0)) * plotW;
  const Y = (y) => top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const svg = s('svg', {class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': opts.label || 'line chart'});
  for (let t = 0; t <= 4; t++) {
    const y = y0 + ((y1 - y0) * t) / 4;
    svg.append(s('line', {class: t ? 'grid-line' : 'axis', x1: left, x2: left + plotW, y1: Y(y), y2: Y(y)}));
    svg.append(s('text', {x: left - 6, y: Y(y) + 4, 'text-anchor': 'end'}, fmtNum(y)));
  }
  /* x ticks: every step when the steps are a few integers, else 4 intervals */
  const intX = pts.every((p) => Number.isInteger(p.x));
  const xt = [];
  if (intX && x1 - x0 <= 10) for (let x = Math.ceil(x0); x <= x1; x++) xt.push(x);
  else for (let t = 0; t <= 4; t++) xt.push(intX ? Math.round(x0 + ((x1 - x0) * t) / 4) : x0 + ((x1 - x0) * t) / 4);
  const neg = pts.some((p) => p.x < 0);
  for (const x of xt.filter((v) => neg || v >= 0)) svg.append(s('text', {x: X(x), y: H - bottom + 16, 'text-anchor': 'middle'}, fmtNum(x)));
  svg.append(s('text', {x: left + plotW / 2, y: H - 4, 'text-anchor': 'middle'}, opts.xLabel || 'step'));
  /* optional vertical markers [{x, label}] (e.g. the end of a calibration period) */
  for (const v of opts.vlines || []) {
    if (!(v.x >= x0 && v.x <= x1)) continue;
    svg.append(s('line', {class: 'marker', x1: X(v.x), x2: X(v.x), y1: top, y2: top + plotH}));
    svg.append(s('text', {x: X(v.x) + 4, y: top + 10}, v.label));
  }
  series.forEach((se, i) => {
    const color = PALETTE[i % PALETTE.length];
    const sorted = se.points.slice().sort((a, b) => a.x - b.x);
    const d = sorted.map((p, j) => (j ? 'L' : 'M') + X(p.x).toFixed(1) + ' ' + Y(p.y).toFixed(1)).join(' ');
    svg.append(s('path', {class: 'line', d, stroke: color}));
    if (opts.dots === false) {
      const t = s('title', {}, se.name);
      svg.lastChild.append(t);
      return;
    }
    for (const p of sorted) {
      const c = s('circle', {cx: X(p.x), cy: Y(p.y), r: 3, fill: color});
      c.append(s('title', {}, `${se.name} ${opts.xName || 'step'} ${fmtNum(p.x)}: ${fmtNum(p.y)}`));
      svg.append(c);
    }
  });
  return svg;
}

function legend(names) {
  return h('div', {class: 'legend'}, names.map((n, i) =>
    h('span', {}, h('i', {style: 'background:' + PALETTE[i % PALETTE.length]}), n)));
}

/* Semicircle gauge for a probability in [0, 1]. */
function gauge(p, threshold) {
  const W = 220, H = 130, cx = 110, cy = 112, r = 90;
  const pt = (f, rr) => [cx - rr * Math.cos(Math.PI * f), cy - rr * Math.sin(Math.PI * f)];
  const arc = (f0, f1, color) => {
    const [xa, ya] = pt(f0, r), [xb, yb] = pt(f1, r);
    return s('path', {d: `M${xa} ${ya} A${r} ${r} 0 0 1 ${xb} ${yb}`, fill: 'none', stroke: color,
      'stroke-width': 16});
  };
  const q = Math.min(1, Math.max(0, Number(p) || 0));
  const svg = s('svg', {class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': 'churn probability gauge: ' + fmtPct(q), style: 'max-width:240px;margin:auto'});
  svg.append(arc(0, 1, '#e3e7ee'));
  if (q > 0) svg.append(arc(0, q, q >= (threshold ?? 0.5) ? '#d9534f' : '#2e7d32'));
  if (threshold !== undefined && threshold !== null) {
    const [x1, y1] = pt(threshold, r - 12), [x2, y2] = pt(threshold, r + 12);
    svg.append(s('line', {x1, y1, x2, y2, stroke: '#1d2433', 'stroke-width': 2}));
  }
  const [nx, ny] = pt(q, r - 22);
  svg.append(s('line', {x1: cx, y1: cy, x2: nx, y2: ny, stroke: '#1d2433', 'stroke-width': 3,
    'stroke-linecap': 'round'}));
  svg.append(s('circle', {cx, cy, r: 5, fill: '#1d2433'}));
  svg.append(s('text', {x: 12, y: H - 2}, '0%'));
  svg.append(s('text', {x: W - 12, y: H - 2, 'text-anchor': 'end'}, '100%'));
  return svg;
}

/* ---------- CSV ---------- */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else q = false;
      } else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/* ---------- router ---------- */
const pages = {};
let currentPage = null;

function route() {
  const m = location.hash.match(/^#\/([a-z]+)/);
  const name = m && pages[m[1]] ? m[1] : 'customer';
  for (const a of document.querySelectorAll('#nav a')) {
    const on = a.dataset.page === name;
    a.classList.toggle('active', on);
    if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  clearMessages();
  currentPage = name;
  const view = clear(document.getElementById('view'));
  document.title = pages[name].title + ' · cip';
  pages[name].render(view);
}

/* ---------- server info ---------- */
async function loadInfo() {
  try {
    state.info = await api('/api/v1/info');
    state.infoError = null;
  } catch (e) {
    state.info = null;
    state.infoError = e;
  }
  const st = clear(document.getElementById('server-status'));
  if (state.info) {
    document.getElementById('footer-version').textContent = 'cip ' + (state.info.version || '');
    const models = state.info.models || [];
    if (!models.length) st.append(h('span', {class: 'chip'}, 'no models loaded'));
    for (const m of models) {
      st.append(h('span', {class: 'chip', title: m.uri || ''},
        `${m.role}: ${m.name || m.uri}${m.version ? ' v' + m.version : ''}`));
    }
  } else {
    st.append(h('span', {class: 'chip'}, 'server unreachable'));
  }
}

function modelByRole(role) {
  return ((state.info && state.info.models) || []).find((m) => m.role === role);
}

/* ================= Customer page ================= */

/* Slider ranges for the reference customer table (../shared/data/README.md ranges, widened). */
const FIELD_HINTS = {
  age: {min: 18, max: 80, step: 1, value: 38, unit: 'years'},
  annual_income: {min: 20000, max: 150000, step: 1000, value: 57000, unit: '$ / year'},
  purchase_amount: {min: 100, max: 1000, step: 10, value: 430, unit: '$'},
  purchase_frequency: {min: 1, max: 40, step: 1, value: 19, unit: 'per year'},
  loyalty_score: {min: 0, max: 10, step: 0.1, value: 6.5, unit: '0–10'},
};
const REGIONS = ['North', 'South', 'West', 'East'];
const FIELD_ORDER = ['age', 'annual_income', 'region', 'purchase_amount', 'purchase_frequency',
  'loyalty_score'];

function customerFields() {
  const seen = new Map();
  for (const m of (state.info && state.info.models) || []) {
    for (const inp of m.inputs || []) if (!seen.has(inp.name)) seen.set(inp.name, inp.type);
  }
  const names = [...seen.keys()].sort((a, b) => {
    const ia = FIELD_ORDER.indexOf(a), ib = FIELD_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  return names.map((n) => ({name: n, type: seen.get(n)}));
}

function isCategory(t) {
  return t === 'category' || t === 'string' || t === 'str' || t === 'text';
}

function fieldControl(f, values, onChange) {
  const id = 'f-' + f.name;
  if (isCategory(f.type)) {
    const sel = h('select', {id, name: f.name},
      REGIONS.map((r) => h('option', {value: r, selected: values[f.name] === r}, r)));
    if (!values[f.name]) values[f.name] = sel.value;
    sel.addEventListener('change', () => { values[f.name] = sel.value; onChange(); });
    return h('div', {class: 'field'}, h('label', {for: id}, pretty(f.name)), sel);
  }
  if (f.type === 'bool' || f.type === 'boolean') {
    const cb = h('input', {type: 'checkbox', id, name: f.name, checked: !!values[f.name]});
    if (values[f.name] === undefined) values[f.name] = false;
    cb.addEventListener('change', () => { values[f.name] = cb.checked; onChange(); });
    return h('div', {class: 'field'}, h('label', {for: id}, pretty(f.name), cb));
  }
  const isInt = f.type === 'int' || f.type === 'int64' || f.type === 'integer';
  const hint = FIELD_HINTS[f.name] || {min: 0, max: 100, step: isInt ? 1 : 0.1, value: 50};
  if (values[f.name] === undefined) values[f.name] = hint.value;
  const range = h('input', {type: 'range', id: id + '-range', min: hint.min, max: hint.max,
    step: hint.step, value: values[f.name], 'aria-label': pretty(f.name) + ' slider'});
  const num = h('input', {type: 'number', id, name: f.name, min: hint.min, max: hint.max,
    step: hint.step, value: values[f.name]});
  const set = (v, from) => {
    let x = Number(v);
    if (!Number.isFinite(x)) return;
    if (isInt) x = Math.round(x);
    values[f.name] = x;
    if (from !== range) range.value = String(x);
    if (from !== num) num.value = String(x);
    onChange();
  };
  range.addEventListener('input', () => set(range.value, range));
  num.addEventListener('input', () => { if (num.value !== '') set(num.value, num); });
  return h('div', {class: 'field'},
    h('label', {for: id}, pretty(f.name), h('span', {class: 'hint'}, hint.unit || f.type)),
    h('div', {class: 'field-row'}, range, num));
}

pages.customer = {
  title: 'Customer',
  render(view) {
    view.append(h('div', {class: 'page-head'},
      h('div', {}, h('h1', {}, 'Customer scoring'),
        h('p', {class: 'muted', style: 'margin:0'},
          'Describe one customer: the loaded models predict lifetime value, churn risk and segment, and explain why.'))));
    if (!state.info) {
      showError(state.infoError || new Error('no server information'), 'Cannot load the model list (GET /api/v1/info)');
      view.append(h('div', {class: 'card empty'}, h('div', {class: 'big'}, 'The server did not answer'),
        h('button', {type: 'button', onclick: async () => { await loadInfo(); route(); }}, 'Retry')));
      return;
    }
    const fields = customerFields();
    if (!fields.length) {
      view.append(h('div', {class: 'card empty'}, h('div', {class: 'big'}, 'No models are loaded'),
        h('p', {}, 'Start the server with models, e.g. ', h('code', {}, 'cip serve --model models:/cip-clv@champion'), '.')));
      return;
    }
    const values = state.customer || (state.customer = {});
    const out = h('div', {id: 'customer-result', 'aria-live': 'polite'});
    let timer = 0, seq = 0;
    const score = async () => {
      const my = ++seq;
      out.classList.add('busy');
      try {
        const body = {};
        for (const f of fields) body[f.name] = values[f.name];
        const r = await api('/api/v1/score', {method: 'POST', json: body});
        if (my !== seq) return;
        renderScore(out, r, values);
      } catch (e) {
        if (my !== seq) return;
        clear(out).append(h('div', {class: 'card'}, h('p', {class: 'inline-error'}, errText(e, 'Scoring failed'))));
        showError(e, 'Scoring failed (POST /api/v1/score)');
      } finally {
        if (my === seq) out.classList.remove('busy');
      }
    };
    const onChange = () => { clearTimeout(timer); timer = setTimeout(score, 250); };
    const form = h('form', {id: 'customer-form', 'aria-label': 'Customer attributes',
      onsubmit: (e) => { e.preventDefault(); score(); }},
    fields.map((f) => fieldControl(f, values, onChange)),
    h('button', {type: 'submit'}, 'Score'));
    view.append(h('div', {class: 'grid two'},
      h('section', {class: 'card', 'aria-labelledby': 'cust-form-h'},
        h('h2', {id: 'cust-form-h'}, 'Customer'), form),
      h('section', {'aria-label': 'Prediction'}, out)));
    out.append(h('p', {class: 'muted'}, 'Scoring…'));
    score();
  },
};

function contributionItems(contribs, n) {
  return (contribs || []).slice(0, n).map((c) => ({
    label: `${c.feature} = ${fmtNum(c.value)}`,
    value: Number(c.contribution),
    title: `${c.feature} = ${fmtNum(c.value)}: ${Number(c.contribution) >= 0 ? '+' : ''}${fmtNum(c.contribution)}`,
  }));
}

function renderScore(out, r, values) {
  clear(out);
  const kpis = h('div', {class: 'kpis'});
  if (r.clv) {
    const iv = r.clv.interval;
    kpis.append(h('div', {class: 'kpi'}, h('div', {class: 'label'}, 'Predicted CLV'),
      h('div', {class: 'value', id: 'clv-value'}, fmtMoney(r.clv.prediction)),
      h('div', {class: 'sub'}, iv ? `80% interval ${fmtMoney(iv[0])} – ${fmtMoney(iv[1])}` : 'no interval')));
  }
  if (r.churn) {
    const hi = Number(r.churn.label) === 1;
    kpis.append(h('div', {class: 'kpi'}, h('div', {class: 'label'}, 'Churn probability'),
      gauge(r.churn.probability, r.churn.threshold),
      h('div', {class: 'sub', style: 'text-align:center'},
        h('strong', {id: 'churn-value'}, fmtPct(r.churn.probability)), ' ',
        h('span', {class: 'badge ' + (hi ? 'high' : 'low')}, hi ? 'likely to churn' : 'likely to stay'),
        r.churn.threshold !== undefined ? h('div', {class: 'small'}, 'threshold ' + fmtPct(r.churn.threshold)) : null)));
  }
  if (r.segment) {
    kpis.append(h('div', {class: 'kpi'}, h('div', {class: 'label'}, 'Segment'),
      h('div', {class: 'value', id: 'segment-value'}, '#' + r.segment.id),
      h('div', {class: 'sub'}, r.segment.size !== undefined ? nf0.format(r.segment.size) + ' customers in training data' : '')));
  }
  out.append(kpis);
  if (r.recommendation) {
    out.append(h('div', {class: 'card', style: 'margin-bottom:1rem'}, h('h2', {}, 'Recommendation'),
      h('p', {class: 'recommendation', id: 'recommendation'}, r.recommendation)));
  }
  const charts = h('div', {class: 'grid halves'});
  if (r.clv && r.clv.contributions && r.clv.contributions.length) {
    charts.append(h('div', {class: 'card'}, h('h2', {}, 'Why this CLV'),
      h('p', {class: 'small muted'}, `Top feature contributions (TreeSHAP) to the predicted value; base value ${fmtMoney(r.clv.base_value)}.`),
      signedBarChart(contributionItems(r.clv.contributions, 8),
        {label: 'CLV feature contributions', posColor: '#2e7d32', negColor: '#c62828', fmt: fmtNum})));
  }
  if (r.churn && r.churn.contributions && r.churn.contributions.length) {
    charts.append(h('div', {class: 'card'}, h('h2', {}, 'Why this churn risk'),
      h('p', {class: 'small muted'}, `Contributions to the churn probability (red raises the risk); base ${fmtPct(r.churn.base_value)}.`),
      signedBarChart(contributionItems(r.churn.contributions, 8),
        {label: 'churn feature contributions', posColor: '#d9534f', negColor: '#3c8dbc',
          fmt: (v) => (v * 100).toFixed(1) + ' pt'})));
  }
  if (charts.children.length) out.append(charts);
  if (r.segment && r.segment.profile) {
    const mine = Object.keys(r.segment.profile).some((k) => values[k] !== undefined);
    const rows = Object.entries(r.segment.profile).map(([k, v]) =>
      h('tr', {}, h('td', {}, pretty(k)), h('td', {class: 'num'}, fmtNum(v)),
        mine ? h('td', {class: 'num'}, values[k] !== undefined ? fmtNum(values[k]) : '–') : null));
    out.append(h('div', {class: 'card', style: 'margin-top:1rem'},
      h('h2', {}, `Segment #${r.segment.id} profile`),
      h('div', {class: 'table-wrap'}, h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Feature'), h('th', {class: 'num'}, 'Segment mean'),
          mine ? h('th', {class: 'num'}, 'This customer') : null)),
        h('tbody', {}, rows)))));
  }
  if (!r.clv && !r.churn && !r.segment) out.append(h('div', {class: 'card empty'}, 'The server returned no prediction.'));
}

/* ================= Batch page ================= */
const PAGE_SIZE = 20;

pages.batch = {
  title: 'Batch',
  render(view) {
    view.append(h('div', {class: 'page-head'}, h('div', {},
      h('h1', {}, 'Batch scoring'),
      h('p', {class: 'muted', style: 'margin:0'}, 'Upload a customer table (CSV with a header) to score every row.'))));
    const input = h('input', {type: 'file', id: 'batch-file', accept: '.csv,text/csv'});
    const status = h('span', {class: 'muted', id: 'batch-status'});
    const drop = h('div', {class: 'file-drop'},
      h('label', {for: 'batch-file', style: 'font-weight:600;margin-right:.6rem'}, 'Customer CSV file'),
      input, ' ', status,
      h('p', {class: 'small muted', style: 'margin:.5rem 0 0'},
        'Columns as in the training table (user_id, age, annual_income, region, purchase_amount, purchase_frequency, loyalty_score). You can also drop a file here.'));
    const out = h('div', {id: 'batch-result'});
    view.append(h('section', {class: 'card', style: 'margin-bottom:1rem'}, drop), out);
    const run = async (file) => {
      if (!file) return;
      status.textContent = `Scoring ${file.name}…`;
      clear(out);
      try {
        const text = await file.text();
        const csv = await api('/api/v1/score/batch', {method: 'POST', body: text,
          headers: {'Content-Type': 'text/csv'}, text: true});
        const rows = parseCsv(csv);
        if (!rows.length) throw new Error('the server returned an empty table');
        if (state.batch && state.batch.url) URL.revokeObjectURL(state.batch.url);
        state.batch = {name: file.name, header: rows[0], rows: rows.slice(1), csv, page: 0,
          url: URL.createObjectURL(new Blob([csv], {type: 'text/csv'}))};
        status.textContent = `${file.name}: ${nf0.format(rows.length - 1)} rows scored`;
        renderBatch(out);
      } catch (e) {
        status.textContent = '';
        out.append(h('div', {class: 'card'}, h('p', {class: 'inline-error'}, errText(e, 'Batch scoring failed'))));
        showError(e, 'Batch scoring failed (POST /api/v1/score/batch)');
      }
    };
    input.addEventListener('change', () => run(input.files[0]));
    drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('drag'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('drag'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('drag');
      run(e.dataTransfer.files[0]);
    });
    if (state.batch) {
      status.textContent = `${state.batch.name}: ${nf0.format(state.batch.rows.length)} rows scored`;
      renderBatch(out);
    }
  },
};

function renderBatch(out) {
  const b = state.batch;
  clear(out);
  const col = (name) => b.header.indexOf(name);
  const num = (name) => (col(name) < 0 ? [] : b.rows.map((r) => Number(r[col(name)])));
  const clv = num('predicted_clv'), prob = num('churn_probability'), pred = num('churn_prediction');
  const seg = col('customer_segment') < 0 ? [] : b.rows.map((r) => r[col('customer_segment')]);
  const mean = (a) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
  const kpis = h('div', {class: 'kpis'},
    h('div', {class: 'kpi'}, h('div', {class: 'label'}, 'Customers'),
      h('div', {class: 'value'}, nf0.format(b.rows.length)), h('div', {class: 'sub'}, b.name)));
  if (clv.length) {
    kpis.append(h('div', {class: 'kpi'}, h('div', {class: 'label'}, 'Mean predicted CLV'),
      h('div', {class: 'value'}, fmtMoney(mean(clv))),
      h('div', {class: 'sub'}, 'total ' + fmtMoney(clv.reduce((x, y) => x + y, 0)))));
  }
  if (prob.length) {
    kpis.append(h('div', {class: 'kpi'}, h('div', {class: 'label'}, 'Predicted churners'),
      h('div', {class: 'value'}, fmtPct(mean(pred))),
      h('div', {class: 'sub'}, `${nf0.format(pred.filter((x) => x === 1).length)} customers; mean probability ${fmtPct(mean(prob))}`)));
  }
  kpis.append(h('div', {class: 'kpi'}, h('div', {class: 'label'}, 'Scored file'),
    h('a', {class: 'button', id: 'batch-download', href: b.url,
      download: b.name.replace(/\.csv$/i, '') + '-scored.csv', style: 'margin-top:.6rem'}, 'Download CSV')));
  out.append(kpis);
  const charts = h('div', {class: 'grid thirds', style: 'margin-bottom:1rem'});
  if (clv.length) {
    charts.append(h('div', {class: 'card'}, h('h2', {}, 'Predicted CLV'),
      histogram(clv, {label: 'histogram of predicted CLV', xLabel: 'predicted CLV ($)', bins: 20,
        fmt: (v) => (Math.abs(v) >= 20 ? nf0.format(v) : fmtNum(v))})));
  }
  if (prob.length) {
    charts.append(h('div', {class: 'card'}, h('h2', {}, 'Churn probability'),
      histogram(prob, {label: 'histogram of churn probability', min: 0, max: 1, bins: 20,
        color: '#d9534f', fmt: (v) => fmtPct(v), xLabel: 'churn probability'})));
  }
  if (seg.length) {
    const counts = new Map();
    for (const x of seg) counts.set(x, (counts.get(x) || 0) + 1);
    const items = [...counts.entries()].sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([k, v], i) => ({label: '#' + k, value: v, color: PALETTE[i % PALETTE.length]}));
    charts.append(h('div', {class: 'card'}, h('h2', {}, 'Segment mix'),
      barChart(items, {label: 'customers per segment'})));
  }
  if (charts.children.length) out.append(charts);
  const tableCard = h('section', {class: 'card', 'aria-label': 'Scored rows'});
  out.append(tableCard);
  const draw = () => {
    clear(tableCard);
    const pages = Math.max(1, Math.ceil(b.rows.length / PAGE_SIZE));
    b.page = Math.min(Math.max(0, b.page), pages - 1);
    const slice = b.rows.slice(b.page * PAGE_SIZE, (b.page + 1) * PAGE_SIZE);
    const numeric = b.header.map((_, j) => slice.every((r) => r[j] === '' || Number.isFinite(Number(r[j]))));
    tableCard.append(h('h2', {}, 'Scored customers'),
      h('div', {class: 'table-wrap'}, h('table', {id: 'batch-table'},
        h('thead', {}, h('tr', {}, b.header.map((c, j) => h('th', {class: numeric[j] ? 'num' : ''}, c)))),
        h('tbody', {}, slice.map((r) => h('tr', {}, r.map((v, j) => h('td', {class: numeric[j] ? 'num' : ''},
          numeric[j] && b.header[j] !== 'user_id' && b.header[j] !== 'customer_segment' &&
          b.header[j] !== 'churn_prediction' ? fmtNum(v) : v))))))),
      h('div', {class: 'pager'},
        h('button', {type: 'button', class: 'secondary', disabled: b.page === 0,
          onclick: () => { b.page--; draw(); }}, '‹ Previous'),
        h('span', {class: 'small muted'}, `Rows ${b.page * PAGE_SIZE + 1}–${b.page * PAGE_SIZE + slice.length} of ${b.rows.length} · page ${b.page + 1} / ${pages}`),
        h('button', {type: 'button', class: 'secondary', disabled: b.page >= pages - 1,
          onclick: () => { b.page++; draw(); }}, 'Next ›')));
  };
  draw();
}

/* ================= Experiments (runs) page ================= */
const HEADLINE_METRICS = ['test_r2', 'test_rmse', 'test_f1', 'roc_auc', 'silhouette_score',
  'cv_r2_mean', 'cv_f1_mean', 'test_mae', 'precision', 'recall', 'optimal_n_clusters'];

pages.runs = {
  title: 'Experiments',
  render(view) {
    const R = state.runs;
    view.append(h('div', {class: 'page-head'}, h('div', {},
      h('h1', {}, 'Experiments'),
      h('p', {class: 'muted', style: 'margin:0'}, 'Tracked training runs. Click a header to sort; tick runs to compare them.'))));
    const expSel = h('select', {id: 'runs-experiment'}, h('option', {value: ''}, 'All experiments'));
    const filter = h('input', {type: 'text', id: 'runs-filter', value: R.filter,
      placeholder: "e.g. metrics.test_r2 > 0.8 and params.model = 'rf'"});
    const apply = h('button', {type: 'submit'}, 'Search');
    const errBox = h('div', {id: 'runs-error'});
    const tableCard = h('section', {class: 'card', 'aria-label': 'Runs'});
    const compareCard = h('div', {id: 'runs-compare'});
    view.append(
      h('form', {class: 'card toolbar', role: 'search', style: 'margin-bottom:1rem',
        onsubmit: (e) => { e.preventDefault(); R.filter = filter.value.trim(); load(); }},
      h('label', {for: 'runs-experiment', class: 'sr-only'}, 'Experiment'), expSel,
      h('div', {class: 'grow'}, h('label', {for: 'runs-filter', class: 'sr-only'}, 'Filter runs (MLflow search syntax)'), filter),
      apply),
      errBox, tableCard, compareCard);
    let runs = [];
    let shown = []; /* runs in the table's current order */
    const exps = new Map();
    api('/api/v1/experiments').then((list) => {
      for (const e of list || []) {
        exps.set(String(e.experiment_id), e.name);
        expSel.append(h('option', {value: e.name, selected: R.experiment === e.name}, e.name));
      }
      drawTable();
    }).catch((e) => showError(e, 'Cannot list experiments (GET /api/v1/experiments)'));
    expSel.addEventListener('change', () => { R.experiment = expSel.value; load(); });

    /* Metric columns: the headline held-out metrics first, then the rest by name. */
    const metricKeys = () => {
      const k = new Set();
      for (const r of runs) for (const m of Object.keys(r.metrics || {})) k.add(m);
      const rank = (m) => {
        const i = HEADLINE_METRICS.indexOf(m);
        if (i >= 0) return i;
        if (/^(baseline_|sweep_|inertia_k|silhouette_k|cv_train)/.test(m)) return 300;
        return /^(test_|cv_.*_mean$)/.test(m) ? 100 : 200;
      };
      return [...k].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    };
    const sortVal = (r, key) => {
      if (key.startsWith('metrics.')) return (r.metrics || {})[key.slice(8)];
      if (key === 'experiment') return exps.get(String(r.experiment_id)) || r.experiment_id;
      return r[key];
    };
    const drawTable = () => {
      clear(tableCard);
      if (!runs.length) {
        tableCard.append(h('div', {class: 'empty'}, h('div', {class: 'big'}, 'No runs'),
          h('p', {}, R.filter ? 'No run matches the filter.' : 'Train a model (cip train … or cip pipeline …) to record runs.')));
        return;
      }
      const mk = metricKeys().slice(0, 6);
      const cols = [['run_name', 'Run'], ['run_id', 'Run ID'], ['experiment', 'Experiment'],
        ['status', 'Status'], ['start_time', 'Started (UTC)']].concat(mk.map((m) => ['metrics.' + m, m]));
      const sorted = runs.slice().sort((a, b) => {
        const x = sortVal(a, R.sortKey), y = sortVal(b, R.sortKey);
        if (x === undefined || x === null) return 1;
        if (y === undefined || y === null) return -1;
        return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * R.sortDir;
      });
      shown = sorted;
      const head = h('tr', {}, h('th', {}, h('span', {class: 'sr-only'}, 'Compare')),
        cols.map(([k, label]) => h('th', {class: 'sortable' + (k.startsWith('metrics.') ? ' num' : ''),
          'aria-sort': R.sortKey === k ? (R.sortDir > 0 ? 'ascending' : 'descending') : 'none'},
        h('button', {type: 'button', onclick: () => {
          R.sortDir = R.sortKey === k ? -R.sortDir : (k.startsWith('metrics.') ? -1 : 1);
          R.sortKey = k;
          drawTable();
          drawCompare();
        }}, label))));
      const body = sorted.map((r) => {
        const checked = R.selected.has(r.run_id);
        const cb = h('input', {type: 'checkbox', checked, 'aria-label': 'Compare run ' + (r.run_name || r.run_id),
          onchange: () => {
            if (cb.checked) R.selected.add(r.run_id); else R.selected.delete(r.run_id);
            drawTable();
            drawCompare();
          }});
        return h('tr', {class: checked ? 'selected' : '', 'data-run-id': r.run_id},
          h('td', {}, cb), h('td', {class: 'nowrap'}, r.run_name || '–'),
          h('td', {class: 'mono', title: r.run_id}, String(r.run_id).slice(0, 8)),
          h('td', {}, exps.get(String(r.experiment_id)) || r.experiment_id),
          h('td', {}, h('span', {class: 'badge ' + r.status}, r.status)),
          h('td', {class: 'nowrap'}, fmtTime(r.start_time)),
          mk.map((m) => h('td', {class: 'num'}, fmtNum((r.metrics || {})[m]))));
      });
      tableCard.append(h('h2', {}, `Runs (${runs.length})`),
        h('div', {class: 'table-wrap'}, h('table', {id: 'runs-table'}, h('thead', {}, head), h('tbody', {}, body))));
    };

    const drawCompare = () => {
      clear(compareCard);
      const sel = (shown.length ? shown : runs).filter((r) => R.selected.has(r.run_id));
      if (!sel.length) {
        compareCard.append(h('p', {class: 'muted small', style: 'margin-top:.8rem'},
          'Tick one or more runs to compare their parameters and metrics and plot metric histories.'));
        return;
      }
      const rowsOf = (field) => {
        const keys = new Set();
        for (const r of sel) for (const k of Object.keys(r[field] || {})) keys.add(k);
        return [...keys].sort().map((k) => {
          const vals = sel.map((r) => (r[field] || {})[k]);
          const differ = new Set(vals.map(String)).size > 1;
          if (R.onlyDiff && sel.length > 1 && !differ) return null;
          return h('tr', {}, h('th', {scope: 'row'}, k), vals.map((v) =>
            h('td', {class: (field === 'metrics' ? 'num' : '') + (differ && sel.length > 1 ? ' diff' : '')},
              field === 'metrics' ? fmtNum(v) : (v === undefined ? '–' : String(v)))));
        });
      };
      const hdr = h('tr', {}, h('th', {}, ''), sel.map((r) => h('th', {}, r.run_name || r.run_id.slice(0, 8))));
      const section = (title, field) => [h('tr', {}, h('th', {colspan: sel.length + 1, style: 'background:#eef2f8'}, title)), rowsOf(field)];
      const keys = [...new Set(sel.flatMap((r) => Object.keys(r.metrics || {})))].sort();
      const defKey = keys.find((k) => /^cv_[a-z0-9]+$/.test(k)) || keys.find((k) => k.startsWith('test_')) || keys[0];
      const keySel = h('select', {id: 'metric-key'}, keys.map((k) => h('option', {value: k, selected: k === defKey}, k)));
      const chartBox = h('div', {id: 'metric-chart'});
      compareCard.append(h('div', {class: 'grid halves', style: 'margin-top:1rem;align-items:start'},
        h('section', {class: 'card', 'aria-label': 'Run comparison'},
          h('div', {class: 'toolbar'}, h('h2', {style: 'margin:0'}, `Compare ${sel.length} run${sel.length > 1 ? 's' : ''}`),
            h('label', {class: 'small'}, h('input', {type: 'checkbox', id: 'only-diff', checked: !!R.onlyDiff,
              onchange: (e) => { R.onlyDiff = e.target.checked; drawCompare(); }}), ' only differences')),
          h('div', {class: 'table-wrap'}, h('table', {id: 'compare-table', class: 'fixed'}, h('thead', {}, hdr),
            h('tbody', {}, section('Parameters', 'params'), section('Metrics', 'metrics'))))),
        h('section', {class: 'card', 'aria-label': 'Metric history'},
          h('div', {class: 'toolbar'}, h('h2', {style: 'margin:0'}, 'Metric history'),
            h('label', {for: 'metric-key', class: 'sr-only'}, 'Metric'), keySel),
          chartBox)));
      const plot = async () => {
        clear(chartBox);
        const key = keySel.value;
        if (!key) { chartBox.append(h('p', {class: 'muted'}, 'The selected runs have no metrics.')); return; }
        chartBox.append(h('p', {class: 'muted small'}, 'Loading…'));
        const series = [];
        const errors = [];
        await Promise.all(sel.map(async (r) => {
          try {
            const m = await api(`/api/v1/runs/${encodeURIComponent(r.run_id)}/metrics/${encodeURIComponent(key)}`);
            const pts = (m.history || []).map((p) => ({x: Number(p.step), y: Number(p.value)}))
              .filter((p) => Number.isFinite(p.y));
            if (pts.length) series.push({name: r.run_name || r.run_id.slice(0, 8), points: pts, order: sel.indexOf(r)});
          } catch (e) {
            if (e.status !== 404) errors.push(e);
          }
        }));
        if (keySel.value !== key) return;
        clear(chartBox);
        for (const e of errors) showError(e, 'Cannot load metric history');
        series.sort((a, b) => a.order - b.order);
        if (!series.length) {
          chartBox.append(h('p', {class: 'muted'}, `No history of ${key} for the selected runs.`));
          return;
        }
        chartBox.append(lineChart(series, {label: `history of ${key}`, xLabel: 'step'}),
          legend(series.map((x) => x.name)));
      };
      keySel.addEventListener('change', plot);
      plot();
    };

    async function load() {
      clear(errBox);
      const q = new URLSearchParams();
      if (R.experiment) q.set('experiment', R.experiment);
      if (R.filter) q.set('filter', R.filter);
      q.set('max_results', '500');
      tableCard.classList.add('busy');
      try {
        runs = await api('/api/v1/runs?' + q.toString());
        if (!Array.isArray(runs)) runs = runs.runs || [];
        const ids = new Set(runs.map((r) => r.run_id));
        for (const id of [...R.selected]) if (!ids.has(id)) R.selected.delete(id);
      } catch (e) {
        runs = [];
        errBox.append(h('div', {class: 'msg error', role: 'alert', id: 'runs-error-msg'},
          errText(e, R.filter ? 'The filter was rejected' : 'Cannot list runs')));
      }
      tableCard.classList.remove('busy');
      drawTable();
      drawCompare();
    }
    load();
  },
};

/* ================= Models page ================= */
pages.models = {
  title: 'Models',
  render(view) {
    view.append(h('div', {class: 'page-head'}, h('div', {},
      h('h1', {}, 'Model registry'),
      h('p', {class: 'muted', style: 'margin:0'}, 'Registered models, their versions and aliases. The server loads the champion versions.'))));
    const tokenBox = h('div', {id: 'token-box'});
    const list = h('div', {id: 'models-list'}, h('p', {class: 'muted'}, 'Loading…'));
    view.append(tokenBox, list);
    const drawToken = (why, focus = true) => {
      clear(tokenBox);
      const inp = h('input', {type: 'password', id: 'api-token', value: state.token, autocomplete: 'off'});
      tokenBox.append(h('form', {class: 'card token-box', style: 'margin-bottom:1rem',
        onsubmit: (e) => {
          e.preventDefault();
          state.token = inp.value.trim();
          sessionStorage.setItem('cip.token', state.token);
          showMessage('Token saved for this browser tab.', 'ok', 3000);
          if (pending) {
            const [name, version, btn] = pending;
            pending = null;
            promote(name, version, btn);
          }
        }},
      h('label', {for: 'api-token'}, 'API token'), inp,
      h('button', {type: 'submit'}, 'Use token'),
      h('span', {class: 'small muted'}, why || 'Changing aliases requires the server token (sent as Authorization: Bearer).')));
      if (focus) inp.focus();
    };
    if ((state.info && state.info.token_required) || state.token) drawToken();

    let pending = null; /* the promotion waiting for a token */
    const promote = async (name, version, btn) => {
      btn.disabled = true;
      try {
        const headers = state.token ? {Authorization: 'Bearer ' + state.token} : {};
        const r = await api(`/api/v1/models/${encodeURIComponent(name)}/aliases`,
          {method: 'POST', json: {alias: 'champion', version: String(version)}, headers});
        for (const m of document.querySelectorAll('#messages .msg.error')) m.remove();
        if (tokenBox.firstChild) drawToken(undefined, false);
        showMessage(`${r.name || name}@${r.alias || 'champion'} now points at version ${r.version || version}.`, 'ok', 6000);
        await load();
        /* The server re-resolves aliases every 2 s: refresh what it serves afterwards. */
        setTimeout(async () => {
          await loadInfo();
          if (currentPage === 'models' && document.body.contains(list)) load();
        }, 2500);
      } catch (e) {
        btn.disabled = false;
        if (e.status === 401 || e.status === 403) {
          pending = [name, version, btn];
          drawToken(state.token ? 'The token was rejected: enter the correct one.'
            : 'This server needs a token to change aliases: enter it to finish the promotion.');
          showMessage(errText(e, 'Not authorised to promote'), 'error');
        } else {
          showError(e, `Cannot promote ${name} version ${version}`);
        }
      }
    };

    async function load() {
      let models;
      try {
        models = await api('/api/v1/models');
      } catch (e) {
        clear(list).append(h('div', {class: 'card'}, h('p', {class: 'inline-error'}, errText(e, 'Cannot list models'))));
        showError(e, 'Cannot list models (GET /api/v1/models)');
        return;
      }
      if (!Array.isArray(models)) models = models.registered_models || [];
      const details = await Promise.all(models.map((m) =>
        api('/api/v1/models/' + encodeURIComponent(m.name)).catch((e) => ({error: e, name: m.name}))));
      clear(list);
      if (!models.length) {
        list.append(h('div', {class: 'card empty'}, h('div', {class: 'big'}, 'No registered models'),
          h('p', {}, 'Register one with ', h('code', {}, 'cip train clv data.csv --register cip-clv'), ' or ',
            h('code', {}, 'cip models register NAME runs:/RUN_ID/model'), '.')));
        return;
      }
      for (const d of details) {
        if (d.error) {
          showError(d.error, `Cannot load model ${d.name}`);
          list.append(h('div', {class: 'card'}, h('h2', {}, d.name), h('p', {class: 'inline-error'}, errText(d.error, 'Cannot load'))));
          continue;
        }
        const aliases = d.aliases || {};
        const served = ((state.info && state.info.models) || []).find((m) => m.name === d.name);
        const versions = (d.versions || []).slice().sort((a, b) => Number(b.version) - Number(a.version));
        list.append(h('section', {class: 'card', style: 'margin-bottom:1rem', 'data-model': d.name},
          h('div', {class: 'page-head', style: 'margin-bottom:.5rem'},
            h('h2', {style: 'margin:0'}, d.name, ' ',
              Object.entries(aliases).map(([a, v]) => h('span', {class: 'badge alias' + (a === 'champion' ? ' champion' : '')}, `@${a} → v${v}`)), ' '),
            h('span', {class: 'small muted'}, `latest v${d.latest_version ?? '–'} · updated ${fmtTime(d.last_updated_timestamp)}`,
              served ? ` · served: v${served.version || '?'}` : '')),
          d.description ? h('p', {class: 'muted'}, d.description) : null,
          h('div', {class: 'table-wrap'}, h('table', {},
            h('thead', {}, h('tr', {}, h('th', {class: 'num'}, 'Version'), h('th', {}, 'Aliases'), h('th', {}, 'Created (UTC)'),
              h('th', {}, 'Run'), h('th', {}, 'Source'), h('th', {}, 'Status'), h('th', {}, 'Description'), h('th', {}, ''))),
            h('tbody', {}, versions.map((v) => {
              const va = v.aliases || Object.keys(aliases).filter((a) => String(aliases[a]) === String(v.version));
              const isChamp = va.includes('champion');
              const btn = h('button', {type: 'button', class: 'secondary', disabled: isChamp,
                'aria-label': `Promote ${d.name} version ${v.version} to champion`},
              isChamp ? 'Champion' : 'Promote to champion');
              btn.addEventListener('click', () => promote(d.name, v.version, btn));
              return h('tr', {}, h('td', {class: 'num'}, String(v.version)),
                h('td', {}, va.map((a) => h('span', {class: 'badge alias' + (a === 'champion' ? ' champion' : '')}, a)), ' '),
                h('td', {class: 'nowrap'}, fmtTime(v.creation_timestamp)),
                h('td', {class: 'mono', title: v.run_id || ''}, v.run_id ? String(v.run_id).slice(0, 8) : '–'),
                h('td', {class: 'mono small src'}, v.source || '–'),
                h('td', {}, h('span', {class: 'badge ' + (v.status === 'READY' ? 'FINISHED' : 'neutral')}, v.status || '–')),
                h('td', {}, v.description || ''),
                h('td', {}, btn));
            }))))));
      }
    }
    load();
  },
};

/* ================= Audit page ================= */
function evidenceView(ev) {
  if (ev === null || ev === undefined) return '–';
  if (typeof ev !== 'object') return String(ev);
  const entries = Object.entries(ev);
  if (!entries.length) return '–';
  return h('ul', {class: 'evidence'}, entries.map(([k, v]) =>
    h('li', {}, h('span', {class: 'muted'}, k + ': '), typeof v === 'object' && v !== null ? JSON.stringify(v) : fmtNum(v))));
}

pages.audit = {
  title: 'Audit',
  render(view) {
    view.append(h('div', {class: 'page-head'}, h('div', {},
      h('h1', {}, 'Data audit'),
      h('p', {class: 'muted', style: 'margin:0'}, 'Target leakage and data-quality findings of the latest audited run.'))));
    const box = h('div', {id: 'audit-result'}, h('p', {class: 'muted'}, 'Loading…'));
    view.append(box);
    api('/api/v1/audit').then((a) => renderAudit(clear(box), a)).catch((e) => {
      clear(box);
      if (e.status === 404) {
        box.append(h('div', {class: 'card empty', id: 'audit-empty'},
          h('div', {class: 'big'}, 'No audit report yet'),
          h('p', {}, 'Reports are recorded by audited training runs: run ',
            h('code', {}, 'cip pipeline customers.csv'), ' (or train with auditing) against this tracking store, then reload.')));
        return;
      }
      box.append(h('div', {class: 'card'}, h('p', {class: 'inline-error'}, errText(e, 'Cannot load the audit report'))));
      showError(e, 'Cannot load the audit report (GET /api/v1/audit)');
    });
  },
};

function renderAudit(box, a) {
  const findings = a.findings || (a.audit && a.audit.findings) || [];
  const verdict = a.verdict || (a.audit && a.audit.verdict) || '–';
  const counts = a.counts || findings.reduce((c, f) => { c[f.severity] = (c[f.severity] || 0) + 1; return c; }, {});
  const meta = [['Verdict', h('span', {class: 'badge ' + verdict}, verdict)]];
  for (const [k, label] of [['source', 'Data'], ['target', 'Target'], ['task', 'Task'], ['rows', 'Rows'],
    ['features', 'Features'], ['run_id', 'Run']]) {
    if (a[k] !== undefined && a[k] !== null) meta.push([label, typeof a[k] === 'number' ? fmtNum(a[k]) : String(a[k])]);
  }
  box.append(h('div', {class: 'grid halves', style: 'margin-bottom:1rem'},
    h('section', {class: 'card'}, h('h2', {}, 'Report'),
      h('dl', {class: 'kv'}, meta.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))),
    h('section', {class: 'card'}, h('h2', {}, 'Findings by severity'),
      barChart(['high', 'warning', 'info'].map((k) => ({label: k, value: counts[k] || 0,
        color: {high: '#d9534f', warning: '#e6a23c', info: '#1f5fbf'}[k]})),
      {label: 'findings by severity', style: 'max-width:440px'}))));
  if (a.excluded_features && a.excluded_features.length) {
    box.append(h('div', {class: 'msg note'}, 'Excluded features: ' + a.excluded_features.join(', ')));
  }
  const rank = {high: 0, warning: 1, info: 2};
  const sorted = findings.slice().sort((x, y) => (rank[x.severity] ?? 3) - (rank[y.severity] ?? 3));
  const card = h('section', {class: 'card', style: 'margin-top:1rem', 'aria-label': 'Findings'});
  box.append(card);
  if (!sorted.length) {
    card.append(h('div', {class: 'empty'}, h('div', {class: 'big'}, 'No findings'), 'The audit found no problem.'));
    return;
  }
  card.append(h('h2', {}, `Findings (${sorted.length})`), h('div', {class: 'table-wrap'},
    h('table', {id: 'audit-table'},
      h('thead', {}, h('tr', {}, h('th', {}, 'Severity'), h('th', {}, 'Kind'), h('th', {}, 'Columns'),
        h('th', {}, 'Finding'), h('th', {}, 'Evidence'), h('th', {}, 'Fix'))),
      h('tbody', {}, sorted.map((f) => h('tr', {},
        h('td', {}, h('span', {class: 'badge ' + f.severity}, f.severity || '–')),
        h('td', {}, pretty(f.kind || '–')),
        h('td', {class: 'mono small nowrap'}, (f.columns || []).map((c) => h('div', {}, c))),
        h('td', {}, f.title || f.message || '', f.expression ? h('div', {class: 'mono small muted'}, f.expression) : null),
        h('td', {}, evidenceView(f.evidence)),
        h('td', {class: 'small'}, f.fix || '–')))))));
}

/* ================= Monitoring page ================= */
const MONITOR_REFRESH_MS = 5000;
const PSI_WARN = 0.1, PSI_ALERT = 0.25;

/* Level of a PSI value against the thresholds: null (no rows yet), stable, drifting, alert. */
function psiLevel(psi, warn, alert) {
  if (psi === null || psi === undefined || !Number.isFinite(psi)) return null;
  return psi >= alert ? 'alert' : psi >= warn ? 'drifting' : 'stable';
}

const ROLE_NAMES = {clv: 'CLV', churn: 'Churn', segments: 'Segments'};

function gaugeLabel(name) {
  return name === '__prediction__' ? 'prediction (model output)' : name;
}

/* Horizontal PSI bars with the warning / alert threshold lines. items [{label, psi}] */
function psiChart(items, warn, alert) {
  const W = 560, rowH = 24, labelW = 190, valW = 64, top = 18;
  const H = top + items.length * rowH + 22;
  const finite = items.map((d) => d.psi).filter(Number.isFinite);
  const max = Math.max(alert * 1.2, ...finite.map((v) => v * 1.05));
  const plotW = W - labelW - valW - 12;
  const X = (v) => labelW + 6 + (Math.min(v, max) / max) * plotW;
  const svg = s('svg', {class: 'chart psi', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': 'population stability index per feature'});
  const colors = {stable: '#2e7d32', drifting: '#e6a23c', alert: '#d9534f'};
  items.forEach((d, i) => {
    const y = top + i * rowH;
    const lv = psiLevel(d.psi, warn, alert);
    const g = s('g', {class: 'psi-row', 'data-feature': d.label});
    g.append(s('title', {}, lv ? `${d.label}: PSI ${fmtNum(d.psi, 4)} (${lv})` : `${d.label}: no rows yet`));
    g.append(s('text', {x: labelW, y: y + rowH / 2 + 1, 'text-anchor': 'end', 'dominant-baseline': 'middle'}, d.label));
    if (lv) {
      g.append(s('rect', {x: labelW + 6, y: y + 4, width: Math.max(1, X(d.psi) - labelW - 6), height: rowH - 8,
        rx: 2, fill: colors[lv]}));
    }
    g.append(s('text', {x: W - valW + 6, y: y + rowH / 2 + 1, 'dominant-baseline': 'middle'},
      lv ? fmtNum(d.psi, 3) : 'no data'));
    svg.append(g);
  });
  svg.append(s('line', {class: 'axis', x1: labelW + 6, x2: labelW + 6, y1: top - 4, y2: H - 20}));
  /* labels left of the warning line and right of the alert line, so they never overlap */
  for (const [v, name, anchor, dx] of [[warn, 'warning', 'end', -3], [alert, 'alert', 'start', 3]]) {
    svg.append(s('line', {class: 'threshold ' + name, x1: X(v), x2: X(v), y1: top - 4, y2: H - 20}));
    svg.append(s('text', {x: X(v) + dx, y: top - 7, 'text-anchor': anchor}, `${name} ${v}`));
  }
  svg.append(s('text', {x: labelW + 6 + plotW / 2, y: H - 4, 'text-anchor': 'middle'}, 'PSI (served rows vs training reference)'));
  return svg;
}

pages.monitor = {
  title: 'Monitoring',
  render(view) {
    view.append(h('div', {class: 'page-head'}, h('div', {},
      h('h1', {}, 'Live drift monitoring'),
      h('p', {class: 'muted', style: 'margin:0'},
        'Population stability index (PSI) of each input column and of the prediction, over the rows this server has scored, against the training reference of the model.')),
      h('div', {class: 'small muted', id: 'monitor-updated', 'aria-live': 'polite'})));
    const box = h('div', {id: 'monitor-result'}, h('p', {class: 'muted'}, 'Loading…'));
    view.append(box);
    let failed = false;
    const load = () => api('/api/v1/monitor').then((m) => {
      failed = false;
      renderMonitor(clear(box), m);
      const up = document.getElementById('monitor-updated');
      if (up) up.textContent = `Updated ${new Date().toLocaleTimeString()} · refreshes every ${MONITOR_REFRESH_MS / 1000} s`;
    }).catch((e) => {
      clear(box);
      if (e.status === 404) {
        box.append(h('div', {class: 'card empty', id: 'monitor-empty'},
          h('div', {class: 'big'}, 'No monitored model'),
          h('p', {}, 'Live drift needs the training reference statistics of a served model (',
            h('code', {}, 'reference.json'), ' in its bundle). Save one with ',
            h('code', {}, 'cip monitor --model models:/cip-clv@champion --current new.csv --reference train.csv --write-reference'),
            ', then restart ', h('code', {}, 'cip serve'), '. This page refreshes by itself.')));
        return;
      }
      box.append(h('div', {class: 'card'}, h('p', {class: 'inline-error'}, errText(e, 'Cannot load the drift gauges'))));
      if (!failed) showError(e, 'Cannot load the drift gauges (GET /api/v1/monitor)');
      failed = true; /* one message, not one per refresh */
    });
    load();
    const timer = setInterval(() => {
      if (currentPage !== 'monitor' || !document.body.contains(box)) { clearInterval(timer); return; }
      load();
    }, MONITOR_REFRESH_MS);
  },
};

function renderMonitor(box, m) {
  const warn = Number.isFinite(m.psi_warn) ? m.psi_warn : PSI_WARN;
  const alert = Number.isFinite(m.psi_alert) ? m.psi_alert : PSI_ALERT;
  box.append(h('div', {class: 'msg note', style: 'margin:0 0 1rem'}, h('span', {class: 'msg-text'},
    `What is measured: each bar compares the distribution of a column over the last ${m.window ? fmtNum(m.window) : ''} scored rows `,
    '(older rows fade out) with the deciles / levels of the training data. PSI below ', String(warn),
    ' is stable, ', String(warn), '–', String(alert), ' drifting, ', String(alert), ' or more an alert. ',
    'No outcomes arrive at serving time, so this shows input and prediction drift only — not accuracy; ',
    'use ', h('code', {}, 'cip monitor'), ' with labelled data for that. Counts restart when the server restarts.')));
  const grid = h('div', {class: 'grid halves'});
  box.append(grid);
  for (const mod of m.models || []) {
    const gauges = mod.gauges || [];
    const finite = gauges.filter((g) => Number.isFinite(g.psi));
    const worst = finite.reduce((a, g) => (a === null || g.psi > a.psi ? g : a), null);
    const level = worst ? psiLevel(worst.psi, warn, alert) : null;
    const rows = mod.rows || 0;
    const card = h('section', {class: 'card monitor-model', 'data-role': mod.role,
      'aria-label': `Drift of the ${mod.role} model`});
    card.append(h('div', {class: 'card-head'},
      h('h2', {}, ROLE_NAMES[mod.role] || pretty(mod.role || 'model'), ' model ',
        h('span', {class: 'muted small mono'}, (mod.uri || '') + (mod.version ? ' · v' + mod.version : ''))),
      h('span', {class: 'badge ' + (level || 'neutral'), 'data-status': level || 'none'},
        level || 'no traffic yet')));
    card.append(h('dl', {class: 'kv'},
      h('dt', {}, 'Rows seen'), h('dd', {class: 'rows-seen'}, fmtNum(rows)),
      h('dt', {}, 'Worst column'), h('dd', {}, worst ? `${gaugeLabel(worst.feature)} (PSI ${fmtNum(worst.psi, 3)})` : '–'),
      h('dt', {}, 'Columns above ' + warn), h('dd', {}, finite.length ? `${finite.filter((g) => g.psi >= warn).length} of ${finite.length}` : '–')));
    if (rows > 0 && rows < 100) {
      card.append(h('p', {class: 'small muted'}, `Only ${rows} rows so far: PSI over decile bins is noisy (and biased upwards) on small samples; read it after a few hundred rows.`));
    }
    if (!gauges.length) {
      card.append(h('div', {class: 'empty'}, 'The reference has no columns to compare.'));
    } else {
      card.append(psiChart(gauges.map((g) => ({label: gaugeLabel(g.feature), psi: g.psi})), warn, alert));
    }
    const missing = gauges.filter((g) => g.missing_rate > 0);
    if (missing.length) {
      card.append(h('p', {class: 'small muted'}, 'Missing values: ' +
        missing.map((g) => `${gaugeLabel(g.feature)} ${fmtPct(g.missing_rate)}`).join(', ')));
    }
    grid.append(card);
  }
}

/* ================= CLV (transactions) page ================= */
const UNIT_DAYS = {day: 1, days: 1, week: 7, weeks: 7, month: 30.4375, months: 30.4375};

function dayNumber(iso) {
  const t = Date.parse(iso + 'T00:00:00Z');
  return Number.isFinite(t) ? t / 86400000 : NaN;
}

pages.clv = {
  title: 'CLV',
  render(view) {
    view.append(h('div', {class: 'page-head'}, h('div', {},
      h('h1', {}, 'Customer lifetime value from transactions'),
      h('p', {class: 'muted', style: 'margin:0'},
        'Latest ', h('code', {}, 'cip clv evaluate'), ' run: models fitted on the calibration period, judged on the holdout period that followed.'))));
    const box = h('div', {id: 'clv-result'}, h('p', {class: 'muted'}, 'Loading…'));
    view.append(box);
    api('/api/v1/clv').then((r) => renderClv(clear(box), r)).catch((e) => {
      clear(box);
      if (e.status === 404) {
        box.append(h('div', {class: 'card empty', id: 'clv-empty'},
          h('div', {class: 'big'}, 'No transaction evaluation yet'),
          h('p', {}, 'This section appears when transaction data is used: run ',
            h('code', {}, 'cip clv evaluate transactions.csv --calibration-end 1997-09-30 --holdout-end 1998-06-30'),
            ' against this tracking store, then reload.')));
        return;
      }
      box.append(h('div', {class: 'card'}, h('p', {class: 'inline-error'}, errText(e, 'Cannot load the CLV evaluation'))));
      showError(e, 'Cannot load the CLV evaluation (GET /api/v1/clv)');
    });
  },
};

function metricTable(id, rows, cols) {
  const best = {};
  for (const c of cols) {
    if (!c.best) continue;
    const vals = rows.map((r) => c.best === 'abs' ? Math.abs(r[c.key]) : r[c.key]).filter(Number.isFinite);
    if (vals.length > 1) best[c.key] = c.best === 'max' ? Math.max(...vals) : Math.min(...vals);
  }
  const isBest = (c, v) => best[c.key] !== undefined && Number.isFinite(v) &&
    (c.best === 'abs' ? Math.abs(v) : v) === best[c.key];
  return h('div', {class: 'table-wrap'}, h('table', {id},
    h('thead', {}, h('tr', {}, h('th', {}, 'Method'), cols.map((c) => h('th', {class: 'num', title: c.title || null}, c.label)))),
    h('tbody', {}, rows.map((r) => h('tr', {},
      h('td', {}, r.name),
      cols.map((c) => h('td', {class: 'num' + (isBest(c, r[c.key]) ? ' best' : '')},
        r[c.key] === null || r[c.key] === undefined ? '–' : (c.fmt || fmtNum)(r[c.key]))))))));
}

function signedPct(v) {
  return (v > 0 ? '+' : '') + fmtPct(v);
}

const PURCHASE_METHODS = {bgnbd: 'BG/NBD', pareto: 'Pareto/NBD',
  'naive-rate': 'Naive rate'};

/* Fitted parameters of every model as one table: model, parameter, estimate, standard error. */
function fitsTable(fits) {
  const models = [['bgnbd', 'BG/NBD'], ['pareto', 'Pareto/NBD'], ['gamma_gamma', 'Gamma-Gamma (spend)']];
  const rows = [];
  for (const [key, name] of models) {
    const f = fits[key];
    if (!f) continue;
    const params = Object.keys(f).filter((k) => typeof f[k] === 'number' && !['customers', 'loglik'].includes(k));
    params.forEach((k, i) => rows.push(h('tr', {class: i ? '' : 'group-start'},
      h('td', {}, i ? '' : name), h('td', {class: 'mono'}, k), h('td', {class: 'num mono'}, fmtNum(f[k], 4)),
      h('td', {class: 'num mono muted'}, f.se && Number.isFinite(f.se[k]) ? fmtNum(f.se[k], 4) : '–'))));
    const notes = [];
    if (Number.isFinite(f.loglik)) notes.push('log-likelihood ' + fmtNum(f.loglik, 2));
    if (Number.isFinite(f.customers)) notes.push(fmtNum(f.customers) + ' customers');
    if (f.converged === false) notes.push('did not converge');
    if (notes.length) {
      rows.push(h('tr', {}, h('td', {}), h('td', {colspan: 3, class: 'small muted' + (f.converged === false ? ' inline-error' : '')},
        notes.join(' · '))));
    }
  }
  if (!rows.length) return h('div', {class: 'empty'}, 'No fitted parameters in this run.');
  return h('div', {class: 'table-wrap'}, h('table', {id: 'clv-fit-table'},
    h('thead', {}, h('tr', {}, h('th', {}, 'Model'), h('th', {}, 'Parameter'), h('th', {class: 'num'}, 'Estimate'),
      h('th', {class: 'num'}, 'Std. error'))),
    h('tbody', {}, rows)));
}

function cumulativeChart(r, unit, first, calLen) {
  const card = h('section', {class: 'card', 'aria-label': 'Cumulative repeat purchases'},
    h('h2', {}, 'Cumulative repeat purchases: actual vs forecast'));
  const cum = r.cumulative;
  if (!cum || !Array.isArray(cum.t) || !cum.t.length) {
    card.append(h('div', {class: 'empty'}, 'The run has no cumulative curve.'));
    return card;
  }
  const series = [['Actual', cum.actual], ['BG/NBD', cum.bgnbd], ['Pareto/NBD', cum.pareto]]
    .filter(([, v]) => Array.isArray(v))
    .map(([name, v]) => ({name, points: cum.t.map((t, i) => ({x: t, y: v[i]})).filter((p) => Number.isFinite(p.y))}));
  card.append(lineChart(series, {label: 'cumulative repeat purchases, actual and forecast',
    xLabel: `${unit}s since ${first || 'the first purchase'}`, xName: unit, floor0: true,
    dots: cum.t.length <= 40, vlines: Number.isFinite(calLen) ? [{x: calLen, label: 'calibration end'}] : []}),
  legend(series.map((se) => se.name)),
  h('p', {class: 'small muted'}, 'Repeat purchases of the calibration customers, summed. Left of the marker the models describe the period they were fitted on; right of it they forecast.'));
  return card;
}

function renderClv(box, r) {
  const unit = r.unit || 'week';
  const ud = UNIT_DAYS[unit] || 7;
  const first = r.first_date || null;
  const calLen = first ? (dayNumber(r.calibration_end) - dayNumber(first) + 1) / ud : NaN;
  const churn = r.churn || {};
  box.append(h('div', {class: 'kpis', id: 'clv-facts'},
    h('div', {class: 'kpi'}, h('div', {class: 'label'}, 'Calibration'),
      h('div', {class: 'value small-value'}, `${first || '…'} → ${r.calibration_end}`),
      h('div', {class: 'sub'}, Number.isFinite(calLen) ? `${fmtNum(calLen, 1)} ${unit}s: the models are fitted here` : 'fitting period')),
    h('div', {class: 'kpi'}, h('div', {class: 'label'}, 'Holdout'),
      h('div', {class: 'value small-value'}, `→ ${r.holdout_end}`),
      h('div', {class: 'sub'}, Number.isFinite(r.holdout_length) ? `${fmtNum(r.holdout_length, 1)} ${unit}s, unseen by the fits` : 'evaluation period')),
    h('div', {class: 'kpi'}, h('div', {class: 'label'}, 'Customers'),
      h('div', {class: 'value'}, fmtNum(r.customers)),
      h('div', {class: 'sub'}, 'first purchase in the calibration period')),
    Number.isFinite(churn.rate) ? h('div', {class: 'kpi'}, h('div', {class: 'label'}, 'Churned in holdout'),
      h('div', {class: 'value'}, fmtPct(churn.rate)),
      h('div', {class: 'sub'}, churn.definition || 'no purchase in the holdout')) : null));
  if (r.run_id) {
    box.append(h('p', {class: 'small muted'}, 'Run ', h('span', {class: 'mono'}, r.run_id),
      r.run_start_time ? ' · ' + fmtTime(r.run_start_time) : '', ' (see Experiments)'));
  }
  const target = r.target ? r.target.charAt(0).toUpperCase() + r.target.slice(1) : 'Holdout value per customer';
  box.append(h('section', {class: 'card', style: 'margin-bottom:1rem', 'aria-label': 'Spend methods'},
    h('h2', {}, target),
    metricTable('clv-methods', r.methods || [], [
      {key: 'mae', label: 'MAE', best: 'min'},
      {key: 'rmse', label: 'RMSE', best: 'min'},
      {key: 'corr', label: 'Correlation', best: 'max', fmt: (v) => fmtNum(v, 3)},
      {key: 'predicted_total', label: 'Predicted total'},
      {key: 'actual_total', label: 'Actual total'},
      {key: 'aggregate_error', label: 'Aggregate error', best: 'abs', fmt: signedPct,
        title: '(predicted total − actual total) / actual total'}]),
    h('p', {class: 'small muted'}, 'Errors per customer over the holdout; the best value of each column in bold. Aggregate error = (predicted total − actual total) / actual total.')));
  const mid = h('div', {class: 'grid halves', style: 'margin-bottom:1rem'});
  box.append(mid);
  if (Array.isArray(r.purchases) && r.purchases.length) {
    mid.append(h('section', {class: 'card', 'aria-label': 'Purchase methods'},
      h('h2', {}, 'Holdout repeat purchases per customer'),
      metricTable('clv-purchases', r.purchases.map((p) => Object.assign({}, p, {name: PURCHASE_METHODS[p.name] || p.name})), [
        {key: 'mae', label: 'MAE', best: 'min', fmt: (v) => fmtNum(v, 3)},
        {key: 'rmse', label: 'RMSE', best: 'min', fmt: (v) => fmtNum(v, 3)},
        {key: 'corr', label: 'Corr.', best: 'max', fmt: (v) => fmtNum(v, 3)},
        {key: 'aggregate_error', label: 'Aggregate error', best: 'abs', fmt: signedPct},
        {key: 'cumulative_error', label: 'Cumulative error', best: 'abs', fmt: signedPct,
          title: 'error of the cumulative curve at the holdout end'}]),
      h('p', {class: 'small muted'}, 'Naive rate = the customer\'s calibration purchase rate × the holdout length. Cumulative error: of the curve on the right at the holdout end.')));
  }
  mid.append(cumulativeChart(r, unit, first, calLen));
  const lower = h('div', {class: 'grid halves'});
  box.append(lower);
  const churnCard = h('section', {class: 'card', 'aria-label': 'Churn methods'},
    h('h2', {}, 'Churn: ' + (churn.definition || 'no purchase in the holdout')));
  if (Array.isArray(churn.methods) && churn.methods.length) {
    churnCard.append(metricTable('clv-churn', churn.methods, [
      {key: 'roc_auc', label: 'ROC AUC', best: 'max', fmt: (v) => fmtNum(v, 3)},
      {key: 'f1', label: 'F1', best: 'max', fmt: (v) => fmtNum(v, 3)},
      {key: 'precision', label: 'Precision', fmt: (v) => fmtNum(v, 3)},
      {key: 'recall', label: 'Recall', fmt: (v) => fmtNum(v, 3)},
      {key: 'predicted_rate', label: 'Predicted churned', fmt: fmtPct}]));
    if (Number.isFinite(churn.recency_threshold)) {
      churnCard.append(h('p', {class: 'small muted'}, `"Last N": N = ${fmtNum(churn.recency_threshold)} ${unit}s. A ROC AUC below 0.5 ranks customers backwards.`));
    }
  } else {
    churnCard.append(h('div', {class: 'empty'}, 'No churn evaluation in this run.'));
  }
  const fits = r.fits || {};
  const fitCard = h('section', {class: 'card', id: 'clv-fits', 'aria-label': 'Fitted parameters'},
    h('h2', {}, 'Fitted parameters (calibration period)'), fitsTable(fits));
  if (Number.isFinite(fits.bgnbd_histogram_chisq)) {
    fitCard.append(h('p', {class: 'small muted'}, `BG/NBD calibration histogram chi-square (x = 0..6, 7+): ${fmtNum(fits.bgnbd_histogram_chisq, 2)}`));
  }
  lower.append(churnCard, fitCard);
}

/* ---------- start ---------- */
window.addEventListener('hashchange', route);
window.addEventListener('unhandledrejection', (e) => {
  showMessage(errText(e.reason, 'Unexpected error'), 'error');
  e.preventDefault();
});
loadInfo().then(route);
