// Shared by the ward's pages (incidents, stats, criteria) and the printable
// reports: the few styles the shell's app.css does not have, period
// helpers, and number formats.  Plain module, no dependencies.

const CSS = `
.modal-wide { width: min(760px, 96vw); }
.hidden { display: none !important; }
.nowrap { white-space: nowrap; }
.pre { white-space: pre-wrap; }
.chip { display: inline-block; margin-right: 6px; padding: 0 6px; border: 1px solid var(--line); border-radius: 10px; text-decoration: none; }
.section-title { margin: 18px 0 8px; }
.kv th { width: 180px; text-transform: none; letter-spacing: 0; font-size: 12px; }
ul.diff, ul.errors { margin: 0; padding-left: 18px; }
.inline-search { display: inline-flex; }
.pager-text { padding: 0 10px; align-self: center; }
.callout.warn { background: #fffbeb; border-color: #fde68a; color: #92400e; }
.callout.info { background: #eff6ff; border-color: #bfdbfe; color: #1e40af; }
.filters label { display: flex; flex-direction: column; gap: 3px; font-size: 12px; font-weight: 600; color: #334155; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 10px; margin-bottom: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 10px 12px; }
.card .label { font-size: 11.5px; color: var(--muted); text-transform: uppercase; letter-spacing: .4px; }
.card .value { font-size: 24px; font-weight: 700; margin: 2px 0; font-variant-numeric: tabular-nums; }
.card .sub { font-size: 12px; color: var(--muted); }
.up { color: var(--bad); } .down { color: var(--ok-text, #15803d); }
.charts { display: grid; grid-template-columns: 3fr 2fr; gap: 10px; margin-bottom: 12px; }
.chart-box { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 10px 10px 22px; height: 300px; position: relative; }
.chart-box h3 { font-size: 12.5px; margin: 0 0 6px; }
.chart-box canvas { max-height: 240px; }
.chart-box .trend-note { position: absolute; left: 10px; right: 10px; bottom: 4px; font-size: 11px; }
.matrix td.cell { width: 24px; min-width: 24px; height: 24px; padding: 0; text-align: center; cursor: pointer; border: 1px solid #fff; font-size: 10px; color: #fff; }
.matrix th.crit { padding: 4px 2px; text-align: center; font-size: 10.5px; min-width: 24px; }
.matrix td.cell.met { background: var(--ok); }
.matrix td.cell.not_met { background: var(--bad); }
.matrix td.cell.pending { background: #cbd5e1; color: #475569; }
.matrix td.cell.self { background: #fffbeb; color: #92400e; box-shadow: inset 0 0 0 1.5px #d97706; font-size: 8.5px; font-weight: 700; }
.matrix td.cell.self.self-not_met { color: #b91c1c; }
.matrix td.cell.self.self-in_progress { color: #64748b; }
.legend i.legend-self { background: #fffbeb; box-shadow: inset 0 0 0 1.5px #d97706; }
.matrix td.ward-name { white-space: nowrap; }
.legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin: 6px 0 10px; flex-wrap: wrap; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 5px; vertical-align: -2px; }
.crit-list .group { margin: 16px 0 6px; font-weight: 700; }
.crit-item { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 10px 12px; margin-bottom: 8px; display: grid; grid-template-columns: 1fr 220px; gap: 12px; }
.crit-item .title { font-weight: 600; }
.crit-item .desc { color: var(--muted); font-size: 12px; margin-top: 3px; }
.crit-item .side { font-size: 12px; margin-top: 3px; }
.crit-item .acts { display: flex; flex-direction: column; gap: 6px; align-items: stretch; }
.note-template { font-size: 12px; }
`;

// A DOM element with attributes (null ones left out) and children (nodes,
// strings, nested arrays; null ones left out).
export function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) e.setAttribute(k, v);
  for (const k of kids.flat()) if (k != null) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
}

export function ensureStyles() {
  if (document.getElementById('ward-ui-css')) return;
  const s = document.createElement('style');
  s.id = 'ward-ui-css';
  s.textContent = CSS;
  document.head.append(s);
}

// Today in the station's zone: { y, m, d }.
export function today() {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(new Date()).map((x) => [x.type, x.value]));
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day) };
}

// The API's period text for a kind and values.
export function periodText(kind, { year, month, quarter, from, to }) {
  if (kind === 'month') return `${year}-${String(month).padStart(2, '0')}`;
  if (kind === 'quarter') return `${year}-Q${quarter}`;
  if (kind === 'year') return String(year);
  return from && to ? `${from}..${to}` : '';
}

// Splits "2024-Q2" / "2024-05" / "2024" / "a..b" back into its parts.
export function parsePeriod(s) {
  const t = today();
  const def = { kind: 'quarter', year: t.y, quarter: Math.floor((t.m - 1) / 3) + 1, month: t.m, from: '', to: '' };
  if (!s) return def;
  let m;
  if ((m = /^(\d{4})-Q([1-4])$/.exec(s))) return { ...def, kind: 'quarter', year: +m[1], quarter: +m[2] };
  if ((m = /^(\d{4})-(\d{2})$/.exec(s))) return { ...def, kind: 'month', year: +m[1], month: +m[2] };
  if ((m = /^(\d{4})$/.exec(s))) return { ...def, kind: 'year', year: +m[1] };
  if ((m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(s))) return { ...def, kind: 'custom', from: m[1], to: m[2] };
  return def;
}

export function fmtNum(v, lang, digits = 0) {
  if (v == null) return '—';
  return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: digits }).format(v);
}

// "dd/mm/yyyy" from "yyyy-mm-dd"
export function viDate(iso) {
  if (!iso) return '—';
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

// chart.js, loaded once from the vendored UMD build (/vendor/chart.js/…):
// it needs no import map, and sets globalThis.Chart.
let chartPromise = null;
export function loadChart() {
  if (!chartPromise) {
    chartPromise = import('/vendor/chart.js/dist/chart.umd.js').then(() => globalThis.Chart);
  }
  return chartPromise;
}
