// Keyboard and automated accessibility (issue 17 item 9):
//   - axe-core (node_modules/axe-core, the WCAG 2 A and AA rules) runs on
//     every page route of web/pages.js as an admin, a viewer and a camera
//     owner see it, on the sub-pages (an incident's details, a recorded
//     camera's timeline, a ward's criteria, the criteria sets), on the
//     sign-in page, and with things open: the enlarged live view, the live
//     wall with an offline tile, the incident and assessment forms, a
//     camera's card on the map.  A violation of impact serious or critical
//     fails, listed with its rule, help text and first three targets
//     (WW_A11Y_VERBOSE=1: every element, with axe's reason);
//   - everything a mouse does is reachable by keyboard: Tab to a live tile +
//     Enter (or Space) opens the enlarged view and it stays open, Esc closes
//     it and the focus goes back to the tile; Tab to an incident row + Enter
//     opens its details; a criteria cell + Enter opens its form; the timeline
//     bar (a slider) + → moves the cursor 5 s, Shift+← a minute back, Enter
//     plays from there, and Space on a focused button presses that button;
//     health's column headers sort by Enter and keep the focus through the
//     refresh; a camera's name under the map opens its card with the focus
//     in it; a form keeps Tab inside and Esc gives the focus back;
//   - every control Tab reaches on each page shows a focus ring (outline or
//     box-shadow; WW_A11Y_SHOTS=<folder> saves pictures of the keyboard
//     tasks' focus).
// The catalog is filled with `wardwatch demo-data`, plus one camera with a
// few minutes of footage (tools/gencams) so the timeline has something to
// show and step through, and a switched-on camera without a picture (its
// live tile shows "offline" with a retry button).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { startServer, launch, signIn, check, run, apiSession, log, SRC } from './lib.mjs';

const GENCAMS = path.join(SRC, 'tools', 'gencams', 'gencams.py');
const AXE = path.join(SRC, 'node_modules', 'axe-core', 'axe.min.js');
const { pages } = await import(pathToFileURL(path.join(SRC, 'web', 'pages.js')).href);

function py(args) {
  const r = spawnSync('python3', args, { encoding: 'utf8', timeout: 180000 });
  if (r.status !== 0) throw new Error(`python3 ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

// A page sized like a duty-desk screen, as lib.mjs newPage() makes, but
// with the console's Content-Security-Policy bypassed: it allows no inline
// script, and page.addScriptTag() injects axe as one.  The console itself
// is unchanged (axe is a test tool, never served from /vendor/).
async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  return page;
}

// Waits until the page has rendered (no "Đang tải…" placeholder) and the
// network is quiet for a moment.
async function settle(page) {
  await page.waitForFunction(() => !document.querySelector('#page .page-message.loading'), null, { timeout: 15000 }).catch(() => {});
  await page.waitForLoadState('networkidle', { timeout: 4000 }).catch(() => {});
  await page.waitForTimeout(500);
}

// Runs axe on what the page shows now; one check per scan, failing with
// every serious or critical violation (rule, help, first 3 targets).
async function axeScan(page, what) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, n: v.nodes.length,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
      all: v.nodes.map((n) => `${n.target.join(' ')}: ${(n.failureSummary || '').replace(/\s+/g, ' ')}`) }));
  });
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = res.filter((v) => !bad.includes(v));
  // WW_A11Y_VERBOSE=1: every failing element with axe's explanation
  if (process.env.WW_A11Y_VERBOSE) for (const v of bad) for (const a of v.all) log(`  ${v.id} ${a}`);
  if (minor.length) log(`  (${what}: minor/moderate: ${minor.map((v) => `${v.id}×${v.n}`).join(', ')})`);
  check(bad.length === 0, `axe: ${what} has no serious or critical violation`, [],
    bad.map((v) => `${v.impact} ${v.id} (${v.help}) ×${v.n}: ${v.targets.join(' | ')}`));
  return bad;
}

// Presses Tab until the focused element matches sel (at most max times);
// returns whether it got there.
async function tabTo(page, sel, max = 120) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => !!document.activeElement && document.activeElement.matches(s), sel)) return true;
  }
  return false;
}

// WW_A11Y_SHOTS=<folder>: a screenshot of each focus the keyboard tasks
// reach, to look at the rings (not part of docs/screens).
async function focusShot(page, name) {
  const dir = process.env.WW_A11Y_SHOTS;
  if (dir) { fs.mkdirSync(dir, { recursive: true }); await page.screenshot({ path: path.join(dir, `${name}.png`) }); }
}

// How the focused element shows it has focus: its outline (style and width)
// or, failing that, its box-shadow; null when it shows nothing.
const focusRing = (page) => page.evaluate(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const cs = getComputedStyle(e);
  if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1) return `outline ${cs.outlineWidth} ${cs.outlineStyle} ${cs.outlineColor}`;
  if (cs.boxShadow && cs.boxShadow !== 'none') return `box-shadow ${cs.boxShadow}`;
  return null;
});
const focusName = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return e ? `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.trim().split(/\s+/).join('.')}` : ''}` : null;
});

// Tabs through the first `max` focus stops of the page (sidebar, top bar,
// then the page's own controls) and fails naming each that shows no ring.
async function ringWalk(page, what, max = 45) {
  await page.evaluate(() => { document.activeElement && document.activeElement.blur && document.activeElement.blur(); window.scrollTo(0, 0); });
  const bare = new Set();
  let seen = 0;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => !!document.querySelector('.modal-back, .zoom-back, .dt-pop'))) break;   // something opened: stop
    const name = await focusName(page);
    if (!name || name === 'body') continue;
    seen++;
    if (!(await focusRing(page))) bare.add(name);
  }
  check(seen > 0 && bare.size === 0, `focus: every control Tab reaches on ${what} shows a ring`, [], [...bare]);
}

await run(async (keep) => {
  const srv = await startServer();
  const demo = srv.cli(['demo-data']);
  check(demo.status === 0, 'demo-data fills the catalog', 0, `${demo.status} ${demo.stderr.slice(-300)}`);
  const admin = await apiSession(srv, 'admin', srv.adminPassword);
  const wards = (await admin.get('/api/v1/wards')).json.wards;
  const ward = wards[0];
  const tplDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-tpl-'));
  py([GENCAMS, 'template', '--out', tplDir]);
  let r = await admin.post('/api/v1/cameras', { name: 'Ngõ 7 Lê Lợi', main_url: 'rtsp://127.0.0.1:9/rec', ward_id: ward.id, enabled: false,
    latitude: 18.6733, longitude: 105.6924 });   // on the map too
  check(r.status === 201, 'fixture: a recorded camera', 201, r.status);
  const rec = r.json.id;
  const T0 = Math.floor(Date.now() / 1000) - 7200;
  py([GENCAMS, 'segments', '--data', srv.dataDir, '--template', tplDir, '--camera', String(rec), '--start', String(T0), '--count', '100']);
  fs.rmSync(tplDir, { recursive: true, force: true });
  const inc = (await admin.get('/api/v1/incidents?limit=1')).json;
  const incId = inc.incidents && inc.incidents[0] && inc.incidents[0].id;
  check(!!incId, 'fixture: demo-data made incidents', 'an id', inc);
  // switched on, with an address that answers nothing: its tile shows
  // "offline" with a retry button inside
  r = await admin.post('/api/v1/cameras', { name: 'Cổng chợ (mất tín hiệu)', main_url: 'rtsp://127.0.0.1:9/dead', ward_id: ward.id, enabled: true });
  check(r.status === 201, 'fixture: a switched-on camera with no picture', 201, r.status);
  const own = (await admin.post('/api/v1/owners', { kind: 'household', name: 'Hộ bà Lê Thị Hoa', phone: '0912 222 333', ward_id: ward.id })).json;
  r = await admin.post('/api/v1/cameras', { name: 'Cổng nhà bà Hoa', main_url: 'rtsp://127.0.0.1:9/hoa', ward_id: ward.id, enabled: false, owner_id: own.id });
  check(r.status === 201, "fixture: an owner's camera", 201, r.status);
  r = await admin.post('/api/v1/users', { username: 'xem1', password: 'viewer-pass-123', role: 'viewer', ward_id: ward.id, display_name: 'Người xem' });
  check(r.status === 201, 'fixture viewer user', 201, r.status);
  r = await admin.post('/api/v1/users', { username: 'chu1', password: 'owner-pass-123', role: 'owner', owner_id: own.id, display_name: 'Lê Thị Hoa' });
  check(r.status === 201, 'fixture owner user', 201, r.status);

  const browser = await launch();
  keep(browser);

  // ---- axe on every page ----
  const page = await newPage(browser);
  await page.goto(srv.url + '/', { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#login-username');
  await axeScan(page, 'the sign-in page');
  await signIn(page, srv, 'admin', srv.adminPassword);
  const year = new Date().getFullYear();
  const adminRoutes = pages.filter((p) => p.roles.includes('admin')).map((p) => [p.name, `#/${p.name}`]);
  const routes = [...adminRoutes,
    ['incident details', `#/incidents/${incId}`],
    ['timeline (recorded)', `#/timeline?camera=${rec}`],
    ['criteria of one ward', `#/criteria/ward/${ward.id}?year=${year}`],
    ['criteria sets', '#/criteria/sets']];
  for (const [name, hash] of routes) {
    await page.goto(`${srv.url}/${hash}`);
    await settle(page);
    await axeScan(page, `page ${name}`);
    await ringWalk(page, `page ${name}`);
  }
  // a form dialog (the incident form)
  await page.goto(`${srv.url}/#/incidents`);
  await page.waitForSelector('#incident-add');
  await page.click('#incident-add');
  await page.waitForSelector('.modal-back form');
  await axeScan(page, 'the new-incident form');
  const formFocus = await page.evaluate(() => !!document.activeElement.closest('#incident-form'));
  check(formFocus, 'incident form: the focus starts in the form', 'inside #incident-form', await focusName(page));
  for (let i = 0; i < 30; i++) await page.keyboard.press('Tab');
  const stays = await page.evaluate(() => !!document.activeElement.closest('#incident-form'));
  check(stays, 'incident form: Tab goes round the form, not out to the page behind', 'inside #incident-form', await focusName(page));
  await page.keyboard.press('Escape');
  const gone = await page.$('#incident-form');
  const backTo = await focusName(page);
  check(!gone && backTo === 'button#incident-add.btn.btn-primary', 'incident form: Esc closes it and the focus goes back to its button', 'button#incident-add', [!!gone, backTo]);

  // the live wall with the enlarged view open
  await page.goto(`${srv.url}/#/live`);
  await page.waitForSelector('#live-wall .tile');
  await page.waitForSelector('.tile[data-state="offline"]', { timeout: 20000 }).catch(() => {});
  await axeScan(page, 'the live wall with an offline tile');
  await page.click('#live-wall .tile');
  await page.waitForSelector('#live-zoom');
  await axeScan(page, 'the enlarged live view');
  await page.keyboard.press('Escape');

  // ---- keyboard only ----
  // live: Tab to a tile, Enter opens the enlarged view, and it stays open
  await page.goto(`${srv.url}/#/live`);
  await page.waitForSelector('#live-wall .tile');
  await page.waitForTimeout(300);
  let got = await tabTo(page, '#live-wall .tile');
  check(got, 'live: Tab reaches a tile', 'a .tile focused', await focusName(page));
  let ring = await focusRing(page);
  check(ring, 'live: the focused tile shows a focus ring', 'an outline', ring);
  await focusShot(page, 'focus-tile');
  const tileCam = await page.evaluate(() => document.activeElement.dataset.camera);
  if (got) await page.keyboard.press('Enter');
  await page.waitForTimeout(800);
  const open = await page.isVisible('#live-zoom');
  check(open, 'live: Enter on a tile opens the enlarged view and it stays open', 'open', open ? 'open' : 'closed');
  const inZoom = await page.evaluate(() => !!document.activeElement.closest('#live-zoom'));
  check(inZoom, 'live: the focus is in the enlarged view', 'inside #live-zoom', await focusName(page));
  await page.keyboard.press('Escape');
  await page.waitForTimeout(300);
  check(!(await page.isVisible('#live-zoom')), 'live: Esc closes the enlarged view', 'closed', 'open');
  const back = await page.evaluate(() => document.activeElement && document.activeElement.dataset.camera);
  check(back === tileCam, 'live: the focus goes back to the tile it came from', tileCam, back);
  // Space as well (a tile is a button)
  await page.keyboard.press('Space');
  await page.waitForTimeout(800);
  check(await page.isVisible('#live-zoom'), 'live: Space on a tile opens the enlarged view too', 'open', 'closed');
  await page.keyboard.press('Escape');

  // incidents: Tab to a row, Enter opens its details
  await page.goto(`${srv.url}/#/incidents`);
  await page.waitForSelector('#incident-list tbody tr');
  got = await tabTo(page, '#incident-list tbody tr');
  check(got, 'incidents: Tab reaches a row', 'a row focused', await focusName(page));
  ring = await focusRing(page);
  check(ring, 'incidents: the focused row shows a focus ring', 'an outline', ring);
  await focusShot(page, 'focus-row');
  if (got) await page.keyboard.press('Enter');
  await page.waitForFunction(() => /^#\/incidents\/\d+/.test(location.hash), null, { timeout: 5000 }).catch(() => {});
  const ih = await page.evaluate(() => location.hash);
  check(/^#\/incidents\/\d+/.test(ih), 'incidents: Enter on a row opens its details', '#/incidents/<id>', ih);

  // criteria: a cell focused, Enter opens its form
  await page.goto(`${srv.url}/#/criteria`);
  await page.waitForSelector('#cr-matrix td.cell');
  got = await tabTo(page, '#cr-matrix td.cell', 200);
  check(got, 'criteria: Tab reaches a matrix cell', 'a cell focused', await focusName(page));
  ring = await focusRing(page);
  check(ring, 'criteria: the focused cell shows a focus ring', 'an outline', ring);
  await focusShot(page, 'focus-cell');
  if (got) await page.keyboard.press('Enter');   // (not on whatever else has the focus: sign out)
  await page.waitForSelector('.modal-back form', { timeout: 5000 }).catch(() => {});
  const form = await page.isVisible('.modal-back form');
  check(form, 'criteria: Enter on a cell opens its assessment form', 'a form', form ? 'a form' : 'nothing');
  if (form) {
    await axeScan(page, 'the assessment form');
    const inForm = await page.evaluate(() => !!document.activeElement.closest('.modal-back'));
    check(inForm, 'criteria: the focus is in the form', 'inside the form', await focusName(page));
    await page.keyboard.press('Escape');
  }

  // map: the markers are not Tab stops; a camera's name in the list is,
  // Enter opens its card with the focus in it, Esc closes it and goes back
  await page.goto(`${srv.url}/#/map`);
  await page.waitForSelector('a[data-camera-link]');
  await page.waitForSelector('.camera-marker', { timeout: 5000 }).catch(() => {});
  const placed = await page.evaluate(() => document.querySelectorAll('.camera-marker').length);
  if (placed) {
    got = await tabTo(page, 'a[data-camera-link]', 200);
    check(got, "map: Tab reaches a camera's name in the list", 'a camera link', await focusName(page));
    if (got) {
      // the first listed camera may have no position: walk to one with a marker
      for (let i = 0; i < 40 && !(await page.evaluate(() => !!document.querySelector(`.camera-marker[data-camera="${document.activeElement.dataset.cameraLink}"]`))); i++) {
        await tabTo(page, 'a[data-camera-link]', 20);
      }
      await page.keyboard.press('Enter');
      await page.waitForSelector('.leaflet-popup', { timeout: 5000 }).catch(() => {});
      const inCard = await page.evaluate(() => !!document.activeElement.closest('.leaflet-popup'));
      check(inCard, "map: Enter opens the camera's card with the focus in it", 'inside .leaflet-popup', await focusName(page));
      await page.waitForTimeout(500);   // Leaflet fades the card in: axe would measure it half-transparent
      await axeScan(page, 'the map with a camera card open');
      await page.keyboard.press('Escape');
      await page.waitForTimeout(300);
      const closed = !(await page.$('.leaflet-popup'));
      const onLink = await page.evaluate(() => !!document.activeElement.dataset.cameraLink);
      check(closed && onLink, "map: Esc closes the card and the focus goes back to the camera's name", [true, true], [closed, onLink]);
    }
  } else check(false, 'map: the fixture camera is on the map', '> 0 markers', placed);

  // health: a sortable header is a Tab stop, Enter sorts, and the focus
  // stays on it through the 5 s refresh that rebuilds the table
  await page.goto(`${srv.url}/#/health`);
  await page.waitForSelector('#health-table th[data-key]');
  got = await tabTo(page, '#health-table th[data-key]');
  check(got, 'health: Tab reaches a sortable column header', 'a th focused', await focusName(page));
  if (got) {
    const key = await page.evaluate(() => document.activeElement.dataset.key);
    const sortBefore = await page.getAttribute(`#health-table th[data-key="${key}"]`, 'aria-sort');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(200);
    const sortAfter = await page.getAttribute(`#health-table th[data-key="${key}"]`, 'aria-sort');
    check(sortAfter !== sortBefore && sortAfter !== 'none', 'health: Enter on a header sorts by it', 'ascending/descending', [sortBefore, sortAfter]);
    await page.evaluate(() => { window.wwOldTh = document.activeElement; });
    await page.waitForFunction(() => !document.body.contains(window.wwOldTh), null, { timeout: 8000 }).catch(() => {});
    const still = await page.evaluate(() => [document.activeElement && document.activeElement.dataset.key, !document.body.contains(window.wwOldTh)]);
    check(still[0] === key && still[1], 'health: the focus stays on the header through a refresh (the table is rebuilt)', [key, true], still);
  }

  // timeline: the bar focused, → moves the cursor a step, Enter plays from there
  // (in the middle of the footage: a step off its ends would jump to it)
  await page.goto(`${srv.url}/#/timeline?camera=${rec}&at=${T0 + 150}`);
  await page.waitForFunction(() => document.querySelector('#tl-clock')?.dataset.us, null, { timeout: 15000 }).catch(() => {});
  got = await tabTo(page, '#tl-bar');
  check(got, 'timeline: Tab reaches the time bar', '#tl-bar focused', await focusName(page));
  ring = await focusRing(page);
  check(ring, 'timeline: the focused bar shows a focus ring', 'an outline', ring);
  await focusShot(page, 'focus-bar');
  const role = await page.getAttribute('#tl-bar', 'role');
  check(role === 'slider', 'timeline: the bar is a slider to assistive technology', 'slider', role);
  await page.keyboard.press('Space');   // pause, so the picture does not move the cursor
  await page.waitForTimeout(400);
  const us0 = Number(await page.getAttribute('#tl-clock', 'data-us'));
  await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(400);
  const us1 = Number(await page.getAttribute('#tl-clock', 'data-us'));
  check(us0 > 0 && Math.abs(us1 - us0 - 5e6) < 1e6, 'timeline: → on the bar moves the cursor 5 s on', us0 + 5e6, us1);
  const now = Number(await page.getAttribute('#tl-bar', 'aria-valuenow'));
  check(Math.abs(now - Math.round(us1 / 1e6)) <= 1, 'timeline: the slider says where the cursor is (aria-valuenow, s)', Math.round(us1 / 1e6), now);
  await page.keyboard.press('Shift+ArrowLeft');
  await page.waitForTimeout(400);
  const us2 = Number(await page.getAttribute('#tl-clock', 'data-us'));
  check(Math.abs(us1 - us2 - 60e6) < 1e6, 'timeline: Shift+← moves it a minute back', us1 - 60e6, us2);
  const before = await page.getAttribute('#tl-play', 'aria-label');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(600);
  const after = await page.getAttribute('#tl-play', 'aria-label');
  check(before !== after && /Tạm dừng/.test(after), 'timeline: Enter on the bar plays from the cursor', 'Tạm dừng (phím cách)', [before, after]);
  // Space on a focused button presses that button, not play/pause
  await page.focus('#tl-speeds [data-speed="2"]');
  await page.keyboard.press('Space');
  await page.waitForTimeout(300);
  const speed = await page.evaluate(() => document.querySelector('#tl-speeds [data-speed="2"]').classList.contains('active'));
  check(speed, 'timeline: Space on the 2× button sets 2×', 'active', speed);

  // ---- the pages as a viewer and a camera owner see them (fewer controls,
  // other texts): axe on each; together with the admin's, every page ----
  const scanned = new Set(adminRoutes.map(([n]) => n));
  for (const [user, pw, role] of [['xem1', 'viewer-pass-123', 'viewer'], ['chu1', 'owner-pass-123', 'owner']]) {
    const p2 = await newPage(browser);
    await signIn(p2, srv, user, pw);
    for (const p of pages.filter((x) => x.roles.includes(role))) {
      await p2.goto(`${srv.url}/#/${p.name}`);
      await settle(p2);
      await axeScan(p2, `page ${p.name} (${role})`);
      scanned.add(p.name);
    }
    await p2.context().close();
  }
  const missed = pages.map((p) => p.name).filter((n) => !scanned.has(n));
  check(missed.length === 0, 'every page of web/pages.js was scanned', [], missed);
});
