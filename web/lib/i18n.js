// i18n: Vietnamese first, English second.  Strings live in /i18n/<lang>.json
// (the shell's) and in each page's optional `strings` export (a page's own),
// merged at load.  Dates are dd/mm/yyyy in the station's time zone
// (Asia/Ho_Chi_Minh) whatever the browser's zone is.
export const LANGS = ['vi', 'en'];
const TZ = 'Asia/Ho_Chi_Minh';
let lang = localStorage.getItem('ww.lang') || 'vi';
if (!LANGS.includes(lang)) lang = 'vi';
let dict = {};
const extra = { vi: {}, en: {} };

export function getLang() { return lang; }

export async function loadLang(l) {
  lang = LANGS.includes(l) ? l : 'vi';
  localStorage.setItem('ww.lang', lang);
  document.documentElement.lang = lang;
  const r = await fetch(`/i18n/${lang}.json`, { cache: 'no-cache' });
  dict = r.ok ? await r.json() : {};
}

// Adds a page's strings: { vi: {...}, en: {...} }.
export function addStrings(strings) {
  for (const l of LANGS) Object.assign(extra[l], (strings && strings[l]) || {});
}

// t('login.locked', { s: 30 }) → "… 30 giây."  Unknown keys show the key.
export function t(key, vars) {
  let s = extra[lang][key] ?? dict[key] ?? extra.vi[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

function fmt(opts) {
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: TZ, ...opts });
}
function toDate(v) { return v instanceof Date ? v : new Date(v); }

// "25/11/2026"
export function fmtDate(v) {
  if (v == null || v === '') return '—';
  const p = Object.fromEntries(fmt({ day: '2-digit', month: '2-digit', year: 'numeric' })
    .formatToParts(toDate(v)).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year}`;
}
// "21:03:01"
export function fmtTime(v, seconds = true) {
  if (v == null || v === '') return '—';
  const o = { hour: '2-digit', minute: '2-digit', hour12: false };
  if (seconds) o.second = '2-digit';
  const p = Object.fromEntries(fmt(o).formatToParts(toDate(v)).map((x) => [x.type, x.value]));
  return `${p.hour}:${p.minute}${seconds ? ':' + p.second : ''}`;
}
// "25/11/2026 21:03:01"
export function fmtDateTime(v, seconds = true) {
  if (v == null || v === '') return '—';
  return `${fmtDate(v)} ${fmtTime(v, seconds)}`;
}
