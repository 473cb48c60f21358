// "What was seen here at that time" (#/search?lat=&lon=&radius=&from=&to=):
// the officer gives a place (typed, or a click on the map), a time window and
// a radius; the server lists the cameras within the radius that recorded in
// the window — only those this user may play back — nearest first, with how
// much of the window each recorded and its motion events.  Selected cameras
// become one evidence bundle: an MP4 per camera with its manifest, a bundle
// manifest and SHA256SUMS, downloaded as one .tar (every export audited).
import * as L from 'leaflet';
import { makeMap, STATE_COLOURS, stateOf, mapStrings, asText, consentBadges } from './map.js';
import { dateTimeInput } from '../lib/datetime.js';
import { isoStation, parseStationIso } from '../lib/station.js';
import { allows, reason } from '../lib/consent.js';
import { fmtNum } from '../lib/i18n.js';
import { placeHold, mayHold } from '../lib/evidence.js';

const own = {
  vi: {
    'search.title': 'Đã thấy gì ở đây?',
    'search.lat': 'Vĩ độ',
    'search.lon': 'Kinh độ',
    'search.radius': 'Bán kính (m)',
    'search.from': 'Từ',
    'search.to': 'Đến',
    'search.go': 'Tìm camera',
    'search.hint': 'Bấm vào bản đồ để chọn địa điểm, chọn khoảng thời gian rồi bấm "Tìm camera".',
    'search.need_place': 'Hãy chọn một địa điểm (bấm vào bản đồ hoặc nhập tọa độ).',
    'search.found': '{n} camera trong bán kính {r} m đã ghi hình trong khoảng thời gian này',
    'search.none': 'Không có camera nào trong bán kính đã ghi hình trong khoảng thời gian này.',
    'search.col.camera': 'Camera',
    'search.col.distance': 'Khoảng cách',
    'search.col.coverage': 'Đã ghi',
    'search.col.events': 'Chuyển động',
    'search.col.pick': 'Đưa vào gói',
    'search.play': 'Xem lại',
    'search.no_consent': 'Chủ camera không đồng ý trích xuất',
    'search.no_right': 'Không có quyền trích xuất',
    'search.bundle': 'Tạo gói chứng cứ',
    'search.bundle_note': 'Ghi chú (số vụ việc…)',
    'search.bundling': 'Đang trích xuất {n} camera…',
    'search.bundle_note_label': 'Ghi chú cho gói chứng cứ',
    'search.bundle_confirm_title': 'Tạo gói chứng cứ từ {n} camera?',
    'search.bundle_confirm_help': 'Camera: {names}. Mỗi camera được ghi vào nhật ký như một lần trích xuất, chủ camera sẽ thấy.',
    'search.bundle_confirm': 'Tạo gói',
    'search.bundle_done': 'Gói chứng cứ số {id}: {n} tệp video',
    'search.download': 'Tải gói (.tar)',
    'search.manifest': 'Bản kê (bundle.json)',
    'search.skipped': 'Không đưa vào gói',
    'search.sha': 'SHA-256',
    'search.file': 'Tệp',
    'search.checksums': 'Kiểm tra sau khi giải nén: sha256sum -c SHA256SUMS',
    'search.seconds': '{s} giây ({p})',
    'search.col.consent': 'Đồng ý của chủ camera',
  },
  en: {
    'search.title': 'What was seen here?',
    'search.lat': 'Latitude',
    'search.lon': 'Longitude',
    'search.radius': 'Radius (m)',
    'search.from': 'From',
    'search.to': 'To',
    'search.go': 'Find cameras',
    'search.hint': 'Click the map to choose the place, pick the time window, then "Find cameras".',
    'search.need_place': 'Choose a place (click the map or type the coordinates).',
    'search.found': '{n} cameras within {r} m recorded in this window',
    'search.none': 'No camera within the radius recorded in this window.',
    'search.col.camera': 'Camera',
    'search.col.distance': 'Distance',
    'search.col.coverage': 'Recorded',
    'search.col.events': 'Motion',
    'search.col.pick': 'In the bundle',
    'search.play': 'Play back',
    'search.no_consent': 'The owner did not agree to exports',
    'search.no_right': 'Your role may not export',
    'search.bundle': 'Make an evidence bundle',
    'search.bundle_note': 'Note (case number…)',
    'search.bundling': 'Exporting {n} cameras…',
    'search.bundle_note_label': 'Note for the evidence bundle',
    'search.bundle_confirm_title': 'Make an evidence bundle of {n} cameras?',
    'search.bundle_confirm_help': 'Cameras: {names}. Each camera is recorded in the audit trail as an export, which its owner sees.',
    'search.bundle_confirm': 'Make the bundle',
    'search.bundle_done': 'Evidence bundle {id}: {n} video files',
    'search.download': 'Download the bundle (.tar)',
    'search.manifest': 'Manifest (bundle.json)',
    'search.skipped': 'Left out',
    'search.sha': 'SHA-256',
    'search.file': 'File',
    'search.checksums': 'After extracting, check with: sha256sum -c SHA256SUMS',
    'search.seconds': '{s} s ({p})',
    'search.col.consent': "Owner's consent",
  },
};
// map.js's strings too: the consent badges and states are shared.
const strings = { vi: { ...mapStrings.vi, ...own.vi }, en: { ...mapStrings.en, ...own.en } };

// The window in the address: ISO text (station time when it has no zone,
// as older links wrote "2026-11-25T08:00") → epoch ms, or a default.
function windowMs(v, dflt) {
  const ms = parseStationIso(v);
  return ms == null ? dflt : ms;
}

export default {
  title: 'search.title',
  strings,
  async render(el, ctx) {
    const { api, t, h, ui } = ctx;
    const p = ctx.params;
    const now = Date.now();
    const lat = h('input', { id: 'search-lat', type: 'number', step: 'any', value: p.get('lat') || '', style: 'width: 120px' });
    const lon = h('input', { id: 'search-lon', type: 'number', step: 'any', value: p.get('lon') || '', style: 'width: 120px' });
    const radius = h('input', { id: 'search-radius', type: 'number', min: 1, max: 5000, value: p.get('radius') || '200', style: 'width: 90px' });
    const from = dateTimeInput({ id: 'search-from', time: true, required: true, ms: windowMs(p.get('from'), now - 3600e3) });
    const to = dateTimeInput({ id: 'search-to', time: true, required: true, ms: windowMs(p.get('to'), now) });
    // what the API and the address take: ISO 8601 with the station's offset
    const winFrom = () => isoStation(from.ms);
    const winTo = () => isoStation(to.ms);
    const go = h('button', { class: 'btn btn-primary', id: 'search-go', type: 'submit' }, t('search.go'));
    const form = h('form', { class: 'filters', id: 'search-form', onsubmit: (e) => { e.preventDefault(); search(); } },
      h('label', {}, t('search.lat'), lat), h('label', {}, t('search.lon'), lon), h('label', {}, t('search.radius'), radius),
      h('label', {}, t('search.from'), from), h('label', {}, t('search.to'), to), go);
    const mapEl = h('div', { id: 'search-map', style: 'height: 40vh; min-height: 280px; border: 1px solid var(--line); border-radius: 6px' });
    const summary = h('div', { class: 'summary', id: 'search-summary' }, t('search.hint'));
    const results = h('div', { id: 'search-results' });
    const bundleBox = h('div', { id: 'search-bundle', style: 'margin-top: 12px' });
    el.append(ui.pageHeader(t('search.title')), form, mapEl, summary, results, bundleBox);

    const { map } = await makeMap(mapEl, api);
    let cams = [];
    try { cams = (await api.get('/api/v1/community/cameras')).cameras; } catch { /* context only */ }
    // each camera's consent now (the same list): shown in the results, and
    // what it does not allow is disabled there with the reason
    const consents = new Map(cams.filter((c) => c.consent).map((c) => [c.id, c.consent]));
    const ctxLayer = L.layerGroup().addTo(map);
    for (const c of cams) {
      if (c.latitude == null) continue;
      L.circleMarker([c.latitude, c.longitude], { radius: 4, weight: 1, color: '#475569', fillColor: STATE_COLOURS[stateOf(c)], fillOpacity: 0.7 })
        .bindTooltip(asText(c.name)).addTo(ctxLayer);
    }
    const placed = cams.filter((c) => c.latitude != null);
    if (lat.value && lon.value) map.setView([+lat.value, +lon.value], 17);
    else if (placed.length) map.fitBounds(L.latLngBounds(placed.map((c) => [c.latitude, c.longitude])).pad(0.1));
    else map.setView([18.6733, 105.6924], 15);
    setTimeout(() => map.invalidateSize(), 50);

    let pin = null;
    let circle = null;
    const hitLayer = L.layerGroup().addTo(map);
    function showPlace() {
      if (!lat.value || !lon.value) return;
      const ll = [+lat.value, +lon.value];
      if (pin) pin.setLatLng(ll); else pin = L.circleMarker(ll, { radius: 6, color: '#1d4ed8', fillColor: '#2563eb', fillOpacity: 1 }).addTo(map);
      if (circle) { circle.setLatLng(ll); circle.setRadius(+radius.value || 200); } else circle = L.circle(ll, { radius: +radius.value || 200, color: '#2563eb', weight: 1, fillOpacity: 0.06 }).addTo(map);
    }
    map.on('click', (e) => {
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      showPlace();
    });
    radius.addEventListener('input', showPlace);
    showPlace();

    let last = null;
    async function search() {
      if (!lat.value || !lon.value) { ui.clear(summary).append(h('span', { class: 'form-error' }, t('search.need_place'))); return; }
      if (!from.ms || !to.ms) { (from.ms ? to : from).reportValidity(); return; }
      showPlace();
      go.disabled = true;
      ui.clear(bundleBox);
      try {
        const q = ctx.qs({ lat: lat.value, lon: lon.value, radius_m: radius.value, from: winFrom(), to: winTo() });
        last = await api.get(`/api/v1/search/place${q}`);
        history.replaceState(null, '', `#/search${ctx.qs({ lat: lat.value, lon: lon.value, radius: radius.value, from: winFrom(), to: winTo() })}`);
        draw();
      } catch (e) {
        ui.clear(summary).append(h('span', { class: 'form-error' }, e.message));
        ui.clear(results);
      } finally { go.disabled = false; }
    }

    function draw() {
      const r = last;
      hitLayer.clearLayers();
      ui.clear(summary).append(r.cameras.length ? t('search.found', { n: r.cameras.length, r: Math.round(r.place.radius_m) }) : t('search.none'));
      const picks = new Map();
      const span = (new Date(r.to) - new Date(r.from)) / 1000;
      for (const c of r.cameras) {
        L.circleMarker([c.latitude, c.longitude], { radius: 8, weight: 2, color: '#1d4ed8', fillColor: '#facc15', fillOpacity: 0.9 })
          .bindTooltip(asText(`${c.name} — ${Math.round(c.distance_m)} m`)).addTo(hitLayer);
      }
      const table = ui.table([
        { label: '#', value: (c) => r.cameras.indexOf(c) + 1, class: 'num' },
        { label: t('search.col.camera'), value: (c) => h('div', {}, h('strong', {}, c.name), c.address ? h('div', { class: 'muted' }, c.address) : null) },
        { label: t('search.col.distance'), value: (c) => `${fmtNum(c.distance_m)} m`, class: 'num' },
        { label: t('search.col.coverage'), value: (c) => t('search.seconds', { s: fmtNum(c.covered_s), p: ctx.fmtPct(span > 0 ? (c.covered_s / span) * 100 : null, 0) }) },
        { label: t('search.col.consent'), value: (c) => consentBadges(ctx, consents.get(c.id)) || '—' },
        { label: t('search.col.events'), value: (c) => h('div', { style: 'display:flex; gap:4px; align-items:center; flex-wrap:wrap' },
          h('span', {}, String(c.events_count)),
          c.events.slice(0, 4).map((e) => (e.thumbnail_url ? h('img', { src: e.thumbnail_url, alt: ctx.fmtTime(e.start), title: ctx.fmtDateTime(e.start), style: 'height: 36px; border-radius: 3px' }) : null))) },
        { label: '', value: (c) => (allows(consents.get(c.id), 'playback')
          ? h('a', { class: 'btn btn-small', 'data-play': c.id, href: `#/timeline?camera=${c.id}&at=${Math.floor(new Date(r.from).getTime() / 1000)}` }, t('search.play'))
          : h('span', {}, h('button', { class: 'btn btn-small', 'data-play': c.id, disabled: true, title: reason('playback') }, t('search.play')),
            h('small', { class: 'muted consent-reason', style: 'display:block' }, reason('playback')))) },
        { label: t('search.col.hold'), value: (c) => (mayHold(ctx, c.ward_id)
          ? h('button', { class: 'btn btn-small', 'data-hold': c.id, onclick: () => placeHold(ctx, { cameras: [[c.id, c.name]],
            fromMs: new Date(r.from).getTime(), toMs: new Date(r.to).getTime() }).catch(ui.showError) }, t('search.hold'))
          : '—') },
        { label: t('search.col.pick'), value: (c) => {
          if (!c.may_export) return h('small', { class: 'muted' }, t('search.no_right'));
          if (!c.export_consent || !allows(consents.get(c.id), 'export')) return h('small', { class: 'muted consent-reason', 'data-no-export': c.id }, reason('export'));
          const cb = h('input', { type: 'checkbox', checked: true, 'data-pick': c.id });
          picks.set(c.id, cb);
          return cb;
        } },
      ], r.cameras, { empty: t('search.none') });
      ui.clear(results).append(table);
      if (picks.size && ctx.is('admin', 'province', 'officer')) {
        const note = h('input', { id: 'bundle-note', placeholder: t('search.bundle_note'), style: 'min-width: 260px' });
        const btn = h('button', { class: 'btn btn-primary', id: 'bundle-make', onclick: () => confirmBundle(picks, note, btn, r.cameras) }, t('search.bundle'));
        ui.clear(bundleBox).append(h('div', { class: 'filters' }, h('label', { for: 'bundle-note' }, t('search.bundle_note_label'), ' ', note), btn));
      }
    }

    // A bundle copies footage of several residents' cameras: say which, and
    // that each is an export the owner sees, before making it.
    async function confirmBundle(picks, note, btn, cams) {
      const ids = [...picks].filter(([, cb]) => cb.checked).map(([id]) => id);
      if (!ids.length) return;
      const names = cams.filter((c) => ids.includes(c.id)).map((c) => c.name).join(', ');
      const ok = await ui.formModal({
        title: t('search.bundle_confirm_title', { n: ids.length }),
        fields: [{ name: 'note', label: t('search.bundle_note_label'), value: note.value, help: t('search.bundle_confirm_help', { names }) }],
        submitLabel: t('search.bundle_confirm'),
        onSubmit: (v) => { note.value = v.note; return true; },
      });
      if (ok) makeBundle(picks, note, btn);
    }

    async function makeBundle(picks, note, btn) {
      const ids = [...picks].filter(([, cb]) => cb.checked).map(([id]) => id);
      if (!ids.length) return;
      btn.disabled = true;
      const status = h('div', { class: 'summary' }, t('search.bundling', { n: ids.length }));
      bundleBox.append(status);
      try {
        const r = await api.post('/api/v1/search/place/bundle', {
          lat: +lat.value, lon: +lon.value, radius_m: +radius.value, from: winFrom(), to: winTo(),
          camera_ids: ids, note: note.value || null,
        });
        const b = r.bundle;
        ui.clear(bundleBox).append(h('div', { class: 'callout ok', id: 'bundle-result' },
          h('strong', {}, t('search.bundle_done', { id: b.id, n: b.files.length })), ' ',
          h('a', { href: b.tar_url, id: 'bundle-download', download: '' }, t('search.download')), ' · ',
          h('a', { href: b.manifest_url, target: '_blank', rel: 'noopener' }, t('search.manifest')),
          h('div', { class: 'muted' }, t('search.checksums'))),
        ui.table([
          { label: t('search.file'), value: (f) => h('span', {}, f.name, h('div', { class: 'muted' }, f.camera_name)) },
          { label: t('search.col.distance'), value: (f) => `${fmtNum(f.distance_m)} m`, class: 'num' },
          { label: t('search.sha'), value: (f) => h('code', { style: 'font-size: 11px; word-break: break-all' }, f.sha256) },
        ], b.files),
        b.skipped.length ? h('div', { style: 'margin-top: 8px' }, h('strong', {}, t('search.skipped')),
          h('ul', {}, b.skipped.map((s) => h('li', {}, `${s.name}: ${s.reason === 'no_consent' ? reason('export') : s.reason}`)))) : null);
      } catch (e) {
        status.textContent = e.message;
        status.classList.add('form-error');
      } finally { btn.disabled = false; }
    }

    if (p.get('lat') && p.get('lon') && p.get('from') && p.get('to')) search();
    return () => map.remove();
  },
};

