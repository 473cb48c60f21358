// Cameras: the list of cameras the user may see, and (admin, officer) add /
// edit, (admin) delete.  Credentials are write-only: the form never shows a
// stored password, an empty password field keeps it.
// The "Thêm camera" dialog of an admin has an ONVIF part (issue 12 item 7):
// address, account, "Đọc từ camera" → POST /api/v1/cameras/onvif-probe
// (admin only: it sends the account to an address the caller picks), which
// fills the main/sub/snapshot URLs and shows the maker, model and clock skew.
export default {
  title: 'cameras.title',
  async render(el, ctx) {
    const { api, t, h, ui, user } = ctx;
    const canManage = ctx.is('admin', 'officer');
    const canDelete = ctx.is('admin');
    const [camsR, wards, owners] = await Promise.all([
      api.get('/api/v1/cameras'),
      ctx.wards(),
      ctx.is('admin', 'province', 'officer', 'owner')
        ? api.get('/api/v1/owners').then((r) => r.owners).catch(() => []) : Promise.resolve([]),
    ]);
    let cams = camsR.cameras;
    // What each camera is doing now (GET /api/v1/health): "Đang ghi" only
    // for a camera that is online and recording — never for one that is
    // enabled but offline (issue 17 item 12).
    let health = new Map();
    const loadHealth = async () => {
      try { health = new Map(((await api.get('/api/v1/health')).cameras || []).map((c) => [c.id, c])); } catch { health = new Map(); }
    };
    await loadHealth();
    const stateBadge = (c) => {
      if (!c.enabled) return ui.badge(t('cameras.disabled'));
      const s = health.get(c.id);
      if (!s) return ui.badge(t('cameras.st.unknown'));
      const withReason = (b) => { if (s.reason) b.title = s.reason; b.dataset.state = s.state; return b; };
      if (s.state === 'offline' || s.state === 'error') return withReason(ui.badge(t(`cameras.st.${s.state}`), 'bad'));
      if (s.state !== 'online') return withReason(ui.badge(t('cameras.st.connecting'), 'warn'));
      if (s.record_state === 'recording') return withReason(ui.badge(t('cameras.enabled'), 'ok'));
      if (s.record_state === 'paused') return withReason(ui.badge(t('cameras.st.paused'), 'warn'));
      return withReason(ui.badge(t('cameras.st.online'), 'info'));
    };
    const wardName = (id) => (wards.find((w) => w.id === id) || {}).name || t('common.none');
    const ownerName = (id) => (owners.find((o) => o.id === id) || {}).name || t('common.none');
    let filterWard = ctx.params.get('ward') || '';
    let search = '';

    const list = h('div', { id: 'camera-list' });
    const summary = h('div', { class: 'summary' });

    function visible() {
      const q = search.trim().toLowerCase();
      return cams.filter((c) => (!filterWard || String(c.ward_id) === filterWard) &&
        (!q || `${c.name} ${c.address || ''}`.toLowerCase().includes(q)));
    }

    function draw() {
      const rows = visible();
      summary.textContent = t('cameras.count', { n: rows.length });
      const cols = [
        { label: 'ID', value: (c) => c.id, class: 'num' },
        { label: t('cameras.name'), value: (c) => h('div', {}, h('strong', {}, c.name),
          c.address ? h('div', { class: 'muted' }, c.address) : null) },
        { label: t('cameras.ward'), value: (c) => wardName(c.ward_id) },
      ];
      if (owners.length || ctx.is('admin', 'officer')) cols.push({ label: t('cameras.owner'), value: (c) => (c.owner_id ? ownerName(c.owner_id) : ui.badge(t('cameras.station_own'), 'info')) });
      cols.push(
        { label: t('cameras.state'), value: (c) => stateBadge(c) },
        { label: t('cameras.retention'), value: (c) => c.retention_days, class: 'num' },
        { label: t('cameras.credentials'), value: (c) => (c.has_credentials ? ui.badge(t('common.yes'), 'info') : t('common.no')) },
      );
      if (canManage) {
        cols.push({ label: '', class: 'actions', value: (c) => h('span', {},
          h('button', { class: 'btn btn-small', 'data-edit': c.id, onclick: (e) => { e.stopPropagation(); edit(c); } }, t('common.edit')),
          canDelete ? h('button', { class: 'btn btn-small btn-danger', onclick: (e) => { e.stopPropagation(); remove(c); } }, t('common.delete')) : null) });
      }
      ui.clear(list).append(ui.table(cols, rows, { empty: t('cameras.empty') }));
    }

    async function reload() {
      [cams] = await Promise.all([api.get('/api/v1/cameras').then((r) => r.cameras), loadHealth()]);
      draw();
    }

    function fields(c) {
      const myWard = user.role === 'officer';
      const wardOpts = (myWard ? wards.filter((w) => w.id === user.ward_id) : [[null], ...wards])
        .map((w) => (Array.isArray(w) ? ['', t('common.none')] : [w.id, w.name]));
      const ownerOpts = [['', t('common.none')], ...owners.map((o) => [o.id, o.name])];
      return [
        { name: 'name', label: t('cameras.name'), value: c.name, required: true },
        { name: 'address', label: t('cameras.address'), value: c.address },
        { name: 'ward_id', label: t('cameras.ward'), type: 'select', options: wardOpts, value: c.ward_id ?? (myWard ? user.ward_id : '') },
        { name: 'owner_id', label: t('cameras.owner'), type: 'select', options: ownerOpts, value: c.owner_id ?? '' },
        { name: 'main_url', label: t('cameras.main_url'), value: c.main_url, required: true, placeholder: 'rtsp://192.168.1.10:554/stream1' },
        { name: 'sub_url', label: t('cameras.sub_url'), value: c.sub_url, placeholder: 'rtsp://192.168.1.10:554/stream2' },
        { name: 'snapshot_url', label: t('cameras.snapshot_url'), value: c.snapshot_url, placeholder: 'http://192.168.1.10/onvif/snapshot.jpg' },
        { name: 'username', label: t('cameras.username'), value: '', placeholder: c.has_credentials ? '••••' : '' },
        { name: 'password', label: t('cameras.password'), type: 'password', value: '', placeholder: c.id ? t('cameras.password_keep') : '', autocomplete: 'new-password' },
        { name: 'latitude', label: t('cameras.latitude'), type: 'number', step: 'any', value: c.latitude },
        { name: 'longitude', label: t('cameras.longitude'), type: 'number', step: 'any', value: c.longitude },
        { name: 'direction_deg', label: t('cameras.direction'), type: 'number', step: 'any', value: c.direction_deg },
        { name: 'retention_days', label: t('cameras.retention'), type: 'number', value: c.retention_days ?? 30 },
        { name: 'transport', label: t('cameras.transport'), type: 'select', options: [['tcp', 'TCP'], ['udp', 'UDP']], value: c.transport || 'tcp' },
        { name: 'enabled', label: t('cameras.enabled'), type: 'checkbox', value: c.enabled ?? true },
        // sound is off unless turned on on purpose; the dialog says why
        { name: 'audio', label: t('cameras.audio'), type: 'checkbox', value: c.audio ?? false, help: t('cameras.audio_consent') },
      ];
    }

    function body(v, isNew) {
      const b = {
        name: v.name.trim(), address: v.address.trim() || null, main_url: v.main_url.trim(),
        sub_url: v.sub_url.trim() || null, snapshot_url: v.snapshot_url.trim() || null,
        transport: v.transport, enabled: v.enabled, audio: v.audio,
        retention_days: v.retention_days ?? 30,
        ward_id: v.ward_id ? Number(v.ward_id) : null, owner_id: v.owner_id ? Number(v.owner_id) : null,
        direction_deg: v.direction_deg,
      };
      if (v.latitude !== null || v.longitude !== null) { b.latitude = v.latitude; b.longitude = v.longitude; }
      else if (!isNew) { b.latitude = null; b.longitude = null; }
      if (v.username.trim()) b.username = v.username.trim();
      if (v.password) b.password = v.password;
      if (isNew) for (const k of Object.keys(b)) if (b[k] === null) delete b[k];
      return b;
    }

    // host[:port] of an http(s) address, for the messages; '' if none.
    const hostOf = (u) => (/^https?:\/\/([^/?#\s]+)/i.exec(u) || [])[1] || '';

    // The ONVIF part, put above the fields of the open add dialog `form`.
    // Its controls are outside formModal's field list, so Save never sends
    // them; a successful read fills the dialog's own fields (and its
    // camera account when still empty: RTSP usually takes the same one).
    function onvifPart(form) {
      const field = (name) => form.querySelector(`#f-${name}`);
      const url = h('input', { id: 'onvif-url', type: 'url', inputmode: 'url', autocomplete: 'off', placeholder: 'http://192.168.1.10:80', 'aria-describedby': 'onvif-help' });
      const usr = h('input', { id: 'onvif-username', type: 'text', autocomplete: 'off' });
      const pwd = h('input', { id: 'onvif-password', type: 'password', autocomplete: 'new-password' });
      const err = h('div', { id: 'onvif-error', class: 'form-error', role: 'alert' });
      const out = h('div', { id: 'onvif-result', role: 'status', 'aria-live': 'polite' });
      const btn = h('button', { type: 'button', id: 'onvif-read', class: 'btn' }, t('cameras.onvif.read'));
      const lab = (input, key) => h('label', { class: 'field', for: input.id }, h('span', { class: 'field-label' }, t(key)), input);
      const fail = (text, title) => { err.textContent = text; err.title = title || ''; };
      const set = (name, v) => { const i = field(name); if (i) i.value = v ?? ''; };

      async function read() {
        fail('');
        ui.clear(out);
        const u = url.value.trim();
        const host = hostOf(u);
        if (!host) { fail(t('cameras.onvif.bad_url')); url.focus(); return; }
        if (!usr.value.trim()) { fail(t('cameras.onvif.need_user')); usr.focus(); return; }
        const name = (field('name') ? field('name').value.trim() : '') || host;
        btn.disabled = true;
        out.textContent = t('cameras.onvif.reading');
        try {
          const r = await api.post('/api/v1/cameras/onvif-probe', { url: u, username: usr.value.trim(), password: pwd.value, name });
          set('main_url', r.main_url);
          set('sub_url', r.sub_url);
          set('snapshot_url', r.snapshot_url);
          if (field('username') && !field('username').value) set('username', usr.value.trim());
          if (field('password') && !field('password').value) set('password', pwd.value);
          const d = r.device || {};
          const skew = Number(r.skew_s) || 0;
          const s = skew > 0 ? `+${skew}` : String(skew);
          const warn = Math.abs(skew) > 5;
          ui.clear(out).append(
            h('div', { id: 'onvif-device' }, t('cameras.onvif.device', { maker: d.manufacturer || '?', model: d.model || '?', firmware: d.firmware || '?' })),
            h('div', { id: 'onvif-filled', class: 'muted' }, t('cameras.onvif.filled', {
              n: (r.profiles || []).length, sub: r.sub_url ? t('cameras.onvif.filled_sub') : '', snap: r.snapshot_url ? t('cameras.onvif.filled_snap') : '' })),
            h('div', { id: 'onvif-skew', dataset: { skew: String(skew), warn: warn ? '1' : '0' } },
              warn ? ui.badge(t('cameras.onvif.skew_warn', { s }), 'warn') : t('cameras.onvif.skew_ok', { s })));
        } catch (e) {
          ui.clear(out);
          // the console's own words, naming the camera; the API's message
          // (it names the camera and host too) stays in the title
          if (e.code === 'onvif_auth') fail(t('cameras.onvif.err_auth', { name, host }), e.serverMessage);
          else if (e.code === 'onvif_unreachable') fail(t('cameras.onvif.err_unreachable', { name, host }), e.serverMessage);
          else fail(e.message || String(e), e.serverMessage);
        } finally {
          btn.disabled = false;
        }
      }
      btn.addEventListener('click', read);
      // Enter in the ONVIF part reads the camera; it must not save the dialog
      for (const i of [url, usr, pwd]) {
        i.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); read(); } });
      }
      return h('fieldset', { class: 'onvif-part', 'aria-describedby': 'onvif-help' },
        h('legend', {}, t('cameras.onvif.legend')),
        h('small', { id: 'onvif-help', class: 'muted' }, t('cameras.onvif.help')),
        h('div', { class: 'form-grid' }, h('div', { class: 'field-wide' }, lab(url, 'cameras.onvif.url')),
          lab(usr, 'cameras.onvif.username'), lab(pwd, 'cameras.onvif.password')),
        h('div', { class: 'onvif-actions' }, btn), err, out);
    }

    async function edit(c) {
      const full = c.id ? await api.get(`/api/v1/cameras/${c.id}`) : c;
      const done = ui.formModal({
        title: c.id ? t('cameras.edit') : t('cameras.add'),
        fields: fields(full),
        onSubmit: (v) => (c.id ? api.patch(`/api/v1/cameras/${c.id}`, body(v, false))
          : api.post('/api/v1/cameras', body(v, true))),
      });
      // formModal puts its dialog on the page at once: the newest one is ours
      if (!c.id && ctx.is('admin')) {
        const forms = document.querySelectorAll('.modal-back > form.modal');
        const form = forms[forms.length - 1];
        const grid = form && form.querySelector(':scope > .form-grid');
        if (grid) grid.before(onvifPart(form));
      }
      const ok = await done;
      if (ok) { ui.toast(t('common.saved')); await reload(); }
    }

    async function remove(c) {
      if (!confirm(t('common.confirm_delete', { name: c.name }))) return;
      try {
        await api.del(`/api/v1/cameras/${c.id}`);
        ui.toast(t('cameras.deleted'));
        await reload();
      } catch (e) { ui.showError(e); }
    }

    const wardFilter = wards.length > 1 ? h('label', {}, t('cameras.ward'),
      h('select', { id: 'ward-filter', onchange: (e) => { filterWard = e.target.value; draw(); } },
        h('option', { value: '' }, '—'), wards.map((w) => h('option', { value: w.id, selected: String(w.id) === filterWard }, w.name)))) : null;
    el.append(
      ui.pageHeader(t('cameras.title'),
        canManage ? h('button', { class: 'btn btn-primary', id: 'camera-add', onclick: () => edit({}) }, `+ ${t('cameras.add')}`) : null),
      h('div', { class: 'filters' },
        h('label', {}, t('common.search'), h('input', { type: 'search', id: 'camera-search', oninput: (e) => { search = e.target.value; draw(); } })),
        wardFilter),
      summary, list);
    draw();
  },
};
