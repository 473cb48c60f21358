// The console on a phone (issue 17 item 4), at 390x844 as an officer holds it:
//   - on live (and its enlarged view), timeline, alerts, incidents (its
//     list, the new-incident form, one incident) and the owner portal, then
//     on every other page of the admin's sidebar, nothing is wider than the
//     screen: the page does not scroll sideways (document and work area), no
//     element of the work area
//     reaches past its edges, and every button, link and field there is
//     inside 0..390 and at least 44 px tall (a checkbox counts by the label
//     around it, which is what a thumb taps).  A failure lists the
//     offenders with their text and size;
//   - the sidebar gives way to a menu button; its items are 44 px tall and
//     a tap on one goes there and closes the menu;
//   - on alerts the owner's phone number is a tel: link, one tap away;
//   - the web app manifest is served (application/manifest+json), names
//     "wardwatch" and its icons, and index.html links it with a theme colour.
// Takes docs/screens/phone-*.png.  The catalog is `wardwatch demo-data`, plus
// a recorded camera (tools/gencams) for the timeline, an owner with a camera,
// and an open camera-dark alert naming that owner's phone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, launch, shot, check, run, apiSession, log, SRC } from './lib.mjs';

const W = 390;
const H = 844;
const GENCAMS = path.join(SRC, 'tools', 'gencams', 'gencams.py');

function py(args) {
  const r = spawnSync('python3', args, { encoding: 'utf8', timeout: 180000 });
  if (r.status !== 0) throw new Error(`python3 ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function sqlite(db, sql, params = []) {
  return py(['-c', 'import sqlite3,sys,json; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2], json.loads(sys.argv[3])); c.commit()',
    db, sql, JSON.stringify(params)]);
}

async function phonePage(browser) {
  const context = await browser.newContext({ viewport: { width: W, height: H }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  return page;
}

// lib.mjs's signIn waits for a visible sidebar, which a phone hides behind
// its menu button: wait for the work area instead.
async function signIn(page, srv, username, password) {
  await page.goto(srv.url + '/', { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#login-username');
  await fits(page, `sign-in (${username})`, '.login-page');
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForSelector('#page');
}

async function settle(page) {
  await page.waitForFunction(() => !document.querySelector('#page .page-message.loading'), null, { timeout: 15000 }).catch(() => {});
  await page.waitForLoadState('networkidle', { timeout: 3000 }).catch(() => {});
  await page.waitForTimeout(500);
}

// What does not fit a phone inside `root`: the controls outside 0..W or under
// 44 px tall, the other elements that reach past the screen's edges, and
// the sideways scroll of the document and the work area.
function measure(page, root) {
  return page.evaluate(([sel, w]) => {
    const box = document.querySelector(sel);
    if (!box) return { missing: sel };
    const shown = (el) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return null;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden' || cs.display === 'none') return null;
      return r;
    };
    const text = (el) => (el.innerText || el.value || el.getAttribute('aria-label') || el.title || el.tagName).trim().replace(/\s+/g, ' ').slice(0, 40);
    const size = (r) => `${Math.round(r.left)}..${Math.round(r.right)} × ${Math.round(r.height)}px`;
    const targets = [];
    for (const el of box.querySelectorAll('button, a[href], input:not([type=hidden]), select, textarea')) {
      const t = (el.type === 'checkbox' || el.type === 'radio') && el.closest('label') ? el.closest('label') : el;
      const r = shown(t);
      if (!r) continue;
      if (r.left < -0.5 || r.right > w + 0.5 || r.height < 43.5) targets.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${text(t)}" ${size(r)}`);
    }
    const wide = [];
    for (const el of box.querySelectorAll('*')) {
      const r = shown(el);
      if (r && (r.left < -0.5 || r.right > w + 0.5)) wide.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${text(el)}" ${size(r)}`);
    }
    const content = document.querySelector('.content');
    return {
      docWidth: document.documentElement.scrollWidth,
      contentScroll: content ? content.scrollWidth - content.clientWidth : 0,
      targets: [...new Set(targets)].slice(0, 15), nTargets: new Set(targets).size,
      wide: wide.slice(0, 10), nWide: wide.length,
    };
  }, [root, W]);
}

async function fits(page, name, root = '#page') {
  const m = await measure(page, root);
  if (m.missing) { check(false, `${name}: ${m.missing} on the page`, 'present', 'missing'); return; }
  check(m.docWidth <= W, `${name}: the page does not scroll sideways (document ${W} px wide)`, `<= ${W}`, m.docWidth);
  check(m.contentScroll <= 0, `${name}: the work area does not scroll sideways`, 0, m.contentScroll);
  check(m.nWide === 0, `${name}: no element reaches past the screen's edges`, [], { n: m.nWide, first: m.wide });
  check(m.nTargets === 0, `${name}: every button, link and field is on screen and >= 44 px tall`, [], { n: m.nTargets, first: m.targets });
}

await run(async (keep) => {
  const srv = await startServer();
  const demo = srv.cli(['demo-data']);
  check(demo.status === 0, 'demo-data fills the catalog', 0, `${demo.status} ${demo.stderr.slice(-300)}`);
  const admin = await apiSession(srv, 'admin', srv.adminPassword);
  const ward = (await admin.get('/api/v1/wards')).json.wards[0];

  // a camera with footage for the timeline
  const tplDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-tpl-'));
  py([GENCAMS, 'template', '--out', tplDir]);
  let r = await admin.post('/api/v1/cameras', { name: 'Ngõ 7 Lê Lợi', address: '7 Lê Lợi, phường Trường Thi', main_url: 'rtsp://127.0.0.1:9/rec',
    ward_id: ward.id, enabled: false });
  check(r.status === 201, 'fixture: a recorded camera', 201, r.status);
  const rec = r.json.id;
  const T0 = Math.floor(Date.now() / 1000) - 7200;
  py([GENCAMS, 'segments', '--data', srv.dataDir, '--template', tplDir, '--camera', String(rec), '--start', String(T0), '--count', '3']);
  fs.rmSync(tplDir, { recursive: true, force: true });

  // an owner, their camera (dark: an open alert names the owner's phone) and their sign-in
  const own = (await admin.post('/api/v1/owners', { kind: 'household', name: 'Hộ bà Nguyễn Thị Minh Khai', phone: '0912 345 678', ward_id: ward.id })).json;
  r = await admin.post('/api/v1/cameras', { name: 'Cổng nhà bà Nguyễn Thị Minh Khai, ngõ 12 Lê Hồng Phong', main_url: 'rtsp://127.0.0.1:9/khai',
    ward_id: ward.id, enabled: true, owner_id: own.id, address: '12 Lê Hồng Phong, phường Trường Thi' });
  check(r.status === 201, "fixture: an owner's camera", 201, r.status);
  const ownCam = r.json.id;
  r = await admin.post(`/api/v1/cameras/${ownCam}/consents`, { live: true, record: true, export: false });
  check(r.status === 201, "fixture: the owner's consent", 201, r.status);
  const nowUs = Date.now() * 1000;
  sqlite(path.join(srv.dataDir, 'wardwatch.db'),
    'INSERT INTO camera_alerts(camera_id, ward_id, camera_name, since_us, raised_us, reason, owner_id, owner_name, owner_phone, owner_kind) VALUES (?,?,?,?,?,?,?,?,?,?)',
    [ownCam, ward.id, 'Cổng nhà bà Nguyễn Thị Minh Khai, ngõ 12 Lê Hồng Phong', nowUs - 1800e6, nowUs - 900e6, 'connection refused: camera offline or wrong port',
      own.id, own.name, '0912 345 678', 'household']);
  r = await admin.post('/api/v1/users', { username: 'chu1', password: 'owner-pass-123', role: 'owner', owner_id: own.id, display_name: 'Nguyễn Thị Minh Khai' });
  check(r.status === 201, 'fixture: the owner signs in as chu1', 201, r.status);
  const inc = (await admin.get('/api/v1/incidents?limit=1')).json;
  const incId = inc.incidents && inc.incidents[0] && inc.incidents[0].id;
  check(!!incId, 'fixture: demo-data made incidents', 'an id', inc);

  // ---- the manifest ----
  const mr = await fetch(`${srv.url}/manifest.webmanifest`);
  const mtype = mr.headers.get('content-type') || '';
  check(mr.status === 200 && mtype.startsWith('application/manifest+json'), 'the manifest is served as application/manifest+json', 200, [mr.status, mtype]);
  let man = null;
  try { man = JSON.parse(await mr.text()); } catch (e) { man = { error: String(e) }; }
  check(man && man.name === 'wardwatch' && man.lang === 'vi' && man.start_url === '/' && man.display === 'standalone',
    'the manifest names wardwatch, lang vi, starts at / and stands alone', { name: 'wardwatch', lang: 'vi', start_url: '/', display: 'standalone' }, man);
  const icons = (man && Array.isArray(man.icons)) ? man.icons : [];
  check(icons.length > 0 && icons.every((i) => i.src && i.sizes && i.type), 'the manifest lists its icons (src, sizes, type)', '>= 1', icons);
  for (const i of icons) {
    const ir = await fetch(new URL(i.src, `${srv.url}/manifest.webmanifest`));
    check(ir.status === 200 && (ir.headers.get('content-type') || '').startsWith(i.type), `the icon ${i.src} is served as ${i.type}`, 200,
      [ir.status, ir.headers.get('content-type')]);
  }

  const browser = await launch();
  keep(browser);
  const page = await phonePage(browser);
  await signIn(page, srv, 'admin', srv.adminPassword);
  const head = await page.evaluate(() => ({
    manifest: document.querySelector('link[rel=manifest]')?.getAttribute('href'),
    theme: document.querySelector('meta[name=theme-color]')?.getAttribute('content'),
  }));
  check(head.manifest === '/manifest.webmanifest' && /^#[0-9a-f]{6}$/i.test(head.theme || ''), 'index.html links the manifest and sets a theme colour',
    { manifest: '/manifest.webmanifest', theme: '#rrggbb' }, head);

  // ---- the menu instead of the sidebar ----
  await settle(page);
  check(!(await page.isVisible('.sidebar .nav')), 'on a phone the sidebar is folded away', 'hidden', 'visible');
  check(await page.isVisible('#nav-toggle'), 'a menu button shows in the top bar', 'visible', 'hidden');
  await fits(page, 'top bar', '.topbar');
  await page.tap('#nav-toggle');
  await page.waitForSelector('.sidebar .nav', { state: 'visible' });
  check(await page.evaluate(() => document.activeElement.classList.contains('nav-item') && document.getElementById('nav-toggle').getAttribute('aria-expanded')),
    'the open menu has the focus and says so (aria-expanded)', 'true', await page.evaluate(() => [document.activeElement.className,
      document.getElementById('nav-toggle').getAttribute('aria-expanded')]));
  // it slides in: measure once it has arrived
  await page.waitForFunction(() => document.querySelector('.sidebar').getBoundingClientRect().left >= 0, null, { timeout: 3000 }).catch(() => {});
  const navOk = await measure(page, '.sidebar');
  check(navOk.nTargets === 0 && navOk.nWide === 0, 'the open menu fits the screen and its items are >= 44 px tall', [],
    { targets: navOk.targets, wide: navOk.wide });
  await shot(page, 'phone-menu');
  await page.tap('.nav-item[data-page="alerts"]');
  await page.waitForFunction(() => location.hash === '#/alerts');
  await page.waitForSelector('.sidebar .nav', { state: 'hidden' }).catch(() => {});
  check(!(await page.isVisible('.sidebar .nav')), 'a tap on a menu item goes there and closes the menu', 'closed', 'open');
  await page.tap('#nav-toggle');
  await page.waitForSelector('.sidebar .nav', { state: 'visible' });
  await page.keyboard.press('Escape');
  await page.waitForSelector('.sidebar .nav', { state: 'hidden' }).catch(() => {});
  const after = await page.evaluate(() => [document.activeElement.id, document.getElementById('nav-toggle').getAttribute('aria-expanded')]);
  check(!(await page.isVisible('.sidebar .nav')) && after[0] === 'nav-toggle' && after[1] === 'false', 'Escape closes the menu and gives the focus back to its button',
    ['closed', 'nav-toggle', 'false'], after);

  // ---- alerts: the owner's phone, one tap away ----
  await page.goto(`${srv.url}/#/alerts`);
  await page.waitForSelector('#alerts-open a.owner-phone');
  await settle(page);
  await fits(page, 'alerts');
  const tel = await page.$eval('#alerts-open a.owner-phone', (a) => {
    const r = a.getBoundingClientRect();
    return { href: a.getAttribute('href'), left: r.left, right: r.right, top: r.top, height: r.height };
  });
  check(tel.href === 'tel:0912345678' && tel.left >= 0 && tel.right <= W && tel.top >= 0 && tel.top < H,
    "alerts: the owner's phone is a tel: link on the first screen", { href: 'tel:0912345678', in: `0..${W} × 0..${H}` }, tel);
  await shot(page, 'phone-alerts');
  await page.tap('#alerts-open .alert-open');
  await page.waitForSelector('#alert-dialog .modal');
  await fits(page, 'alerts, one alert opened', '#alert-dialog');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#alert-dialog', { state: 'detached' });

  // ---- live, and one camera enlarged ----
  await page.goto(`${srv.url}/#/live`);
  await page.waitForSelector('#live-wall .tile.cv');
  await settle(page);
  await fits(page, 'live');
  const cols = await page.$eval('#live-wall', (w) => getComputedStyle(w).gridTemplateColumns.split(' ').length);
  check(cols === 1, 'live: the wall is one column on a phone', 1, cols);
  const cut = await page.$$eval('#live-wall .cv-name', (xs) => xs.filter((x) => x.scrollWidth > x.clientWidth + 1 || x.scrollHeight > x.clientHeight + 1)
    .map((x) => x.textContent));
  check(cut.length === 0, "live: the tiles show their cameras' names whole", [], cut);
  await shot(page, 'phone-live');
  await page.tap('#live-wall .tile.cv');
  await page.waitForSelector('#live-zoom');
  await page.waitForTimeout(500);
  await fits(page, 'live, enlarged view', '.zoom-back');
  const closeBox = await page.$eval('#live-zoom-close', (b) => { const r = b.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; });
  check(closeBox[0] >= 0 && closeBox[1] >= 0 && closeBox[2] <= W && closeBox[3] <= H, 'live: the enlarged view\'s close button is inside the screen',
    `inside 0..${W} × 0..${H}`, closeBox);
  await shot(page, 'phone-live-zoom');
  await page.tap('#live-zoom-close');
  await page.waitForSelector('#live-zoom', { state: 'detached' });
  check(true, 'live: a tap on close closes the enlarged view');

  // ---- timeline of the recorded camera ----
  await page.goto(`${srv.url}/#/timeline?camera=${rec}&at=${T0 + 30}`);
  await page.waitForSelector('#tl-clock');
  await settle(page);
  await fits(page, 'timeline');
  const screen = await page.$eval('.tl-screen', (s) => { const r = s.getBoundingClientRect(); return { left: r.left, right: r.right, w: r.width, h: r.height }; });
  check(screen.left >= 0 && screen.right <= W && Math.abs(screen.w / screen.h - 16 / 9) < 0.05, 'timeline: the picture is whole (16:9, inside the screen)',
    '16:9 inside', screen);
  await shot(page, 'phone-timeline');

  // ---- incidents: the register and one incident ----
  await page.goto(`${srv.url}/#/incidents`);
  await page.waitForSelector('#incident-list');
  await settle(page);
  await fits(page, 'incidents');
  await shot(page, 'phone-incidents');
  await page.tap('#incident-add');
  await page.waitForSelector('.modal-back form.modal');
  await page.waitForTimeout(300);
  await fits(page, 'incidents, the new-incident form', '.modal-back');
  await shot(page, 'phone-incident-form');
  await page.keyboard.press('Escape');
  await page.waitForSelector('.modal-back', { state: 'detached' });
  await page.goto(`${srv.url}/#/incidents/${incId}`);
  await settle(page);
  await fits(page, 'incident details');

  // ---- and the rest of the sidebar, by the same rules ----
  const named = ['live', 'timeline', 'alerts', 'incidents'];
  const rest = (await page.$$eval('.nav-item', (as) => as.map((a) => a.dataset.page))).filter((n) => !named.includes(n));
  check(rest.length >= 8, 'the admin has more pages to walk', '>= 8', rest);
  for (const n of rest) {
    await page.goto(`${srv.url}/#/${n}`);
    await settle(page);
    await fits(page, n);
  }
  await page.close();

  // ---- the owner portal ----
  const opage = await phonePage(browser);
  await signIn(opage, srv, 'chu1', 'owner-pass-123');
  await opage.waitForSelector('#owner-cameras .owner-card');
  await settle(opage);
  await fits(opage, 'owner portal');
  await shot(opage, 'phone-owner');
  await opage.close();
  return browser;
});
