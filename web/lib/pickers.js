// pickers: choosing cameras, exports and incidents by what a person knows
// of them (a name, an address, a time), never by typing database ids
// (issue 17 item 5).
//   const cp = cameraPicker(ctx, cams, [3, 7]);   form.append(cp.el); cp.value() → [3, 7]
//   const xp = exportPicker(ctx, exports, cams, [12]); xp.value() → [12]
//   const inc = await pickIncident(ctx, { wardId });  → incident or null
// Each picker is a search box over a checklist: typing narrows the list by
// name, address or id; chosen items stay listed first as removable chips.
// The server still decides what may be linked (scope, ward) and says so.
import { h } from './ui.js';
import { t } from './i18n.js';

const fold = (s) => String(s ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();

// A search-and-check list.  items: [{ id, label, detail, search }].
function checklist({ id, items, chosen, placeholder, emptyText, limit = 40 }) {
  const sel = new Set(chosen);
  const chips = h('div', { class: 'picker-chips', id: `${id}-chosen` });
  const box = h('input', { type: 'search', class: 'picker-search', id: `${id}-search`, placeholder, autocomplete: 'off',
    'aria-label': placeholder });
  const list = h('div', { class: 'picker-list', id: `${id}-list`, role: 'group', 'aria-label': placeholder });
  const byId = new Map(items.map((x) => [x.id, x]));
  function drawChips() {
    chips.replaceChildren(...[...sel].map((cid) => {
      const x = byId.get(cid);
      return h('span', { class: 'chip picker-chip', 'data-id': cid }, x ? x.label : `#${cid}`,
        h('button', { type: 'button', class: 'chip-x', 'aria-label': `${t('common.remove')} ${x ? x.label : cid}`,
          onclick: () => { sel.delete(cid); drawChips(); drawList(); } }, '×'));
    }));
  }
  function drawList() {
    const q = fold(box.value.trim());
    const shown = items.filter((x) => !q || fold(x.search).includes(q) || String(x.id) === q).slice(0, limit);
    if (!shown.length) { list.replaceChildren(h('div', { class: 'muted picker-empty' }, emptyText)); return; }
    list.replaceChildren(...shown.map((x) => {
      const cb = h('input', { type: 'checkbox', value: x.id, checked: sel.has(x.id), onchange: () => {
        if (cb.checked) sel.add(x.id); else sel.delete(x.id);
        drawChips();
      } });
      return h('label', { class: 'picker-item', 'data-id': x.id }, cb,
        h('span', { class: 'picker-label' }, x.label), x.detail ? h('small', { class: 'muted' }, x.detail) : null);
    }));
  }
  box.addEventListener('input', drawList);
  // Enter in the search box picks the first match instead of submitting the form
  box.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    const first = list.querySelector('input[type=checkbox]:not(:checked)');
    if (first) { first.checked = true; first.dispatchEvent(new Event('change')); }
  });
  drawChips();
  drawList();
  return { el: h('div', { class: 'picker', id }, chips, box, list), value: () => [...sel] };
}

export function cameraPicker(ctx, cams, chosen) {
  return checklist({
    id: 'pick-cameras', chosen: chosen || [], placeholder: t('pick.cameras_search'), emptyText: t('pick.none'),
    items: cams.map((c) => ({ id: c.id, label: c.name, detail: [c.address, c.ward].filter(Boolean).join(' · '),
      search: `${c.name} ${c.address || ''} ${c.ward || ''}` })),
  });
}

// An export is known by its camera and its time range.
export function exportLabel(ctx, x, camName) {
  return `${camName || `#${x.camera_id}`} · ${ctx.fmtDateTime(x.from)} → ${ctx.fmtTime(x.to)}`;
}

export function exportPicker(ctx, exports, cams, chosen) {
  const names = new Map(cams.map((c) => [c.id, c.name]));
  const items = [...exports].sort((a, b) => Date.parse(b.created || b.from) - Date.parse(a.created || a.from))
    .map((x) => ({ id: x.id, label: exportLabel(ctx, x, names.get(x.camera_id)),
      detail: `${t('pick.export_no', { n: x.id })} · ${x.username || ''}`,
      search: `${names.get(x.camera_id) || ''} ${x.from} ${x.username || ''} ${x.id}` }));
  return checklist({ id: 'pick-exports', chosen: chosen || [], placeholder: t('pick.exports_search'),
    emptyText: t('pick.no_exports'), items });
}

// A dialog that lists the incidents the caller may change (their ward's,
// newest first) with a search; resolves to the chosen incident or null.
export function pickIncident(ctx, { wardId, title }) {
  const { api, ui } = ctx;
  return new Promise((resolve) => {
    const list = h('div', { class: 'picker-list', id: 'pick-incident-list' }, h('div', { class: 'muted' }, t('common.loading')));
    const box = h('input', { type: 'search', class: 'picker-search', id: 'pick-incident-search', placeholder: t('pick.incident_search'),
      'aria-label': t('pick.incident_search') });
    let timer = null;
    const close = (r) => { back.remove(); document.removeEventListener('keydown', onKey); resolve(r); };
    const onKey = (e) => { if (e.key === 'Escape') { e.stopPropagation(); close(null); } };
    async function load() {
      const q = box.value.trim();
      let rows;
      try {
        const params = new URLSearchParams({ limit: '30' });
        if (wardId) params.set('ward_id', wardId);
        if (q) params.set('q', q);
        rows = (await api.get(`/api/v1/incidents?${params}`)).incidents;
      } catch (e) { list.replaceChildren(h('div', { class: 'form-error' }, e.message)); return; }
      if (!rows.length) { list.replaceChildren(h('div', { class: 'muted picker-empty' }, t('pick.no_incidents'))); return; }
      list.replaceChildren(...rows.map((r) => h('button', { type: 'button', class: 'picker-row', 'data-id': r.id,
        onclick: () => close(r) },
        h('strong', {}, `#${r.id} · ${ctx.fmtDateTime(r.occurred_at, false)}`),
        h('span', {}, r.summary || ''), r.address ? h('small', { class: 'muted' }, r.address) : null)));
    }
    box.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 250); });
    const dlg = h('div', { class: 'modal', id: 'pick-incident', role: 'dialog', 'aria-modal': 'true', 'aria-label': title },
      h('h2', {}, title), box, list,
      h('div', { class: 'modal-actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close(null) }, t('common.cancel'))));
    const back = h('div', { class: 'modal-back', onclick: (e) => { if (e.target === back) close(null); } }, dlg);
    document.body.append(back);
    document.addEventListener('keydown', onKey);
    box.focus();
    load().catch((e) => ui.showError(e));
  });
}

// Adds an export (and its camera) to an incident, keeping what it had.
export async function attachExport(ctx, incidentId, exportId, cameraId) {
  const inc = await ctx.api.get(`/api/v1/incidents/${incidentId}`);
  const exports = [...new Set([...(inc.export_ids || []), exportId])];
  const cameras = [...new Set([...(inc.camera_ids || []), cameraId].filter((x) => x != null))];
  return ctx.api.patch(`/api/v1/incidents/${incidentId}`, { export_ids: exports, camera_ids: cameras });
}
