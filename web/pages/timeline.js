// Timeline playback (#/timeline?camera=ID&date=YYYY-MM-DD[&at=T]): one
// camera's day as a 24-hour bar (recorded spans, gaps with their reason,
// motion events), zoomable to 5 minutes.  Click plays from that second,
// drag scrubs, shift-drag (or the [ ] marks) selects a range, and the
// selection is exported as evidence (MP4 + manifest with its SHA-256).
// What the owner's consent does not allow now (playback, export) is disabled
// with the reason shown (lib/consent.js, re-read every 15 s).
//
// The page is one object, `tl`: its state (below, in render()), its DOM
// nodes (tl.el) and its functions, which each part adds:
//   timeline/toolbar.js  camera, day, stream, go to a time
//   timeline/player.js   the picture and its controls; seek, play, messages
//   timeline/input.js    the bar's view (zoom, pan), painting, pointer, keys
//   timeline/export.js   the range selection and the export
//   timeline/parts.js    the event and gap lists, the export card
//   timeline/bar.js      painting the bar;  timeline/time.js  station time
//   timeline/strings.js  texts and icons
// This file keeps what ties them: loading the day, the consent, the timers.
import { consentOf, allows, reason } from '../lib/consent.js';
import { strings } from './timeline/strings.js';
import { DAY_US, dayStartOf, dateOf, today, validDate, parseTimeParam } from './timeline/time.js';
import { toolbarPart } from './timeline/toolbar.js';
import { playerPart } from './timeline/player.js';
import { barPart } from './timeline/input.js';
import { exportPart } from './timeline/export.js';
import { listsPart } from './timeline/parts.js';

const REFRESH_TODAY_MS = 15000;
const CONSENT_REFRESH_MS = 15000;
const FOLLOW_MS = 200;

// The page's state as the parts share it.
function newState(ctx, cams) {
  const atParam = parseTimeParam(ctx.params.get('at'));
  const cam = cams.find((c) => String(c.id) === ctx.params.get('camera')) || cams[0];
  const date = validDate(ctx.params.get('date')) ? ctx.params.get('date') : (atParam ? dateOf(atParam) : today());
  const dayStart = dayStartOf(date);
  return {
    ctx, cams, cam, date, dayStart, atParam,
    canExport: ctx.is('admin', 'province', 'officer'),
    stream: ctx.params.get('stream') === 'sub' && cam.has_sub_stream ? 'sub' : 'main',
    data: { segments: [], gaps: [], events: [] },
    view: { start: dayStart, span: DAY_US },  // the part of the day the bar shows
    headUs: null,                             // the play head
    sel: null,                                // { a, b } (b may be null while marking)
    rate: 1, player: null, paused: false,
    hoverX: null, drag: null,
    consent: null,                            // the owner's consent now; null = unknown
    closed: false, loadSeq: 0,
    el: {},
  };
}

export default {
  title: 'tl.title',
  strings,
  async render(el, ctx) {
    const { api, t, h, ui } = ctx;
    const cams = (await api.get('/api/v1/cameras')).cameras;
    if (!cams.length) { el.append(h('div', { class: 'empty' }, t('tl.no_cameras'))); return undefined; }
    const tl = newState(ctx, cams);

    // ---- the parts of the page ----
    const toolbar = toolbarPart(tl);
    // what the owner's consent does not allow now, said before it is tried
    const consentNote = h('div', { class: 'callout warn tl-consent', id: 'tl-consent', role: 'status', hidden: true });
    const player = playerPart(tl);
    const exportBox = exportPart(tl);
    const lists = listsPart(tl);
    // el.append() would show a null as "null": the export box is left out, not null
    el.append(...[toolbar, consentNote, player, exportBox, lists].filter(Boolean));
    const unwireBar = barPart(tl);

    // ---- the day's recordings, gaps and events ----
    const timelineUrl = () => `/api/v1/cameras/${tl.cam.id}/timeline${ctx.qs({ from: tl.dayStart / 1e6, to: (tl.dayStart + DAY_US) / 1e6, stream: tl.stream })}`;
    const takeData = (r) => { tl.data = { segments: r.segments || [], gaps: r.gaps || [], events: r.events || [] }; };

    // Keep the address shareable (camera, day, stream); `at` stays while it
    // still belongs to this camera and day.
    function keepAddress() {
      const q = new URLSearchParams(location.hash.split('?')[1] || '');
      if (q.get('camera') !== String(tl.cam.id) || (q.get('date') && q.get('date') !== tl.date)) q.delete('at');
      q.set('camera', tl.cam.id);
      q.set('date', tl.date);
      if (tl.stream === 'sub') q.set('stream', 'sub'); else q.delete('stream');
      history.replaceState(null, '', `#/timeline?${q}`);
    }

    // fresh: a new camera or day (the player, range and view start over);
    // at: play from there once loaded.
    async function load(fresh, at = null) {
      const seq = ++tl.loadSeq;
      const current = () => seq === tl.loadSeq && !tl.closed;
      tl.dayStart = dayStartOf(tl.date);
      tl.drawDay();
      keepAddress();
      tl.el.vname.textContent = tl.cam.name;
      if (fresh) { tl.stopPlayer(); tl.resetSel(); tl.view = { start: tl.dayStart, span: DAY_US }; }
      if (fresh || !tl.consent) await loadConsent();
      if (!current()) return;
      try {
        const r = await api.get(timelineUrl());
        if (!current()) return;
        takeData(r);
      } catch (e) {
        if (!current()) return;
        takeData({});
        if (e.status === 403 || e.status === 404) {
          tl.showMsg(e.code === 'no_consent' || !allows(tl.consent, 'playback') ? 'no_consent' : 'forbidden');
          tl.redraw();
          return;
        }
        ui.showError(e);
      }
      tl.drawLists();
      tl.redraw();
      if (at !== null) {
        tl.seek(at);
        if (fresh) tl.zoomTo(3600e6, at);
        return;
      }
      if (!fresh && tl.player) return;
      playFirst();
    }
    // Where to start without a time asked for: today, a minute before the
    // newest picture; another day, its first recording.
    function playFirst() {
      const segs = tl.data.segments;
      if (!segs.length) {
        tl.stopPlayer();
        tl.headUs = null;
        tl.showMsg('noday');
        tl.updateClock();
        return;
      }
      const last = segs[segs.length - 1].end_us;
      const first = segs[0].start_us;
      const start = tl.date === today() ? Math.max(first, last - 60e6) : first;
      tl.seek(start);
      tl.zoomTo(tl.date === today() ? 3600e6 : DAY_US, start);
    }
    // Today's bar grows while it is watched.
    async function refreshData() {
      if (tl.date !== today() || tl.closed) return;
      try {
        const r = await api.get(timelineUrl());
        if (tl.closed) return;
        takeData(r);
        tl.drawLists();
        tl.redraw();
      } catch { /* next time */ }
    }
    function setDate(d) {
      tl.date = d > today() ? today() : d;
      load(true);
    }

    // ---- the owner's consent now ----
    async function loadConsent() {
      const c = tl.cam;
      const now = await consentOf(api, c.id);
      if (c !== tl.cam || tl.closed) return;
      tl.consent = now;
      drawConsent();
    }
    function drawConsent() {
      const { playBtn, markIn, markOut, screen, vmsg } = tl.el;
      const noPlay = !allows(tl.consent, 'playback');
      const noExport = tl.canExport && !allows(tl.consent, 'export');
      consentNote.replaceChildren(...[noPlay ? reason('playback') : null, noExport ? reason('export') : null]
        .filter(Boolean).map((r) => h('div', {}, r)));
      consentNote.hidden = !noPlay && !noExport;
      playBtn.disabled = noPlay;
      playBtn.title = noPlay ? reason('playback') : t(tl.paused ? 'tl.play' : 'tl.pause');
      for (const b of [markIn, markOut]) { b.disabled = noExport; b.title = noExport ? reason('export') : t('tl.mark_help'); }
      tl.drawSel();
      if (noPlay) { tl.stopPlayer(); tl.showMsg('no_consent'); }
      else if (screen.dataset.kind === 'off' && vmsg.dataset.kind === 'no_consent') tl.hideMsg();
    }
    Object.assign(tl, { load, setDate });

    const timers = [
      setInterval(() => { if (!tl.closed) loadConsent(); }, CONSENT_REFRESH_MS),
      setInterval(refreshData, REFRESH_TODAY_MS),
      setInterval(() => tl.followHead(), FOLLOW_MS),
    ];
    tl.drawStreamSel();
    tl.drawPlay();
    tl.setRate(1);
    tl.drawSel();
    tl.zoomTo(DAY_US, null);
    await load(true, tl.atParam);

    return () => {
      tl.closed = true;
      for (const x of timers) clearInterval(x);
      unwireBar();
      tl.closePlayer();
    };
  },
};
