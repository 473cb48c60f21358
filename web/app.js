// The console shell: sign-in, the sidebar, the top bar, hash routing and the
// page context.  Pages are plain ES modules registered in pages.js; see
// web/README.md for the contract.  No build step: what is here is what runs.
import { api, qs, setUnauthorizedHandler } from './lib/api.js';
import { t, loadLang, getLang, addStrings, fmtDate, fmtDateTime, fmtTime, fmtNum, fmtPct, fmtShare, LANGS } from './lib/i18n.js';
import { setStationOffset } from './lib/station.js';
import { dateTimeInput } from './lib/datetime.js';
import { h, clear, toast, showError, formModal, table, badge, pageHeader } from './lib/ui.js';
import { pages, HOME, loadPage } from './pages.js';
import { icon } from './icons.js';

const root = document.getElementById('app');
let user = null;
let cleanup = null;
let routeSeq = 0;
let wardCache = null;

const SECTIONS = ['watch', 'ward', 'admin'];

function allowed(page) { return !!user && page.roles.includes(user.role); }

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [pathPart, query = ''] = raw.split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || '', rest: parts.slice(1), params: new URLSearchParams(query) };
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// ---- sign-in -------------------------------------------------------------

function showLogin() {
  runCleanup();
  const err = h('div', { class: 'form-error', role: 'alert', id: 'login-error' });
  const username = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'login-submit' }, t('login.submit'));
  const form = h('form', { class: 'login-card', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    submit.disabled = true;
    try {
      const r = await api.post('/api/v1/session', { username: username.value.trim(), password: password.value }, { quiet401: true });
      user = r.user;
      setStationOffset(r.station && r.station.utc_offset_min);
      password.value = '';
      if (!location.hash || location.hash === '#/') location.hash = '';
      showShell();
    } catch (ex) {
      if (ex.status === 401) err.textContent = t('login.wrong');
      else if (ex.status === 429) err.textContent = t('login.locked', { s: (ex.headers && ex.headers.get('Retry-After')) || '30' });
      else err.textContent = ex.message;
      password.select();
    } finally {
      submit.disabled = false;
    }
  } },
  h('div', { class: 'login-brand', html: icon('shield', 'brand-mark') }),
  h('h1', {}, t('app.name')),
  h('p', { class: 'muted' }, t('app.tagline')),
  h('h2', {}, t('login.title')),
  err,
  h('label', { class: 'field', for: 'login-username' }, h('span', { class: 'field-label' }, t('login.username')), username),
  h('label', { class: 'field', for: 'login-password' }, h('span', { class: 'field-label' }, t('login.password')), password),
  submit,
  h('p', { class: 'login-notice' }, t('login.notice')),
  langSwitch(() => showLogin()));
  clear(root).append(h('div', { class: 'login-page' }, form));
  document.title = `${t('login.title')} · ${t('app.name')}`;
  username.focus();
}

function langSwitch(rerender) {
  return h('div', { class: 'lang-switch', role: 'group', 'aria-label': t('top.language') },
    LANGS.map((l) => h('button', { type: 'button', class: `lang ${l === getLang() ? 'active' : ''}`, 'data-lang': l,
      onclick: async () => { await loadLang(l); rerender(); } }, l.toUpperCase())));
}

// ---- shell ---------------------------------------------------------------

function showShell() {
  const nav = h('nav', { class: 'nav', 'aria-label': 'main' });
  for (const s of SECTIONS) {
    const items = pages.filter((p) => p.section === s && allowed(p));
    if (!items.length) continue;
    nav.append(h('div', { class: 'nav-section' }, t(`nav.section.${s}`)));
    for (const p of items) {
      nav.append(h('a', { href: `#/${p.name}`, class: 'nav-item', 'data-page': p.name },
        h('span', { html: icon(p.icon) }), h('span', {}, t(`nav.${p.name}`))));
    }
  }
  nav.addEventListener('click', (e) => { if (e.target.closest('.nav-item')) setNav(false); });
  const sidebar = h('aside', { class: 'sidebar', id: 'sidebar' },
    h('div', { class: 'brand' }, h('span', { html: icon('shield', 'brand-mark') }),
      h('div', {}, h('strong', {}, t('app.name')), h('small', {}, t('app.tagline')))),
    nav);
  const title = h('div', { class: 'top-title', id: 'top-title' });
  // On a phone the sidebar folds away behind this button (app.css, max-width
  // 600px); it opens over the page and closes on a choice, a tap beside it
  // or Escape.  On a wider screen the button is not shown.
  const toggle = h('button', { class: 'btn btn-ghost nav-toggle', id: 'nav-toggle', type: 'button', 'aria-controls': 'sidebar',
    'aria-expanded': 'false', 'aria-label': t('top.menu'), title: t('top.menu'), html: icon('menu'), onclick: () => setNav(!navOpen()) });
  const top = h('header', { class: 'topbar' }, h('div', { class: 'top-left' }, toggle, title),
    h('div', { class: 'top-right' },
      langSwitch(() => showShell()),
      h('div', { class: 'user-chip', id: 'user-chip' },
        h('span', { class: 'avatar' }, (user.display_name || user.username).slice(0, 1).toUpperCase()),
        h('div', {}, h('strong', {}, user.display_name || user.username), h('small', {}, t(`role.${user.role}`)))),
      h('button', { class: 'btn btn-ghost', id: 'signout', title: t('top.signout'), onclick: signOut },
        h('span', { html: icon('logout') }), h('span', {}, t('top.signout')))));
  const content = h('main', { class: 'content', id: 'page' });
  const scrim = h('div', { class: 'nav-scrim', onclick: () => setNav(false) });
  clear(root).append(h('div', { class: 'shell' }, sidebar, scrim, h('div', { class: 'main' }, top, content)));
  startAlertCount();
  route();
}

// The phone's menu (the folded sidebar): open or closed.  Opening moves
// the focus into it (the current page's item), so a keyboard or a screen
// reader lands there; Escape gives it back to the menu button.
function navOpen() { return !!document.querySelector('.shell.nav-open'); }
function setNav(open, { refocus = false } = {}) {
  const shell = document.querySelector('.shell');
  if (!shell || shell.classList.contains('nav-open') === open) return;
  shell.classList.toggle('nav-open', open);
  const b = document.getElementById('nav-toggle');
  if (b) b.setAttribute('aria-expanded', String(open));
  if (open) {
    const item = shell.querySelector('.nav-item.active') || shell.querySelector('.nav-item');
    if (item) item.focus({ preventScroll: true });
  } else if (refocus && b) b.focus();
}
document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && navOpen()) setNav(false, { refocus: true }); });

// The sidebar's live count of open camera-dark alerts nobody has taken yet
// (issue 17 item 13), refreshed every 20 s while signed in.
let alertTimer = 0;
function startAlertCount() {
  clearInterval(alertTimer);
  const item = document.querySelector('.nav-item[data-page="alerts"]');
  if (!item) return;
  const badge = h('span', { class: 'nav-count', id: 'nav-alert-count', hidden: true });
  item.append(badge);
  const update = async () => {
    if (!user || !document.body.contains(badge)) { clearInterval(alertTimer); return; }
    try {
      const c = await api.get('/api/v1/alerts/count', { quiet401: true });
      badge.hidden = !c.open;
      badge.textContent = c.unacknowledged ? String(c.unacknowledged) : String(c.open);
      badge.classList.toggle('nav-count-taken', !c.unacknowledged);
      badge.title = t('nav.alert_count', { open: c.open, unack: c.unacknowledged });
    } catch { /* the next tick tries again */ }
  };
  update();
  alertTimer = setInterval(update, 20000);
}

async function signOut() {
  clearInterval(alertTimer);
  try { await api.del('/api/v1/session', { quiet401: true }); } catch { /* signed out anyway */ }
  user = null;
  wardCache = null;
  location.hash = '';
  showLogin();
}

function runCleanup() {
  if (typeof cleanup === 'function') {
    try { cleanup(); } catch (e) { console.error(e); }
  }
  cleanup = null;
}

function message(el, text, kind) {
  clear(el).append(h('div', { class: `page-message ${kind || ''}` }, text));
}

async function route() {
  if (!user) return;
  const seq = ++routeSeq;
  const { name, rest, params } = parseHash();
  if (!name) {
    // An owner's home is their own cameras ("Camera của tôi"), not the station's table.
    const order = user.role === 'owner' ? ['owner', ...HOME] : HOME;
    const home = order.map((n) => pages.find((p) => p.name === n)).find((p) => p && allowed(p))
      || pages.find(allowed);
    location.replace(`#/${home ? home.name : 'cameras'}`);
    return;
  }
  const el = document.getElementById('page');
  if (!el) return;
  runCleanup();
  setNav(false);
  for (const a of document.querySelectorAll('.nav-item')) a.classList.toggle('active', a.dataset.page === name);
  const entry = pages.find((p) => p.name === name);
  const title = document.getElementById('top-title');
  if (!entry) { title.textContent = ''; message(el, t('page.notfound')); return; }
  title.textContent = t(`nav.${name}`);
  document.title = `${t(`nav.${name}`)} · ${t('app.name')}`;
  if (!allowed(entry)) { message(el, t('page.forbidden'), 'forbidden'); return; }
  message(el, t('common.loading'), 'loading');
  let mod;
  try {
    mod = await loadPage(name);
  } catch (e) {
    if (seq === routeSeq) message(el, t('page.missing'), 'missing');
    return;
  }
  if (seq !== routeSeq) return;
  const page = mod.default || {};
  addStrings(page.strings);
  if (page.title) {
    title.textContent = t(page.title);
    document.title = `${t(page.title)} · ${t('app.name')}`;
  }
  clear(el);
  el.dataset.page = name;
  try {
    const r = await page.render(el, makeContext(rest, params));
    if (seq === routeSeq) cleanup = r;
    else if (typeof r === 'function') r();
  } catch (e) {
    if (seq !== routeSeq) return;
    if (e && e.status === 403) message(el, t('page.forbidden'), 'forbidden');
    else if (e && e.status !== 401) message(el, `${t('common.error')}: ${e.message || e}`, 'error');
  }
}

// What a page gets (see web/README.md).
function makeContext(path, params) {
  return {
    api, qs, t, user, lang: getLang(), path, params,
    fmtDate, fmtDateTime, fmtTime, fmtNum, fmtPct, fmtShare, dateTimeInput,
    h, ui: { clear, toast, showError, formModal, table, badge, pageHeader },
    navigate,
    is: (...roles) => roles.includes(user.role),
    // Wards in the caller's scope, cached for the session.
    wards: async () => (wardCache ||= (await api.get('/api/v1/wards')).wards),
    refreshWards: () => { wardCache = null; },
  };
}

// The session ended while the console is open (expired, or signed out
// elsewhere): a sign-in dialog over everything, the page and any form left
// as they are; every request that met the 401 waits for it and is sent again.
// The same person signing in carries on; someone else gets a fresh console
// (their rights differ).  "Sign out" gives up and shows the sign-in page.
let reauthWait = null;
function reauth() {
  if (!user) return Promise.resolve(false);
  if (reauthWait) return reauthWait;
  const before = user;
  reauthWait = new Promise((resolve) => {
    const err = h('div', { class: 'form-error', role: 'alert', id: 'reauth-error' });
    const username = h('input', { id: 'reauth-username', autocomplete: 'username', value: before.username, required: true });
    const password = h('input', { id: 'reauth-password', type: 'password', autocomplete: 'current-password', required: true });
    const done = (ok) => { back.remove(); reauthWait = null; resolve(ok); };
    const form = h('form', { class: 'modal', id: 'reauth', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'reauth-title', onsubmit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      try {
        const r = await api.post('/api/v1/session', { username: username.value.trim(), password: password.value }, { quiet401: true });
        user = r.user;
        setStationOffset(r.station && r.station.utc_offset_min);
        done(true);
        if (r.user.id !== before.id) showShell();
      } catch (ex) {
        if (ex.status === 401) err.textContent = t('login.wrong');
        else if (ex.status === 429) err.textContent = t('login.locked', { s: (ex.headers && ex.headers.get('Retry-After')) || '30' });
        else err.textContent = ex.message;
        password.select();
      }
    } },
    h('h2', { id: 'reauth-title' }, t('reauth.title')),
    h('p', { class: 'muted' }, t('reauth.why')),
    err,
    h('label', { class: 'field', for: 'reauth-username' }, h('span', { class: 'field-label' }, t('login.username')), username),
    h('label', { class: 'field', for: 'reauth-password' }, h('span', { class: 'field-label' }, t('login.password')), password),
    h('div', { class: 'modal-actions' },
      h('button', { type: 'button', class: 'btn', id: 'reauth-signout', onclick: () => { user = null; done(false); showLogin(); } }, t('top.signout')),
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'reauth-submit' }, t('login.submit'))));
    // Escape must not reach the form underneath (it would close it, text and all)
    form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); e.preventDefault(); } });
    const back = h('div', { class: 'modal-back reauth-back' }, form);
    document.body.append(back);
    password.focus();
  });
  return reauthWait;
}

async function boot() {
  await loadLang(getLang());
  setUnauthorizedHandler(reauth);
  try {
    const r = await api.get('/api/v1/session', { quiet401: true });
    user = r.user;
    setStationOffset(r.station && r.station.utc_offset_min);
  } catch (e) {
    user = null;
  }
  window.addEventListener('hashchange', () => { if (user) route(); });
  if (user) showShell();
  else showLogin();
}

boot();
