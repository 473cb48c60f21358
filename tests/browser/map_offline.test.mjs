// The offline map in a real browser (issue 17 item 8): a station with no
// tile server, given an MBTiles file (tools/gencams/mkmbtiles.py) and a
// street list, shows real tiles under its cameras — every one served by the
// station itself, nothing asked of any other host — and the officer types
// "le loi" (no marks) in the address search and lands on Lê Lợi, by mouse
// and by keyboard.  Screenshot: docs/screens/map-offline.png.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, launch, newPage, signIn, shot, check, run, apiSession, SRC } from './lib.mjs';

const LAT = 18.6733, LON = 105.6924;

await run(async (keep) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-map-'));
  const mb = path.join(tmp, 'vinh.mbtiles');
  const g = spawnSync('python3', [path.join(SRC, 'tools', 'gencams', 'mkmbtiles.py'), mb, '--lat', String(LAT), '--lon', String(LON)],
    { encoding: 'utf8', timeout: 120000 });
  check(g.status === 0, 'fixture: an MBTiles file is made', 0, g.stderr);
  const srv = await startServer();
  let r = srv.cli(['map', 'tiles', mb]);
  check(r.status === 0, 'map tiles installs it', 0, r.stderr);
  const csv = path.join(tmp, 'streets.csv');
  fs.writeFileSync(csv, `name,latitude,longitude\nLê Lợi,${LAT + 0.004},${LON - 0.003}\nNguyễn Du,${LAT - 0.002},${LON + 0.002}\n`);
  r = srv.cli(['map', 'streets', csv]);
  check(r.status === 0, 'map streets imports the list', 0, r.stderr);
  const admin = await apiSession(srv, 'admin', srv.adminPassword);
  const w = (await admin.post('/api/v1/wards', { name: 'Hưng Bình', district: 'Vinh', province: 'Nghệ An' })).json;
  await admin.post('/api/v1/cameras', { name: 'Ngã tư Lê Lợi', main_url: 'rtsp://127.0.0.1:9/a', ward_id: w.id, enabled: false,
    latitude: LAT + 0.0005, longitude: LON + 0.0005, direction_deg: 90 });

  const browser = await launch();
  keep(browser);
  const page = await newPage(browser);
  const foreign = [];
  const tileAnswers = [];
  page.on('request', (q) => { const u = new URL(q.url()); if (u.hostname !== '127.0.0.1') foreign.push(q.url()); });
  page.on('response', (a) => { if (a.url().includes('/api/v1/map/tiles/')) tileAnswers.push(a.status()); });
  await signIn(page, srv, 'admin', srv.adminPassword);
  await page.goto(srv.url + '/#/map');
  await page.waitForSelector('#camera-map[data-tiles="offline"]');
  await page.waitForFunction(() => [...document.querySelectorAll('#camera-map img.leaflet-tile')]
    .filter((i) => i.complete && i.naturalWidth === 256).length >= 2, null, { timeout: 15000 }).catch(() => {});
  const loaded = await page.$$eval('#camera-map img.leaflet-tile', (v) => v.filter((i) => i.complete && i.naturalWidth === 256).length);
  // one camera: Leaflet fits it at zoom 18, past the file's zoom 16, so few (enlarged) tiles fill the view
  check(loaded >= 2, 'the map shows tiles from the station’s MBTiles file', '>= 2 tiles drawn', loaded);
  check(tileAnswers.filter((s) => s === 200).length >= 2, 'the tiles came from /api/v1/map/tiles', '>= 2 answers 200', tileAnswers);
  check(!(await page.$('#map-no-tiles')), 'no "no map tiles" notice', 'absent', 'present');

  // mouse: type without marks, pick the street
  await page.fill('#place-q', 'le loi');
  await page.waitForSelector('#place-results .place-hit[data-kind="street"]');
  const kinds = await page.$$eval('#place-results .place-hit', (v) => v.map((b) => b.dataset.kind));
  check(kinds.includes('street') && kinds.includes('camera'), '"le loi" lists the street and the camera on it', 'street, camera', kinds);
  await page.click('#place-results .place-hit[data-kind="street"]');
  await page.waitForSelector('.leaflet-tooltip');
  const tip = await page.textContent('.leaflet-tooltip-pane');
  check(/Lê Lợi/.test(tip), 'the map lands on Lê Lợi with a marker saying so', 'Đường: Lê Lợi', tip);
  const centre = await page.evaluate(() => {
    const el = document.querySelector('#camera-map');
    const r = el.getBoundingClientRect();
    return { w: r.width, h: r.height };
  });
  check(centre.w > 300, 'the map is on screen', '> 300 px wide', centre);
  await page.waitForTimeout(600);
  await shot(page, 'map-offline');

  // keyboard: type, Enter, arrow down, Enter
  await page.fill('#place-q', '');
  await page.focus('#place-q');
  await page.keyboard.type('nguyen du');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#place-results .place-hit[data-kind="street"]');
  await page.keyboard.press('ArrowDown');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.dataset.kind);
  check(focused === 'street', 'arrow down moves into the results', 'street', focused);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /Nguyễn Du/.test(document.querySelector('.leaflet-tooltip-pane').textContent));
  check(true, 'Enter on a result lands there', 'Nguyễn Du', 'Nguyễn Du');
  await page.fill('#place-q', 'khong co dau');
  await page.waitForSelector('#place-none');
  check(true, 'a search with no match says so', 'Không tìm thấy', 'shown');
  check(foreign.length === 0, 'nothing was fetched from any host but the station', [], foreign);
  fs.rmSync(tmp, { recursive: true, force: true });
  return browser;
});
