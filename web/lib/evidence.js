// The case file ("Hồ sơ chứng cứ") on an incident's page (issue 13 item 3):
// what GET /api/v1/incidents/{id}/evidence lists — holds, exports, bundles,
// each with how many audit rows follow it, exports with a check that
// marks them "đã xác minh" — the audit chain's result, links
// to the chain-of-custody print view and PDF, and (for those who may) a
// hold on one of the incident's cameras placed for the incident.  The
// server decides what belongs and who may see it; this only draws.
import { t } from './i18n.js';
import { h, badge, table, formModal, toast, showError } from './ui.js';
import { sha256File } from './sha256.js';

const KIND_ICON = { hold: 'info', export: 'ok', bundle: 'warn' };

// A hold on recorded video (POST /api/v1/cameras/{id}/holds), placed from
// wherever an officer meets the footage: an incident, the timeline's range,
// a motion event, the place search's results (issue 13 item 1).  cameras:
// [[id, name]]; the range in ms; incidentId ties it to an incident.  The
// server decides who may (officers of the camera's ward and above) and
// answers 404 outside the caller's scope.  Resolves true once placed.
export function placeHold(ctx, { cameras, fromMs, toMs, incidentId = null, title }) {
  // the form's times are whole minutes: round outward, so the hold covers
  // at least what was marked (keeping a little more is the safe side)
  const MIN = 60000;
  fromMs = Math.floor(fromMs / MIN) * MIN;
  toMs = Math.max(Math.ceil(toMs / MIN) * MIN, fromMs + MIN);
  return formModal({
    title: title || t('evid.hold.title_any'),
    submitLabel: t('evid.hold.submit'),
    fields: [
      { name: 'camera', label: t('evid.hold.camera'), type: 'select', options: cameras },
      { name: 'from', label: t('evid.hold.from'), type: 'datetime', value: fromMs, required: true },
      { name: 'to', label: t('evid.hold.to'), type: 'datetime', value: toMs, required: true },
      { name: 'reason', label: t('evid.hold.reason'), type: 'textarea', value: '' },
    ],
    onSubmit: async (v) => {
      if (!v.reason.trim()) throw new Error(t('evid.hold.need_reason'));
      const body = { from: v.from, to: v.to, reason: v.reason.trim() };
      if (incidentId) body.incident_id = incidentId;
      await ctx.api.post(`/api/v1/cameras/${v.camera}/holds`, body);
      toast(t('evid.hold.placed'));
    },
  });
}

// Who may place a hold on a camera of that ward (the server checks again).
export function mayHold(ctx, wardId) {
  return ctx.is('admin') || ctx.is('province') || (ctx.is('officer') && !!ctx.user.ward_id && ctx.user.ward_id === wardId);
}

async function holdForm(ctx, inc, done) {
  const at = Date.parse(inc.occurred_at);
  const cams = await ctx.api.get('/api/v1/cameras').then((r) => r.cameras).catch(() => []);
  const name = new Map(cams.map((c) => [c.id, c.name]));
  const ok = await placeHold(ctx, { cameras: inc.camera_ids.map((c) => [c, name.get(c) || `#${c}`]), fromMs: at - 15 * 60000,
    toMs: at + 15 * 60000, incidentId: inc.id, title: t('evid.hold.title') });
  if (ok) done();
}

// An export's signature and hashes checked on the station (GET
// /api/v1/exports/{id}/verify, audited): a button that becomes the
// "đã xác minh" mark, or the first failure.
function verifyCell(ctx, it) {
  const url = it.kind === 'bundle' ? `/api/v1/bundles/${it.id}/verify` : `/api/v1/exports/${it.id}/verify`;
  const cell = h('span', { class: 'verify', [it.kind === 'bundle' ? 'data-bundle' : 'data-export']: String(it.id) });
  const btn = h('button', { class: 'btn btn-small', onclick: async () => {
    btn.disabled = true;
    try {
      const r = await ctx.api.get(url);
      cell.replaceChildren(r.ok ? badge(t('evid.verified'), 'ok')
        : h('span', { title: r.first_failure || '' }, badge(t('evid.verify_failed_short'), 'bad')));
      cell.dataset.result = r.ok ? 'ok' : 'failed';
    } catch (e) { btn.disabled = false; showError(e); }
  } }, t('evid.verify'));
  cell.append(btn);
  return cell;
}

// The case file's notes (append-only: a correction is a new note), and for
// those who record the ward's incidents a box to add one (POST
// /api/v1/incidents/{id}/notes, audited).
function notesPart(ctx, inc, notes, reload) {
  const mayWrite = ctx.is('admin') || (ctx.is('officer') && ctx.user.ward_id === inc.ward_id);
  const list = h('ol', { class: 'case-notes', id: 'case-notes' }, notes.map((n) => h('li', { 'data-note': String(n.id) },
    h('div', { class: 'muted' }, `${n.created_by || '—'} · ${n.created || '—'}`), h('div', { class: 'pre' }, n.text))));
  const box = h('textarea', { id: 'case-note-text', rows: 2, maxlength: 4000, 'aria-label': t('evid.note.label'), placeholder: t('evid.note.placeholder') });
  const add = h('button', { type: 'button', class: 'btn', id: 'case-note-add', onclick: async () => {
    if (!box.value.trim()) { box.focus(); return; }
    add.disabled = true;
    try {
      await ctx.api.post(`/api/v1/incidents/${inc.id}/notes`, { text: box.value.trim() });
      toast(t('evid.note.added'));
      reload();
    } catch (e) { add.disabled = false; showError(e); }
  } }, t('evid.note.add'));
  return h('div', { class: 'case-notes-box' }, h('h3', {}, t('evid.note.title')),
    notes.length ? list : h('p', { class: 'muted', id: 'case-notes' }, t('evid.note.none')),
    mayWrite ? h('div', { class: 'case-note-form' }, box, add) : null);
}

// "Kiểm tra một tệp": a file the officer holds (a clip handed back months
// later) is hashed here in the browser — it never travels — and the station
// says whether it exported a file with that SHA-256 and whether its signed
// manifest still checks (GET /api/v1/verify/sha256/{hex}, audited).
export function verifyFileDialog(ctx) {
  const input = h('input', { type: 'file', id: 'verify-file-input', accept: '.mp4,.json,video/mp4,application/json', 'aria-label': t('evid.check.pick') });
  const out = h('div', { id: 'verify-file-result', role: 'status' });
  const close = () => { back.remove(); document.removeEventListener('keydown', onKey); };
  const onKey = (e) => { if (e.key === 'Escape') close(); };
  input.addEventListener('change', async () => {
    const f = input.files[0];
    if (!f) return;
    out.dataset.result = '';
    out.replaceChildren(h('p', { class: 'muted' }, t('evid.check.hashing', { name: f.name })));
    try {
      const hex = await sha256File(f, (d, n) => { out.firstChild.textContent = t('evid.check.hashing_pct', { name: f.name, p: Math.floor((d / n) * 100) }); });
      const r = await ctx.api.get(`/api/v1/verify/sha256/${hex}`);
      const rows = r.matches.map((m) => (m.kind === 'export'
        ? h('li', { 'data-export': String(m.id) }, t('evid.check.is_export', { id: m.id, cam: m.camera || `#${m.camera_id}`,
          from: ctx.fmtDateTime(m.from), to: ctx.fmtDateTime(m.to), by: m.created_by || '—', at: ctx.fmtDateTime(m.created) }), ' ',
        m.station_check_ok ? badge(t('evid.check.station_ok'), 'ok') : h('span', { title: m.first_failure || '' }, badge(t('evid.check.station_bad'), 'bad')))
        : h('li', { 'data-bundle': String(m.id) }, t('evid.check.is_bundle', { id: m.id, by: m.created_by || '—', at: ctx.fmtDateTime(m.created) }))));
      const ok = r.known && r.matches.every((m) => m.kind !== 'export' || m.station_check_ok);
      out.dataset.result = r.known ? (ok ? 'ok' : 'failed') : 'unknown';
      out.replaceChildren(
        h('p', {}, r.known ? badge(ok ? t('evid.check.known') : t('evid.check.known_bad'), ok ? 'ok' : 'bad') : badge(t('evid.check.unknown'), 'bad')),
        h('p', { class: 'mono muted' }, `SHA-256: ${hex}`),
        r.known ? h('ul', {}, rows) : h('p', {}, t('evid.check.unknown_help')));
    } catch (e) { out.dataset.result = 'error'; out.replaceChildren(h('p', { class: 'form-error' }, e.message)); }
  });
  const dlg = h('div', { class: 'modal', id: 'verify-file', role: 'dialog', 'aria-modal': 'true', 'aria-label': t('evid.check.title') },
    h('h2', {}, t('evid.check.title')), h('p', { class: 'muted' }, t('evid.check.help')), input, out,
    h('div', { class: 'modal-actions' }, h('button', { type: 'button', class: 'btn', onclick: close }, t('common.close'))));
  const back = h('div', { class: 'modal-back', onclick: (e) => { if (e.target === back) close(); } }, dlg);
  document.body.append(back);
  document.addEventListener('keydown', onKey);
  input.focus();
}

// A section for the incident detail page; fills itself when the case file arrives.
export function caseFileSection(ctx, inc) {
  const body = h('div', { id: 'case-file' }, h('p', { class: 'muted' }, t('common.loading')));
  const mayHold = inc.camera_ids.length && (ctx.is('admin') || (ctx.is('officer') && ctx.user.ward_id === inc.ward_id));
  const load = async () => {
    let cf;
    try { cf = await ctx.api.get(`/api/v1/incidents/${inc.id}/evidence`); } catch (e) { body.replaceChildren(h('p', { class: 'muted' }, e.message || String(e))); return; }
    body.replaceChildren(
      h('p', { id: 'case-chain' }, cf.chain.ok
        ? badge(t('evid.chain_ok', { n: cf.chain.rows }), 'ok')
        : badge(t('evid.chain_bad', { id: cf.chain.bad_row, why: cf.chain.why || '' }), 'bad')),
      table([
        { label: t('evid.col.item'), value: (it) => badge(`${t(`evid.kind.${it.kind}`)} #${it.id}`, KIND_ICON[it.kind]) },
        { label: t('evid.col.range'), value: (it) => `${it.from || '—'} → ${it.to || '—'}`, class: 'mono' },
        { label: t('evid.col.sha'), value: (it) => (it.sha256 ? h('span', { title: it.sha256 }, `${it.sha256.slice(0, 16)}…`) : '—'), class: 'mono' },
        { label: t('evid.col.by'), value: (it) => `${it.created_by || '—'} · ${it.created || '—'}` },
        { label: t('evid.col.custody'), value: (it) => String((it.custody || []).length) },
        { label: t('evid.col.verify'), value: (it) => (it.kind === 'export' || it.kind === 'bundle' ? verifyCell(ctx, it) : '—') },
      ], cf.items.filter((it) => it.kind !== 'note'), { empty: t('evid.empty') }),
      h('p', { class: 'muted' }, t('evid.events', { n: cf.events.length })),
      notesPart(ctx, inc, cf.items.filter((it) => it.kind === 'note'), load));
    body.dataset.ready = '1';
  };
  load();
  return h('div', {},
    h('h2', { class: 'section-title' }, t('evid.title'),
      h('a', { class: 'btn', id: 'custody-print', href: `/report/custody.html?incident=${inc.id}`, target: '_blank', rel: 'noopener' }, t('evid.print')),
      h('a', { class: 'btn', id: 'custody-pdf', href: `/api/v1/incidents/${inc.id}/custody.pdf`, target: '_blank', rel: 'noopener' }, t('evid.pdf')),
      h('button', { class: 'btn', id: 'case-verify-file', onclick: () => verifyFileDialog(ctx) }, t('evid.check.button')),
      mayHold ? h('button', { class: 'btn btn-primary', id: 'case-hold', onclick: () => holdForm(ctx, inc, load).catch(showError) }, t('evid.hold.button')) : null),
    body);
}
