// The ward's work in a real browser (chromium via playwright-core):
//   - an officer records an incident through the form and sees it counted in
//     the statistics of the current quarter;
//   - an officer self-assesses a criterion: the form has no default result
//     (saving without one is refused), the cell becomes a "TĐ" self cell and
//     the ward's met count does not move until the province reviews it;
//   - the running quarter is labelled "đến ngày <today>" and this month's
//     trend bar is marked partial;
//   - the province's statistics page, the printable report and the criteria
//     dashboard render (screenshots in docs/screens/ward-*.png);
//   - the PDF report opens: pdftoppm renders its first page to
//     docs/screens/ward-report-pdf.png.
// The catalog is filled with `wardwatch demo-data` first so the pages show
// something real; every check compares before/after, not absolute numbers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, launch, newPage, signIn, shot, check, run, apiSession, log, SCREENS } from './lib.mjs';

function localToday() {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date()).map((x) => [x.type, x.value]));
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day) };
}

async function text(page, sel) { return (await page.textContent(sel)) || ''; }

await run(async (keep) => {
  const srv = await startServer();
  const demo = srv.cli(['demo-data']);
  check(demo.status === 0, 'demo-data fills the catalog', 0, `${demo.status} ${demo.stderr.slice(-300)}`);
  const admin = await apiSession(srv, 'admin', srv.adminPassword);
  const wards = (await admin.get('/api/v1/wards')).json.wards;
  const wardA = wards.find((w) => w.name.startsWith('Trường Thi')) || wards[0];
  const pw = 'officer-pass-123';
  let r = await admin.post('/api/v1/users', { username: 'canbo1', password: pw, role: 'officer', ward_id: wardA.id, display_name: 'Lê Văn Cán' });
  check(r.status === 201, 'fixture officer', 201, r.status);
  r = await admin.post('/api/v1/users', { username: 'tinh1', password: pw, role: 'province', display_name: 'Phòng Tham mưu' });
  check(r.status === 201, 'fixture province user', 201, r.status);
  const { y, m } = localToday();
  const period = `${y}-Q${Math.floor((m - 1) / 3) + 1}`;

  const browser = await launch();
  keep(browser);

  // -- officer: record an incident, see it counted ----------------------------
  const page = await newPage(browser);
  await signIn(page, srv, 'canbo1', pw);
  await page.goto(`${srv.url}/#/stats?period=${period}`);
  await page.waitForSelector('#page[data-ready="1"] #st-cases .value');
  const before = Number((await text(page, '#st-cases .value')).replace(/\D/g, ''));
  log(`cases before: ${before}`);
  const title = await text(page, '#st-title');
  check(title.includes(wardA.name), "the officer's statistics are its own ward's", wardA.name, title);

  await page.goto(`${srv.url}/#/incidents`);
  await page.waitForSelector('#incident-add');
  const totalBefore = await text(page, '#incident-total');
  await page.click('#incident-add');
  await page.waitForSelector('#incident-form');
  await page.selectOption('#inc-category', { label: 'Phạm pháp hình sự' });
  await page.fill('#inc-summary', 'Trộm cắp điện thoại tại chợ (kiểm thử trình duyệt)');
  await page.fill('#inc-address', 'Chợ Vinh, cổng phía đông');
  await page.fill('#inc-suspects', '1');
  await shot(page, 'ward-incident-form');
  await page.click('#incident-save');
  await page.waitForSelector('#incident-form', { state: 'detached' });
  await page.waitForFunction((t) => document.querySelector('#incident-total')?.textContent !== t, totalBefore);
  const firstRow = await text(page, '#incident-list tbody tr:first-child');
  check(firstRow.includes('Trộm cắp điện thoại'), 'the new incident heads the list', 'Trộm cắp điện thoại…', firstRow);
  await shot(page, 'ward-incidents');

  await page.goto(`${srv.url}/#/stats?period=${period}&v=1`);
  await page.waitForSelector('#page[data-ready="1"] #st-cases .value');
  const after = Number((await text(page, '#st-cases .value')).replace(/\D/g, ''));
  check(after === before + 1, 'the statistics count the new incident', before + 1, after);
  const crimRow = await page.$$eval('#st-table tbody tr', (trs) => trs.map((tr) => tr.textContent).find((x) => x.startsWith('Phạm pháp hình sự')) || '');
  check(crimRow.length > 0, 'the category table has the criminal row', 'a row', crimRow);

  // -- officer: self-assess a criterion; it is not "met" until the province reviews it
  await page.goto(`${srv.url}/#/criteria?year=${y}`);
  await page.waitForSelector('#page[data-ready="1"] #cr-matrix');
  const rowSel = `#cr-matrix tr[data-ward="${wardA.id}"]`;
  const cells = await page.$$eval(`${rowSel} td.cell`, (tds) => tds.map((td) => ({ c: td.dataset.criterion, cell: td.dataset.cell, review: td.dataset.review, self: td.dataset.self })));
  const target = cells.find((c) => !c.review && c.self !== 'met') || cells.find((c) => !c.review) || cells[0];
  const counts = async (pg) => ({
    met: Number(await pg.getAttribute(`${rowSel} td[data-met]`, 'data-met')),
    self: Number(await pg.getAttribute(`${rowSel} td[data-met]`, 'data-self')),
  });
  const before0 = await counts(page);
  log(`criterion ${target.c} is ${target.cell} (review ${target.review || '—'}); ward meets ${before0.met}, self-assessed ${before0.self}`);
  const cellSel = `${rowSel} td.cell[data-criterion="${target.c}"]`;
  await page.click(cellSel);
  await page.waitForSelector('#assess-form');
  const sides = await page.$$eval('#as-side option', (o) => o.map((x) => x.value));
  check(sides.length === 1 && sides[0] === 'self', 'an officer may only self-assess', ['self'], sides);
  const def = await page.inputValue('#as-result');
  check(def === '', 'the assessment form has no default result', '""', def);
  await page.click('#assess-save');
  await page.waitForTimeout(200);
  const err = await text(page, '#assess-form .form-error');
  check(err.includes('Hãy chọn kết quả') && (await page.$('#assess-form')) !== null,
    'saving without choosing a result is refused in the form', 'Hãy chọn kết quả…', err);
  await page.selectOption('#as-result', 'met');
  await page.fill('#as-notes', 'Đã hoàn thành, có biên bản kiểm tra (kiểm thử)');
  await page.click('#assess-save');
  await page.waitForSelector('#assess-form', { state: 'detached' });
  await page.waitForSelector(`${cellSel}[data-self="met"]`);
  const selfCell = { cell: await page.getAttribute(cellSel, 'data-cell'), text: (await text(page, cellSel)).trim() };
  check(selfCell.cell === 'self' && selfCell.text === 'TĐ', `criterion ${target.c}, self-assessed met, is a "TĐ" cell, not a green ✓`,
    { cell: 'self', text: 'TĐ' }, selfCell);
  const after0 = await counts(page);
  check(after0.met === before0.met, "the ward's met count does not move on a self-assessment", before0.met, after0.met);
  check(after0.self === before0.self + (target.cell === 'self' ? 0 : 1), 'the self-assessed count follows',
    before0.self + (target.cell === 'self' ? 0 : 1), after0.self);
  await page.goto(`${srv.url}/#/criteria/ward/${wardA.id}?year=${y}`);
  await page.waitForSelector('#page[data-ready="1"] #cr-ward-list');
  const item = `#cr-ward-list .crit-item[data-criterion="${target.c}"]`;
  const verdict = await text(page, `${item} .acts .badge`);
  const reviewLine = await text(page, `${item} .side-review`);
  check(!/^\s*Đạt\s*$/.test(verdict) && verdict.includes('chưa thẩm định') && reviewLine.includes('—'),
    'the ward page does not say "Đạt" while the province has not reviewed', 'Tự đánh giá: Đạt · chưa thẩm định / Tỉnh thẩm định: —',
    `${verdict} / ${reviewLine}`);

  // -- province: dashboards and reports ------------------------------------------
  const prov = await newPage(browser);
  await signIn(prov, srv, 'tinh1', pw);
  await prov.goto(`${srv.url}/#/stats?period=${period}`);
  await prov.waitForSelector('#page[data-ready="1"] #st-wards table');
  await prov.waitForTimeout(300);
  await shot(prov, 'ward-stats');
  const wardRows = await prov.$$eval('#st-wards tbody tr', (trs) => trs.length);
  check(wardRows === wards.length, 'province statistics compare every ward', wards.length, wardRows);
  const stTitle = await text(prov, '#st-title');
  const td = localToday();
  const dmy = `${String(td.d).padStart(2, '0')}/${String(td.m).padStart(2, '0')}/${td.y}`;
  check(stTitle.includes(`đến ngày ${dmy}`) && (await prov.$('#st-partial')) !== null,
    'the running quarter is labelled "đến ngày <today>" with a note', `… đến ngày ${dmy}`, stTitle);
  const partialMonths = await prov.getAttribute('#st-trend-note', 'data-partial');
  const ym = `${td.y}-${String(td.m).padStart(2, '0')}`;
  check((partialMonths || '').split(',').includes(ym), "the trend marks this month's bar as partial", ym, partialMonths);

  // -- province: review the officer's criterion; only now is it met -----------------
  await prov.goto(`${srv.url}/#/criteria?year=${y}`);
  await prov.waitForSelector('#page[data-ready="1"] #cr-matrix');
  const before1 = await counts(prov);
  await prov.click(cellSel);
  await prov.waitForSelector('#assess-form');
  const psides = await prov.$$eval('#as-side option', (o) => o.map((x) => x.value));
  check(psides.length === 1 && psides[0] === 'review', 'province staff review', ['review'], psides);
  const pdef = await prov.inputValue('#as-result');
  check(pdef === '', 'the review form has no default result', '""', pdef);
  await prov.selectOption('#as-result', 'met');
  await prov.click('#assess-save');
  await prov.waitForSelector('#assess-form', { state: 'detached' });
  await prov.waitForSelector(`${cellSel}[data-cell="met"]`);
  const after1 = await counts(prov);
  check(after1.met === before1.met + 1 && after1.self === before1.self - 1, 'the review makes it met: met +1, self-assessed −1',
    { met: before1.met + 1, self: before1.self - 1 }, after1);
  await shot(prov, 'ward-criteria-current');

  await prov.goto(`${srv.url}/#/criteria?year=${y - 1}`);
  await prov.waitForSelector('#page[data-ready="1"] #cr-matrix');
  const summary = await text(prov, '#cr-summary');
  check(/\d+\/\d+ phường đạt \d+\/\d+ tiêu chí/.test(summary), 'the dashboard summary reads "x/y phường đạt n/n tiêu chí"', 'x/y phường đạt n/n', summary);
  await shot(prov, 'ward-criteria');
  await prov.goto(`${srv.url}/#/criteria/ward/${wardA.id}?year=${y - 1}`);
  await prov.waitForSelector('#page[data-ready="1"] #cr-ward-list');
  await shot(prov, 'ward-criteria-ward');

  // printable report (same session cookie)
  const rep = await prov.context().newPage();
  await rep.setViewportSize({ width: 900, height: 1270 });
  await rep.goto(`${srv.url}/report/stats.html?period=${period}`);
  await rep.waitForSelector('#sheet[data-ready="1"]');
  const repRows = await rep.$$eval('#report-table tbody tr', (trs) => trs.length);
  check(repRows >= 11, 'the printable report lists every category and the total', '≥ 11 rows', repRows);
  const repTitle = await text(rep, 'h1');
  check(repTitle.toLowerCase().includes('tình hình an ninh, trật tự'), 'the printable report is in Vietnamese', 'tình hình an ninh, trật tự', repTitle);
  await shot(rep, 'ward-report');
  await rep.emulateMedia({ media: 'print' });
  await shot(rep, 'ward-report-print');
  await rep.goto(`${srv.url}/report/criteria.html?year=${y - 1}`);
  await rep.waitForSelector('#sheet[data-ready="1"]');
  await shot(rep, 'ward-criteria-report');

  // the PDF opens: pdftoppm renders page 1
  const pdf = await prov.context().request.get(`${srv.url}/api/v1/stats/report.pdf?period=${period}`);
  const body = await pdf.body();
  check(pdf.status() === 200 && body.subarray(0, 5).toString() === '%PDF-', 'GET report.pdf returns a PDF', '200 %PDF-',
    `${pdf.status()} ${body.subarray(0, 8).toString()}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-pdf-'));
  fs.writeFileSync(path.join(tmp, 'r.pdf'), body);
  const out = spawnSync('pdftoppm', ['-r', '80', '-png', '-f', '1', '-l', '1', '-singlefile', path.join(tmp, 'r.pdf'),
    path.join(SCREENS, 'ward-report-pdf')], { encoding: 'utf8', timeout: 60000 });
  const png = path.join(SCREENS, 'ward-report-pdf.png');
  check(out.status === 0 && fs.existsSync(png) && fs.statSync(png).size > 10000, 'pdftoppm renders the first page',
    'a PNG', `${out.status} ${out.stderr}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  log(`wrote ${png}`);

  // viewer: no ward pages
  r = await admin.post('/api/v1/users', { username: 'xem1', password: pw, role: 'viewer', ward_id: wardA.id });
  const viewer = await newPage(browser);
  await signIn(viewer, srv, 'xem1', pw);
  const nav = await text(viewer, '.nav');
  check(!nav.includes('Vụ việc') && !nav.includes('Thống kê'), 'a viewer sees no ward pages', 'no Vụ việc/Thống kê', nav);
  return browser;
});
