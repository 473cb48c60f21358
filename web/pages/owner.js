// The owner portal (#/owner): for a camera owner's account — a resident, a
// shop, a school.  Their own cameras only (the server scopes every call):
// each camera's state, what their consent allows now, an alert if it has
// gone dark; and the audit of every look at them — who watched live, played
// back, exported or downloaded footage, when, and which stretch of time.
// This is the point of the trail for people who lend their cameras.
import { consentBadges, consentDialog, stateOf, durationText, mapStrings } from './map.js';
import { cardLabels } from '../lib/cards.js';

const own = {
  vi: {
    'owner.title': 'Camera của tôi',
    'owner.intro': 'Trang này chỉ hiện camera của bạn và mọi lần cán bộ xem, xem lại hay trích xuất hình ảnh từ chúng.',
    'owner.none': 'Tài khoản này chưa có camera nào.',
    'owner.state': 'Trạng thái',
    'owner.last': 'Hình cuối',
    'owner.consent': 'Bạn đã đồng ý',
    'owner.register': 'Sổ đồng ý',
    'owner.dark': 'Mất tín hiệu {d} — trạm đã được báo',
    'owner.alert_taken': 'Trạm đã nhận cảnh báo lúc {at}.',
    'owner.alert_called': 'Trạm đã gọi bạn lúc {at}: {text}',
    'owner.alert_note': 'Trạm ghi: {text}',
    'owner.alert_repair': 'Hẹn sửa xong trước {at}.',
    'owner.audit': 'Ai đã xem camera của tôi',
    'owner.camera': 'Camera',
    'owner.all_cameras': 'Tất cả camera',
    'owner.action': 'Việc',
    'owner.all_actions': 'Mọi việc',
    'owner.col.when': 'Lúc',
    'owner.col.who': 'Ai',
    'owner.col.what': 'Việc',
    'owner.col.range': 'Đoạn hình',
    'owner.col.from': 'Từ máy',
    'owner.more': 'Xem thêm',
    'owner.empty': 'Chưa ai xem camera của bạn.',
    'owner.act.live_view': 'Xem trực tiếp',
    'owner.act.playback': 'Xem lại',
    'owner.act.export': 'Trích xuất',
    'owner.act.bundle_download': 'Tải gói chứng cứ',
    'owner.act.probe_still': 'Xem ảnh kiểm tra',
    'owner.act.camera_probe': 'Kiểm tra kết nối',
    'owner.act.consent_change': 'Thay đổi sự đồng ý',
    'owner.act.camera_change': 'Thay đổi camera',
    'owner.live_now': 'đang xem',
    'owner.state.online': 'Hoạt động',
    'owner.state.connecting': 'Đang kết nối',
    'owner.state.offline': 'Mất tín hiệu',
    'owner.state.error': 'Lỗi',
    'owner.state.disabled': 'Tạm dừng',
  },
  en: {
    'owner.title': 'My cameras',
    'owner.intro': 'This page shows only your cameras and every time officers watched, played back or exported footage from them.',
    'owner.none': 'This account has no camera yet.',
    'owner.state': 'State',
    'owner.last': 'Last picture',
    'owner.consent': 'You agreed to',
    'owner.register': 'Consent register',
    'owner.dark': 'Dark for {d} — the station has been alerted',
    'owner.alert_taken': 'The station took the alert at {at}.',
    'owner.alert_called': 'The station called you at {at}: {text}',
    'owner.alert_note': 'The station noted: {text}',
    'owner.alert_repair': 'Repair promised by {at}.',
    'owner.audit': 'Who looked at my cameras',
    'owner.camera': 'Camera',
    'owner.all_cameras': 'All cameras',
    'owner.action': 'Action',
    'owner.all_actions': 'Every action',
    'owner.col.when': 'When',
    'owner.col.who': 'Who',
    'owner.col.what': 'What',
    'owner.col.range': 'Footage',
    'owner.col.from': 'From',
    'owner.more': 'Show more',
    'owner.empty': 'Nobody has looked at your cameras yet.',
    'owner.act.live_view': 'Watched live',
    'owner.act.playback': 'Played back',
    'owner.act.export': 'Exported',
    'owner.act.bundle_download': 'Downloaded an evidence bundle',
    'owner.act.probe_still': 'Viewed the test picture',
    'owner.act.camera_probe': 'Tested the connection',
    'owner.act.consent_change': 'Changed the consent',
    'owner.act.camera_change': 'Changed the camera',
    'owner.live_now': 'ongoing',
    'owner.state.online': 'Online',
    'owner.state.connecting': 'Connecting',
    'owner.state.offline': 'Offline',
    'owner.state.error': 'Error',
    'owner.state.disabled': 'Switched off',
  },
};
// map.js's strings too: the consent badges and states are shared.
const strings = { vi: { ...mapStrings.vi, ...own.vi }, en: { ...mapStrings.en, ...own.en } };

const LOOKS = ['live_view', 'playback', 'export', 'bundle_download', 'probe_still'];

export default {
  title: 'owner.title',
  strings,
  async render(el, ctx) {
    const { api, t, h, ui } = ctx;
    const cams = (await api.get('/api/v1/community/cameras')).cameras;
    const cardsBox = h('div', { id: 'owner-cameras', style: 'display:grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 12px' });
    const camSel = h('select', { id: 'owner-camera' }, h('option', { value: '' }, t('owner.all_cameras')),
      cams.map((c) => h('option', { value: c.id }, c.name)));
    const actSel = h('select', { id: 'owner-action' }, h('option', { value: '' }, t('owner.all_actions')),
      [...LOOKS, 'consent_change', 'camera_change'].map((a) => h('option', { value: a }, t(`owner.act.${a}`))));
    const auditBox = h('div', { id: 'owner-audit' });
    const more = h('button', { class: 'btn', id: 'owner-more', style: 'display:none; margin-top: 8px' }, t('owner.more'));
    el.append(ui.pageHeader(t('owner.title')), h('p', { class: 'muted' }, t('owner.intro')), cardsBox,
      h('h2', { style: 'margin: 20px 0 8px; font-size: 16px' }, t('owner.audit')),
      h('div', { class: 'filters' }, h('label', {}, t('owner.camera'), camSel), h('label', {}, t('owner.action'), actSel)),
      auditBox, more);

    const name = (id) => (cams.find((c) => c.id === id) || {}).name || `#${id}`;
    if (!cams.length) cardsBox.append(h('div', { class: 'empty' }, t('owner.none')));
    for (const c of cams) {
      const st = stateOf(c);
      cardsBox.append(h('div', { class: 'owner-card', 'data-camera': c.id, style: 'background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 12px' },
        h('strong', {}, c.name), c.address ? h('div', { class: 'muted' }, c.address) : null,
        h('div', { style: 'margin: 8px 0' }, ui.badge(t(`owner.state.${st}`), st === 'online' ? 'ok' : st === 'disabled' ? 'muted' : 'bad'),
          c.last_frame ? h('small', { class: 'muted' }, ` ${t('owner.last')}: ${ctx.fmtDateTime(c.last_frame)}`) : null),
        c.alert ? h('div', { class: 'callout bad', style: 'padding: 4px 8px' }, t('owner.dark', { d: durationText(c.alert.dark_for_s, ctx.lang) }),
          h('div', { class: 'owner-alert-actions', 'data-alert': c.alert.id })) : null,
        h('div', { class: 'muted', style: 'font-size: 12px; margin-top: 4px' }, t('owner.consent')),
        h('div', {}, consentBadges(ctx, c.consent)),
        h('button', { class: 'btn btn-small', style: 'margin-top: 8px', onclick: () => consentDialog(ctx, c, false) }, t('owner.register'))));
    }

    // What the station did about each open alert: taken, the call, the
    // repair date promised (issue 17 item 13) — the owner sees it too.
    for (const box of cardsBox.querySelectorAll('.owner-alert-actions')) {
      api.get(`/api/v1/alerts/${box.dataset.alert}`).then((a) => {
        for (const x of a.actions || []) {
          const line = x.kind === 'acknowledge' ? t('owner.alert_taken', { at: ctx.fmtDateTime(x.at) })
            : x.kind === 'call' ? t('owner.alert_called', { at: ctx.fmtDateTime(x.called_at), text: x.text }) : t('owner.alert_note', { text: x.text });
          box.append(h('div', { style: 'font-size: 13px; margin-top: 4px' }, line,
            x.repair_by ? h('strong', {}, ` ${t('owner.alert_repair', { at: ctx.fmtDate(x.repair_by) })}`) : null));
        }
      }).catch(() => {});
    }

    let before = null;
    let rows = [];
    async function loadAudit(reset) {
      if (reset) { before = null; rows = []; }
      const q = ctx.qs({ camera: camSel.value, action: actSel.value, limit: 100, before });
      const r = await api.get(`/api/v1/audit${q}`);
      // end rows are shown folded into their start row
      rows = rows.concat(r.rows.filter((a) => a.camera_id && a.action !== 'live_view_end'));
      before = r.next_before;
      more.style.display = before ? '' : 'none';
      ui.clear(auditBox).append(ui.table([
        { label: t('owner.col.when'), value: (a) => ctx.fmtDateTime(a.at) },
        // who: the person's name and unit (ward, else their role), the login name only as a fallback
        { label: t('owner.col.who'), value: (a) => h('span', { class: 'owner-who' }, h('strong', {}, a.user_name || a.username || '—'),
          a.user_unit || a.user_role ? h('div', { class: 'muted', style: 'font-size: 12px' }, a.user_unit || t(`role.${a.user_role}`)) : null) },
        { label: t('owner.col.what'), value: (a) => ui.badge(t(`owner.act.${a.action}`) === `owner.act.${a.action}` ? a.action : t(`owner.act.${a.action}`),
          LOOKS.includes(a.action) ? 'info' : 'muted') },
        { label: t('owner.camera'), value: (a) => name(a.camera_id) },
        // a live view: start → its end, "đang xem" only while it is really open
        { label: t('owner.col.range'), value: (a) => {
          if (!a.from) return '';
          if (a.action === 'live_view') {
            const end = a.view_end ? ctx.fmtTime(a.view_end) : a.view_open ? h('strong', { class: 'live-now' }, t('owner.live_now')) : '?';
            return h('span', {}, `${ctx.fmtDateTime(a.from)} → `, end);
          }
          return `${ctx.fmtDateTime(a.from)} → ${a.to ? ctx.fmtTime(a.to) : ''}`;
        } },
        { label: t('owner.col.from'), value: (a) => h('small', { class: 'muted' }, a.client_addr || '') },
      ], rows, { empty: t('owner.empty') }));
      cardLabels(auditBox);
    }
    camSel.addEventListener('change', () => loadAudit(true));
    actSel.addEventListener('change', () => loadAudit(true));
    more.addEventListener('click', () => loadAudit(false));
    await loadAudit(true);
  },
};
