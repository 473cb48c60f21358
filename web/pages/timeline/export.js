// The timeline's range selection and its export as evidence (MP4 +
// manifest with its SHA-256, signed by the station).  exportPart(tl) builds
// the export box (null for a role that can't export) into the page and adds
// mark, selComplete, drawSel and doExport to the page object (timeline.js
// explains `tl`).  A range is whole seconds, as an officer writes it down.
import { allows, reason } from '../../lib/consent.js';
import { I } from './strings.js';
import { isoOf, hms } from './time.js';
import { exportCard, fmtDur, fmtBytes } from './parts.js';
import { pickIncident, attachExport } from '../../lib/pickers.js';
import { placeHold, mayHold } from '../../lib/evidence.js';

export function exportPart(tl) {
  const { t, h, api, ui } = tl.ctx;
  const selText = h('div', { class: 'tl-sel-text', id: 'tl-sel-text' });
  const exportBtn = h('button', { class: 'btn btn-primary', id: 'tl-export', onclick: () => doExport(), html: `${I.export}<span>${t('tl.export')}</span>` });
  const clearSel = h('button', { class: 'btn', id: 'tl-sel-clear', onclick: () => { tl.sel = null; drawSel(); tl.redraw(); } }, t('tl.sel_clear'));
  const exportResult = h('div', { class: 'tl-export-result', id: 'tl-export-result', hidden: true });
  // a hold on the marked range (or an event's, from the events list): kept
  // from retention while it is in force (issue 13 item 1)
  const holdBtn = h('button', { class: 'btn', id: 'tl-hold', disabled: true, onclick: () => tl.holdRange(tl.sel.a, tl.sel.b) }, t('tl.hold_range'));
  tl.holdRange = mayHold(tl.ctx, tl.cam.ward_id) ? async (fromUs, toUs) => {
    const ok = await placeHold(tl.ctx, { cameras: [[tl.cam.id, tl.cam.name]], fromMs: Math.floor(fromUs / 1000), toMs: Math.ceil(toUs / 1000) });
    if (ok) tl.redraw();
  } : null;

  // [ or ]: the play head's second becomes the range's start or end
  function mark(which) {
    if (tl.headUs === null || !allows(tl.consent, 'export')) return;
    let sel = tl.sel || { a: null, b: null };
    sel[which] = Math.floor(tl.headUs / 1e6) * 1e6;   // the second the clock shows
    if (sel.a !== null && sel.b !== null && sel.a > sel.b) sel = { a: sel.b, b: sel.a };
    if (sel.a === null && sel.b !== null) sel = { a: null, b: sel.b };
    tl.sel = sel;
    drawSel();
    tl.redraw();
  }
  function selComplete() { const s = tl.sel; return !!s && s.a !== null && s.b !== null && s.b > s.a; }
  function drawSel() {
    if (!tl.canExport) return;
    const sel = tl.sel;
    selText.replaceChildren();
    if (selComplete()) {
      selText.append(h('span', { class: 'mono' }, `${tl.ctx.fmtDateTime(sel.a / 1000)} → ${hms(sel.b)}`), h('span', { class: 'muted' }, ` · ${fmtDur(sel.b - sel.a)}`));
    } else if (sel && (sel.a !== null || sel.b !== null)) {
      selText.append(h('span', { class: 'muted' }, t('tl.sel_half', { t: hms(sel.a ?? sel.b) })));
    } else {
      selText.append(h('span', { class: 'muted' }, t('tl.sel_none')));
    }
    const noExport = !allows(tl.consent, 'export');
    exportBtn.disabled = !selComplete() || noExport;
    holdBtn.disabled = !selComplete();
    holdBtn.hidden = !tl.holdRange;
    exportBtn.title = noExport ? reason('export') : '';
    clearSel.hidden = !sel;
  }
  async function doExport() {
    if (!selComplete() || !allows(tl.consent, 'export')) return;
    const sel = tl.sel, cam = tl.cam;
    exportBtn.disabled = true;
    exportBtn.lastChild.textContent = t('tl.exporting');
    exportResult.hidden = true;
    try {
      const r = await api.post(`/api/v1/cameras/${cam.id}/exports`, { from: isoOf(sel.a), to: isoOf(sel.b), stream: tl.stream });
      const x = r.export || r;
      exportResult.replaceChildren(...exportCard(cam, x, sel), attachButton(cam, x));
      exportResult.hidden = false;
      ui.toast(t('tl.export_done', { size: fmtBytes(x.bytes) }));
    } catch (e) {
      ui.toast(t('tl.export_failed', { m: e.message }), 'error');
    } finally {
      exportBtn.lastChild.textContent = t('tl.export');
      exportBtn.disabled = !selComplete() || !allows(tl.consent, 'export');
    }
  }
  // "Gắn vào vụ việc": the export (and its camera) joins an incident of the
  // camera's ward, chosen from the register; only those who may change that
  // ward's incidents see the button (the server checks again).
  function attachButton(cam, x) {
    const u = tl.ctx.user;
    const may = tl.ctx.is('admin') || (tl.ctx.is('officer') && u.ward_id && u.ward_id === cam.ward_id);
    if (!may) return h('span');
    const note = h('span', { class: 'muted', id: 'tl-export-attached' });
    const btn = h('button', { type: 'button', class: 'btn', id: 'tl-export-attach', onclick: async () => {
      const inc = await pickIncident(tl.ctx, { wardId: cam.ward_id, title: t('pick.attach_title') });
      if (!inc) return;
      try {
        await attachExport(tl.ctx, inc.id, x.id, cam.id);
        note.replaceChildren(t('pick.attached'), ' ', h('a', { href: `#/incidents/${inc.id}` }, `#${inc.id}`));
        ui.toast(t('pick.attached_toast', { n: inc.id }));
      } catch (e) { ui.showError(e); }
    } }, t('pick.attach'));
    return h('div', { class: 'tl-export-attach' }, btn, note);
  }
  // a new camera or day starts with no range and no export shown
  function resetSel() { tl.sel = null; drawSel(); exportResult.hidden = true; }

  Object.assign(tl, { mark, selComplete, drawSel, doExport, resetSel });
  return tl.canExport ? h('div', { class: 'tl-export card-box' },
    h('div', { class: 'tl-export-row' }, h('strong', {}, t('tl.sel')), selText, h('div', { class: 'tl-spacer' }), clearSel, holdBtn, exportBtn),
    exportResult) : null;
}
