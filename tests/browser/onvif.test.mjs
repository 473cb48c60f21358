// The ONVIF part of the "Thêm camera" dialog (issue 12 item 7), against
// tools/onvifsim (a camera whose clock is 30 s ahead):
//   - an admin's add dialog has it: address, user name, password (each with
//     its label) and "Đọc từ camera", reachable with Tab in that order;
//   - a wrong password: the error names the camera (the name typed in the
//     dialog) and says the camera refused the account — in Vietnamese;
//   - the right one, read with Enter from the password field: main, sub and
//     snapshot URLs are filled, the maker/model shown, and the clock skew
//     (+30 s) shown as a warning; Save creates the camera with those URLs
//     (and the account), which the API's record then holds;
//   - an older camera (no GetServices) with a right clock: filled, the
//     skew shown without a warning;
//   - an address where nothing listens says it cannot reach the camera;
//   - axe (WCAG 2 A/AA) finds no serious or critical violation in the dialog;
//   - at phone width (390 px) the dialog's ONVIF part fits the screen;
//   - an officer's add dialog has no ONVIF part (the probe is admin-only);
//   - every cameras.onvif.* string has its English text.
// Takes docs/screens/onvif-add.png.  Streams no video.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startServer, launch, newPage, signIn, shot, check, run, apiSession, freePort, log, SRC } from './lib.mjs';

const SIM = path.join(SRC, 'tools', 'onvifsim', 'onvifsim.py');
const AXE = path.join(SRC, 'node_modules', 'axe-core', 'axe.min.js');
const sims = [];
process.on('exit', () => { for (const s of sims) s.kill(); });   // also when a check throws

// Starts onvifsim; resolves its HTTP port once it prints "ready" (bounded).
function startSim(args) {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', [SIM, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    sims.push(p);
    let buf = '';
    const timer = setTimeout(() => reject(new Error('onvifsim did not start in 10 s')), 10000);
    p.stdout.on('data', (d) => {
      buf += d;
      const m = /ready http=(\d+)/.exec(buf);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    p.on('exit', (code) => { clearTimeout(timer); reject(new Error(`onvifsim exited ${code}`)); });
  });
}

async function openAdd(page, srv) {
  await page.goto(`${srv.url}/#/cameras`);
  await page.click('#camera-add');
  await page.waitForSelector('.modal');
}

// The ONVIF part's read, by button; waits for a result or an error.
async function readCamera(page) {
  await page.click('#onvif-read');
  await page.waitForFunction(() => document.querySelector('#onvif-skew') ||
    document.querySelector('#onvif-error')?.textContent.length > 0, null, { timeout: 20000 });
}

run(async (keep) => {
  const simPort = await startSim(['--clock-offset', '30', '--password', 'Mật-khẩu1', '--stream-base', 'rtsp://127.0.0.1:18554/cam']);
  const onvifUrl = `http://127.0.0.1:${simPort}`;
  const srv = await startServer();
  const admin = await apiSession(srv, 'admin', srv.adminPassword);
  const ward = (await admin.post('/api/v1/wards', { name: 'Phúc Xá', district: 'Ba Đình', province: 'Hà Nội' })).json.id;
  const offPw = `pw-officer-${process.pid}-x`;
  await admin.post('/api/v1/users', { username: 'canbo', password: offPw, role: 'officer', ward_id: ward });

  const browser = await launch();
  keep(browser);
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  await signIn(page, srv, 'admin', srv.adminPassword);
  await openAdd(page, srv);

  // -- the part, its labels and its keyboard order --
  check(await page.isVisible('#onvif-read'), 'admin: the add dialog has the ONVIF part', 'visible', 'absent');
  const btnText = (await page.textContent('#onvif-read')).trim();
  check(btnText === 'Đọc từ camera', 'the button says «Đọc từ camera»', 'Đọc từ camera', btnText);
  const labels = await page.evaluate(() => ['onvif-url', 'onvif-username', 'onvif-password'].map((id) => {
    const l = document.querySelector(`label[for="${id}"]`);
    return l && l.contains(document.getElementById(id)) ? l.textContent.trim() : null;
  }));
  check(labels.every((l) => l), 'each ONVIF field has its label', ['Địa chỉ ONVIF', 'Tài khoản ONVIF', 'Mật khẩu ONVIF'], labels);
  await page.focus('#onvif-url');
  const order = [];
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement && document.activeElement.id));
  }
  check(JSON.stringify(order) === JSON.stringify(['onvif-username', 'onvif-password', 'onvif-read']),
    'Tab goes address → user name → password → the button', ['onvif-username', 'onvif-password', 'onvif-read'], order);

  // -- a wrong password: the error names the camera --
  await page.fill('#f-name', 'Cổng chợ Phúc Xá');
  await page.fill('#onvif-url', onvifUrl);
  await page.fill('#onvif-username', 'admin');
  await page.fill('#onvif-password', 'sai-mat-khau');
  await readCamera(page);
  let err = (await page.textContent('#onvif-error')).trim();
  check(err.includes('Cổng chợ Phúc Xá') && err.includes('từ chối') && err.includes(`127.0.0.1:${simPort}`),
    'wrong password: the error names the camera and says it refused', 'Camera «Cổng chợ Phúc Xá» (127.0.0.1:…) từ chối …', err);
  const title = await page.getAttribute('#onvif-error', 'title');
  check(/refused the user name or password/.test(title || ''), "the API's own message is kept in the title", 'refused …', title);
  const mainAfterFail = await page.inputValue('#f-main_url');
  check(mainAfterFail === '', 'a failed read fills nothing', '', mainAfterFail);

  // -- the right password, read with Enter from the password field --
  await page.fill('#onvif-password', 'Mật-khẩu1');
  await page.focus('#onvif-password');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#onvif-skew', { timeout: 20000 });
  check(await page.isVisible('.modal'), 'Enter in the ONVIF part reads, it does not save the dialog', 'dialog open', 'closed');
  err = (await page.textContent('#onvif-error')).trim();
  check(err === '', 'the error is gone after a good read', '', err);
  const vals = {};
  for (const f of ['main_url', 'sub_url', 'snapshot_url', 'username', 'password']) vals[f] = await page.inputValue(`#f-${f}`);
  check(vals.main_url === 'rtsp://127.0.0.1:18554/cam/Profile_Main', 'main URL filled (highest resolution, no credentials)',
    'rtsp://127.0.0.1:18554/cam/Profile_Main', vals.main_url);
  check(vals.sub_url === 'rtsp://127.0.0.1:18554/cam/Profile_Sub', 'sub URL filled (lowest resolution)',
    'rtsp://127.0.0.1:18554/cam/Profile_Sub', vals.sub_url);
  const wantSnap = `http://127.0.0.1:${simPort}/snapshot/Profile_Main.jpg`;
  check(vals.snapshot_url === wantSnap, 'snapshot URL filled', wantSnap, vals.snapshot_url);
  check(vals.username === 'admin' && vals.password === 'Mật-khẩu1', "the camera's account is taken over into the empty account fields",
    'admin / ****', vals.username);
  const device = await page.textContent('#onvif-device');
  check(device.includes('SimVision') && device.includes('SV-200'), 'maker and model shown', 'SimVision SV-200', device);
  const skew = await page.evaluate(() => { const e = document.querySelector('#onvif-skew'); return { s: Number(e.dataset.skew), warn: e.dataset.warn, text: e.textContent }; });
  check(skew.s >= 29 && skew.s <= 31 && skew.warn === '1' && /Cảnh báo/.test(skew.text) && new RegExp(`\\+${skew.s} giây`).test(skew.text),
    'clock skew +30 s shown as a warning (> 5 s)', '+30 giây, Cảnh báo', skew);
  const bad = await axeA11y(page);
  check(bad.length === 0, 'axe: the add dialog with the ONVIF part has no serious or critical violation', [], bad);
  const inside = await page.evaluate(() => {
    const m = document.querySelector('.modal').getBoundingClientRect();
    return [...document.querySelectorAll('.onvif-part, .onvif-part *')].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && (r.left < m.left - 0.5 || r.right > m.right + 0.5);
    }).map((el) => `${el.tagName.toLowerCase()}#${el.id}`);
  });
  check(inside.length === 0, 'desktop: the ONVIF part stays inside the dialog', [], inside);
  await page.evaluate(() => document.querySelector('.modal').scrollTo(0, 0));
  await shot(page, 'onvif-add');

  // -- save --
  await page.selectOption('#f-ward_id', String(ward));
  await page.uncheck('#f-enabled');   // nothing streams at the simulated URLs
  await page.click('.modal button[type=submit]');
  await page.waitForSelector('.modal', { state: 'detached' });
  const cams = (await admin.get('/api/v1/cameras')).json.cameras;
  const added = cams.find((c) => c.name === 'Cổng chợ Phúc Xá');
  check(added && added.main_url === vals.main_url && added.sub_url === vals.sub_url && added.snapshot_url === wantSnap &&
    added.has_credentials && added.ward_id === ward,
  'save creates the camera with the read URLs, snapshot and account', { main_url: vals.main_url, snapshot_url: wantSnap, has_credentials: true }, added);
  if (added) {
    const rec = (await admin.get(`/api/v1/cameras/${added.id}`)).json;
    check(rec.snapshot_url === wantSnap, "the camera's API record has the snapshot URL", wantSnap, rec.snapshot_url);
  }

  // -- an older camera (no GetServices) whose clock is right: no warning --
  const oldPort = await startSim(['--no-get-services', '--password', 'pw2', '--stream-base', 'rtsp://127.0.0.1:18555/old']);
  await openAdd(page, srv);
  await page.fill('#f-name', 'Cổng cũ');
  await page.fill('#onvif-url', `http://127.0.0.1:${oldPort}`);
  await page.fill('#onvif-username', 'admin');
  await page.fill('#onvif-password', 'pw2');
  await readCamera(page);
  const small = await page.evaluate(() => { const e = document.querySelector('#onvif-skew'); return e && { s: Number(e.dataset.skew), warn: e.dataset.warn, text: e.textContent }; });
  const oldMain = await page.inputValue('#f-main_url');
  check(small && Math.abs(small.s) <= 2 && small.warn === '0' && !/Cảnh báo/.test(small.text) && oldMain === 'rtsp://127.0.0.1:18555/old/Profile_Main',
    'older camera, clock right: URLs filled, skew shown without a warning', { warn: '0', main: 'rtsp://127.0.0.1:18555/old/Profile_Main' }, { small, oldMain });
  await page.keyboard.press('Escape');
  await page.waitForSelector('.modal', { state: 'detached' });

  // -- nothing listening --
  await openAdd(page, srv);
  await page.fill('#f-name', 'Cổng xa');
  await page.fill('#onvif-url', `http://127.0.0.1:${await freePort()}`);
  await page.fill('#onvif-username', 'admin');
  await readCamera(page);
  err = (await page.textContent('#onvif-error')).trim();
  check(err.includes('Không kết nối được') && err.includes('Cổng xa'), 'unreachable: says it cannot reach the camera, naming it',
    'Không kết nối được camera «Cổng xa» …', err);
  await page.keyboard.press('Escape');

  // -- phone width --
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const pp = await phone.newPage();
  pp.setDefaultTimeout(15000);
  await pp.goto(srv.url + '/', { waitUntil: 'domcontentloaded' });
  await pp.fill('#login-username', 'admin');
  await pp.fill('#login-password', srv.adminPassword);
  await pp.click('#login-submit');
  await pp.waitForSelector('#page');
  await openAdd(pp, srv);
  await pp.waitForSelector('#onvif-read');
  const fit = await pp.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('.onvif-part, .onvif-part input, .onvif-part button')) {
      const r = el.getBoundingClientRect();
      if (r.left < -0.5 || r.right > Math.min(window.innerWidth, document.querySelector('.modal').getBoundingClientRect().right) + 0.5) out.push(`${el.id || el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
    const b = document.querySelector('#onvif-read').getBoundingClientRect();
    return { out, scroll: document.documentElement.scrollWidth, btnH: Math.round(b.height) };
  });
  check(fit.out.length === 0 && fit.scroll <= 390, 'phone: the ONVIF part fits 390 px', 'nothing past the edges', fit);
  check(fit.btnH >= 44, 'phone: «Đọc từ camera» is at least 44 px tall', '>= 44', fit.btnH);
  await phone.close();

  // -- an officer: no ONVIF part --
  const op = await newPage(browser);
  await signIn(op, srv, 'canbo', offPw);
  await openAdd(op, srv);
  check(!(await op.isVisible('#onvif-read')), "officer: no ONVIF part (the probe is the admin's)", 'absent', 'visible');

  // -- both languages --
  const vi = JSON.parse(fs.readFileSync(path.join(SRC, 'web', 'i18n', 'vi.json'), 'utf8'));
  const en = JSON.parse(fs.readFileSync(path.join(SRC, 'web', 'i18n', 'en.json'), 'utf8'));
  const keys = Object.keys(vi).filter((k) => k.startsWith('cameras.onvif.') || k === 'cameras.snapshot_url');
  const missing = keys.filter((k) => !en[k]);
  check(keys.length >= 15 && missing.length === 0, 'every ONVIF string has its English text', [], missing);

  for (const s of sims) s.kill();
  return browser;
});

// axe on the open dialog: serious and critical violations, as "rule: targets".
async function axeA11y(page) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document.querySelector('.modal'), { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}
