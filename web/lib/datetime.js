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
// form's submit refuses it.
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
  return input;
}
