// Incidents ("vụ việc"): the ward's register.  #/incidents lists with
// filters kept in the hash (#/incidents?ward_id=2&status=solved&q=xe);
// #/incidents/<id> shows one incident with its change history.  Officers
// record and edit their own ward's incidents; province staff read every
// ward; admins also delete and correct statuses.  The server decides
// (docs/api.md); the buttons only follow what it allows.
import { ensureStyles } from '../report/ward-ui.js';
import { dateTimeInput, msOfDay, dayOf } from '../lib/datetime.js';
import { fmtNum } from '../lib/i18n.js';
import { caseFileSection } from '../lib/evidence.js';
import { cameraPicker, exportPicker, exportLabel } from '../lib/pickers.js';
import { apiErrorText } from '../lib/errors.js';
import { cardLabels } from '../lib/cards.js';
import { modalKeys } from '../lib/ui.js';

const STATUSES = ['received', 'verifying', 'solved', 'closed'];
const STATUS_KIND = { received: 'info', verifying: 'warn', solved: 'ok', closed: 'muted' };
const FIGURES = ['suspects', 'drug_grams', 'deaths', 'injuries', 'damage_vnd'];

function catName(c, lang) { return c ? (lang === 'en' ? c.name_en : c.name_vi) : '—'; }


// One value of the change history as text: nothing → "—", never "null".
function histValue(v) {
  if (v == null || v === '') return '—';
  if (Array.isArray(v)) return v.length ? v.map(histValue).join(', ') : '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// The add/edit form.  Figure fields follow the chosen category.
// The cameras and exports an incident may be linked with, as the caller sees
// them (the server scopes both lists and checks the link again on save).
async function linkables(ctx) {
  const [cams, exps] = await Promise.all([
    ctx.api.get('/api/v1/cameras').then((r) => r.cameras).catch(() => []),
    ctx.api.get('/api/v1/exports').then((r) => r.exports).catch(() => []),
  ]);
  return { cams, exps };
}

async function incidentForm(ctx, { cats, wards, inc }) {
  const { h, t, api, lang } = ctx;
  const { cams: allCams, exps } = await linkables(ctx);
  return new Promise((resolve) => {
    const err = h('div', { class: 'form-error', role: 'alert', id: 'incident-form-error' });
    const v = inc || {};
    const wardSel = h('select', { name: 'ward_id', id: 'inc-ward', disabled: ctx.is('officer') },
      wards.map((w) => h('option', { value: w.id, selected: w.id === (v.ward_id || ctx.user.ward_id) }, w.name)));
    const catSel = h('select', { name: 'category_id', id: 'inc-category', required: true },
      cats.filter((c) => c.active || c.id === v.category_id)
        .map((c) => h('option', { value: c.id, selected: c.id === v.category_id }, catName(c, lang))));
    const when = dateTimeInput({ name: 'occurred_at', id: 'inc-when', time: true, required: true,
      ms: v.occurred_at_us ? v.occurred_at_us / 1000 : (v.occurred_at ? Date.parse(v.occurred_at) : Date.now()) });
    const status = h('select', { name: 'status', id: 'inc-status' },
      STATUSES.map((s) => h('option', { value: s, selected: s === (v.status || 'received') }, t(`inc.status.${s}`))));
    const summary = h('textarea', { name: 'summary', id: 'inc-summary', rows: 3, required: true }, v.summary || '');
    const address = h('input', { name: 'address', id: 'inc-address', value: v.address || '' });
    const lat = h('input', { name: 'latitude', id: 'inc-lat', type: 'number', step: 'any', value: v.latitude ?? '' });
    const lon = h('input', { name: 'longitude', id: 'inc-lon', type: 'number', step: 'any', value: v.longitude ?? '' });
    const cams = cameraPicker(ctx, allCams, v.camera_ids || []);
    const expPick = exportPicker(ctx, exps, allCams, v.export_ids || []);
    const figs = {};
    const figBox = h('div', { class: 'form-grid' });
    for (const f of FIGURES) {
      figs[f] = h('input', { name: f, id: `inc-${f}`, type: 'number', min: 0, step: f === 'drug_grams' ? 'any' : 1,
        value: v[f] ?? '' });
    }
    const field = (label, input, extra) => h('label', { class: `field ${extra || ''}` },
      h('span', { class: 'field-label' }, label), input);
    const drawFigures = () => {
      const c = cats.find((x) => String(x.id) === catSel.value);
      const applies = new Set(c ? c.figures : []);
      ctx.ui.clear(figBox).append(...FIGURES.filter((f) => applies.has(f)).map((f) => field(t(`inc.fig.${f}`), figs[f])));
    };
    catSel.addEventListener('change', drawFigures);
    drawFigures();
    let release = null;
    const close = (r) => { back.remove(); if (release) release(); resolve(r); };
    const form = h('form', { class: 'modal modal-wide', id: 'incident-form', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'incident-form-title', onsubmit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      const c = cats.find((x) => String(x.id) === catSel.value);
      const body = {
        ward_id: Number(wardSel.value), category_id: Number(catSel.value), occurred_at_us: Math.round(when.ms) * 1000,
        status: status.value, summary: summary.value.trim(), address: address.value.trim() || null,
        latitude: lat.value === '' ? null : Number(lat.value), longitude: lon.value === '' ? null : Number(lon.value),
        camera_ids: cams.value(), export_ids: expPick.value(),
      };
      for (const f of FIGURES) {
        const applies = c && c.figures.includes(f);
        body[f] = applies && figs[f].value !== '' ? Number(figs[f].value) : null;
      }
      try {
        const r = inc ? await api.patch(`/api/v1/incidents/${inc.id}`, body) : await api.post('/api/v1/incidents', body);
        close(r);
      } catch (ex) {
        err.textContent = ex.message;
      }
    } },
    h('h2', { id: 'incident-form-title' }, inc ? t('inc.edit') : t('inc.add')), err,
    h('div', { class: 'form-grid' },
      field(t('inc.ward'), wardSel), field(t('inc.category'), catSel),
      field(t('inc.when'), when), field(t('inc.status'), status)),
    field(t('inc.summary'), summary),
    h('div', { class: 'form-grid' }, field(t('inc.address'), address),
      field(t('inc.lat'), lat), field(t('inc.lon'), lon)),
    h('div', { class: 'form-grid' }, field(t('inc.cameras'), cams.el, 'field-picker'), field(t('inc.exports'), expPick.el, 'field-picker')),
    h('div', { class: 'field-label' }, t('inc.figures')), figBox,
    h('div', { class: 'modal-actions' },
      h('button', { type: 'button', class: 'btn', onclick: () => close(null) }, t('common.cancel')),
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'incident-save' }, t('common.save'))));
    const back = h('div', { class: 'modal-back', onclick: (e) => { if (e.target === back) close(null); } }, form);
    document.body.append(back);
    // Esc cancels, Tab stays in the form, the focus goes back where it was
    release = modalKeys(form, () => close(null), summary);
  });
}

function figuresText(ctx, r) {
  const { t } = ctx;
  return FIGURES.filter((f) => r[f] != null && r[f] !== 0)
    .map((f) => `${t(`inc.fig.${f}`)}: ${fmtNum(r[f], 2)}`).join(' · ');
}

async function renderDetail(el, ctx, id, cats, wards) {
  const { api, t, h, ui, lang } = ctx;
  const inc = await api.get(`/api/v1/incidents/${id}`);
  const { cams: linkCams, exps: linkExps } = await linkables(ctx);
  const camName = new Map(linkCams.map((c) => [c.id, c.name]));
  // a camera opens its timeline at the incident's time; an export at its own range
  const atOf = (iso) => encodeURIComponent(iso);
  const camChip = (c) => h('a', { class: 'chip', 'data-camera': c,
    href: `#/timeline?camera=${c}&date=${dayOf(Date.parse(inc.occurred_at))}&at=${atOf(inc.occurred_at)}` }, camName.get(c) || `#${c}`);
  const expLink = (xid) => {
    const x = linkExps.find((e) => e.id === xid);
    if (!x) return h('span', { class: 'chip muted', 'data-export': xid }, t('pick.export_no', { n: xid }));
    return h('a', { class: 'chip', 'data-export': xid, href: `#/timeline?camera=${x.camera_id}&at=${atOf(x.from)}` },
      exportLabel(ctx, x, camName.get(x.camera_id)));
  };
  const cat = cats.find((c) => c.id === inc.category_id);
  const canWrite = ctx.is('admin') || (ctx.is('officer') && ctx.user.ward_id === inc.ward_id);
  const row = (label, value) => h('tr', {}, h('th', {}, label), h('td', {}, value));
  const diffText = (d) => Object.entries(d || {}).map(([k, v]) => (Array.isArray(v) && v.length === 2
    ? `${t(`inc.field.${k}`)}: ${histValue(v[0])} → ${histValue(v[1])}` : `${t(`inc.field.${k}`)}: ${histValue(v)}`));
  el.append(
    ui.pageHeader(`${t('inc.one')} #${inc.id}`,
      h('a', { class: 'btn', href: '#/incidents' }, t('inc.back')),
      canWrite ? h('button', { class: 'btn btn-primary', id: 'incident-edit', onclick: async () => {
        const r = await incidentForm(ctx, { cats, wards, inc });
        if (r) { ui.toast(t('common.saved')); ctx.navigate(`#/incidents/${id}?v=${Date.now()}`); }
      } }, t('common.edit')) : null,
      ctx.is('admin') ? h('button', { class: 'btn btn-danger', id: 'incident-delete', onclick: async () => {
        if (!window.confirm(t('common.confirm_delete'))) return;
        try { await api.del(`/api/v1/incidents/${id}`); ui.toast(t('inc.deleted')); ctx.navigate('#/incidents'); } catch (e) { ui.showError(e); }
      } }, t('common.delete')) : null),
    ...(inc.demo ? [h('div', { class: 'callout warn' }, t('inc.demo_note'))] : []),  // el.append would print a null
    h('div', { class: 'table-wrap' }, h('table', { class: 'grid kv', id: 'incident-detail' }, h('tbody', {},
      row(t('inc.when'), ctx.fmtDateTime(inc.occurred_at, false)),
      row(t('inc.ward'), inc.ward || '—'),
      row(t('inc.category'), catName(cat, lang)),
      row(t('inc.status'), ui.badge(t(`inc.status.${inc.status}`), STATUS_KIND[inc.status])),
      row(t('inc.summary'), h('span', { class: 'pre' }, inc.summary)),
      row(t('inc.address'), inc.address || '—'),
      row(t('inc.position'), inc.latitude != null ? `${fmtNum(inc.latitude, 5, { fixed: true })}; ${fmtNum(inc.longitude, 5, { fixed: true })}` : '—'),
      row(t('inc.figures'), figuresText(ctx, inc) || '—'),
      row(t('inc.cameras'), inc.camera_ids.length ? h('span', { class: 'chips', id: 'incident-cameras' }, ...inc.camera_ids.map(camChip)) : '—'),
      row(t('inc.exports'), inc.export_ids.length ? h('span', { class: 'chips', id: 'incident-exports' }, ...inc.export_ids.map(expLink)) : '—'),
      row(t('inc.entered'), `${inc.created_by || '—'} · ${ctx.fmtDateTime(inc.created_at, false)}`),
      inc.updated_at ? row(t('inc.updated'), `${inc.updated_by || '—'} · ${ctx.fmtDateTime(inc.updated_at, false)}`) : null))),
    caseFileSection(ctx, inc),
    h('h2', { class: 'section-title' }, t('inc.history')),
    cardLabels(ui.table([
      { label: t('inc.hist.at'), value: (r) => ctx.fmtDateTime(r.at), class: 'mono' },
      { label: t('inc.hist.user'), value: (r) => r.user },
      { label: t('inc.hist.action'), value: (r) => ui.badge(t(`inc.hist.${r.action}`), r.action === 'updated' ? 'info' : 'muted') },
      { label: t('inc.hist.changes'), value: (r) => (r.action === 'updated'
        ? h('ul', { class: 'diff' }, diffText(r.diff).map((x) => h('li', {}, x))) : h('span', { class: 'muted' }, t('inc.hist.full'))) },
    ], inc.history || [], { empty: '—' })));
}

export default {
  title: 'nav.incidents',
  async render(el, ctx) {
    const { api, t, h, ui, qs, lang } = ctx;
    ensureStyles();
    const [{ categories: cats }, wards] = await Promise.all([api.get('/api/v1/incident-categories'), ctx.wards()]);
    if (ctx.path[0]) return renderDetail(el, ctx, Number(ctx.path[0]), cats, wards);

    const f = {};
    for (const k of ['ward_id', 'category', 'status', 'from', 'to', 'q', 'offset']) f[k] = ctx.params.get(k) || '';
    const limit = 50;
    const canWrite = ctx.is('admin', 'officer');
    const apply = () => ctx.navigate(`#/incidents${qs(f)}`);
    const sel = (key, options, id) => h('select', { id, onchange: (e) => { f[key] = e.target.value; f.offset = ''; apply(); } },
      options.map(([v, l]) => h('option', { value: v, selected: String(v) === String(f[key]) }, l)));
    // from/to are station days (YYYY-MM-DD in the hash), typed dd/mm/yyyy
    const dayFilter = (key, id) => {
      const input = dateTimeInput({ id, ms: msOfDay(f[key]) });
      input.addEventListener('change', () => {
        if (Number.isNaN(input.ms)) { input.reportValidity(); return; }
        f[key] = input.day; f.offset = ''; apply();
      });
      return input;
    };
    const filters = h('div', { class: 'filters' },
      ctx.is('admin', 'province') ? h('label', {}, t('inc.ward'),
        sel('ward_id', [['', t('inc.all_wards')], ...wards.map((w) => [w.id, w.name])], 'f-ward')) : null,
      h('label', {}, t('inc.category'), sel('category', [['', t('inc.all')], ...cats.map((c) => [c.code, catName(c, lang)])], 'f-category')),
      h('label', {}, t('inc.status'), sel('status', [['', t('inc.all')], ...STATUSES.map((s) => [s, t(`inc.status.${s}`)])], 'f-status')),
      h('label', {}, t('inc.from'), dayFilter('from', 'f-from')),
      h('label', {}, t('inc.to'), dayFilter('to', 'f-to')),
      h('form', { class: 'inline-search', onsubmit: (e) => { e.preventDefault(); f.q = e.target.q.value.trim(); f.offset = ''; apply(); } },
        h('label', {}, t('common.search'), h('input', { name: 'q', id: 'f-q', value: f.q, placeholder: t('inc.search_hint') }))));

    const q = { ...f, limit };
    // "to" is a day: include all of it
    if (f.to) q.to = nextDay(f.to);
    const r = await api.get(`/api/v1/incidents${qs(q)}`);
    const csvHref = `/api/v1/incidents.csv${qs({ ...q, limit: '', offset: '' })}`;
    const fileInput = h('input', { type: 'file', accept: '.csv,text/csv', id: 'incident-import-file', class: 'hidden', onchange: async (e) => {
      const file = e.target.files[0];
      if (!file) return;
      const text = await file.text();
      try {
        const res = await fetch('/api/v1/incidents/import', { method: 'POST', body: text, credentials: 'same-origin',
          headers: { 'Content-Type': 'text/csv; charset=utf-8', 'X-Requested-With': 'wardwatch' } });
        const data = await res.json();
        if (res.ok) { ui.toast(t('inc.imported', { n: data.imported })); apply(); }
        else showImportErrors(ctx, data);
      } catch (ex) { ui.showError(ex); }
      e.target.value = '';
    } });
    el.append(
      ui.pageHeader(t('nav.incidents'),
        h('a', { class: 'btn', href: csvHref, id: 'incident-export', download: '' }, t('inc.export_csv')),
        canWrite ? h('button', { class: 'btn', id: 'incident-import', onclick: () => fileInput.click() }, t('inc.import_csv')) : null,
        fileInput,
        canWrite ? h('button', { class: 'btn btn-primary', id: 'incident-add', onclick: async () => {
          const res = await incidentForm(ctx, { cats, wards });
          if (res) { ui.toast(t('inc.created', { id: res.id })); apply(); }
        } }, t('inc.add')) : null),
      filters,
      h('div', { class: 'summary', id: 'incident-total' }, t('inc.total', { n: r.total })),
      h('div', { id: 'incident-list' }, cardLabels(ui.table([
        { label: t('inc.when'), value: (x) => ctx.fmtDateTime(x.occurred_at, false), class: 'mono nowrap' },
        ctx.is('admin', 'province') ? { label: t('inc.ward'), value: (x) => x.ward } : null,
        { label: t('inc.category'), value: (x) => catName(cats.find((c) => c.id === x.category_id), lang) },
        { label: t('inc.summary'), value: (x) => h('span', {}, x.demo ? ui.badge('demo', 'warn') : null, ' ', x.summary) },
        { label: t('inc.status'), value: (x) => ui.badge(t(`inc.status.${x.status}`), STATUS_KIND[x.status]) },
        { label: t('inc.figures'), value: (x) => h('small', { class: 'muted' }, figuresText(ctx, x)) },
      ].filter(Boolean), r.incidents, { empty: t('inc.empty'), onRowClick: (x) => ctx.navigate(`#/incidents/${x.id}`) }))),
      pager(ctx, f, r.total, limit, apply));
    return undefined;
  },
};

function nextDay(d) {
  const x = new Date(`${d}T00:00:00Z`);
  x.setUTCDate(x.getUTCDate() + 1);
  return x.toISOString().slice(0, 10);
}

function pager(ctx, f, total, limit, apply) {
  const { h, t } = ctx;
  const off = Number(f.offset || 0);
  if (total <= limit) return h('div', {});
  return h('div', { class: 'pager' },
    h('button', { class: 'btn', disabled: off === 0, onclick: () => { f.offset = String(Math.max(0, off - limit)); apply(); } }, '‹'),
    h('span', { class: 'muted pager-text' }, t('inc.page', { a: off + 1, b: Math.min(total, off + limit), n: total })),
    h('button', { class: 'btn', disabled: off + limit >= total, onclick: () => { f.offset = String(off + limit); apply(); } }, '›'));
}

function showImportErrors(ctx, data) {
  const { h, t } = ctx;
  const errs = (data && data.errors) || [];
  let release = null;
  const close = () => { back.remove(); if (release) release(); };
  const back = h('div', { class: 'modal-back', onclick: (e) => { if (e.target === back) close(); } },
    h('div', { class: 'modal modal-wide', id: 'import-errors', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'import-errors-title' },
      h('h2', { id: 'import-errors-title' }, t('inc.import_failed')),
      h('p', {}, apiErrorText({ status: 400, ...((data && data.error) || {}) })),
      h('ul', { class: 'errors' }, errs.map((e) => h('li', { title: e.message || '' }, t('inc.line', { n: e.line }), ': ',
        apiErrorText({ status: 400, code: 'bad_request', reason: e.reason, field: e.field })))),
      h('div', { class: 'modal-actions' }, h('button', { class: 'btn btn-primary', onclick: close }, t('common.close')))));
  document.body.append(back);
  release = modalKeys(back.firstChild, close);
}
