// Incidents and evidence meet (issue 17 item 5): the incident form picks
// its cameras by name or address and its exports from the register (no ids
// typed); the detail's camera chip opens that camera's timeline at the
// incident's time (not "page not found") and its exports are listed by
// camera and time; an export made on the timeline is attached to an
// incident from its card ("Gắn vào vụ việc").  Screenshots:
// docs/screens/incident-links-form.png, incident-links-attach.png.
import { footage, startServer, launch, newPage, signIn, shot, check, run, apiSession } from './lib.mjs';

await run(async (keep) => {
  const srv = await startServer();
  const admin = await apiSession(srv, 'admin', srv.adminPassword);
  let r = await admin.post('/api/v1/wards', { name: 'Bến Thủy', district: 'Vinh', province: 'Nghệ An' });
  const ward = r.json.id;
  const mk = async (name, address, port) => {
    const x = await admin.post('/api/v1/cameras', { name, address, main_url: `rtsp://127.0.0.1:${port}/x`, ward_id: ward, enabled: false });
    check(x.status === 201, `fixture camera ${name}`, 201, x.status);
    return x.json.id;
  };
  const camA = await mk('Ngã tư Bến Thủy', '12 Nguyễn Du', 9);
  const camB = await mk('Cổng trường tiểu học', '45 Lê Lợi', 10);
  await mk('Chợ Vinh cổng phụ', '3 Trần Phú', 11);
  const T0 = Math.floor(Date.now() / 1000) - 3600;
  footage(srv, camB, T0, 6);   // tools/gencams
  r = await admin.post(`/api/v1/cameras/${camB}/exports`, { from: T0, to: T0 + 3 });
  check(r.status === 201, 'fixture export', 201, r.status);
  const exp = r.json.export.id;

  const browser = await launch();
  keep(browser);
  const page = await newPage(browser);
  await signIn(page, srv, 'admin', srv.adminPassword);

  // 1. a new incident: cameras by address, the export from the register
  await page.goto(`${srv.url}/#/incidents`);
  await page.click('#incident-add');
  await page.waitForSelector('#incident-form #pick-cameras-search');
  const typedIds = await page.$$('#incident-form input[name="camera_ids"]');
  check(typedIds.length === 0, 'no field to type camera ids', 0, typedIds.length);
  await page.fill('#pick-cameras-search', 'le loi');   // without the accents, as typed on a phone
  const shown = await page.$$eval('#pick-cameras-list .picker-item', (x) => x.map((e) => e.textContent));
  check(shown.length === 1 && shown[0].includes('Cổng trường tiểu học'), "searching 'le loi' finds the camera at 45 Lê Lợi", 'Cổng trường tiểu học', shown);
  await page.press('#pick-cameras-search', 'Enter');   // Enter picks the first match, does not submit
  const chips = await page.$$eval('#pick-cameras-chosen .picker-chip', (x) => x.map((e) => e.textContent));
  check(chips.length === 1 && chips[0].includes('Cổng trường'), 'the chosen camera stands as a chip by name', 'Cổng trường tiểu học×', chips);
  const expItems = await page.$$eval('#pick-exports-list .picker-item', (x) => x.map((e) => e.textContent));
  check(expItems.some((x) => x.includes('Cổng trường tiểu học')), 'the export register lists the export by its camera and time', 'Cổng trường tiểu học · …', expItems);
  await page.check(`#pick-exports-list .picker-item[data-id="${exp}"] input`);
  await page.fill('#inc-summary', 'Va chạm giao thông trước cổng trường');
  await shot(page, 'incident-links-form');
  await page.click('#incident-save');
  await page.waitForSelector('#incident-form', { state: 'detached' });
  const row = (await admin.get('/api/v1/incidents')).json.incidents.find((x) => x.summary.startsWith('Va chạm'));
  const inc = row && (await admin.get(`/api/v1/incidents/${row.id}`)).json;
  check(inc && JSON.stringify(inc.camera_ids) === JSON.stringify([camB]) && JSON.stringify(inc.export_ids) === JSON.stringify([exp]),
    'the incident is saved with the picked camera and export', { camera_ids: [camB], export_ids: [exp] }, inc && { camera_ids: inc.camera_ids, export_ids: inc.export_ids });

  // 2. the detail: names, and links that open the right timeline
  await page.goto(`${srv.url}/#/incidents/${inc.id}`);
  await page.waitForSelector('#incident-cameras a');
  const chipText = await page.textContent('#incident-cameras a');
  check(chipText.includes('Cổng trường tiểu học'), "the camera chip shows the camera's name", 'Cổng trường tiểu học', chipText);
  const expText = await page.textContent('#incident-exports');
  check(expText.includes('Cổng trường tiểu học') && !expText.includes('—'), 'the export is listed by camera and time', 'Cổng trường tiểu học · …', expText);
  await page.click('#incident-cameras a');
  await page.waitForFunction(() => location.hash.startsWith('#/timeline'));
  await page.waitForSelector('#tl-bar, .tl-bar, #tl-canvas', { timeout: 15000 });
  const body = await page.textContent('main');
  check(!body.includes('Không tìm thấy trang'), 'the camera chip opens a page that exists', 'the timeline', body.slice(0, 120));
  const camParam = await page.evaluate(() => new URLSearchParams(location.hash.split('?')[1]).get('camera'));
  check(camParam === String(camB), "the timeline opens on the incident's camera", String(camB), camParam);

  // 3. an export made on the timeline is attached to the incident from its card
  await page.goto(`${srv.url}/#/timeline?camera=${camB}&at=${T0 + 1}`);
  await page.waitForSelector('#tl-export');
  await page.evaluate(() => document.activeElement && document.activeElement.blur());   // keys go to the page, not an input
  await page.keyboard.press('[');
  await page.keyboard.press('ArrowRight');   // five seconds on
  await page.keyboard.press(']');
  await page.click('#tl-export');
  await page.waitForSelector('#tl-export-attach', { timeout: 30000 });
  await page.click('#tl-export-attach');
  await page.waitForSelector(`#pick-incident-list .picker-row[data-id="${inc.id}"]`);
  await page.fill('#pick-incident-search', 'Va chạm');
  await page.waitForTimeout(600);
  await shot(page, 'incident-links-attach');
  await page.click(`#pick-incident-list .picker-row[data-id="${inc.id}"]`);
  await page.waitForSelector('#tl-export-attached a');
  const after = (await admin.get(`/api/v1/incidents/${inc.id}`)).json;
  check(after.export_ids.length === 2 && after.export_ids.includes(exp) && after.camera_ids.length === 1,
    "the timeline's export joins the incident, keeping what it had", `two exports incl. ${exp}, one camera`, { export_ids: after.export_ids, camera_ids: after.camera_ids });

  await srv.stop();
});
