// Events search across wards (GET /api/v1/province/events): motion events
// replicated from every visible station, newest first, a page at a time
// ("Xem thêm" follows the answer's `next`).  Thumbnails never reach the
// hub: each is fetched from the station that holds it through the forward
// route, only when its row scrolls into view (IntersectionObserver), so a
// page of 50 rows does not ask 50 stations for pictures nobody looks at.
import { $, api, el, cell, when, FORWARD_FAIL, forwardPath } from './util.js';

let next = null;
let urls = [];          // object URLs of the thumbnails shown, revoked on a new search
let seen = null;        // the IntersectionObserver of this search
let query = '';

// A YYYY-MM-DD of the date inputs as the hub reads it: the start of that
// day in this browser's time zone, as epoch seconds.
function daySeconds(v, plusDays = 0) {
  if (!v) return null;
  const [y, m, d] = v.split('-').map(Number);
  return Math.floor(new Date(y, m - 1, d + plusDays).getTime() / 1000);
}

async function thumb(img, ev) {
  const box = img.parentElement;
  try {
    const r = await fetch(forwardPath(ev.station, `events/${encodeURIComponent(ev.id)}/thumbnail`),
      { credentials: 'same-origin', cache: 'no-store' });
    if (!r.ok) {
      img.remove();
      box.append(el('span', { class: 'error small-text', text: FORWARD_FAIL[r.status] ?? `Không lấy được ảnh (HTTP ${r.status}).` }));
      return;
    }
    const u = URL.createObjectURL(await r.blob());
    urls.push(u);
    img.src = u;
    img.dataset.loaded = '1';
  } catch {
    img.remove();
    box.append(el('span', { class: 'error small-text', text: 'Không liên lạc được với máy chủ tỉnh.' }));
  }
}

function row(ev) {
  const img = el('img', { class: 'ev-thumb', alt: `Ảnh sự kiện ${ev.camera_name ?? ev.camera_id} lúc ${when(ev.start_us)}`,
    width: 160, height: 90 });
  const td = el('td', { class: 'ev-thumb-cell' }, img);
  img.dataset.station = ev.station;
  img.dataset.event = ev.id;
  img._ev = ev;
  seen.observe(img);
  const score = typeof ev.peak_score === 'number' ? `${Math.round(ev.peak_score * 100)}%` : '';
  const tr = el('tr', { 'data-event': `${ev.station}/${ev.id}` }, cell(when(ev.start_us)), cell(ev.station_name ?? ev.station),
    cell(ev.ward), cell(ev.camera_name ?? `Camera ${ev.camera_id}`), cell(ev.zone), cell(score, 'num'), td);
  return tr;
}

async function page(append) {
  $('events-error').textContent = '';
  const r = await api('GET', `/api/v1/province/events?${query}${append && next ? `&before=${encodeURIComponent(next)}` : ''}`);
  const tb = $('events').tBodies[0];
  if (r.status !== 200) {
    $('events-error').textContent = r.status === 400 ? `Điều kiện tìm chưa hợp lệ: ${r.json?.error?.message ?? ''}`
      : 'Không tìm được sự kiện.';
    return;
  }
  if (!append) tb.replaceChildren();
  for (const ev of r.json.events) tb.append(row(ev));
  if (!tb.rows.length) {
    const td = cell('Không có sự kiện nào khớp.', 'empty');
    td.colSpan = 7;
    tb.append(el('tr', {}, td));
  }
  next = r.json.next;
  $('events-more').hidden = !next;
  $('events-count').textContent = `${tb.querySelectorAll('tr[data-event]').length} sự kiện${next ? ' (còn nữa)' : ''}`;
}

export function clearEvents() {
  if (seen) seen.disconnect();
  for (const u of urls) URL.revokeObjectURL(u);
  urls = [];
  next = null;
  $('events').tBodies[0].replaceChildren();
  $('events-more').hidden = true;
  $('events-count').textContent = '';
}

export async function searchEvents() {
  clearEvents();
  seen = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      seen.unobserve(e.target);
      thumb(e.target, e.target._ev);
    }
  }, { rootMargin: '200px' });
  const p = new URLSearchParams({ kind: 'motion', limit: '50' });
  const from = daySeconds($('ev-from').value), to = daySeconds($('ev-to').value, 1);
  if (from !== null) p.set('from', String(from));
  if (to !== null) p.set('to', String(to));
  if ($('ev-station').value) p.set('station', $('ev-station').value);
  if ($('ev-camera').value) p.set('camera', $('ev-camera').value);
  query = p.toString();
  await page(false);
}

// The station and camera pickers, from the stations and cameras the user may see.
export async function initEvents(stations, cameras) {
  const st = $('ev-station');
  st.replaceChildren(el('option', { value: '', text: 'Tất cả trạm' }),
    ...stations.map((s) => el('option', { value: s.id, text: s.name })));
  const fillCams = () => {
    const mine = cameras.filter((c) => c.station === st.value);
    $('ev-camera').replaceChildren(el('option', { value: '', text: 'Tất cả camera' }),
      ...mine.map((c) => el('option', { value: c.id, text: c.name ?? `Camera ${c.id}` })));
    $('ev-camera').disabled = !st.value;
  };
  st.onchange = fillCams;
  fillCams();
}

export function wireEvents() {
  $('events-form').addEventListener('submit', (e) => { e.preventDefault(); searchEvents(); });
  $('events-more').addEventListener('click', () => page(true));
}
