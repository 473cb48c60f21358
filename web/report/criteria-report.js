// The printable programme report (/report/criteria.html?year=2025): the
// wards × criteria matrix for a year, the summary ("x/y phường đạt n/n"),
// the criteria most often unmet and each ward's result with its
// recognition decision.  Vietnamese, A4, made for printing; reads
// /api/v1/criteria/matrix with the signed-in session.
import { viDate } from './ward-ui.js';

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) e.setAttribute(k, v);
  for (const k of kids.flat()) if (k != null) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
}

async function main() {
  const q = new URLSearchParams(location.search);
  $('print').onclick = () => window.print();
  const r = await fetch(`/api/v1/criteria/matrix?${q}`, { credentials: 'same-origin' });
  if (!r.ok) { const e = await r.json().catch(() => ({})); $('msg').textContent = (e.error && e.error.message) || `Lỗi ${r.status}`; return; }
  const m = await r.json();
  const sheet = $('sheet');
  const mark = { met: 'Đ', not_met: 'X', pending: '', self: 'TĐ' };
  sheet.append(
    el('div', { class: 'letterhead' },
      el('div', { class: 'body' }, el('b', {}, 'Công an tỉnh'), el('div', { class: 'rule' })),
      el('div', { class: 'motto' }, el('b', {}, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'), el('b', {}, 'Độc lập – Tự do – Hạnh phúc'), el('div', { class: 'rule' }))),
    el('h1', {}, 'Báo cáo kết quả', el('br'), `xây dựng Công an phường điển hình, kiểu mẫu năm ${m.year}`));
  if (!m.set) {
    sheet.append(el('p', {}, `Chưa có phường nào đăng ký năm ${m.year}.`));
    sheet.dataset.ready = '1';
    $('msg').textContent = String(m.year);
    return;
  }
  sheet.append(
    el('div', { class: 'sub' }, `${m.set.name} (phiên bản ${m.set.version})`),
    el('h2', {}, 'I. Kết quả chung'),
    el('p', {}, `${m.summary.text}. `, m.summary.spread.map((s) => `${s.wards} phường đạt ${s.met}/${m.criteria.length}`).join('; '), '.'),
    m.most_unmet.length ? el('p', {}, 'Tiêu chí chưa đạt nhiều nhất: ',
      m.most_unmet.map((c) => `tiêu chí ${c.num} (${c.title}): ${c.wards_not_met} phường`).join('; '), '.') : null,
    el('h2', {}, 'II. Kết quả từng phường'),
    el('table', { class: 'matrix', id: 'report-matrix' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Phường'), m.criteria.map((c) => el('th', { class: 'c' }, c.num)), el('th', {}, 'Đạt'), el('th', {}, 'Tự đánh giá'))),
      el('tbody', {}, m.wards.map((w) => el('tr', {}, el('td', {}, w.ward),
        w.cells.map((c) => el('td', { class: `c ${c.cell}` }, mark[c.cell])), el('td', { class: 'num' }, `${w.met}/${w.n_criteria}`),
        el('td', { class: 'num' }, String(w.self_assessed)))))),
    el('div', { class: 'note' }, 'Đ: đạt; X: chưa đạt (theo thẩm định của Công an tỉnh); TĐ: phường mới tự đánh giá, tỉnh chưa thẩm định — không tính là đạt; ô trống: chưa đánh giá. '
      + (m.summary.self_assessed ? `${m.summary.self_text}.` : '')),
    el('h2', {}, 'III. Quyết định công nhận'),
    el('table', {},
      el('thead', {}, el('tr', {}, ['Phường', 'Số quyết định', 'Ngày'].map((x) => el('th', {}, x)))),
      el('tbody', {}, m.wards.filter((w) => w.recognition).map((w) => el('tr', {}, el('td', {}, w.ward),
        el('td', {}, w.recognition.decision_no), el('td', {}, viDate(w.recognition.decision_date)))))),
    el('h2', {}, 'IV. Danh mục tiêu chí'),
    el('table', {}, el('tbody', {}, m.criteria.map((c) => el('tr', {}, el('td', { class: 'num' }, c.num), el('td', {}, c.title))))),
    el('div', { class: 'note' }, m.set.note || ''),
    el('div', { class: 'footer' }, 'Lập bằng wardwatch. Số liệu nội bộ, không phải văn bản chính thức.'));
  document.title = `Tiêu chí ${m.year}`;
  $('msg').textContent = `Năm ${m.year}`;
  sheet.dataset.ready = '1';
}

main().catch((e) => { $('msg').textContent = `Lỗi: ${e.message}`; });
