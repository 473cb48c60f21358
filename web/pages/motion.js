// Motion zones and settings of one camera (#/motion?camera=ID).
//
// The camera's current picture (GET …/snapshot: a still of the sub stream,
// the very picture the detector analyses, so what is drawn here is what it
// uses) is the background of an SVG overlay.  Zones are polygons in
// normalised coordinates (0..1, x right, y down), as the API stores them:
//   - "New zone": click to add points; click the first point, double-click
//     or press Enter to close (3 points at least); Esc cancels, Backspace
//     takes back the last point;
//   - select a zone by clicking it: drag its points, drag the zone itself,
//     click a "+" on an edge to add a point, double-click a point to remove
//     it, Delete removes the zone;
//   - each zone has a name (it is what events show) and a kind: "watch"
//     (include — motion counts only inside) or "mask" (always ignored:
//     a tree, a flickering sign, a neighbour's window).
// Beside it: enabled, sensitivity, minimum area, analysis rate,
// keyframes-only, an outline on the picture of the smallest object the
// minimum area lets through (at the zone's scale), a live meter of the
// detector's score (…/motion/state,
// once a second) and the camera's latest events, to see at once what the
// settings catch.  Save → PUT …/motion; the recorder applies it live.
// Users who may not manage the camera see it read-only.

import { apiErrorText } from '../lib/errors.js';

const STATE_MS = 1000;
const EVENTS_MS = 10000;
const HANDLE_PX = 7;
const PALETTE = ['#22c55e', '#3b82f6', '#a855f7', '#06b6d4', '#eab308', '#ec4899', '#14b8a6', '#f97316'];
const MASK = '#ef4444';

const strings = {
  vi: {
    'mo.title': 'Vùng phát hiện chuyển động',
    'mo.camera': 'Camera',
    'mo.no_cameras': 'Chưa có camera nào.',
    'mo.no_sub': 'Camera này không có luồng phụ: phát hiện chuyển động chạy trên luồng phụ, nên hiện không có sự kiện. Thêm luồng phụ (RTSP) trong trang Camera.',
    'mo.readonly': 'Bạn chỉ được xem. Cán bộ quản lý camera mới thay đổi được thiết lập.',
    'mo.snapshot_fail': 'Không lấy được ảnh hiện tại: {m}. Vẫn có thể vẽ vùng.',
    'mo.refresh': 'Làm mới ảnh',
    'mo.snapshot_at': 'Ảnh lúc {t}',
    'mo.new_zone': 'Vẽ vùng mới',
    'mo.new_mask': 'Vẽ vùng che',
    'mo.finish': 'Xong',
    'mo.cancel': 'Hủy vẽ',
    'mo.help.idle': 'Bấm vào một vùng để chọn; kéo các điểm để sửa, kéo vùng để di chuyển, bấm "+" trên cạnh để thêm điểm, bấm đúp vào điểm để xóa điểm.',
    'mo.help.draw': 'Bấm để thêm điểm. Bấm vào điểm đầu, bấm đúp hoặc Enter để khép vùng (ít nhất 3 điểm). Esc: hủy, Backspace: bỏ điểm cuối.',
    'mo.zones': 'Các vùng',
    'mo.no_zones': 'Chưa có vùng nào: chuyển động ở bất kỳ đâu trong khung hình đều được tính (vùng "all").',
    'mo.zone_name': 'Tên vùng',
    'mo.kind.include': 'Theo dõi',
    'mo.kind.mask': 'Che (bỏ qua)',
    'mo.points': '{n} điểm',
    'mo.delete_zone': 'Xóa vùng',
    'mo.default_name': 'vung-{n}',
    'mo.default_mask': 'che-{n}',
    'mo.settings': 'Thiết lập',
    'mo.enabled': 'Bật phát hiện chuyển động',
    'mo.sensitivity': 'Độ nhạy',
    'mo.sensitivity_help': '1: chỉ chuyển động lớn, rõ · 100: mọi thay đổi nhỏ',
    'mo.min_area': 'Diện tích tối thiểu (% của vùng)',
    'mo.min_area_help': 'Phần vùng phải thay đổi để tính là chuyển động',
    'mo.min_object': 'Vật nhỏ nhất: {w}×{h} px',
    'mo.rate': 'Tần suất phân tích (khung/giây)',
    'mo.keyframes_only': 'Chỉ giải mã khung chính (nhẹ nhất, thời điểm kém chính xác hơn)',
    'mo.save': 'Lưu',
    'mo.revert': 'Hoàn tác',
    'mo.saved': 'Đã lưu. Thiết lập có hiệu lực ngay.',
    'mo.unsaved': 'Có thay đổi chưa lưu',
    'mo.clean': 'Đã lưu',
    'mo.default_note': 'Đang dùng thiết lập mặc định',
    'mo.updated': 'Lưu lần cuối {t}',
    'mo.live': 'Mức chuyển động hiện tại',
    'mo.live_na': 'Bộ phát hiện không chạy ({s})',
    'mo.in_event': 'Đang có chuyển động',
    'mo.quiet': 'Yên tĩnh',
    'mo.threshold': 'ngưỡng {p}',
    'mo.frames': '{n} khung đã phân tích · {e} sự kiện từ khi khởi động',
    'mo.recent': 'Sự kiện gần đây của camera',
    'mo.recent_none': 'Chưa có sự kiện nào.',
    'mo.all_events': 'Xem tất cả',
    'mo.bad_zone': 'Vùng "{name}" cần ít nhất 3 điểm',
    'mo.too_many': 'Tối đa {n} vùng',
    'mo.leave_draw': 'Hãy khép hoặc hủy vùng đang vẽ trước khi lưu',
    'mo.state.stopped': 'camera không chạy',
    'mo.state.offline': 'mất tín hiệu',
    'mo.state.connecting': 'đang kết nối',
    'mo.state.error': 'lỗi',
    'mo.state.online': 'hoạt động',
  },
  en: {
    'mo.title': 'Motion zones',
    'mo.camera': 'Camera',
    'mo.no_cameras': 'No cameras yet.',
    'mo.no_sub': 'This camera has no sub stream: motion detection runs on the sub stream, so there are no events. Add a sub stream (RTSP) on the Cameras page.',
    'mo.readonly': 'Read only. Only officers who manage this camera can change its settings.',
    'mo.snapshot_fail': 'No current picture: {m}. You can still draw zones.',
    'mo.refresh': 'Refresh picture',
    'mo.snapshot_at': 'Picture at {t}',
    'mo.new_zone': 'Draw a zone',
    'mo.new_mask': 'Draw a mask',
    'mo.finish': 'Done',
    'mo.cancel': 'Cancel',
    'mo.help.idle': 'Click a zone to select it; drag its points to edit, drag the zone to move it, click "+" on an edge to add a point, double-click a point to remove it.',
    'mo.help.draw': 'Click to add points. Click the first point, double-click or press Enter to close (3 points at least). Esc cancels, Backspace removes the last point.',
    'mo.zones': 'Zones',
    'mo.no_zones': 'No zones: motion anywhere in the picture counts (zone "all").',
    'mo.zone_name': 'Zone name',
    'mo.kind.include': 'Watch',
    'mo.kind.mask': 'Mask (ignore)',
    'mo.points': '{n} points',
    'mo.delete_zone': 'Delete zone',
    'mo.default_name': 'zone-{n}',
    'mo.default_mask': 'mask-{n}',
    'mo.settings': 'Settings',
    'mo.enabled': 'Motion detection on',
    'mo.sensitivity': 'Sensitivity',
    'mo.sensitivity_help': '1: only large, contrasted motion · 100: the smallest change',
    'mo.min_area': 'Minimum area (% of the zone)',
    'mo.min_area_help': 'Share of a zone that must change to count as motion',
    'mo.min_object': 'Smallest object: {w}×{h} px',
    'mo.rate': 'Analysis rate (frames/s)',
    'mo.keyframes_only': 'Decode keyframes only (cheapest, coarser times)',
    'mo.save': 'Save',
    'mo.revert': 'Revert',
    'mo.saved': 'Saved. The settings apply at once.',
    'mo.unsaved': 'Unsaved changes',
    'mo.clean': 'Saved',
    'mo.default_note': 'Using the default settings',
    'mo.updated': 'Last saved {t}',
    'mo.live': 'Current motion level',
    'mo.live_na': 'The detector is not running ({s})',
    'mo.in_event': 'Motion now',
    'mo.quiet': 'Quiet',
    'mo.threshold': 'threshold {p}',
    'mo.frames': '{n} frames analysed · {e} events since start',
    'mo.recent': 'Latest events of this camera',
    'mo.recent_none': 'No events yet.',
    'mo.all_events': 'See all',
    'mo.bad_zone': 'Zone "{name}" needs 3 points at least',
    'mo.too_many': 'At most {n} zones',
    'mo.leave_draw': 'Close or cancel the zone being drawn before saving',
    'mo.state.stopped': 'camera not running',
    'mo.state.offline': 'offline',
    'mo.state.connecting': 'connecting',
    'mo.state.error': 'error',
    'mo.state.online': 'online',
  },
};

const CSS = `
.mo-root [hidden] { display: none !important; }
.mo-note { background: #eff6ff; border-color: #bfdbfe; color: #1e3a8a; }
.mo-top { display: flex; gap: 10px; align-items: end; }
.mo-top select { min-width: 240px; }
.mo-layout { display: grid; grid-template-columns: minmax(0, 1fr) 340px; gap: 14px; align-items: start; }
.mo-box { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.mo-box + .mo-box { margin-top: 12px; }
.mo-box h2 { display: flex; align-items: center; justify-content: space-between; gap: 8px; margin-bottom: 10px; }
.mo-tools { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 8px; }
.mo-tools .grow { flex: 1; }
.mo-stage { position: relative; background: #05080f; border-radius: 8px; overflow: hidden; user-select: none; touch-action: none; }
.mo-stage img { display: block; width: 100%; height: 100%; object-fit: fill; }
.mo-stage .mo-placeholder { position: absolute; inset: 0; display: grid; place-items: center; color: #64748b; padding: 20px; text-align: center; }
.mo-stage svg { position: absolute; inset: 0; width: 100%; height: 100%; }
.mo-stage.drawing svg { cursor: crosshair; }
.mo-stage polygon.z { cursor: pointer; }
.mo-stage polygon.z.sel { cursor: move; }
.mo-stage .h { cursor: grab; }
.mo-stage .h:active { cursor: grabbing; }
.mo-stage .mid { cursor: copy; }
.mo-stage text { font: 600 13px var(--font); paint-order: stroke; stroke: rgba(5,8,15,.85); stroke-width: 3px; fill: #fff; pointer-events: none; }
.mo-help { color: var(--muted); font-size: 12px; margin-top: 6px; min-height: 18px; }
.mo-snapinfo { color: var(--muted); font-size: 12px; }
.mo-zone { display: grid; grid-template-columns: 14px minmax(0, 1fr) auto auto; gap: 8px; align-items: center; padding: 6px; border-radius: 6px; border: 1px solid transparent; }
.mo-zone.sel { border-color: #93c5fd; background: #eff6ff; }
.mo-zone .sw { width: 14px; height: 14px; border-radius: 3px; }
.mo-zone input { width: 100%; min-width: 0; }
.mo-zone select { padding: 5px 4px; }
.mo-zone .btn { padding: 4px 7px; }
.mo-zone small { grid-column: 2 / -1; color: var(--muted); margin-top: -4px; }
.mo-empty { color: var(--muted); font-size: 12.5px; padding: 4px 2px; }
.mo-field { display: flex; flex-direction: column; gap: 4px; margin-bottom: 12px; }
.mo-field > span { font-size: 12px; font-weight: 600; color: #334155; display: flex; justify-content: space-between; }
.mo-field small { color: var(--muted); font-size: 11.5px; }
.mo-field input[type=range] { width: 100%; accent-color: var(--primary); padding: 0; border: 0; }
.mo-field input[type=number] { width: 110px; }
.mo-check { display: flex; gap: 8px; align-items: flex-start; margin-bottom: 10px; font-size: 12.5px; }
.mo-check input { margin-top: 2px; }
.mo-switch { font-weight: 600; font-size: 13px; }
.mo-actions { display: flex; gap: 8px; align-items: center; }
.mo-actions .grow { flex: 1; font-size: 12px; color: var(--muted); }
.mo-actions .dirty { color: #b45309; font-weight: 600; }
.mo-meter { position: relative; height: 12px; border-radius: 6px; background: #f1f5f9; overflow: hidden; margin: 8px 0 4px; }
.mo-meter i { position: absolute; left: 0; top: 0; bottom: 0; background: linear-gradient(90deg, #22c55e, #eab308 55%, #ef4444); border-radius: 6px; transition: width .3s; }
.mo-meter b { position: absolute; top: -2px; bottom: -2px; width: 2px; background: #0f172a; }
.mo-live-row { display: flex; justify-content: space-between; align-items: center; font-size: 12.5px; }
.mo-live-row strong { font-variant-numeric: tabular-nums; font-size: 15px; }
.mo-live-sub { color: var(--muted); font-size: 11.5px; }
.mo-recent { display: grid; grid-template-columns: repeat(3, 1fr); gap: 6px; }
.mo-recent a { position: relative; display: block; aspect-ratio: 16/9; background: #05080f; border-radius: 5px; overflow: hidden; }
.mo-recent img { width: 100%; height: 100%; object-fit: cover; display: block; }
.mo-recent span { position: absolute; left: 4px; bottom: 3px; font-size: 10.5px; font-weight: 600; color: #fff; background: rgba(5,8,15,.7); padding: 0 4px; border-radius: 3px; font-variant-numeric: tabular-nums; }
@media (max-width: 1100px) { .mo-layout { grid-template-columns: 1fr; } }
`;

function injectCss() {
  if (document.getElementById('ww-motion-css')) return;
  const s = document.createElement('style');
  s.id = 'ww-motion-css';
  s.textContent = CSS;
  document.head.append(s);
}

const SVGNS = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...kids) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v);
  for (const k of kids) if (k) e.append(k);
  return e;
}
const clamp01 = (v) => Math.min(1, Math.max(0, v));
const round4 = (v) => Math.round(v * 10000) / 10000;

export default {
  title: 'mo.title',
  strings,
  async render(el, ctx) {
    const { api, t, h, ui } = ctx;
    injectCss();
    const cams = (await api.get('/api/v1/cameras')).cameras;
    if (!cams.length) { el.append(h('div', { class: 'empty' }, t('mo.no_cameras'))); return undefined; }
    const wanted = ctx.params.get('camera');
    const cam = cams.find((c) => String(c.id) === wanted) || cams.find((c) => c.has_sub_stream) || cams[0];
    const full = await api.get(`/api/v1/cameras/${cam.id}`);
    // Stream URLs come only to those who may manage the camera.
    const canEdit = 'main_url' in full && ctx.is('admin', 'officer');
    let saved = await api.get(`/api/v1/cameras/${cam.id}/motion`);
    const L = saved.limits || {};
    const maxZones = (L.zones && L.zones.max_zones) || 16;
    const maxPoints = (L.zones && L.zones.max_points) || 64;

    // ---- editor state ----
    let zones = [];            // [{ name, kind, points: [[x,y]…], color }]
    let sel = -1;              // selected zone
    let draft = null;          // points of the zone being drawn
    let draftKind = 'include';
    let hover = null;          // normalised pointer while drawing
    let drag = null;           // { zone, point (-1 = whole zone), start, orig }
    let W = 640, H = 360;      // picture size (the SVG's user units)
    let closed = false;
    let snapUrl = null;
    let colorN = 0;
    const nextColor = () => PALETTE[colorN++ % PALETTE.length];
    const fromSaved = (st) => {
      colorN = 0;
      return (st.zones || []).map((z) => ({ name: z.name, kind: z.kind, points: z.points.map((p) => [p[0], p[1]]), color: z.kind === 'mask' ? MASK : nextColor() }));
    };
    zones = fromSaved(saved);

    // ---- header ----
    const camSel = h('select', { id: 'mo-camera', onchange: () => ctx.navigate(`#/motion?camera=${camSel.value}`) },
      cams.map((c) => h('option', { value: c.id, selected: c.id === cam.id }, c.name)));
    history.replaceState(null, '', `#/motion?camera=${cam.id}`);

    // ---- stage ----
    const img = h('img', { id: 'mo-snapshot', alt: '', hidden: true });
    const placeholder = h('div', { class: 'mo-placeholder', id: 'mo-placeholder' }, t('common.loading'));
    const svg = s('svg', { id: 'mo-canvas', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': t('mo.zones') });
    const stage = h('div', { class: 'mo-stage', id: 'mo-stage' }, img, placeholder, svg);
    stage.style.aspectRatio = `${W} / ${H}`;
    const snapInfo = h('span', { class: 'mo-snapinfo', id: 'mo-snapinfo' });
    const help = h('div', { class: 'mo-help', id: 'mo-help' });
    const newZoneBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'mo-new-zone', disabled: !canEdit, onclick: () => startDraw('include') }, t('mo.new_zone'));
    const newMaskBtn = h('button', { type: 'button', class: 'btn', id: 'mo-new-mask', disabled: !canEdit, onclick: () => startDraw('mask') }, t('mo.new_mask'));
    const finishBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'mo-finish', hidden: true, onclick: () => finishDraw() }, t('mo.finish'));
    const cancelBtn = h('button', { type: 'button', class: 'btn', id: 'mo-cancel', hidden: true, onclick: () => cancelDraw() }, t('mo.cancel'));
    const refreshBtn = h('button', { type: 'button', class: 'btn', id: 'mo-refresh', onclick: () => loadSnapshot() }, t('mo.refresh'));

    // ---- zone list ----
    const zoneList = h('div', { id: 'mo-zones' });
    const zoneCount = h('span', { class: 'muted', id: 'mo-zone-count' });

    // ---- settings ----
    const rng = (k, d) => (L[k] ? L[k][d] : undefined);
    const enabledIn = h('input', { type: 'checkbox', id: 'mo-enabled', checked: saved.enabled, disabled: !canEdit });
    const sensIn = h('input', { type: 'range', id: 'mo-sensitivity', min: rng('sensitivity', 'min') ?? 1, max: rng('sensitivity', 'max') ?? 100, step: 1, value: saved.sensitivity, disabled: !canEdit });
    const sensOut = h('output', { id: 'mo-sensitivity-value' }, String(saved.sensitivity));
    const areaIn = h('input', { type: 'number', id: 'mo-min-area', min: rng('min_area', 'min') ?? 0.01, max: rng('min_area', 'max') ?? 100, step: 0.01, value: saved.min_area, disabled: !canEdit });
    const rateIn = h('input', { type: 'number', id: 'mo-rate', min: rng('rate', 'min') ?? 0.2, max: rng('rate', 'max') ?? 30, step: 0.1, value: saved.rate, disabled: !canEdit });
    const kfIn = h('input', { type: 'checkbox', id: 'mo-keyframes', checked: saved.keyframes_only, disabled: !canEdit });
    const saveBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'mo-save', disabled: true, hidden: !canEdit, onclick: () => save() }, t('mo.save'));
    const revertBtn = h('button', { type: 'button', class: 'btn', id: 'mo-revert', disabled: true, hidden: !canEdit, onclick: () => revert() }, t('mo.revert'));
    const saveState = h('span', { class: 'grow', id: 'mo-save-state' });
    const formErr = h('div', { class: 'form-error', role: 'alert', id: 'mo-error' });
    for (const i of [enabledIn, kfIn, areaIn, rateIn]) i.addEventListener('input', () => changed());
    sensIn.addEventListener('input', () => { sensOut.textContent = sensIn.value; changed(); });

    // ---- live meter + recent events ----
    const meterBar = h('i', { style: 'width:0%' });
    const meterMark = h('b', { style: 'left:0%' });
    const liveScore = h('strong', { id: 'mo-score' }, '—');
    const liveBadge = h('span', { id: 'mo-live-state' });
    const liveSub = h('div', { class: 'mo-live-sub', id: 'mo-live-sub' });
    const thresholdText = h('span', { class: 'muted', id: 'mo-threshold' });
    const recent = h('div', { class: 'mo-recent', id: 'mo-recent' });

    el.append(h('div', { class: 'mo-root' },
      ui.pageHeader(t('mo.title'), h('label', { class: 'mo-top' }, h('span', { class: 'muted' }, t('mo.camera')), camSel)),
      !cam.has_sub_stream ? h('div', { class: 'callout bad', id: 'mo-no-sub' }, t('mo.no_sub')) : null,
      !canEdit ? h('div', { class: 'callout mo-note', id: 'mo-readonly' }, t('mo.readonly')) : null,
      h('div', { class: 'mo-layout' },
        h('div', {},
          h('div', { class: 'mo-box' },
            h('div', { class: 'mo-tools' }, newZoneBtn, newMaskBtn, finishBtn, cancelBtn, h('span', { class: 'grow' }), snapInfo, refreshBtn),
            stage, help),
          h('div', { class: 'mo-box' }, h('h2', {}, h('span', {}, t('mo.zones')), zoneCount), zoneList)),
        h('div', {},
          h('div', { class: 'mo-box', id: 'mo-live' },
            h('h2', {}, h('span', {}, t('mo.live')), liveBadge),
            h('div', { class: 'mo-live-row' }, liveScore, thresholdText),
            h('div', { class: 'mo-meter' }, meterBar, meterMark), liveSub),
          h('div', { class: 'mo-box', id: 'mo-settings' },
            h('h2', {}, t('mo.settings')),
            h('label', { class: 'mo-check mo-switch' }, enabledIn, h('span', {}, t('mo.enabled'))),
            h('label', { class: 'mo-field' }, h('span', {}, t('mo.sensitivity'), sensOut), sensIn, h('small', {}, t('mo.sensitivity_help'))),
            h('label', { class: 'mo-field' }, h('span', {}, t('mo.min_area')), areaIn, h('small', {}, t('mo.min_area_help'))),
            h('label', { class: 'mo-field' }, h('span', {}, t('mo.rate')), rateIn),
            h('label', { class: 'mo-check' }, kfIn, h('span', {}, t('mo.keyframes_only'))),
            formErr,
            h('div', { class: 'mo-actions' }, saveState, revertBtn, saveBtn)),
          h('div', { class: 'mo-box' },
            h('h2', {}, h('span', {}, t('mo.recent')), h('a', { href: `#/events?camera=${cam.id}`, id: 'mo-all-events' }, t('mo.all_events'))),
            recent)))));

    // ---- geometry ----
    const rect = () => svg.getBoundingClientRect();
    const toNorm = (e) => { const r = rect(); return [clamp01((e.clientX - r.left) / r.width), clamp01((e.clientY - r.top) / r.height)]; };
    const unit = () => { const r = rect(); return r.width ? W / r.width : 1; };     // SVG units per CSS pixel
    const px = (p) => `${(p[0] * W).toFixed(1)},${(p[1] * H).toFixed(1)}`;

    function centroid(pts) {
      let x = 0, y = 0;
      for (const p of pts) { x += p[0]; y += p[1]; }
      return [x / pts.length, y / pts.length];
    }

    function drawStage() {
      const u = unit();
      const r = HANDLE_PX * u;
      const kids = [];
      kids.push(s('defs', {},
        s('pattern', { id: 'mo-hatch', width: 10 * u, height: 10 * u, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
          s('rect', { width: 10 * u, height: 10 * u, fill: 'rgba(239,68,68,.18)' }),
          s('line', { x1: 0, y1: 0, x2: 0, y2: 10 * u, stroke: 'rgba(239,68,68,.75)', 'stroke-width': 3 * u }))));
      zones.forEach((z, i) => {
        const isSel = i === sel;
        const poly = s('polygon', {
          class: `z${isSel ? ' sel' : ''}`, 'data-zone': i, points: z.points.map(px).join(' '),
          fill: z.kind === 'mask' ? 'url(#mo-hatch)' : z.color, 'fill-opacity': z.kind === 'mask' ? 1 : (isSel ? 0.32 : 0.22),
          stroke: z.color, 'stroke-width': (isSel ? 3 : 2) * u, 'stroke-linejoin': 'round',
          'stroke-dasharray': z.kind === 'mask' ? `${6 * u} ${4 * u}` : null,
        });
        poly.addEventListener('pointerdown', (e) => onZoneDown(e, i));
        kids.push(poly);
        const c = centroid(z.points);
        const label = s('text', { x: c[0] * W, y: c[1] * H, 'text-anchor': 'middle', 'dominant-baseline': 'middle', 'font-size': 13 * u, 'stroke-width': 3 * u });
        label.textContent = z.kind === 'mask' ? `⊘ ${z.name}` : z.name;
        kids.push(label);
      });
      if (sel >= 0 && zones[sel] && !draft && canEdit) {
        const z = zones[sel];
        z.points.forEach((p, k) => {
          const q = z.points[(k + 1) % z.points.length];
          if (z.points.length < maxPoints) {
            const m = [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
            const mid = s('g', { class: 'mid', 'data-mid': k },
              s('circle', { cx: m[0] * W, cy: m[1] * H, r: r * 0.8, fill: 'rgba(255,255,255,.85)', stroke: z.color, 'stroke-width': 1.5 * u }),
              s('path', { d: `M${m[0] * W - r * 0.45},${m[1] * H}h${r * 0.9}M${m[0] * W},${m[1] * H - r * 0.45}v${r * 0.9}`, stroke: '#0f172a', 'stroke-width': 1.5 * u }));
            mid.addEventListener('pointerdown', (e) => { e.stopPropagation(); e.preventDefault(); insertPoint(k, m, e); });
            kids.push(mid);
          }
        });
        z.points.forEach((p, k) => {
          const hd = s('circle', { class: 'h', 'data-point': k, cx: p[0] * W, cy: p[1] * H, r, fill: '#fff', stroke: z.color, 'stroke-width': 2.5 * u });
          hd.addEventListener('pointerdown', (e) => onPointDown(e, sel, k));
          hd.addEventListener('dblclick', (e) => { e.stopPropagation(); removePoint(sel, k); });
          kids.push(hd);
        });
      }
      if (draft) {
        const color = draftKind === 'mask' ? MASK : PALETTE[colorN % PALETTE.length];
        const pts = hover ? [...draft, hover] : draft;
        if (pts.length >= 2) kids.push(s('polyline', { points: pts.map(px).join(' '), fill: color, 'fill-opacity': 0.15, stroke: color, 'stroke-width': 2 * u, 'stroke-dasharray': `${5 * u} ${4 * u}` }));
        draft.forEach((p, k) => kids.push(s('circle', { class: k === 0 ? 'first' : null, cx: p[0] * W, cy: p[1] * H, r: k === 0 ? r * 1.3 : r * 0.8, fill: k === 0 ? color : '#fff', stroke: k === 0 ? '#fff' : color, 'stroke-width': 2 * u })));
      }
      if (!draft) drawMinObject(kids, u);
      svg.replaceChildren(...kids);
      stage.classList.toggle('drawing', !!draft);
      help.textContent = canEdit ? t(draft ? 'mo.help.draw' : 'mo.help.idle') : '';
      newZoneBtn.hidden = newMaskBtn.hidden = !!draft || !canEdit;
      finishBtn.hidden = cancelBtn.hidden = !draft;
      finishBtn.disabled = !draft || draft.length < 3;
    }

    // The smallest object the detector would report, drawn at the zone's
    // scale: min_area % of the zone's area (the selected watch zone, else
    // the largest, else the whole picture), as a standing person (2:5).
    function polyArea(pts) {
      let a = 0;
      for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) a += (pts[j][0] + pts[i][0]) * (pts[j][1] - pts[i][1]);
      return Math.abs(a) / 2;
    }
    function minObject() {
      const inc = zones.filter((z) => z.kind === 'include' && z.points.length >= 3);
      let z = sel >= 0 && zones[sel] && zones[sel].kind === 'include' ? zones[sel] : null;
      if (!z && inc.length) z = inc.reduce((a, b) => (polyArea(b.points) > polyArea(a.points) ? b : a));
      const frac = z ? polyArea(z.points) : 1;
      const area = (Number(areaIn.value) / 100) * frac * W * H;
      const w = Math.max(1, Math.sqrt(area * 0.4)), hh = w * 2.5;
      const c = z ? centroid(z.points) : [0.5, 0.6];
      return { x: c[0] * W - w / 2, y: c[1] * H - hh / 2, w, h: hh, area };
    }
    function drawMinObject(kids, u) {
      if (!(Number(areaIn.value) > 0)) return;
      const m = minObject();
      const label = t('mo.min_object', { w: Math.round(m.w), h: Math.round(m.h) });
      const g = s('g', { id: 'mo-min-object', 'data-area-px': Math.round(m.area), 'pointer-events': 'none' },
        s('rect', { x: m.x, y: m.y, width: m.w, height: m.h, fill: 'rgba(250,204,21,.25)', stroke: '#facc15', 'stroke-width': 2 * u, 'stroke-dasharray': `${4 * u} ${3 * u}` }));
      const tx = s('text', { x: m.x + m.w / 2, y: m.y - 6 * u, 'text-anchor': 'middle', 'font-size': 12 * u, 'stroke-width': 3 * u });
      tx.textContent = label;
      g.append(tx);
      g.append(s('title', {}, label));
      kids.push(g);
    }

    function drawZoneList() {
      zoneCount.textContent = `${zones.length}/${maxZones}`;
      if (!zones.length) { zoneList.replaceChildren(h('div', { class: 'mo-empty', id: 'mo-no-zones' }, t('mo.no_zones'))); return; }
      zoneList.replaceChildren(...zones.map((z, i) => {
        const name = h('input', { value: z.name, maxlength: 63, 'aria-label': t('mo.zone_name'), disabled: !canEdit, 'data-zone-name': i,
          oninput: () => { z.name = name.value; drawStage(); changed(); } });
        const kind = h('select', { disabled: !canEdit, 'data-zone-kind': i, onchange: () => {
          z.kind = kind.value;
          z.color = z.kind === 'mask' ? MASK : (z.color === MASK ? nextColor() : z.color);
          drawStage(); drawZoneList(); changed();
        } },
          h('option', { value: 'include', selected: z.kind === 'include' }, t('mo.kind.include')),
          h('option', { value: 'mask', selected: z.kind === 'mask' }, t('mo.kind.mask')));
        const del = h('button', { type: 'button', class: 'btn btn-danger', title: t('mo.delete_zone'), 'aria-label': t('mo.delete_zone'), hidden: !canEdit, 'data-zone-delete': i,
          onclick: (e) => { e.stopPropagation(); deleteZone(i); } }, '✕');
        return h('div', { class: `mo-zone${i === sel ? ' sel' : ''}`, 'data-zone-row': i, onclick: (e) => { if (e.target.tagName !== 'INPUT' && e.target.tagName !== 'SELECT') { sel = i; drawStage(); markSel(); } } },
          h('span', { class: 'sw', style: `background:${z.color}` }), name, kind, del,
          h('small', {}, t('mo.points', { n: z.points.length })));
      }));
    }
    function markSel() {
      for (const row of zoneList.querySelectorAll('.mo-zone')) row.classList.toggle('sel', Number(row.dataset.zoneRow) === sel);
    }

    // ---- editing ----
    function uniqueName(kind) {
      for (let n = 1; ; n++) {
        const name = t(kind === 'mask' ? 'mo.default_mask' : 'mo.default_name', { n });
        if (!zones.some((z) => z.name === name)) return name;
      }
    }
    function startDraw(kind) {
      if (!canEdit) return;
      if (zones.length >= maxZones) { ui.toast(t('mo.too_many', { n: maxZones }), 'error'); return; }
      // Keys (Enter, Esc, Backspace) go to the drawing, not to a name field.
      if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
      draft = [];
      draftKind = kind;
      sel = -1;
      drawStage(); markSel();
    }
    function cancelDraw() { draft = null; hover = null; drawStage(); }
    function finishDraw() {
      if (!draft || draft.length < 3) return;
      zones.push({ name: uniqueName(draftKind), kind: draftKind, points: draft.map((p) => [round4(p[0]), round4(p[1])]), color: draftKind === 'mask' ? MASK : nextColor() });
      sel = zones.length - 1;
      draft = null;
      hover = null;
      drawStage(); drawZoneList(); changed();
    }
    function deleteZone(i) {
      zones.splice(i, 1);
      sel = -1;
      drawStage(); drawZoneList(); changed();
    }
    function removePoint(zi, k) {
      const z = zones[zi];
      if (!z || z.points.length <= 3) return;
      z.points.splice(k, 1);
      drawStage(); drawZoneList(); changed();
    }
    function insertPoint(k, m, e) {
      const z = zones[sel];
      z.points.splice(k + 1, 0, [round4(m[0]), round4(m[1])]);
      drawStage(); drawZoneList(); changed();
      onPointDown(e, sel, k + 1);
    }
    function onPointDown(e, zi, k) {
      if (!canEdit) return;
      e.stopPropagation();
      e.preventDefault();
      drag = { zone: zi, point: k };
      svg.setPointerCapture(e.pointerId);
    }
    function onZoneDown(e, i) {
      if (draft) return;  // clicks add points while drawing
      e.stopPropagation();
      if (sel !== i) { sel = i; drawStage(); markSel(); return; }
      if (!canEdit) return;
      e.preventDefault();
      drag = { zone: i, point: -1, start: toNorm(e), orig: zones[i].points.map((p) => [...p]) };
      svg.setPointerCapture(e.pointerId);
    }
    // A double click closes the zone being drawn.  Detected here rather
    // than with 'dblclick': every click redraws the overlay, so the two
    // clicks land on different elements and the browser sends no dblclick.
    let lastDown = { t: 0, x: 0, y: 0 };
    svg.addEventListener('pointerdown', (e) => {
      if (!draft) { if (sel !== -1) { sel = -1; drawStage(); markSel(); } return; }
      e.preventDefault();
      const dbl = e.timeStamp - lastDown.t < 400 && Math.hypot(e.clientX - lastDown.x, e.clientY - lastDown.y) < 6;
      lastDown = { t: e.timeStamp, x: e.clientX, y: e.clientY };
      if (dbl && draft.length >= 3) { finishDraw(); return; }
      const p = toNorm(e);
      if (draft.length >= 3) {
        const u = unit();
        const f = draft[0];
        const dx = (p[0] - f[0]) * W / u, dy = (p[1] - f[1]) * H / u;
        if (Math.hypot(dx, dy) <= HANDLE_PX * 1.6) { finishDraw(); return; }
      }
      if (draft.length >= maxPoints) return;
      draft.push(p);
      drawStage();
    });
    svg.addEventListener('pointermove', (e) => {
      if (draft) { hover = toNorm(e); drawStage(); return; }
      if (!drag) return;
      const p = toNorm(e);
      const z = zones[drag.zone];
      if (drag.point >= 0) {
        z.points[drag.point] = [round4(p[0]), round4(p[1])];
      } else {
        // Move the whole zone, kept inside the picture.
        let dx = p[0] - drag.start[0], dy = p[1] - drag.start[1];
        const xs = drag.orig.map((q) => q[0]), ys = drag.orig.map((q) => q[1]);
        dx = Math.min(1 - Math.max(...xs), Math.max(-Math.min(...xs), dx));
        dy = Math.min(1 - Math.max(...ys), Math.max(-Math.min(...ys), dy));
        z.points = drag.orig.map((q) => [round4(q[0] + dx), round4(q[1] + dy)]);
      }
      drawStage();
      changed();
    });
    const endDrag = () => { drag = null; };
    svg.addEventListener('pointerup', endDrag);
    svg.addEventListener('pointercancel', endDrag);
    svg.addEventListener('pointerleave', () => { if (draft && hover) { hover = null; drawStage(); } });
    const onKey = (e) => {
      if (['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement && document.activeElement.tagName)) return;
      if (draft) {
        if (e.key === 'Escape') { e.preventDefault(); cancelDraw(); }
        else if (e.key === 'Enter') { e.preventDefault(); finishDraw(); }
        else if (e.key === 'Backspace') { e.preventDefault(); draft.pop(); drawStage(); }
      } else if ((e.key === 'Delete' || e.key === 'Backspace') && sel >= 0 && canEdit) {
        e.preventDefault();
        deleteZone(sel);
      } else if (e.key === 'Escape' && sel >= 0) { sel = -1; drawStage(); markSel(); }
    };
    document.addEventListener('keydown', onKey);
    const ro = new ResizeObserver(() => drawStage());
    ro.observe(stage);

    // ---- dirty state, save ----
    function current() {
      return {
        enabled: enabledIn.checked,
        sensitivity: Number(sensIn.value),
        min_area: Number(areaIn.value),
        rate: Number(rateIn.value),
        keyframes_only: kfIn.checked,
        zones: zones.map((z) => ({ name: z.name, kind: z.kind, points: z.points.map((p) => [round4(p[0]), round4(p[1])]) })),
      };
    }
    const canon = (o) => JSON.stringify({ ...o, zones: (o.zones || []).map((z) => ({ name: z.name, kind: z.kind, points: z.points.map((p) => [round4(p[0]), round4(p[1])]) })) });
    function savedShape() {
      return { enabled: saved.enabled, sensitivity: saved.sensitivity, min_area: saved.min_area, rate: saved.rate, keyframes_only: saved.keyframes_only, zones: saved.zones || [] };
    }
    function changed() {
      const dirty = canon(current()) !== canon(savedShape());
      saveBtn.disabled = !dirty || !canEdit;
      revertBtn.disabled = !dirty || !canEdit;
      saveState.className = `grow${dirty ? ' dirty' : ''}`;
      saveState.textContent = dirty ? t('mo.unsaved')
        : saved.default ? t('mo.default_note') : t('mo.updated', { t: ctx.fmtDateTime(saved.updated) });
      drawThreshold();
    }
    function revert() {
      zones = fromSaved(saved);
      sel = -1;
      draft = null;
      enabledIn.checked = saved.enabled;
      sensIn.value = saved.sensitivity;
      sensOut.textContent = String(saved.sensitivity);
      areaIn.value = saved.min_area;
      rateIn.value = saved.rate;
      kfIn.checked = saved.keyframes_only;
      formErr.textContent = '';
      drawStage(); drawZoneList(); changed();
    }
    async function save() {
      formErr.textContent = '';
      if (draft) { formErr.textContent = t('mo.leave_draw'); return; }
      const body = current();
      const bad = body.zones.find((z) => z.points.length < 3);
      if (bad) { formErr.textContent = t('mo.bad_zone', { name: bad.name }); return; }
      saveBtn.disabled = true;
      try {
        saved = await api.put(`/api/v1/cameras/${cam.id}/motion`, body);
        // Keep the colours; take the names and points as stored.
        const colors = zones.map((z) => z.color);
        zones = (saved.zones || []).map((z, i) => ({ name: z.name, kind: z.kind, points: z.points.map((p) => [p[0], p[1]]), color: colors[i] || (z.kind === 'mask' ? MASK : nextColor()) }));
        drawStage(); drawZoneList(); changed();
        ui.toast(t('mo.saved'));
      } catch (e) {
        formErr.textContent = e.message;
        changed();
      }
    }

    // ---- snapshot ----
    async function loadSnapshot() {
      refreshBtn.disabled = true;
      try {
        const r = await fetch(`/api/v1/cameras/${cam.id}/snapshot`, { credentials: 'same-origin', cache: 'no-store' });
        if (!r.ok) {
          let m = `HTTP ${r.status}`;
          try { const j = await r.json(); m = apiErrorText({ status: r.status, ...((j && j.error) || {}) }); } catch { m = apiErrorText({ status: r.status }); }
          throw new Error(m);
        }
        const blob = await r.blob();
        if (closed) return;
        const url = URL.createObjectURL(blob);
        await new Promise((res, rej) => { img.onload = res; img.onerror = () => rej(new Error('bad image')); img.src = url; });
        if (snapUrl) URL.revokeObjectURL(snapUrl);
        snapUrl = url;
        if (closed) { URL.revokeObjectURL(url); return; }
        W = img.naturalWidth || 640;
        H = img.naturalHeight || 360;
        svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
        stage.style.aspectRatio = `${W} / ${H}`;
        img.hidden = false;
        placeholder.hidden = true;
        snapInfo.textContent = t('mo.snapshot_at', { t: ctx.fmtTime(Date.now()) });
      } catch (e) {
        if (closed) return;
        placeholder.hidden = false;
        placeholder.textContent = t('mo.snapshot_fail', { m: e.message });
        snapInfo.textContent = '';
      } finally {
        refreshBtn.disabled = false;
        if (!closed) drawStage();
      }
    }

    // ---- live state ----
    const pctf = (x) => ctx.fmtShare(x, x < 0.1 ? 1 : 0);
    // The bar is on a square-root scale: the threshold (often 0.3 %) and a
    // car filling half the zone both have to be visible.
    const scale = (x) => Math.min(100, Math.sqrt(Math.max(0, x)) * 100);
    function drawThreshold() {
      const th = Number(areaIn.value) / 100;
      meterMark.style.left = `${scale(th)}%`;
      thresholdText.textContent = t('mo.threshold', { p: pctf(th) });
      drawStage();   // the smallest-object outline follows the setting
    }
    async function pollState() {
      if (closed || document.hidden) return;
      try {
        const st = await api.get(`/api/v1/cameras/${cam.id}/motion/state`);
        if (closed) return;
        const m = st.motion;
        if (!m) {
          liveScore.textContent = '—';
          meterBar.style.width = '0%';
          liveBadge.replaceChildren(ui.badge(t(`mo.state.${st.state}`) || st.state, 'muted'));
          liveSub.textContent = t('mo.live_na', { s: t(`mo.state.${st.state}`) });
          return;
        }
        liveScore.textContent = pctf(m.score);
        meterBar.style.width = `${scale(m.score)}%`;
        liveBadge.replaceChildren(m.in_event ? ui.badge(t('mo.in_event'), 'warn') : ui.badge(t('mo.quiet'), 'ok'));
        liveSub.textContent = t('mo.frames', { n: m.frames_analysed, e: m.events });
      } catch { /* keep the last value */ }
    }
    async function loadRecent() {
      if (closed || document.hidden) return;
      try {
        const r = await api.get(`/api/v1/events?camera=${cam.id}&limit=6`);
        if (closed) return;
        if (!r.events.length) { recent.replaceChildren(h('div', { class: 'mo-empty' }, t('mo.recent_none'))); return; }
        recent.replaceChildren(...r.events.map((e) => h('a', { href: e.play_url, title: `${ctx.fmtDateTime(e.start_us / 1000)} · ${!e.zone || e.zone === 'all' ? t('zone.all') : e.zone}` },
          e.thumbnail_url ? h('img', { src: e.thumbnail_url, alt: '', loading: 'lazy' }) : null,
          h('span', {}, ctx.fmtTime(e.start_us / 1000, false)))));
      } catch { /* playback right missing: leave empty */ }
    }

    drawStage();
    drawZoneList();
    changed();
    loadSnapshot();
    pollState();
    loadRecent();
    const t1 = setInterval(pollState, STATE_MS);
    const t2 = setInterval(loadRecent, EVENTS_MS);
    return () => {
      closed = true;
      clearInterval(t1);
      clearInterval(t2);
      ro.disconnect();
      document.removeEventListener('keydown', onKey);
      if (snapUrl) URL.revokeObjectURL(snapUrl);
    };
  },
};
