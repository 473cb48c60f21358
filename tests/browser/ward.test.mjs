// The ward's work in a real browser (chromium via playwright-core):
//   - an officer records an incident through the form and sees it counted in
//     the statistics of the current quarter;
//   - an officer marks a criterion met in the matrix and sees the cell and
//     the ward's count change;
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
  return { y: Number(p.year), m: Number(p.month) };
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

  // -- officer: mark a criterion met in the matrix -----------------------------
  await page.goto(`${srv.url}/#/criteria?year=${y}`);
  await page.waitForSelector('#page[data-ready="1"] #cr-matrix');
  const rowSel = `#cr-matrix tr[data-ward="${wardA.id}"]`;
  const cells = await page.$$eval(`${rowSel} td.cell`, (tds) => tds.map((td) => ({ c: td.dataset.criterion, cell: td.dataset.cell })));
  const target = cells.find((c) => c.cell !== 'met') || cells[0];
  const metBefore = Number(((await text(page, `${rowSel} td[data-met]`)).match(/\d+/) || ['0'])[0]);
  log(`criterion ${target.c} is ${target.cell}; ward meets ${metBefore}`);
  await page.click(`${rowSel} td.cell[data-criterion="${target.c}"]`);
  await page.waitForSelector('#assess-form');
  const sides = await page.$$eval('#as-side option', (o) => o.map((x) => x.value));
  check(sides.length === 1 && sides[0] === 'self', 'an officer may only self-assess', ['self'], sides);
  await page.selectOption('#as-result', 'met');
  await page.fill('#as-notes', 'Đã hoàn thành, có biên bản kiểm tra (kiểm thử)');
  await page.click('#assess-save');
  await page.waitForSelector('#assess-form', { state: 'detached' });
  await page.waitForSelector(`${rowSel} td.cell[data-criterion="${target.c}"][data-cell="met"]`);
  const cellNow = await page.getAttribute(`${rowSel} td.cell[data-criterion="${target.c}"]`, 'data-cell');
  check(cellNow === 'met', `criterion ${target.c} is green in the matrix`, 'met', cellNow);
  const metAfter = Number(((await text(page, `${rowSel} td[data-met]`)).match(/\d+/) || ['0'])[0]);
  check(metAfter === (target.cell === 'met' ? metBefore : metBefore + 1), "the ward's count follows", metBefore + 1, metAfter);

  // -- province: dashboards and reports ------------------------------------------
  const prov = await newPage(browser);
  await signIn(prov, srv, 'tinh1', pw);
  await prov.goto(`${srv.url}/#/stats?period=${period}`);
  await prov.waitForSelector('#page[data-ready="1"] #st-wards table');
  await prov.waitForTimeout(300);
  await shot(prov, 'ward-stats');
  const wardRows = await prov.$$eval('#st-wards tbody tr', (trs) => trs.length);
  check(wardRows === wards.length, 'province statistics compare every ward', wards.length, wardRows);
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
