// Session expiry keeps the work (issue 17 item 3).  An officer fills in the
// incident form; the session ends underneath (its cookie is gone, as after
// the session's lifetime or a sign-out elsewhere); pressing Save brings a
// sign-in dialog over the form, in Vietnamese, with the password focused —
// Escape does not close the form under it — and signing in there sends the
// save again: the incident is recorded with every word typed, nothing lost.
// A wrong password says so and keeps the dialog; "Đăng xuất" gives up.
import { startServer, launch, newPage, signIn, shot, check, run, apiSession } from './lib.mjs';

await run(async (keep) => {
  const srv = await startServer();
  const admin = await apiSession(srv, 'admin', srv.adminPassword);
  const w = (await admin.post('/api/v1/wards', { name: 'Hưng Bình', district: 'Vinh', province: 'Nghệ An' })).json;
  const pw = 'officer-pass-123';
  await admin.post('/api/v1/users', { username: 'canbo_hb', password: pw, role: 'officer', ward_id: w.id, display_name: 'Nguyễn Văn Hùng' });
  const browser = await launch();
  keep(browser);
  const page = await newPage(browser);
  await signIn(page, srv, 'canbo_hb', pw);
  await page.goto(`${srv.url}/#/incidents`);
  await page.click('#incident-add');
  await page.waitForSelector('#incident-form #inc-summary');
  const summary = 'Va chạm giao thông tại ngã tư Lê Lợi – Quang Trung, hai xe máy, không ai bị thương nặng';
  await page.fill('#inc-summary', summary);
  await page.fill('#inc-address', 'Ngã tư Lê Lợi – Quang Trung');
  await page.context().clearCookies();              // the session is gone
  await page.click('#incident-save');
  await page.waitForSelector('#reauth #reauth-password');
  const text = await page.textContent('#reauth');
  check(text.includes('Phiên đăng nhập đã hết hạn') && !/sign in first/i.test(text), 'a Vietnamese sign-in dialog appears over the form',
    'Phiên đăng nhập đã hết hạn', text.slice(0, 200));
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  check(focused === 'reauth-password', 'the password field has the focus', 'reauth-password', focused);
  await page.keyboard.press('Escape');
  check(!!(await page.$('#incident-form')) && (await page.inputValue('#inc-summary')) === summary,
    'Escape in the dialog does not close the form underneath', 'form kept', await page.$('#incident-form') ? 'kept' : 'gone');
  await shot(page, 'reauth-dialog');
  await page.fill('#reauth-password', 'wrong-password');
  await page.click('#reauth-submit');
  await page.waitForFunction(() => document.querySelector('#reauth-error').textContent.length > 0);
  check(!!(await page.$('#reauth')), 'a wrong password says so and keeps the dialog', 'dialog', await page.textContent('#reauth-error'));
  await page.fill('#reauth-password', pw);
  await page.click('#reauth-submit');
  await page.waitForFunction(() => !document.querySelector('#reauth') && !document.querySelector('#incident-form'), null, { timeout: 10000 });
  const list = await admin.get('/api/v1/incidents?limit=5');
  const saved = (list.json.incidents || []).find((x) => x.summary === summary);
  check(!!saved && saved.address === 'Ngã tư Lê Lợi – Quang Trung', 'signing in again sends the save: the incident is recorded as typed',
    summary, (list.json.incidents || []).map((x) => x.summary));
  // giving up: "Đăng xuất" shows the sign-in page
  // A full load, not a same-document hash change: the page may already be
  // at #/incidents, where goto() to the same URL would do nothing at all.
  await page.context().clearCookies();
  await page.goto(`${srv.url}/?reload=1#/incidents`);
  await page.waitForSelector('#login-username, #reauth');
  if (await page.$('#reauth')) {
    await page.click('#reauth-signout');
    await page.waitForSelector('#login-username');
  }
  check(!!(await page.$('#login-username')), '"Đăng xuất" in the dialog leads to the sign-in page', 'login page', 'shown');
  return browser;
});
