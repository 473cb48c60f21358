// The chain-of-custody print view (issue 13 item 3): /report/custody.html
// draws an incident's case file — here a hold placed for the incident —
// with its audit rows (the same ids GET /api/v1/audit has for it) and the
// chain's result; the toolbar's PDF link points at the incident's
// custody.pdf.  On the incident's page the case-file section lists the
// hold and export, verifying the export marks it "Đã xác minh", and a
// hold placed from it belongs to the incident; the storage
// view lists the camera's holds and the held bytes apart.  Screenshots: docs/screens/evidence-custody.png (screen) and
// evidence-custody-print.png (print media), evidence-case-file.png,
// evidence-storage.png, evidence-check-file.png.  A clip handed back is
// checked from the incident's page (hashed in the browser): known and
// unchanged, then with one byte changed, unknown.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { footage, startServer, launch, newPage, signIn, shot, check, run, apiSession, SRC } from './lib.mjs';

await run(async (keep) => {
  const srv = await startServer();
  const admin = await apiSession(srv, 'admin', srv.adminPassword);
  let r = await admin.post('/api/v1/wards', { name: 'Bến Thủy', district: 'Vinh', province: 'Nghệ An' });
  const ward = r.json.id;
  r = await admin.post('/api/v1/cameras', { name: 'Ngã tư Bến Thủy', main_url: 'rtsp://127.0.0.1:9/x', ward_id: ward, enabled: false });
  check(r.status === 201, 'fixture camera', 201, r.status);
  const cam = r.json.id;
  // recorded footage for the camera (tools/gencams), then an export of it for the incident
  const T0 = Math.floor(Date.now() / 1000) - 3600;
  footage(srv, cam, T0, 3);   // tools/gencams
  r = await admin.post(`/api/v1/cameras/${cam}/exports`, { from: T0, to: T0 + 3 });
  check(r.status === 201, 'fixture export', 201, r.status);
  const exp = r.json.export.id;
  const cat = (await admin.get('/api/v1/incident-categories')).json.categories[0].id;
  r = await admin.post('/api/v1/incidents', { ward_id: ward, category_id: cat, occurred_at: '2026-11-20T10:00',
    summary: 'Trộm xe máy trước cổng chợ', camera_ids: [cam], export_ids: [exp] });
  check(r.status === 201, 'fixture incident', 201, r.status);
  const inc = r.json.id;
  const from = Date.parse('2026-11-20T02:50:00Z') / 1000;
  r = await admin.post(`/api/v1/cameras/${cam}/holds`, { from, to: from + 1200, reason: 'giữ cho vụ trộm xe', incident_id: inc });
  check(r.status === 201, 'fixture hold for the incident', 201, r.status);
  const hold = r.json.hold.id;
  const audit = (await admin.get('/api/v1/audit?limit=1000')).json.rows
    .filter((x) => x.detail && x.detail.hold_id === hold).map((x) => x.id).sort((a, b) => a - b);

  const browser = await launch();
  keep(browser);
  const page = await newPage(browser, { width: 900, height: 1270 });
  await signIn(page, srv, 'admin', srv.adminPassword);
  await page.goto(`${srv.url}/report/custody.html?incident=${inc}`);
  await page.waitForSelector('#sheet[data-ready="1"]');
  const h1 = (await page.textContent('h1')) || '';
  check(h1.toLowerCase().includes('chuỗi lưu giữ chứng cứ'), 'the print view is in Vietnamese', 'chuỗi lưu giữ chứng cứ', h1);
  const rows = await page.$$eval(`section[data-kind="hold"][data-id="${hold}"] tr[data-audit-id]`,
    (trs) => trs.map((t) => Number(t.dataset.auditId)).sort((a, b) => a - b));
  check(audit.length > 0 && JSON.stringify(rows) === JSON.stringify(audit),
    'the hold lists every audit row about it (as GET /api/v1/audit has them)', audit, rows);
  const chain = (await page.textContent('#chain')) || '';
  check(chain.includes('HỢP LỆ') && !chain.includes('KHÔNG'), "the chain's result is printed", 'HỢP LỆ', chain);
  const pdf = await page.getAttribute('#pdf', 'href');
  check(pdf === `/api/v1/incidents/${inc}/custody.pdf`, 'the toolbar links the PDF', `/api/v1/incidents/${inc}/custody.pdf`, pdf);
  await shot(page, 'evidence-custody');
  await page.emulateMedia({ media: 'print' });
  await shot(page, 'evidence-custody-print');

  // the incident's page: the case file section, and a hold placed from it for the incident
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${srv.url}/#/incidents/${inc}`);
  await page.waitForSelector('#case-file[data-ready="1"]');
  const cells = await page.$$eval('#case-file tbody tr', (trs) => trs.map((tr) => tr.textContent));
  check(cells.length === 2 && cells.some((c) => c.includes(`#${hold}`)) && cells.some((c) => c.includes(`#${exp}`)),
    'the incident page lists its hold and its export in the case file', [`hold #${hold}`, `export #${exp}`], cells);
  await page.click(`#case-file .verify[data-export="${exp}"] button`);
  await page.waitForSelector(`#case-file .verify[data-export="${exp}"][data-result]`);
  const mark = await page.textContent(`#case-file .verify[data-export="${exp}"]`);
  const res = await page.getAttribute(`#case-file .verify[data-export="${exp}"]`, 'data-result');
  check(res === 'ok' && mark.includes('Đã xác minh'), "verifying the export marks it 'Đã xác minh'", 'Đã xác minh', `${res} ${mark}`);
  const vrow = (await admin.get('/api/v1/audit?limit=5')).json.rows.find((x) => x.action === 'export_verify');
  check(vrow && vrow.detail.export_id === exp && vrow.detail.ok === true, 'the verification is audited', 'export_verify ok', vrow);
  const chainBadge = (await page.textContent('#case-chain')) || '';
  check(chainBadge.includes('hợp lệ'), "the case file shows the chain's result", 'hợp lệ', chainBadge);
  await page.click('#case-hold');
  await page.fill('#f-reason', 'giữ thêm camera cổng chợ');
  await page.click('.modal button[type="submit"]');
  await page.waitForFunction(() => document.querySelectorAll('#case-file[data-ready="1"] tbody tr').length === 3);
  const holds = (await admin.get(`/api/v1/holds?camera=${cam}`)).json.holds;
  const placed = holds.find((x) => x.id !== hold);
  check(placed && placed.incident_id === inc && placed.reason === 'giữ thêm camera cổng chợ' && placed.state === 'in_force',
    'a hold placed from the incident page is the incident\'s, with its reason', { incident_id: inc }, placed);
  await shot(page, 'evidence-case-file');

  // a bundle of the camera's footage joins the case (its export linked): its
  // row in the case file is checked too and marked "Đã xác minh"
  await admin.patch(`/api/v1/cameras/${cam}`, { latitude: 18.6735, longitude: 105.6923 });
  r = await admin.post('/api/v1/search/place/bundle', { lat: 18.6735, lon: 105.6923, radius_m: 50, from: T0, to: T0 + 3, camera_ids: [cam] });
  check(r.status === 201, 'fixture: a bundle of the footage', 201, `${r.status} ${r.text.slice(0, 200)}`);
  const bundleId = r.json.bundle.id;
  const bexp = r.json.bundle.files.map((f) => f.export_id).filter(Boolean);
  r = await admin.patch(`/api/v1/incidents/${inc}`, { export_ids: [exp, ...bexp] });
  check(r.status === 200, 'fixture: the bundle\'s export linked to the incident', 200, r.status);
  await page.goto(`${srv.url}/#/incidents/${inc}?v=2`);
  await page.waitForSelector(`#case-file[data-ready="1"] .verify[data-bundle="${bundleId}"] button`);
  await page.click(`#case-file .verify[data-bundle="${bundleId}"] button`);
  await page.waitForSelector(`#case-file .verify[data-bundle="${bundleId}"][data-result]`);
  const bmark = await page.textContent(`#case-file .verify[data-bundle="${bundleId}"]`);
  check((await page.getAttribute(`#case-file .verify[data-bundle="${bundleId}"]`, 'data-result')) === 'ok' && bmark.includes('Đã xác minh'),
    "verifying the bundle marks it 'Đã xác minh'", 'Đã xác minh', bmark);

  // "Kiểm tra một tệp": the exported clip as handed back (hashed in the
  // browser, never uploaded) is known and checks; one byte changed, it is not
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory()
    ? (e.name === 'rec' ? [] : walk(path.join(d, e.name))) : e.name.endsWith('.mp4') ? [path.join(d, e.name)] : []));
  const clip = walk(srv.dataDir)[0];
  check(!!clip, 'the export file is on the station', 'an .mp4 outside rec/', clip);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-handed-back-'));
  const good = path.join(tmp, 'ban-giao-lai.mp4'), bad = path.join(tmp, 'da-sua.mp4');
  fs.copyFileSync(clip, good);
  const bytes = fs.readFileSync(clip);
  bytes[Math.floor(bytes.length / 2)] ^= 0x01;
  fs.writeFileSync(bad, bytes);
  await page.click('#case-verify-file');
  await page.setInputFiles('#verify-file-input', good);
  await page.waitForSelector('#verify-file-result[data-result="ok"], #verify-file-result[data-result="failed"], #verify-file-result[data-result="unknown"], #verify-file-result[data-result="error"]');
  const okText = await page.textContent('#verify-file-result');
  const okRes = await page.getAttribute('#verify-file-result', 'data-result');
  check(okRes === 'ok' && okText.includes(`Bản xuất #${exp}`) && okText.includes('Chữ ký của trạm hợp lệ'),
    'the handed-back clip is recognised as the export, unchanged, signature checked', `Bản xuất #${exp} … hợp lệ`, `${okRes}: ${okText}`);
  await shot(page, 'evidence-check-file');
  await page.setInputFiles('#verify-file-input', bad);
  await page.waitForFunction(() => document.querySelector('#verify-file-result').dataset.result === 'unknown', null, { timeout: 15000 }).catch(() => {});
  const badText = await page.textContent('#verify-file-result');
  check((await page.getAttribute('#verify-file-result', 'data-result')) === 'unknown' && badText.includes('không xuất tệp nào có mã này'),
    'one byte changed: the station knows no such file', 'Trạm không xuất tệp nào có mã này', badText);
  const checks = (await admin.get('/api/v1/audit?limit=20')).json.rows.filter((x) => x.action === 'evidence_check');
  // (the bundle's copy of the same seconds is byte-identical: it matches too)
  check(checks.length === 2 && checks.some((x) => x.detail.matches >= 1 && x.detail.export_ids.includes(exp)) && checks.some((x) => x.detail.matches === 0),
    'each check is audited with what matched', '2 rows (the export matched, then none)', checks.map((x) => x.detail));
  await page.keyboard.press('Escape');

  // the storage view: the disk and each camera with its holds in force (GET /api/v1/storage)
  await page.goto(`${srv.url}/#/storage`);
  await page.waitForSelector('#page[data-ready="1"] #storage-disk');
  const camRow = await page.$$eval('#page table.grid:not(.kv) tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const mine = camRow.find((r) => r[0].includes(`#${cam}`));
  check(mine && mine[3] === '2', 'the storage view lists the camera with its two holds in force', '2 holds', camRow);
  const heldRow = (await page.textContent('#storage-held')) || '';
  check(heldRow.includes('Đang giữ'), 'the storage view shows held bytes apart', 'Đang giữ …', heldRow);
  await shot(page, 'evidence-storage');

  await page.goto(`${srv.url}/report/custody.html?incident=987654`);
  await page.waitForFunction(() => !/Đang tải/.test(document.getElementById('msg').textContent));
  const msg = (await page.textContent('#msg')) || '';
  check(/không|no such/i.test(msg), 'a missing incident: the message says so', 'a message', msg);
});
