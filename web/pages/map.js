// Map (#/map): the ward's community cameras by their coordinates, coloured
// by state (online / dark / error / switched off), with a wedge for the
// viewing direction, and each ward drawn as the outline around its cameras.
// Tiles come from the station's setting (PUT /api/v1/map/settings); with
// none — the usual case on a closed network — the map is a clean plot on
// plain coordinates (a light grid and a scale), nothing from the internet.
//
// Clicking a camera opens its card: state, the owner's consent, an open
// alert, the owner to call; for those who manage it: probe the connection
// (with the still), switch it on, and the consent register (record /
// withdraw).  Clicking elsewhere offers "what was seen here" (#/search).
// The table under the map lists the same cameras with their consent.
import * as L from 'leaflet';
import { placeSearch, placeStrings } from '../lib/places.js';
import { reasonText, probeText } from '../lib/errors.js';
import { modalKeys } from '../lib/ui.js';

const REFRESH_MS = 10000;
export const STATE_COLOURS = { online: '#16a34a', connecting: '#d97706', offline: '#dc2626', error: '#dc2626', disabled: '#94a3b8' };

export const mapStrings = {
  vi: {
    'map.title': 'Bản đồ camera',
    'map.legend.online': 'Hoạt động',
    'map.legend.dark': 'Mất tín hiệu / lỗi',
    'map.legend.connecting': 'Đang kết nối',
    'map.legend.disabled': 'Tạm dừng',
    'map.no_tiles': 'Không có nền bản đồ (mạng nội bộ): camera được vẽ theo tọa độ.',
    'map.tiles': 'Nền bản đồ',
    'map.tile_url': 'Địa chỉ ô bản đồ ({z}/{x}/{y})',
    'map.tile_help': 'Để trống: không tải nền bản đồ (dùng khi không có Internet).',
    'map.attribution': 'Ghi nguồn bản đồ',
    'map.ward': 'Phường',
    'map.all_wards': 'Tất cả',
    'map.no_position': '{n} camera chưa có tọa độ',
    'map.count': '{n} camera trên bản đồ',
    'map.col.camera': 'Camera',
    'map.col.state': 'Trạng thái',
    'map.col.consent': 'Đồng ý của chủ camera',
    'map.col.alert': 'Cảnh báo',
    'map.col.probe': 'Kiểm tra kết nối',
    'map.state.online': 'Hoạt động',
    'map.state.connecting': 'Đang kết nối',
    'map.state.offline': 'Mất tín hiệu',
    'map.state.error': 'Lỗi',
    'map.state.disabled': 'Tạm dừng',
    'map.consent.none': 'Camera của trạm (toàn quyền)',
    'map.consent.audio_on': 'Âm thanh: đang ghi (cần sự đồng ý của chủ camera và phường)',
    'map.consent.audio_off': 'Âm thanh: không ghi (mặc định)',
    'map.consent.live': 'Xem trực tiếp',
    'map.consent.record': 'Ghi hình',
    'map.consent.export': 'Trích xuất',
    'map.consent.playback': 'Xem lại',
    'map.consent.nothing': 'Không có sự đồng ý đang hiệu lực',
    'map.consent.until': 'đến {t}',
    'map.dark_for': 'Mất tín hiệu {d}',
    'map.owner': 'Chủ camera',
    'map.live': 'Xem trực tiếp',
    'map.playback': 'Xem lại',
    'map.search_here': 'Đã thấy gì ở đây?',
    'map.probe': 'Kiểm tra kết nối',
    'map.probing': 'Đang kết nối tới camera…',
    'map.probe_ok': 'Kết nối tốt: {codec} {w}×{h}, {ms} ms',
    'map.probe_never': 'Chưa kiểm tra',
    'map.probe_failed': 'Lỗi: {m}',
    'map.activate': 'Kích hoạt ghi hình',
    'map.activated': 'Đã kích hoạt camera',
    'map.consents': 'Sổ đồng ý',
    'map.consent.record_new': 'Ghi nhận sự đồng ý',
    'map.consent.from': 'Từ (để trống: ngay bây giờ)',
    'map.consent.until_f': 'Đến (để trống: đến khi rút lại)',
    'map.consent.col_from': 'Từ',
    'map.consent.col_until': 'Đến',
    'map.consent.note': 'Ghi chú',
    'map.consent.withdraw': 'Rút lại',
    'map.consent.withdraw_q': 'Rút lại sự đồng ý này? Từ bây giờ nó không còn hiệu lực.',
    'map.consent.status.in_force': 'Đang hiệu lực',
    'map.consent.status.future': 'Sắp hiệu lực',
    'map.consent.status.ended': 'Hết hạn',
    'map.consent.status.withdrawn': 'Đã rút lại',
    'map.consent.status.void': 'Đã hủy',
    'map.consent.by': 'Người ghi nhận',
    'map.consent.empty': 'Chưa có sự đồng ý nào: camera của trạm, toàn quyền.',
    'map.click_here': 'Tìm camera đã ghi hình quanh điểm này',
  },
  en: {
    'map.title': 'Camera map',
    'map.legend.online': 'Online',
    'map.legend.dark': 'Dark / error',
    'map.legend.connecting': 'Connecting',
    'map.legend.disabled': 'Switched off',
    'map.no_tiles': 'No map tiles (closed network): cameras are plotted by their coordinates.',
    'map.tiles': 'Map tiles',
    'map.tile_url': 'Tile URL ({z}/{x}/{y})',
    'map.tile_help': 'Empty: no map tiles are loaded (for stations without internet).',
    'map.attribution': 'Map attribution',
    'map.ward': 'Ward',
    'map.all_wards': 'All',
    'map.no_position': '{n} cameras have no coordinates',
    'map.count': '{n} cameras on the map',
    'map.col.camera': 'Camera',
    'map.col.state': 'State',
    'map.col.consent': "Owner's consent",
    'map.col.alert': 'Alert',
    'map.col.probe': 'Connection probe',
    'map.state.online': 'Online',
    'map.state.connecting': 'Connecting',
    'map.state.offline': 'Offline',
    'map.state.error': 'Error',
    'map.state.disabled': 'Switched off',
    'map.consent.none': "Station's camera (full rights)",
    'map.consent.audio_on': "Sound: recorded (needs the camera owner's and the ward's agreement)",
    'map.consent.audio_off': 'Sound: not recorded (the default)',
    'map.consent.live': 'Live',
    'map.consent.record': 'Recording',
    'map.consent.export': 'Export',
    'map.consent.playback': 'Playback',
    'map.consent.nothing': 'No agreement in force',
    'map.consent.until': 'until {t}',
    'map.dark_for': 'Dark for {d}',
    'map.owner': 'Owner',
    'map.live': 'Live',
    'map.playback': 'Playback',
    'map.search_here': 'What was seen here?',
    'map.probe': 'Probe connection',
    'map.probing': 'Connecting to the camera…',
    'map.probe_ok': 'Connected: {codec} {w}×{h}, {ms} ms',
    'map.probe_never': 'Not probed yet',
    'map.probe_failed': 'Failed: {m}',
    'map.activate': 'Switch on recording',
    'map.activated': 'Camera switched on',
    'map.consents': 'Consent register',
    'map.consent.record_new': 'Record an agreement',
    'map.consent.from': 'From (empty: now)',
    'map.consent.until_f': 'Until (empty: until withdrawn)',
    'map.consent.col_from': 'From',
    'map.consent.col_until': 'Until',
    'map.consent.note': 'Note',
    'map.consent.withdraw': 'Withdraw',
    'map.consent.withdraw_q': 'Withdraw this agreement? It stops granting anything from now.',
    'map.consent.status.in_force': 'In force',
    'map.consent.status.future': 'Starts later',
    'map.consent.status.ended': 'Ended',
    'map.consent.status.withdrawn': 'Withdrawn',
    'map.consent.status.void': 'Void',
    'map.consent.by': 'Recorded by',
    'map.consent.empty': "No agreement yet: the station's own camera, full rights.",
    'map.click_here': 'Find cameras that recorded around this point',
  },
};

// ---- shared with search.js -------------------------------------------------

// Leaflet puts a string given to bindTooltip/bindPopup/setContent (and the
// attribution) into innerHTML.  Names, addresses and the like come from
// users, so they are handed over as a node built fresh on every update —
// never as a string.
export function asText(s) {
  return () => { const span = document.createElement('span'); span.textContent = s == null ? '' : String(s); return span; };
}

// For the one Leaflet API that takes only HTML (the attribution): the
// text, escaped.
export function escapeHtml(s) {
  const d = document.createElement('div');
  d.textContent = s == null ? '' : String(s);
  return d.innerHTML;
}

export function ensureLeafletCss() {
  if (document.querySelector('link[data-leaflet]')) return;
  const l = document.createElement('link');
  l.rel = 'stylesheet';
  l.href = '/vendor/leaflet/dist/leaflet.css';
  l.setAttribute('data-leaflet', '1');
  document.head.append(l);
}

// A Leaflet map in el: the configured tiles, or none (a grid drawn by CSS).
export async function makeMap(el, api) {
  ensureLeafletCss();
  let settings = { tile_url: null, attribution: null };
  try { settings = await api.get('/api/v1/map/settings'); } catch { /* no tiles */ }
  el.style.position = 'relative';
  el.style.zIndex = '0';          // Leaflet's panes (z 400-1000) stay under the console's modals
  // No tile server configured: the station's own MBTiles file, if it was given one.
  if (!settings.tile_url) {
    try {
      const off = await api.get('/api/v1/map/offline');
      if (off.available) {
        settings = { ...settings, tile_url: off.tile_url, attribution: off.attribution, offline: off };
      }
    } catch { /* no offline map */ }
  }
  const map = L.map(el, { zoomControl: true, attributionControl: !!settings.tile_url, preferCanvas: false });
  if (settings.offline) {
    // Past the file's deepest zoom Leaflet enlarges its tiles instead of asking for missing ones.
    L.tileLayer(settings.tile_url, { minZoom: settings.offline.minzoom, maxNativeZoom: settings.offline.maxzoom, maxZoom: 20,
      attribution: escapeHtml(settings.attribution || '') }).addTo(map);
    el.dataset.tiles = 'offline';
  } else if (settings.tile_url) {
    L.tileLayer(settings.tile_url, { maxZoom: 20, attribution: escapeHtml(settings.attribution || '') }).addTo(map);
    el.dataset.tiles = 'yes';
  } else {
    el.dataset.tiles = 'none';
    el.style.background = '#f8fafc';
    el.style.backgroundImage = 'linear-gradient(#e2e8f0 1px, transparent 1px), linear-gradient(90deg, #e2e8f0 1px, transparent 1px)';
    el.style.backgroundSize = '40px 40px';
  }
  L.control.scale({ imperial: false }).addTo(map);
  return { map, settings };
}

const R_EARTH = 6371008.8;
function offset(lat, lon, north, east) {
  return [lat + (north / R_EARTH) * (180 / Math.PI), lon + (east / (R_EARTH * Math.cos((lat * Math.PI) / 180))) * (180 / Math.PI)];
}

// The viewing direction as a 60° wedge, `len` metres long.
export function wedge(lat, lon, deg, len = 45, colour = '#2563eb') {
  const pts = [[lat, lon]];
  for (let a = deg - 30; a <= deg + 30; a += 10) {
    const r = (a * Math.PI) / 180;
    pts.push(offset(lat, lon, len * Math.cos(r), len * Math.sin(r)));
  }
  return L.polygon(pts, { color: colour, weight: 1, fillOpacity: 0.18, interactive: false });
}

// Convex hull (monotone chain) of [lat, lon] points.
function hull(points) {
  const p = [...points].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  if (p.length < 3) return p;
  const cross = (o, a, b) => (a[1] - o[1]) * (b[0] - o[0]) - (a[0] - o[0]) * (b[1] - o[1]);
  const lower = [];
  for (const q of p) { while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop(); lower.push(q); }
  const upper = [];
  for (const q of p.reverse()) { while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop(); upper.push(q); }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

// Outlines of wards around their cameras, labelled.
export function wardOutlines(map, cams, wards) {
  const layer = L.layerGroup().addTo(map);
  for (const w of wards) {
    const pts = cams.filter((c) => c.ward_id === w.id && c.latitude != null).map((c) => [c.latitude, c.longitude]);
    if (!pts.length) continue;
    const hp = hull(pts);
    const shape = hp.length >= 3 ? L.polygon(hp, { color: '#64748b', weight: 1, dashArray: '4 4', fillOpacity: 0.04, interactive: false })
      : L.circle(hp[0], { radius: 60, color: '#64748b', weight: 1, dashArray: '4 4', fillOpacity: 0.04, interactive: false });
    shape.addTo(layer);
    // the label above the northernmost camera: never on top of a marker
    const top = hp.reduce((a, q) => (q[0] > a[0] ? q : a), hp[0]);
    L.tooltip({ permanent: true, direction: 'top', offset: [0, -14], className: 'ward-label', interactive: false })
      .setContent(asText(w.name)).setLatLng(top).addTo(layer);
  }
  return layer;
}

export function stateOf(c) { return c.enabled === false ? 'disabled' : (c.state || 'offline'); }

export function durationText(s, lang) {
  if (s == null) return '';
  const vi = lang === 'vi';
  if (s < 90) return `${s} ${vi ? 'giây' : 's'}`;
  if (s < 5400) return `${Math.round(s / 60)} ${vi ? 'phút' : 'min'}`;
  if (s < 172800) return `${Math.round(s / 3600)} ${vi ? 'giờ' : 'h'}`;
  return `${Math.round(s / 86400)} ${vi ? 'ngày' : 'days'}`;
}

// Badges for what the owner's consent allows now.
export function consentBadges(ctx, consent) {
  const { t, ui, h } = ctx;
  if (!consent) return '';
  // deny by default: only the station's own camera is free without an agreement
  if (consent.station_own) return ui.badge(t('map.consent.none'), 'info');
  const parts = ['live', 'record', 'playback', 'export'].filter((k) => consent[k]);
  if (!parts.length) return ui.badge(t('map.consent.nothing'), 'bad');
  return h('span', { class: 'consent-badges' }, parts.map((k) => ui.badge(t(`map.consent.${k}`), 'ok')),
    consent.until ? h('small', { class: 'muted' }, ' ', t('map.consent.until', { t: ctx.fmtDateTime(consent.until, false) })) : null);
}

// ---- the consent register dialog (shared with owner.js for reading) --------------

export async function consentDialog(ctx, cam, canManage, onChange) {
  const { api, t, h, ui } = ctx;
  const back = h('div', { class: 'modal-back' });
  const box = h('div', { class: 'modal', style: 'max-width: 1040px; width: 95vw', role: 'dialog', 'aria-modal': 'true', 'aria-label': cam.name });
  back.append(box);
  let release = null;
  const close = () => { back.remove(); if (release) release(); };
  back.addEventListener('click', (e) => { if (e.target === back) close(); });
  document.body.append(back);
  async function draw() {
    const r = await api.get(`/api/v1/cameras/${cam.id}/consents`);
    const cols = [
      { label: t('map.col.state'), value: (c) => ui.badge(t(`map.consent.status.${c.status}`), c.status === 'in_force' ? 'ok' : c.status === 'future' ? 'info' : 'muted') },
      { label: t('map.consent.live'), value: (c) => (c.live ? '✓' : '–') },
      { label: t('map.consent.record'), value: (c) => (c.record ? '✓' : '–') },
      { label: t('map.consent.playback'), value: (c) => (c.playback ? '✓' : '–') },
      { label: t('map.consent.export'), value: (c) => (c.export ? '✓' : '–') },
      { label: t('map.consent.col_from'), value: (c) => ctx.fmtDateTime(c.from, false) },
      { label: t('map.consent.col_until'), value: (c) => (c.until ? ctx.fmtDateTime(c.until, false) : '—') },
      { label: t('map.consent.by'), value: (c) => h('span', {}, c.recorded_by, c.withdrawn_by ? h('div', { class: 'muted' }, `${t('map.consent.withdraw')}: ${c.withdrawn_by}`) : null) },
      { label: t('map.consent.note'), value: (c) => c.withdraw_note || c.note || '' },
    ];
    if (canManage) {
      cols.push({ label: '', value: (c) => (c.status === 'in_force' || c.status === 'future'
        ? h('button', { class: 'btn btn-small btn-danger', 'data-withdraw': c.id, onclick: async () => {
          if (!window.confirm(t('map.consent.withdraw_q'))) return;
          try { await api.post(`/api/v1/cameras/${cam.id}/consents/${c.id}/withdraw`, {}); await draw(); onChange && onChange(); } catch (e) { ui.showError(e); }
        } }, t('map.consent.withdraw')) : '') });
    }
    ui.clear(box).append(
      h('h2', {}, `${t('map.consents')} — ${cam.name}`),
      h('p', {}, consentBadges(ctx, r.now)),
      // the camera's sound setting belongs with what its owner agreed to
      cam.audio === undefined ? null : h('p', { id: 'consent-audio' }, t(cam.audio ? 'map.consent.audio_on' : 'map.consent.audio_off')),
      ui.table(cols, r.consents, { empty: t('map.consent.empty') }),
      h('div', { class: 'modal-actions' },
        canManage ? h('button', { class: 'btn btn-primary', id: 'consent-add', onclick: add }, t('map.consent.record_new')) : null,
        h('button', { class: 'btn', onclick: close }, t('common.close'))));
  }
  async function add() {
    await ui.formModal({
      title: `${t('map.consent.record_new')} — ${cam.name}`,
      fields: [
        { name: 'live', label: t('map.consent.live'), type: 'checkbox', value: true },
        { name: 'record', label: t('map.consent.record'), type: 'checkbox', value: true },
        { name: 'playback', label: t('map.consent.playback'), type: 'checkbox', value: true },
        { name: 'export', label: t('map.consent.export'), type: 'checkbox', value: true },
        { name: 'from', label: t('map.consent.from'), type: 'datetime' },
        { name: 'until', label: t('map.consent.until_f'), type: 'datetime' },
        { name: 'note', label: t('map.consent.note'), type: 'textarea' },
      ],
      onSubmit: async (v) => {
        const body = { live: v.live, record: v.record, playback: v.playback, export: v.export, note: v.note || null };
        if (v.from) body.from = v.from;
        if (v.until) body.until = v.until;
        await api.post(`/api/v1/cameras/${cam.id}/consents`, body);
      },
    });
    await draw();
    if (onChange) onChange();
  }
  await draw();
  // Esc closes, Tab stays in the dialog, the focus starts on its last
  // button (close) — once it is drawn — and goes back where it was
  if (document.body.contains(back)) release = modalKeys(box, close, [...box.querySelectorAll('.modal-actions button')].pop());
}

// ---- the page ------------------------------------------------------------------

export default {
  title: 'map.title',
  strings: { vi: { ...mapStrings.vi, ...placeStrings.vi }, en: { ...mapStrings.en, ...placeStrings.en } },
  async render(el, ctx) {
    const { api, t, h, ui } = ctx;
    const wards = await ctx.wards();
    let cams = (await api.get('/api/v1/community/cameras')).cameras;
    let wardFilter = ctx.params.get('ward') || '';

    const mapEl = h('div', { id: 'camera-map', style: 'height: 62vh; min-height: 380px; border: 1px solid var(--line); border-radius: 6px' });
    const legend = h('div', { class: 'summary', id: 'map-legend' },
      [['online', 'online'], ['offline', 'dark'], ['connecting', 'connecting'], ['disabled', 'disabled']].map(([s, k]) =>
        h('span', { style: 'margin-right: 14px; white-space: nowrap' },
          h('span', { style: `display:inline-block;width:10px;height:10px;border-radius:50%;background:${STATE_COLOURS[s]};margin-right:5px` }),
          t(`map.legend.${k}`))));
    const info = h('div', { class: 'summary', id: 'map-info' });
    const list = h('div', { id: 'map-list', style: 'margin-top: 12px' });
    const wardSel = h('select', { id: 'map-ward', onchange: () => { wardFilter = wardSel.value; draw(true); } },
      h('option', { value: '' }, t('map.all_wards')), wards.map((w) => h('option', { value: w.id, selected: String(w.id) === wardFilter }, w.name)));
    const actions = [h('label', { class: 'field-inline' }, `${t('map.ward')} `, wardSel)];
    if (ctx.is('admin')) actions.push(h('button', { class: 'btn', id: 'map-tiles', onclick: tiles }, t('map.tiles')));
    const searchSlot = h('div', { id: 'map-search' });
    el.append(ui.pageHeader(t('map.title'), ...actions), searchSlot, legend, mapEl, info, list);

    const { map, settings } = await makeMap(mapEl, api);
    searchSlot.append(placeSearch(ctx, map));
    if (!settings.tile_url) info.append(h('div', { id: 'map-no-tiles' }, t('map.no_tiles')));
    const layer = L.layerGroup().addTo(map);
    let outlines = null;
    const markers = new Map();

    map.on('click', (e) => {
      const { lat, lng } = e.latlng;
      L.popup().setLatLng(e.latlng).setContent(() => h('div', {},
        h('div', { class: 'muted' }, `${ctx.fmtNum(lat, 5, { fixed: true })}; ${ctx.fmtNum(lng, 5, { fixed: true })}`),
        ctx.is('admin', 'province', 'officer', 'viewer')
          ? h('a', { href: `#/search?lat=${lat.toFixed(6)}&lon=${lng.toFixed(6)}`, id: 'map-search-here' }, t('map.click_here')) : null)).openOn(map);
    });

    const visible = () => cams.filter((c) => !wardFilter || String(c.ward_id) === wardFilter);

    function card(c) {
      const st = stateOf(c);
      const probe = h('div', { class: 'probe-result' }, c.probe
        ? (c.probe.ok ? t('map.probe_ok', { codec: c.probe.codec, w: c.probe.width, h: c.probe.height, ms: c.probe.elapsed_ms })
          : t('map.probe_failed', { m: probeText(c.probe.error_code) })) : t('map.probe_never'));
      const still = h('div', { class: 'probe-still' });
      const el2 = h('div', { class: 'camera-card', 'data-camera': c.id, style: 'min-width: 260px' },
        h('strong', {}, c.name), c.address ? h('div', { class: 'muted' }, c.address) : null,
        h('div', { style: 'margin: 6px 0' }, ui.badge(t(`map.state.${st}`), st === 'online' ? 'ok' : st === 'disabled' ? 'muted' : st === 'connecting' ? 'warn' : 'bad'),
          c.reason && st !== 'online' && st !== 'disabled' ? h('small', { class: 'muted', title: c.reason }, ` ${reasonText(c.reason_code, c.reason)}`) : null),
        c.alert ? h('div', { class: 'callout bad', style: 'margin: 6px 0; padding: 4px 8px' }, t('map.dark_for', { d: durationText(c.alert.dark_for_s, ctx.lang) })) : null,
        h('div', {}, consentBadges(ctx, c.consent)),
        c.owner ? h('div', { style: 'margin-top: 6px' }, `${t('map.owner')}: ${c.owner.name}`, c.owner.phone ? h('a', { href: `tel:${c.owner.phone.replace(/[^0-9+]/g, '')}`, style: 'margin-left: 6px' }, c.owner.phone) : null) : null,
        probe, still,
        h('div', { style: 'display:flex; flex-wrap:wrap; gap:4px; margin-top:8px' },
          ctx.is('admin', 'province', 'officer', 'viewer') ? [
            h('a', { class: 'btn btn-small', href: `#/live?camera=${c.id}` }, t('map.live')),
            h('a', { class: 'btn btn-small', href: `#/timeline?camera=${c.id}` }, t('map.playback')),
            c.latitude != null ? h('a', { class: 'btn btn-small', href: `#/search?lat=${c.latitude}&lon=${c.longitude}` }, t('map.search_here')) : null] : null,
          h('button', { class: 'btn btn-small', 'data-consents': c.id, onclick: () => consentDialog(ctx, c, c.may_manage, refresh) }, t('map.consents')),
          c.may_manage ? h('button', { class: 'btn btn-small', 'data-probe': c.id, onclick: async (e) => {
            e.target.disabled = true;
            probe.textContent = t('map.probing');
            ui.clear(still);
            try {
              const r = await api.post(`/api/v1/cameras/${c.id}/probe`, { timeout_s: 5 });
              probe.textContent = t('map.probe_ok', { codec: r.probe.codec, w: r.probe.width, h: r.probe.height, ms: r.probe.elapsed_ms });
              if (c.consent && c.consent.live) still.append(h('img', { src: `${r.still_url}?t=${Date.now()}`, alt: c.name, style: 'max-width: 240px; margin-top: 6px; border-radius: 4px' }));
            } catch (ex) {
              probe.textContent = t('map.probe_failed', { m: ex.message });
            } finally { e.target.disabled = false; refresh(); }
          } }, t('map.probe')) : null,
          c.may_manage && !c.enabled ? h('button', { class: 'btn btn-small btn-primary', 'data-activate': c.id, onclick: async () => {
            try { await api.post(`/api/v1/cameras/${c.id}/activate`); ui.toast(t('map.activated'), 'ok'); refresh(); } catch (ex) { ui.showError(ex); }
          } }, t('map.activate')) : null));
      return el2;
    }

    function draw(fit) {
      layer.clearLayers();
      markers.clear();
      const vis = visible();
      const placed = vis.filter((c) => c.latitude != null && c.longitude != null);
      if (fit) {   // the view first: overlays added to a map with no view yet are misplaced
        if (placed.length) map.fitBounds(L.latLngBounds(placed.map((c) => [c.latitude, c.longitude])).pad(0.15), { maxZoom: 18 });
        else if (settings.offline && settings.offline.center) map.setView([settings.offline.center[1], settings.offline.center[0]], settings.offline.center[2] || 14);
        else map.setView([18.6733, 105.6924], 14);
      }
      for (const c of placed) {
        const colour = STATE_COLOURS[stateOf(c)] || STATE_COLOURS.offline;
        if (c.direction_deg != null) wedge(c.latitude, c.longitude, c.direction_deg, 45, colour).addTo(layer);
        const m = L.circleMarker([c.latitude, c.longitude], { radius: 7, color: '#0f172a', weight: 1, fillColor: colour, fillOpacity: 0.95 })
          .bindTooltip(asText(c.name)).bindPopup(() => card(cams.find((x) => x.id === c.id) || c), { minWidth: 260 }).addTo(layer);
        markers.set(c.id, m);
      }
      if (outlines) outlines.remove();
      outlines = wardOutlines(map, cams, wardFilter ? wards.filter((w) => String(w.id) === wardFilter) : wards);
      ui.clear(info);
      info.append(t('map.count', { n: placed.length }));
      if (vis.length > placed.length) info.append(' · ', t('map.no_position', { n: vis.length - placed.length }));
      if (!settings.tile_url) info.append(h('div', { id: 'map-no-tiles', class: 'muted' }, t('map.no_tiles')));
      for (const [id, m] of markers) {
        const el3 = m.getElement && m.getElement();
        if (el3) { el3.dataset.camera = id; el3.dataset.state = stateOf(cams.find((x) => x.id === id)); el3.classList.add('camera-marker'); }
      }
      drawList();
    }

    // A camera's card from the list under the map: centred, open, and the
    // focus in it so its buttons are the next Tab stops (the markers are
    // not focusable); when it closes (Esc, the ×) the focus goes back to
    // the camera's name in the list (the list may have been drawn anew).
    function openCard(id) {
      const m = markers.get(id);
      if (!m) return;
      map.setView(m.getLatLng(), Math.max(map.getZoom(), 17));
      m.openPopup();
      const pop = m.getPopup() && m.getPopup().getElement();
      const first = pop && pop.querySelector('.leaflet-popup-content a[href], .leaflet-popup-content button:not([disabled])');
      if (!first) return;
      first.focus({ preventScroll: true });
      // Leaflet's own Esc only works while the map itself has the focus
      if (!pop.dataset.escWired) {
        pop.dataset.escWired = '1';
        pop.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); m.closePopup(); } });
      }
      m.once('popupclose', () => {
        if (document.activeElement && document.activeElement !== document.body && !pop.contains(document.activeElement)) return;
        const link = list.querySelector(`a[data-camera-link="${id}"]`);
        if (link) link.focus({ preventScroll: true });
      });
    }

    function drawList() {
      const vis = visible();
      ui.clear(list).append(ui.table([
        { label: t('map.col.camera'), value: (c) => h('a', { href: '#', 'data-camera-link': c.id, onclick: (e) => { e.preventDefault(); openCard(c.id); } }, c.name) },
        { label: t('map.col.state'), value: (c) => ui.badge(t(`map.state.${stateOf(c)}`), stateOf(c) === 'online' ? 'ok' : stateOf(c) === 'disabled' ? 'muted' : 'bad') },
        { label: t('map.col.consent'), value: (c) => consentBadges(ctx, c.consent) },
        { label: t('map.col.alert'), value: (c) => (c.alert ? ui.badge(t('map.dark_for', { d: durationText(c.alert.dark_for_s, ctx.lang) }), 'bad') : '') },
        { label: t('map.col.probe'), value: (c) => (c.probe ? (c.probe.ok ? ui.badge('OK', 'ok') : ui.badge(probeText(c.probe.error_code), 'bad')) : t('map.probe_never')) },
      ], vis, { empty: t('map.count', { n: 0 }) }));
    }

    async function refresh() {
      try {
        cams = (await api.get('/api/v1/community/cameras')).cameras;
        for (const c of cams) {
          const m = markers.get(c.id);
          if (m) m.setStyle({ fillColor: STATE_COLOURS[stateOf(c)] || STATE_COLOURS.offline });
          const el3 = m && m.getElement && m.getElement();
          if (el3) el3.dataset.state = stateOf(c);
        }
        drawList();
      } catch { /* keep the last picture */ }
    }

    async function tiles() {
      const s = await api.get('/api/v1/map/settings');
      const ok = await ui.formModal({
        title: t('map.tiles'),
        fields: [
          { name: 'tile_url', label: t('map.tile_url'), value: s.tile_url || '', help: t('map.tile_help'), placeholder: 'https://tiles.example/{z}/{x}/{y}.png' },
          { name: 'attribution', label: t('map.attribution'), value: s.attribution || '' },
        ],
        onSubmit: (v) => api.put('/api/v1/map/settings', { tile_url: v.tile_url || null, attribution: v.attribution || null }),
      });
      if (ok) ctx.navigate('#/map');
    }

    draw(true);
    setTimeout(() => map.invalidateSize(), 50);
    const timer = setInterval(refresh, REFRESH_MS);
    return () => { clearInterval(timer); map.remove(); };
  },
};
