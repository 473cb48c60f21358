// Users (admin only; the server answers 403 to anyone else): list, add,
// change role/ward/owner, reset a password, disable.
const ROLES = ['admin', 'province', 'officer', 'viewer', 'owner'];

export default {
  title: 'users.title',
  async render(el, ctx) {
    const { api, t, h, ui } = ctx;
    const [usersR, wards, ownersR] = await Promise.all([
      api.get('/api/v1/users'), ctx.wards(), api.get('/api/v1/owners'),
    ]);
    let users = usersR.users;
    const owners = ownersR.owners;
    const list = h('div', { id: 'user-list' });
    const wardName = (id) => (wards.find((w) => w.id === id) || {}).name || t('common.none');
    const ownerName = (id) => (owners.find((o) => o.id === id) || {}).name || t('common.none');

    function draw() {
      ui.clear(list).append(ui.table([
        { label: 'ID', value: (u) => u.id, class: 'num' },
        { label: t('users.username'), value: (u) => h('strong', { class: 'mono' }, u.username) },
        { label: t('users.display_name'), value: (u) => u.display_name || t('common.none') },
        { label: t('users.role'), value: (u) => ui.badge(t(`role.${u.role}`), u.role === 'admin' ? 'warn' : 'info') },
        { label: `${t('users.ward')} / ${t('users.owner')}`, value: (u) => (u.ward_id ? wardName(u.ward_id) : u.owner_id ? ownerName(u.owner_id) : t('common.none')) },
        { label: t('users.state'), value: (u) => (u.disabled ? ui.badge(t('users.disabled'), 'bad') : ui.badge(t('users.active'), 'ok')) },
        { label: t('users.last_login'), value: (u) => (u.last_login_at ? ctx.fmtDateTime(u.last_login_at, false) : t('users.never')) },
        { label: '', class: 'actions', value: (u) => h('button', { class: 'btn btn-small', onclick: () => edit(u) }, t('common.edit')) },
      ], users));
    }

    async function reload() { users = (await api.get('/api/v1/users')).users; draw(); }

    function scopeFields(u) {
      return [
        { name: 'role', label: t('users.role'), type: 'select', options: ROLES.map((r) => [r, t(`role.${r}`)]), value: u.role || 'viewer' },
        { name: 'ward_id', label: t('users.ward'), type: 'select', options: [['', t('common.none')], ...wards.map((w) => [w.id, w.name])], value: u.ward_id ?? '', help: `${t('role.officer')}, ${t('role.viewer')}` },
        { name: 'owner_id', label: t('users.owner'), type: 'select', options: [['', t('common.none')], ...owners.map((o) => [o.id, o.name])], value: u.owner_id ?? '', help: t('role.owner') },
        { name: 'display_name', label: t('users.display_name'), value: u.display_name || '' },
      ];
    }
    function scopeBody(v) {
      const needsWard = v.role === 'officer' || v.role === 'viewer';
      return {
        role: v.role,
        ward_id: needsWard && v.ward_id ? Number(v.ward_id) : null,
        owner_id: v.role === 'owner' && v.owner_id ? Number(v.owner_id) : null,
        display_name: v.display_name.trim() || null,
      };
    }

    async function edit(u) {
      const isNew = !u.id;
      const fields = isNew
        ? [{ name: 'username', label: t('users.username'), required: true, placeholder: 'canbo.truongthi' },
          { name: 'password', label: t('users.password'), type: 'password', required: true, autocomplete: 'new-password' },
          ...scopeFields(u)]
        : [...scopeFields(u),
          { name: 'password', label: t('users.new_password'), type: 'password', autocomplete: 'new-password' },
          { name: 'disabled', label: t('users.disable'), type: 'checkbox', value: u.disabled }];
      const ok = await ui.formModal({
        title: isNew ? t('users.add') : `${t('users.edit')}: ${u.username}`,
        fields,
        onSubmit: (v) => {
          const b = scopeBody(v);
          if (isNew) {
            b.username = v.username.trim();
            b.password = v.password;
            for (const k of Object.keys(b)) if (b[k] === null) delete b[k];
            return api.post('/api/v1/users', b);
          }
          if (v.password) b.password = v.password;
          b.disabled = v.disabled;
          return api.patch(`/api/v1/users/${u.id}`, b);
        },
      });
      if (ok) { ui.toast(t('common.saved')); await reload(); }
    }

    el.append(ui.pageHeader(t('users.title'),
      h('button', { class: 'btn btn-primary', id: 'user-add', onclick: () => edit({}) }, `+ ${t('users.add')}`)), list);
    draw();
  },
};
