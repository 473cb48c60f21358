// datetime: the console's one date / date-time input (issue 17 item 11).
// The browser's own pickers follow the browser's locale ("mm/dd/yyyy",
// "12:44 PM") and zone; this one is always dd/mm/yyyy and 24 h in station
// time, like every date the console shows.
//
//   const from = dateTimeInput({ id: 'f-from', time: true, ms: Date.now() });
//   from.ms          → epoch ms, null when empty, NaN when not a date
//   from.ms = x      → shows x (null clears)
//   from.day         → "YYYY-MM-DD" (station day) or '' — for APIs that take a day
//
// It is a plain <input>: 'change' and 'keydown' work as usual; a bad value
// is marked (:invalid, with the reason as its validation message) so a
// form's submit refuses it.  A click on it (or Alt+↓) opens a month
// calendar (Monday first) to pick the day with the mouse; typing closes it.
import { t } from './i18n.js';
import { stationParts, fromStation } from './station.js';

const pad = (n) => String(n).padStart(2, '0');

// epoch ms → "dd/mm/yyyy[ HH:mm]" in station time
export function fmtInputValue(ms, time) {
  if (ms == null || !Number.isFinite(ms)) return '';
  const p = stationParts(ms);
  return `${pad(p.d)}/${pad(p.mo)}/${p.y}${time ? ` ${pad(p.h)}:${pad(p.mi)}` : ''}`;
}

// "dd/mm/yyyy[ HH:mm]" (station time) → epoch ms; '' → null; bad → NaN.
// A date alone is its day's start.
export function parseInputValue(v, time) {
  const s = (v || '').trim();
  if (!s) return null;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T,]+(\d{1,2})[:h](\d{2}))?$/.exec(s);
  if (!m || (!time && m[4] !== undefined)) return NaN;
  const [d, mo, y] = m.slice(1, 4).map(Number);
  const hh = m[4] === undefined ? 0 : Number(m[4]);
  const mi = m[5] === undefined ? 0 : Number(m[5]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59) return NaN;
  const ms = fromStation(y, mo, d, hh, mi);
  const p = stationParts(ms);
  if (p.d !== d || p.mo !== mo) return NaN;     // 31/02 and friends
  return ms;
}

// "YYYY-MM-DD" ↔ epoch ms of that station day's start
export function dayOf(ms) {
  if (ms == null || !Number.isFinite(ms)) return '';
  const p = stationParts(ms);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}`;
}
export function msOfDay(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day || '');
  return m ? fromStation(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

export function dateTimeInput({ id, name, time = false, ms = null, required = false, cls = '' } = {}) {
  const input = document.createElement('input');
  input.type = 'text';
  if (id) input.id = id;
  if (name) input.name = name;
  input.className = `dt-input ${time ? 'dt-datetime' : 'dt-date'} ${cls}`.trim();
  input.inputMode = 'numeric';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.required = !!required;
  input.placeholder = time ? t('dt.ph_datetime') : t('dt.ph_date');
  input.size = time ? 16 : 10;
  input.dataset.kind = time ? 'datetime' : 'date';
  const validate = () => {
    const v = parseInputValue(input.value, time);
    input.setCustomValidity(Number.isNaN(v) ? t(time ? 'dt.bad_datetime' : 'dt.bad_date') : '');
    return v;
  };
  input.addEventListener('input', validate);
  Object.defineProperty(input, 'ms', {
    get: () => validate(),
    set: (v) => { input.value = fmtInputValue(v, time); validate(); },
  });
  Object.defineProperty(input, 'day', { get: () => { const v = validate(); return v == null || Number.isNaN(v) ? '' : dayOf(v); } });
  input.ms = ms;
  attachCalendar(input, time);
  return input;
}

// ---- the month calendar under an input ------------------------------------
// One at a time, on document.body.  mousedown inside it is kept from taking
// the focus, so the input neither blurs nor fires 'change' before a day is
// picked; picking sets the value (keeping a typed time) and fires 'input'
// and 'change' like typing would.
let open = null;            // { input, pop, close }

function attachCalendar(input, time) {
  input.addEventListener('click', () => { if (!open || open.input !== input) showCalendar(input, time); });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && e.altKey) { e.preventDefault(); showCalendar(input, time); } else if (e.key === 'Escape' && open && open.input === input) { e.stopPropagation(); open.close(); }
  });
  input.addEventListener('input', () => { if (open && open.input === input) open.close(); });
  input.addEventListener('blur', () => { if (open && open.input === input) open.close(); });
}

function showCalendar(input, time) {
  if (open) open.close();
  const cur = parseInputValue(input.value, time);
  const base = cur == null || Number.isNaN(cur) ? Date.now() : cur;
  const bp = stationParts(base);
  let y = bp.y, mo = bp.mo;
  const pop = document.createElement('div');
  pop.className = 'dt-pop';
  pop.setAttribute('role', 'dialog');
  pop.addEventListener('mousedown', (e) => e.preventDefault());
  const r = input.getBoundingClientRect();
  pop.style.left = `${Math.round(r.left + window.scrollX)}px`;
  pop.style.top = `${Math.round(r.bottom + window.scrollY + 4)}px`;
  const pick = (d) => {
    const keep = cur == null || Number.isNaN(cur) ? { h: 0, mi: 0 } : stationParts(cur);
    input.value = fmtInputValue(fromStation(y, mo, d, time ? keep.h : 0, time ? keep.mi : 0), time);
    close();
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  };
  const draw = () => {
    const first = new Date(Date.UTC(y, mo - 1, 1));
    const lead = (first.getUTCDay() + 6) % 7;                 // Monday first
    const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    const tp = stationParts(Date.now());
    const head = document.createElement('div');
    head.className = 'dt-head';
    const nav = (label, k) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'btn btn-small';
      b.textContent = label;
      b.setAttribute('aria-label', t(k < 0 ? 'dt.prev_month' : 'dt.next_month'));
      b.addEventListener('click', () => { mo += k; if (mo < 1) { mo = 12; y--; } else if (mo > 12) { mo = 1; y++; } draw(); });
      return b;
    };
    const title = document.createElement('strong');
    title.textContent = t('dt.month', { m: pad(mo), y });
    head.append(nav('‹', -1), title, nav('›', 1));
    const grid = document.createElement('div');
    grid.className = 'dt-grid';
    for (const w of t('dt.weekdays').split(',')) {
      const c = document.createElement('span');
      c.className = 'dt-wd';
      c.textContent = w;
      grid.append(c);
    }
    for (let i = 0; i < lead; i++) grid.append(document.createElement('span'));
    for (let d = 1; d <= days; d++) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'dt-day';
      b.textContent = String(d);
      b.dataset.day = `${y}-${pad(mo)}-${pad(d)}`;
      if (y === tp.y && mo === tp.mo && d === tp.d) b.classList.add('dt-today');
      if (cur != null && !Number.isNaN(cur) && y === bp.y && mo === bp.mo && d === bp.d) b.classList.add('dt-sel');
      b.addEventListener('click', () => pick(d));
      grid.append(b);
    }
    pop.replaceChildren(head, grid);
  };
  const outside = (e) => { if (!pop.contains(e.target) && e.target !== input) close(); };
  // a scroll (of the page or of the content pane) would leave it floating elsewhere
  const onScroll = (e) => { if (!pop.contains(e.target)) close(); };
  function close() {
    pop.remove();
    document.removeEventListener('mousedown', outside, true);
    document.removeEventListener('scroll', onScroll, true);
    if (open && open.pop === pop) open = null;
  }
  draw();
  document.body.append(pop);
  document.addEventListener('mousedown', outside, true);
  document.addEventListener('scroll', onScroll, true);
  open = { input, pop, close };
}
