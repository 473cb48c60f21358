// Storage (#/storage, issue 13 items 1 and 5): the recordings disk — free,
// floor, quota, recorded and held bytes, how many days it holds at today's
// rate — and per camera its recorded and held bytes, holds in force, the
// oldest recording and when it goes by the camera's days.  One request:
// GET /api/v1/storage, the same plan `wardwatch retention plan` prints.
import { fmtNum } from '../lib/i18n.js';

const strings = {
  vi: {
    'storage.title': 'Lưu trữ',
    'storage.disk': 'Ổ đĩa ghi hình',
    'storage.free': 'Còn trống',
    'storage.total': 'Dung lượng',
    'storage.floor': 'Ngưỡng trống tối thiểu',
    'storage.floor_off': 'tắt',
    'storage.quota': 'Hạn mức',
    'storage.no_quota': 'không đặt',
    'storage.recorded': 'Đã ghi',
    'storage.held': 'Đang giữ (không xóa)',
    'storage.rate': 'Tốc độ ghi',
    'storage.days_floor': 'Số ngày đến ngưỡng trống',
    'storage.days_quota': 'Số ngày đến hạn mức',
    'storage.no_rate': 'chưa có (24 giờ qua không ghi)',
    'storage.per_day': '{v}/ngày',
    'storage.days': '{n} ngày',
    'storage.cameras': 'Theo camera',
    'storage.col.camera': 'Camera',
    'storage.col.bytes': 'Đã ghi',
    'storage.col.held': 'Đang giữ',
    'storage.col.holds': 'Lệnh giữ',
    'storage.col.oldest': 'Bản ghi cũ nhất',
    'storage.col.goes': 'Xóa theo số ngày lưu',
    'storage.col.rate': 'Mỗi ngày',
    'storage.none': 'Chưa có camera nào.',
  },
  en: {
    'storage.title': 'Storage',
    'storage.disk': 'Recordings disk',
    'storage.free': 'Free',
    'storage.total': 'Size',
    'storage.floor': 'Free-space floor',
    'storage.floor_off': 'off',
    'storage.quota': 'Quota',
    'storage.no_quota': 'none',
    'storage.recorded': 'Recorded',
    'storage.held': 'Held (never deleted)',
    'storage.rate': 'Write rate',
    'storage.days_floor': 'Days until the floor',
    'storage.days_quota': 'Days until the quota',
    'storage.no_rate': 'none yet (nothing recorded in 24 h)',
    'storage.per_day': '{v}/day',
    'storage.days': '{n} days',
    'storage.cameras': 'Per camera',
    'storage.col.camera': 'Camera',
    'storage.col.bytes': 'Recorded',
    'storage.col.held': 'Held',
    'storage.col.holds': 'Holds',
    'storage.col.oldest': 'Oldest recording',
    'storage.col.goes': 'Deleted by its days',
    'storage.col.rate': 'Per day',
    'storage.none': 'No cameras yet.',
  },
};

function size(b) {
  if (b == null || b < 0) return '—';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = b;
  while (v >= 1000 && i < u.length - 1) { v /= 1000; i++; }
  return `${fmtNum(v, i ? 1 : 0)} ${u[i]}`;
}

export default {
  title: 'storage.title',
  strings,
  async render(el, ctx) {
    const { api, t, h, ui } = ctx;
    const s = await api.get('/api/v1/storage');
    const d = s.disk;
    const row = (label, value, id) => h('tr', { id }, h('th', {}, label), h('td', {}, value));
    const days = (n) => (n < 0 ? t('storage.no_rate') : t('storage.days', { n: fmtNum(n, 1) }));
    el.append(
      ui.pageHeader(t('storage.title')),
      h('h2', { class: 'section-title' }, t('storage.disk')),
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid kv', id: 'storage-disk' }, h('tbody', {},
        row(t('storage.free'), `${size(d.free_bytes)} / ${size(d.total_bytes)}`),
        row(t('storage.floor'), d.floor_bytes ? size(d.floor_bytes) : t('storage.floor_off')),
        row(t('storage.quota'), d.quota_bytes ? size(d.quota_bytes) : t('storage.no_quota')),
        row(t('storage.recorded'), size(d.recorded_bytes)),
        row(t('storage.held'), size(d.held_bytes), 'storage-held'),
        row(t('storage.rate'), d.bytes_per_day ? t('storage.per_day', { v: size(d.bytes_per_day) }) : t('storage.no_rate')),
        row(t('storage.days_floor'), d.floor_bytes ? days(d.days_until_floor) : t('storage.floor_off')),
        d.quota_bytes ? row(t('storage.days_quota'), days(d.days_until_quota)) : null))),
      h('h2', { class: 'section-title' }, t('storage.cameras')),
      ui.table([
        { label: t('storage.col.camera'), value: (c) => `${c.name} (#${c.camera_id})` },
        { label: t('storage.col.bytes'), value: (c) => size(c.bytes), class: 'num' },
        { label: t('storage.col.held'), value: (c) => (c.held_bytes ? ui.badge(size(c.held_bytes), 'warn') : '—') },
        { label: t('storage.col.holds'), value: (c) => String(c.holds) },
        { label: t('storage.col.oldest'), value: (c) => (c.oldest_recording ? ctx.fmtDateTime(c.oldest_recording, false) : '—') },
        { label: t('storage.col.goes'), value: (c) => (c.deleted_by_days_at ? ctx.fmtDateTime(c.deleted_by_days_at, false) : '—') },
        { label: t('storage.col.rate'), value: (c) => size(c.bytes_per_day), class: 'num' },
      ], s.cameras, { empty: t('storage.none') }));
    el.dataset.ready = '1';
  },
};
