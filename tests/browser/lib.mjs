// Shared helpers for browser tests (tests/browser/*.test.mjs), run by node
// with playwright-core driving Debian's chromium.
//
//   import { startServer, launch, signIn, shot, check, finish } from './lib.mjs';
//   const srv = await startServer();            // fresh data folder, serve --no-record
//   const browser = await launch();
//   const page = await browser.newPage();
//   await signIn(page, srv, 'admin', srv.adminPassword);
//   await check(await page.isVisible('.sidebar'), 'sidebar shows');
//   await shot(page, 'cameras');                // docs/screens/cameras.png
//   await finish(browser, srv);                 // "N passed, M failed", exit code
//
// ctest passes WARDWATCH_BIN, WW_SOURCE_DIR and WW_BUILD_DIR.  Every server
// listens on 127.0.0.1 on a free port with its own temporary data folder and
// is stopped at the end; every wait is bounded.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SRC = process.env.WW_SOURCE_DIR || path.resolve(here, '../..');
export const WW = process.env.WARDWATCH_BIN || path.join(SRC, 'build', 'wardwatch');
export const SCREENS = path.join(SRC, 'docs', 'screens');

const require = createRequire(path.join(SRC, 'package.json'));
const { chromium } = require('playwright-core');

const results = { passed: 0, failed: 0 };
const servers = [];

export function log(msg) {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

// Records one check; prints expected vs seen on failure.
export function check(cond, what, expected, seen) {
  if (cond) { results.passed++; log(`ok   ${what}`); } else {
    results.failed++;
    log(`FAIL ${what}: expected ${JSON.stringify(expected)}, saw ${JSON.stringify(seen)}`);
  }
  return !!cond;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function cli(dataDir, args, input) {
  return spawnSync(WW, ['--data', dataDir, ...args], { input, encoding: 'utf8', timeout: 60000 });
}

// Starts `wardwatch serve --no-record` (record: true → the cameras run) on a fresh data folder.  Returns
// { url, port, dataDir, adminPassword, cli(args, input), api(...), stop() }.
export async function startServer({ timeoutMs = 30000, record = false } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-browser-'));
  fs.rmdirSync(dataDir);
  const init = cli(dataDir, ['init']);
  if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
  const m = /admin password: (\S+)/.exec(init.stdout);
  if (!m) throw new Error(`no admin password in: ${init.stdout}`);
  const port = await freePort();
  const logPath = path.join(dataDir, 'serve.log');
  const logFd = fs.openSync(logPath, 'a');
  const proc = spawn(WW, ['--data', dataDir, 'serve', '--listen', `127.0.0.1:${port}`, ...(record ? [] : ['--no-record'])], {
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, WARDWATCH_WEB_DIR: process.env.WARDWATCH_WEB_DIR || path.join(SRC, 'web') },
  });
  fs.closeSync(logFd);
  let exited = null;
  proc.on('exit', (code, sig) => { exited = { code, sig }; });
  const url = `http://127.0.0.1:${port}`;
  const srv = {
    url, port, dataDir, adminPassword: m[1], proc, logPath,
    cli: (args, input) => cli(dataDir, args, input),
    logTail: (n = 40) => { try { return fs.readFileSync(logPath, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; } },
    async stop() {
      if (exited === null) {
        proc.kill('SIGTERM');
        const t0 = Date.now();
        while (exited === null && Date.now() - t0 < 20000) await sleep(100);
        if (exited === null) { proc.kill('SIGKILL'); check(false, 'server stops within 20 s', 'exit', 'running'); }
      }
      const clean = exited && exited.code === 0;
      check(clean, 'server exited cleanly (no leaks, no errors)', 0, exited);
      if (!clean) console.log(srv.logTail(80));
      const i = servers.indexOf(srv);
      if (i >= 0) servers.splice(i, 1);
      if (results.failed === 0) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  servers.push(srv);
  const t0 = Date.now();
  for (;;) {
    if (exited) throw new Error(`serve exited (${JSON.stringify(exited)}):\n${srv.logTail()}`);
    try {
      const r = await fetch(`${url}/api/v1/session`);
      if (r.status === 401) break;
    } catch { /* not up yet */ }
    if (Date.now() - t0 > timeoutMs) throw new Error(`server did not answer in ${timeoutMs} ms:\n${srv.logTail()}`);
    await sleep(100);
  }
  log(`server up at ${url} (data ${dataDir})`);
  return srv;
}

const BUILD_DIR = process.env.WW_BUILD_DIR || path.join(SRC, 'build');
export const CAMSIM = process.env.CAMSIM_BIN || path.join(BUILD_DIR, 'tools', 'camsim', 'camsim');
export const MEDIA = process.env.WW_MEDIA_DIR || path.join(BUILD_DIR, 'media');

// Starts camsim with `args` (e.g. ['--cameras', '3']) on `port` (0: a free
// one) serving MEDIA; resolves { proc, port } once it listens (≤ 30 s).
// The caller kills proc.
export function startCamsim(args, port = 0) {
  return new Promise((resolve, reject) => {
    const p = spawn(CAMSIM, ['--port', String(port), '--media', MEDIA, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => reject(new Error(`camsim did not start in 30 s: ${err}`)), 30000);
    p.stdout.on('data', (d) => {
      out += d;
      const m = /listening on rtsp:\/\/[^:]+:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ proc: p, port: Number(m[1]) }); }
    });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => { clearTimeout(timer); reject(new Error(`camsim exited ${code}: ${err}`)); });
  });
}

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

// Waits for fn() (may be async) to return a truthy value, every `step` ms
// for at most `ms`; returns it, or null when the time ran out.
export async function until(fn, ms, step = 250) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) return null;
    await sleep(step);
  }
}

// Starts an end-to-end test's `--world` mode (tests/e2e/SCRIPT --world:
// real PostgreSQL, mosquitto, hub and stations) and resolves the JSON line
// it prints once it is ready, with stop() added (ends its stdin, waits up
// to 60 s for it to clean up, then kills it).  Its other lines are logged.
export function startWorld(script, timeoutMs) {
  const proc = spawn('python3', [path.join(SRC, 'tests/e2e', script), '--world'], {
    stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, WARDWATCH_BIN: WW, PYTHONDONTWRITEBYTECODE: '1' },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill(); reject(new Error(`${script} --world did not start in ${timeoutMs} ms`)); }, timeoutMs);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${script} --world exited ${code}`)); });
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) { log(`world: ${line}`); return; }
      clearTimeout(timer);
      const w = JSON.parse(line);
      w.stop = () => new Promise((done) => {
        const t = setTimeout(() => { proc.kill('SIGKILL'); done(); }, 60000);
        proc.removeAllListeners('exit');
        proc.on('exit', () => { clearTimeout(t); done(); });
        proc.stdin.end();
      });
      resolve(w);
    });
  });
}

// Recorded footage for a camera of srv (tools/gencams): `segments` back-to-back
// template segments from T0 (epoch seconds), and motion events [[from, to], …]
// in seconds after T0.  Throws with gencams' error if it fails.
export function footage(srv, camera, T0, segments, events = []) {
  const r = spawnSync('python3', ['-c', [
    'import sys, json, tempfile; sys.path.insert(0, sys.argv[1]); import gencams',
    'tpl = gencams.record_template(tempfile.mkdtemp(prefix="ww-tpl-"))',
    'cam, t0 = int(sys.argv[3]), int(sys.argv[4])',
    'gencams.add_segments(sys.argv[2], tpl, cam, t0, int(sys.argv[5]))',
    'for a, b in json.loads(sys.argv[6]): gencams.add_event(sys.argv[2], cam, t0 + a, t0 + b)',
  ].join('\n'), path.join(SRC, 'tools', 'gencams'), srv.dataDir, String(camera), String(T0), String(segments),
  JSON.stringify(events)], { encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`gencams failed (${r.status}): ${(r.stderr || '').slice(-400)}`);
}

// A small API client for fixtures (its own cookie).
export async function apiSession(srv, username, password) {
  let cookie = '';
  const call = async (method, p, body) => {
    const headers = { 'X-Requested-With': 'tests' };
    if (cookie) headers.Cookie = cookie;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(srv.url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const sc = r.headers.get('set-cookie');
    if (sc) { const mm = /ww_session=([^;]*)/.exec(sc); if (mm) cookie = `ww_session=${mm[1]}`; }
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: r.status, json, text };
  };
  const r = await call('POST', '/api/v1/session', { username, password });
  if (r.status !== 200) throw new Error(`sign-in of ${username} failed: ${r.status} ${r.text}`);
  return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b ?? {}), patch: (p, b) => call('PATCH', p, b ?? {}), put: (p, b) => call('PUT', p, b ?? {}), del: (p) => call('DELETE', p) };
}

// Debian's chromium, headless, no network chatter.
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    timeout: 60000,
  });
}

// A fresh context (own cookies) and page, sized like a duty-desk screen.
export async function newPage(browser, { width = 1440, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  return page;
}

// Signs in through the login form and waits for the shell.
export async function signIn(page, srv, username, password) {
  await page.goto(srv.url + '/', { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#login-username');
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForSelector('.sidebar');
}

// Signs in on the province console's form (web/province: the hub's, not
// the station's); the caller waits for what it expects next.
export async function signInHub(page, username, password) {
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#signin button[type=submit]');
}

// Saves docs/screens/<name>.png: the viewport, or only the element
// `selector` names (one section of a page).
export async function shot(page, name, selector = null) {
  fs.mkdirSync(SCREENS, { recursive: true });
  const file = path.join(SCREENS, `${name}.png`);
  if (selector) await page.locator(selector).screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: false });
  log(`screenshot ${path.relative(SRC, file)}`);
  return file;
}

// Prints the summary line, stops servers, exits non-zero on failure.
export async function finish(browser) {
  try { if (browser) await browser.close(); } catch (e) { log(`browser close: ${e.message}`); }
  for (const s of [...servers]) await s.stop();
  console.log(`${results.passed} passed, ${results.failed} failed`);
  process.exit(results.failed || !results.passed ? 1 : 0);
}

// Runs main(), turning an exception into a failure with the summary line.
export async function run(main) {
  let browser = null;
  try {
    browser = await main((b) => { browser = b; });
  } catch (e) {
    check(false, 'test ran to the end', 'no exception', String(e && e.stack || e));
  }
  await finish(browser);
}
