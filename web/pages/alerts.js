// Camera-dark alerts (#/alerts): the cameras that have gone dark longer than
// their ward's threshold, with the owner to call (for those who may see
// owners' contacts), the recent history, each camera's and each ward's
// availability over the last 7 days, and — for staff — the thresholds and
// (admin) the webhooks the alerts are POSTed to.  Refreshes every 10 s.
// An open alert opens (button or row) into what the duty officer does about
// it: acknowledge it, note the call to the owner and the repair date they
// promised — kept with the alert and shown to the owner too.
import { fmtPct } from '../lib/i18n.js';
import { durationText, mapStrings } from './map.js';
import { reasonText } from '../lib/errors.js';
import { cardLabels } from '../lib/cards.js';

const REFRESH_MS = 10000;

const own = {
  vi: {
    'alerts.title': 'Cảnh báo camera mất tín hiệu',
    'alerts.open': 'Đang mất tín hiệu',
    'alerts.none_open': 'Không có camera nào đang mất tín hiệu quá ngưỡng.',
    'alerts.history': 'Đã khôi phục (7 ngày)',
    'alerts.none_history': 'Chưa có cảnh báo nào trong 7 ngày.',
    'alerts.col.camera': 'Camera',
    'alerts.col.since': 'Mất tín hiệu từ',
    'alerts.col.for': 'Thời gian',
    'alerts.col.reason': 'Lý do',
    'alerts.col.owner': 'Chủ camera (gọi)',
    'alerts.col.raised': 'Báo lúc',
    'alerts.col.cleared': 'Khôi phục lúc',
    'alerts.why.online': 'có tín hiệu lại',
    'alerts.why.disabled': 'tạm dừng',
    'alerts.why.removed': 'đã xóa',
    'alerts.availability': 'Tỷ lệ hoạt động 7 ngày',
    'alerts.col.ward': 'Phường',
    'alerts.col.cameras': 'Số camera',
    'alerts.col.availability': 'Hoạt động',
    'alerts.col.watched': 'Thời gian theo dõi',
    'alerts.no_data': 'chưa có số liệu',
    'alerts.settings': 'Ngưỡng cảnh báo',
    'alerts.default': 'Mặc định (mọi phường)',
    'alerts.threshold': 'Báo khi mất tín hiệu quá (phút)',
    'alerts.own': 'riêng',
    'alerts.set': 'Đặt ngưỡng',
    'alerts.webhooks': 'Webhook nhận cảnh báo',
    'alerts.webhook_url': 'Địa chỉ (http/https)',
    'alerts.webhook_ward': 'Chỉ cho phường',
    'alerts.webhook_add': 'Thêm webhook',
    'alerts.webhook_test': 'Gửi thử',
    'alerts.webhook_test_ok': 'Gửi thử thành công (HTTP {s})',
    'alerts.webhook_test_bad': 'Gửi thử thất bại: {e}',
    'alerts.no_webhooks': 'Chưa có webhook.',
    'alerts.all_wards': 'Mọi phường',
    'alerts.col.handling': 'Xử lý',
    'alerts.unacked': 'Chưa ai nhận',
    'alerts.acked': 'Đã nhận: {by}, {at}',
    'alerts.open_one': 'Mở',
    'alerts.detail': 'Cảnh báo: {camera}',
    'alerts.ack': 'Xác nhận đã nhận',
    'alerts.ack_done': 'Đã xác nhận cảnh báo.',
    'alerts.note': 'Ghi cuộc gọi / ghi chú',
    'alerts.note_text': 'Nội dung (ví dụ: đã gọi chủ camera, hẹn sửa nguồn điện)',
    'alerts.called_at': 'Đã gọi chủ camera lúc (để trống nếu chỉ ghi chú)',
    'alerts.repair_by': 'Chủ camera hẹn sửa xong trước (để trống nếu chưa hẹn)',
    'alerts.note_done': 'Đã ghi lại.',
    'alerts.actions': 'Đã làm',
    'alerts.no_actions': 'Chưa có ai xử lý cảnh báo này.',
    'alerts.kind.acknowledge': 'Nhận cảnh báo',
    'alerts.kind.call': 'Gọi chủ camera',
    'alerts.kind.note': 'Ghi chú',
    'alerts.called': 'gọi lúc {at}',
    'alerts.promised': 'hẹn sửa trước {at}',
    'alerts.close': 'Đóng',
  },
  en: {
    'alerts.title': 'Camera-dark alerts',
    'alerts.open': 'Dark now',
    'alerts.none_open': 'No camera has been dark longer than its threshold.',
    'alerts.history': 'Back again (7 days)',
    'alerts.none_history': 'No alert in the last 7 days.',
    'alerts.col.camera': 'Camera',
    'alerts.col.since': 'Dark since',
    'alerts.col.for': 'For',
    'alerts.col.reason': 'Reason',
    'alerts.col.owner': 'Owner (to call)',
    'alerts.col.raised': 'Raised',
    'alerts.col.cleared': 'Cleared',
    'alerts.why.online': 'back online',
    'alerts.why.disabled': 'switched off',
    'alerts.why.removed': 'removed',
    'alerts.availability': 'Availability, last 7 days',
    'alerts.col.ward': 'Ward',
    'alerts.col.cameras': 'Cameras',
    'alerts.col.availability': 'Available',
    'alerts.col.watched': 'Time watched',
    'alerts.no_data': 'no data yet',
    'alerts.settings': 'Alert thresholds',
    'alerts.default': 'Default (every ward)',
    'alerts.threshold': 'Alert when dark longer than (minutes)',
    'alerts.own': 'own',
    'alerts.set': 'Set threshold',
    'alerts.webhooks': 'Webhooks that receive alerts',
    'alerts.webhook_url': 'URL (http/https)',
    'alerts.webhook_ward': 'Only for ward',
    'alerts.webhook_add': 'Add webhook',
    'alerts.webhook_test': 'Send a test',
    'alerts.webhook_test_ok': 'Test delivered (HTTP {s})',
    'alerts.webhook_test_bad': 'Test failed: {e}',
    'alerts.no_webhooks': 'No webhook yet.',
    'alerts.all_wards': 'Every ward',
    'alerts.col.handling': 'Handling',
    'alerts.unacked': 'Not yet taken',
    'alerts.acked': 'Taken: {by}, {at}',
    'alerts.open_one': 'Open',
    'alerts.detail': 'Alert: {camera}',
    'alerts.ack': 'Acknowledge',
    'alerts.ack_done': 'Alert acknowledged.',
    'alerts.note': 'Note a call / a note',
    'alerts.note_text': 'What was said (e.g. called the owner, power to be fixed)',
    'alerts.called_at': 'Called the owner at (empty for a plain note)',
    'alerts.repair_by': 'The owner promised the repair by (empty if no date)',
    'alerts.note_done': 'Noted.',
    'alerts.actions': 'Done so far',
    'alerts.no_actions': 'Nobody has acted on this alert yet.',
    'alerts.kind.acknowledge': 'Acknowledged',
    'alerts.kind.call': 'Called the owner',
    'alerts.kind.note': 'Note',
    'alerts.called': 'called at {at}',
    'alerts.promised': 'repair promised by {at}',
    'alerts.close': 'Close',
  },
};
// map.js's strings too: the consent badges and states are shared.
const strings = { vi: { ...mapStrings.vi, ...own.vi }, en: { ...mapStrings.en, ...own.en } };

function pctBar(h, v) {
  if (v == null) return null;
  const colour = v >= 95 ? 'var(--ok)' : v >= 80 ? 'var(--warn)' : 'var(--bad)';
  return h('span', { style: 'display:inline-flex; align-items:center; gap:6px' },
    h('span', { style: 'display:inline-block; width:90px; height:8px; background:#e2e8f0; border-radius:4px; overflow:hidden' },
      h('span', { style: `display:block; height:100%; width:${Math.max(0, Math.min(100, v)).toFixed(1)}%; background:${colour}` })),
    fmtPct(v, 1));
}

export default {
  title: 'alerts.title',
  strings,
  async render(el, ctx) {
    const { api, t, h, ui } = ctx;
    const wards = await ctx.wards().catch(() => []);
    const wardName = (id) => (wards.find((w) => w.id === id) || {}).name || t('common.none');
    const openBox = h('div', { id: 'alerts-open' });
    const histBox = h('div', { id: 'alerts-history' });
    const availBox = h('div', { id: 'alerts-availability' });
    const setBox = h('div', { id: 'alerts-settings' });
    const hookBox = h('div', { id: 'alerts-webhooks' });
    const section = (title, box) => [h('h2', { style: 'margin: 18px 0 8px; font-size: 16px' }, title), box];
    el.append(ui.pageHeader(t('alerts.title')), ...section(t('alerts.open'), openBox), ...section(t('alerts.history'), histBox),
      ...section(t('alerts.availability'), availBox));
    if (ctx.is('admin', 'province', 'officer')) el.append(...section(t('alerts.settings'), setBox));
    if (ctx.is('admin')) el.append(...section(t('alerts.webhooks'), hookBox));

    const ownerCell = (a) => (a.owner ? h('span', {}, a.owner.name, a.owner.phone
      ? h('a', { href: `tel:${a.owner.phone.replace(/[^0-9+]/g, '')}`, class: 'owner-phone' }, a.owner.phone) : null) : '—');

    // Staff who may act: an admin, or an officer (the API checks the ward).
    const canAct = ctx.is('admin', 'officer');
    const handling = (a) => h('span', { class: 'alert-handling' },
      a.acknowledged ? ui.badge(t('alerts.acked', { by: a.acknowledged.by, at: ctx.fmtDateTime(a.acknowledged.at) }), 'ok')
        : ui.badge(t('alerts.unacked'), 'warn'), ' ',
      h('button', { class: 'btn btn-small alert-open', 'data-alert': a.id, onclick: (e) => { e.stopPropagation(); openAlert(a.id); } }, t('alerts.open_one')));

    async function openAlert(id) {
      let a;
      try { a = await api.get(`/api/v1/alerts/${id}`); } catch (ex) { ui.showError(ex); return; }
      const body = h('div', { class: 'alert-detail' });
      const close = () => { back.remove(); document.removeEventListener('keydown', onKey); load().catch(() => {}); };
      const onKey = (e) => { if (e.key === 'Escape') close(); };
      const actions = (a.actions || []).map((x) => h('li', { class: 'alert-action', 'data-kind': x.kind },
        h('strong', {}, t(`alerts.kind.${x.kind}`)), ` — ${x.by}, ${ctx.fmtDateTime(x.at)}`,
        x.text ? h('div', {}, x.text) : null,
        x.called_at ? h('div', { class: 'muted' }, t('alerts.called', { at: ctx.fmtDateTime(x.called_at) })) : null,
        x.repair_by ? h('div', { class: 'alert-promised' }, t('alerts.promised', { at: ctx.fmtDate(x.repair_by) })) : null));
      body.append(
        h('p', {}, h('strong', {}, t('alerts.col.since')), ` ${ctx.fmtDateTime(a.since)} · `, ui.badge(durationText(a.dark_for_s, ctx.lang), a.open ? 'bad' : 'muted')),
        a.reason ? h('p', { class: 'muted', title: a.reason }, reasonText(a.reason_code, a.reason)) : null,
        a.owner ? h('p', {}, h('strong', {}, t('alerts.col.owner')), ' ', ownerCell(a)) : null,
        h('h3', {}, t('alerts.actions')),
        actions.length ? h('ul', { id: 'alert-actions' }, actions) : h('p', { class: 'muted', id: 'alert-actions' }, t('alerts.no_actions')));
      const buttons = [h('button', { type: 'button', class: 'btn', onclick: close }, t('alerts.close'))];
      if (canAct && a.open) {
        buttons.push(h('button', { type: 'button', class: 'btn', id: 'alert-note', onclick: async () => {
          const ok = await ui.formModal({
            title: t('alerts.note'),
            fields: [
              { name: 'text', label: t('alerts.note_text'), type: 'textarea', required: true },
              { name: 'called_at', label: t('alerts.called_at'), type: 'datetime', value: Date.now() },
              { name: 'repair_by', label: t('alerts.repair_by'), type: 'date' },
            ],
            onSubmit: (v) => api.post(`/api/v1/alerts/${id}/actions`, { text: v.text, called_at: v.called_at || undefined, repair_by: v.repair_by || undefined }),
          });
          if (ok) { ui.toast(t('alerts.note_done'), 'ok'); close(); openAlert(id); }
        } }, t('alerts.note')));
        if (!a.acknowledged) {
          buttons.push(h('button', { type: 'button', class: 'btn btn-primary', id: 'alert-ack', onclick: async () => {
            try { await api.post(`/api/v1/alerts/${id}/acknowledge`, {}); ui.toast(t('alerts.ack_done'), 'ok'); close(); openAlert(id); } catch (ex) { ui.showError(ex); }
          } }, t('alerts.ack')));
        }
      }
      const box = h('div', { class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-label': t('alerts.detail', { camera: a.camera_name }) },
        h('h2', {}, t('alerts.detail', { camera: a.camera_name })), body, h('div', { class: 'modal-actions' }, buttons));
      const back = h('div', { class: 'modal-back', id: 'alert-dialog', onclick: (e) => { if (e.target === back) close(); } }, box);
      document.body.append(back);
      document.addEventListener('keydown', onKey);
      (box.querySelector('#alert-ack') || box.querySelector('button')).focus();
    }

    async function load() {
      const weekAgo = new Date(Date.now() - 7 * 86400e3).toISOString();
      const [open, hist, avail] = await Promise.all([
        api.get('/api/v1/alerts?open=1'),
        api.get(`/api/v1/alerts${ctx.qs({ from: weekAgo, limit: 200 })}`),
        api.get('/api/v1/availability'),
      ]);
      ui.clear(openBox).append(ui.table([
        { label: t('alerts.col.camera'), value: (a) => h('strong', {}, a.camera_name) },
        { label: t('alerts.col.ward'), value: (a) => wardName(a.ward_id) },
        { label: t('alerts.col.since'), value: (a) => ctx.fmtDateTime(a.since) },
        { label: t('alerts.col.for'), value: (a) => ui.badge(durationText(a.dark_for_s, ctx.lang), 'bad') },
        { label: t('alerts.col.reason'), value: (a) => h('small', { title: a.reason || '' }, a.reason ? reasonText(a.reason_code, a.reason) : '') },
        { label: t('alerts.col.owner'), value: ownerCell },
        { label: t('alerts.col.handling'), value: handling },
      ], open.alerts, { empty: t('alerts.none_open'), onRowClick: (a) => openAlert(a.id) }));
      cardLabels(openBox);
      const closed = hist.alerts.filter((a) => !a.open);
      ui.clear(histBox).append(ui.table([
        { label: t('alerts.col.camera'), value: (a) => a.camera_name },
        { label: t('alerts.col.since'), value: (a) => ctx.fmtDateTime(a.since) },
        { label: t('alerts.col.raised'), value: (a) => ctx.fmtDateTime(a.raised) },
        { label: t('alerts.col.cleared'), value: (a) => h('span', {}, ctx.fmtDateTime(a.cleared), ' ', h('small', { class: 'muted' }, t(`alerts.why.${a.cleared_why}`))) },
        { label: t('alerts.col.for'), value: (a) => durationText(a.dark_for_s, ctx.lang) },
        { label: t('alerts.col.owner'), value: ownerCell },
      ], closed, { empty: t('alerts.none_history') }));
      cardLabels(histBox);
      ui.clear(availBox).append(
        ui.table([
          { label: t('alerts.col.ward'), value: (w) => w.name || t('common.none') },
          { label: t('alerts.col.cameras'), value: (w) => w.cameras, class: 'num' },
          { label: t('alerts.col.availability'), value: (w) => pctBar(h, w.availability) || t('alerts.no_data') },
        ], avail.wards, { empty: t('alerts.no_data') }),
        h('div', { style: 'height: 10px' }),
        ui.table([
          { label: t('alerts.col.camera'), value: (c) => c.name },
          { label: t('alerts.col.ward'), value: (c) => wardName(c.ward_id) },
          { label: t('alerts.col.availability'), value: (c) => pctBar(h, c.availability) || t('alerts.no_data') },
          { label: t('alerts.col.watched'), value: (c) => (c.sampled_s ? durationText(c.sampled_s, ctx.lang) : '—') },
        ], [...avail.cameras].sort((a, b) => (a.availability ?? 101) - (b.availability ?? 101)), { empty: t('alerts.no_data') }));
      cardLabels(availBox);
    }

    async function loadSettings() {
      const s = await api.get('/api/v1/alerts/settings');
      const rows = [{ ward_id: null, name: t('alerts.default'), dark_after_s: s.default_dark_after_s, own: true }, ...s.wards];
      const canSet = (r) => (r.ward_id === null ? ctx.is('admin') : ctx.is('admin', 'officer'));
      ui.clear(setBox).append(ui.table([
        { label: t('alerts.col.ward'), value: (r) => r.name },
        { label: t('alerts.threshold'), value: (r) => h('span', {}, `${Math.round(r.dark_after_s / 60 * 10) / 10}`, r.ward_id && r.own ? h('small', { class: 'muted' }, ` (${t('alerts.own')})`) : null) },
        { label: '', value: (r) => (canSet(r) ? h('button', { class: 'btn btn-small', onclick: async () => {
          const ok = await ui.formModal({
            title: `${t('alerts.set')} — ${r.name}`,
            fields: [{ name: 'minutes', label: t('alerts.threshold'), type: 'number', value: r.dark_after_s / 60, step: 'any', required: true }],
            onSubmit: (v) => api.put('/api/v1/alerts/settings', { ward_id: r.ward_id, dark_after_s: Math.max(1, Math.round(v.minutes * 60)) }),
          });
          if (ok) loadSettings();
        } }, t('alerts.set')) : '') },
      ], rows));
      cardLabels(setBox);
    }

    async function loadHooks() {
      const r = await api.get('/api/v1/alerts/webhooks');
      ui.clear(hookBox).append(ui.table([
        { label: t('alerts.webhook_url'), value: (w) => h('code', {}, w.url) },
        { label: t('alerts.webhook_ward'), value: (w) => (w.ward_id ? wardName(w.ward_id) : t('alerts.all_wards')) },
        { label: '', value: (w) => h('span', {},
          h('button', { class: 'btn btn-small', onclick: async () => {
            try {
              const x = await api.post(`/api/v1/alerts/webhooks/${w.id}/test`);
              ui.toast(x.ok ? t('alerts.webhook_test_ok', { s: x.http_status }) : t('alerts.webhook_test_bad', { e: x.error }), x.ok ? 'ok' : 'error');
            } catch (e) { ui.showError(e); }
          } }, t('alerts.webhook_test')),
          h('button', { class: 'btn btn-small btn-danger', onclick: async () => {
            if (!window.confirm(t('common.confirm_delete'))) return;
            try { await api.del(`/api/v1/alerts/webhooks/${w.id}`); loadHooks(); } catch (e) { ui.showError(e); }
          } }, t('common.delete'))) },
      ], r.webhooks, { empty: t('alerts.no_webhooks') }),
      h('div', { style: 'margin-top: 8px' }, h('button', { class: 'btn', id: 'webhook-add', onclick: async () => {
        const ok = await ui.formModal({
          title: t('alerts.webhook_add'),
          fields: [
            { name: 'url', label: t('alerts.webhook_url'), required: true, placeholder: 'https://…' },
            { name: 'ward_id', label: t('alerts.webhook_ward'), type: 'select', options: [['', t('alerts.all_wards')], ...wards.map((w) => [w.id, w.name])] },
          ],
          onSubmit: (v) => api.post('/api/v1/alerts/webhooks', { url: v.url, ward_id: v.ward_id ? +v.ward_id : null }),
        });
        if (ok) loadHooks();
      } }, t('alerts.webhook_add'))));
      cardLabels(hookBox);
    }

    await load();
    if (ctx.is('admin', 'province', 'officer')) await loadSettings();
    if (ctx.is('admin')) await loadHooks();
    const timer = setInterval(() => load().catch(() => {}), REFRESH_MS);
    return () => clearInterval(timer);
  },
};
