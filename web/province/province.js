// The province console: sign-in, stations' health, open alerts, cameras
// (dark first) and the statistics per ward beside the same period a year
// before.  It reads only the hub's GET /api/v1/province/* (and the
// session routes); every value goes in through textContent, never as HTML.
// The map, the criteria matrix with the review form, events search and the
// live view are their own modules (map.js, matrix.js, events.js, live.js);
// this file wires them in.
import { loadMap, clearMap } from './map.js';
import { initMatrix, loadMatrix, clearMatrix } from './matrix.js';
import { initEvents, wireEvents, searchEvents, clearEvents } from './events.js';
import { startLive, stopLive, wireLive } from './live.js';

import { showExport, clearExport } from './export.js';

const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const opt = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    opt.headers['Content-Type'] = 'application/json';
    opt.body = JSON.stringify(body);
  } else if (method !== 'GET') {
    opt.headers['X-Requested-With'] = 'wardwatch-province';
  }
  const r = await fetch(path, opt);
  let json = null;
  try { json = await r.json(); } catch { json = null; }
  return { status: r.status, json };
}

function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined || text === '' ? '—' : String(text);
  if (cls) td.className = cls;
  return td;
}

function fill(table, rows, cols, empty) {
  const tb = table.tBodies[0];
  tb.replaceChildren();
  if (!rows.length) {
    const tr = tb.insertRow();
    const td = cell(empty, 'empty');
    td.colSpan = cols;
    tr.append(td);
    return;
  }
  for (const cells of rows) {
    const tr = tb.insertRow();
    tr.append(...cells);
  }
}

const fmt = new Intl.DateTimeFormat('vi-VN', { dateStyle: 'short', timeStyle: 'medium' });
function when(v) {
  if (v === null || v === undefined) return '';
  const d = typeof v === 'number' ? new Date(v / 1000) : new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : fmt.format(d);
}

function lag(s) {
  if (s === null || s === undefined) return 'chưa liên lạc';
  if (s < 60) return `${s} giây`;
  if (s < 3600) return `${Math.round(s / 60)} phút`;
  return `${Math.round(s / 3600)} giờ`;
}

const STATE = { dark: 'Mất tín hiệu', online: 'Hoạt động', unknown: 'Chưa rõ' };
const REASON = { dark: 'Camera mất tín hiệu' };

async function loadStations() {
  const r = await api('GET', '/api/v1/province/stations');
  const list = r.json?.stations ?? [];
  fill($('stations'), list.map((s) => [
    cell(s.name), cell(s.id), cell(when(s.last_seen)), cell(lag(s.lag_s)),
    cell(s.backlog + (s.open_gaps ? ` (+${s.open_gaps} chờ bù)` : ''), 'num'),
    cell(`${s.online}/${s.cameras}`, 'num'),
    cell(s.dark, s.dark ? 'num state-dark' : 'num'),
  ]), 7, 'Chưa có trạm nào.');
}

// What the hub or the station answered when a picture could not be had,
// in the duty officer's words (the station's own message stays in title).
const SNAP_FAIL = {
  401: 'Phiên đăng nhập đã hết, vui lòng đăng nhập lại.',
  403: 'Trạm từ chối: chủ camera chưa đồng ý cho xem, hoặc vai trò này không được xem.',
  404: 'Trạm không có camera này, hoặc camera không thuộc phạm vi của bạn.',
  409: 'Trạm tham gia chưa khai báo địa chỉ (station join --url): cấp tỉnh chưa xem được video của trạm.',
  502: 'Không liên lạc được với trạm, hoặc câu trả lời không mang chữ ký của trạm.',
  503: 'Camera đang không phát hình.',
};

let snapUrl = null;
// One picture from the station that holds the camera, through the hub
// (the station checks the hub's signature, its consent rules, and audits it
// under this user's name): the video itself never comes to the hub.
async function showSnapshot(c, btn) {
  stopLive();
  const fig = $('snap'), img = $('snap-img');
  fig.hidden = false;
  $('snap-error').textContent = '';
  $('snap-error').title = '';
  $('snap-caption').textContent = `${c.name} · ${c.station_name ?? c.station} — đang lấy ảnh từ trạm…`;
  showExport(c);
  if (btn) btn.disabled = true;
  try {
    const path = `/api/v1/province/stations/${encodeURIComponent(c.station)}/forward/cameras/${encodeURIComponent(c.id)}/snapshot`;
    const r = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
    if (!r.ok) {
      let msg = '';
      try { msg = (await r.json())?.error?.message ?? ''; } catch { msg = ''; }
      img.hidden = true;
      $('snap-caption').textContent = `${c.name} · ${c.station_name ?? c.station}`;
      $('snap-error').textContent = SNAP_FAIL[r.status] ?? `Không lấy được ảnh (HTTP ${r.status}).`;
      $('snap-error').title = msg;
      return;
    }
    const blob = await r.blob();
    if (snapUrl) URL.revokeObjectURL(snapUrl);
    snapUrl = URL.createObjectURL(blob);
    img.src = snapUrl;
    img.alt = `Ảnh camera ${c.name}`;
    img.hidden = false;
    $('snap-caption').textContent = `${c.name} · ${c.station_name ?? c.station} · ${fmt.format(new Date())}`;
  } finally {
    if (btn) btn.disabled = false;
  }
}

// The picture panel belongs to the user who asked: cleared at sign-in and
// sign-out, so the next person at the screen never sees another's camera.
function clearSnapshot() {
  stopLive();
  $('snap').hidden = true;
  $('snap-img').hidden = true;
  $('snap-img').removeAttribute('src');
  $('snap-img').alt = '';
  $('snap-caption').textContent = '';
  $('snap-error').textContent = '';
  $('snap-error').title = '';
  if (snapUrl) URL.revokeObjectURL(snapUrl);
  snapUrl = null;
  clearExport();
}

function snapButton(c) {
  const td = document.createElement('td');
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'small';
  b.textContent = 'Xem ảnh';
  b.setAttribute('aria-label', `Xem ảnh camera ${c.name}`);
  b.dataset.camera = `${c.station}/${c.id}`;
  b.addEventListener('click', () => showSnapshot(c, b));
  const live = document.createElement('button');
  live.type = 'button';
  live.className = 'small';
  live.textContent = 'Trực tiếp';
  live.setAttribute('aria-label', `Xem trực tiếp camera ${c.name}`);
  live.dataset.live = `${c.station}/${c.id}`;
  live.addEventListener('click', () => startLive(c));
  td.append(b, ' ', live);
  return td;
}

async function loadCameras() {
  const r = await api('GET', '/api/v1/province/cameras');
  const list = r.json?.cameras ?? [];
  fill($('cameras'), list.map((c) => [
    cell(STATE[c.state] ?? c.state, `state-${c.state}`), cell(c.name), cell(c.station_name ?? c.station),
    cell(c.ward), cell(when(c.state_since_us ?? c.last_change)), snapButton(c),
  ]), 6, 'Chưa có camera nào.');
}

// The map and the events pickers read the same cameras (with coordinates).
async function loadViews() {
  const [st, cams] = await Promise.all([api('GET', '/api/v1/province/stations'), api('GET', '/api/v1/province/map')]);
  const list = cams.json?.cameras ?? [];
  await initEvents(st.json?.stations ?? [], list);
  await searchEvents();
  await loadMap(list, (c) => showSnapshot(c, null));
}

async function loadAlerts() {
  const r = await api('GET', '/api/v1/province/alerts');
  const list = r.json?.alerts ?? [];
  fill($('alerts'), list.map((a) => [
    cell(when(a.raised_us)), cell(a.station_name ?? a.station), cell(a.ward), cell(a.camera_name),
    cell(REASON[a.reason] ?? a.reason),
  ]), 5, 'Không có cảnh báo đang mở.');
}

// "+2 (tăng 100%)", "−1 (giảm 50%)", "bằng cùng kỳ".
function compare(cur, prev) {
  const d = cur - prev;
  if (d === 0) return ['bằng cùng kỳ', ''];
  const sign = d > 0 ? '+' : '−';
  const pct = prev ? ` (${d > 0 ? 'tăng' : 'giảm'} ${Math.round((Math.abs(d) * 100) / prev)}%)` : ' (cùng kỳ không có)';
  return [`${sign}${Math.abs(d)}${pct}`, d > 0 ? 'up' : 'down'];
}

function statRow(first, second, cur, prev) {
  const [txt, cls] = compare(cur, prev);
  return [cell(first), cell(second), cell(cur, 'num'), cell(prev, 'num'), cell(txt, `num ${cls}`)];
}

async function loadStats() {
  const from = $('from').value, to = $('to').value;
  $('stats-error').textContent = '';
  const r = await api('GET', `/api/v1/province/stats?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  if (r.status !== 200) {
    $('stats-error').textContent = r.status === 400 ? 'Khoảng ngày không hợp lệ: "Đến ngày" phải sau "Từ ngày".'
      : 'Không đọc được thống kê.';
    fill($('stats'), [], 5, '');
    $('stats').tFoot.replaceChildren();
    return;
  }
  const names = new Map((await api('GET', '/api/v1/province/stations')).json?.stations?.map((s) => [s.id, s.name]) ?? []);
  // by station name, then ward name, as a reader looks them up (the API orders by ids)
  const wards = r.json.wards.map((w) => [names.get(w.station) ?? w.station, w.ward_name ?? `Phường ${w.ward}`, w]);
  wards.sort((x, y) => x[0].localeCompare(y[0], 'vi') || x[1].localeCompare(y[1], 'vi'));
  fill($('stats'), wards.map(([st, ward, w]) => statRow(st, ward, w.cases, w.year_ago)), 5,
    'Không có vụ việc trong khoảng này.');
  const foot = $('stats').tFoot;
  foot.replaceChildren();
  const tr = foot.insertRow();
  tr.append(...statRow(r.json.station ? 'Cả trạm' : 'Toàn tỉnh', '', r.json.total.cases, r.json.total.year_ago));
}

// This quarter: [its first day, the next quarter's first day).
function quarter() {
  const now = new Date();
  const q = Math.floor(now.getMonth() / 3);
  const iso = (y, m) => `${y + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`;
  return [iso(now.getFullYear(), q * 3), iso(now.getFullYear(), q * 3 + 3)];
}

const ROLE = { admin: 'Quản trị cấp tỉnh', province: 'Cán bộ cấp tỉnh', officer: 'Cán bộ phường' };

async function showConsole(user) {
  $('signin').hidden = true;
  $('console').hidden = false;
  $('who').hidden = false;
  $('signout').hidden = false;
  $('who').textContent = `${user.display_name || user.username} · ${ROLE[user.role] ?? user.role}`;
  clearSnapshot();
  if (!$('from').value) [$('from').value, $('to').value] = quarter();
  await Promise.all([loadStations(), loadCameras(), loadAlerts(), loadStats(), loadMatrix(), loadViews()]);
  document.body.dataset.ready = '1';
}

function showSignin() {
  clearSnapshot();
  clearMatrix();
  clearEvents();
  clearMap();
  $('console').hidden = true;
  $('who').hidden = true;
  $('signout').hidden = true;
  $('signin').hidden = false;
  delete document.body.dataset.ready;
  $('username').focus();
}

$('signin').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('signin-error').textContent = '';
  const r = await api('POST', '/api/v1/session', { username: $('username').value, password: $('password').value });
  $('password').value = '';
  if (r.status === 200) {
    const me = await api('GET', '/api/v1/session');
    await showConsole(me.json.user);
  } else {
    $('signin-error').textContent = r.status === 429 ? 'Thử quá nhiều lần, vui lòng đợi một lát.'
      : 'Sai tên đăng nhập hoặc mật khẩu.';
  }
});

$('signout').addEventListener('click', async () => {
  await api('DELETE', '/api/v1/session');
  showSignin();
});

$('stats-form').addEventListener('submit', (e) => { e.preventDefault(); loadStats(); });
initMatrix();
wireEvents();
wireLive();

const me = await api('GET', '/api/v1/session');
if (me.status === 200 && me.json?.user) await showConsole(me.json.user); else showSignin();
