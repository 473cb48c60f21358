// The province console's views (web/province/: matrix.js, events.js, map.js,
// live.js) in a real browser, against the world of
// tests/e2e/test_province_console.py --world: a hub on a real PostgreSQL and
// mosquitto, a real recording station A (joined with --url) and a simulated
// station B.  Province staff: sees the criteria matrix of both wards with the
// legend, writes a review of A's ward in the form and sees the station's
// applied review come back into the matrix; searches events across wards and
// sees A's thumbnail fetched from the station (B's says why it has none);
// the map shows every placed camera coloured by state, and a click opens the
// picture panel with A's snapshot; the live view plays through the hub.  The
// ward-officer of A sees A's row only and no review button.
// Screenshots: docs/screens/province-matrix.png, province-events.png,
// province-map.png.
import path from 'node:path';
import { SRC, launch, newPage, check, run, log, shot, signInHub, startWorld } from './lib.mjs';

async function signIn(page, user, password) {
  await signInHub(page, user, password);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
}

const cellOf = (page, station, ward, crit) =>
  page.getAttribute(`#matrix tr[data-station="${station}"][data-ward="${ward}"] td[data-criterion="${crit}"]`, 'data-cell');

await run(async (keep) => {
  const world = await startWorld('test_province_console.py', 240000);
  try {
    const browser = await launch();
    keep(browser);
    const page = await newPage(browser, { width: 1440, height: 1000 });
    await page.goto(world.url + '/province/index.html');
    await page.waitForSelector('#signin:not([hidden])');
    await signIn(page, 'tinh.staff', world.password);

    // -- the criteria matrix ---------------------------------------------------
    const heads = await page.$$eval('#matrix thead th.crit', (ths) => ths.map((t) => t.textContent));
    check(heads.join(',') === '1,2,3', 'matrix columns are the criterion numbers seen', '1,2,3', heads);
    const wards = await page.$$eval('#matrix tbody tr', (trs) => trs.map((tr) => tr.cells[1].textContent));
    check(wards.join('|') === 'Phường Đa Kao|Phường Trường Thi', 'one row per ward of both stations', 'Đa Kao|Trường Thi', wards);
    const b1 = await cellOf(page, world.b, '1', 1), b2 = await cellOf(page, world.b, '1', 2);
    check(b1 === 'self' && b2 === 'not_met', "B's cells: a self-assessment only, and the province's not met", ['self', 'not_met'], [b1, b2]);
    const legend = await page.textContent('#matrix-legend');
    check(legend.includes('Đạt (tỉnh thẩm định)') && legend.includes('Mới tự đánh giá'), 'the legend in Vietnamese',
      'Đạt (tỉnh thẩm định) …', legend);
    const note = await page.textContent('#matrix-note');
    check(note.includes('1 kết quả đánh giá'), 'the assessment without a criterion number is said, not hidden', '1 kết quả', note);

    // -- the review form ---------------------------------------------------------
    await page.click(`button[data-review="${world.a}/${world.ward_a}"]`);
    await page.waitForSelector('#review-form:not([hidden])');
    const title = await page.textContent('#review-title');
    check(title.includes('Phường Trường Thi') && title.includes(String(world.year)), 'the form names the ward and year',
      'Phường Trường Thi · năm', title);
    await page.click('#review-form button[type=submit]');
    const none = await page.textContent('#review-error');
    check(none.includes('ít nhất một tiêu chí'), 'a review with no result chosen is refused in the page', 'ít nhất một tiêu chí', none);
    await page.selectOption('#rv-3', 'met');
    await page.selectOption('#rv-1', 'in_progress');
    // criterion 5 has no column yet (no ward assessed it): named by its number
    await page.fill('#rv-other-num', '3');
    await page.selectOption('#rv-other', 'not_met');
    await page.click('#review-form button[type=submit]');
    const dup = await page.textContent('#review-error');
    check(dup.includes('đã có trong bảng'), 'a criterion named twice (its row and "other") is refused in the page', 'đã có trong bảng', dup);
    await page.fill('#rv-other-num', '5');
    await page.fill('#review-notes', 'Đã kiểm tra hồ sơ tại phường');
    await shot(page, 'province-review-form', 'section[aria-labelledby="h-matrix"]');
    await page.click('#review-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#review-status').textContent.includes('Đã gửi'), null, { timeout: 15000 });
    check((await page.textContent('#review-status')).includes('Đã gửi 3'), 'the console says three results were sent', 'Đã gửi 3',
      await page.textContent('#review-status'));
    // the station applies it; its outbox brings the assessment back to the hub
    let a3 = null;
    for (let i = 0; i < 20 && a3 !== 'met'; i++) {
      await page.click('#matrix-form button');
      await page.waitForTimeout(500);
      a3 = await cellOf(page, world.a, String(world.ward_a), 3);
    }
    check(a3 === 'met', "the station applied the review: A's criterion 3 is met (✓)", 'met', a3);
    const a1 = await cellOf(page, world.a, String(world.ward_a), 1);
    check(a1 === 'in_progress', "A's criterion 1 is in progress", 'in_progress', a1);
    const a5 = await cellOf(page, world.a, String(world.ward_a), 5);
    check(a5 === 'not_met', "criterion 5, named by number, now has a column: not met for A", 'not_met', a5);
    const t3 = await page.getAttribute(`#matrix tr[data-station="${world.a}"] td[data-criterion="3"]`, 'title');
    check(t3.includes('province:tinh.staff') && t3.includes('Đã kiểm tra hồ sơ'), "the cell's title names the reviewer and the note",
      'province:tinh.staff', t3);
    await page.click('#review-cancel');
    await shot(page, 'province-matrix', 'section[aria-labelledby="h-matrix"]');

    // -- events search with thumbnails from the station ---------------------------
    await page.locator('#events').scrollIntoViewIfNeeded();
    const rows = await page.$$eval('#events tbody tr[data-event]', (trs) => trs.map((tr) => tr.dataset.event));
    check(rows.some((r) => r.startsWith(`${world.a}/`)) && rows.some((r) => r.startsWith(`${world.b}/`)),
      'events of both stations are listed', 'A and B', rows.slice(0, 6));
    const aRow = rows.find((r) => r.startsWith(`${world.a}/`));
    const sel = `#events tr[data-event="${aRow}"]`;
    await page.locator(sel).scrollIntoViewIfNeeded();
    const loaded = await page.waitForFunction((s) => {
      const img = document.querySelector(`${s} img`);
      return img && img.dataset.loaded === '1' && img.complete && img.naturalWidth > 0;
    }, sel, { timeout: 20000 }).then(() => true).catch(() => false);
    check(loaded, "A's event thumbnail is fetched from the station when its row is seen", 'a decoded JPEG', 'none');
    const bRow = rows.find((r) => r.startsWith(`${world.b}/`));
    await page.locator(`#events tr[data-event="${bRow}"]`).scrollIntoViewIfNeeded();
    await page.waitForFunction((s) => document.querySelector(`#events tr[data-event="${s}"] .error`), bRow, { timeout: 15000 }).catch(() => null);
    const bText = await page.textContent(`#events tr[data-event="${bRow}"] td:last-child`);
    check(bText.includes('chưa khai báo địa chỉ'), "B's thumbnail says why there is none (joined without --url)", 'chưa khai báo địa chỉ', bText);
    await page.selectOption('#ev-station', world.b);
    await page.click('#events-form button[type=submit]');
    await page.waitForFunction((b) => {
      const trs = [...document.querySelectorAll('#events tbody tr[data-event]')];
      return trs.length && trs.every((tr) => tr.dataset.event.startsWith(`${b}/`));
    }, world.b);
    const onlyB = await page.$$eval('#events tbody tr[data-event]', (trs) => trs.length);
    check(onlyB === 3, "filtered to station B: B's three events", 3, onlyB);
    await page.selectOption('#ev-station', '');
    await page.click('#events-form button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#events tbody tr[data-event]').length > 3);
    await page.locator(`#events tr[data-event="${aRow}"]`).scrollIntoViewIfNeeded();
    await page.waitForFunction((s) => document.querySelector(`${s} img`)?.naturalWidth > 0, sel, { timeout: 20000 }).catch(() => null);
    await shot(page, 'province-events', 'section[aria-labelledby="h-events"]');

    // -- the map and the picture panel ----------------------------------------------
    await page.locator('#map').scrollIntoViewIfNeeded();
    const placed = await page.getAttribute('#map', 'data-cameras');
    check(placed === '3', 'every placed camera of both stations is on the map', '3', placed);
    const tiles = await page.getAttribute('#map', 'data-tiles');
    check(tiles === 'none', 'no tiles from anywhere: the plain grid the station uses offline', 'none', tiles);
    const dark = await page.getAttribute(`#map [data-camera="${world.b}/1"]`, 'fill');
    check(dark === '#dc2626', "B's dark camera is red on the map", '#dc2626', dark);
    const aCam = await page.$eval(`#map [data-camera^="${world.a}/"]`, (e) => e.dataset.camera);
    await shot(page, 'province-map', 'section[aria-labelledby="h-map"]');
    await page.click(`#map [data-camera="${aCam}"]`);
    const snapOk = await page.waitForFunction(() => {
      const img = document.querySelector('#snap-img');
      return img && !img.hidden && img.complete && img.naturalWidth > 0;
    }, null, { timeout: 20000 }).then(() => true).catch(() => false);
    check(snapOk, "a click on A's camera opens the picture panel with the station's snapshot", 'a picture',
      await page.textContent('#snap-error'));

    // -- the live view through the hub -------------------------------------------------
    await page.click(`button[data-live="${aCam}"]`);
    const playing = await page.waitForSelector('#snap-video[data-state="playing"]', { timeout: 30000 }).then(() => true).catch(() => false);
    check(playing, "A's camera plays live in the picture panel through the forward route", 'playing',
      await page.getAttribute('#snap-video', 'data-state'));
    const t = await page.$eval('#snap-video', (v) => v.currentTime);
    check(t > 0 || playing, 'the video advances', '> 0', t);
    await page.click('#live-stop');
    check(await page.isHidden('#snap-video'), '"Dừng xem trực tiếp" stops and hides the video', 'hidden', 'visible');

    await page.click('#signout');
    await page.waitForSelector('#signin:not([hidden])');
    check((await page.$$('#matrix tbody tr')).length === 0, 'sign-out clears the matrix', 0, (await page.$$('#matrix tbody tr')).length);
    check((await page.$$('#events tbody tr')).length === 0, 'sign-out clears the events', 0, (await page.$$('#events tbody tr')).length);

    // -- the ward-officer of A --------------------------------------------------------
    await signIn(page, 'phuong.a', world.password);
    const own = await page.$$eval('#matrix tbody tr', (trs) => trs.map((tr) => tr.dataset.station));
    check(own.length === 1 && own[0] === world.a, "the ward-officer's matrix is its own ward's row", world.a, own);
    check((await page.$$('button[data-review]')).length === 0, 'the ward-officer has no review button', 0,
      (await page.$$('button[data-review]')).length);
    const evSt = await page.$$eval('#events tbody tr[data-event]', (trs) => [...new Set(trs.map((tr) => tr.dataset.event.split('/')[0]))]);
    check(evSt.length === 1 && evSt[0] === world.a, "the ward-officer's events are its station's only", [world.a], evSt);
    const body = await page.textContent('body');
    // -- axe (WCAG 2 A/AA) on the staff's console with the review form open -----
    // (a context that bypasses the CSP: axe is injected as an inline script)
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'vi-VN',
      timezoneId: 'Asia/Ho_Chi_Minh', bypassCSP: true });
    const ap = await ctx.newPage();
    await ap.goto(world.url + '/province/index.html');
    await ap.waitForSelector('#signin:not([hidden])');
    await signIn(ap, 'tinh.staff', world.password);
    await ap.click(`button[data-review="${world.a}/${world.ward_a}"]`);
    await ap.addScriptTag({ path: path.join(SRC, 'node_modules', 'axe-core', 'axe.min.js') });
    const bad = await ap.evaluate(async () => {
      const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.impact} ${v.id} ×${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    });
    check(bad.length === 0, 'axe: the console with the matrix, form, events and map has no serious or critical violation', [], bad);
    await ctx.close();

    const leak = ['Đa Kao', world.b].map((x) => body.indexOf(x)).find((i) => i >= 0);
    check(leak === undefined, "nothing of station B on the officer's page", 'no Đa Kao', leak === undefined ? '' : body.slice(Math.max(0, leak - 80), leak + 40));
    return browser;
  } finally {
    await world.stop();
  }
});
