// Motion events (#/events[?camera=ID&ward=ID&zone=Z&from=S&to=S]): every
// event the detector recorded on the cameras the user may play back, newest
// first, one card each with the peak frame, the camera, the time, how long
// it lasted, the zone and how strong it was.  Officers use this page to
// find the minute that matters, so: the filters live in the URL (a search
// can be sent to a colleague), cards are grouped by day, the list loads
// more as you scroll (keyset cursor: page 40 is as quick as page 1), new
// events appear at the top while you watch, and a click opens the timeline
// at the event's pre-roll (#/timeline?camera=ID&date=YYYY-MM-DD&at=S).
// Times typed in the filters are dd/mm/yyyy HH:mm in station time
// (lib/datetime.js; the offset is the server's, lib/station.js).
import { stationDayKey, stationDayStart, stationOffsetMs } from '../lib/station.js';

const PAGE = 48;
const POLL_MS = 15000;

const strings = {
  vi: {
    'ev.title': 'Sự kiện chuyển động',
    'ev.camera': 'Camera',
    'ev.all_cameras': 'Tất cả camera',
    'ev.ward': 'Phường',
    'ev.all_wards': 'Tất cả các phường',
    'ev.zone': 'Vùng',
    'ev.any_zone': 'Mọi vùng',
    'ev.from': 'Từ',
    'ev.to': 'Đến',
    'ev.time_ph': 'dd/mm/yyyy HH:mm',
    'ev.bad_time': 'Thời gian phải có dạng dd/mm/yyyy HH:mm',
    'ev.bad_range': '"Đến" phải sau "Từ"',
    'ev.apply': 'Lọc',
    'ev.reset': 'Xóa lọc',
    'ev.quick': 'Nhanh',
    'ev.q.1h': '1 giờ qua',
    'ev.q.today': 'Hôm nay',
    'ev.q.24h': '24 giờ qua',
    'ev.q.7d': '7 ngày qua',
    'ev.q.all': 'Tất cả',
    'ev.more': 'Xem thêm',
    'ev.loading': 'Đang tải…',
    'ev.end': 'Đã hiện hết {n} sự kiện.',
    'ev.shown': 'Đang hiện {n} sự kiện',
    'ev.shown_more': 'Đang hiện {n} sự kiện mới nhất — cuộn xuống để xem thêm',
    'ev.empty': 'Không có sự kiện nào khớp bộ lọc.',
    'ev.empty_hint': 'Sự kiện được ghi khi luồng phụ của camera có chuyển động trong vùng theo dõi.',
    'ev.no_thumb': 'Không có ảnh',
    'ev.peak': 'đỉnh {t}',
    'ev.score': 'Mức thay đổi {p}',
    'ev.zone_all': 'toàn khung hình',
    'ev.day_today': 'Hôm nay',
    'ev.day_yesterday': 'Hôm qua',
    'ev.day_count': '{n} sự kiện',
    'ev.open': 'Mở dòng thời gian tại {t}',
    'ev.new': '{n} sự kiện mới',
    'ev.new_badge': 'Mới',
    'ev.live_badge': 'Đang diễn ra',
    'ev.live_title': 'Đang có chuyển động',
    'ev.zones_btn': 'Vùng phát hiện',
    'ev.dur.s': '{s} giây',
    'ev.dur.ms': '{m} phút {s} giây',
    'ev.live_note': 'Tự cập nhật mỗi 15 giây',
    'ev.paused': '{name}: tạm dừng phát hiện chuyển động — chủ camera chưa đồng ý ghi hình',
  },
  en: {
    'ev.title': 'Motion events',
    'ev.camera': 'Camera',
    'ev.all_cameras': 'All cameras',
    'ev.ward': 'Ward',
    'ev.all_wards': 'All wards',
    'ev.zone': 'Zone',
    'ev.any_zone': 'Any zone',
    'ev.from': 'From',
    'ev.to': 'To',
    'ev.time_ph': 'dd/mm/yyyy HH:mm',
    'ev.bad_time': 'Times are dd/mm/yyyy HH:mm',
    'ev.bad_range': '"To" must be after "From"',
    'ev.apply': 'Filter',
    'ev.reset': 'Clear',
    'ev.quick': 'Quick',
    'ev.q.1h': 'Last hour',
    'ev.q.today': 'Today',
    'ev.q.24h': 'Last 24 h',
    'ev.q.7d': 'Last 7 days',
    'ev.q.all': 'All',
    'ev.more': 'Show more',
    'ev.loading': 'Loading…',
    'ev.end': 'All {n} events shown.',
    'ev.shown': '{n} events shown',
    'ev.shown_more': 'The newest {n} events — scroll down for more',
    'ev.empty': 'No events match the filters.',
    'ev.empty_hint': 'An event is recorded when a camera\'s sub stream shows motion in a watched zone.',
    'ev.no_thumb': 'No picture',
    'ev.peak': 'peak {t}',
    'ev.score': 'Change {p}',
    'ev.zone_all': 'whole frame',
    'ev.day_today': 'Today',
    'ev.day_yesterday': 'Yesterday',
    'ev.day_count': '{n} events',
    'ev.open': 'Open the timeline at {t}',
    'ev.new': '{n} new events',
    'ev.new_badge': 'New',
    'ev.live_badge': 'In progress',
    'ev.live_title': 'Motion now',
    'ev.zones_btn': 'Motion zones',
    'ev.dur.s': '{s} s',
    'ev.dur.ms': '{m} min {s} s',
    'ev.live_note': 'Updates every 15 s',
    'ev.paused': '{name}: motion detection paused — no recording consent from the owner',
  },
};

const CSS = `
.ev-filters { align-items: end; }
.ev-filters input.ev-time { width: 148px; font-variant-numeric: tabular-nums; }
.ev-filters input.bad { border-color: var(--bad); outline-color: #fecaca; }
.ev-filters select { min-width: 180px; max-width: 260px; }
.ev-filters #ev-zone { width: 160px; }
.ev-root a.btn { text-decoration: none; }
.ev-quick { display: flex; gap: 4px; flex-wrap: wrap; }
.ev-quick .btn.active { background: var(--side-bg); border-color: var(--side-bg); color: #fff; }
.ev-filter-error { color: var(--bad); font-size: 12px; width: 100%; }
.ev-filter-error:empty { display: none; }
.ev-status { display: flex; align-items: center; justify-content: space-between; gap: 10px; flex-wrap: wrap; color: var(--muted); margin: 0 2px 10px; font-size: 12.5px; }
.ev-status-text { display: flex; align-items: center; gap: 12px; }
.ev-status .ev-live { display: inline-flex; align-items: center; gap: 5px; }
.ev-status .ev-live::before { content: ''; width: 7px; height: 7px; border-radius: 50%; background: var(--ok); box-shadow: 0 0 0 3px #dcfce7; }
.ev-root [hidden] { display: none !important; }
.ev-newbar { display: block; width: 100%; margin: 0 0 10px; padding: 7px; border: 1px solid #fcd34d; background: #fffbeb; color: #92400e; border-radius: var(--radius); font: 600 13px var(--font); cursor: pointer; }
.ev-day { display: flex; align-items: baseline; gap: 10px; margin: 16px 2px 8px; }
.ev-day:first-child { margin-top: 0; }
.ev-day h2 { margin: 0; font-size: 14px; }
.ev-day span { color: var(--muted); font-size: 12px; }
.ev-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 12px; }
.ev-card { display: flex; flex-direction: column; background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; color: var(--fg); text-decoration: none; transition: box-shadow .12s, border-color .12s, transform .12s; }
.ev-card:hover, .ev-card:focus-visible { border-color: #f59e0b; box-shadow: 0 6px 18px rgba(15, 23, 42, .12); transform: translateY(-1px); }
.ev-card:focus-visible { outline: 2px solid var(--focus, #2563eb); outline-offset: 2px; }   /* the amber border alone was too faint a focus mark */
.ev-thumb { position: relative; aspect-ratio: 16 / 9; background: #05080f; overflow: hidden; }
.ev-thumb img { width: 100%; height: 100%; object-fit: cover; display: block; }
.ev-thumb .ev-nothumb { position: absolute; inset: 0; display: grid; place-items: center; color: #64748b; font-size: 12px; }
.ev-thumb .ev-play { position: absolute; inset: 0; display: grid; place-items: center; opacity: 0; transition: opacity .12s; background: rgba(5, 8, 15, .28); }
.ev-thumb .ev-play svg { width: 44px; height: 44px; color: #fff; filter: drop-shadow(0 2px 6px rgba(0,0,0,.5)); }
.ev-card:hover .ev-play, .ev-card:focus-visible .ev-play { opacity: 1; }
.ev-chip { position: absolute; padding: 1px 7px; border-radius: 4px; font-size: 11.5px; font-weight: 600; background: rgba(5, 8, 15, .72); color: #fff; font-variant-numeric: tabular-nums; }
.ev-chip.dur { right: 6px; bottom: 6px; }
.ev-chip.zone { left: 6px; top: 6px; background: rgba(245, 158, 11, .92); color: #1f1300; max-width: 70%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ev-chip.new { right: 6px; top: 6px; background: var(--primary); }
.ev-chip.live { right: 6px; top: 6px; background: #dc2626; }
.ev-card.ev-live { outline: 2px solid #dc2626; outline-offset: -2px; }
.ev-body { padding: 8px 10px 9px; display: flex; flex-direction: column; gap: 3px; }
.ev-when { display: flex; align-items: baseline; gap: 8px; }
.ev-when strong { font-size: 15px; font-variant-numeric: tabular-nums; letter-spacing: .2px; }
.ev-when span { color: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
.ev-cam { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ev-meta { display: flex; align-items: center; gap: 8px; color: var(--muted); font-size: 12px; }
.ev-meter { flex: 1; height: 5px; background: #f1f5f9; border-radius: 3px; overflow: hidden; }
.ev-meter i { display: block; height: 100%; background: linear-gradient(90deg, #fbbf24, #f97316 60%, #dc2626); border-radius: 3px; }
.ev-paused { margin: 0 2px 10px; display: flex; flex-direction: column; gap: 4px; }
.ev-paused:empty { display: none; }
.ev-paused div { padding: 6px 10px; border: 1px solid #fcd34d; background: #fffbeb; color: #92400e; border-radius: var(--radius); font-size: 12.5px; }
.ev-foot { display: flex; flex-direction: column; align-items: center; gap: 6px; margin: 16px 0 4px; color: var(--muted); }
`;

function injectCss() {
  if (document.getElementById('ww-events-css')) return;
  const s = document.createElement('style');
  s.id = 'ww-events-css';
  s.textContent = CSS;
  document.head.append(s);
}

// ---- station time (lib/station.js; typed dd/mm/yyyy HH:mm via lib/datetime.js) ----
const dayKey = (ms) => stationDayKey(ms);
const dayStartMs = (ms) => stationDayStart(ms);

const PLAY_SVG = '<svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><circle cx="12" cy="12" r="11" fill="rgba(0,0,0,.35)"/><path d="M10 8l6 4-6 4z"/></svg>';

export default {
  title: 'ev.title',
  strings,
  async render(el, ctx) {
    const { api, t, h, ui } = ctx;
    injectCss();
    const nf = { format: (v) => ctx.fmtNum(v) };   // figures per language (lib/i18n.js)
    const [camsR, wards] = await Promise.all([api.get('/api/v1/cameras'), ctx.wards().catch(() => [])]);
    const cams = camsR.cameras;
    const camById = new Map(cams.map((c) => [c.id, c]));

    // ---- filter state (mirrors the URL) ----
    const P = ctx.params;
    const num = (k) => { const v = Number(P.get(k)); return Number.isFinite(v) && v > 0 ? v : null; };
    const f = {
      camera: P.get('camera') || '',
      ward: P.get('ward') || '',
      zone: P.get('zone') || '',
      from: num('from') ? num('from') * 1000 : null,   // epoch ms
      to: num('to') ? num('to') * 1000 : null,
    };

    // Page size: 48 (a screenful or two of cards); ?limit= in the URL for
    // a bigger or smaller page.
    const pageSize = Math.min(200, Math.max(4, Number(P.get('limit')) || PAGE));
    let rows = [];          // events shown, newest first
    const seen = new Set();
    let next = null;
    let loading = false;
    let seq = 0;
    let closed = false;
    let pendingNew = [];

    // ---- filters ----
    const camSel = h('select', { id: 'ev-camera' },
      h('option', { value: '' }, t('ev.all_cameras')),
      cams.map((c) => h('option', { value: c.id, selected: String(c.id) === f.camera }, c.name)));
    const showWard = wards.length > 1;
    const wardSel = h('select', { id: 'ev-ward' },
      h('option', { value: '' }, t('ev.all_wards')),
      wards.map((w) => h('option', { value: w.id, selected: String(w.id) === f.ward }, w.name)));
    const zoneList = h('datalist', { id: 'ev-zone-list' });
    const zoneIn = h('input', { id: 'ev-zone', list: 'ev-zone-list', value: f.zone, placeholder: t('ev.any_zone'), autocomplete: 'off', size: 14 });
    const fromIn = ctx.dateTimeInput({ id: 'ev-from', cls: 'ev-time', time: true, ms: f.from });
    const toIn = ctx.dateTimeInput({ id: 'ev-to', cls: 'ev-time', time: true, ms: f.to });
    const ferr = h('div', { class: 'ev-filter-error', role: 'alert', id: 'ev-filter-error' });
    const QUICK = [['1h', 3600e3], ['today', 'today'], ['24h', 86400e3], ['7d', 7 * 86400e3], ['all', null]];
    const quickBtns = QUICK.map(([k, span]) => h('button', { type: 'button', class: 'btn btn-small', 'data-quick': k, onclick: () => {
      const now = Date.now();
      fromIn.ms = span === null ? null : (span === 'today' ? dayStartMs(now) : now - span);
      toIn.ms = null;
      apply();
    } }, t(`ev.q.${k}`)));
    const enter = (e) => { if (e.key === 'Enter') { e.preventDefault(); apply(); } };
    for (const i of [zoneIn, fromIn, toIn]) i.addEventListener('keydown', enter);
    camSel.addEventListener('change', () => { loadZones(); apply(); });
    wardSel.addEventListener('change', () => apply());

    // novalidate: a bad time is said in ferr below, with the format
    const form = h('form', { class: 'filters ev-filters', id: 'ev-filters', novalidate: true, onsubmit: (e) => { e.preventDefault(); apply(); } },
      h('label', {}, t('ev.camera'), camSel),
      showWard ? h('label', {}, t('ev.ward'), wardSel) : null,
      h('label', {}, t('ev.zone'), zoneIn, zoneList),
      h('label', {}, t('ev.from'), fromIn),
      h('label', {}, t('ev.to'), toIn),
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'ev-apply' }, t('ev.apply')),
      h('button', { type: 'button', class: 'btn btn-ghost', id: 'ev-reset', onclick: () => {
        camSel.value = ''; wardSel.value = ''; zoneIn.value = ''; fromIn.ms = null; toIn.ms = null; apply();
      } }, t('ev.reset')),
      ferr);

    const status = h('div', { class: 'ev-status-text', id: 'ev-status' });
    const statusRow = h('div', { class: 'ev-status' }, status, h('div', { class: 'ev-quick', role: 'group', 'aria-label': t('ev.quick') }, quickBtns));
    const newBar = h('button', { type: 'button', class: 'ev-newbar', id: 'ev-newbar', hidden: true, onclick: () => showNew() });
    // Cameras whose motion detection is paused (outside the owner's
    // recording consent: nothing is analysed, so no event can appear).
    const pausedBox = h('div', { class: 'ev-paused', id: 'ev-paused', role: 'status' });
    const list = h('div', { id: 'ev-list' });
    const moreBtn = h('button', { type: 'button', class: 'btn', id: 'ev-more', onclick: () => loadMore() }, t('ev.more'));
    const footText = h('div', { id: 'ev-foot-text' });
    const foot = h('div', { class: 'ev-foot' }, moreBtn, footText);

    const zonesBtn = h('a', { class: 'btn', id: 'ev-zones', href: '#/motion' }, t('ev.zones_btn'));
    el.append(h('div', { class: 'ev-root' }, ui.pageHeader(t('ev.title'), zonesBtn), form, statusRow, pausedBox, newBar, list, foot));

    // ---- helpers ----
    const fmtDur = (s) => {
      const r = Math.max(1, Math.round(s));
      return r < 60 ? t('ev.dur.s', { s: r }) : t('ev.dur.ms', { m: Math.floor(r / 60), s: r % 60 });
    };
    const pct = (x) => ctx.fmtShare(x, 0);
    function dayLabel(key, ms) {
      const today = dayKey(Date.now());
      const yest = dayKey(Date.now() - 86400e3);
      const d = ctx.fmtDate(ms);
      if (key === today) return `${t('ev.day_today')} · ${d}`;
      if (key === yest) return `${t('ev.day_yesterday')} · ${d}`;
      const wd = new Intl.DateTimeFormat(ctx.lang === 'vi' ? 'vi-VN' : 'en-GB', { weekday: 'long', timeZone: 'UTC' }).format(new Date(ms + stationOffsetMs()));
      return `${wd.charAt(0).toUpperCase()}${wd.slice(1)} · ${d}`;
    }

    function card(e, isNew) {
      const ms = e.start_us / 1000;
      const cam = camById.get(e.camera_id);
      const name = e.camera_name || (cam && cam.name) || `#${e.camera_id}`;
      const when = ctx.fmtTime(ms);
      const thumb = h('div', { class: 'ev-thumb' },
        e.thumbnail_url
          ? h('img', { src: e.thumbnail_url, alt: `${name} ${when}`, loading: 'lazy', decoding: 'async', width: 320, height: 180 })
          : h('div', { class: 'ev-nothumb' }, t('ev.no_thumb')),
        h('div', { class: 'ev-play', html: PLAY_SVG }),
        h('span', { class: 'ev-chip zone', title: t('ev.zone') }, e.zone && e.zone !== 'all' ? e.zone : t('ev.zone_all')),
        isNew ? h('span', { class: 'ev-chip new' }, t('ev.new_badge')) : null,
        e.in_progress ? h('span', { class: 'ev-chip live' }, t('ev.live_badge')) : null,
        h('span', { class: 'ev-chip dur' }, fmtDur(e.duration_s)));
      return h('a', { class: `ev-card${e.in_progress ? ' ev-live' : ''}`, href: e.play_url, 'data-id': e.id ?? '', 'data-in-progress': e.in_progress ? '1' : null, 'data-camera': e.camera_id, 'data-start-us': e.start_us,
        title: t('ev.open', { t: ctx.fmtDateTime(ms) }) },
        thumb,
        h('div', { class: 'ev-body' },
          h('div', { class: 'ev-when' }, h('strong', {}, when), h('span', {}, t('ev.peak', { t: ctx.fmtTime(e.peak_us / 1000) }))),
          h('div', { class: 'ev-cam' }, name),
          h('div', { class: 'ev-meta', title: t('ev.score', { p: pct(e.peak_score) }) },
            h('div', { class: 'ev-meter' }, h('i', { style: `width:${Math.max(3, Math.min(100, Math.sqrt(e.peak_score) * 100)).toFixed(0)}%` })),
            h('span', {}, t('ev.score', { p: pct(e.peak_score) })))));
    }

    // Renders rows grouped by station day.  Cheap enough to redo on every
    // page (a few hundred cards); images are lazy and cached.
    let newIds = new Set();
    let liveRows = [];      // in progress, from the newest first page
    function draw() {
      const groups = [];
      for (const e of rows) {
        const ms = e.start_us / 1000;
        const k = dayKey(ms);
        if (!groups.length || groups[groups.length - 1].key !== k) groups.push({ key: k, ms, items: [] });
        groups[groups.length - 1].items.push(e);
      }
      // events still in progress (not stored yet: no id) stand above the days
      const liveBox = liveRows.length ? [
        h('div', { class: 'ev-day', id: 'ev-live' }, h('h2', {}, t('ev.live_title')), h('span', {}, t('ev.day_count', { n: liveRows.length }))),
        h('div', { class: 'ev-grid' }, liveRows.map((e) => card(e, false))),
      ] : [];
      list.replaceChildren(...liveBox, ...groups.flatMap((g) => [
        h('div', { class: 'ev-day', 'data-day': g.key }, h('h2', {}, dayLabel(g.key, g.ms)), h('span', {}, t('ev.day_count', { n: g.items.length }))),
        h('div', { class: 'ev-grid' }, g.items.map((e) => card(e, newIds.has(e.id)))),
      ]));
      if (!rows.length && !liveRows.length && !loading) list.replaceChildren(h('div', { class: 'empty', id: 'ev-empty' }, h('div', {}, t('ev.empty')), h('small', {}, t('ev.empty_hint'))));
      moreBtn.hidden = !next;
      moreBtn.disabled = loading;
      moreBtn.textContent = loading ? t('ev.loading') : t('ev.more');
      footText.textContent = rows.length && !next ? t('ev.end', { n: nf.format(rows.length) }) : '';
      status.replaceChildren(
        h('span', {}, next ? t('ev.shown_more', { n: nf.format(rows.length) }) : t('ev.shown', { n: nf.format(rows.length) })),
        !f.to ? h('span', { class: 'ev-live' }, t('ev.live_note')) : null);
    }

    function query(extra) {
      return ctx.qs({ camera: f.camera, ward: f.ward, zone: f.zone, from: f.from ? Math.floor(f.from / 1000) : '', to: f.to ? Math.floor(f.to / 1000) : '', ...extra });
    }

    async function loadMore(reset = false) {
      if (loading && !reset) return;
      const my = ++seq;
      loading = true;
      draw();
      try {
        const r = await api.get(`/api/v1/events${query({ limit: pageSize, before: reset ? '' : next })}`);
        if (my !== seq || closed) return;
        if (reset) { rows = []; seen.clear(); newIds = new Set(); }
        if (reset || !rows.length) liveRows = r.events.filter((e) => e.in_progress);
        for (const e of r.events) if (!e.in_progress && !seen.has(e.id)) { seen.add(e.id); rows.push(e); }
        next = r.next;
        for (const e of r.events) if (e.zone) addZoneOption(e.zone);
      } catch (e) {
        if (my !== seq || closed) return;
        if (reset) { rows = []; next = null; }
        ferr.textContent = e.message;
      } finally {
        if (my === seq) loading = false;
      }
      if (!closed) draw();
    }

    // New events at the top while the user watches (only when the range is
    // open-ended: a search that ends in the past has nothing new to show).
    async function poll() {
      if (closed || f.to || loading || document.hidden) return;
      try {
        const r = await api.get(`/api/v1/events${query({ limit: pageSize })}`);
        if (closed) return;
        const live = r.events.filter((e) => e.in_progress);
        const liveChanged = live.map((e) => `${e.camera_id}:${e.start_us}`).join() !== liveRows.map((e) => `${e.camera_id}:${e.start_us}`).join();
        liveRows = live;
        if (liveChanged) draw();
        const top = rows.length ? rows[0].start_us : 0;
        const fresh = r.events.filter((e) => !e.in_progress && !seen.has(e.id) && e.start_us >= top && !pendingNew.some((p) => p.id === e.id));
        pendingNew = [...fresh, ...pendingNew];
        if (!pendingNew.length) return;
        if (el.closest('.content') && el.closest('.content').scrollTop < 40) showNew();
        else { newBar.hidden = false; newBar.textContent = t('ev.new', { n: pendingNew.length }); }
      } catch { /* the next poll will tell */ }
    }
    function showNew() {
      newBar.hidden = true;
      pendingNew.sort((a, b) => b.start_us - a.start_us || b.id - a.id);
      for (const e of pendingNew) { seen.add(e.id); newIds.add(e.id); }
      rows = [...pendingNew, ...rows];
      pendingNew = [];
      draw();
    }

    // From the camera status (GET /api/v1/health: motion_paused per camera),
    // for the cameras this page lists (or the one filtered on).
    async function loadPaused() {
      try {
        const r = await api.get('/api/v1/health');
        if (closed) return;
        const rows = (r.cameras || []).filter((c) => c.motion_paused && camById.has(c.id)
          && (!f.camera || String(c.id) === f.camera));
        pausedBox.replaceChildren(...rows.map((c) => h('div', { 'data-camera': c.id, class: 'ev-paused-cam' },
          t('ev.paused', { name: camById.get(c.id).name || `#${c.id}` }))));
      } catch { /* the next poll will tell */ }
    }

    const zoneOpts = new Set();
    function addZoneOption(z) {
      if (zoneOpts.has(z)) return;
      zoneOpts.add(z);
      // 'all' (the whole picture) is the detector's name: say what it means
      zoneList.append(h('option', { value: z, label: z === 'all' ? t('ev.zone_all') : null }));
    }
    // Zone names come from the cameras' settings, so a zone with no event
    // yet can be chosen too.
    async function loadZones() {
      const ids = camSel.value ? [Number(camSel.value)] : cams.slice(0, 20).map((c) => c.id);
      await Promise.all(ids.map(async (id) => {
        try {
          const s = await api.get(`/api/v1/cameras/${id}/motion`);
          for (const z of s.zones || []) if (z.kind === 'include') addZoneOption(z.name);
        } catch { /* not this camera */ }
      }));
    }

    function apply() {
      ferr.textContent = '';
      fromIn.classList.remove('bad');
      toIn.classList.remove('bad');
      const a = fromIn.ms, b = toIn.ms;
      if (Number.isNaN(a)) fromIn.classList.add('bad');
      if (Number.isNaN(b)) toIn.classList.add('bad');
      if (Number.isNaN(a) || Number.isNaN(b)) { ferr.textContent = t('ev.bad_time'); return; }
      if (a && b && b <= a) { toIn.classList.add('bad'); ferr.textContent = t('ev.bad_range'); return; }
      f.camera = camSel.value;
      f.ward = showWard ? wardSel.value : '';
      f.zone = zoneIn.value.trim();
      f.from = a;
      f.to = b;
      zonesBtn.href = `#/motion${ctx.qs({ camera: f.camera })}`;
      const q = ctx.qs({ camera: f.camera, ward: f.ward, zone: f.zone, from: a ? Math.floor(a / 1000) : '', to: b ? Math.floor(b / 1000) : '', limit: pageSize === PAGE ? '' : pageSize });
      history.replaceState(null, '', `#/events${q}`);
      pendingNew = [];
      newBar.hidden = true;
      loadPaused();
      loadMore(true);
    }

    // Infinite scroll: the "more" button doubles as the sentinel.
    const io = new IntersectionObserver((ents) => {
      if (ents.some((x) => x.isIntersecting) && next && !loading) loadMore();
    }, { rootMargin: '400px' });
    io.observe(moreBtn);
    const timer = setInterval(() => { poll(); if (!document.hidden) loadPaused(); }, POLL_MS);

    zonesBtn.href = `#/motion${ctx.qs({ camera: f.camera })}`;
    loadZones();
    loadPaused();
    await loadMore(true);
    return () => { closed = true; io.disconnect(); clearInterval(timer); };
  },
};
