// A camera's sound in a real browser (issue 12 item 6): Debian chromium
// plays the recorded AAC track with the picture, in the timeline's player
// (playback) and in the live wall's enlarged view.
//   - the camera's audio setting on, camsim sending AAC beside H.264;
//   - timeline: X-Codec names mp4a.40.2, the player shows "Bật tiếng", the
//     picture starts muted and the button unmutes it; Chromium has decoded
//     sound bytes (webkitAudioDecodedByteCount) as well as picture bytes;
//   - live, enlarged: the same stream contract, sound decoded too, its own
//     sound button;
//   - a camera with its setting off: no sound button, no sound decoded;
//   - screenshot docs/screens/timeline-sound.png.
// Starts camsim (2 cameras, --audio aac) and `wardwatch serve` (recording)
// on free ports with a fresh data folder; waits bounded; all stopped at end.
import { launch, newPage, signIn, check, run, log, shot, sleep, startServer, startCamsim, until } from './lib.mjs';

// What Chromium decoded on the page's one matching <video>.
const decoded = (page, sel) => page.evaluate((s) => {
  const v = document.querySelector(s);
  return v ? { audio: v.webkitAudioDecodedByteCount, video: v.webkitVideoDecodedByteCount, muted: v.muted,
    codec: v.dataset.codec, state: v.dataset.state, t: v.currentTime } : null;
}, sel);

await run(async (setBrowser) => {
  const cs = await startCamsim(['--cameras', '2', '--audio', 'aac']);
  try {
    const srv = await startServer({ record: true });
    const add = (name, n, extra) => Number(srv.cli(['camera', 'add', '--name', name, '--main',
      `rtsp://127.0.0.1:${cs.port}/cam${n}/main`, ...extra]).stdout.trim().split('\n').pop());
    const withSound = add('Cổng chợ (có tiếng)', 1, ['--audio', 'on']);
    const silent = add('Ngõ 5 (không tiếng)', 2, []);
    check(withSound > 0 && silent > 0, 'fixture: two cameras added', '> 0', [withSound, silent]);
    // let a few seconds of both be recorded before the timeline asks for them
    await sleep(9000);

    const browser = await launch();
    setBrowser(browser);
    const page = await newPage(browser);
    await signIn(page, srv, 'admin', srv.adminPassword);
    const day = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);

    // ---- playback of the camera with sound ----
    await page.goto(`${srv.url}/#/timeline?camera=${withSound}&date=${day}`);
    await page.waitForSelector('#tl-bar');
    const playing = await page.waitForFunction(() => document.querySelector('#tl-video')?.dataset.state === 'playing',
      null, { timeout: 20000 }).catch(() => null);
    check(!!playing, 'timeline: the camera with sound plays', 'playing', await decoded(page, '#tl-video'));
    const btn = await page.waitForSelector('#tl-sound:not([hidden])', { timeout: 5000 }).catch(() => null);
    const before = await decoded(page, '#tl-video');
    check(btn && before && /mp4a\.40\.2/.test(before.codec || '') && before.muted,
      'timeline: X-Codec names the AAC track, a "Bật tiếng" button shows, the picture starts muted',
      'mp4a.40.2, button, muted', { button: !!btn, ...before });
    if (btn) {
      check((await btn.textContent()) === 'Bật tiếng', 'the button says "Bật tiếng"', 'Bật tiếng', await btn.textContent());
      await btn.click();
      const after = await decoded(page, '#tl-video');
      check(after && !after.muted && (await btn.getAttribute('aria-pressed')) === 'true' && (await btn.textContent()) === 'Tắt tiếng',
        'a click turns the sound on (unmuted, aria-pressed, "Tắt tiếng")', 'unmuted', after);
    }
    const pb = await until(async () => { const d = await decoded(page, '#tl-video'); return d && d.audio > 2000 && d.video > 0 ? d : null; }, 10000);
    check(!!pb, 'timeline: Chromium decodes the sound track with the picture', 'audio bytes > 2000, video bytes > 0',
      pb || await decoded(page, '#tl-video'));
    if (pb) await shot(page, 'timeline-sound');
    if (pb) log(`playback decoded ${pb.audio} bytes of sound, ${pb.video} of picture (${pb.codec})`);
    // a seek is a new player: the officer's choice of sound holds
    await page.click('#tl-back');
    await until(async () => (await decoded(page, '#tl-video'))?.state === 'playing', 10000);
    const seeked = await decoded(page, '#tl-video');
    check(seeked && !seeked.muted, 'after a seek the sound stays on', 'unmuted', seeked);

    // ---- the camera without sound: no button, nothing decoded ----
    await page.goto(`${srv.url}/#/timeline?camera=${silent}&date=${day}`);
    await page.waitForFunction(() => document.querySelector('#tl-video')?.dataset.state === 'playing', null, { timeout: 20000 }).catch(() => null);
    await sleep(2000);
    const quiet = await decoded(page, '#tl-video');
    const hidden = await page.$eval('#tl-sound', (b) => b.hidden).catch(() => null);
    check(quiet && quiet.state === 'playing' && !/mp4a/.test(quiet.codec || '') && quiet.audio === 0 && hidden === true,
      'timeline: a camera with its sound setting off plays without sound and shows no sound button',
      'playing, no mp4a, 0 sound bytes, button hidden', { hidden, ...quiet });

    // ---- live, enlarged ----
    await page.goto(`${srv.url}/#/live`);
    await page.waitForSelector('#live-wall');
    const tile = await page.waitForSelector(`#live-wall .tile[data-camera="${withSound}"][data-state="playing"]`, { timeout: 20000 }).catch(() => null);
    check(!!tile, 'live wall: the camera with sound plays', 'playing', null);
    if (tile) {
      await tile.click();
      await page.waitForSelector('#live-zoom video', { timeout: 10000 });
      const lz = await until(async () => {
        const d = await decoded(page, '#live-zoom video');
        return d && d.state === 'playing' && d.audio > 1000 ? d : null;
      }, 15000);
      check(lz && /mp4a\.40\.2/.test(lz.codec || ''), 'live, enlarged: the stream carries the AAC track and Chromium decodes it',
        'mp4a.40.2, audio bytes > 1000', lz || await decoded(page, '#live-zoom video'));
      const lsb = await page.waitForSelector('#live-zoom-sound:not([hidden])', { timeout: 5000 }).catch(() => null);
      const mutedFirst = (await decoded(page, '#live-zoom video'))?.muted;
      if (lsb) await lsb.click();
      const lafter = await decoded(page, '#live-zoom video');
      check(lsb && mutedFirst === true && lafter && !lafter.muted && (await lsb.textContent()) === 'Tắt tiếng',
        'live, enlarged: a "Bật tiếng" button, muted until clicked, then unmuted', 'button, muted → unmuted',
        { button: !!lsb, mutedFirst, after: lafter });
    }
    await srv.stop();
    return browser;
  } finally {
    cs.proc.kill('SIGTERM');
  }
});
