// Holds placed where an officer meets the footage (issue 13 item 1): the
// timeline's marked range ("Giữ video đoạn này"), a motion event in the
// timeline's list ("Giữ"), and a camera in the place search's results —
// each becomes a hold on that camera over that range (GET /api/v1/holds),
// audited; a viewer sees no hold button.  Screenshot:
// docs/screens/holds-timeline.png.
import { footage, startServer, launch, newPage, signIn, shot, check, run, apiSession } from './lib.mjs';

await run(async (keep) => {
  const srv = await startServer();
  const admin = await apiSession(srv, 'admin', srv.adminPassword);
  let r = await admin.post('/api/v1/wards', { name: 'Trường Thi', district: 'Vinh', province: 'Nghệ An' });
  const ward = r.json.id;
  r = await admin.post('/api/v1/cameras', { name: 'Ngõ 12 Trường Thi', main_url: 'rtsp://127.0.0.1:9/x', ward_id: ward, enabled: false,
    latitude: 18.6712, longitude: 105.6931 });
  check(r.status === 201, 'fixture camera', 201, r.status);
  const cam = r.json.id;
  const T0 = Math.floor(Date.now() / 1000) - 3600;
  footage(srv, cam, T0, 6, [[2, 5]]);   // tools/gencams
  await admin.post('/api/v1/users', { username: 'canbo', password: 'mat-khau-can-bo-1', role: 'officer', ward_id: ward, display_name: 'Cán bộ Lê' });
  await admin.post('/api/v1/users', { username: 'xem', password: 'mat-khau-xem-12', role: 'viewer', ward_id: ward, display_name: 'Người xem' });

  const holds = async () => (await admin.get('/api/v1/holds')).json.holds;
  const browser = await launch();
  keep(browser);
  const page = await newPage(browser);
  await signIn(page, srv, 'canbo', 'mat-khau-can-bo-1');

  const fill = async (reason) => {
    await page.waitForSelector('.modal #f-reason');
    await page.fill('#f-reason', reason);
    await page.click('.modal button[type=submit]');
    await page.waitForSelector('.modal', { state: 'detached' });
  };

  // 1. the timeline's marked range
  await page.goto(`${srv.url}/#/timeline?camera=${cam}&at=${T0 + 1}`);
  await page.waitForSelector('#tl-hold');
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('[');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press(']');
  check(!(await page.isDisabled('#tl-hold')), 'a marked range enables "Giữ video đoạn này"', 'enabled', 'disabled');
  await page.click('#tl-hold');
  await shot(page, 'holds-timeline');
  await fill('giữ đoạn xe máy vượt đèn');
  let hs = await holds();
  let h1 = hs.find((x) => x.reason === 'giữ đoạn xe máy vượt đèn');
  check(h1 && h1.camera_id === cam && Date.parse(h1.from) <= (T0 + 1) * 1000 && Date.parse(h1.to) >= (T0 + 6) * 1000
    && Date.parse(h1.to) - Date.parse(h1.from) <= 180e3,
    "the timeline's range becomes a hold covering it (whole minutes)", { camera_id: cam, covers: [T0 + 1, T0 + 6] }, h1 && { camera_id: h1.camera_id, from: h1.from, to: h1.to });

  // 2. a motion event in the timeline's list
  await page.waitForSelector('.tl-event-hold');
  await page.click('.tl-event-hold');
  await fill('giữ sự kiện chuyển động');
  hs = await holds();
  const h2 = hs.find((x) => x.reason === 'giữ sự kiện chuyển động');
  check(h2 && Date.parse(h2.from) <= (T0 + 2) * 1000 && Date.parse(h2.to) >= (T0 + 5) * 1000,
    'an event becomes a hold covering it (10 s either side)', `⊇ ${T0 + 2}..${T0 + 5}`, h2 && { from: h2.from, to: h2.to });

  // 3. the place search's results
  const iso = (s) => new Date(s * 1000).toISOString();
  await page.goto(`${srv.url}/#/search?lat=18.6712&lon=105.6931&radius=200&from=${encodeURIComponent(iso(T0 - 60))}&to=${encodeURIComponent(iso(T0 + 600))}`);
  await page.waitForSelector('#search-go');
  await page.click('#search-go');
  await page.waitForSelector(`#search-results button[data-hold="${cam}"]`);
  await page.click(`#search-results button[data-hold="${cam}"]`);
  await fill('giữ theo tìm kiếm địa điểm');
  hs = await holds();
  const h3 = hs.find((x) => x.reason === 'giữ theo tìm kiếm địa điểm');
  check(!!h3 && h3.camera_id === cam, "the place search's result becomes a hold on that camera", cam, h3 && h3.camera_id);
  const audit = (await admin.get('/api/v1/audit?limit=500')).json.rows.filter((x) => x.action === 'hold_place' || x.action === 'hold_add');
  check(audit.length >= 3, 'each hold is audited', '>= 3 rows', audit.length);

  // a viewer has no hold button
  const vctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const vpage = await vctx.newPage();
  await signIn(vpage, srv, 'xem', 'mat-khau-xem-12');
  await vpage.goto(`${srv.url}/#/timeline?camera=${cam}&at=${T0 + 1}`);
  await vpage.waitForSelector('#tl-bar');
  await vpage.waitForTimeout(800);
  const vb = await vpage.$$('#tl-hold:visible, .tl-event-hold');
  check(vb.length === 0, 'a viewer sees no hold button', 0, vb.length);

  await srv.stop();
});
