// The printable statistics report (/report/stats.html?ward_id=&period=):
// Vietnamese, A4, made for printing.  Reads the same JSON as the console
// page (/api/v1/stats) with the signed-in session; nothing is computed here
// but layout.  When the data is drawn the sheet gets data-ready="1" (the
// browser test waits for it before its screenshot).
import { fmtNum, viDate } from './ward-ui.js';

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) e.setAttribute(k, v);
  for (const k of kids.flat()) if (k != null) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
}

function row(cells, cls) {
  return el('tr', { class: cls }, cells.map(([v, c]) => el('td', { class: c }, v)));
}

async function main() {
  const q = new URLSearchParams(location.search);
  q.set('lang', 'vi');
  $('pdf').href = `/api/v1/stats/report.pdf?${q}`;
  $('print').onclick = () => window.print();
  const r = await fetch(`/api/v1/stats?${q}`, { credentials: 'same-origin' });
  if (r.status === 401) { $('msg').textContent = 'Phiên đăng nhập đã hết: hãy đăng nhập lại ở cửa sổ chính.'; return; }
  if (!r.ok) { const e = await r.json().catch(() => ({})); $('msg').textContent = (e.error && e.error.message) || `Lỗi ${r.status}`; return; }
  const data = await r.json();
  const s = data.stats;
  const tot = s.totals;
  const now = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: 'numeric', month: 'numeric', year: 'numeric' })
    .formatToParts(new Date()).reduce((o, p) => ({ ...o, [p.type]: p.value }), {});
  const sheet = $('sheet');
  const body = s.scope.ward_id ? `Công an phường ${s.scope.name}` : `Công an ${s.scope.name.replace(/^Toàn tỉnh/, 'tỉnh')}`;
  sheet.append(
    el('div', { class: 'letterhead' },
      el('div', { class: 'body' }, el('b', {}, body), el('div', { class: 'rule' })),
      el('div', { class: 'motto' }, el('b', {}, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'), el('b', {}, 'Độc lập – Tự do – Hạnh phúc'), el('div', { class: 'rule' }))),
    el('div', { class: 'place-date' }, `ngày ${now.day} tháng ${now.month} năm ${now.year}`),
    el('h1', {}, 'Báo cáo', el('br'), 'tình hình an ninh, trật tự'),
    el('div', { class: 'sub', id: 'report-period' }, s.period.partial
      ? `${s.scope.name} — ${s.period.full_label} (${viDate(s.period.from)} – ${viDate(s.period.through)}; kỳ chưa kết thúc)`
      : `${s.scope.name} — ${s.period.full_label} (${viDate(s.period.from)} – ${viDate(s.period.last_day)})`),
    s.period.partial ? el('p', { class: 'partial', id: 'report-partial' }, `Kỳ báo cáo chưa kết thúc: số liệu ${s.period.through_label}, `
      + `so sánh cùng số ngày với cùng kỳ năm trước (từ ${viDate(s.prev_period.from)} ${s.prev_period.through_label}).`) : null,
    el('h2', {}, 'I. Tình hình chung'),
    el('p', {}, `Trong kỳ, trên địa bàn xảy ra ${fmtNum(tot.cur.cases, 'vi')} vụ việc`,
      s.has_prev ? `; so với cùng kỳ (${s.prev_period.full_label}: ${fmtNum(tot.prev.cases, 'vi')} vụ) ${tot.change.cases.diff_text} vụ (${tot.change.cases.pct_text}).`
        : '; không có số liệu cùng kỳ để so sánh.'),
    el('p', {}, `Các loại phải khám phá: ${tot.share.text}.`),
    el('p', {}, `Làm chết ${fmtNum(tot.cur.deaths, 'vi')} người, bị thương ${fmtNum(tot.cur.injuries, 'vi')} người; `
      + `thu giữ ${fmtNum(tot.cur.drug_grams, 'vi', 1)} g ma túy; ${fmtNum(tot.cur.suspects, 'vi')} đối tượng.`),
    el('h2', {}, 'II. Số liệu theo loại vụ việc'),
    el('table', { id: 'report-table' },
      el('thead', {}, el('tr', {}, ['Loại vụ việc', 'Số vụ', 'Cùng kỳ', 'Tăng/giảm', 'Tỷ lệ', 'Khám phá', 'Chết', 'Bị thương', 'Đối tượng', 'Ma túy (g)'].map((x) => el('th', {}, x)))),
      el('tbody', {},
        s.categories.map((c) => row([
          [c.name_vi], [fmtNum(c.cur.cases, 'vi'), 'num'], [c.prev ? fmtNum(c.prev.cases, 'vi') : '—', 'num'],
          [c.change.cases.diff_text, 'num'], [c.change.cases.pct_text, 'num'],
          [c.solvable ? `${c.share.solved}/${c.share.cases}` : '', 'num'],
          [c.figures.includes('deaths') ? fmtNum(c.cur.deaths, 'vi') : '', 'num'],
          [c.figures.includes('injuries') ? fmtNum(c.cur.injuries, 'vi') : '', 'num'],
          [c.figures.includes('suspects') ? fmtNum(c.cur.suspects, 'vi') : '', 'num'],
          [c.figures.includes('drug_grams') ? fmtNum(c.cur.drug_grams, 'vi', 1) : '', 'num']])),
        row([['Tổng cộng'], [fmtNum(tot.cur.cases, 'vi'), 'num'], [s.has_prev ? fmtNum(tot.prev.cases, 'vi') : '—', 'num'],
          [tot.change.cases.diff_text, 'num'], [tot.change.cases.pct_text, 'num'],
          [`${tot.share.solved}/${tot.share.cases}${tot.share.pct == null ? '' : ` (${tot.share.pct} %)`}`, 'num'],
          [fmtNum(tot.cur.deaths, 'vi'), 'num'], [fmtNum(tot.cur.injuries, 'vi'), 'num'],
          [fmtNum(tot.cur.suspects, 'vi'), 'num'], [fmtNum(tot.cur.drug_grams, 'vi', 1), 'num']], 'total'))),
    el('div', { class: 'note' }, '"—": không có số liệu cùng kỳ hoặc cùng kỳ bằng 0. Khám phá ở dòng tổng chỉ tính các loại phải khám phá. '
      + 'Cùng kỳ của ngày 29/02 là ngày 28/02 năm trước.'));
  if (data.wards && data.wards.length) {
    sheet.append(el('h2', {}, 'III. So sánh giữa các phường'),
      el('table', { id: 'report-wards' },
        el('thead', {}, el('tr', {}, ['Phường', 'Số vụ', 'Cùng kỳ', 'Tăng/giảm', 'Tỷ lệ', 'Khám phá'].map((x) => el('th', {}, x)))),
        el('tbody', {}, data.wards.map((w) => row([[w.ward], [fmtNum(w.cases, 'vi'), 'num'],
          [w.prev_cases == null ? '—' : fmtNum(w.prev_cases, 'vi'), 'num'], [w.diff_text, 'num'], [w.pct_text, 'num'],
          [`${w.solvable_solved}/${w.solvable_cases}${w.share_pct == null ? '' : ` (${w.share_pct} %)`}`, 'num']])))));
  }
  const partial = data.trend.filter((p) => p.partial);
  const mm = (p) => `${String(p.month).padStart(2, '0')}/${p.year}`;
  sheet.append(
    el('h2', {}, `${data.wards ? 'IV' : 'III'}. Diễn biến theo tháng`),
    el('table', { id: 'report-trend' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Tháng'), data.trend.map((p) => el('th', { class: p.partial ? 'partial' : null },
        `${p.month}/${String(p.year).slice(2)}${p.partial ? '*' : ''}`)))),
      el('tbody', {},
        el('tr', {}, el('td', {}, 'Kỳ này'), data.trend.map((p) => el('td', { class: 'num' }, fmtNum(p.cases, 'vi')))),
        el('tr', {}, el('td', {}, 'Cùng kỳ'), data.trend.map((p) => el('td', { class: 'num' }, fmtNum(p.prev_cases, 'vi')))))),
    partial.length ? el('div', { class: 'note', id: 'report-trend-note' }, '* Tháng chưa hết, so sánh cùng số ngày với cùng kỳ năm trước: '
      + partial.map((p) => (p.days ? `${mm(p)} đến ngày ${String(p.days).padStart(2, '0')}/${String(p.month).padStart(2, '0')}` : `${mm(p)} chưa bắt đầu`)).join('; ') + '.') : null,
    el('div', { class: 'signature' }, el('div', {}), el('div', {}, el('div', { class: 'who' }, 'Người lập báo cáo'), el('div', { class: 'space' }))),
    el('div', { class: 'footer' }, 'Lập bằng wardwatch từ sổ vụ việc của đơn vị. Số liệu thống kê nội bộ, không phải văn bản chính thức.'));
  document.title = `Báo cáo ANTT — ${s.scope.name} — ${s.period.full_label}`;
  $('msg').textContent = `${s.scope.name} — ${s.period.full_label}`;
  sheet.dataset.ready = '1';
}

main().catch((e) => { $('msg').textContent = `Lỗi: ${e.message}`; });
