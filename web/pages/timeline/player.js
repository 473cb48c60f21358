// The timeline's player: the picture with its messages, the controls (±10 s,
// play, speed, zoom, range marks) and the bar's canvas under them.
// playerPart(tl) builds it into tl.el and adds the playing functions to the
// page object: seek (play from a moment, or step when paused), startPlayer,
// stopPlayer, togglePlay, nudge, setRate, showMsg/hideMsg/note, updateClock,
// and followHead (the play head follows the picture).  The player is an MSE
// player on /playback?at=… (lib/mseplayer.js): a seek inside what is
// buffered is instant, otherwise it is a new request.
import { MsePlayer, codecName } from '../../lib/mseplayer.js';
import { allows } from '../../lib/consent.js';
import { I } from './strings.js';
import { DAY_US, MIN_SPAN, hms } from './time.js';

export const ZOOMS = [[DAY_US, '24h'], [6 * 3600e6, '6h'], [3600e6, '1h'], [15 * 60e6, '15m'], [MIN_SPAN, '5m']];
const SPEEDS = [1, 2, 4, 8];

export function playerPart(tl) {
  const { t, h } = tl.ctx;
  const video = h('video', { id: 'tl-video', muted: true, playsinline: true, disablepictureinpicture: true });
  const vmsg = h('div', { class: 'cv-msg', id: 'tl-msg', hidden: true });
  const spin = h('div', { class: 'cv-spin', hidden: true });
  const vname = h('span', { class: 'cv-name' });
  const vinfo = h('span', { class: 'cv-badge tl-vinfo' });
  const vnote = h('div', { class: 'tl-note', hidden: true });
  const screen = h('div', { class: 'cv tl-screen' }, video, spin, vmsg, h('div', { class: 'cv-top' }, vname, vinfo), vnote);
  const clock = h('div', { class: 'tl-clock', id: 'tl-clock', 'aria-live': 'off' }, '—');
  const playBtn = h('button', { class: 'btn tl-play', id: 'tl-play', onclick: () => togglePlay() });
  // Sound (issue 12 item 6): only a camera whose setting recorded it has a
  // sound track (X-Codec names mp4a); the picture starts muted, as browsers
  // ask, and the officer turns it on on purpose.  The choice holds across
  // seeks (each seek is a new player, which starts muted).
  const soundBtn = h('button', { class: 'btn btn-small', id: 'tl-sound', hidden: true, 'aria-pressed': 'false',
    title: t('tl.sound_help'), onclick: () => toggleSound() }, t('tl.sound_on'));
  const speedBtns = SPEEDS.map((s) => h('button', { class: 'btn btn-small', 'data-speed': s, onclick: () => setRate(s) }, `${s}×`));
  const zoomBtns = ZOOMS.map(([span, k]) => h('button', { class: 'btn btn-small', 'data-zoom': k, onclick: () => tl.zoomTo(span, tl.headUs) }, t(`tl.zoom.${k}`)));
  const markIn = h('button', { class: 'btn btn-small', id: 'tl-mark-in', title: t('tl.mark_help'), onclick: () => tl.mark('a') }, t('tl.mark_in'));
  const markOut = h('button', { class: 'btn btn-small', id: 'tl-mark-out', title: t('tl.mark_help'), onclick: () => tl.mark('b') }, t('tl.mark_out'));
  // To assistive technology the bar is a slider over the day, in seconds
  // (updateClock keeps its value); the keys are in timeline/input.js and
  // said in the legend under it.
  const canvas = h('canvas', { class: 'tl-bar', id: 'tl-bar', tabindex: 0, role: 'slider', 'aria-label': t('tl.bar_label'),
    'aria-describedby': 'tl-bar-keys', 'aria-valuemin': 0, 'aria-valuemax': 0, 'aria-valuenow': 0 });
  const tip = h('div', { class: 'tl-tip', hidden: true });
  let noteTimer = 0;

  function stopPlayer() {
    if (tl.player) tl.player.stop();
    tl.player = null;
    spin.hidden = true;
  }

  function seek(us, { quiet = false, resume = true } = {}) {
    us = Math.max(tl.dayStart, Math.min(tl.dayStart + DAY_US - 1e6, us));
    tl.headUs = us;
    tl.ensureVisible(us);
    updateClock();
    tl.redraw();
    // A seek plays from there (the officer clicked to watch that moment);
    // stepping with ← → or the ±10 s buttons keeps a paused picture paused.
    if (resume) tl.paused = false;
    drawPlay();
    if (!allows(tl.consent, 'playback')) { showMsg('no_consent'); return; }
    const p = tl.player;
    if (p && p.state !== 'ended') {
      p.userPaused = tl.paused;          // the player resumes after the seek unless paused
      if (p.seekWithin(us)) return;
    }
    startPlayer(us, quiet);
  }

  function startPlayer(us, quiet) {
    stopPlayer();
    hideMsg();
    spin.hidden = false;
    const url = `/api/v1/cameras/${tl.cam.id}/playback?at=${(us / 1e6).toFixed(3)}&stream=${tl.stream}`;
    const p = new MsePlayer(video, { url, live: false, targetUs: us, rate: tl.rate, onState: (s, info) => onState(p, s, info, us, quiet) });
    tl.player = p;
    video.muted = !tl.soundOn;
    p.userPaused = tl.paused;
    drawPlay();
    p.start();
  }

  function onState(p, s, info, askedUs, quiet) {
    if (p !== tl.player || tl.closed) return;
    spin.hidden = !['connecting', 'waiting'].includes(s);
    if (s === 'playing') {
      hideMsg();
      soundBtn.hidden = !/(^|,)\s*mp4a\./.test(info.codec || '');
      const w = p.wallUs();
      vinfo.textContent = `${t(tl.stream === 'main' ? 'tl.stream.main' : 'tl.stream.sub')} · ${codecName(info.codec)}${video.videoWidth ? ` · ${video.videoWidth}×${video.videoHeight}` : ''}`;
      if (!quiet && w !== null && w - askedUs > 3e6) note(t('tl.jumped', { t: hms(askedUs), t2: hms(w) }));
    } else if (s === 'notfound') {
      showMsg('noat', { t: hms(askedUs) });
    } else if (s === 'forbidden') {
      // a playback refused, or cut off and refused on resuming, for want
      // of the owner's consent says so (issue 11 item 3)
      showMsg(info.code === 'no_consent' ? 'no_consent' : 'forbidden');
    } else if (s === 'unsupported') {
      showMsg('unsupported', info);
    } else if (s === 'stalled') {
      startPlayer(p.targetUs ?? tl.headUs, true);
    } else if (s === 'ended') {
      // The stream stops at the end of what was recorded when it began,
      // or where the codec changed: go on with the next recording, if any.
      const end = p.bufferedUs().reduce((m, [, b]) => Math.max(m, b), 0);
      const next = tl.data.segments.find((g) => g.end_us > end + 0.5e6);
      if (next && end) { startPlayer(Math.max(next.start_us, end + 1e3), true); return; }
      note(t('tl.ended'));
      tl.paused = true;
      drawPlay();
    } else if (s === 'error' || s === 'offline') {
      showMsg('error', info);
    }
  }

  function note(text) {
    vnote.textContent = text;
    vnote.hidden = false;
    clearTimeout(noteTimer);
    noteTimer = setTimeout(() => { vnote.hidden = true; }, 6000);
  }

  // The message over the picture: no recording that day or at that moment,
  // refused, no consent, a codec the browser can't play, an error.
  function showMsg(kind, info = {}) {
    let body;
    if (kind === 'noday') body = [h('strong', {}, t('tl.no_rec_day', { d: tl.ctx.fmtDate(tl.dayStart / 1000) }))];
    else if (kind === 'noat') body = [h('strong', {}, t('tl.no_rec_at', { t: info.t }))];
    else if (kind === 'forbidden') body = [h('strong', {}, t('tl.forbidden'))];
    else if (kind === 'no_consent') body = [h('strong', {}, t('tl.no_consent'))];
    else if (kind === 'unsupported') {
      body = [h('div', { class: 'cv-icon', html: I.warn }),
        h('strong', {}, t('tl.unsupported', { codec: codecName(info.codec) || info.codec || '?' })),
        h('small', {}, t('tl.unsupported_help')),
        tl.cam.has_sub_stream && tl.stream === 'main' ? h('button', { class: 'btn btn-small cv-retry-btn', id: 'tl-try-sub',
          onclick: () => { tl.stream = 'sub'; tl.drawStreamSel(); stopPlayer(); tl.load(false, tl.headUs); } }, t('tl.try_sub')) : null];
    } else body = [h('div', { class: 'cv-icon', html: I.warn }), h('strong', {}, t('tl.error', { m: info.message || t('err.media') }))];
    vmsg.replaceChildren(...body.filter(Boolean));
    vmsg.hidden = false;
    vmsg.dataset.kind = kind;
    screen.dataset.kind = kind === 'unsupported' ? 'warn' : kind === 'error' ? 'bad' : 'off';
    video.classList.add('cv-hidden');
    spin.hidden = true;
  }
  function hideMsg() { vmsg.hidden = true; delete vmsg.dataset.kind; video.classList.remove('cv-hidden'); delete screen.dataset.kind; }

  function togglePlay() {
    if (!allows(tl.consent, 'playback')) { showMsg('no_consent'); return; }
    if (!tl.player || tl.player.state === 'ended') {
      tl.paused = false;
      if (tl.headUs !== null) startPlayer(tl.headUs, true);
      return;
    }
    tl.paused = !tl.paused;
    if (tl.paused) tl.player.pause(); else tl.player.play();
    drawPlay();
  }
  function drawPlay() {
    playBtn.innerHTML = tl.paused ? I.play : I.pause;
    playBtn.title = t(tl.paused ? 'tl.play' : 'tl.pause');
    playBtn.setAttribute('aria-label', playBtn.title);
  }
  function nudge(d) { if (tl.headUs !== null) seek(tl.headUs + d, { quiet: true, resume: false }); }
  function setRate(r) {
    tl.rate = r;
    if (tl.player) tl.player.setRate(r);
    for (const b of speedBtns) b.classList.toggle('active', Number(b.dataset.speed) === r);
  }
  function updateClock() {
    clock.textContent = tl.headUs === null ? '—' : tl.ctx.fmtDateTime(tl.headUs / 1000);
    clock.dataset.us = tl.headUs === null ? '' : String(Math.round(tl.headUs));
    // the slider's range is the day shown, its value the cursor (epoch s)
    const s0 = Math.round(tl.dayStart / 1e6);
    canvas.setAttribute('aria-valuemin', String(s0));
    canvas.setAttribute('aria-valuemax', String(s0 + DAY_US / 1e6 - 1));
    canvas.setAttribute('aria-valuenow', String(tl.headUs === null ? s0 : Math.round(tl.headUs / 1e6)));
    canvas.setAttribute('aria-valuetext', tl.headUs === null ? '—' : clock.textContent);
  }
  // Called every 200 ms: the play head follows the picture (not while the
  // officer drags it).
  function followHead() {
    const p = tl.player;
    if (!p || tl.drag) return;
    const w = p.wallUs();
    if (w === null || p.state === 'connecting') return;
    if (Math.abs(w - (tl.headUs ?? 0)) > 1000) {
      tl.headUs = w;
      updateClock();
      if (!tl.paused) tl.ensureVisible(w, true);
      tl.redraw();
    }
  }
  function toggleSound() {
    tl.soundOn = !tl.soundOn;
    video.muted = !tl.soundOn;
    soundBtn.textContent = t(tl.soundOn ? 'tl.sound_off' : 'tl.sound_on');
    soundBtn.setAttribute('aria-pressed', String(!!tl.soundOn));
    soundBtn.classList.toggle('active', !!tl.soundOn);
  }
  function closePlayer() { clearTimeout(noteTimer); stopPlayer(); }

  Object.assign(tl.el, { video, vmsg, vname, screen, playBtn, zoomBtns, markIn, markOut, canvas, tip });
  Object.assign(tl, { stopPlayer, seek, startPlayer, togglePlay, drawPlay, nudge, setRate, showMsg, hideMsg, note, updateClock, followHead, closePlayer });
  const canExport = tl.canExport;
  return h('div', { class: 'tl-player' },
    screen,
    h('div', { class: 'tl-controls' },
      h('div', { class: 'tl-ctl-group' },
        h('button', { class: 'btn tl-ctl', id: 'tl-back', title: t('tl.back10'), 'aria-label': t('tl.back10'), onclick: () => nudge(-10e6), html: I.back }),
        playBtn,
        h('button', { class: 'btn tl-ctl', id: 'tl-fwd', title: t('tl.fwd10'), 'aria-label': t('tl.fwd10'), onclick: () => nudge(10e6), html: I.fwd })),
      clock,
      h('div', { class: 'seg tl-seg', role: 'group', 'aria-label': t('tl.speed'), id: 'tl-speeds' }, speedBtns),
      soundBtn,
      h('div', { class: 'tl-spacer' }),
      h('div', { class: 'seg tl-seg', role: 'group', 'aria-label': t('tl.zoom'), id: 'tl-zooms' }, zoomBtns),
      canExport ? h('div', { class: 'seg tl-seg' }, markIn, markOut) : null),
    h('div', { class: 'tl-bar-wrap' }, canvas, tip),
    h('div', { class: 'tl-legend' },
      h('span', { class: 'lg lg-rec' }, t('tl.legend.rec')),
      h('span', { class: 'lg lg-gap' }, t('tl.legend.gap')),
      h('span', { class: 'lg lg-event' }, t('tl.legend.event')),
      canExport ? h('span', { class: 'lg lg-sel' }, t('tl.legend.sel')) : null,
      h('span', { class: 'tl-help' }, t('tl.bar_help'), h('br'), h('span', { id: 'tl-bar-keys' }, t('tl.bar_keys')))));
}
