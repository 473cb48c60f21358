// "Trích xuất" in the province console, end to end in a real browser: a hub
// and a recording station joined with --url on a real PostgreSQL and
// mosquitto (the world of tests/e2e/test_province_forward_post.py --world).
// The province admin opens a camera's picture panel, makes an export of the
// last minute through the hub, and the three links (file, manifest,
// signature) download through the hub's forward route; the file's SHA-256
// is the one the console shows, and `wardwatch verify` passes on the three
// with the station's key.  Then the station's audit names the user.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WW, launch, newPage, check, run, log, signInHub, startWorld } from './lib.mjs';

await run(async (keep) => {
  const world = await startWorld('test_province_forward_post.py', 120000);
  try {
    const browser = await launch();
    keep(browser);
    const page = await newPage(browser, { width: 1440, height: 1000 });
    await page.goto(world.url + '/province/index.html');
    await page.waitForSelector('#signin:not([hidden])');
    await signInHub(page, 'admin', world.password);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });

    await page.click(`#cameras button[data-camera="${world.station}/${world.camera}"]`);
    await page.waitForSelector('#exp-form:not([hidden])', { timeout: 10000 });
    // the recording so far (about 10 s) lies in [a minute ago, a minute ahead], in the browser's own time zone
    await page.evaluate(() => {
      const p = (n) => String(n).padStart(2, '0');
      const local = (d) => `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
      const now = Date.now();
      document.querySelector('#exp-from').value = local(new Date(now - 60 * 1000));
      document.querySelector('#exp-to').value = local(new Date(now + 60 * 1000));
    });
    await page.click('#exp-go');
    await page.waitForFunction(() => document.querySelectorAll('#exp-links a').length === 3
      || document.querySelector('#exp-status')?.classList.contains('error'), null, { timeout: 120000 });
    const status = await page.textContent('#exp-status');
    const links = await page.$$eval('#exp-links a', (as) => as.map((a) => ({ href: a.href, name: a.getAttribute('download'), text: a.textContent })));
    check(links.length === 3 && status.startsWith('Đã trích xuất'), '"Trích xuất" makes the export at the station and offers 3 downloads',
      '3 links, Đã trích xuất…', { status, title: await page.getAttribute('#exp-status', 'title'), links });
    const fwd = `${world.url}/api/v1/province/stations/${world.station}/forward/exports/`;
    check(links.every((l) => l.href.startsWith(fwd)), 'every download goes through the hub\'s forward route', fwd,
      links.map((l) => l.href));

    // the links as the browser follows them (its session cookie), saved as the station named them
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-prov-export-'));
    const mp4 = links[0].name;
    for (const l of links) {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`#exp-links a[href="${new URL(l.href).pathname}"]`)]);
      await dl.saveAs(path.join(dir, l.name));
    }
    check(mp4.endsWith('.mp4') && links[1].name === `${mp4}.manifest.json` && links[2].name === `${mp4}.manifest.json.sig`,
      'the three are named as wardwatch verify pairs them', `${mp4}, .manifest.json, .manifest.json.sig`, links.map((l) => l.name));
    const sha = createHash('sha256').update(fs.readFileSync(path.join(dir, mp4))).digest('hex');
    check(status.includes(sha), 'the file downloaded through the hub has the SHA-256 the console shows', sha, status);
    const v = spawnSync(WW, ['--data', dir, 'verify', path.join(dir, mp4), '--key', world.station_key], { encoding: 'utf8', timeout: 120000 });
    check(v.status === 0 && v.stdout.includes('everything holds'), 'wardwatch verify passes on the three downloaded through the hub',
      'exit 0, everything holds', `${v.status} ${(v.stdout + v.stderr).slice(-400)}`);

    // the station's audit names the province user (read at the station by its own admin)
    const login = await fetch(`${world.station_url}/api/v1/session`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: world.station_admin_password }),
    });
    const cookie = (login.headers.get('set-cookie') || '').split(';')[0];
    const audit = await (await fetch(`${world.station_url}/api/v1/audit?limit=200`, { headers: { Cookie: cookie } })).json();
    const rows = (audit.rows || []).filter((a) => a.username === 'province:admin@hub');
    const actions = new Set(rows.map((a) => a.action));
    check(actions.has('export') && actions.has('export_download'), 'the station\'s audit names province:admin@hub for the export and its download',
      'export, export_download', [...actions]);
    fs.rmSync(dir, { recursive: true, force: true });
    return browser;
  } finally {
    await world.stop();
  }
});
