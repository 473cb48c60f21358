// The criteria matrix across stations (GET /api/v1/province/criteria?year=)
// and the province's review of one ward's year (POST
// /api/v1/province/reviews?station=), which the hub signs and sends to the
// station that holds the ward; the station applies it and the assessment
// comes back through the outbox, so the matrix shows it once it took.
//
// Cells read as the station console's matrix does (web/pages/criteria.js):
// only the province's review makes a criterion met (✓ green) or not met
// (✗ red); in progress is amber; a self-assessment alone is "TĐ" on a
// hollow amber cell whatever the ward said; nothing yet is grey.
import { $, api, el, cell } from './util.js';

const RESULT = { met: 'Đạt', not_met: 'Chưa đạt', in_progress: 'Đang thực hiện' };
const SIDE = { self: 'Phường tự đánh giá', review: 'Tỉnh thẩm định' };
const LEGEND = [
  ['met', '✓', 'Đạt (tỉnh thẩm định)'], ['not_met', '✗', 'Chưa đạt'], ['in_progress', '…', 'Đang thực hiện'],
  ['self', 'TĐ', 'Mới tự đánh giá — tỉnh chưa thẩm định, không tính là đạt'], ['none', '', 'Chưa đánh giá'],
];

let current = null;   // the last matrix answer, for the review form
let session = 0;      // bumped at sign-out: a look-again timer of the last user does nothing

function state(k) {
  if (k?.review) return k.review.result;
  return k?.self ? 'self' : 'none';
}

function cellTitle(w, c, k) {
  const s = (side) => (k?.[side] ? `${RESULT[k[side].result] ?? k[side].result} (${k[side].assessed_on ?? ''}, ${k[side].assessor ?? ''})` : '—');
  return `${w.ward ?? w.ward_id} — Tiêu chí ${c.num}${c.title ? `: ${c.title}` : ''}\n${SIDE.self}: ${s('self')}\n${SIDE.review}: ${s('review')}`
    + (k?.review?.notes ? `\nGhi chú: ${k.review.notes}` : '');
}

function legend() {
  const box = $('matrix-legend');
  box.replaceChildren(...LEGEND.map(([cls, mark, text]) =>
    el('span', {}, el('i', { class: `cr cr-${cls}`, text: mark, 'aria-hidden': 'true' }), ` ${text}`)));
}

function render(m) {
  const table = $('matrix');
  const head = table.tHead.rows[0];
  head.replaceChildren(el('th', { scope: 'col', text: 'Trạm' }), el('th', { scope: 'col', text: 'Phường' }),
    ...m.criteria.map((c) => el('th', { scope: 'col', class: 'crit', title: c.title ?? '', text: String(c.num) })),
    el('th', { scope: 'col', class: 'num', text: 'Tiêu chí đạt', title: 'Số tiêu chí tỉnh đã thẩm định là đạt' }),
    el('th', { scope: 'col', text: '' }));
  const tb = table.tBodies[0];
  tb.replaceChildren();
  if (!m.wards.length) {
    const tr = tb.insertRow();
    const td = cell('Chưa có phường nào.', 'empty');
    td.colSpan = m.criteria.length + 4;
    tr.append(td);
  }
  // by station name, then ward name, as a reader looks them up (PostgreSQL's
  // collation may not be Vietnamese: "Đ" would sort after "T")
  const name = (w) => [w.station_name ?? w.station, w.ward ?? ''];
  const wards = [...m.wards].sort((x, y) => name(x)[0].localeCompare(name(y)[0], 'vi') || name(x)[1].localeCompare(name(y)[1], 'vi'));
  for (const w of wards) {
    const tr = tb.insertRow();
    tr.dataset.station = w.station;
    tr.dataset.ward = w.ward_id;
    tr.append(cell(w.station_name ?? w.station), cell(w.ward ?? `Phường ${w.ward_id}`));
    let met = 0;
    for (const c of m.criteria) {
      const k = w.cells[String(c.num)];
      const s = state(k);
      if (s === 'met') met += 1;
      const td = el('td', { class: `cr cr-${s}`, title: cellTitle(w, c, k), 'data-criterion': c.num, 'data-cell': s,
        text: { met: '✓', not_met: '✗', in_progress: '…', self: 'TĐ', none: '' }[s] });
      td.setAttribute('aria-label', cellTitle(w, c, k).replace(/\n/g, ' · '));
      tr.append(td);
    }
    // the count of reviewed-met only: the columns are the criteria seen in
    // any ward's assessments, not this ward's set, so no "of n" is claimed
    tr.append(cell(String(met), 'num'));
    const act = el('td');
    if (m.can_review) {
      act.append(el('button', { type: 'button', class: 'small', 'data-review': `${w.station}/${w.ward_id}`,
        'aria-label': `Thẩm định ${w.ward ?? w.ward_id}`, text: 'Thẩm định', onclick: () => openForm(w) }));
    }
    tr.append(act);
  }
  $('matrix-note').textContent = [
    m.criteria.length ? '' : `Chưa có kết quả đánh giá tiêu chí nào của năm ${m.year}.`,
    m.unnumbered ? `${m.unnumbered} kết quả đánh giá từ trạm chưa nâng cấp (chưa có số tiêu chí) chưa hiện trong bảng.` : '',
  ].filter(Boolean).join(' ');
}

export async function loadMatrix() {
  const year = Number($('matrix-year').value) || new Date().getFullYear();
  $('matrix-error').textContent = '';
  const r = await api('GET', `/api/v1/province/criteria?year=${year}`);
  if (r.status !== 200) {
    $('matrix-error').textContent = 'Không đọc được bảng tiêu chí.';
    return;
  }
  current = r.json;
  legend();
  render(r.json);
}

// The review form of one ward: a result per criterion (none chosen by
// default: the reviewer says each one), a note, the date of the review.
function openForm(w) {
  const form = $('review-form');
  form.hidden = false;
  form.dataset.station = w.station;
  form.dataset.ward = w.ward_id;
  $('review-title').textContent = `Thẩm định: ${w.ward ?? w.ward_id} · ${w.station_name ?? w.station} · năm ${current.year}`;
  $('review-status').textContent = '';
  $('review-error').textContent = '';
  const list = $('review-rows');
  list.replaceChildren();
  for (const c of current.criteria) {
    const k = w.cells[String(c.num)];
    const id = `rv-${c.num}`;
    const sel = el('select', { id, name: id, 'data-criterion': c.num, onchange: () => { $('review-error').textContent = ''; } },
      el('option', { value: '', text: '— Không đổi —' }),
      ...Object.entries(RESULT).map(([v, t]) => el('option', { value: v, text: t })));
    const now = [k?.self ? `TĐ: ${RESULT[k.self.result] ?? k.self.result}` : null,
      k?.review ? `Tỉnh: ${RESULT[k.review.result] ?? k.review.result}` : null].filter(Boolean).join(' · ');
    list.append(el('div', { class: 'rv-row' },
      el('label', { for: id, text: `Tiêu chí ${c.num}${c.title ? ` — ${c.title}` : ''}` }), sel,
      el('span', { class: 'muted', text: now || 'Chưa đánh giá' })));
  }
  // a criterion no ward has assessed yet has no column: named by its number
  const other = el('select', { id: 'rv-other', name: 'rv-other', 'aria-label': 'Kết quả của tiêu chí khác', onchange: () => { $('review-error').textContent = ''; } },
    el('option', { value: '', text: '— Không đổi —' }),
    ...Object.entries(RESULT).map(([v, t]) => el('option', { value: v, text: t })));
  list.append(el('div', { class: 'rv-row' },
    el('label', { for: 'rv-other-num', text: 'Tiêu chí khác, số' }),
    el('span', { class: 'row' }, el('input', { id: 'rv-other-num', type: 'number', min: 1, max: 1000, inputmode: 'numeric',
      'aria-label': 'Số của tiêu chí khác' }), other),
    el('span', { class: 'muted', text: 'Chưa có trong bảng' })));
  $('review-notes').value = '';
  $('review-date').value = new Date().toISOString().slice(0, 10);
  form.scrollIntoView({ block: 'nearest' });
  list.querySelector('select')?.focus();
}

async function submitReview(e) {
  e.preventDefault();
  const form = $('review-form');
  const results = [...$('review-rows').querySelectorAll('select[data-criterion]')].filter((s) => s.value)
    .map((s) => ({ criterion: Number(s.dataset.criterion), result: s.value }));
  $('review-error').textContent = '';
  const num = Number($('rv-other-num').value);
  if ($('rv-other').value || $('rv-other-num').value) {
    if (!Number.isInteger(num) || num < 1 || num > 1000 || !$('rv-other').value) {
      $('review-error').textContent = 'Tiêu chí khác: ghi số tiêu chí (1–1000) và chọn kết quả.';
      return;
    }
    if (results.some((r) => r.criterion === num)) {
      $('review-error').textContent = `Tiêu chí ${num} đã có trong bảng: chọn kết quả ở dòng của nó.`;
      return;
    }
    results.push({ criterion: num, result: $('rv-other').value });
  }
  if (!results.length) {
    $('review-error').textContent = 'Chọn kết quả cho ít nhất một tiêu chí.';
    return;
  }
  const body = { ward_id: Number(form.dataset.ward), year: current.year, results };
  if ($('review-notes').value.trim()) body.notes = $('review-notes').value.trim();
  if ($('review-date').value) body.assessed_on = $('review-date').value;
  const btn = form.querySelector('button[type=submit]');
  btn.disabled = true;
  try {
    const r = await api('POST', `/api/v1/province/reviews?station=${encodeURIComponent(form.dataset.station)}`, body);
    if (r.status !== 202) {
      $('review-error').textContent = r.status === 403 ? 'Vai trò này không được thẩm định.'
        : r.status === 400 ? `Dữ liệu chưa hợp lệ: ${r.json?.error?.message ?? ''}`
          : `Không gửi được (HTTP ${r.status}): ${r.json?.error?.message ?? ''}`;
      return;
    }
    $('review-status').textContent = `Đã gửi ${r.json.sent.length} kết quả thẩm định tới trạm; bảng cập nhật khi trạm áp dụng.`;
    // the station applies it and its outbox brings it back: look again shortly
    const mine = session;
    for (const ms of [1500, 4000]) setTimeout(() => { if (session === mine) loadMatrix(); }, ms);
  } finally {
    btn.disabled = false;
  }
}

export function clearMatrix() {
  session += 1;
  current = null;
  $('review-form').hidden = true;
  $('matrix').tBodies[0].replaceChildren();
  $('matrix-note').textContent = '';
}

export function initMatrix() {
  if (!$('matrix-year').value) $('matrix-year').value = String(new Date().getFullYear());
  $('matrix-form').addEventListener('submit', (e) => { e.preventDefault(); loadMatrix(); });
  $('review-form').addEventListener('submit', submitReview);
  $('review-cancel').addEventListener('click', () => { $('review-form').hidden = true; });
}

