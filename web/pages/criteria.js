// Criteria programme ("Công an phường điển hình, kiểu mẫu"):
//   #/criteria?year=2025            the province dashboard: wards × criteria
//                                   (green met, red not met — the province's
//                                   review decides —, grey pending, hollow
//                                   amber "TĐ" self-assessed only, counted
//                                   apart), "x/y phường đạt n/n", criteria
//                                   most often unmet; click a cell to assess
//   #/criteria/ward/<id>?year=2025  one ward: every criterion with the ward's
//                                   self-assessment and the province review
//                                   kept apart, evidence files, history,
//                                   progress over the years
//   #/criteria/sets                 the criteria sets (versions); admins edit
// Officers self-assess their own ward; province staff review, register
// wards and record recognition; the server enforces it (api/criteria.c).
import { ensureStyles, today, viDate, loadChart } from '../report/ward-ui.js';
import { apiErrorText } from '../lib/errors.js';
import { dateTimeInput, msOfDay } from '../lib/datetime.js';
import { pressable, modalKeys } from '../lib/ui.js';

const RESULTS = ['met', 'not_met', 'in_progress'];
const RESULT_KIND = { met: 'ok', not_met: 'bad', in_progress: 'warn' };

function sideFor(ctx) {
  if (ctx.is('officer')) return ['self'];
  if (ctx.is('province')) return ['review'];
  return ['self', 'review'];
}

// The assessment form: result, notes, date, optional evidence file.
function assessForm(ctx, { wardId, year, crit, current }) {
  const { h, t, api } = ctx;
  const sides = sideFor(ctx);
  return new Promise((resolve) => {
    const err = h('div', { class: 'form-error', role: 'alert' });
    const side = h('select', { name: 'side', id: 'as-side' }, sides.map((s) => h('option', { value: s }, t(`cr.side.${s}`))));
    const cur = () => (current && current[side.value]) || null;
    // No default result (issue 17): the first choice is "choose", and the
    // answer already given is shown beside it, not preselected.
    const result = h('select', { name: 'result', id: 'as-result', required: true },
      h('option', { value: '', selected: true }, t('cr.result.choose')),
      RESULTS.map((r) => h('option', { value: r }, t(`cr.result.${r}`))));
    const currentNote = h('div', { class: 'muted', id: 'as-current' });
    const notes = h('textarea', { name: 'notes', id: 'as-notes', rows: 3 });
    const date = dateTimeInput({ name: 'assessed_on', id: 'as-date' });   /* dd/mm/yyyy, the console's own */
    const file = h('input', { type: 'file', name: 'file', id: 'as-file' });
    const fill = () => {
      const c = cur();
      result.value = '';
      currentNote.textContent = c ? t('cr.current', { r: `${t(`cr.result.${c.result}`)} (${viDate(c.assessed_on)})` }) : '';
      notes.value = c && c.notes ? c.notes : '';
      const d = today();
      date.ms = msOfDay(`${d.y}-${String(d.m).padStart(2, '0')}-${String(d.d).padStart(2, '0')}`);
    };
    side.addEventListener('change', fill);
    fill();
    const field = (label, input) => h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input);
    let release = null;
    const close = (r) => { back.remove(); if (release) release(); resolve(r); };
    const form = h('form', { class: 'modal', id: 'assess-form', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'assess-title', novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      if (!result.value) { err.textContent = t('cr.choose_result'); result.focus(); return; }
      try {
        const r = await api.post('/api/v1/criteria/assessments', { ward_id: wardId, year, criterion: crit.num,
          side: side.value, result: result.value, notes: notes.value.trim() || null, assessed_on: date.day || null });
        const f = file.files[0];
        if (f) {
          const res = await fetch(`/api/v1/criteria/assessments/${r.id}/files?name=${encodeURIComponent(f.name)}`, {
            method: 'POST', body: f, credentials: 'same-origin',
            headers: { 'Content-Type': f.type || 'application/octet-stream', 'X-Requested-With': 'wardwatch' } });
          if (!res.ok) { const j = await res.json().catch(() => ({})); throw new Error(apiErrorText({ status: res.status, ...(j.error || {}) })); }
        }
        close(r);
      } catch (ex) { err.textContent = ex.message; }
    } },
    h('h2', { id: 'assess-title' }, `${t('cr.criterion')} ${crit.num}: ${crit.title}`),
    crit.evidence ? h('p', { class: 'muted' }, `${t('cr.evidence_asked')}: ${crit.evidence}`) : null,
    err,
    h('div', { class: 'form-grid' }, field(t('cr.side'), side), field(t('cr.result'), result)),
    currentNote,
    field(t('cr.notes'), notes),
    h('div', { class: 'form-grid' }, field(t('cr.date'), date), field(t('cr.file'), file)),
    h('div', { class: 'modal-actions' },
      h('button', { type: 'button', class: 'btn', onclick: () => close(null) }, t('common.cancel')),
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'assess-save' }, t('common.save'))));
    const back = h('div', { class: 'modal-back', onclick: (e) => { if (e.target === back) close(null); } }, form);
    document.body.append(back);
    // Esc cancels, Tab stays in the form, the focus starts on the side and
    // goes back to the cell that opened it
    release = modalKeys(form, () => close(null), side);
  });
}

async function dashboard(el, ctx) {
  const { api, t, h, ui, qs } = ctx;
  const year = Number(ctx.params.get('year')) || today().y;
  const m = await api.get(`/api/v1/criteria/matrix${qs({ year })}`);
  const review = ctx.is('admin', 'province');
  const yearSel = h('select', { id: 'cr-year', onchange: (e) => ctx.navigate(`#/criteria?year=${e.target.value}`) },
    Array.from({ length: 8 }, (_, i) => today().y + 1 - i).map((y) => h('option', { value: y, selected: y === year }, y)));

  const cellTitle = (w, c, k) => `${w.ward} — ${t('cr.criterion')} ${c.num}: ${c.title}\n`
    + `${t('cr.side.self')}: ${k.self ? t(`cr.result.${k.self}`) : '—'} · ${t('cr.side.review')}: ${k.review ? t(`cr.result.${k.review}`) : '—'}`
    + (k.cell === 'self' ? `\n${t('cr.self_cell')}` : '');
  // Only a review is met (✓) or not met (✗); a self-assessment alone is
  // "TĐ" on a hollow amber cell, whatever the ward said.
  const mark = (k) => (k.cell === 'met' ? '✓' : k.cell === 'not_met' ? '✗' : k.cell === 'self' ? 'TĐ' : '');
  const progressBox = h('div', { id: 'cr-progress-years' });
  const canAssess = (w) => ctx.is('admin', 'province') || (ctx.is('officer') && ctx.user.ward_id === w.ward_id);
  const matrix = m.set ? h('div', { class: 'table-wrap' }, h('table', { class: 'grid matrix', id: 'cr-matrix' },
    h('thead', {}, h('tr', {}, h('th', {}, t('inc.ward')),
      m.criteria.map((c) => h('th', { class: 'crit', title: c.title }, c.num)),
      h('th', { class: 'num' }, t('cr.met')), h('th', {}, t('cr.recognition')))),
    h('tbody', {}, m.wards.map((w) => h('tr', { 'data-ward': w.ward_id },
      h('td', { class: 'ward-name' }, h('a', { href: `#/criteria/ward/${w.ward_id}?year=${year}` }, w.ward)),
      w.cells.map((k, i) => {
        const c = m.criteria[i] || { num: i + 1, title: '' };
        const open = async () => {
          const sets = await api.get(`/api/v1/criteria/assessments${qs({ ward_id: w.ward_id, year })}`);
          const crit = sets.criteria.find((x) => x.num === c.num) || c;
          const r = await assessForm(ctx, { wardId: w.ward_id, year, crit, current: { self: crit.self, review: crit.review } });
          if (r) { ui.toast(t('common.saved')); ctx.navigate(`#/criteria?year=${year}&v=${Date.now()}`); }
        };
        const td = h('td', { class: `cell ${k.cell}${k.cell === 'self' ? ` self-${k.self}` : ''}`, title: cellTitle(w, c, k),
          'data-criterion': c.num, 'data-cell': k.cell, 'data-self': k.self || '', 'data-review': k.review || '',
          onclick: canAssess(w) ? open : null }, mark(k));
        // a cell that opens its form is a Tab stop too (Enter/Space), named
        // by its title (a mark like ✓ alone says nothing); it stays a cell
        if (canAssess(w)) {
          pressable(td, open, { role: null });
          td.setAttribute('aria-label', cellTitle(w, c, k).replace(/\n/g, ' · '));
        }
        return td;
      }),
      h('td', { class: 'num nowrap', 'data-met': w.met, 'data-self': w.self_assessed }, w.text,
        w.self_assessed ? h('span', { class: 'muted self-count' }, ` · ${t('cr.self_count', { n: w.self_assessed })}`) : null),
      h('td', {}, w.recognition ? `${w.recognition.decision_no} (${viDate(w.recognition.decision_date)})` : ''))))))
    : h('div', { class: 'empty', id: 'cr-empty' }, t('cr.none_registered', { y: year }));

  // el.append writes a null as "null": optional parts are dropped first
  el.append(...[
    ui.pageHeader(t('nav.criteria'),
      h('a', { class: 'btn', href: '#/criteria/sets', id: 'cr-sets' }, t('cr.sets')),
      h('a', { class: 'btn', target: '_blank', id: 'cr-print', href: `/report/criteria.html?year=${year}` }, t('st.print')),
      h('a', { class: 'btn', download: '', href: `/api/v1/criteria/matrix.csv?year=${year}` }, 'CSV'),
      review ? h('button', { class: 'btn btn-primary', id: 'cr-register', onclick: () => registerWard(ctx, year) }, t('cr.register')) : null),
    h('div', { class: 'filters' }, h('label', {}, t('st.year'), yearSel)),
    m.set ? h('div', { class: 'callout info', id: 'cr-summary' },
      h('strong', {}, ctx.lang === 'en' ? m.summary.text_en : m.summary.text), ' · ',
      m.summary.spread.map((s) => t('cr.spread', { n: s.wards, k: s.met, of: m.criteria.length })).join(' · '),
      m.summary.self_assessed ? h('div', { id: 'cr-self-summary' }, ctx.lang === 'en' ? m.summary.self_text_en : m.summary.self_text) : null,
      h('div', { class: 'muted' }, `${m.set.name} (v${m.set.version})`)) : null,
    m.set ? h('div', { class: 'legend' },
      h('span', {}, h('i', { style: 'background:var(--ok)' }), t('cr.met_reviewed')),
      h('span', {}, h('i', { style: 'background:var(--bad)' }), t('cr.result.not_met')),
      h('span', {}, h('i', { style: 'background:#cbd5e1' }), t('cr.pending')),
      h('span', {}, h('i', { class: 'legend-self' }), t('cr.self_cell'))) : null,
    matrix,
    m.most_unmet && m.most_unmet.length ? h('h2', { class: 'section-title' }, t('cr.most_unmet')) : null,
    m.most_unmet && m.most_unmet.length ? ui.table([
      { label: t('cr.criterion'), value: (r) => r.num, class: 'num' },
      { label: t('cr.title'), value: (r) => r.title },
      { label: t('cr.wards_not_met'), value: (r) => r.wards_not_met, class: 'num' },
    ], m.most_unmet) : null,
    progressBox,
    m.set && m.set.note ? h('p', { class: 'muted note-template' }, m.set.note) : null].filter((x) => x != null));
  el.dataset.ready = '1';
  // Each ward's progress over the years (one small request per ward).
  if (m.wards.length) {
    const progs = await Promise.all(m.wards.map((w) => api.get(`/api/v1/criteria/progress${qs({ ward_id: w.ward_id })}`).catch(() => null)));
    const years = [...new Set(progs.flatMap((p) => (p ? p.years.map((y) => y.year) : [])))].sort();
    ui.clear(progressBox).append(h('h2', { class: 'section-title' }, t('cr.progress_years')),
      ui.table([
        { label: t('inc.ward'), value: (r) => r.ward },
        ...years.map((yy) => ({ label: String(yy), class: 'num', value: (r) => {
          const p = r.prog && r.prog.years.find((x) => x.year === yy);
          return p ? `${p.met}/${p.n_criteria}` : '—';
        } })),
      ], m.wards.map((w, i) => ({ ward: w.ward, prog: progs[i] }))));
  }
}

async function registerWard(ctx, year) {
  const { api, t, ui } = ctx;
  const wards = await ctx.wards();
  const { sets } = await api.get('/api/v1/criteria/sets');
  const r = await ui.formModal({
    title: t('cr.register'),
    fields: [
      { name: 'ward_id', label: t('inc.ward'), type: 'select', options: wards.map((w) => [w.id, w.name]) },
      { name: 'year', label: t('st.year'), type: 'number', value: year },
      { name: 'set_id', label: t('cr.set'), type: 'select', options: [['', t('cr.set_for_year')],
        ...sets.map((s) => [s.id, `${s.name} (v${s.version}, ${s.year_from}–${s.year_to})`])] },
    ],
    onSubmit: (v) => api.post('/api/v1/criteria/programme', { ward_id: Number(v.ward_id), year: v.year, set_id: v.set_id ? Number(v.set_id) : null }),
  });
  if (r) { ui.toast(t('common.saved')); ctx.navigate(`#/criteria?year=${year}&v=${Date.now()}`); }
}

async function wardPage(el, ctx, wardId) {
  const { api, t, h, ui, qs } = ctx;
  const year = Number(ctx.params.get('year')) || today().y;
  const [a, prog, wards] = await Promise.all([
    api.get(`/api/v1/criteria/assessments${qs({ ward_id: wardId, year })}`),
    api.get(`/api/v1/criteria/progress${qs({ ward_id: wardId })}`),
    ctx.wards()]);
  const ward = wards.find((w) => w.id === wardId) || { name: `#${wardId}` };
  const head = ui.pageHeader(`${t('nav.criteria')} — ${ward.name} — ${year}`,
    h('a', { class: 'btn', href: `#/criteria?year=${year}` }, t('inc.back')),
    ctx.is('admin', 'province') && a.registered && !a.recognition ? h('button', { class: 'btn', id: 'cr-recognise', onclick: async () => {
      const r = await ui.formModal({ title: t('cr.recognition'), fields: [
        { name: 'decision_no', label: t('cr.decision_no'), required: true, placeholder: '1234/QĐ-BCA' },
        { name: 'decision_date', label: t('cr.decision_date'), type: 'date', required: true },
        { name: 'note', label: t('cr.notes'), type: 'textarea' }],
      onSubmit: (v) => api.post('/api/v1/criteria/recognitions', { ward_id: wardId, year, ...v, note: v.note || null }) });
      if (r) ctx.navigate(`#/criteria/ward/${wardId}?year=${year}&v=${Date.now()}`);
    } }, t('cr.recognition')) : null);
  el.append(head);
  if (!a.registered) {
    el.append(h('div', { class: 'empty' }, t('cr.not_registered', { y: year })));
    return;
  }
  const progressNote = h('span', { class: 'muted' });
  const canSelf = ctx.is('admin') || (ctx.is('officer') && ctx.user.ward_id === wardId);
  const canReview = ctx.is('admin', 'province');
  const met = a.criteria.filter((c) => c.cell === 'met').length;   // reviewed met only
  const selfOnly = a.criteria.filter((c) => c.cell === 'self').length;
  // The ward's own answer is never drawn as the verdict: only the review
  // gets the green/red badge.
  const sideText = (s, label, self) => h('div', { class: `side ${self ? 'side-self' : 'side-review'}` }, `${label}: `,
    s ? ui.badge(t(`cr.result.${s.result}`), self ? 'muted' : RESULT_KIND[s.result]) : h('span', { class: 'muted' }, '—'),
    s ? h('span', { class: 'muted' }, ` ${viDate(s.assessed_on)} · ${s.assessor}${s.notes ? ` · ${s.notes}` : ''}`) : null);
  const list = h('div', { class: 'crit-list', id: 'cr-ward-list' });
  for (const g of a.groups) {
    list.append(h('div', { class: 'group' }, `${g.num}. ${g.name}`));
    for (const c of a.criteria.filter((x) => x.group === g.num)) {
      list.append(h('div', { class: 'crit-item', 'data-criterion': c.num, 'data-cell': c.cell },
        h('div', {},
          h('div', { class: 'title' }, `${t('cr.criterion')} ${c.num}. ${c.title}`),
          c.description ? h('div', { class: 'desc' }, c.description) : null,
          c.evidence ? h('div', { class: 'desc' }, `${t('cr.evidence_asked')}: ${c.evidence}`) : null,
          sideText(c.self, t('cr.side.self'), true), sideText(c.review, t('cr.side.review'), false),
          c.files.length ? h('div', { class: 'side' }, `${t('cr.files')}: `,
            c.files.map((f) => h('a', { class: 'chip', href: `/api/v1/criteria/files/${f.id}` }, f.name))) : null),
        h('div', { class: 'acts', 'data-verdict': c.cell },
          // "Đạt" only when the province reviewed it so
          c.cell === 'self' ? ui.badge(t('cr.self_badge', { r: t(`cr.result.${c.self.result}`) }), 'warn')
            : ui.badge(c.cell === 'met' ? t('cr.result.met') : c.cell === 'not_met' ? t('cr.result.not_met') : t('cr.pending'),
              c.cell === 'met' ? 'ok' : c.cell === 'not_met' ? 'bad' : 'muted'),
          canSelf || canReview ? h('button', { class: 'btn btn-small', onclick: async () => {
            const r = await assessForm(ctx, { wardId, year, crit: c, current: { self: c.self, review: c.review } });
            if (r) ctx.navigate(`#/criteria/ward/${wardId}?year=${year}&v=${Date.now()}`);
          } }, t('cr.assess')) : null)));
    }
  }
  el.append(...[
    h('div', { class: 'callout info', id: 'cr-ward-summary' }, `${a.set.name} (v${a.set.version}) — `,
      h('strong', {}, t('cr.ward_met', { k: met, n: a.set.n_criteria })),
      selfOnly ? h('span', { id: 'cr-ward-self' }, ` · ${t('cr.self_count', { n: selfOnly })} (${t('cr.self_cell')})`) : '',
      a.recognition ? ` · ${t('cr.recognised', { no: a.recognition.decision_no, d: viDate(a.recognition.decision_date) })}` : ''),
    h('div', { class: 'chart-box' }, h('h3', {}, t('cr.progress'), ' ', progressNote), h('canvas', { id: 'cr-progress-chart' })),
    list,
    h('h2', { class: 'section-title' }, t('inc.history')),
    ui.table([
      { label: t('cr.date'), value: (r) => viDate(r.assessed_on), class: 'mono' },
      { label: t('cr.criterion'), value: (r) => r.criterion, class: 'num' },
      { label: t('cr.side'), value: (r) => t(`cr.side.${r.side}`) },
      { label: t('cr.result'), value: (r) => ui.badge(t(`cr.result.${r.result}`), r.side === 'review' ? RESULT_KIND[r.result] : 'muted') },
      { label: t('cr.assessor'), value: (r) => r.assessor },
      { label: t('cr.notes'), value: (r) => r.notes || '' },
    ], a.history.slice().reverse()),
    a.set.note ? h('p', { class: 'muted note-template' }, a.set.note) : null].filter((x) => x != null));
  try {
    const Chart = await loadChart();
    const cur = prog.years.find((p) => p.year === year);
    ui.clear(progressNote).append(...prog.years.map((p) => h('span', { class: 'chip' },
      `${p.year}: ${p.met}/${p.n_criteria}`)));
    const pts = cur ? cur.timeline : [];
    const chart = new Chart(document.getElementById('cr-progress-chart'), {
      type: 'line',
      data: { labels: pts.map((p) => viDate(p.date)), datasets: [{
        label: t('cr.ward_met', { k: '', n: cur ? cur.n_criteria : '' }).trim(),
        data: pts.map((p) => p.met), borderColor: '#2563eb', backgroundColor: '#2563eb', stepped: true,
      }] },
      options: { animation: false, maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, suggestedMax: cur ? cur.n_criteria : 1, ticks: { precision: 0 } } },
        plugins: { legend: { display: false } } },
    });
    el.dataset.ready = '1';
    return () => chart.destroy();
  } catch (e) {
    console.error(e);
    el.dataset.ready = '1';
    return undefined;
  }
}

async function setsPage(el, ctx) {
  const { api, t, h, ui } = ctx;
  const { sets } = await api.get('/api/v1/criteria/sets');
  el.append(ui.pageHeader(t('cr.sets'), h('a', { class: 'btn', href: '#/criteria' }, t('inc.back'))),
    ui.table([
      { label: t('cr.set'), value: (s) => s.name },
      { label: t('cr.version'), value: (s) => `v${s.version}`, class: 'num' },
      { label: t('cr.years'), value: (s) => `${s.year_from}–${s.year_to}` },
      { label: t('cr.count'), value: (s) => s.n_criteria, class: 'num' },
      { label: t('cr.in_use'), value: (s) => (s.in_use ? ui.badge(t('common.yes'), 'info') : t('common.no')) },
      { label: '', value: (s) => (ctx.is('admin') ? h('button', { class: 'btn btn-small', onclick: () => editSet(ctx, s.id) }, t('common.edit')) : ''), class: 'actions' },
    ], sets),
    h('p', { class: 'muted note-template' }, t('cr.versions_note')));
}

async function editSet(ctx, id) {
  const { api, t, ui } = ctx;
  const s = await api.get(`/api/v1/criteria/sets/${id}`);
  const body = { name: s.name, year_from: s.year_from, year_to: s.year_to, note: s.note,
    groups: s.groups.map((g) => ({ num: g.num, name: g.name, criteria: g.criteria.map(({ num, title, description, evidence }) => ({ num, title, description, evidence })) })) };
  const r = await ui.formModal({
    title: `${t('common.edit')}: ${s.name}`,
    fields: [{ name: 'json', label: 'JSON', type: 'textarea', value: JSON.stringify(body, null, 2),
      help: s.in_use ? t('cr.edit_new_version') : t('cr.edit_in_place') }],
    onSubmit: async (v) => api.put(`/api/v1/criteria/sets/${id}`, JSON.parse(v.json)),
  });
  if (r && r !== true) ui.toast(r.new_version ? t('cr.new_version', { v: r.version }) : t('common.saved'));
  ctx.navigate(`#/criteria/sets?v=${Date.now()}`);
}

export default {
  title: 'nav.criteria',
  async render(el, ctx) {
    ensureStyles();
    if (ctx.path[0] === 'ward' && ctx.path[1]) return wardPage(el, ctx, Number(ctx.path[1]));
    if (ctx.path[0] === 'sets') return setsPage(el, ctx);
    return dashboard(el, ctx);
  },
};
