// i18n: Vietnamese first, English second.  Strings live in /i18n/<lang>.json
// (the shell's) and in each page's optional `strings` export (a page's own),
// merged at load.  Dates are dd/mm/yyyy, 24 h, in the station's time
// (lib/station.js: the offset the server gives) whatever the browser's zone
// is; numbers through fmtNum/fmtPct.
import { stationParts } from './station.js';

export const LANGS = ['vi', 'en'];
// (no localStorage where a test imports a page's module in node to read its strings)
let lang = (typeof localStorage !== 'undefined' && localStorage.getItem('ww.lang')) || 'vi';
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

// Whether a key has a text in the language (or the Vietnamese fallback).
export function hasKey(key) { return key in extra[lang] || key in dict || key in extra.vi; }

// t('login.locked', { s: 30 }) → "… 30 giây."  Unknown keys show the key.
export function t(key, vars) {
  let s = extra[lang][key] ?? dict[key] ?? extra.vi[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

function toMs(v) { return v instanceof Date ? v.getTime() : typeof v === 'number' ? v : Date.parse(v); }
const pad = (n) => String(n).padStart(2, '0');
// A value that is no time at all shows as "—", never "NaN/NaN/NaN".
function partsOf(v) {
  if (v == null || v === '') return null;
  const ms = toMs(v);
  return Number.isFinite(ms) ? stationParts(ms) : null;
}

// "25/11/2026"
export function fmtDate(v) {
  const p = partsOf(v);
  return p ? `${pad(p.d)}/${pad(p.mo)}/${p.y}` : '—';
}
// "21:03:01"
export function fmtTime(v, seconds = true) {
  const p = partsOf(v);
  return p ? `${pad(p.h)}:${pad(p.mi)}${seconds ? ':' + pad(p.s) : ''}` : '—';
}
// "25/11/2026 21:03:01"
export function fmtDateTime(v, seconds = true) {
  const p = partsOf(v);
  return p ? `${fmtDate(v)} ${fmtTime(v, seconds)}` : '—';
}

// Numbers in the language's own way: vi "81,2" / "1.234", en "81.2" /
// "1,234".  digits = the most decimals shown (fixed = exactly that many).
// Every page formats figures through these (issue 17 item 11).
const nfCache = new Map();
function nf(digits, fixed) {
  const key = `${lang}|${digits}|${fixed}`;
  if (!nfCache.has(key)) {
    nfCache.set(key, new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB',
      { maximumFractionDigits: digits, minimumFractionDigits: fixed ? digits : 0 }));
  }
  return nfCache.get(key);
}
export function fmtNum(v, digits = 0, { fixed = false } = {}) {
  if (v == null || v === '' || !Number.isFinite(Number(v))) return '—';
  return nf(digits, fixed).format(Number(v));
}
// fmtPct(81.23) → "81,2 %" (vi) / "81.2 %" (en); v is already in percent.
export function fmtPct(v, digits = 1, opts) {
  const s = fmtNum(v, digits, opts);
  return s === '—' ? s : `${s} %`;
}
// fmtShare(0.812) → "81,2 %": a fraction shown as a percentage.
export function fmtShare(x, digits = 1, opts) {
  return x == null || !Number.isFinite(Number(x)) ? '—' : fmtPct(Number(x) * 100, digits, opts);
}
