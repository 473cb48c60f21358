// Every page as its people see it, in Vietnamese (issue 17 items 11, 12):
//   - an admin, a viewer and a camera owner walk every page of their sidebar (and an
//     incident's details, the timeline of a recorded camera); no visible
//     text (document.body.innerText) holds "null", "undefined", "NaN",
//     "[object" or the server's English (SERVER_EN) — a failure names the page and the text around it;
//   - no page has a browser date picker (<input type=date|datetime-local|
//     time|month|week>): dates are typed dd/mm/yyyy through the console's own
//     input, and the one on the incidents filter takes 05/11/2026 and puts
//     the station day into the address;
//   - the sidebar gives every page its own icon;
//   - numbers follow the language: vi "81,2 %", en "81.2 %" (lib/i18n.js);
//   - a camera that is switched on but has no picture is never a green
//     "Đang ghi" on the camera list;
//   - the station's UTC offset is the server's (the session answer says
//     it) and the timeline's clock shows station time in a browser set to
//     another zone.
// The catalog is filled with `wardwatch demo-data`, plus one camera with
// footage (tools/gencams) so the timeline has something to show.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, launch, newPage, signIn, shot, check, run, apiSession, log, SRC } from './lib.mjs';

const GENCAMS = path.join(SRC, 'tools', 'gencams', 'gencams.py');
// …and no server English on a Vietnamese page (issue 17 item 6): the
// wordings of the server's error messages and camera reasons.
const SERVER_EN = ['sign in first', 'you may not do this', 'no such resource', 'the request is malformed', 'connection refused',
  'has not agreed', 'camera offline', 'must be a', 'is required', 'out of range', 'not running', 'disabled in the catalog',
  'does not run the cameras', 'no data from the camera', 'timed out', 'internal error'];
const STRAY = new RegExp(`\\bnull\\b|\\bundefined\\b|\\bNaN\\b|\\[object|${SERVER_EN.join('|')}`, 'i');

function py(args) {
  const r = spawnSync('python3', args, { encoding: 'utf8', timeout: 180000 });
  if (r.status !== 0) throw new Error(`python3 ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

// Waits until the page has rendered (no "Đang tải…" placeholder) and the
// network is quiet for a moment, then returns its visible text.
async function settle(page) {
  await page.waitForFunction(() => !document.querySelector('#page .page-message.loading'), null, { timeout: 15000 }).catch(() => {});
  await page.waitForLoadState('networkidle', { timeout: 4000 }).catch(() => {});
  await page.waitForTimeout(600);
  return page.evaluate(() => document.body.innerText);
}

// The text around the first stray value, for the failure message.
function around(text) {
  const m = STRAY.exec(text);
  if (!m) return null;
  return text.slice(Math.max(0, m.index - 60), m.index + 40).replace(/\s+/g, ' ');
}

const pickers = (page) => page.$$eval('input', (xs) => xs.filter((x) => ['date', 'datetime-local', 'time', 'month', 'week'].includes(x.type))
  .map((x) => `${x.type}#${x.id || x.name || '?'}`));

async function walk(page, srv, who, extra) {
  const names = await page.$$eval('.nav-item', (as) => as.map((a) => a.dataset.page));
  check(names.length >= 3, `${who}: the sidebar lists pages`, '>= 3', names);
  const targets = [...names.map((n) => [n, `#/${n}`]), ...extra];
  for (const [name, hash] of targets) {
    await page.goto(`${srv.url}/${hash}`);
    const text = await settle(page);
    const stray = around(text);
    check(stray === null, `${who}: page ${name} shows no null/undefined/NaN/[object`, 'none', stray);
    const p = await pickers(page);
    check(p.length === 0, `${who}: page ${name} has no browser date picker`, [], p);
  }
  return names;
}

await run(async (keep) => {
  const srv = await startServer();
  const demo = srv.cli(['demo-data']);
  check(demo.status === 0, 'demo-data fills the catalog', 0, `${demo.status} ${demo.stderr.slice(-300)}`);
  const admin = await apiSession(srv, 'admin', srv.adminPassword);
  const session = (await admin.get('/api/v1/session')).json;
  check(session.station && session.station.utc_offset_min === 420, 'the session answer gives the station offset (Asia/Ho_Chi_Minh: +420 min)',
    420, session.station);

  const wards = (await admin.get('/api/v1/wards')).json.wards;
  const ward = wards[0];
  // a camera with an hour of footage two hours ago, and one switched on
  // whose address answers nothing (no picture: "Mất tín hiệu", not "Đang ghi")
  const tplDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-tpl-'));
  py([GENCAMS, 'template', '--out', tplDir]);
  let r = await admin.post('/api/v1/cameras', { name: 'Ngõ 7 Lê Lợi', main_url: 'rtsp://127.0.0.1:9/rec', ward_id: ward.id, enabled: false });
  check(r.status === 201, 'fixture: a recorded camera', 201, r.status);
  const rec = r.json.id;
  const T0 = Math.floor(Date.now() / 1000) - 7200;
  py([GENCAMS, 'segments', '--data', srv.dataDir, '--template', tplDir, '--camera', String(rec), '--start', String(T0), '--count', '3']);
  r = await admin.post('/api/v1/cameras', { name: 'Cổng chợ (mất tín hiệu)', main_url: 'rtsp://127.0.0.1:9/dead', ward_id: ward.id, enabled: true });
  check(r.status === 201, 'fixture: a switched-on camera with no picture', 201, r.status);
  const dead = r.json.id;
  const inc = (await admin.get('/api/v1/incidents?limit=1')).json;
  const incId = inc.incidents && inc.incidents[0] && inc.incidents[0].id;
  check(!!incId, 'fixture: demo-data made incidents', 'an id', inc);
  // and one typed in by an officer (not demo data: no demo note above it)
  const cats = (await admin.get('/api/v1/incident-categories')).json.categories;
  r = await admin.post('/api/v1/incidents', { ward_id: ward.id, category_id: cats[0].id, occurred_at: new Date((T0 + 60) * 1000).toISOString(),
    summary: 'Mất trộm xe đạp trước cổng chợ', address: 'Cổng chợ Vinh' });
  check(r.status === 201, 'fixture: an incident typed in', 201, r.status);
  const typedInc = (r.json.incident || r.json).id;
  const own = (await admin.post('/api/v1/owners', { kind: 'household', name: 'Hộ bà Lê Thị Hoa', phone: '0912 222 333', ward_id: ward.id })).json;
  r = await admin.post('/api/v1/cameras', { name: 'Cổng nhà bà Hoa', main_url: 'rtsp://127.0.0.1:9/hoa', ward_id: ward.id, enabled: false, owner_id: own.id });
  check(r.status === 201, "fixture: an owner's camera", 201, r.status);
  r = await admin.post(`/api/v1/cameras/${r.json.id}/consents`, { live: true, record: true, export: false });
  check(r.status === 201, "fixture: the owner's consent", 201, r.status);
  r = await admin.post('/api/v1/users', { username: 'chu1', password: 'owner-pass-123', role: 'owner', owner_id: own.id, display_name: 'Lê Thị Hoa' });
  check(r.status === 201, 'fixture owner user', 201, r.status);
  const pw = 'viewer-pass-123';
  r = await admin.post('/api/v1/users', { username: 'xem1', password: pw, role: 'viewer', ward_id: ward.id, display_name: 'Người xem' });
  check(r.status === 201, 'fixture viewer', 201, r.status);

  const browser = await launch();
  keep(browser);
  const extra = [['incident details', `#/incidents/${incId}`], ['incident details (typed in)', `#/incidents/${typedInc}`], ['timeline (recorded)', `#/timeline?camera=${rec}`]];

  // ---- admin ----
  const page = await newPage(browser);
  await signIn(page, srv, 'admin', srv.adminPassword);
  const names = await walk(page, srv, 'admin', extra);
  const icons = await page.$$eval('.nav-item', (as) => as.map((a) => [a.dataset.page, a.querySelector('svg').innerHTML]));
  const seen = new Map();
  const shared = [];
  for (const [n, svg] of icons) { if (seen.has(svg)) shared.push(`${seen.get(svg)} + ${n}`); else seen.set(svg, n); }
  check(shared.length === 0, 'every sidebar page has its own icon', [], shared);
  check(names.includes('stats'), 'the walk included Thống kê', 'stats', names);

  // an offline camera is not "Đang ghi"
  await page.goto(`${srv.url}/#/cameras`);
  await settle(page);
  const rowText = await page.$$eval('#camera-list tbody tr', (trs, id) => {
    const tr = trs.find((x) => x.children[0].textContent.trim() === String(id));
    return tr ? tr.innerText : null;
  }, dead);
  check(rowText && !rowText.includes('Đang ghi'), 'a switched-on camera without a picture is not shown as "Đang ghi"', 'no "Đang ghi"', rowText);

  // the one date input: typed dd/mm/yyyy, the station day goes to the address
  await page.goto(`${srv.url}/#/incidents`);
  await settle(page);
  check(await page.getAttribute('#f-from', 'placeholder') === 'dd/mm/yyyy', 'the incidents filter asks for dd/mm/yyyy', 'dd/mm/yyyy',
    await page.getAttribute('#f-from', 'placeholder'));
  await page.fill('#f-from', '05/11/2026');
  await page.press('#f-from', 'Tab');
  await page.waitForFunction(() => location.hash.includes('from=2026-11-05'), null, { timeout: 5000 }).catch(() => {});
  const hash = await page.evaluate(() => location.hash);
  check(hash.includes('from=2026-11-05'), 'a typed 05/11/2026 filters from that day', 'from=2026-11-05', hash);
  check(await page.inputValue('#f-from') === '05/11/2026', 'the filter shows the day as typed after reloading', '05/11/2026', await page.inputValue('#f-from'));
  await page.fill('#f-from', '31/02/2026');
  const invalid = await page.$eval('#f-from', (x) => !x.checkValidity() && x.validationMessage);
  check(invalid && invalid.includes('dd/mm/yyyy'), 'an impossible day is marked, with the format', 'dd/mm/yyyy', invalid);

  // … or picked in its month calendar (a click on the input opens it)
  await page.click('#f-to');
  await page.waitForSelector('.dt-pop .dt-day[data-day$="-15"]');
  const pickDay = await page.getAttribute('.dt-pop .dt-day[data-day$="-15"]', 'data-day');
  await page.click('.dt-pop .dt-day[data-day$="-15"]');
  await page.waitForFunction((d) => location.hash.includes(`to=${d}`), pickDay, { timeout: 5000 }).catch(() => {});
  const hash2 = await page.evaluate(() => location.hash);
  const [py_, pm, pd] = pickDay.split('-');
  check(hash2.includes(`to=${pickDay}`) && await page.inputValue('#f-to') === `${pd}/${pm}/${py_}`, 'a day picked in the calendar fills dd/mm/yyyy and filters',
    [`to=${pickDay}`, `${pd}/${pm}/${py_}`], [hash2, await page.inputValue('#f-to')]);
  await page.click('#f-from');
  await page.waitForSelector('.dt-pop');
  await shot(page, 'date-input-calendar');
  await page.keyboard.press('Escape');
  check(await page.$('.dt-pop') === null, 'Escape closes the calendar', 'closed', 'open');

  // numbers per language, through the one helper the pages use
  const fmt = () => page.evaluate(async () => { const m = await import('/lib/i18n.js'); return [m.fmtPct(81.23), m.fmtNum(1234567.5, 1), m.fmtShare(0.009, 1)]; });
  const vi = await fmt();
  check(JSON.stringify(vi) === JSON.stringify(['81,2 %', '1.234.567,5', '0,9 %']), 'numbers in Vietnamese: 81,2 % · 1.234.567,5 · 0,9 %', ['81,2 %', '1.234.567,5', '0,9 %'], vi);
  await page.click('.topbar .lang[data-lang="en"]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  const en = await fmt();
  check(JSON.stringify(en) === JSON.stringify(['81.2 %', '1,234,567.5', '0.9 %']), 'numbers in English: 81.2 % · 1,234,567.5 · 0.9 %', ['81.2 %', '1,234,567.5', '0.9 %'], en);
  await page.click('.topbar .lang[data-lang="vi"]');
  await page.waitForFunction(() => document.documentElement.lang === 'vi');

  await page.close();

  // ---- viewer, in a browser set to another zone ----
  const vctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', timezoneId: 'America/New_York' });
  const vpage = await vctx.newPage();
  vpage.setDefaultTimeout(15000);
  vpage.on('pageerror', (e) => log(`page error: ${e.message}`));
  await signIn(vpage, srv, 'xem1', pw);
  const vnames = await walk(vpage, srv, 'viewer', extra.slice(1));
  check(!vnames.includes('users'), 'the viewer walks its own pages (no user admin)', 'no users', vnames);
  await vpage.goto(`${srv.url}/#/timeline?camera=${rec}&at=${T0 + 30}`);
  await vpage.waitForFunction(() => document.querySelector('#tl-clock')?.dataset.us, null, { timeout: 15000 }).catch(() => {});
  const clock = await vpage.textContent('#tl-clock');
  const us = Number(await vpage.getAttribute('#tl-clock', 'data-us'));
  const want = new Date(us / 1000 + 7 * 3600e3);
  const pad = (n) => String(n).padStart(2, '0');
  const expect = `${pad(want.getUTCDate())}/${pad(want.getUTCMonth() + 1)}/${want.getUTCFullYear()} ${pad(want.getUTCHours())}:${pad(want.getUTCMinutes())}`;
  check(us > 0 && clock.startsWith(expect), "the timeline's clock is station time (UTC+7), not the browser's New York time", expect, clock);
  // the day is typed dd/mm/yyyy in the console's own input (the button
  // gives way to it), Enter goes there
  await vpage.click('#tl-date');
  check(await vpage.isVisible('#tl-date-input') && !(await vpage.isVisible('#tl-date')), 'timeline: the day button opens the typed day input in its place',
    'input shown, button hidden', { input: await vpage.isVisible('#tl-date-input'), button: await vpage.isVisible('#tl-date') });
  await vpage.fill('#tl-date-input', '01/11/2026');
  await vpage.press('#tl-date-input', 'Enter');
  await vpage.waitForFunction(() => location.hash.includes('date=2026-11-01'), null, { timeout: 5000 }).catch(() => {});
  const th = await vpage.evaluate(() => location.hash);
  const tb = await vpage.textContent('#tl-date');
  check(th.includes('date=2026-11-01') && tb.includes('01/11/2026') && await vpage.isVisible('#tl-date'), 'timeline: a typed 01/11/2026 opens that day',
    ['date=2026-11-01', '01/11/2026'], [th, tb]);
  await vctx.close();

  // ---- a camera owner ----
  const opage = await newPage(browser);
  await signIn(opage, srv, 'chu1', 'owner-pass-123');
  const onames = await walk(opage, srv, 'owner', []);
  check(onames.includes('owner'), 'the owner walks its own pages (Camera của tôi among them)', 'owner', onames);
});
