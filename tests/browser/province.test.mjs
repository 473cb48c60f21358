// The province console (web/province/) in a real browser, against a hub on
// a real PostgreSQL and mosquitto with two stations publishing (the world of
// tests/e2e/test_province_web.py --world): the Vietnamese sign-in, a wrong
// password, the staff's console (stations' health, open alerts newest first,
// cameras with the dark ones first, statistics per ward "so với cùng kỳ"
// with the province total), a ward-officer who sees only its own station,
// and sign-out.  Screenshot: docs/screens/province.png.
import { launch, newPage, shot, check, run, log, signInHub, startWorld } from './lib.mjs';

const texts = (page, sel) => page.$$eval(sel, (els) => els.map((e) => e.textContent.trim()));

await run(async (keep) => {
  const world = await startWorld('test_province_web.py', 90000);
  try {
    const browser = await launch();
    keep(browser);
    const page = await newPage(browser, { width: 1440, height: 1000 });
    await page.goto(world.url + '/province/index.html');
    await page.waitForSelector('#signin:not([hidden])');
    const h = await page.textContent('#signin h2');
    check(h === 'Đăng nhập', 'the sign-in is in Vietnamese', 'Đăng nhập', h);
    check((await page.getAttribute('html', 'lang')) === 'vi', 'html lang is vi', 'vi', await page.getAttribute('html', 'lang'));

    await signInHub(page, 'tinh.staff', 'not the password 1');
    await page.waitForFunction(() => document.querySelector('#signin-error').textContent.length > 0);
    const err = await page.textContent('#signin-error');
    check(err.includes('Sai tên đăng nhập hoặc mật khẩu'), 'a wrong password shows a Vietnamese error', 'Sai tên…', err);

    await signInHub(page, 'tinh.staff', world.password);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
    const who = await page.textContent('#who');
    check(who.includes('Cán bộ cấp tỉnh'), 'the header names the role', 'Cán bộ cấp tỉnh', who);
    const st = await texts(page, '#stations tbody tr td:first-child');
    check(st.join('|') === 'Trạm Bến Nghé|Trạm Đa Kao', 'both stations are listed', 'Bến Nghé|Đa Kao', st);
    const health = await texts(page, '#stations tbody tr:first-child td');
    check(health[5] === '2/3' && health[6] === '1', 'a station\'s cameras online/dark', ['2/3', '1'], health);
    const states = await texts(page, '#cameras tbody tr td:first-child');
    check(states.length === 5 && states[0] === 'Mất tín hiệu' && states[1] === 'Mất tín hiệu' && states[2] === 'Hoạt động',
      'cameras: the dark ones first', 'Mất tín hiệu ×2 first', states);
    const alerts = await texts(page, '#alerts tbody tr td:nth-child(4)');
    check(alerts.join('|') === 'cam 1|cam 3|cam 2', 'open alerts newest first', 'cam 1|cam 3|cam 2', alerts);

    // a picture is fetched from the station through the hub; these simulated
    // stations joined without --url, so the hub says the station is not reachable that way
    await page.click('#cameras tbody tr:first-child button');
    await page.waitForFunction(() => document.querySelector('#snap-error')?.textContent.length > 0, null, { timeout: 10000 });
    const snapErr = await page.textContent('#snap-error');
    check(snapErr.includes('chưa khai báo địa chỉ'), '"Xem ảnh" on a station joined without --url says why there is no picture',
      'chưa khai báo địa chỉ', snapErr);
    check(await page.isHidden('#snap-img'), 'no picture is shown then', 'hidden', 'visible');
    // the panel offers "Trích xuất" for that camera, the last 10 minutes by default; made
    // through the hub, the station's refusal (here: joined without --url) is said in Vietnamese
    check(await page.isVisible('#exp-form'), 'the picture panel offers an export', 'visible', 'hidden');
    const span = await page.evaluate(() => new Date(document.querySelector('#exp-to').value)
      - new Date(document.querySelector('#exp-from').value));
    check(span === 10 * 60 * 1000, 'the export defaults to the last 10 minutes', 600000, span);
    await page.click('#exp-go');
    await page.waitForFunction(() => document.querySelector('#exp-status')?.textContent.includes('chưa khai báo'), null,
      { timeout: 10000 }).catch(() => {});
    const expErr = await page.textContent('#exp-status');
    check(expErr.includes('chưa khai báo địa chỉ'), '"Trích xuất" at a station joined without --url says why',
      'chưa khai báo địa chỉ', expErr);
    check((await page.$$('#exp-links a')).length === 0, 'no download is offered then', 0, (await page.$$('#exp-links a')).length);

    await page.fill('#from', '2026-10-01');
    await page.fill('#to', '2027-01-01');
    await page.click('#stats-form button');
    await page.waitForFunction(() => document.querySelector('#stats tfoot td')?.textContent === 'Toàn tỉnh');
    const wards = await page.$$eval('#stats tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    const want = [['Trạm Bến Nghé', 'Phường Bến Nghé', '3', '2', '+1 (tăng 50%)'],
      ['Trạm Đa Kao', 'Phường Đa Kao', '1', '1', 'bằng cùng kỳ']];
    check(JSON.stringify(wards) === JSON.stringify(want), 'statistics per ward with "so với cùng kỳ"', want, wards);
    const total = await texts(page, '#stats tfoot td');
    check(total.join('|') === 'Toàn tỉnh|—|4|3|+1 (tăng 33%)', 'the province total', 'Toàn tỉnh|—|4|3|+1 (tăng 33%)', total);
    await shot(page, 'province');

    await page.fill('#to', '2026-09-01');
    await page.click('#stats-form button');
    await page.waitForFunction(() => document.querySelector('#stats-error').textContent.length > 0);
    check((await page.textContent('#stats-error')).includes('không hợp lệ'), 'a reversed range is explained', 'không hợp lệ',
      await page.textContent('#stats-error'));

    // the staff user looks at one of station B's cameras last: nothing of it may
    // stay on the screen for the next user (checked below as the ward-officer)
    await page.click(`#cameras button[data-camera^="${world.b}/"]`);
    await page.waitForFunction(() => document.querySelector('#snap-error')?.textContent.length > 0, null, { timeout: 10000 });
    await page.click('#signout');
    await page.waitForSelector('#signin:not([hidden])');
    check(await page.isHidden('#console'), 'sign-out hides the console', true, false);
    check(await page.isHidden('#snap'), 'sign-out clears the picture panel', 'hidden', 'visible');
    check(await page.isHidden('#exp-form') && (await page.textContent('#exp-status')) === '',
      'sign-out clears the export controls', 'hidden, empty', await page.textContent('#exp-status'));

    // the ward-officer of station A
    await signInHub(page, 'phuong.a', world.password);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
    const own = await texts(page, '#stations tbody tr td:nth-child(2)');
    check(own.join('|') === world.a, 'the ward-officer sees only its own station', world.a, own);
    const camStations = await texts(page, '#cameras tbody tr td:nth-child(3)');
    check(camStations.length === 3 && camStations.every((s) => s === 'Trạm Bến Nghé'),
      'the ward-officer\'s cameras are its station\'s only', 'Trạm Bến Nghé ×3', camStations);
    const body = await page.textContent('body');
    check(!body.includes('Đa Kao') && !body.includes(world.b), 'nothing of station B on the officer\'s page', 'no Đa Kao', '');
    return browser;
  } finally {
    await world.stop();
  }
});
