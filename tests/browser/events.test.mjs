// Motion events and the zone editor in a real browser, against simulated
// cameras (camsim's street: a car crosses the road every 30 s):
//   - zone editor (#/motion): the camera's snapshot is the background; a
//     zone is drawn by clicking points, renamed, a mask drawn and closed
//     with Enter, a point dragged; Save → the settings API returns exactly
//     what was drawn (normalised coordinates); the smallest reportable
//     object is outlined and follows the minimum area; the live score shows;
//   - events page (#/events): cards with loaded thumbnails, grouped by day;
//     the camera filter narrows the cards and lands in the URL; "more"
//     pages with the cursor; a click opens the timeline at the event's
//     pre-roll (#/timeline?camera=ID&date=YYYY-MM-DD&at=S);
//   - a camera whose owner withdrew recording consent is named as paused;
//   - every ev.*/mo.* string the pages use has vi and en text;
//   - screenshots docs/screens/events.png and docs/screens/zones.png.
// Starts camsim (2 cameras) and `wardwatch serve` (recording) on free ports
// with a fresh data folder; every wait is bounded; all stopped in `finally`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, newPage, signIn, shot, check, run, log, freePort, sleep, SRC, WW, MEDIA, startCamsim, until } from './lib.mjs';

const TZ_OFF_MS = 7 * 3600e3;

function ww(dataDir, args, input) {
  const r = spawnSync(WW, ['--data', dataDir, ...args], { input, encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`wardwatch ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

// A tiny API client with its cookie (lib.mjs's apiSession has no PUT).
async function session(srv, username, password) {
  let cookie = '';
  const call = async (method, p, body) => {
    const headers = { 'X-Requested-With': 'tests' };
    if (cookie) headers.Cookie = cookie;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(srv.url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const sc = r.headers.get('set-cookie');
    if (sc) { const m = /ww_session=([^;]*)/.exec(sc); if (m) cookie = `ww_session=${m[1]}`; }
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: r.status, json, text };
  };
  const r = await call('POST', '/api/v1/session', { username, password });
  if (r.status !== 200) throw new Error(`sign-in of ${username} failed: ${r.status} ${r.text}`);
  return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b ?? {}), patch: (p, b) => call('PATCH', p, b ?? {}), put: (p, b) => call('PUT', p, b ?? {}), cookie: () => cookie };
}
async function putJson(srv, cookie, p, body) {
  const r = await fetch(srv.url + p, { method: 'PUT', headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, text: await r.text() };
}

// Every t('ev.…') / t('mo.…') in a page has a vi and an en string.
async function checkStrings(file, prefix, templates) {
  const src = fs.readFileSync(path.join(SRC, 'web', 'pages', file), 'utf8');
  const used = new Set([...src.matchAll(new RegExp(`t\\('(${prefix}\\.[a-z0-9_.]+)'`, 'g'))].map((m) => m[1]));
  for (const [pre, vals] of Object.entries(templates)) for (const v of vals) used.add(pre + v);
  const mod = await import(path.join(SRC, 'web', 'pages', file));
  const { strings } = mod.default;
  for (const lang of ['vi', 'en']) {
    const missing = [...used].filter((k) => !(strings[lang] && String(strings[lang][k] || '').trim()));
    check(!missing.length && used.size > 20, `${file}: every ${prefix}.* key has a ${lang} string`, [], missing);
  }
}

const ROAD = [
  { name: 'Lòng đường trái', kind: 'include', points: [[0.05, 0.55], [0.2, 0.55], [0.2, 0.72], [0.05, 0.72]] },
  { name: 'Lòng đường phải', kind: 'include', points: [[0.7, 0.55], [0.85, 0.55], [0.85, 0.72], [0.7, 0.72]] },
  { name: 'Đồng hồ', kind: 'mask', points: [[0, 0], [0.32, 0], [0.32, 0.1], [0, 0.1]] },
];

await run(async () => {
  const procs = [];
  let browser = null;
  let serve = null;
  let serveExit = null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-events-'));
  fs.rmdirSync(dataDir);
  try {
    await checkStrings('events.js', 'ev', { 'ev.q.': ['1h', 'today', '24h', '7d', 'all'] });
    await checkStrings('motion.js', 'mo', { 'mo.state.': ['stopped', 'offline', 'connecting', 'error', 'online'], 'mo.kind.': ['include', 'mask'] });

    // ---- fixtures ----
    const gm = spawnSync(path.join(SRC, 'scripts', 'gen-media'), [MEDIA], { encoding: 'utf8', timeout: 600000 });
    if (gm.status !== 0) throw new Error(`gen-media failed: ${gm.stderr}`);
    const cs = await startCamsim(['--cameras', '3']);
    procs.push(cs.proc);
    const rtsp = (n, k) => `rtsp://127.0.0.1:${cs.port}/cam${n}/${k}`;
    const adminPw = /admin password: (\S+)/.exec(ww(dataDir, ['init']))[1];
    const add = (name, addr, n) => Number(ww(dataDir, ['camera', 'add', '--name', name, '--address', addr, '--main', rtsp(n, 'main'), '--sub', rtsp(n, 'sub')]).trim().split('\n').pop());
    const c1 = add('Ngõ 12 Lê Hồng Phong', '12 Lê Hồng Phong', 1);
    const c2 = add('Chợ Vinh — cổng chính', 'Chợ Vinh, Quang Trung', 2);
    const c3 = add('Ngã tư Hà Huy Tập', 'Hà Huy Tập × Lê Duẩn', 3);
    const port = await freePort();
    const logPath = path.join(dataDir, 'serve.log');
    const logFd = fs.openSync(logPath, 'a');
    serve = spawn(WW, ['--data', dataDir, 'serve', '--listen', `127.0.0.1:${port}`, '--segment-seconds', '10'], {
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, WARDWATCH_WEB_DIR: process.env.WARDWATCH_WEB_DIR || path.join(SRC, 'web') },
    });
    fs.closeSync(logFd);
    serve.on('exit', (code, sig) => { serveExit = { code, sig }; });
    const srv = { url: `http://127.0.0.1:${port}` };
    const up = await until(async () => {
      if (serveExit) return null;
      try { return (await fetch(`${srv.url}/api/v1/session`)).status === 401; } catch { return false; }
    }, 30000, 100);
    if (!up) throw new Error(`serve did not come up: ${fs.readFileSync(logPath, 'utf8').slice(-2000)}`);
    log(`wardwatch serve at ${srv.url} (data ${dataDir})`);
    const admin = await session(srv, 'admin', adminPw);
    const ward = (await admin.post('/api/v1/wards', { name: 'Trường Thi', district: 'Vinh', province: 'Nghệ An' })).json;
    for (const id of [c1, c2, c3]) await admin.patch(`/api/v1/cameras/${id}`, { ward_id: ward.id });
    // Cameras 1 and 3 get their zones over the API; camera 2's are drawn in the browser.
    for (const id of [c1, c3]) {
      const r = await putJson(srv, admin.cookie(), `/api/v1/cameras/${id}/motion`, { sensitivity: 60, zones: ROAD });
      check(r.status === 200, `fixture: zones of camera ${id} set over the API`, 200, r.status);
    }

    browser = await launch();
    const page = await newPage(browser);
    page.on('console', (m) => { if (m.type() === 'error' && !/status of (401|503)/.test(m.text())) log(`console: ${m.text()}`); });
    await signIn(page, srv, 'admin', adminPw);

    // ---- zone editor ----
    await page.goto(`${srv.url}/#/motion?camera=${c2}`);
    await page.waitForSelector('#mo-canvas');
    const snap = await page.waitForFunction(() => {
      const i = document.getElementById('mo-snapshot');
      return i && !i.hidden && i.naturalWidth > 0 ? [i.naturalWidth, i.naturalHeight] : null;
    }, null, { timeout: 15000 }).then((x) => x.jsonValue()).catch(() => null);
    check(snap && snap[0] === 640 && snap[1] === 360, 'zone editor: the sub stream snapshot is the background', [640, 360], snap);
    const noZones = await page.isVisible('#mo-no-zones');
    check(noZones, 'zone editor: a camera without zones says motion anywhere counts', 'visible', noZones);

    // The canvas is measured again before every click: on a loaded machine
    // the page may still be settling (a late layout shift moved the points
    // once in CI), and a click must land where the user would aim.
    let box = null;
    const measure = async () => { box = await page.$eval('#mo-canvas', (e) => { const r = e.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; }); };
    await measure();
    const at = (nx, ny) => [box.x + nx * box.w, box.y + ny * box.h];
    const clickAt = async (nx, ny) => { await measure(); const [x, y] = at(nx, ny); await page.mouse.click(x, y); };
    // Drawing has begun when the stage says so; each click adds one point.
    const startDrawing = async (btn) => {
      await page.click(btn);
      const ok = await page.waitForSelector('#mo-stage.drawing', { timeout: 5000 }).then(() => true).catch(() => false);
      check(ok, `zone editor: ${btn} starts drawing`, 'stage in drawing mode', 'not drawing');
    };
    const drawPoint = async (nx, ny, want) => {
      await clickAt(nx, ny);
      const n = await page.waitForFunction((k) => { const c = document.querySelectorAll('#mo-canvas circle').length; return c >= k ? c : null; }, want, { timeout: 5000 })
        .then((x) => x.jsonValue()).catch(() => page.$$eval('#mo-canvas circle', (c) => c.length));
      if (n < want) check(false, `zone editor: point ${want} is drawn where it was clicked`, want, n);
    };
    // a zone over the left stretch of road: 4 clicks, then the first point closes it
    await startDrawing('#mo-new-zone');
    const drawn = [[0.05, 0.55], [0.2, 0.55], [0.2, 0.72], [0.05, 0.72]];
    for (const [k, [x, y]] of drawn.entries()) await drawPoint(x, y, k + 1);
    await clickAt(drawn[0][0], drawn[0][1]);
    let nZones = await page.$$eval('[data-zone-row]', (r) => r.length);
    check(nZones === 1, 'zone editor: clicking 4 points and the first one again makes a zone', 1, nZones);
    await page.fill('[data-zone-name="0"]', 'Cổng chợ');
    // a second zone on the right, closed by double-click
    await startDrawing('#mo-new-zone');
    for (const [k, [x, y]] of [[0.7, 0.55], [0.85, 0.55], [0.85, 0.72]].entries()) await drawPoint(x, y, k + 1);
    { const [x, y] = at(0.7, 0.72); await page.mouse.dblclick(x, y); }
    nZones = await page.$$eval('[data-zone-row]', (r) => r.length);
    check(nZones === 2, 'zone editor: a double-click closes the zone being drawn', 2, nZones);
    await page.fill('[data-zone-name="1"]', 'Lối vào bãi xe');
    // a mask over the burnt-in clock, closed with Enter
    await startDrawing('#mo-new-mask');
    for (const [k, [x, y]] of [[0.01, 0.01], [0.32, 0.01], [0.32, 0.1], [0.01, 0.1]].entries()) await drawPoint(x, y, k + 1);
    await page.keyboard.press('Enter');
    nZones = await page.$$eval('[data-zone-row]', (r) => r.length);
    const maskKind = await page.$eval('[data-zone-kind="2"]', (s) => s.value).catch(() => null);
    check(nZones === 3 && maskKind === 'mask', 'zone editor: a mask drawn and closed with Enter', [3, 'mask'], [nZones, maskKind]);
    await page.fill('[data-zone-name="2"]', 'Đồng hồ');
    // drag the mask's first point to the corner
    await clickAt(0.16, 0.05);    // select it
    const handle = await page.$('[data-point="0"]');
    const hb = handle ? await handle.boundingBox() : null;
    if (hb) {
      await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
      await page.mouse.down();
      const [tx, ty] = at(0, 0);
      await page.mouse.move(tx + 10, ty + 10, { steps: 5 });
      await page.mouse.move(tx - 20, ty - 20, { steps: 5 });
      await page.mouse.up();
    }
    check(hb, 'zone editor: a selected zone shows its points as handles', 'handle', hb);
    await page.fill('#mo-sensitivity', '60').catch(async () => {
      await page.$eval('#mo-sensitivity', (e) => { e.value = '60'; e.dispatchEvent(new Event('input', { bubbles: true })); });
    });
    const dirty = await page.textContent('#mo-save-state');
    check(/chưa lưu/.test(dirty), 'zone editor: unsaved changes are flagged', 'Có thay đổi chưa lưu', dirty);
    await page.click('#mo-save');
    await page.waitForFunction(() => /Lưu lần cuối/.test(document.getElementById('mo-save-state').textContent), null, { timeout: 10000 }).catch(() => null);
    const saved = await admin.get(`/api/v1/cameras/${c2}/motion`);
    const z = saved.json ? saved.json.zones : [];
    const near = (a, b) => a.length === b.length && a.every((p, i) => Math.abs(p[0] - b[i][0]) < 0.01 && Math.abs(p[1] - b[i][1]) < 0.01);
    check(saved.status === 200 && z.length === 3, 'zone editor: Save stores 3 zones', 3, z.length);
    check(z[0] && z[0].name === 'Cổng chợ' && z[0].kind === 'include' && near(z[0].points, drawn),
      'zone editor: the API returns the drawn polygon (normalised coordinates)', drawn, z[0]);
    check(z[1] && z[1].name === 'Lối vào bãi xe' && z[1].points.length === 4, 'zone editor: the double-click zone has its 4 points', 'Lối vào bãi xe, 4 points', z[1]);
    check(z[2] && z[2].name === 'Đồng hồ' && z[2].kind === 'mask' && near([z[2].points[0]], [[0, 0]]),
      'zone editor: the dragged point moved to the corner (clamped to the picture)', [0, 0], z[2] && z[2].points[0]);
    check(saved.json && saved.json.sensitivity === 60, 'zone editor: sensitivity saved', 60, saved.json && saved.json.sensitivity);
    // The smallest object the settings let through is outlined at the zone's
    // scale, and follows the minimum-area setting.
    const minObj = async () => page.$eval('#mo-min-object', (g) => {
      const r = g.querySelector('rect');
      return { area: Number(g.dataset.areaPx), w: Number(r.getAttribute('width')), h: Number(r.getAttribute('height')) };
    }).catch(() => null);
    const mo1 = await minObj();
    check(mo1 && mo1.area > 0 && mo1.w > 0 && mo1.h > mo1.w, 'zone editor: the smallest reportable object is outlined (a standing figure)', 'area > 0, taller than wide', mo1);
    await page.fill('#mo-min-area', String(Number(saved.json.min_area) * 4));
    const mo2 = await minObj();
    check(mo1 && mo2 && Math.abs(mo2.area / mo1.area - 4) < 0.2 && mo2.w > mo1.w, 'zone editor: the outline grows with the minimum area (4x area)', 4, mo1 && mo2 && mo2.area / mo1.area);
    await page.click('#mo-revert');
    const mo3 = await minObj();
    check(mo1 && mo3 && Math.abs(mo3.area - mo1.area) <= 1, 'zone editor: revert brings the outline back', mo1 && mo1.area, mo3 && mo3.area);
    // The detector runs with them at once: the live meter has a score.
    const score = await until(async () => {
      const s = await page.textContent('#mo-score');
      return /\d/.test(s) ? s : null;
    }, 10000);
    check(score, 'zone editor: the live motion level shows', 'a percentage', score);

    // ---- wait for events on every camera ----
    log('waiting for motion events on 3 cameras (a car crosses both road zones every 30 s)');
    const enough = await until(async () => {
      const r = await admin.get('/api/v1/events?limit=500');
      if (r.status !== 200) return null;
      const per = [c1, c2, c3].map((id) => r.json.events.filter((e) => e.camera_id === id).length);
      return per.every((n) => n >= 3) ? r.json.events : null;
    }, 100000, 2000);
    const all = enough || (await admin.get('/api/v1/events?limit=500')).json.events;
    check(enough, 'every camera (zones drawn in the editor too) records events', '>= 3 each', all.map((e) => e.camera_id));

    // ---- zone editor screenshot: zones, live meter, recent events ----
    // (a fresh render: leave the page, come back, and take the picture while
    // the car is in a zone so the meter shows it)
    await page.goto(`${srv.url}/#/events`);
    await page.waitForSelector('.ev-card');
    await page.goto(`${srv.url}/#/motion?camera=${c2}`);
    await page.waitForFunction(() => { const i = document.getElementById('mo-snapshot'); return i && !i.hidden && i.naturalWidth > 0; }, null, { timeout: 15000 }).catch(() => null);
    await page.waitForFunction(() => document.querySelectorAll('#mo-recent img').length >= 3 && [...document.querySelectorAll('#mo-recent img')].every((i) => i.complete && i.naturalWidth > 0), null, { timeout: 15000 }).catch(() => null);
    const moving = await until(async () => /chuyển động/.test(await page.textContent('#mo-live-state')) && Number((await page.textContent('#mo-score')).replace(/[^0-9]/g, '')) > 5, 35000, 200);
    check(moving, 'zone editor: the live meter shows the car crossing a zone', 'Đang có chuyển động, > 5%', await page.textContent('#mo-live-state'));
    await page.click('#mo-refresh');
    await page.waitForFunction(() => !document.getElementById('mo-refresh').disabled, null, { timeout: 10000 }).catch(() => null);
    await clickAt(0.12, 0.63);   // select the left zone: its handles show
    await page.mouse.move(...at(0.45, 0.35));
    await sleep(300);
    await shot(page, 'zones');

    // ---- events page ----
    await page.goto(`${srv.url}/#/events`);
    await page.waitForSelector('.ev-card');
    const loaded = await until(() => page.$$eval('.ev-card:not(.ev-live) img', (is) => is.filter((i) => i.complete && i.naturalWidth > 0).length >= 8 ? is.length : 0), 15000);
    check(loaded, 'events page: cards show their thumbnails', '>= 8 loaded', loaded);
    const order = await page.$$eval('.ev-card:not(.ev-live)', (cs) => cs.map((c) => Number(c.dataset.startUs)));
    check(order.length >= 9 && order.every((v, i) => !i || v <= order[i - 1]), 'events page: newest first', 'descending start', order.slice(0, 6));
    const day = await page.textContent('.ev-day[data-day] h2');
    check(/^Hôm nay · \d{2}\/\d{2}\/\d{4}$/.test(day), 'events page: cards grouped by day (dd/mm/yyyy)', 'Hôm nay · dd/mm/yyyy', day);
    const cardText = await page.textContent('.ev-card:not(.ev-live)');
    check(/\d{2}:\d{2}:\d{2}/.test(cardText) && /giây/.test(cardText) && /Lòng đường (trái|phải)|Cổng chợ|Lối vào bãi xe|toàn khung hình/.test(cardText) && /Mức thay đổi \d+ %/.test(cardText),
      'events page: a card shows time, duration, zone and score (a Vietnamese percentage: "41 %")', 'HH:MM:SS, … giây, a zone, Mức thay đổi N %', cardText);
    await page.mouse.move(10, 10);
    await sleep(500);
    await shot(page, 'events');

    // ---- an event in progress is listed before it closes (issue 17 item 14) ----
    const live = await until(async () => {
      await page.goto(`${srv.url}/#/events?r=${Date.now()}`);
      await page.waitForSelector('.ev-card', { timeout: 10000 }).catch(() => null);
      const el = await page.$('#ev-live');
      return el ? page.textContent('#ev-live + .ev-grid') : null;
    }, 45000, 1000);
    check(live && /Đang diễn ra/.test(live), 'events page: motion in progress is listed under "Đang có chuyển động", marked "Đang diễn ra"',
      'Đang diễn ra', live);
    if (live) await shot(page, 'events-in-progress');

    // filters: camera → URL and cards
    await page.selectOption('#ev-camera', String(c2));
    await page.waitForFunction((id) => {
      const cs = [...document.querySelectorAll('.ev-card:not(.ev-live)')];
      return cs.length > 0 && cs.every((c) => c.dataset.camera === String(id));
    }, c2, { timeout: 10000 }).catch(() => null);
    const cams = await page.$$eval('.ev-card:not(.ev-live)', (cs) => [...new Set(cs.map((c) => c.dataset.camera))]);
    const hash = await page.evaluate(() => location.hash);
    check(cams.length === 1 && cams[0] === String(c2) && hash.includes(`camera=${c2}`), 'events page: the camera filter narrows the cards and lands in the URL',
      [String(c2), `camera=${c2}`], [cams, hash]);
    // bad time → message, no request
    await page.fill('#ev-from', '31/02/2026 10:00');
    await page.click('#ev-apply');
    const ferr = await page.textContent('#ev-filter-error');
    check(/dd\/mm\/yyyy HH:mm/.test(ferr), 'events page: an impossible date is refused with the format', 'dd/mm/yyyy HH:mm', ferr);
    // a range that ends before everything → empty message
    await page.fill('#ev-from', '01/01/2020 00:00');
    await page.fill('#ev-to', '02/01/2020 00:00');
    await page.click('#ev-apply');
    const empty = await page.waitForSelector('#ev-empty', { timeout: 10000 }).then((e) => e.textContent()).catch(() => null);
    check(empty && empty.includes('Không có sự kiện'), 'events page: an empty range says so', 'Không có sự kiện…', empty);
    const total = (await admin.get('/api/v1/events?limit=500')).json.events.filter((e) => !e.in_progress).length;
    await page.click('#ev-reset');
    await page.waitForSelector('.ev-card');
    const shown = await page.$$eval('.ev-card:not(.ev-live)', (cs) => cs.length);
    check(shown >= Math.min(total, 48) && shown <= 48 + 3, 'events page: after "clear" the first page is back (up to 48 events)', Math.min(total, 48), shown);

    // paging in the page: 4 a page, "Xem thêm" and scrolling fetch the next
    // pages with the cursor; the cards are the API's rows, in order, once each
    const apiIds = (await admin.get('/api/v1/events?limit=500')).json.events.filter((e) => !e.in_progress).map((e) => e.id);
    await page.goto(`${srv.url}/#/events?limit=4`);
    // On a tall screen the "more" button is in view under four cards, so the
    // page may fetch the next page by itself (that is the infinite scroll):
    // wait until it rests, then the click must add a page of its own.
    const resting = () => page.waitForFunction(() => {
      const b = document.querySelector('#ev-more');
      return document.querySelectorAll('.ev-card:not(.ev-live)').length >= 4 && b && (b.hidden || !b.disabled);
    }, null, { timeout: 10000 }).catch(() => null);
    await resting();
    await page.waitForTimeout(600);
    await resting();
    const p1 = await page.$$eval('.ev-card:not(.ev-live)', (cs) => cs.length);
    const canMore = await page.isVisible('#ev-more');
    if (canMore) await page.click('#ev-more');
    await page.waitForFunction((n) => document.querySelectorAll('.ev-card:not(.ev-live)').length > n, p1, { timeout: 10000 }).catch(() => null);
    const p2 = await page.$$eval('.ev-card:not(.ev-live)', (cs) => cs.length);
    check(p1 >= 4 && canMore && p2 > p1 && p2 <= p1 + 4, 'events page: pages of 4; "Xem thêm" loads the next page',
      ['>= 4', 'up to 4 more'], [p1, p2]);
    const scrolled = await until(async () => {
      await page.$eval('#ev-more', (b) => b.scrollIntoView());
      const cards = await page.$$eval('.ev-card:not(.ev-live)', (cs) => cs.map((c) => [Number(c.dataset.startUs), Number(c.dataset.id)]));
      const more = await page.isVisible('#ev-more');
      return !more ? cards : null;
    }, 30000, 300);
    const end = await page.textContent('#ev-foot-text');
    // Events keep coming while the test pages: every event that existed
    // before is there, once, in order, and nothing the API does not have.
    const apiNow = new Set((await admin.get('/api/v1/events?limit=500')).json.events.filter((e) => !e.in_progress).map((e) => e.id));
    const ids = (scrolled || []).map((x) => x[1]);
    const ordered = (scrolled || []).every((x, i, a) => !i || x[0] < a[i - 1][0] || (x[0] === a[i - 1][0] && x[1] < a[i - 1][1]));
    check(scrolled && ordered && new Set(ids).size === ids.length && apiIds.every((id) => ids.includes(id)) && ids.every((id) => apiNow.has(id)),
      'events page: scrolling down pages through every event, newest first, once each', apiIds, ids);
    check(/Đã hiện hết/.test(end), 'events page: the end of the list says so', 'Đã hiện hết … sự kiện.', end);

    // click → timeline at the pre-roll
    const first = await page.$eval('.ev-card:not(.ev-live)', (c) => ({ id: Number(c.dataset.id), cam: Number(c.dataset.camera), start: Number(c.dataset.startUs) }));
    await page.click('.ev-card:not(.ev-live)');
    await page.waitForFunction(() => location.hash.startsWith('#/timeline'), null, { timeout: 5000 }).catch(() => null);
    const th = await page.evaluate(() => location.hash);
    const params = new URLSearchParams(th.split('?')[1] || '');
    const wantDate = new Date(first.start / 1000 + TZ_OFF_MS).toISOString().slice(0, 10);
    check(th.startsWith('#/timeline') && params.get('camera') === String(first.cam) && params.get('at') === String(Math.floor(first.start / 1e6)) &&
      (params.get('date') === wantDate || !params.get('date')),
      'a click opens the timeline at the event\'s pre-roll', `#/timeline?camera=${first.cam}&date=${wantDate}&at=${Math.floor(first.start / 1e6)}`, th);
    // The timeline page (its own author's) takes it from there: its play
    // head lands at the event's start (within a GOP and a few seconds of play).
    const head = await until(async () => {
      const us = Number(await page.$eval('#tl-clock', (c) => c.dataset.us).catch(() => 0));
      return us > 0 ? us : null;
    }, 15000);
    check(head && head >= first.start - 3e6 && head <= first.start + 8e6, 'the timeline plays from the event\'s pre-roll',
      `within [-3 s, +8 s] of ${first.start}`, head ? `${((head - first.start) / 1e6).toFixed(2)} s off` : head);

    // Issue 11 item 7: a camera outside its owner's recording consent is
    // named on the events page as paused (from /api/v1/health).
    const cr = await admin.post(`/api/v1/cameras/${c3}/consents`, { live: true, record: true, export: true });
    const wr = await admin.post(`/api/v1/cameras/${c3}/consents/${cr.json && cr.json.id}/withdraw`, { note: 'rút lại' });
    check(cr.status === 201 && wr.status === 200, 'fixture: camera 3\'s consent recorded and withdrawn', [201, 200], [cr.status, wr.status]);
    await page.goto(`${srv.url}/#/events`);
    const pausedLine = await page.waitForSelector(`#ev-paused .ev-paused-cam[data-camera="${c3}"]`, { timeout: 20000 })
      .then((e) => e.textContent()).catch(() => null);
    const others = await page.$$eval('#ev-paused .ev-paused-cam', (es) => es.map((e) => e.dataset.camera));
    check(pausedLine && /tạm dừng phát hiện chuyển động/.test(pausedLine) && /chưa đồng ý ghi hình/.test(pausedLine) && others.length === 1,
      'events page: the camera without recording consent is shown as paused (and only it)', 'one line: … tạm dừng phát hiện chuyển động — chủ camera chưa đồng ý ghi hình',
      [pausedLine, others]);

    // A viewer of the ward sees the zones read-only.
    const vr = await admin.post('/api/v1/users', { username: 'viewer1', password: 'viewer-pass-123', role: 'viewer', ward_id: ward.id });
    check(vr.status === 201, 'fixture: a viewer of the ward', 201, vr.status);
    const vpage = await newPage(browser);
    await signIn(vpage, srv, 'viewer1', 'viewer-pass-123');
    await vpage.goto(`${srv.url}/#/motion?camera=${c2}`);
    await vpage.waitForSelector('#mo-canvas');
    const ro = { note: await vpage.isVisible('#mo-readonly'), save: await vpage.isVisible('#mo-save'), draw: await vpage.isVisible('#mo-new-zone'),
      zones: await vpage.$$eval('[data-zone-row]', (r) => r.length), disabled: await vpage.$eval('#mo-sensitivity', (e) => e.disabled) };
    check(ro.note && !ro.save && !ro.draw && ro.zones === 3 && ro.disabled, 'zone editor: a viewer sees the zones read-only',
      { note: true, save: false, draw: false, zones: 3, disabled: true }, ro);
    log('done');
  } finally {
    if (browser) { try { await browser.close(); } catch (e) { log(`browser close: ${e.message}`); } }
    if (serve && !serveExit) {
      serve.kill('SIGTERM');
      const ok = await until(() => serveExit, 20000, 100);
      if (!ok) { serve.kill('SIGKILL'); check(false, 'server stops within 20 s', 'exit', 'running'); }
    }
    if (serveExit) {
      check(serveExit.code === 0, 'server exited cleanly', 0, serveExit);
      if (serveExit.code !== 0) { try { console.log(fs.readFileSync(path.join(dataDir, 'serve.log'), 'utf8').slice(-4000)); } catch { /* none */ } }
    }
    for (const p of procs) { if (p.exitCode === null) { p.kill('SIGTERM'); await until(() => p.exitCode !== null, 10000, 100); if (p.exitCode === null) p.kill('SIGKILL'); } }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return null;
});
