'use strict';
// The live dashboard of `kpi serve`: the report (framed), its headline,
// a banner for a refused save, a what-if panel and an indicator
// drill-down. Everything comes from this server's API.

const $ = (id) => document.getElementById(id);
let saved = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function num(x, digits = 1) {
  if (x === null || x === undefined) return '—';
  return Number(x).toLocaleString('en', { maximumFractionDigits: digits });
}

function figure(x, unit) {
  if (x === null || x === undefined) return '—';
  return unit === '%' ? num(x * 100, 1) + ' %' : num(x, 2) + (unit ? ' ' + unit : '');
}

function delta(a, b) {
  if (a === null || b === null || a === undefined || b === undefined) return el('span', {}, '—');
  const d = b - a;
  const text = (d > 0 ? '+' : '') + num(d, 1);
  return el('span', { class: d > 0.05 ? 'up' : d < -0.05 ? 'down' : '' }, text);
}

function indicators(report) {
  return report.objectives.flatMap((o) => o.indicators.map((i) => ({ o, i })));
}

async function load() {
  const r = await fetch('/api/report', { cache: 'no-store' });
  if (!r.ok) throw new Error('GET /api/report: ' + r.status);
  saved = await r.json();
  renderHeadline();
  renderForm();
  renderIndicatorList();
  drill();
}

function renderHeadline() {
  $('title').textContent = saved.scorecard;
  document.title = saved.scorecard + ' — live report';
  $('period').textContent = saved.period ? saved.period.from + ' – ' + saved.period.to : 'all dates';
  $('revision').textContent = 'revision ' + saved.revision.slice(0, 12);
  $('score').textContent = num(saved.score);
}

function field(id, label, value, original) {
  const input = el('input', { id, type: 'text', inputmode: 'decimal', 'data-original': original });
  input.value = value;
  input.addEventListener('input', () => input.classList.toggle('changed', input.value !== original));
  input.classList.toggle('changed', value !== original);
  return el('div', { class: 'field' }, el('label', { for: id }, label), input);
}

function renderForm() {
  // Values the user typed are kept across live updates.
  const typed = {};
  for (const input of document.querySelectorAll('#whatif input.changed')) typed[input.id] = input.value;
  const weights = $('weights');
  weights.replaceChildren(...saved.objectives.map((o) => {
    const id = 'w-' + o.id;
    const original = String(o.weight);
    return field(id, o.title + ' (' + o.id + ')', typed[id] ?? original, original);
  }));
  const params = $('params');
  params.replaceChildren(...Object.entries(saved.params).map(([name, v]) => {
    const id = 'p-' + name;
    const original = String(v);
    return field(id, name, typed[id] ?? original, original);
  }));
}

function renderIndicatorList() {
  const select = $('indicator');
  const current = select.value;
  select.replaceChildren(...saved.objectives.map((o) =>
    el('optgroup', { label: o.title }, ...o.indicators.map((i) => el('option', { value: i.id }, i.title + ' (' + i.id + ')')))));
  if (current) select.value = current;
}

function drill() {
  const pick = indicators(saved).find(({ i }) => i.id === $('indicator').value) || indicators(saved)[0];
  if (!pick) return;
  const { o, i } = pick;
  const out = [el('h3', {}, i.title)];
  out.push(el('dl', {},
    el('dt', {}, 'Objective'), el('dd', {}, o.title),
    el('dt', {}, 'Value'), el('dd', {}, figure(i.value, i.unit)),
    el('dt', {}, 'Target'), el('dd', {}, figure(i.target, i.unit)),
    el('dt', {}, 'Score'), el('dd', {}, num(i.score) + ' (' + i.status + ')')));
  if (i.reason) out.push(el('p', { class: 'muted' }, i.reason));
  const x = i.explain;
  if (x) {
    const lines = ['value = ' + x.formula, '      = ' + x.with_values];
    for (const a of x.aggregates) lines.push('  ' + a.expression + ': ' + a.kept + ' of ' + a.rows + ' row(s) of ' + a.table + ' → ' + a.value);
    if (x.target) lines.push('target = ' + x.target.formula + ' = ' + x.target.with_values);
    lines.push('score: ' + x.scoring);
    out.push(el('h4', {}, 'Trace'), el('pre', {}, lines.join('\n')));
  }
  if (i.trend && i.trend.length) {
    out.push(el('h4', {}, 'Trend'), el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'Period'), el('th', { class: 'num' }, 'Value'), el('th', { class: 'num' }, 'Score'))),
      el('tbody', {}, ...i.trend.map((t) => el('tr', {}, el('td', {}, t.from + ' – ' + t.to),
        el('td', { class: 'num' }, figure(t.value, i.unit)), el('td', { class: 'num' }, num(t.score)))))));
  }
  for (const [column, cells] of Object.entries(i.segments || {})) {
    out.push(el('h4', {}, 'By ' + column), el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, column), el('th', { class: 'num' }, 'Value'), el('th', { class: 'num' }, 'Score'), el('th', { class: 'num' }, 'People'))),
      el('tbody', {}, ...Object.entries(cells).map(([k, c]) => el('tr', {}, el('td', {}, k),
        el('td', { class: 'num' }, figure(c.value, i.unit)), el('td', { class: 'num' }, num(c.score)), el('td', { class: 'num' }, c.n))))));
  }
  if (i.segments_note) out.push(el('p', { class: 'muted' }, i.segments_note));
  $('drill').replaceChildren(...out);
}

function changes() {
  const body = { weights: {}, set: {} };
  for (const input of document.querySelectorAll('#whatif input.changed')) {
    const key = input.id.slice(2);
    // As typed: the server reads numbers written as text (a decimal comma
    // too) and says what is not one.
    if (input.id.startsWith('w-')) body.weights[key] = input.value;
    else body.set[key] = input.value;
  }
  return body;
}

async function whatIf(event) {
  if (event) event.preventDefault();
  const body = changes();
  const result = $('whatif-result');
  if (!Object.keys(body.weights).length && !Object.keys(body.set).length) {
    result.replaceChildren(el('p', { class: 'muted' }, 'Nothing changed: the figures are those of the saved rules.'));
    return;
  }
  result.replaceChildren(el('p', { class: 'muted' }, 'Scoring…'));
  const r = await fetch('/api/score', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await r.json();
  if (!r.ok) {
    const items = (answer.diagnostics || []).map((d) => el('li', {}, d.message + (d.help ? ' — ' + d.help : '')));
    result.replaceChildren(el('p', { class: 'error', role: 'alert' }, answer.detail), el('ul', {}, ...items));
    return;
  }
  const rows = [el('tr', { id: 'whatif-overall' }, el('th', {}, 'Overall'), el('td', { class: 'num' }, num(saved.score)),
    el('td', { class: 'num' }, num(answer.score)), el('td', { class: 'num' }, delta(saved.score, answer.score)))];
  for (const o of answer.objectives) {
    const before = saved.objectives.find((s) => s.id === o.id);
    const weight = before && before.weight !== o.weight ? ' (weight ' + num(before.weight, 2) + ' → ' + num(o.weight, 2) + ')' : '';
    rows.push(el('tr', {}, el('td', {}, o.title + weight), el('td', { class: 'num' }, num(before && before.score)),
      el('td', { class: 'num' }, num(o.score)), el('td', { class: 'num' }, delta(before && before.score, o.score))));
  }
  const moved = indicators(answer).filter(({ i }) => {
    const b = indicators(saved).find((s) => s.i.id === i.id);
    return b && (b.i.score !== i.score || b.i.value !== i.value);
  });
  result.replaceChildren(
    el('table', { 'aria-label': 'What-if against the saved rules' },
      el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', { class: 'num' }, 'Saved'), el('th', { class: 'num' }, 'What-if'), el('th', { class: 'num' }, 'Change'))),
      el('tbody', {}, ...rows)),
    el('p', { class: 'muted' }, moved.length ? moved.length + ' indicator(s) moved: ' + moved.map(({ i }) => i.id).join(', ') : 'No indicator moved (weights change the objectives only).'));
}

function reset() {
  for (const input of document.querySelectorAll('#whatif input')) {
    input.value = input.dataset.original;
    input.classList.remove('changed');
  }
  $('whatif-result').replaceChildren();
}

function banner(last) {
  $('banner').hidden = last.ok;
  const live = $('live');
  if (live.classList.contains('on')) live.textContent = last.ok ? 'live' : 'live · last save refused';
  $('banner-list').replaceChildren(...(last.diagnostics || []).map((d) => {
    const where = d.file ? d.file + ':' + d.line + ':' + d.column + ': ' : '';
    return el('li', {}, el('code', {}, where), d.message + (d.help ? ' — ' + d.help : ''));
  }));
}

function connect() {
  const source = new EventSource('/api/events');
  // On every (re)connection the page reads the state again: events missed
  // while away (a restart, a laptop asleep) are not replayed.
  source.addEventListener('open', async () => {
    $('live').textContent = 'live';
    $('live').className = 'live on';
    await load();
    const r = await fetch('/api/diagnostics', { cache: 'no-store' });
    if (r.ok) banner(await r.json());
    $('report-frame').contentWindow.location.reload();
  });
  source.addEventListener('error', () => { $('live').textContent = 'reconnecting…'; $('live').className = 'live off'; });
  source.addEventListener('report', async () => {
    banner({ ok: true, diagnostics: [] });
    await load();
    $('report-frame').contentWindow.location.reload();
    // A what-if on screen is scored again against the new saved rules.
    if ($('whatif-result').childElementCount) await whatIf();
  });
  source.addEventListener('diagnostics', (e) => banner(JSON.parse(e.data)));
}

document.addEventListener('DOMContentLoaded', async () => {
  $('whatif').addEventListener('submit', whatIf);
  $('reset').addEventListener('click', reset);
  $('indicator').addEventListener('change', drill);
  connect();
});
