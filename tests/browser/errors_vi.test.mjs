// The console speaks the user's language when something fails (issue 17
// item 6): every error and camera reason comes from a code with a
// Vietnamese and an English text; the server's English message stays for
// API tools (and in a tooltip) but never stands on a Vietnamese page.
//   - a form refusal names the field in Vietnamese ("Vĩ độ"), not
//     "field 'latitude' must be a number from -90 to 90";
//   - a refusal for want of the owner's consent says what the owner did not
//     agree to, from the answer's reason code;
//   - a camera that refuses the connection reads "Camera từ chối kết nối"
//     on the health page and the live wall — in English after the switch;
//   - the API still answers in English with code, reason and field.
// The server records (no --no-record) so the camera's state is real.
import { startServer, launch, newPage, signIn, shot, check, run, apiSession } from './lib.mjs';

const SERVER_ENGLISH = /connection refused|must be a number|has not agreed|sign in first|camera offline|out of range|is required/;

await run(async (keep) => {
  const srv = await startServer({ record: true });
  const admin = await apiSession(srv, 'admin', srv.adminPassword);
  let r = await admin.post('/api/v1/wards', { name: 'Hưng Bình', district: 'Vinh', province: 'Nghệ An' });
  const ward = r.json.id;
  // a camera nobody listens for: the recorder sees "connection refused"
  r = await admin.post('/api/v1/cameras', { name: 'Cổng chợ Hưng Bình', main_url: 'rtsp://127.0.0.1:9/x', ward_id: ward });
  check(r.status === 201, 'fixture camera (enabled, nothing listening)', 201, r.status);
  const dark = r.json.id;
  // an owner's camera with no agreement on file: deny by default
  r = await admin.post('/api/v1/owners', { name: 'Nguyễn Văn An', kind: 'household', phone: '0912 345 678', ward_id: ward });
  check(r.status === 201, 'fixture owner', 201, r.status);
  const owner = r.json.id;
  r = await admin.post('/api/v1/cameras', { name: 'Nhà ông An', main_url: 'rtsp://127.0.0.1:10/y', ward_id: ward, owner_id: owner, enabled: false });
  check(r.status === 201, 'fixture owned camera', 201, r.status);
  const owned = r.json.id;

  // the API keeps its English, with the codes the console words
  r = await admin.post(`/api/v1/cameras/${owned}/exports`, { from: Math.floor(Date.now() / 1000) - 60, to: Math.floor(Date.now() / 1000) - 50 });
  check(r.status === 403 && r.json.error.code === 'no_consent' && r.json.error.reason === 'consent_missing' && r.json.error.field === 'export'
    && /has not agreed/.test(r.json.error.message), 'API: 403 no_consent, reason consent_missing, field export, English message',
  'no_consent/consent_missing/export', r.json.error);
  r = await admin.patch(`/api/v1/cameras/${dark}`, { latitude: 1000, longitude: 105 });
  check(r.status === 400 && r.json.error.reason === 'range' && r.json.error.field === 'latitude', 'API: latitude 1000 → reason range, field latitude',
    'range/latitude', r.json.error);

  const browser = await launch();
  keep(browser);
  const page = await newPage(browser);
  await signIn(page, srv, 'admin', srv.adminPassword);

  // 1. a form refusal in Vietnamese, naming the field
  await page.goto(`${srv.url}/#/cameras`);
  await page.click('#camera-add');
  await page.waitForSelector('.modal');
  await page.fill('#f-name', 'Camera thử');
  await page.fill('#f-main_url', 'rtsp://127.0.0.1:11/z');
  await page.fill('#f-latitude', '1000');
  await page.fill('#f-longitude', '105');
  await page.click('.modal button[type=submit]');
  await page.waitForFunction(() => document.querySelector('.modal .form-error')?.textContent.length > 0);
  let txt = await page.textContent('.modal .form-error');
  check(txt.includes('Vĩ độ') && !SERVER_ENGLISH.test(txt), 'latitude 1000: the form says so in Vietnamese, naming «Vĩ độ»', 'Giá trị của «Vĩ độ» …', txt);
  await page.keyboard.press('Escape');

  // 1b. the incident form: a latitude out of range, named in Vietnamese
  //     (the ward layer's own wording, mapped to its codes by ward_why_code)
  const cat = (await admin.get('/api/v1/incident-categories')).json.categories[0].id;
  r = await admin.post('/api/v1/incidents', { ward_id: ward, category_id: cat, occurred_at: '2026-11-20T10:00', summary: 'x', latitude: 1000, longitude: 105 });
  check(r.status === 400 && r.json.error.reason === 'range' && r.json.error.field === 'latitude' && /out of range/.test(r.json.error.message),
    'API: an incident at latitude 1000 → reason range, field latitude, English message', 'range/latitude', r.json.error);
  await page.goto(`${srv.url}/#/incidents`);
  await page.click('#incident-add');
  await page.waitForSelector('#incident-form #inc-summary');
  await page.fill('#inc-summary', 'Thử vĩ độ sai');
  await page.fill('#inc-lat', '1000');
  await page.fill('#inc-lon', '105');
  await page.click('#incident-save');
  await page.waitForFunction(() => document.querySelector('#incident-form-error')?.textContent.length > 0);
  txt = await page.textContent('#incident-form-error');
  check(txt.includes('Vĩ độ') && !SERVER_ENGLISH.test(txt), 'incident form: latitude 1000 is refused in Vietnamese, naming «Vĩ độ»', 'Giá trị của «Vĩ độ» …', txt);
  await page.keyboard.press('Escape');

  // 2. a consent refusal from its code (through the console's own API client)
  const consentMsg = await page.evaluate(async (id) => {
    const { api } = await import('/lib/api.js');
    try { await api.post(`/api/v1/cameras/${id}/exports`, { from: Math.floor(Date.now() / 1000) - 60, to: Math.floor(Date.now() / 1000) - 50 }); return 'no error'; } catch (e) { return e.message; }
  }, owned);
  check(consentMsg.includes('Chủ camera chưa đồng ý cho trích xuất') && !SERVER_ENGLISH.test(consentMsg),
    'no consent: "Chủ camera chưa đồng ý cho trích xuất."', 'Chủ camera chưa đồng ý cho trích xuất.', consentMsg);

  // 3. the dark camera's reason on the health page
  const t0 = Date.now();
  let health = '';
  while (Date.now() - t0 < 30000) {
    await page.goto(`${srv.url}/#/health?t=${Date.now()}`);
    await page.waitForSelector('.hl-state', { timeout: 15000 }).catch(() => {});
    health = await page.evaluate(() => document.body.innerText);
    if (health.includes('từ chối kết nối')) break;
    await page.waitForTimeout(1000);
  }
  check(health.includes('Camera từ chối kết nối') && !SERVER_ENGLISH.test(health), 'health: the refused camera reads "Camera từ chối kết nối…" and no server English',
    'Camera từ chối kết nối', (health.match(/.*(từ chối|refused).*/) || [health.slice(0, 200)])[0]);
  const tip = await page.getAttribute('.hl-reason[title]', 'title');
  check(/connection refused/.test(tip || ''), "the server's own words stay in the tooltip", 'connection refused…', tip);
  await shot(page, 'errors-health-vi');

  // 4. the live wall's tile of that camera
  await page.goto(`${srv.url}/#/live`);
  await page.waitForFunction(() => /từ chối kết nối|không có tín hiệu/i.test(document.body.innerText), null, { timeout: 30000 }).catch(() => {});
  const live = await page.evaluate(() => document.body.innerText);
  check(!SERVER_ENGLISH.test(live), 'live: no server English on the wall', 'Vietnamese only', (live.match(SERVER_ENGLISH) || ['—'])[0]);

  // 5. English after the switch: the same reason in English
  await page.goto(`${srv.url}/#/health`);
  await page.click('button[data-lang="en"], #lang-en, .lang-switch button:has-text("EN")');
  await page.waitForFunction(() => /refused the connection/.test(document.body.innerText), null, { timeout: 15000 }).catch(() => {});
  const en = await page.evaluate(() => document.body.innerText);
  check(en.includes('The camera refused the connection'), 'English: "The camera refused the connection…"', 'The camera refused the connection', (en.match(/.*refused.*/) || [en.slice(0, 200)])[0]);
  await page.click('button[data-lang="vi"], #lang-vi, .lang-switch button:has-text("VI")');

  await srv.stop();
});
