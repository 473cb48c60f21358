// Audit trail: who looked at which camera, when, and what changed.  Admins
// see everything and can check the hash chain; camera owners see the rows
// about their own cameras.  Filters live in the hash (#/audit?camera=3).
import { dateTimeInput, msOfDay } from '../lib/datetime.js';
import { isoStation } from '../lib/station.js';

const ACTIONS = ['live_view', 'playback', 'export', 'login', 'login_failed', 'logout',
  'user_change', 'camera_change', 'owner_change', 'ward_change'];

export default {
  title: 'audit.title',
  async render(el, ctx) {
    const { api, t, h, ui, qs } = ctx;
    const f = {
      camera: ctx.params.get('camera') || '', action: ctx.params.get('action') || '',
      from: ctx.params.get('from') || '', to: ctx.params.get('to') || '',
    };
    const cams = (await api.get('/api/v1/cameras')).cameras;
    const camName = (id) => (cams.find((c) => c.id === id) || {}).name || `#${id}`;
    const list = h('div', { id: 'audit-list' });
    const verifyBox = h('div', {});
    const more = h('div', { class: 'pager' });
    let rows = [];
    let next = null;

    const detailText = (d) => {
      if (!d) return '';
      if (typeof d !== 'object') return String(d);
      // a missing value is "—", a nested one its JSON: never "null" or "[object Object]"
      const val = (v) => (v == null || v === '' ? '—' : Array.isArray(v) ? v.map(val).join(', ')
        : typeof v === 'object' ? JSON.stringify(v) : String(v));
      return Object.entries(d).map(([k, v]) => `${k}: ${val(v)}`).join(' · ');
    };

    function draw() {
      ui.clear(list).append(ui.table([
        { label: '#', value: (r) => r.id, class: 'num' },
        { label: t('audit.at'), value: (r) => ctx.fmtDateTime(r.at), class: 'mono' },
        { label: t('audit.user'), value: (r) => r.username || t('common.none') },
        { label: t('audit.action'), value: (r) => ui.badge(t(`audit.action.${r.action}`),
          r.action === 'login_failed' ? 'bad' : ['live_view', 'playback', 'export'].includes(r.action) ? 'info' : 'muted') },
        { label: t('audit.camera'), value: (r) => (r.camera_id ? camName(r.camera_id) : t('common.none')) },
        { label: t('audit.range'), value: (r) => (r.from ? `${ctx.fmtDateTime(r.from, false)} → ${ctx.fmtTime(r.to, false)}` : ''), class: 'mono' },
        { label: t('audit.client'), value: (r) => r.client_addr || '', class: 'mono' },
        { label: t('audit.detail'), value: (r) => h('span', { class: 'muted' }, detailText(r.detail)) },
      ], rows, { empty: t('audit.empty') }));
      ui.clear(more);
      if (next) more.append(h('button', { class: 'btn', onclick: () => load(true) }, t('common.more')));
    }

    async function load(append) {
      const q = { limit: 100, camera: f.camera, action: f.action, before: append ? next : '' };
      // from/to are station days: from the first to the last second of them
      if (f.from) q.from = isoStation(msOfDay(f.from));
      if (f.to) q.to = isoStation(msOfDay(f.to) + 86399e3);
      const r = await api.get(`/api/v1/audit${qs(q)}`);
      rows = append ? rows.concat(r.rows) : r.rows;
      next = r.next_before;
      draw();
    }

    async function verify() {
      try {
        const r = await api.get('/api/v1/audit/verify');
        ui.clear(verifyBox).append(r.ok
          ? h('div', { class: 'callout ok', id: 'audit-verify-result' }, t('audit.verify_ok', { n: r.rows_verified }))
          : h('div', { class: 'callout bad', id: 'audit-verify-result' }, t('audit.verify_bad', { id: r.bad_row, reason: r.reason })));
      } catch (e) { ui.showError(e); }
    }

    const apply = () => {
      ctx.navigate(`#/audit${qs(f)}`);
    };
    const dayInput = (key) => {
      const i = dateTimeInput({ id: `audit-${key}`, ms: msOfDay(f[key]) });
      i.addEventListener('change', () => { if (Number.isNaN(i.ms)) { i.reportValidity(); return; } f[key] = i.day; apply(); });
      return i;
    };
    el.append(
      ui.pageHeader(t('audit.title'),
        ctx.is('admin') ? h('button', { class: 'btn', id: 'audit-verify', onclick: verify }, t('audit.verify')) : null),
      verifyBox,
      h('div', { class: 'filters' },
        h('label', {}, t('audit.camera'), h('select', { onchange: (e) => { f.camera = e.target.value; apply(); } },
          h('option', { value: '' }, '—'), cams.map((c) => h('option', { value: c.id, selected: String(c.id) === f.camera }, c.name)))),
        h('label', {}, t('audit.action'), h('select', { onchange: (e) => { f.action = e.target.value; apply(); } },
          h('option', { value: '' }, t('audit.all_actions')),
          ACTIONS.map((a) => h('option', { value: a, selected: a === f.action }, t(`audit.action.${a}`))))),
        h('label', {}, t('audit.from'), dayInput('from')),
        h('label', {}, t('audit.to'), dayInput('to'))),
      list, more);
    await load(false);
  },
};
