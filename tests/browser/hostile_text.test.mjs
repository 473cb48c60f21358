// Issue 11 item 11: every user-supplied string is text wherever the console
// shows it.  A camera, its owner, a ward, an incident, an officer's display
// name and the map attribution are given names made of markup —
//     <img src=x onerror="window.__pwned=1">   and   <b>bold</b>
// — and the test visits the map (marker tooltip, ward label, the camera's
// popup card, the attribution), "what was seen here" (results and the hit
// tooltips), the cameras list, the incident list and an incident, the
// printable statistics and criteria reports and the PDF report, then the
// other pages (live, playback, events and the zone editor with a zone named
// with markup, health, alerts with the owner to call, statistics, criteria;
// users and audit as admin).  On every page: window.__pwned is undefined, no <img src=x> and no <b>bold</b>
// element exists, and the literal text is visible.
// (The CSP alone would stop the onerror handler; the element check is the
// one that proves the text stayed text.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, launch, newPage, signIn, check, run, apiSession, log, SRC } from './lib.mjs';

const GENCAMS = path.join(SRC, 'tools', 'gencams', 'gencams.py');
const IMG = '<img src=x onerror="window.__pwned=1">';
const BOLD = '<b>bold</b>';

function py(args) {
  const r = spawnSync('python3', args, { encoding: 'utf8', timeout: 180000 });
  if (r.status !== 0) throw new Error(`python3 ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

// What the page holds: the sentinel, injected elements, the visible text.
async function inspect(page) {
  return page.evaluate(() => ({
    pwned: window.__pwned,
    imgs: document.querySelectorAll('img[src="x"]').length,
    bolds: [...document.querySelectorAll('b')].filter((b) => b.textContent === 'bold').length,
    text: document.body.innerText,
  }));
}

async function textOnly(page, where, literals) {
  const r = await inspect(page);
  check(r.pwned === undefined, `${where}: no injected script ran`, undefined, r.pwned);
  check(r.imgs === 0, `${where}: no <img src=x> element`, 0, r.imgs);
  check(r.bolds === 0, `${where}: no <b>bold</b> element`, 0, r.bolds);
  for (const s of literals)
    check(r.text.includes(s), `${where}: the literal text ${JSON.stringify(s)} is visible`, s, r.text.slice(0, 400));
}

await run(async (keep) => {
  const tplDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-tpl-'));
  py([GENCAMS, 'template', '--out', tplDir]);
  const srv = await startServer();
  const admin = await apiSession(srv, 'admin', srv.adminPassword);
  const wardName = `Phường ${IMG}`;
  const camName = `Ngõ 7 ${IMG}`;
  const camAddr = `${BOLD} số 7, Vinh`;
  const ownerName = `Hộ ${BOLD} ${IMG}`;
  const summary = `Trộm xe ${IMG} ${BOLD}`;
  const incAddr = `${BOLD} ngõ 7`;
  const ward = await admin.post('/api/v1/wards', { name: wardName, district: 'Vinh', province: 'Nghệ An' });
  check(ward.status === 201, 'fixture: a ward with markup in its name', 201, ward.text);
  const owner = await admin.post('/api/v1/owners', { kind: 'household', name: ownerName, phone: '0912 345 678', ward_id: ward.json.id });
  check(owner.status === 201, 'fixture: an owner with markup in the name', 201, owner.text);
  const C = [18.6733, 105.6924];
  const cam = await admin.post('/api/v1/cameras', { name: camName, address: camAddr, main_url: 'rtsp://127.0.0.1:9/none',
    ward_id: ward.json.id, owner_id: owner.json.id, enabled: false, latitude: C[0], longitude: C[1], direction_deg: 90 });
  check(cam.status === 201, 'fixture: a camera with markup in name and address', 201, cam.text);
  const camId = cam.json.id;
  let r = await admin.post(`/api/v1/cameras/${camId}/consents`, { live: true, record: true, export: true, note: BOLD });
  check(r.status === 201, 'fixture: the owner agreed', 201, r.text);
  const T0 = Math.floor(Date.now() / 1000) - 7200;
  py([GENCAMS, 'segments', '--data', srv.dataDir, '--template', tplDir, '--camera', String(camId), '--start', String(T0 + 5), '--count', '2']);
  const cats = (await admin.get('/api/v1/incident-categories')).json.categories;
  const inc = await admin.post('/api/v1/incidents', { ward_id: ward.json.id, category_id: cats[0].id, occurred_at: new Date(T0 * 1000).toISOString(),
    summary, address: incAddr, camera_ids: [camId] });
  check(inc.status === 201, 'fixture: an incident with markup in summary and address', 201, inc.text);
  const year = new Date().getUTCFullYear();
  r = await admin.post('/api/v1/criteria/programme', { ward_id: ward.json.id, year });
  check(r.status === 201, 'fixture: the ward in this year\'s criteria programme', 201, r.text);
  // tiles from this station (nothing answers there: no tiles, but the attribution shows)
  const put = await admin.put('/api/v1/map/settings', { tile_url: '/tiles/{z}/{x}/{y}.png', attribution: `© ${IMG} ${BOLD}` });
  check(put.status === 200, 'fixture: tile URL on this station with a markup attribution', 200, put.text);
  // an open alert naming the owner to call
  const nowUs = Date.now() * 1000;
  py(['-c', 'import sqlite3,sys,json; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2], json.loads(sys.argv[3])); c.commit()',
    path.join(srv.dataDir, 'wardwatch.db'),
    'INSERT INTO camera_alerts(camera_id, ward_id, camera_name, since_us, raised_us, reason, owner_id, owner_name, owner_phone, owner_kind) VALUES (?,?,?,?,?,?,?,?,?,?)',
    JSON.stringify([camId, ward.json.id, camName, nowUs - 1800e6, nowUs - 900e6, `refused ${BOLD}`, owner.json.id, ownerName, '0912 345 678', 'household'])]);
  // a motion zone with markup in its name, and an event in it
  const zoneName = `<b>bold</b>`;
  r = await admin.put(`/api/v1/cameras/${camId}/motion`, { zones: [{ name: zoneName, kind: 'include', points: [[0.1, 0.1], [0.6, 0.1], [0.6, 0.6]] }] });
  check(r.status === 200, 'fixture: a motion zone named with markup', 200, r.text);
  py(['-c', 'import sqlite3,sys,json; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2], json.loads(sys.argv[3])); c.commit()',
    path.join(srv.dataDir, 'wardwatch.db'),
    'INSERT INTO motion_events(camera_id, start_us, end_us, peak_us, peak_score, zone) VALUES (?,?,?,?,?,?)',
    JSON.stringify([camId, (T0 + 6) * 1e6, (T0 + 9) * 1e6, (T0 + 7) * 1e6, 0.7, zoneName])]);
  const pw = 'officer-pass-123';
  r = await admin.post('/api/v1/users', { username: 'canbo', password: pw, role: 'officer', ward_id: ward.json.id, display_name: `Cán ${BOLD}` });
  check(r.status === 201, 'fixture: an officer with markup in the display name', 201, r.text);

  const browser = await launch();
  keep(browser);
  const page = await newPage(browser);
  await signIn(page, srv, 'canbo', pw);
  await textOnly(page, 'shell', [`Cán ${BOLD}`]);

  // ---- map: ward label, marker tooltip, popup card, attribution ----------------------------
  await page.goto(`${srv.url}/#/map`);
  await page.waitForSelector(`#camera-map .camera-marker[data-camera="${camId}"]`);
  const label = await page.$$eval('#camera-map .ward-label', (x) => x.map((e) => e.textContent));
  check(label.includes(wardName), 'map: the ward label is the literal name', wardName, label);
  await page.hover(`#camera-map .camera-marker[data-camera="${camId}"]`);
  await page.waitForSelector('#camera-map .leaflet-tooltip:not(.ward-label)');
  const tip = await page.textContent('#camera-map .leaflet-tooltip:not(.ward-label)');
  check(tip === camName, 'map: the marker tooltip is the literal camera name', camName, tip);
  const attribution = await page.textContent('#camera-map .leaflet-control-attribution');
  check(attribution.includes(`© ${IMG} ${BOLD}`), 'map: the attribution is literal text', `© ${IMG} ${BOLD}`, attribution);
  await page.click(`#camera-map .camera-marker[data-camera="${camId}"]`);
  await page.waitForSelector('.leaflet-popup .camera-card');
  const card = await page.textContent('.leaflet-popup .camera-card');
  check(card.includes(camName) && card.includes(camAddr) && card.includes(ownerName),
    'map: the popup card shows name, address and owner as text', [camName, camAddr, ownerName], card);
  await textOnly(page, 'map', [camName, camAddr, ownerName, wardName]);
  await page.click('.leaflet-popup .camera-card [data-consents]');
  await page.waitForSelector('.modal [data-withdraw]');
  await textOnly(page, 'consent register', [camName, BOLD]);
  await page.keyboard.press('Escape');

  // ---- what was seen here: results table and hit tooltips --------------------------------
  // minute precision in the URL: a window from a minute before to two after, so that the
  // footage (from T0 + 5 s) is inside it whatever second T0 falls on (T0 at :55 left
  // [T0 - 55, T0 + 5) — no camera, no table)
  const from = new Date((T0 - 60 + 7 * 3600) * 1000).toISOString().slice(0, 16);
  const to = new Date((T0 + 120 + 7 * 3600) * 1000).toISOString().slice(0, 16);
  await page.goto(`${srv.url}/#/search?lat=${C[0]}&lon=${C[1]}&radius=100&from=${from}&to=${to}`);
  await page.waitForSelector('#search-results table');
  const tips = await page.evaluate(() => {
    for (const p of document.querySelectorAll('#search-map path.leaflet-interactive'))
      p.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    return [...document.querySelectorAll('#search-map .leaflet-tooltip')].map((e) => e.textContent);
  });
  check(tips.includes(camName) && tips.some((x) => x.startsWith(`${camName} — `)),
    'search: the context and hit tooltips are the literal name', [camName, `${camName} — N m`], tips);
  await textOnly(page, 'search', [camName, camAddr]);

  // ---- cameras list ---------------------------------------------------------------------------
  await page.goto(`${srv.url}/#/cameras`);
  await page.waitForFunction((n) => document.body.innerText.includes(n), camName);
  await textOnly(page, 'cameras list', [camName]);

  // ---- incidents: list and one ---------------------------------------------------------------
  await page.goto(`${srv.url}/#/incidents`);
  await page.waitForFunction((s) => document.body.innerText.includes(s), summary);
  await textOnly(page, 'incident list', [summary]);
  await page.goto(`${srv.url}/#/incidents/${inc.json.id}`);
  await page.waitForFunction((s) => document.body.innerText.includes(s), incAddr);
  await textOnly(page, 'incident', [summary, incAddr, wardName]);

  // ---- printable reports and the PDF ------------------------------------------------------------
  await page.goto(`${srv.url}/report/stats.html?ward_id=${ward.json.id}&period=${year}`);
  await page.waitForFunction((w) => document.body.innerText.includes(w), wardName, { timeout: 15000 });
  await textOnly(page, 'printable statistics report', [wardName]);
  await page.goto(`${srv.url}/report/criteria.html?year=${year}`);
  await page.waitForFunction((w) => document.body.innerText.includes(w), wardName, { timeout: 15000 });
  await textOnly(page, 'printable criteria report', [wardName]);
  const pdf = await page.request.get(`${srv.url}/api/v1/stats/report.pdf?ward_id=${ward.json.id}&period=${year}`);
  check(pdf.status() === 200, 'the PDF report is made for the ward', 200, pdf.status());
  const pdfPath = path.join(tplDir, 'report.pdf');
  fs.writeFileSync(pdfPath, await pdf.body());
  const txt = spawnSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8', timeout: 30000 });
  const flat = (txt.stdout || '').replace(/\s+/g, ' ');
  check(txt.status === 0 && flat.includes(wardName), 'PDF: the ward name is printed literally', wardName, flat.slice(0, 400));
  // ---- the other pages that show these names: no markup anywhere ----------------------------
  for (const name of ['live', 'timeline', 'events', 'health', 'alerts', 'stats', 'criteria']) {
    await page.goto(`${srv.url}/#/${name}`);
    await page.waitForFunction(() => document.querySelector('.page-head, .empty, .form-error'), null, { timeout: 15000 }).catch(() => {});
    await page.waitForTimeout(500);
    await textOnly(page, `#/${name}`, []);
  }
  await page.goto(`${srv.url}/#/events?camera=${camId}&from=${T0 - 60}&to=${T0 + 600}`);
  await page.waitForFunction((z) => document.body.innerText.includes(z), zoneName, { timeout: 15000 });
  await textOnly(page, 'events (zone name)', [zoneName]);
  await page.goto(`${srv.url}/#/motion?camera=${camId}`);
  await page.waitForFunction((z) => [...document.querySelectorAll('input')].some((i) => i.value === z), zoneName, { timeout: 15000 });
  await textOnly(page, 'motion zones', []);
  const zoneLabels = await page.$$eval('svg text', (x) => x.map((e) => e.textContent));
  check(zoneLabels.includes(zoneName), 'motion zones: the zone label on the picture is the literal name', zoneName, zoneLabels);
  await page.goto(`${srv.url}/#/alerts`);
  await page.waitForFunction((o) => document.body.innerText.includes(o), ownerName, { timeout: 15000 });
  await textOnly(page, 'alerts (the owner to call)', [camName, ownerName]);
  const adminPage = await newPage(browser);
  await signIn(adminPage, srv, 'admin', srv.adminPassword);
  for (const [name, literals] of [['users', [`Cán ${BOLD}`]], ['audit', []]]) {
    await adminPage.goto(`${srv.url}/#/${name}`);
    await adminPage.waitForSelector('.page-head');
    await adminPage.waitForTimeout(500);
    await textOnly(adminPage, `#/${name} (admin)`, literals);
  }
  log(`pages checked; tooltips seen: ${JSON.stringify(tips)}`);
  fs.rmSync(tplDir, { recursive: true, force: true });
  return browser;
});
