// The timeline's toolbar: the camera, the day (a dd/mm/yyyy button opening
// the console's own date input), the stream, "go to a time" and what the day
// holds.  toolbarPart(tl) builds it into tl.el and adds drawStreamSel,
// drawDay and gotoTime to the page object (timeline.js explains `tl`).
import { dateTimeInput, msOfDay } from '../../lib/datetime.js';
import { I } from './strings.js';
import { today, shiftDay } from './time.js';

export function toolbarPart(tl) {
  const { t, h, ui } = tl.ctx;
  const camSel = h('select', { id: 'tl-camera', onchange: () => {
    tl.cam = tl.cams.find((c) => String(c.id) === camSel.value);
    if (!tl.cam.has_sub_stream) tl.stream = 'main';
    drawStreamSel();
    tl.load(true);
  } }, tl.cams.map((c) => h('option', { value: c.id, selected: c.id === tl.cam.id }, c.name)));
  // The day: a button showing dd/mm/yyyy that opens the console's own date
  // input (lib/datetime.js) in its place; Enter or leaving it goes there.
  const dateInput = dateTimeInput({ id: 'tl-date-input', cls: 'tl-date-typed' });
  dateInput.hidden = true;
  const closeDateInput = () => { dateInput.hidden = true; dateBtn.hidden = false; };
  const takeDate = () => {
    const ms = dateInput.ms;
    if (ms == null || Number.isNaN(ms)) { dateInput.reportValidity(); return; }
    closeDateInput();
    const d = dateInput.day;
    if (d !== tl.date) tl.setDate(d);
  };
  dateInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); takeDate(); } else if (e.key === 'Escape') { e.preventDefault(); dateInput.ms = msOfDay(tl.date); closeDateInput(); dateBtn.focus(); }
  });
  dateInput.addEventListener('change', takeDate);
  const dateBtn = h('button', { class: 'btn tl-date', id: 'tl-date', title: t('tl.day'),
    onclick: () => { dateInput.ms = msOfDay(tl.date); dateBtn.hidden = true; dateInput.hidden = false; dateInput.focus(); dateInput.select(); dateInput.click(); } });
  const prevDay = h('button', { class: 'btn', id: 'tl-prev-day', title: t('tl.prev_day'), 'aria-label': t('tl.prev_day'), onclick: () => tl.setDate(shiftDay(tl.date, -1)) }, '‹');
  const nextDay = h('button', { class: 'btn', id: 'tl-next-day', title: t('tl.next_day'), 'aria-label': t('tl.next_day'), onclick: () => tl.setDate(shiftDay(tl.date, 1)) }, '›');
  const todayBtn = h('button', { class: 'btn', id: 'tl-today', onclick: () => tl.setDate(today()) }, t('tl.today'));
  const streamSel = h('select', { id: 'tl-stream', onchange: () => { tl.stream = streamSel.value; tl.stopPlayer(); tl.load(false, tl.headUs); } });
  const streamWrap = h('label', {}, t('tl.stream'), streamSel);
  const gotoInput = h('input', { id: 'tl-goto', class: 'tl-goto', placeholder: t('tl.goto_ph'), inputmode: 'numeric', autocomplete: 'off',
    onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); gotoTime(); } } });
  const gotoBtn = h('button', { class: 'btn', id: 'tl-goto-btn', onclick: () => gotoTime() }, t('tl.go'));
  const recSummary = h('span', { class: 'muted', id: 'tl-recorded' });

  // The stream choice exists only for a camera with a sub stream.
  function drawStreamSel() {
    streamSel.replaceChildren(h('option', { value: 'main', selected: tl.stream === 'main' }, t('tl.stream.main')),
      tl.cam.has_sub_stream ? h('option', { value: 'sub', selected: tl.stream === 'sub' }, t('tl.stream.sub')) : null);
    streamWrap.hidden = !tl.cam.has_sub_stream;
  }
  // The day shown, and no stepping past today.
  function drawDay() {
    dateBtn.innerHTML = `${I.cal}<span>${tl.ctx.fmtDate(tl.dayStart / 1000)}</span>`;
    nextDay.disabled = tl.date >= today();
    todayBtn.disabled = tl.date === today();
  }
  // "8", "8:15", "08.15.30", "8h15" → that second of the day
  function gotoTime() {
    const m = /^\s*(\d{1,2})[:.hH]?(\d{2})?(?:[:.](\d{2}))?\s*$/.exec(gotoInput.value);
    if (!m || Number(m[1]) > 23 || Number(m[2] || 0) > 59 || Number(m[3] || 0) > 59) { ui.toast(t('tl.bad_time'), 'error'); return; }
    tl.seek(tl.dayStart + (Number(m[1]) * 3600 + Number(m[2] || 0) * 60 + Number(m[3] || 0)) * 1e6);
    if (tl.view.span > 3600e6) tl.zoomTo(3600e6, tl.headUs);
  }

  Object.assign(tl.el, { camSel, recSummary });
  Object.assign(tl, { drawStreamSel, drawDay, gotoTime });
  return h('div', { class: 'filters tl-toolbar' },
    h('label', {}, t('tl.camera'), camSel),
    h('div', { class: 'tl-field' }, h('span', { class: 'tl-field-label' }, t('tl.day')),
      h('div', { class: 'tl-daypick' }, prevDay, h('span', { class: 'tl-date-wrap' }, dateBtn, dateInput), nextDay, todayBtn)),
    streamWrap,
    h('div', { class: 'tl-field' }, h('span', { class: 'tl-field-label' }, t('tl.goto')),
      h('div', { class: 'tl-daypick' }, gotoInput, gotoBtn)),
    h('div', { class: 'tl-spacer' }), recSummary);
}
