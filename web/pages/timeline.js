// Timeline playback (#/timeline?camera=ID&date=YYYY-MM-DD[&at=T]): one
// camera's day as a 24-hour bar (recorded spans, gaps with their reason,
// motion events), zoomable to 5 minutes.  Click plays from that second,
// drag scrubs, shift-drag (or the [ ] marks) selects a range, and the
// selection is exported as evidence (MP4 + manifest with its SHA-256).
// Playback is an MSE player on /playback?at=… (lib/mseplayer.js); a seek
// inside what is buffered is instant, otherwise it is a new request.
import { MsePlayer, codecName } from '../lib/mseplayer.js';

const TZ_OFF_US = 7 * 3600e6;      // Asia/Ho_Chi_Minh: UTC+7 all year (no DST)
const DAY_US = 86400e6;
const MIN_SPAN = 5 * 60e6;
const ZOOMS = [[DAY_US, '24h'], [6 * 3600e6, '6h'], [3600e6, '1h'], [15 * 60e6, '15m'], [MIN_SPAN, '5m']];
const SPEEDS = [1, 2, 4, 8];
const REFRESH_TODAY_MS = 15000;

const strings = {
  vi: {
    'tl.title': 'Xem lại',
    'tl.camera': 'Camera',
    'tl.day': 'Ngày',
    'tl.prev_day': 'Ngày trước',
    'tl.next_day': 'Ngày sau',
    'tl.today': 'Hôm nay',
    'tl.stream': 'Luồng',
    'tl.stream.main': 'Chính',
    'tl.stream.sub': 'Phụ',
    'tl.goto': 'Đến giờ',
    'tl.goto_ph': 'HH:MM:SS',
    'tl.go': 'Phát',
    'tl.bad_time': 'Giờ không hợp lệ: nhập HH:MM hoặc HH:MM:SS.',
    'tl.play': 'Phát (phím cách)',
    'tl.pause': 'Tạm dừng (phím cách)',
    'tl.back10': 'Lùi 10 giây (←)',
    'tl.fwd10': 'Tới 10 giây (→)',
    'tl.speed': 'Tốc độ',
    'tl.zoom': 'Thu phóng',
    'tl.zoom.24h': '24 giờ',
    'tl.zoom.6h': '6 giờ',
    'tl.zoom.1h': '1 giờ',
    'tl.zoom.15m': '15 phút',
    'tl.zoom.5m': '5 phút',
    'tl.mark_in': 'Đầu đoạn [',
    'tl.mark_out': 'Cuối đoạn ]',
    'tl.mark_help': 'Đánh dấu đầu/cuối đoạn tại thời điểm đang xem (phím [ và ]); hoặc giữ Shift và kéo trên thanh thời gian.',
    'tl.legend.rec': 'Có bản ghi',
    'tl.legend.gap': 'Mất bản ghi',
    'tl.legend.event': 'Sự kiện chuyển động',
    'tl.legend.sel': 'Đoạn chọn',
    'tl.bar_help': 'Bấm để phát từ thời điểm đó · kéo để tua · Shift + kéo để chọn đoạn · lăn chuột để thu phóng',
    'tl.no_cameras': 'Chưa có camera nào bạn được xem lại.',
    'tl.no_rec_day': 'Không có bản ghi nào của camera này trong ngày {d}.',
    'tl.no_rec_at': 'Không có bản ghi từ {t} trở đi.',
    'tl.jumped': 'Không có bản ghi lúc {t} — phát từ {t2}.',
    'tl.ended': 'Hết bản ghi.',
    'tl.loading': 'Đang tải…',
    'tl.forbidden': 'Bạn không được xem lại camera này.',
    'tl.no_consent': 'Chủ camera chưa đồng ý (hoặc đã rút lại sự đồng ý) cho xem lại camera này.',
    'tl.unsupported': 'Trình duyệt này không phát được video {codec} của luồng này.',
    'tl.unsupported_help': 'Hãy chọn luồng phụ (H.264) nếu có, hoặc dùng trình duyệt có hỗ trợ HEVC (Edge, Safari, Chrome có tăng tốc phần cứng). Xuất bằng chứng vẫn dùng được.',
    'tl.try_sub': 'Xem luồng phụ',
    'tl.error': 'Không phát được: {m}',
    'tl.sel': 'Đoạn chọn',
    'tl.sel_none': 'Chưa chọn đoạn nào. Dùng “Đầu đoạn”/“Cuối đoạn” hoặc Shift + kéo trên thanh thời gian.',
    'tl.sel_half': 'Đã đánh dấu đầu đoạn {t}. Đánh dấu cuối đoạn để xuất.',
    'tl.sel_clear': 'Bỏ chọn',
    'tl.export': 'Xuất bằng chứng',
    'tl.exporting': 'Đang xuất…',
    'tl.export_title': 'Bản xuất bằng chứng',
    'tl.export_done': 'Đã xuất: {size}',
    'tl.export_file': 'Tải video (MP4)',
    'tl.export_manifest': 'Tải biên bản (JSON)',
    'tl.export_sha': 'SHA-256',
    'tl.export_note': 'Biên bản ghi camera, khoảng thời gian, người xuất và mã SHA-256 của tệp. Mọi lần xuất đều được ghi vào nhật ký.',
    'tl.export_failed': 'Xuất không thành công: {m}',
    'tl.events': 'Sự kiện chuyển động',
    'tl.events_none': 'Không có sự kiện trong ngày.',
    'tl.gaps': 'Khoảng mất bản ghi',
    'tl.gaps_none': 'Không có khoảng mất bản ghi.',
    'tl.col.time': 'Thời gian',
    'tl.col.dur': 'Kéo dài',
    'tl.col.zone': 'Vùng',
    'tl.col.reason': 'Lý do',
    'tl.recorded': 'Đã ghi {d}',
    'tl.dur.h': '{n} giờ',
    'tl.dur.m': '{n} phút',
    'tl.dur.s': '{n} giây',
  },
  en: {
    'tl.title': 'Playback',
    'tl.camera': 'Camera',
    'tl.day': 'Day',
    'tl.prev_day': 'Previous day',
    'tl.next_day': 'Next day',
    'tl.today': 'Today',
    'tl.stream': 'Stream',
    'tl.stream.main': 'Main',
    'tl.stream.sub': 'Sub',
    'tl.goto': 'Go to',
    'tl.goto_ph': 'HH:MM:SS',
    'tl.go': 'Play',
    'tl.bad_time': 'Not a time: type HH:MM or HH:MM:SS.',
    'tl.play': 'Play (space)',
    'tl.pause': 'Pause (space)',
    'tl.back10': 'Back 10 seconds (←)',
    'tl.fwd10': 'Forward 10 seconds (→)',
    'tl.speed': 'Speed',
    'tl.zoom': 'Zoom',
    'tl.zoom.24h': '24 h',
    'tl.zoom.6h': '6 h',
    'tl.zoom.1h': '1 h',
    'tl.zoom.15m': '15 min',
    'tl.zoom.5m': '5 min',
    'tl.mark_in': 'Mark in [',
    'tl.mark_out': 'Mark out ]',
    'tl.mark_help': 'Mark the start/end of a range at the picture shown (keys [ and ]); or shift-drag on the time bar.',
    'tl.legend.rec': 'Recorded',
    'tl.legend.gap': 'Missing recording',
    'tl.legend.event': 'Motion event',
    'tl.legend.sel': 'Selection',
    'tl.bar_help': 'Click to play from there · drag to scrub · shift-drag to select · mouse wheel to zoom',
    'tl.no_cameras': 'There are no cameras you may play back.',
    'tl.no_rec_day': 'This camera recorded nothing on {d}.',
    'tl.no_rec_at': 'Nothing recorded from {t} on.',
    'tl.jumped': 'Nothing recorded at {t} — playing from {t2}.',
    'tl.ended': 'End of recordings.',
    'tl.loading': 'Loading…',
    'tl.forbidden': 'You may not play back this camera.',
    'tl.no_consent': "The camera's owner has not agreed (or no longer agrees) to viewing its recordings.",
    'tl.unsupported': 'This browser cannot play this stream\'s {codec} video.',
    'tl.unsupported_help': 'Choose the sub stream (H.264) if there is one, or use a browser with HEVC support (Edge, Safari, Chrome with hardware decoding). Evidence export still works.',
    'tl.try_sub': 'Watch the sub stream',
    'tl.error': 'Cannot play: {m}',
    'tl.sel': 'Selection',
    'tl.sel_none': 'No range selected. Use “Mark in”/“Mark out” or shift-drag on the time bar.',
    'tl.sel_half': 'Range starts at {t}. Mark its end to export.',
    'tl.sel_clear': 'Clear',
    'tl.export': 'Export evidence',
    'tl.exporting': 'Exporting…',
    'tl.export_title': 'Evidence export',
    'tl.export_done': 'Exported: {size}',
    'tl.export_file': 'Download video (MP4)',
    'tl.export_manifest': 'Download manifest (JSON)',
    'tl.export_sha': 'SHA-256',
    'tl.export_note': 'The manifest names the camera, the time range, who exported it and the file\'s SHA-256. Every export is in the audit trail.',
    'tl.export_failed': 'Export failed: {m}',
    'tl.events': 'Motion events',
    'tl.events_none': 'No events this day.',
    'tl.gaps': 'Missing recordings',
    'tl.gaps_none': 'No missing recordings.',
    'tl.col.time': 'Time',
    'tl.col.dur': 'Length',
    'tl.col.zone': 'Zone',
    'tl.col.reason': 'Reason',
    'tl.recorded': '{d} recorded',
    'tl.dur.h': '{n} h',
    'tl.dur.m': '{n} min',
    'tl.dur.s': '{n} s',
  },
};

const I = {
  play: '<svg class="icon" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M7 4.5v15l13-7.5z"/></svg>',
  pause: '<svg class="icon" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><rect x="6" y="4.5" width="4" height="15" rx="1"/><rect x="14" y="4.5" width="4" height="15" rx="1"/></svg>',
  back: '<svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M11 7 6 12l5 5M18 7l-5 5 5 5"/></svg>',
  fwd: '<svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="m6 7 5 5-5 5M13 7l5 5-5 5"/></svg>',
  cal: '<svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" aria-hidden="true"><rect x="3.5" y="5" width="17" height="15" rx="2"/><path d="M3.5 10h17M8 3v4M16 3v4"/></svg>',
  export: '<svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M12 3v12M7 10l5 5 5-5"/><path d="M4 17v3h16v-3"/></svg>',
  warn: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M12 3 2 20h20z"/><path d="M12 10v4M12 17v.5"/></svg>',
};

// ---- station-time helpers (µs since the epoch, UTC) -----------------------
const pad = (n, w = 2) => String(n).padStart(w, '0');
const dayStartOf = (d) => { const [y, m, dd] = d.split('-').map(Number); return Date.UTC(y, m - 1, dd) * 1000 - TZ_OFF_US; };
const dateOf = (us) => new Date((us + TZ_OFF_US) / 1000).toISOString().slice(0, 10);
const today = () => dateOf(Date.now() * 1000);
const shiftDay = (d, k) => dateOf(dayStartOf(d) + k * DAY_US + 3600e6);
// ISO 8601 in station time, as the API takes it: 2026-11-25T08:15:02.000+07:00
const isoOf = (us) => new Date(Math.round((us + TZ_OFF_US) / 1000)).toISOString().replace('Z', '+07:00');
const hms = (us) => { const s = Math.floor(((us + TZ_OFF_US) % DAY_US + DAY_US) % DAY_US / 1e6); return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`; };
const hm = (us) => hms(us).slice(0, 5);
const validDate = (d) => /^\d{4}-\d{2}-\d{2}$/.test(d || '') && !Number.isNaN(dayStartOf(d)) && dateOf(dayStartOf(d)) === d;

function parseTimeParam(v) {
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1e6;       // epoch seconds
  let s = v;
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(s)) s += '+07:00';         // no offset = station time
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : ms * 1000;
}

export default {
  title: 'tl.title',
  strings,
  async render(el, ctx) {
    const { api, t, h, ui } = ctx;
    const cams = (await api.get('/api/v1/cameras')).cameras;
    if (!cams.length) { el.append(h('div', { class: 'empty' }, t('tl.no_cameras'))); return undefined; }
    const canExport = ctx.is('admin', 'province', 'officer');
    const nf = new Intl.NumberFormat(ctx.lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 });

    // ---- state ----
    const atParam = parseTimeParam(ctx.params.get('at'));
    let cam = cams.find((c) => String(c.id) === ctx.params.get('camera')) || cams[0];
    let date = validDate(ctx.params.get('date')) ? ctx.params.get('date') : (atParam ? dateOf(atParam) : today());
    let stream = ctx.params.get('stream') === 'sub' && cam.has_sub_stream ? 'sub' : 'main';
    let dayStart = dayStartOf(date);
    let data = { segments: [], gaps: [], events: [] };
    let view = { start: dayStart, span: DAY_US };
    let headUs = null;
    let sel = null;                  // { a, b } (b may be null while marking)
    let rate = 1;
    let player = null;
    let paused = false;
    let hoverX = null;
    let drag = null;
    let closed = false;
    let loadSeq = 0;
    const timers = [];

    const fmtDur = (us) => {
      let s = Math.round(us / 1e6);
      const H = Math.floor(s / 3600), M = Math.floor(s / 60) % 60; s %= 60;
      return [H ? t('tl.dur.h', { n: H }) : null, M ? t('tl.dur.m', { n: M }) : null, (s || (!H && !M)) ? t('tl.dur.s', { n: s }) : null].filter(Boolean).join(' ');
    };
    const fmtBytes = (b) => (b >= 1e9 ? `${nf.format(b / 1e9)} GB` : b >= 1e6 ? `${nf.format(b / 1e6)} MB` : `${nf.format(b / 1e3)} kB`);

    // ---- toolbar ----
    const camSel = h('select', { id: 'tl-camera', onchange: () => { cam = cams.find((c) => String(c.id) === camSel.value); if (!cam.has_sub_stream) stream = 'main'; drawStreamSel(); load(true); } },
      cams.map((c) => h('option', { value: c.id, selected: c.id === cam.id }, c.name)));
    const dateInput = h('input', { type: 'date', id: 'tl-date-input', class: 'tl-date-native', tabindex: -1, 'aria-hidden': 'true',
      onchange: () => { if (validDate(dateInput.value)) setDate(dateInput.value); } });
    const dateBtn = h('button', { class: 'btn tl-date', id: 'tl-date', title: t('tl.day'),
      onclick: () => { try { dateInput.showPicker(); } catch { dateInput.focus(); } } });
    const prevDay = h('button', { class: 'btn', id: 'tl-prev-day', title: t('tl.prev_day'), 'aria-label': t('tl.prev_day'), onclick: () => setDate(shiftDay(date, -1)) }, '‹');
    const nextDay = h('button', { class: 'btn', id: 'tl-next-day', title: t('tl.next_day'), 'aria-label': t('tl.next_day'), onclick: () => setDate(shiftDay(date, 1)) }, '›');
    const todayBtn = h('button', { class: 'btn', id: 'tl-today', onclick: () => setDate(today()) }, t('tl.today'));
    const streamSel = h('select', { id: 'tl-stream', onchange: () => { stream = streamSel.value; stopPlayer(); load(false, headUs); } });
    const streamWrap = h('label', {}, t('tl.stream'), streamSel);
    function drawStreamSel() {
      streamSel.replaceChildren(h('option', { value: 'main', selected: stream === 'main' }, t('tl.stream.main')),
        cam.has_sub_stream ? h('option', { value: 'sub', selected: stream === 'sub' }, t('tl.stream.sub')) : null);
      streamWrap.hidden = !cam.has_sub_stream;
    }
    const gotoInput = h('input', { id: 'tl-goto', class: 'tl-goto', placeholder: t('tl.goto_ph'), inputmode: 'numeric', autocomplete: 'off',
      onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); gotoTime(); } } });
    const gotoBtn = h('button', { class: 'btn', id: 'tl-goto-btn', onclick: () => gotoTime() }, t('tl.go'));

    // ---- player ----
    const video = h('video', { id: 'tl-video', muted: true, playsinline: true, disablepictureinpicture: true });
    const vmsg = h('div', { class: 'cv-msg', id: 'tl-msg', hidden: true });
    const spin = h('div', { class: 'cv-spin', hidden: true });
    const vname = h('span', { class: 'cv-name' });
    const vinfo = h('span', { class: 'cv-badge tl-vinfo' });
    const vnote = h('div', { class: 'tl-note', hidden: true });
    const screen = h('div', { class: 'cv tl-screen' }, video, spin, vmsg,
      h('div', { class: 'cv-top' }, vname, vinfo), vnote);
    const clock = h('div', { class: 'tl-clock', id: 'tl-clock', 'aria-live': 'off' }, '—');
    const playBtn = h('button', { class: 'btn tl-play', id: 'tl-play', onclick: () => togglePlay() });
    const speedBtns = SPEEDS.map((s) => h('button', { class: 'btn btn-small', 'data-speed': s, onclick: () => setRate(s) }, `${s}×`));
    const zoomBtns = ZOOMS.map(([span, k]) => h('button', { class: 'btn btn-small', 'data-zoom': k, onclick: () => zoomTo(span, headUs) }, t(`tl.zoom.${k}`)));
    const markIn = h('button', { class: 'btn btn-small', id: 'tl-mark-in', title: t('tl.mark_help'), onclick: () => mark('a') }, t('tl.mark_in'));
    const markOut = h('button', { class: 'btn btn-small', id: 'tl-mark-out', title: t('tl.mark_help'), onclick: () => mark('b') }, t('tl.mark_out'));
    const canvas = h('canvas', { class: 'tl-bar', id: 'tl-bar', tabindex: 0, 'aria-label': t('tl.bar_help') });
    const tip = h('div', { class: 'tl-tip', hidden: true });

    // ---- export + lists ----
    const selText = h('div', { class: 'tl-sel-text', id: 'tl-sel-text' });
    const exportBtn = h('button', { class: 'btn btn-primary', id: 'tl-export', onclick: () => doExport(), html: `${I.export}<span>${t('tl.export')}</span>` });
    const clearSel = h('button', { class: 'btn', id: 'tl-sel-clear', onclick: () => { sel = null; drawSel(); redraw(); } }, t('tl.sel_clear'));
    const exportResult = h('div', { class: 'tl-export-result', id: 'tl-export-result', hidden: true });
    const evList = h('div', { class: 'tl-list', id: 'tl-events' });
    const gapList = h('div', { class: 'tl-list', id: 'tl-gaps' });
    const recSummary = h('span', { class: 'muted', id: 'tl-recorded' });

    el.append(
      h('div', { class: 'filters tl-toolbar' },
        h('label', {}, t('tl.camera'), camSel),
        h('div', { class: 'tl-field' }, h('span', { class: 'tl-field-label' }, t('tl.day')),
          h('div', { class: 'tl-daypick' }, prevDay, h('span', { class: 'tl-date-wrap' }, dateBtn, dateInput), nextDay, todayBtn)),
        streamWrap,
        h('div', { class: 'tl-field' }, h('span', { class: 'tl-field-label' }, t('tl.goto')),
          h('div', { class: 'tl-daypick' }, gotoInput, gotoBtn)),
        h('div', { class: 'tl-spacer' }), recSummary),
      h('div', { class: 'tl-player' },
        screen,
        h('div', { class: 'tl-controls' },
          h('div', { class: 'tl-ctl-group' },
            h('button', { class: 'btn tl-ctl', id: 'tl-back', title: t('tl.back10'), 'aria-label': t('tl.back10'), onclick: () => nudge(-10e6), html: I.back }),
            playBtn,
            h('button', { class: 'btn tl-ctl', id: 'tl-fwd', title: t('tl.fwd10'), 'aria-label': t('tl.fwd10'), onclick: () => nudge(10e6), html: I.fwd })),
          clock,
          h('div', { class: 'seg tl-seg', role: 'group', 'aria-label': t('tl.speed'), id: 'tl-speeds' }, speedBtns),
          h('div', { class: 'tl-spacer' }),
          h('div', { class: 'seg tl-seg', role: 'group', 'aria-label': t('tl.zoom'), id: 'tl-zooms' }, zoomBtns),
          canExport ? h('div', { class: 'seg tl-seg' }, markIn, markOut) : null),
        h('div', { class: 'tl-bar-wrap' }, canvas, tip),
        h('div', { class: 'tl-legend' },
          h('span', { class: 'lg lg-rec' }, t('tl.legend.rec')),
          h('span', { class: 'lg lg-gap' }, t('tl.legend.gap')),
          h('span', { class: 'lg lg-event' }, t('tl.legend.event')),
          canExport ? h('span', { class: 'lg lg-sel' }, t('tl.legend.sel')) : null,
          h('span', { class: 'tl-help' }, t('tl.bar_help')))),
      canExport ? h('div', { class: 'tl-export card-box' },
        h('div', { class: 'tl-export-row' }, h('strong', {}, t('tl.sel')), selText, h('div', { class: 'tl-spacer' }), clearSel, exportBtn),
        exportResult) : null,
      h('div', { class: 'tl-lists' },
        h('div', { class: 'card-box' }, h('h2', {}, t('tl.events')), evList),
        h('div', { class: 'card-box' }, h('h2', {}, t('tl.gaps')), gapList)));

    // ---- data ----
    async function load(fresh, at = null) {
      const seq = ++loadSeq;
      dayStart = dayStartOf(date);
      dateInput.value = date;
      dateBtn.innerHTML = `${I.cal}<span>${ctx.fmtDate(dayStart / 1000)}</span>`;
      nextDay.disabled = date >= today();
      todayBtn.disabled = date === today();
      // Keep the address shareable (camera, day, stream); `at` stays while
      // it still belongs to this camera and day.
      const q = new URLSearchParams(location.hash.split('?')[1] || '');
      if (q.get('camera') !== String(cam.id) || (q.get('date') && q.get('date') !== date)) q.delete('at');
      q.set('camera', cam.id);
      q.set('date', date);
      if (stream === 'sub') q.set('stream', 'sub'); else q.delete('stream');
      history.replaceState(null, '', `#/timeline?${q}`);
      vname.textContent = cam.name;
      if (fresh) { stopPlayer(); sel = null; drawSel(); exportResult.hidden = true; view = { start: dayStart, span: DAY_US }; }
      try {
        const r = await api.get(`/api/v1/cameras/${cam.id}/timeline${ctx.qs({ from: dayStart / 1e6, to: (dayStart + DAY_US) / 1e6, stream })}`);
        if (seq !== loadSeq || closed) return;
        data = { segments: r.segments || [], gaps: r.gaps || [], events: r.events || [] };
      } catch (e) {
        if (seq !== loadSeq || closed) return;
        data = { segments: [], gaps: [], events: [] };
        if (e.status === 403 || e.status === 404) { showMsg('forbidden'); redraw(); return; }
        ui.showError(e);
      }
      drawLists();
      redraw();
      if (at !== null) {
        seek(at);
        if (fresh) zoomTo(3600e6, at);
        return;
      }
      if (!fresh && player) return;
      const segs = data.segments;
      if (!segs.length) {
        stopPlayer();
        headUs = null;
        showMsg('noday');
        updateClock();
        return;
      }
      // Where to start: the time asked for; today, a minute before the
      // newest picture; another day, its first recording.
      const last = segs[segs.length - 1].end_us;
      const first = segs[0].start_us;
      const start = date === today() ? Math.max(first, last - 60e6) : first;
      seek(start);
      zoomTo(date === today() ? 3600e6 : DAY_US, start);
    }

    async function refreshData() {
      if (date !== today() || closed) return;
      try {
        const r = await api.get(`/api/v1/cameras/${cam.id}/timeline${ctx.qs({ from: dayStart / 1e6, to: (dayStart + DAY_US) / 1e6, stream })}`);
        if (closed) return;
        data = { segments: r.segments || [], gaps: r.gaps || [], events: r.events || [] };
        drawLists();
        redraw();
      } catch { /* next time */ }
    }
    timers.push(setInterval(refreshData, REFRESH_TODAY_MS));

    function setDate(d) {
      if (d > today()) d = today();
      date = d;
      load(true);
    }

    // ---- playing ----
    function stopPlayer() {
      if (player) player.stop();
      player = null;
      spin.hidden = true;
    }

    function seek(us, { quiet = false, resume = true } = {}) {
      us = Math.max(dayStart, Math.min(dayStart + DAY_US - 1e6, us));
      headUs = us;
      ensureVisible(us);
      updateClock();
      redraw();
      // A seek plays from there (the officer clicked to watch that moment);
      // stepping with ← → or the ±10 s buttons keeps a paused picture paused.
      if (resume) paused = false;
      drawPlay();
      if (player && player.state !== 'ended') {
        player.userPaused = paused;          // the player resumes after the seek unless paused
        if (player.seekWithin(us)) return;
      }
      startPlayer(us, quiet);
    }

    function startPlayer(us, quiet) {
      stopPlayer();
      hideMsg();
      spin.hidden = false;
      const url = `/api/v1/cameras/${cam.id}/playback?at=${(us / 1e6).toFixed(3)}&stream=${stream}`;
      const p = new MsePlayer(video, { url, live: false, targetUs: us, rate, onState: (s, info) => onState(p, s, info, us, quiet) });
      player = p;
      p.userPaused = paused;
      drawPlay();
      p.start();
    }

    function onState(p, s, info, askedUs, quiet) {
      if (p !== player || closed) return;
      spin.hidden = !['connecting', 'waiting'].includes(s);
      if (s === 'playing') {
        hideMsg();
        const w = p.wallUs();
        vinfo.textContent = `${t(stream === 'main' ? 'tl.stream.main' : 'tl.stream.sub')} · ${codecName(info.codec)}${video.videoWidth ? ` · ${video.videoWidth}×${video.videoHeight}` : ''}`;
        if (!quiet && w !== null && w - askedUs > 3e6) note(t('tl.jumped', { t: hms(askedUs), t2: hms(w) }));
      } else if (s === 'notfound') {
        showMsg('noat', { t: hms(askedUs) });
      } else if (s === 'forbidden') {
        // a playback refused, or cut off and refused on resuming, for want
        // of the owner's consent says so (issue 11 item 3)
        showMsg(info.code === 'no_consent' ? 'no_consent' : 'forbidden');
      } else if (s === 'unsupported') {
        showMsg('unsupported', info);
      } else if (s === 'stalled') {
        startPlayer(p.targetUs ?? headUs, true);
      } else if (s === 'ended') {
        // The stream stops at the end of what was recorded when it began,
        // or where the codec changed: go on with the next recording, if any.
        const end = p.bufferedUs().reduce((m, [, b]) => Math.max(m, b), 0);
        const next = data.segments.find((g) => g.end_us > end + 0.5e6);
        if (next && end) { startPlayer(Math.max(next.start_us, end + 1e3), true); return; }
        note(t('tl.ended'));
        paused = true;
        drawPlay();
      } else if (s === 'error' || s === 'offline') {
        showMsg('error', info);
      }
    }

    function note(text) {
      vnote.textContent = text;
      vnote.hidden = false;
      clearTimeout(note.timer);
      note.timer = setTimeout(() => { vnote.hidden = true; }, 6000);
    }

    function showMsg(kind, info = {}) {
      let body;
      if (kind === 'noday') body = [h('strong', {}, t('tl.no_rec_day', { d: ctx.fmtDate(dayStart / 1000) }))];
      else if (kind === 'noat') body = [h('strong', {}, t('tl.no_rec_at', { t: info.t }))];
      else if (kind === 'forbidden') body = [h('strong', {}, t('tl.forbidden'))];
      else if (kind === 'no_consent') body = [h('strong', {}, t('tl.no_consent'))];
      else if (kind === 'unsupported') {
        body = [h('div', { class: 'cv-icon', html: I.warn }),
          h('strong', {}, t('tl.unsupported', { codec: codecName(info.codec) || info.codec || '?' })),
          h('small', {}, t('tl.unsupported_help')),
          cam.has_sub_stream && stream === 'main' ? h('button', { class: 'btn btn-small cv-retry-btn', id: 'tl-try-sub', onclick: () => { stream = 'sub'; drawStreamSel(); stopPlayer(); load(false, headUs); } }, t('tl.try_sub')) : null];
      } else body = [h('div', { class: 'cv-icon', html: I.warn }), h('strong', {}, t('tl.error', { m: info.message || '' }))];
      vmsg.replaceChildren(...body.filter(Boolean));
      vmsg.hidden = false;
      screen.dataset.kind = kind === 'unsupported' ? 'warn' : kind === 'error' ? 'bad' : 'off';
      video.classList.add('cv-hidden');
      spin.hidden = true;
    }
    function hideMsg() { vmsg.hidden = true; video.classList.remove('cv-hidden'); delete screen.dataset.kind; }

    function togglePlay() {
      if (!player || player.state === 'ended') {
        paused = false;
        if (headUs !== null) startPlayer(headUs, true);
        return;
      }
      paused = !paused;
      if (paused) player.pause(); else player.play();
      drawPlay();
    }
    function drawPlay() {
      playBtn.innerHTML = paused ? I.play : I.pause;
      playBtn.title = t(paused ? 'tl.play' : 'tl.pause');
      playBtn.setAttribute('aria-label', playBtn.title);
    }
    function nudge(d) { if (headUs !== null) seek(headUs + d, { quiet: true, resume: false }); }
    function setRate(r) {
      rate = r;
      if (player) player.setRate(r);
      for (const b of speedBtns) b.classList.toggle('active', Number(b.dataset.speed) === r);
    }
    function gotoTime() {
      const m = /^\s*(\d{1,2})[:.hH]?(\d{2})?(?:[:.](\d{2}))?\s*$/.exec(gotoInput.value);
      if (!m || Number(m[1]) > 23 || Number(m[2] || 0) > 59 || Number(m[3] || 0) > 59) { ui.toast(t('tl.bad_time'), 'error'); return; }
      seek(dayStart + (Number(m[1]) * 3600 + Number(m[2] || 0) * 60 + Number(m[3] || 0)) * 1e6);
      if (view.span > 3600e6) zoomTo(3600e6, headUs);
    }
    function updateClock() {
      clock.textContent = headUs === null ? '—' : ctx.fmtDateTime(headUs / 1000);
      clock.dataset.us = headUs === null ? '' : String(Math.round(headUs));
    }

    // The play head follows the picture.
    timers.push(setInterval(() => {
      if (!player || drag) return;
      const w = player.wallUs();
      if (w === null || player.state === 'connecting') return;
      if (Math.abs(w - (headUs ?? 0)) > 1000) {
        headUs = w;
        updateClock();
        if (!paused) ensureVisible(w, true);
        redraw();
      }
    }, 200));

    // ---- selection + export ----
    function mark(which) {
      if (headUs === null) return;
      sel = sel || { a: null, b: null };
      sel[which] = Math.floor(headUs / 1e6) * 1e6;   // the second the clock shows, as an officer writes it down
      if (sel.a !== null && sel.b !== null && sel.a > sel.b) sel = { a: sel.b, b: sel.a };
      if (sel.a === null && sel.b !== null) sel = { a: null, b: sel.b };
      drawSel();
      redraw();
    }
    function selComplete() { return sel && sel.a !== null && sel.b !== null && sel.b > sel.a; }
    function drawSel() {
      if (!canExport) return;
      selText.replaceChildren();
      if (selComplete()) {
        selText.append(h('span', { class: 'mono' }, `${ctx.fmtDateTime(sel.a / 1000)} → ${hms(sel.b)}`), h('span', { class: 'muted' }, ` · ${fmtDur(sel.b - sel.a)}`));
      } else if (sel && (sel.a !== null || sel.b !== null)) {
        selText.append(h('span', { class: 'muted' }, t('tl.sel_half', { t: hms(sel.a ?? sel.b) })));
      } else {
        selText.append(h('span', { class: 'muted' }, t('tl.sel_none')));
      }
      exportBtn.disabled = !selComplete();
      clearSel.hidden = !sel;
    }

    async function doExport() {
      if (!selComplete()) return;
      exportBtn.disabled = true;
      exportBtn.lastChild.textContent = t('tl.exporting');
      exportResult.hidden = true;
      try {
        const r = await api.post(`/api/v1/cameras/${cam.id}/exports`, { from: isoOf(sel.a), to: isoOf(sel.b), stream });
        const x = r.export || r;
        exportResult.replaceChildren(
          h('div', { class: 'tl-export-head' },
            h('strong', {}, `${t('tl.export_title')} #${x.id}`),
            h('span', { class: 'muted' }, `${cam.name} · ${ctx.fmtDateTime(parseTimeParam(x.from) / 1000 || sel.a / 1000)} → ${hms(parseTimeParam(x.to) || sel.b)} · ${x.bytes != null ? fmtBytes(x.bytes) : ''}`)),
          h('div', { class: 'tl-export-sha' }, h('span', { class: 'muted' }, `${t('tl.export_sha')}: `), h('code', { id: 'tl-export-sha' }, x.sha256 || '')),
          h('div', { class: 'tl-export-links' },
            h('a', { class: 'btn btn-primary', id: 'tl-export-file', href: x.file_url, download: '', html: `${I.export}<span>${t('tl.export_file')}</span>` }),
            h('a', { class: 'btn', id: 'tl-export-manifest', href: x.manifest_url, download: '' }, t('tl.export_manifest'))),
          h('p', { class: 'muted tl-export-note' }, t('tl.export_note')));
        exportResult.hidden = false;
        ui.toast(t('tl.export_done', { size: x.bytes != null ? fmtBytes(x.bytes) : '' }));
      } catch (e) {
        ui.toast(t('tl.export_failed', { m: e.message }), 'error');
      } finally {
        exportBtn.lastChild.textContent = t('tl.export');
        exportBtn.disabled = !selComplete();
      }
    }

    // ---- lists ----
    function drawLists() {
      const evs = data.events;
      evList.replaceChildren(evs.length ? h('table', { class: 'grid tl-table' },
        h('thead', {}, h('tr', {}, h('th', {}, t('tl.col.time')), h('th', { class: 'num' }, t('tl.col.dur')), h('th', {}, t('tl.col.zone')))),
        h('tbody', {}, evs.map((e) => h('tr', { class: 'clickable', onclick: () => { seek((e.start_us ?? e.peak_us) - 2e6); zoomTo(Math.min(view.span, 3600e6), headUs); } },
          h('td', { class: 'mono' }, hms(e.peak_us ?? e.start_us)),
          h('td', { class: 'num' }, fmtDur((e.end_us ?? e.start_us) - e.start_us)),
          h('td', {}, e.zone || '—'))))) : h('div', { class: 'muted tl-none' }, t('tl.events_none')));
      const gaps = data.gaps;
      gapList.replaceChildren(gaps.length ? h('table', { class: 'grid tl-table' },
        h('thead', {}, h('tr', {}, h('th', {}, t('tl.col.time')), h('th', { class: 'num' }, t('tl.col.dur')), h('th', {}, t('tl.col.reason')))),
        h('tbody', {}, gaps.map((g) => h('tr', { class: 'clickable', onclick: () => zoomTo(Math.max(MIN_SPAN, Math.min(DAY_US, (g.end_us - g.start_us) * 4)), (g.start_us + g.end_us) / 2) },
          h('td', { class: 'mono' }, `${hms(g.start_us)} – ${hms(g.end_us)}`),
          h('td', { class: 'num' }, fmtDur(g.end_us - g.start_us)),
          h('td', {}, g.reason || '—'))))) : h('div', { class: 'muted tl-none' }, t('tl.gaps_none')));
      const rec = data.segments.reduce((s, g) => s + Math.max(0, Math.min(g.end_us, dayStart + DAY_US) - Math.max(g.start_us, dayStart)), 0);
      recSummary.textContent = rec ? t('tl.recorded', { d: fmtDur(rec) }) : '';
    }

    // ---- the bar ----
    const BAR_H = 78;
    const Y = { label: 13, trackTop: 20, trackH: 30, evTop: 54, evH: 10 };
    const xOf = (us, w) => ((us - view.start) / view.span) * w;
    const usOf = (x, w) => view.start + (x / w) * view.span;

    function clampView() {
      view.span = Math.max(MIN_SPAN, Math.min(DAY_US, view.span));
      view.start = Math.max(dayStart, Math.min(dayStart + DAY_US - view.span, view.start));
    }
    function zoomTo(span, center) {
      const c = center ?? (view.start + view.span / 2);
      view.span = span;
      view.start = c - span / 2;
      clampView();
      for (const b of zoomBtns) b.classList.toggle('active', ZOOMS.find(([, k]) => k === b.dataset.zoom)[0] === view.span);
      redraw();
    }
    function ensureVisible(us, follow = false) {
      if (us >= view.start && us <= view.start + view.span) {
        if (!follow || us < view.start + view.span * 0.95) return;
      }
      view.start = follow ? us - view.span * 0.1 : us - view.span / 2;
      clampView();
    }

    let raf = 0;
    function redraw() { if (!raf) raf = requestAnimationFrame(() => { raf = 0; paint(); }); }

    function paint() {
      if (closed) return;
      const w = canvas.clientWidth;
      if (!w) return;
      const dpr = window.devicePixelRatio || 1;
      if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(BAR_H * dpr)) {
        canvas.width = Math.round(w * dpr);
        canvas.height = Math.round(BAR_H * dpr);
      }
      canvas.dataset.viewStartUs = String(Math.round(view.start));
      canvas.dataset.viewSpanUs = String(Math.round(view.span));
      const g = canvas.getContext('2d');
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.clearRect(0, 0, w, BAR_H);
      g.fillStyle = '#0b1220';
      g.fillRect(0, 0, w, BAR_H);
      const { trackTop: tt, trackH: th, evTop, evH } = Y;
      // nothing recorded: dark; the future (today): darker still
      g.fillStyle = '#1a2436';
      g.fillRect(0, tt, w, th);
      const nowUs = Date.now() * 1000;
      if (nowUs < view.start + view.span) {
        const x = Math.max(0, xOf(nowUs, w));
        g.fillStyle = '#0e1524';
        g.fillRect(x, tt, w - x, th);
      }
      // ticks
      const steps = [10e6, 30e6, 60e6, 120e6, 300e6, 600e6, 900e6, 1800e6, 3600e6, 7200e6, 10800e6];
      const step = steps.find((s) => (s / view.span) * w >= (s < 60e6 ? 84 : 64)) || 10800e6;
      const minor = steps.filter((s) => s < step).reverse().find((s) => step % s === 0 && (s / view.span) * w >= 10) || 0;
      g.font = '11px ui-monospace, "DejaVu Sans Mono", monospace';
      g.textBaseline = 'alphabetic';
      if (minor) {
        g.fillStyle = '#334155';
        for (let u = Math.ceil((view.start + TZ_OFF_US) / minor) * minor - TZ_OFF_US; u <= view.start + view.span; u += minor) {
          const x = Math.round(xOf(u, w)) + 0.5;
          g.fillRect(x, tt - 3, 1, 3);
        }
      }
      for (let u = Math.ceil((view.start + TZ_OFF_US) / step) * step - TZ_OFF_US; u <= view.start + view.span; u += step) {
        const x = Math.round(xOf(u, w)) + 0.5;
        g.fillStyle = '#475569';
        g.fillRect(x, tt - 6, 1, 6);
        g.fillStyle = 'rgba(148,163,184,.12)';
        g.fillRect(x, tt, 1, th);
        const label = u === dayStart + DAY_US ? '24:00' : step < 60e6 ? hms(u) : hm(u);
        g.fillStyle = '#94a3b8';
        const tw = g.measureText(label).width;
        if (x - tw / 2 > 0 && x + tw / 2 < w) g.fillText(label, x - tw / 2, Y.label);
      }
      // recorded spans
      g.fillStyle = '#2563eb';
      for (const s of data.segments) {
        const x0 = xOf(s.start_us, w), x1 = xOf(s.end_us, w);
        if (x1 < 0 || x0 > w) continue;
        g.fillRect(Math.max(0, x0), tt + 3, Math.max(1, Math.min(w, x1) - Math.max(0, x0)), th - 6);
      }
      // gaps: red, hatched
      for (const gp of data.gaps) {
        const x0 = Math.max(0, xOf(gp.start_us, w)), x1 = Math.min(w, xOf(gp.end_us, w));
        if (x1 < 0 || x0 > w) continue;
        const ww = Math.max(2, x1 - x0);
        g.fillStyle = 'rgba(239,68,68,.35)';
        g.fillRect(x0, tt + 3, ww, th - 6);
        g.save();
        g.beginPath(); g.rect(x0, tt + 3, ww, th - 6); g.clip();
        g.strokeStyle = 'rgba(248,113,113,.8)';
        g.lineWidth = 1;
        for (let k = x0 - th; k < x0 + ww; k += 6) { g.beginPath(); g.moveTo(k, tt + th - 3); g.lineTo(k + th - 6, tt + 3); g.stroke(); }
        g.restore();
        g.fillStyle = '#ef4444';
        g.fillRect(x0, tt + 3, Math.min(2, ww), th - 6);
      }
      // events
      g.fillStyle = 'rgba(245,158,11,.22)';
      g.fillRect(0, evTop, w, 0);
      for (const e of data.events) {
        const a = e.start_us ?? e.peak_us, b = e.end_us ?? a;
        const x0 = xOf(a, w), x1 = xOf(b, w);
        if (x1 < -2 || x0 > w + 2) continue;
        g.fillStyle = '#f59e0b';
        g.fillRect(x0, evTop + 2, Math.max(2, x1 - x0), evH - 4);
        if (e.peak_us != null) {
          const xp = xOf(e.peak_us, w);
          g.beginPath(); g.moveTo(xp, evTop - 2); g.lineTo(xp - 3.5, evTop + 3); g.lineTo(xp + 3.5, evTop + 3); g.closePath(); g.fill();
        }
      }
      // selection
      if (sel && (sel.a !== null || sel.b !== null)) {
        const a = sel.a ?? sel.b, b = sel.b ?? sel.a;
        const x0 = xOf(Math.min(a, b), w), x1 = xOf(Math.max(a, b), w);
        g.fillStyle = 'rgba(250,204,21,.18)';
        g.fillRect(x0, tt - 2, Math.max(1, x1 - x0), BAR_H - tt);
        g.fillStyle = '#facc15';
        for (const [x, v] of [[x0, sel.a], [x1, sel.b]]) {
          if (v === null) continue;
          g.fillRect(Math.round(x) - 1, tt - 4, 2, BAR_H - tt + 4);
          g.fillRect(Math.round(x) - 4, tt + th / 2 - 7, 8, 14);
          g.fillStyle = '#0b1220';
          g.fillRect(Math.round(x) - 1, tt + th / 2 - 4, 2, 8);
          g.fillStyle = '#facc15';
        }
      }
      // now (today)
      if (nowUs > view.start && nowUs < view.start + view.span) {
        const x = Math.round(xOf(nowUs, w)) + 0.5;
        g.strokeStyle = 'rgba(34,197,94,.9)'; g.setLineDash([3, 3]); g.lineWidth = 1;
        g.beginPath(); g.moveTo(x, tt - 4); g.lineTo(x, BAR_H); g.stroke(); g.setLineDash([]);
      }
      // hover
      if (hoverX !== null && !drag) {
        g.fillStyle = 'rgba(255,255,255,.35)';
        g.fillRect(Math.round(hoverX), tt - 4, 1, BAR_H - tt + 4);
      }
      // play head
      if (headUs !== null) {
        const x = Math.round(xOf(headUs, w));
        if (x >= -6 && x <= w + 6) {
          g.fillStyle = '#fff';
          g.fillRect(x - 1, tt - 6, 2, BAR_H - tt + 6);
          g.beginPath(); g.moveTo(x - 6, tt - 9); g.lineTo(x + 6, tt - 9); g.lineTo(x, tt - 2); g.closePath(); g.fill();
        }
      }
    }

    function showTip(x, us) {
      tip.textContent = hms(us);
      tip.hidden = false;
      const w = canvas.clientWidth;
      tip.style.left = `${Math.max(30, Math.min(w - 30, x))}px`;
    }

    canvas.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      const w = canvas.clientWidth;
      const x = e.offsetX;
      const us = usOf(x, w);
      canvas.setPointerCapture(e.pointerId);
      if (canExport && sel) {
        for (const k of ['a', 'b']) {
          if (sel[k] !== null && Math.abs(xOf(sel[k], w) - x) <= 7) { drag = { kind: k, x0: x }; return; }
        }
      }
      if (e.shiftKey && canExport) {
        sel = { a: us, b: us };
        drag = { kind: 'b', x0: x, fresh: true };
        drawSel();
        redraw();
        return;
      }
      drag = { kind: 'head', x0: x, moved: false };
      headUs = us;
      updateClock();
      showTip(x, us);
      redraw();
    });
    canvas.addEventListener('pointermove', (e) => {
      const w = canvas.clientWidth;
      const x = Math.max(0, Math.min(w, e.offsetX));
      const us = usOf(x, w);
      if (!drag) { hoverX = x; showTip(x, us); redraw(); return; }
      if (Math.abs(x - drag.x0) > 3) drag.moved = true;
      if (drag.kind === 'head') {
        headUs = us;
        updateClock();
        showTip(x, us);
        // Scrubbing inside the buffer is instant; elsewhere wait for the release.
        if (player && player.state !== 'ended') player.seekWithin(us);
      } else {
        sel[drag.kind] = Math.round(us / 1e6) * 1e6;
        showTip(x, sel[drag.kind]);
        drawSel();
      }
      redraw();
    });
    const endDrag = (e) => {
      if (!drag) return;
      const d = drag;
      drag = null;
      if (d.kind === 'head') {
        seek(headUs);
      } else {
        if (sel.a !== null && sel.b !== null && sel.a > sel.b) sel = { a: sel.b, b: sel.a };
        if (d.fresh && !d.moved && sel.a === sel.b) sel = null;
        if (sel) { sel.a = Math.round(sel.a / 1e6) * 1e6; sel.b = Math.round(sel.b / 1e6) * 1e6; }
        drawSel();
        redraw();
      }
      if (e.type === 'pointercancel') tip.hidden = true;
    };
    canvas.addEventListener('pointerup', endDrag);
    canvas.addEventListener('pointercancel', endDrag);
    canvas.addEventListener('pointerleave', () => { hoverX = null; if (!drag) tip.hidden = true; redraw(); });
    canvas.addEventListener('wheel', (e) => {
      e.preventDefault();
      const w = canvas.clientWidth;
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        view.start += ((e.shiftKey ? e.deltaY : e.deltaX) / w) * view.span;
        clampView();
      } else {
        const at = usOf(e.offsetX, w);
        const f = e.deltaY > 0 ? 1.25 : 0.8;
        const span = Math.max(MIN_SPAN, Math.min(DAY_US, view.span * f));
        view.start = at - ((at - view.start) / view.span) * span;
        view.span = span;
        clampView();
        for (const b of zoomBtns) b.classList.toggle('active', ZOOMS.find(([, k]) => k === b.dataset.zoom)[0] === view.span);
      }
      redraw();
    }, { passive: false });

    const onKey = (e) => {
      if (/INPUT|SELECT|TEXTAREA/.test((e.target && e.target.tagName) || '') || e.ctrlKey || e.metaKey || e.altKey) return;
      if (document.querySelector('.modal-back')) return;
      if (e.key === ' ') { e.preventDefault(); togglePlay(); }
      else if (e.key === 'ArrowLeft') { e.preventDefault(); nudge(e.shiftKey ? -60e6 : -5e6); }
      else if (e.key === 'ArrowRight') { e.preventDefault(); nudge(e.shiftKey ? 60e6 : 5e6); }
      else if (e.key === '[' && canExport) mark('a');
      else if (e.key === ']' && canExport) mark('b');
    };
    document.addEventListener('keydown', onKey);
    const ro = new ResizeObserver(() => redraw());
    ro.observe(canvas);

    drawStreamSel();
    drawPlay();
    setRate(1);
    drawSel();
    zoomTo(DAY_US, null);
    await load(true, atParam);

    return () => {
      closed = true;
      for (const x of timers) clearInterval(x);
      clearTimeout(note.timer);
      document.removeEventListener('keydown', onKey);
      ro.disconnect();
      if (raf) cancelAnimationFrame(raf);
      stopPlayer();
    };
  },
};
