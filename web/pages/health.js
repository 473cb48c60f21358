// Camera health (#/health): every camera's state with its reason, last
// picture, frame rate, bitrate, reconnects, packet loss (UDP), storage and oldest recording.
// Sortable; problems first by default (a camera that silently went dark is
// the most common failure in the field).  Refreshes every 5 s.
import { pressable } from '../lib/ui.js';

import { reasonText } from '../lib/errors.js';

const REFRESH_MS = 5000;
const RANK = { offline: 0, error: 1, connecting: 2, online: 3, disabled: 4 };

const strings = {
  vi: {
    'health.title': 'Sức khỏe camera',
    'health.col.camera': 'Camera',
    'health.col.state': 'Trạng thái',
    'health.col.last_frame': 'Hình cuối',
    'health.col.fps': 'Khung/giây',
    'health.col.bitrate': 'Tốc độ bit',
    'health.col.reconnects': 'Kết nối lại',
    'health.col.loss': 'Mất gói',
    'health.col.storage': 'Dung lượng',
    'health.col.oldest': 'Bản ghi cũ nhất',
    'health.col.record': 'Ghi hình',
    'health.state.online': 'Hoạt động',
    'health.state.offline': 'Mất tín hiệu',
    'health.state.error': 'Lỗi',
    'health.state.disabled': 'Tạm dừng',
    'health.state.connecting': 'Đang kết nối',
    'health.record.recording': 'Đang ghi',
    'health.record.idle': 'Không ghi',
    'health.record.waiting-keyframe': 'Chờ khung hình đầu',
    'health.record.disk-full': 'Đầy ổ đĩa',
    'health.record.disk-full-held': 'Đầy ổ đĩa — chỉ còn video đang giữ',
    'health.record.error': 'Lỗi ghi',
    'health.record.paused': 'Tạm ngừng (ngoài thời hạn đồng ý)',
    'health.never': 'Chưa có',
    'health.ago.now': 'vừa xong',
    'health.ago.s': '{n} giây trước',
    'health.ago.m': '{n} phút trước',
    'health.ago.h': '{n} giờ trước',
    'health.ago.d': '{n} ngày trước',
    'health.days': '{n} ngày',
    'health.today': 'hôm nay',
    'health.total': '{n} camera',
    'health.sum.online': '{n} hoạt động',
    'health.sum.offline': '{n} mất tín hiệu',
    'health.sum.error': '{n} lỗi',
    'health.sum.disabled': '{n} tạm dừng',
    'health.sum.storage': 'Tổng dung lượng {v}',
    'health.updated': 'Cập nhật {t} · tự làm mới mỗi 5 giây',
    'health.stale': 'Không lấy được dữ liệu mới ({m}); đang hiện số liệu lúc {t}.',
    'health.problems': 'Chỉ camera có sự cố',
    'health.search': 'Tìm camera',
    'health.empty': 'Không có camera nào.',
    'health.none_match': 'Không có camera nào khớp.',
    'health.playback': 'Xem lại',
    'health.sort': 'Sắp xếp theo cột này',
  },
  en: {
    'health.title': 'Camera health',
    'health.col.camera': 'Camera',
    'health.col.state': 'State',
    'health.col.last_frame': 'Last picture',
    'health.col.fps': 'Frames/s',
    'health.col.bitrate': 'Bitrate',
    'health.col.reconnects': 'Reconnects',
    'health.col.loss': 'Packet loss',
    'health.col.storage': 'Storage',
    'health.col.oldest': 'Oldest recording',
    'health.col.record': 'Recording',
    'health.state.online': 'Online',
    'health.state.offline': 'Offline',
    'health.state.error': 'Error',
    'health.state.disabled': 'Paused',
    'health.state.connecting': 'Connecting',
    'health.record.recording': 'Recording',
    'health.record.idle': 'Not recording',
    'health.record.waiting-keyframe': 'Waiting for a keyframe',
    'health.record.disk-full': 'Disk full',
    'health.record.disk-full-held': 'Disk full — only held video left',
    'health.record.error': 'Recording error',
    'health.record.paused': 'Paused (outside consent)',
    'health.never': 'Never',
    'health.ago.now': 'just now',
    'health.ago.s': '{n} s ago',
    'health.ago.m': '{n} min ago',
    'health.ago.h': '{n} h ago',
    'health.ago.d': '{n} days ago',
    'health.days': '{n} days',
    'health.today': 'today',
    'health.total': '{n} cameras',
    'health.sum.online': '{n} online',
    'health.sum.offline': '{n} offline',
    'health.sum.error': '{n} with errors',
    'health.sum.disabled': '{n} paused',
    'health.sum.storage': '{v} stored',
    'health.updated': 'Updated {t} · refreshes every 5 s',
    'health.stale': 'Could not refresh ({m}); showing figures from {t}.',
    'health.problems': 'Only cameras with problems',
    'health.search': 'Find camera',
    'health.empty': 'No cameras.',
    'health.none_match': 'No camera matches.',
    'health.playback': 'Play back',
    'health.sort': 'Sort by this column',
  },
};

const KIND = { online: 'ok', offline: 'bad', error: 'bad', connecting: 'warn', disabled: 'muted' };
const REC_KIND = { recording: 'info', error: 'bad', 'disk-full': 'bad', 'disk-full-held': 'bad', 'waiting-keyframe': 'warn', paused: 'warn' };

export default {
  title: 'health.title',
  strings,
  async render(el, ctx) {
    const { api, t, h, ui } = ctx;
    // figures per language through the one helper (lib/i18n.js)
    const nf1 = { format: (v) => ctx.fmtNum(v, 1, { fixed: true }) };
    const nf0 = { format: (v) => ctx.fmtNum(v, 0) };
    const canPlayback = ctx.is('admin', 'province', 'officer', 'viewer');
    let rows = [];
    let fetchedAt = null;
    let sort = { key: 'state', dir: 1 };
    let onlyProblems = false;
    let search = '';
    let timer = null;
    let closed = false;

    const bytes = (b) => {
      if (b == null) return '—';
      if (b >= 1e12) return `${nf1.format(b / 1e12)} TB`;
      if (b >= 1e9) return `${nf1.format(b / 1e9)} GB`;
      if (b >= 1e6) return `${nf0.format(b / 1e6)} MB`;
      return `${nf0.format(b / 1e3)} kB`;
    };
    const rateText = (k) => (k == null ? '—' : k >= 1000 ? `${nf1.format(k / 1000)} Mbit/s` : `${nf0.format(k)} kbit/s`);
    const ms = (iso) => (iso ? Date.parse(iso) : NaN);
    const lastUs = (c) => (c.last_frame_us || (c.last_frame ? ms(c.last_frame) * 1000 : 0));
    const ago = (msAgo) => {
      const s = Math.max(0, Math.round(msAgo / 1000));
      if (s < 3) return t('health.ago.now');
      if (s < 90) return t('health.ago.s', { n: s });
      if (s < 5400) return t('health.ago.m', { n: Math.round(s / 60) });
      if (s < 172800) return t('health.ago.h', { n: Math.round(s / 3600) });
      return t('health.ago.d', { n: Math.round(s / 86400) });
    };
    const codecLabel = (c) => {
      const name = { h264: 'H.264', hevc: 'H.265', h265: 'H.265' }[String(c.codec || '').toLowerCase()] || c.codec || '';
      return [name, c.width && c.height ? `${c.width}×${c.height}` : ''].filter(Boolean).join(' · ') || '—';
    };

    const cols = [
      { key: 'name', label: t('health.col.camera'), sort: (c) => c.name.toLocaleLowerCase(),
        cell: (c) => h('div', {}, h('strong', {}, c.name), h('div', { class: 'muted hl-id' }, [`#${c.id}`, c.codec ? codecLabel(c) : null].filter(Boolean).join(' · '))) },
      { key: 'state', label: t('health.col.state'), sort: (c) => [RANK[c.state] ?? 9, c.name.toLocaleLowerCase()],
        cell: (c) => h('div', { class: 'hl-state' }, ui.badge(t(`health.state.${c.state}`), KIND[c.state] || 'muted'),
          c.reason ? h('div', { class: `hl-reason ${c.state === 'online' || c.state === 'disabled' ? 'muted' : ''}`, title: c.reason }, reasonText(c.reason_code, c.reason)) : null) },
      { key: 'last_frame', label: t('health.col.last_frame'), sort: (c) => lastUs(c) || 0,
        cell: (c) => {
          const us = lastUs(c);
          if (!us) return h('span', { class: 'muted' }, t('health.never'));
          const age = (fetchedAt || Date.now()) - us / 1000;
          return h('div', {}, h('span', { class: 'mono' }, age < 86400e3 ? ctx.fmtTime(us / 1000) : ctx.fmtDateTime(us / 1000, false)),
            h('div', { class: `hl-sub ${age > 60e3 && c.state !== 'disabled' ? 'hl-late' : 'muted'}` }, ago(age)));
        } },
      { key: 'fps', label: t('health.col.fps'), class: 'num', sort: (c) => c.fps ?? -1,
        cell: (c) => (c.fps == null || (!c.fps && c.state !== 'online') ? '—' : nf1.format(c.fps)) },
      { key: 'bitrate_kbps', label: t('health.col.bitrate'), class: 'num', sort: (c) => c.bitrate_kbps ?? -1,
        cell: (c) => (!c.bitrate_kbps && c.state !== 'online' ? '—' : rateText(c.bitrate_kbps)) },
      { key: 'reconnects', label: t('health.col.reconnects'), class: 'num', sort: (c) => c.reconnects ?? -1,
        cell: (c) => h('span', { class: c.reconnects >= 10 ? 'hl-warn' : '' }, c.reconnects == null ? '—' : nf0.format(c.reconnects)) },
      // RTP over UDP only (null over TCP): lost / expected packets of the main stream
      { key: 'loss_pct', label: t('health.col.loss'), class: 'num', sort: (c) => c.loss_pct ?? -1,
        cell: (c) => (c.loss_pct == null ? '—' : h('span', { class: c.loss_pct >= 1 ? 'hl-warn' : '', }, `${nf1.format(c.loss_pct)} %`)) },
      { key: 'storage_bytes', label: t('health.col.storage'), class: 'num', sort: (c) => c.storage_bytes ?? -1,
        cell: (c) => (c.storage_bytes ? bytes(c.storage_bytes) : '—') },
      { key: 'oldest_recording', label: t('health.col.oldest'), sort: (c) => ms(c.oldest_recording) || Infinity,
        cell: (c) => (c.oldest_recording ? h('div', {}, h('span', { class: 'mono' }, ctx.fmtDate(c.oldest_recording)),
          h('div', { class: 'hl-sub muted' }, ((d) => (d < 1 ? t('health.today') : t('health.days', { n: d })))(Math.floor(((fetchedAt || Date.now()) - ms(c.oldest_recording)) / 86400e3))))
          : h('span', { class: 'muted' }, '—')) },
      { key: 'record_state', label: t('health.col.record'), sort: (c) => c.record_state || '',
        cell: (c) => {
          if (!c.record_state) return '—';
          // a camera without a picture records nothing, whatever the
          // recorder last said: never "Đang ghi" beside "Mất tín hiệu"
          const rs = c.record_state === 'recording' && c.state !== 'online' ? 'idle' : c.record_state;
          const k = `health.record.${rs}`;
          return h('div', { class: 'hl-state' }, ui.badge(t(k) === k ? rs : t(k), REC_KIND[rs] || 'muted'),
            c.record_error ? h('div', { class: 'hl-reason', title: c.record_error }, reasonText(c.record_error_code, c.record_error)) : null);
        } },
    ];
    if (canPlayback) {
      cols.push({ key: '', label: '', class: 'actions', cell: (c) => h('a', { class: 'btn btn-small', href: `#/timeline?camera=${c.id}`, onclick: (e) => e.stopPropagation() }, t('health.playback')) });
    }

    const summary = h('div', { class: 'hl-summary', id: 'health-summary' });
    const status = h('div', { class: 'hl-status muted', id: 'health-updated' });
    const tableBox = h('div', { id: 'health-table' });
    const problems = h('input', { type: 'checkbox', id: 'health-problems', onchange: () => { onlyProblems = problems.checked; draw(); } });

    function sorted() {
      const col = cols.find((c) => c.key === sort.key) || cols[1];
      const cmp = (a, b) => {
        const x = col.sort(a), y = col.sort(b);
        if (Array.isArray(x)) { for (let i = 0; i < x.length; i++) { if (x[i] < y[i]) return -1; if (x[i] > y[i]) return 1; } return 0; }
        return x < y ? -1 : x > y ? 1 : 0;
      };
      const q = search.trim().toLocaleLowerCase();
      return rows.filter((c) => (!onlyProblems || c.state === 'offline' || c.state === 'error') &&
        (!q || c.name.toLocaleLowerCase().includes(q) || String(c.id) === q))
        .sort((a, b) => cmp(a, b) * sort.dir || a.id - b.id);
    }

    function draw() {
      const count = (s) => rows.filter((c) => c.state === s).length;
      const total = rows.reduce((s, c) => s + (c.storage_bytes || 0), 0);
      summary.replaceChildren(
        h('span', { class: 'hl-chip' }, h('strong', {}, t('health.total', { n: rows.length }))),
        ...['offline', 'error', 'online', 'disabled'].map((s) => h('span', { class: `hl-chip hl-chip-${s} ${count(s) ? '' : 'hl-zero'}`, 'data-state': s },
          h('span', { class: 'hl-dot' }), t(`health.sum.${s}`, { n: count(s) }))),
        h('span', { class: 'hl-chip' }, t('health.sum.storage', { v: bytes(total) })));
      const list = sorted();
      if (!rows.length) { tableBox.replaceChildren(h('div', { class: 'empty' }, t('health.empty'))); return; }
      const scroll = tableBox.querySelector('.table-wrap')?.scrollTop || 0;
      // the table is built anew (every refresh): a keyboard user's focus on a
      // header or a row's link goes to the same one in the new table
      const f = tableBox.contains(document.activeElement) ? document.activeElement : null;
      const refocus = f && (f.dataset.key ? `th[data-key="${f.dataset.key}"]`
        : f.closest('tr[data-camera]') ? `tr[data-camera="${f.closest('tr[data-camera]').dataset.camera}"] a` : null);
      const head = h('tr', {}, cols.map((c) => {
        if (!c.key) return h('th', { class: c.class });
        const active = sort.key === c.key;
        const resort = () => { sort = { key: c.key, dir: active ? -sort.dir : 1 }; draw(); };
        // a sortable header is a Tab stop too: Enter/Space sorts as a click does
        return pressable(h('th', { class: `${c.class || ''} hl-sortable ${active ? 'hl-sorted' : ''}`, 'data-key': c.key, title: t('health.sort'),
          'aria-sort': active ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none',
          onclick: resort },
        c.label, h('span', { class: 'hl-arrow', 'aria-hidden': 'true' }, active ? (sort.dir > 0 ? '▲' : '▼') : '↕')), resort, { role: null });
      }));
      const body = list.length ? list.map((c) => h('tr', { class: `hl-row hl-${c.state}`, 'data-camera': c.id, 'data-state': c.state },
        cols.map((col) => h('td', { class: col.class }, col.cell(c)))))
        : [h('tr', {}, h('td', { colspan: cols.length, class: 'muted hl-nomatch' }, t('health.none_match')))];
      tableBox.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'grid hl-table' }, h('thead', {}, head), h('tbody', {}, body))));
      tableBox.querySelector('.table-wrap').scrollTop = scroll;
      if (refocus) { const n = tableBox.querySelector(refocus); if (n) n.focus({ preventScroll: true }); }
    }

    async function refresh() {
      try {
        const r = await api.get('/api/v1/health');
        if (closed) return;
        rows = r.cameras || [];
        fetchedAt = Date.now();
        status.classList.remove('hl-stale');
        status.textContent = t('health.updated', { t: ctx.fmtTime(fetchedAt) });
        draw();
      } catch (e) {
        if (closed) return;
        if (!fetchedAt) throw e;           // the first load: the shell shows the error
        status.classList.add('hl-stale');
        status.textContent = t('health.stale', { m: e.message, t: ctx.fmtTime(fetchedAt) });
      }
    }

    el.append(
      ui.pageHeader(t('health.title'), status),
      h('div', { class: 'filters hl-filters' },
        h('label', {}, t('health.search'), h('input', { type: 'search', id: 'health-search', oninput: (e) => { search = e.target.value; draw(); } })),
        h('label', { class: 'hl-check' }, problems, t('health.problems')),
        h('div', { class: 'tl-spacer' }),
        summary),
      tableBox);
    await refresh();
    const tick = async () => { await refresh(); if (!closed) timer = setTimeout(tick, REFRESH_MS); };
    timer = setTimeout(tick, REFRESH_MS);
    return () => { closed = true; clearTimeout(timer); };
  },
};
