// The owner's consent shown before the action (issue 17 item 7): the
// timeline, the live view and the place search read each camera's consent
// now and disable — with the reason on screen — what it does not allow,
// instead of failing after the officer tried:
//   - camera "live+record": plays back, but the export button and the range
//     marks are disabled and the page says the owner did not agree to
//     exports; no export request is ever sent;
//   - camera "nothing" (an owner, no agreement): the timeline says the
//     owner did not agree to playback and sends no playback request; its
//     live tile says the same for live and sends no live request; the
//     enlarged view's "Xem lại" is disabled with the reason;
//   - place search: the "live+record" camera's row says why it cannot go
//     into a bundle, the "nothing" camera's play button is disabled;
//   - consent withdrawn while the timeline is open: within the refresh
//     (15 s) the page disables playback and says why, without a click.
// Footage is generated (tools/gencams); the server runs --no-record.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, launch, newPage, signIn, shot, check, run, apiSession, SRC } from './lib.mjs';

const GENCAMS = path.join(SRC, 'tools', 'gencams', 'gencams.py');
const NO_EXPORT = 'chưa đồng ý cho trích xuất';
const NO_PLAYBACK = 'cho xem lại camera này';
const NO_LIVE = 'chưa đồng ý cho xem trực tiếp';

function py(args) {
  const r = spawnSync('python3', args, { encoding: 'utf8', timeout: 180000 });
  if (r.status !== 0) throw new Error(`python3 ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

await run(async (keep) => {
  const tplDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-tpl-'));
  py([GENCAMS, 'template', '--out', tplDir]);
  const srv = await startServer();
  const admin = await apiSession(srv, 'admin', srv.adminPassword);
  const ward = (await admin.post('/api/v1/wards', { name: 'Trường Thi', district: 'Vinh', province: 'Nghệ An' })).json;
  const owner = (await admin.post('/api/v1/owners', { kind: 'household', name: 'Hộ ông Nguyễn Văn Bình', phone: '0912 000 111', ward_id: ward.id })).json;
  const C = [18.6733, 105.6924];
  const mk = async (name, dn) => {
    const r = await admin.post('/api/v1/cameras', { name, main_url: `rtsp://127.0.0.1:9/${dn}`, ward_id: ward.id, enabled: false,
      owner_id: owner.id, latitude: C[0] + dn / 111320, longitude: C[1], address: `${name}, Vinh` });
    check(r.status === 201, `fixture camera ${name}`, 201, r.status);
    return r.json.id;
  };
  const partial = await mk('Ngõ 5 Lê Lợi (xem, ghi)', 10);
  const none = await mk('Ngõ 9 Lê Lợi (chưa đồng ý)', 20);
  let r = await admin.post(`/api/v1/cameras/${partial}/consents`, { live: true, record: true, playback: true, export: false, note: 'không trích xuất' });
  check(r.status === 201, 'fixture: consent to live, recording and playback, not exports', 201, r.status);
  const T0 = Math.floor(Date.now() / 1000) - 3600;
  for (const id of [partial, none]) {
    py([GENCAMS, 'segments', '--data', srv.dataDir, '--template', tplDir, '--camera', String(id), '--start', String(T0), '--count', '2']);
  }
  const pw = 'officer-pass-123';
  await admin.post('/api/v1/users', { username: 'canbo', password: pw, role: 'officer', ward_id: ward.id, display_name: 'Lê Văn Cán' });

  const browser = await launch();
  keep(browser);
  const page = await newPage(browser);
  const asked = [];
  page.on('request', (q) => { const u = new URL(q.url()); if (/\/(playback|live|exports)$|\/live\/wall/.test(u.pathname)) asked.push(`${q.method()} ${u.pathname}${u.search}`); });
  await signIn(page, srv, 'canbo', pw);

  // ---- timeline: playback allowed, export not ----
  await page.goto(`${srv.url}/#/timeline?camera=${partial}&at=${T0 + 5}`);
  await page.waitForSelector('#tl-consent:not([hidden])', { timeout: 10000 }).catch(() => {});
  const note = await page.textContent('#tl-consent');
  check(note.includes(NO_EXPORT), 'timeline: the page says at once that the owner did not agree to exports', NO_EXPORT, note);
  const dis = await page.$$eval(['#tl-export', '#tl-mark-in', '#tl-mark-out'].join(','), (b) => b.map((x) => x.disabled));
  check(dis.length === 3 && dis.every(Boolean), 'timeline: export and the range marks are disabled before any try', [true, true, true], dis);
  check(!(await page.isDisabled('#tl-play')), 'timeline: playback stays allowed', 'enabled', 'disabled');
  await page.keyboard.press('[');
  await page.keyboard.press(']');
  await page.click('#tl-export', { force: true }).catch(() => {});
  await page.waitForTimeout(500);
  check(!asked.some((a) => a.startsWith('POST') && a.includes('/exports')), 'timeline: no export request was sent', 'none', asked);
  await shot(page, 'consent-timeline-no-export');

  // ---- timeline: nothing allowed ----
  const before = asked.length;
  await page.goto(`${srv.url}/#/timeline?camera=${none}&at=${T0 + 5}`);
  await page.waitForFunction(() => document.querySelector('#tl-msg') && !document.querySelector('#tl-msg').hidden, null, { timeout: 10000 }).catch(() => {});
  const msg = await page.textContent('#tl-msg');
  check(msg.includes(NO_PLAYBACK), 'timeline: a camera without playback consent says so on the screen', NO_PLAYBACK, msg);
  check(await page.isDisabled('#tl-play'), 'timeline: the play button is disabled', 'disabled', 'enabled');
  await page.waitForTimeout(800);
  const played = asked.slice(before).filter((a) => a.includes(`/cameras/${none}/playback`));
  check(played.length === 0, 'timeline: no playback request for a camera without consent', [], played);
  await shot(page, 'consent-timeline-none');

  // ---- live ----
  const b2 = asked.length;
  await page.goto(`${srv.url}/#/live`);
  await page.waitForSelector(`#live-wall .tile[data-camera="${none}"]`);
  await page.waitForTimeout(1200);
  const tile = await page.textContent(`#live-wall .tile[data-camera="${none}"]`);
  check(tile.includes(NO_LIVE), 'live: the tile of a camera without consent says why, before any stream', NO_LIVE, tile);
  const liveAsked = asked.slice(b2).filter((a) => a.includes(`/cameras/${none}/live`) || (a.includes('/live/wall') && new RegExp(`cameras=([0-9,]*,)?${none}(,|&|$)`).test(decodeURIComponent(a))));
  check(liveAsked.length === 0, 'live: no live request for it (tile nor wall)', [], liveAsked);
  await page.click(`#live-wall .tile[data-camera="${none}"]`);
  await page.waitForSelector('#live-zoom');
  check(await page.isDisabled('#live-zoom-playback'), 'live: the enlarged view\'s "Xem lại" is disabled without playback consent', 'disabled', 'enabled');
  const zr = (await page.textContent('#live-zoom-reason').catch(() => '')) || '';
  check(zr.includes(NO_PLAYBACK), 'live: the enlarged view says why', NO_PLAYBACK, zr);
  await shot(page, 'consent-live');
  await page.keyboard.press('Escape');

  // ---- place search ----
  const from = new Date((T0 - 60 + 7 * 3600) * 1000).toISOString().slice(0, 16);
  const to = new Date((T0 + 600 + 7 * 3600) * 1000).toISOString().slice(0, 16);
  await page.goto(`${srv.url}/#/search?lat=${C[0]}&lon=${C[1]}&radius=500&from=${from}&to=${to}`);
  await page.waitForSelector('#search-results table', { timeout: 20000 }).catch(() => {});
  const rows = await page.$$eval('#search-results tbody tr', (trs) => trs.map((tr) => tr.innerText));
  const rowOf = (name) => rows.find((x) => x.includes(name)) || '';
  check(rowOf('Ngõ 5').includes(NO_EXPORT), 'search: the camera without export consent says why it cannot go into a bundle', NO_EXPORT, rowOf('Ngõ 5'));
  const picks = await page.$$eval('#search-results [data-pick]', (x) => x.map((e) => e.dataset.pick));
  check(!picks.includes(String(partial)), 'search: it has no bundle checkbox', 'absent', picks);
  if (rowOf('Ngõ 9')) {
    check(await page.isDisabled(`#search-results [data-play="${none}"]`), 'search: the camera without playback consent cannot be opened in the timeline',
      'disabled', 'enabled');
  } else {
    check(true, 'search: the camera without playback consent is not listed at all (the server left it out)');
  }
  await shot(page, 'consent-search');

  // ---- withdrawn while the timeline is open ----
  await page.goto(`${srv.url}/#/timeline?camera=${partial}&at=${T0 + 5}`);
  await page.waitForSelector('#tl-consent:not([hidden])');
  check(!(await page.isDisabled('#tl-play')), 'timeline: playback allowed before the withdrawal', 'enabled', 'disabled');
  const list = (await admin.get(`/api/v1/cameras/${partial}/consents`)).json.consents;
  const cur = list.find((c) => c.status === 'in_force');
  r = await admin.post(`/api/v1/cameras/${partial}/consents/${cur.id}/withdraw`, { note: 'chủ camera rút lại' });
  check(r.status === 200, 'fixture: the owner withdraws', 200, r.status);
  const t0 = Date.now();
  const gone = await page.waitForFunction(() => document.querySelector('#tl-play')?.disabled, null, { timeout: 25000 }).then(() => true).catch(() => false);
  const took = (Date.now() - t0) / 1000;
  const note2 = await page.textContent('#tl-consent');
  check(gone && note2.includes(NO_PLAYBACK), 'timeline: a withdrawal disables playback within the refresh, with the reason', `disabled within 25 s, "${NO_PLAYBACK}"`,
    { disabled: gone, after_s: took, note: note2 });
  return browser;
});
