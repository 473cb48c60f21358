// The chain-of-custody print view (/report/custody.html?incident=ID):
// Vietnamese, A4, the same content as the PDF (/api/v1/incidents/{id}/
// custody.pdf).  Reads the case file (/api/v1/incidents/{id}/evidence) with
// the signed-in session; nothing is decided here but layout: which items
// belong and which audit rows are about them is the server's.  When drawn
// the sheet gets data-ready="1" (the browser test waits for it).
import { el } from './ward-ui.js';

const $ = (id) => document.getElementById(id);

const ACTION_VI = {
  export: 'Tạo bản xuất', export_download: 'Tải xuống', export_verify: 'Xác minh chữ ký', hold_add: 'Đặt lệnh giữ',
  hold_release: 'Gỡ lệnh giữ', bundle_download: 'Tải gói chứng cứ', download_done: 'Tải xong', incident_note: 'Ghi chú', bundle_verify: 'Xác minh gói',
};

function title(it, n) {
  const span = `${it.from || '—'} đến ${it.to || '—'}`;
  if (it.kind === 'hold') return `${n}. Lệnh giữ video #${it.id} — camera ${it.camera_id}, ${span}`;
  if (it.kind === 'export') return `${n}. Bản xuất video #${it.id} — camera ${it.camera_id}, ${span}`;
  if (it.kind === 'note') return `${n}. Ghi chú #${it.id} — ${it.created_by || '—'}, ${it.created || '—'}: ${it.text}`;
  return `${n}. Gói chứng cứ #${it.id} — ${it.folder || ''}, ${span}`;
}

function custody(rows) {
  if (!rows || !rows.length) return el('p', { class: 'note' }, 'Không có bản ghi nhật ký nào về mục này.');
  return el('table', { class: 'custody' },
    el('thead', {}, el('tr', {}, ['Bản ghi', 'Thời điểm', 'Người', 'Hành động', 'Chi tiết'].map((x) => el('th', {}, x)))),
    el('tbody', {}, rows.map((r) => el('tr', { 'data-audit-id': String(r.id) },
      el('td', { class: 'num' }, `#${r.id}`), el('td', {}, r.at || ''), el('td', {}, r.user || '—'),
      el('td', {}, ACTION_VI[r.action] ? `${ACTION_VI[r.action]} (${r.action})` : r.action),
      el('td', { class: 'detail' }, r.detail == null ? '' : JSON.stringify(r.detail))))));
}

function chainLine(c) {
  return c.ok
    ? el('p', { id: 'chain', class: 'chain ok' }, 'Kiểm tra chuỗi nhật ký (băm nối tiếp): ', el('b', {}, 'HỢP LỆ'),
      ` — ${c.rows} bản ghi đã kiểm tra, không bản ghi nào bị sửa, xóa hay chèn.`)
    : el('p', { id: 'chain', class: 'chain bad' }, 'Kiểm tra chuỗi nhật ký (băm nối tiếp): ', el('b', {}, 'KHÔNG HỢP LỆ'),
      ` — bản ghi #${c.bad_row}: ${c.why}. Các bản ghi dưới đây không đáng tin cậy.`);
}

async function main() {
  const id = new URLSearchParams(location.search).get('incident');
  $('print').onclick = () => window.print();
  if (!/^\d+$/.test(id || '')) { $('msg').textContent = 'Thiếu số vụ việc (?incident=…).'; return; }
  $('pdf').href = `/api/v1/incidents/${id}/custody.pdf`;
  const r = await fetch(`/api/v1/incidents/${id}/evidence`, { credentials: 'same-origin' });
  if (r.status === 401) { $('msg').textContent = 'Phiên đăng nhập đã hết: hãy đăng nhập lại ở cửa sổ chính.'; return; }
  if (!r.ok) { const e = await r.json().catch(() => ({})); $('msg').textContent = (e.error && e.error.message) || `Lỗi ${r.status}`; return; }
  const cf = await r.json();
  const inc = cf.incident;
  const sheet = $('sheet');
  sheet.append(
    el('h1', {}, 'Báo cáo chuỗi lưu giữ chứng cứ'),
    el('div', { class: 'sub' }, `Vụ việc số ${inc.id} — xảy ra lúc ${inc.occurred || '—'}`, el('br'),
      inc.summary || '', inc.address ? ` — ${inc.address}` : ''),
    chainLine(cf.chain),
    ...cf.items.map((it, i) => el('section', { class: 'item', 'data-kind': it.kind, 'data-id': String(it.id) },
      el('h2', {}, title(it, i + 1)),
      el('p', { class: 'meta' }, `SHA-256: ${it.sha256 || '— (lệnh giữ không có tệp)'}`, el('br'),
        `Người tạo: ${it.created_by || '—'}, lúc ${it.created || '—'}`, it.reason ? el('br') : null,
        it.reason ? `Lý do: ${it.reason}` : null),
      custody(it.custody))),
    el('h2', {}, 'Sự kiện chuyển động'),
    el('p', {}, `Sự kiện chuyển động của các camera của vụ việc trong vòng một giờ quanh thời điểm xảy ra: ${cf.events.length}.`),
    el('div', { class: 'footer' }, 'Lập bằng wardwatch từ nhật ký kiểm toán của trạm.'));
  $('msg').textContent = '';
  sheet.dataset.ready = '1';
}

main().catch((e) => { $('msg').textContent = `Lỗi: ${e.message || e}`; });
