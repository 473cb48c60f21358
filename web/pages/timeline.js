// Timeline playback (#/timeline?camera=ID&date=YYYY-MM-DD[&at=T]): one
// camera's day as a 24-hour bar (recorded spans, gaps with their reason,
// motion events), zoomable to 5 minutes.  Click plays from that second,
// drag scrubs, shift-drag (or the [ ] marks) selects a range, and the
// selection is exported as evidence (MP4 + manifest with its SHA-256).
// Playback is an MSE player on /playback?at=… (lib/mseplayer.js); a seek
// inside what is buffered is instant, otherwise it is a new request.  What
// the owner's consent does not allow now (playback, export) is disabled with
// the reason shown (lib/consent.js, re-read every 15 s).
//
// Where things are: timeline/strings.js (texts, icons), timeline/time.js
// (station-time helpers), timeline/bar.js (painting the bar),
// timeline/parts.js (event/gap tables, the export card).  In render() below:
// the state, then buildToolbar / buildPlayer / buildExportBox / buildLists
// (the DOM), then load (data), the consent, playing (seek, startPlayer,
// onState), the selection and export (mark, drawSel, doExport), the bar's
// view (zoomTo, paint), wireBarInput and wireKeys.
import { MsePlayer, codecName } from '../lib/mseplayer.js';
import { dateTimeInput, msOfDay } from '../lib/datetime.js';
import { consentOf, allows, reason } from '../lib/consent.js';
import { strings, I } from './timeline/strings.js';
import { paintBar } from './timeline/bar.js';
import { DAY_US, MIN_SPAN, dayStartOf, dateOf, today, shiftDay, isoOf, hms, validDate, parseTimeParam } from './timeline/time.js';
import { eventsTable, gapsTable, exportCard, fmtDur, fmtBytes } from './timeline/parts.js';

const ZOOMS = [[DAY_US, '24h'], [6 * 3600e6, '6h'], [3600e6, '1h'], [15 * 60e6, '15m'], [MIN_SPAN, '5m']];
const SPEEDS = [1, 2, 4, 8];
const REFRESH_TODAY_MS = 15000;
const CONSENT_REFRESH_MS = 15000;

export default {
  title: 'tl.title',
  strings,
  async render(el, ctx) {
    const { api, t, h, ui } = ctx;
    const cams = (await api.get('/api/v1/cameras')).cameras;
    if (!cams.length) { el.append(h('div', { class: 'empty' }, t('tl.no_cameras'))); return undefined; }
    const canExport = ctx.is('admin', 'province', 'officer');

    // ---- state ----
    const atParam = parseTimeParam(ctx.params.get('at'));
    let cam = cams.find((c) => String(c.id) === ctx.params.get('camera')) || cams[0];
    let date = validDate(ctx.params.get('date')) ? ctx.params.get('date') : (atParam ? dateOf(atParam) : today());
    let stream = ctx.params.get('stream') === 'sub' && cam.has_sub_stream ? 'sub' : 'main';
    let dayStart = dayStartOf(date);
    let data = { segments: [], gaps: [], events: [] };
    let view = { start: dayStart, span: DAY_US };
    let headUs = null;
    let sel = null;                  // { a, b } (b may be null while marking)
    let rate = 1;
    let player = null;
    let paused = false;
    let hoverX = null;
    let drag = null;
    let closed = false;
    let loadSeq = 0;
    const timers = [];
    let consent = null;              // the owner's consent now (lib/consent.js); null = unknown

    // ---- the parts of the page (each built by a function below) ----
    const { node: toolbarNode, camSel, dateInput, dateBtn, nextDay, todayBtn, streamSel, drawStreamSel, gotoInput, recSummary } = buildToolbar();
    const { node: playerNode, video, vmsg, spin, vname, vinfo, vnote, screen, clock, playBtn, speedBtns, zoomBtns, markIn, markOut, canvas, tip } = buildPlayer();
    const { node: exportNode, selText, exportBtn, clearSel, exportResult } = buildExportBox();
    const { node: listsNode, evList, gapList } = buildLists();
    // what the owner's consent does not allow now, said before it is tried
    const consentNote = h('div', { class: 'callout warn tl-consent', id: 'tl-consent', role: 'status', hidden: true });
    // el.append() would show a null as "null": the export box is left out, not null
    el.append(...[toolbarNode, consentNote, playerNode, exportNode, listsNode].filter(Boolean));

    // ---- toolbar: camera, day, stream, go to a time ----
    function buildToolbar() {
      const camSel = h('select', { id: 'tl-camera', onchange: () => { cam = cams.find((c) => String(c.id) === camSel.value); if (!cam.has_sub_stream) stream = 'main'; drawStreamSel(); load(true); } },
        cams.map((c) => h('option', { value: c.id, selected: c.id === cam.id }, c.name)));
      // The day: a button showing dd/mm/yyyy that opens the console's own
      // date input (lib/datetime.js) in its place; Enter or leaving it goes there.
      const dateInput = dateTimeInput({ id: 'tl-date-input', cls: 'tl-date-typed' });
      dateInput.hidden = true;
      const closeDateInput = () => { dateInput.hidden = true; dateBtn.hidden = false; };
      const takeDate = () => {
        const ms = dateInput.ms;
        if (ms == null || Number.isNaN(ms)) { dateInput.reportValidity(); return; }
        closeDateInput();
        const d = dateInput.day;
        if (d !== date) setDate(d);
      };
      dateInput.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') { e.preventDefault(); takeDate(); } else if (e.key === 'Escape') { e.preventDefault(); dateInput.ms = msOfDay(date); closeDateInput(); dateBtn.focus(); }
      });
      dateInput.addEventListener('change', takeDate);
      const dateBtn = h('button', { class: 'btn tl-date', id: 'tl-date', title: t('tl.day'),
        onclick: () => { dateInput.ms = msOfDay(date); dateBtn.hidden = true; dateInput.hidden = false; dateInput.focus(); dateInput.select(); dateInput.click(); } });
      const prevDay = h('button', { class: 'btn', id: 'tl-prev-day', title: t('tl.prev_day'), 'aria-label': t('tl.prev_day'), onclick: () => setDate(shiftDay(date, -1)) }, '‹');
      const nextDay = h('button', { class: 'btn', id: 'tl-next-day', title: t('tl.next_day'), 'aria-label': t('tl.next_day'), onclick: () => setDate(shiftDay(date, 1)) }, '›');
      const todayBtn = h('button', { class: 'btn', id: 'tl-today', onclick: () => setDate(today()) }, t('tl.today'));
      const streamSel = h('select', { id: 'tl-stream', onchange: () => { stream = streamSel.value; stopPlayer(); load(false, headUs); } });
      const streamWrap = h('label', {}, t('tl.stream'), streamSel);
      function drawStreamSel() {
        streamSel.replaceChildren(h('option', { value: 'main', selected: stream === 'main' }, t('tl.stream.main')),
          cam.has_sub_stream ? h('option', { value: 'sub', selected: stream === 'sub' }, t('tl.stream.sub')) : null);
        streamWrap.hidden = !cam.has_sub_stream;
      }
      const gotoInput = h('input', { id: 'tl-goto', class: 'tl-goto', placeholder: t('tl.goto_ph'), inputmode: 'numeric', autocomplete: 'off',
        onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); gotoTime(); } } });
      const gotoBtn = h('button', { class: 'btn', id: 'tl-goto-btn', onclick: () => gotoTime() }, t('tl.go'));
      const recSummary = h('span', { class: 'muted', id: 'tl-recorded' });
      const node = h('div', { class: 'filters tl-toolbar' },
        h('label', {}, t('tl.camera'), camSel),
        h('div', { class: 'tl-field' }, h('span', { class: 'tl-field-label' }, t('tl.day')),
          h('div', { class: 'tl-daypick' }, prevDay, h('span', { class: 'tl-date-wrap' }, dateBtn, dateInput), nextDay, todayBtn)),
        streamWrap,
        h('div', { class: 'tl-field' }, h('span', { class: 'tl-field-label' }, t('tl.goto')),
          h('div', { class: 'tl-daypick' }, gotoInput, gotoBtn)),
        h('div', { class: 'tl-spacer' }), recSummary);
      return { node, camSel, dateInput, dateBtn, nextDay, todayBtn, streamSel, drawStreamSel, gotoInput, recSummary };
    }

    // ---- player: the picture, its controls and the time bar ----
    function buildPlayer() {
      const video = h('video', { id: 'tl-video', muted: true, playsinline: true, disablepictureinpicture: true });
      const vmsg = h('div', { class: 'cv-msg', id: 'tl-msg', hidden: true });
      const spin = h('div', { class: 'cv-spin', hidden: true });
      const vname = h('span', { class: 'cv-name' });
      const vinfo = h('span', { class: 'cv-badge tl-vinfo' });
      const vnote = h('div', { class: 'tl-note', hidden: true });
      const screen = h('div', { class: 'cv tl-screen' }, video, spin, vmsg,
        h('div', { class: 'cv-top' }, vname, vinfo), vnote);
      const clock = h('div', { class: 'tl-clock', id: 'tl-clock', 'aria-live': 'off' }, '—');
      const playBtn = h('button', { class: 'btn tl-play', id: 'tl-play', onclick: () => togglePlay() });
      const speedBtns = SPEEDS.map((s) => h('button', { class: 'btn btn-small', 'data-speed': s, onclick: () => setRate(s) }, `${s}×`));
      const zoomBtns = ZOOMS.map(([span, k]) => h('button', { class: 'btn btn-small', 'data-zoom': k, onclick: () => zoomTo(span, headUs) }, t(`tl.zoom.${k}`)));
      const markIn = h('button', { class: 'btn btn-small', id: 'tl-mark-in', title: t('tl.mark_help'), onclick: () => mark('a') }, t('tl.mark_in'));
      const markOut = h('button', { class: 'btn btn-small', id: 'tl-mark-out', title: t('tl.mark_help'), onclick: () => mark('b') }, t('tl.mark_out'));
      const canvas = h('canvas', { class: 'tl-bar', id: 'tl-bar', tabindex: 0, 'aria-label': t('tl.bar_help') });
      const tip = h('div', { class: 'tl-tip', hidden: true });
      const node = h('div', { class: 'tl-player' },
        screen,
        h('div', { class: 'tl-controls' },
          h('div', { class: 'tl-ctl-group' },
            h('button', { class: 'btn tl-ctl', id: 'tl-back', title: t('tl.back10'), 'aria-label': t('tl.back10'), onclick: () => nudge(-10e6), html: I.back }),
            playBtn,
            h('button', { class: 'btn tl-ctl', id: 'tl-fwd', title: t('tl.fwd10'), 'aria-label': t('tl.fwd10'), onclick: () => nudge(10e6), html: I.fwd })),
          clock,
          h('div', { class: 'seg tl-seg', role: 'group', 'aria-label': t('tl.speed'), id: 'tl-speeds' }, speedBtns),
          h('div', { class: 'tl-spacer' }),
          h('div', { class: 'seg tl-seg', role: 'group', 'aria-label': t('tl.zoom'), id: 'tl-zooms' }, zoomBtns),
          canExport ? h('div', { class: 'seg tl-seg' }, markIn, markOut) : null),
        h('div', { class: 'tl-bar-wrap' }, canvas, tip),
        h('div', { class: 'tl-legend' },
          h('span', { class: 'lg lg-rec' }, t('tl.legend.rec')),
          h('span', { class: 'lg lg-gap' }, t('tl.legend.gap')),
          h('span', { class: 'lg lg-event' }, t('tl.legend.event')),
          canExport ? h('span', { class: 'lg lg-sel' }, t('tl.legend.sel')) : null,
          h('span', { class: 'tl-help' }, t('tl.bar_help'))));
      return { node, video, vmsg, spin, vname, vinfo, vnote, screen, clock, playBtn, speedBtns, zoomBtns, markIn, markOut, canvas, tip };
    }

    // ---- export: the selection, the button and what the export answered ----
    function buildExportBox() {
      const selText = h('div', { class: 'tl-sel-text', id: 'tl-sel-text' });
      const exportBtn = h('button', { class: 'btn btn-primary', id: 'tl-export', onclick: () => doExport(), html: `${I.export}<span>${t('tl.export')}</span>` });
      const clearSel = h('button', { class: 'btn', id: 'tl-sel-clear', onclick: () => { sel = null; drawSel(); redraw(); } }, t('tl.sel_clear'));
      const exportResult = h('div', { class: 'tl-export-result', id: 'tl-export-result', hidden: true });
      const node = canExport ? h('div', { class: 'tl-export card-box' },
        h('div', { class: 'tl-export-row' }, h('strong', {}, t('tl.sel')), selText, h('div', { class: 'tl-spacer' }), clearSel, exportBtn),
        exportResult) : null;
      return { node, selText, exportBtn, clearSel, exportResult };
    }

    // ---- the day's motion events and missing recordings ----
    function buildLists() {
      const evList = h('div', { class: 'tl-list', id: 'tl-events' });
      const gapList = h('div', { class: 'tl-list', id: 'tl-gaps' });
      const node = h('div', { class: 'tl-lists' },
        h('div', { class: 'card-box' }, h('h2', {}, t('tl.events')), evList),
        h('div', { class: 'card-box' }, h('h2', {}, t('tl.gaps')), gapList));
      return { node, evList, gapList };
    }

    // ---- data ----
    async function load(fresh, at = null) {
      const seq = ++loadSeq;
      dayStart = dayStartOf(date);
      dateBtn.innerHTML = `${I.cal}<span>${ctx.fmtDate(dayStart / 1000)}</span>`;
      nextDay.disabled = date >= today();
      todayBtn.disabled = date === today();
      // Keep the address shareable (camera, day, stream); `at` stays while
      // it still belongs to this camera and day.
      const q = new URLSearchParams(location.hash.split('?')[1] || '');
      if (q.get('camera') !== String(cam.id) || (q.get('date') && q.get('date') !== date)) q.delete('at');
      q.set('camera', cam.id);
      q.set('date', date);
      if (stream === 'sub') q.set('stream', 'sub'); else q.delete('stream');
      history.replaceState(null, '', `#/timeline?${q}`);
      vname.textContent = cam.name;
      if (fresh) { stopPlayer(); sel = null; drawSel(); exportResult.hidden = true; view = { start: dayStart, span: DAY_US }; }
      if (fresh || !consent) await loadConsent();
      if (seq !== loadSeq || closed) return;
      try {
        const r = await api.get(`/api/v1/cameras/${cam.id}/timeline${ctx.qs({ from: dayStart / 1e6, to: (dayStart + DAY_US) / 1e6, stream })}`);
        if (seq !== loadSeq || closed) return;
        data = { segments: r.segments || [], gaps: r.gaps || [], events: r.events || [] };
      } catch (e) {
        if (seq !== loadSeq || closed) return;
        data = { segments: [], gaps: [], events: [] };
        if (e.status === 403 || e.status === 404) {
          showMsg(e.code === 'no_consent' || !allows(consent, 'playback') ? 'no_consent' : 'forbidden');
          redraw();
          return;
        }
        ui.showError(e);
      }
      drawLists();
      redraw();
      if (at !== null) {
        seek(at);
        if (fresh) zoomTo(3600e6, at);
        return;
      }
      if (!fresh && player) return;
      const segs = data.segments;
      if (!segs.length) {
        stopPlayer();
        headUs = null;
        showMsg('noday');
        updateClock();
        return;
      }
      // Where to start: the time asked for; today, a minute before the
      // newest picture; another day, its first recording.
      const last = segs[segs.length - 1].end_us;
      const first = segs[0].start_us;
      const start = date === today() ? Math.max(first, last - 60e6) : first;
      seek(start);
      zoomTo(date === today() ? 3600e6 : DAY_US, start);
    }

    // ---- the owner's consent now ----
    async function loadConsent() {
      const c = cam;
      const now = await consentOf(api, c.id);
      if (c !== cam || closed) return;
      consent = now;
      drawConsent();
    }
    function drawConsent() {
      const noPlay = !allows(consent, 'playback');
      const noExport = canExport && !allows(consent, 'export');
      consentNote.replaceChildren(...[noPlay ? reason('playback') : null, noExport ? reason('export') : null]
        .filter(Boolean).map((r) => h('div', {}, r)));
      consentNote.hidden = !noPlay && !noExport;
      playBtn.disabled = noPlay;
      playBtn.title = noPlay ? reason('playback') : t(paused ? 'tl.play' : 'tl.pause');
      for (const b of [markIn, markOut]) { b.disabled = noExport; b.title = noExport ? reason('export') : t('tl.mark_help'); }
      drawSel();
      if (noPlay) { stopPlayer(); showMsg('no_consent'); }
      else if (screen.dataset.kind === 'off' && vmsg.dataset.kind === 'no_consent') hideMsg();
    }
    timers.push(setInterval(() => { if (!closed) loadConsent(); }, CONSENT_REFRESH_MS));

    async function refreshData() {
      if (date !== today() || closed) return;
      try {
        const r = await api.get(`/api/v1/cameras/${cam.id}/timeline${ctx.qs({ from: dayStart / 1e6, to: (dayStart + DAY_US) / 1e6, stream })}`);
        if (closed) return;
        data = { segments: r.segments || [], gaps: r.gaps || [], events: r.events || [] };
        drawLists();
        redraw();
      } catch { /* next time */ }
    }
    timers.push(setInterval(refreshData, REFRESH_TODAY_MS));

    function setDate(d) {
      if (d > today()) d = today();
      date = d;
      load(true);
    }

    // ---- playing ----
    function stopPlayer() {
      if (player) player.stop();
      player = null;
      spin.hidden = true;
    }

    function seek(us, { quiet = false, resume = true } = {}) {
      us = Math.max(dayStart, Math.min(dayStart + DAY_US - 1e6, us));
      headUs = us;
      ensureVisible(us);
      updateClock();
      redraw();
      // A seek plays from there (the officer clicked to watch that moment);
      // stepping with ← → or the ±10 s buttons keeps a paused picture paused.
      if (resume) paused = false;
      drawPlay();
      if (!allows(consent, 'playback')) { showMsg('no_consent'); return; }
      if (player && player.state !== 'ended') {
        player.userPaused = paused;          // the player resumes after the seek unless paused
        if (player.seekWithin(us)) return;
      }
      startPlayer(us, quiet);
    }

    function startPlayer(us, quiet) {
      stopPlayer();
      hideMsg();
      spin.hidden = false;
      const url = `/api/v1/cameras/${cam.id}/playback?at=${(us / 1e6).toFixed(3)}&stream=${stream}`;
      const p = new MsePlayer(video, { url, live: false, targetUs: us, rate, onState: (s, info) => onState(p, s, info, us, quiet) });
      player = p;
      p.userPaused = paused;
      drawPlay();
      p.start();
    }

    function onState(p, s, info, askedUs, quiet) {
      if (p !== player || closed) return;
      spin.hidden = !['connecting', 'waiting'].includes(s);
      if (s === 'playing') {
        hideMsg();
        const w = p.wallUs();
        vinfo.textContent = `${t(stream === 'main' ? 'tl.stream.main' : 'tl.stream.sub')} · ${codecName(info.codec)}${video.videoWidth ? ` · ${video.videoWidth}×${video.videoHeight}` : ''}`;
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
        startPlayer(p.targetUs ?? headUs, true);
      } else if (s === 'ended') {
        // The stream stops at the end of what was recorded when it began,
        // or where the codec changed: go on with the next recording, if any.
        const end = p.bufferedUs().reduce((m, [, b]) => Math.max(m, b), 0);
        const next = data.segments.find((g) => g.end_us > end + 0.5e6);
        if (next && end) { startPlayer(Math.max(next.start_us, end + 1e3), true); return; }
        note(t('tl.ended'));
        paused = true;
        drawPlay();
      } else if (s === 'error' || s === 'offline') {
        showMsg('error', info);
      }
    }

    function note(text) {
      vnote.textContent = text;
      vnote.hidden = false;
      clearTimeout(note.timer);
      note.timer = setTimeout(() => { vnote.hidden = true; }, 6000);
    }

    function showMsg(kind, info = {}) {
      let body;
      if (kind === 'noday') body = [h('strong', {}, t('tl.no_rec_day', { d: ctx.fmtDate(dayStart / 1000) }))];
      else if (kind === 'noat') body = [h('strong', {}, t('tl.no_rec_at', { t: info.t }))];
      else if (kind === 'forbidden') body = [h('strong', {}, t('tl.forbidden'))];
      else if (kind === 'no_consent') body = [h('strong', {}, t('tl.no_consent'))];
      else if (kind === 'unsupported') {
        body = [h('div', { class: 'cv-icon', html: I.warn }),
          h('strong', {}, t('tl.unsupported', { codec: codecName(info.codec) || info.codec || '?' })),
          h('small', {}, t('tl.unsupported_help')),
          cam.has_sub_stream && stream === 'main' ? h('button', { class: 'btn btn-small cv-retry-btn', id: 'tl-try-sub', onclick: () => { stream = 'sub'; drawStreamSel(); stopPlayer(); load(false, headUs); } }, t('tl.try_sub')) : null];
      } else body = [h('div', { class: 'cv-icon', html: I.warn }), h('strong', {}, t('tl.error', { m: info.message || '' }))];
      vmsg.replaceChildren(...body.filter(Boolean));
      vmsg.hidden = false;
      vmsg.dataset.kind = kind;
      screen.dataset.kind = kind === 'unsupported' ? 'warn' : kind === 'error' ? 'bad' : 'off';
      video.classList.add('cv-hidden');
      spin.hidden = true;
    }
    function hideMsg() { vmsg.hidden = true; delete vmsg.dataset.kind; video.classList.remove('cv-hidden'); delete screen.dataset.kind; }

    function togglePlay() {
      if (!allows(consent, 'playback')) { showMsg('no_consent'); return; }
      if (!player || player.state === 'ended') {
        paused = false;
        if (headUs !== null) startPlayer(headUs, true);
        return;
      }
      paused = !paused;
      if (paused) player.pause(); else player.play();
      drawPlay();
    }
    function drawPlay() {
      playBtn.innerHTML = paused ? I.play : I.pause;
      playBtn.title = t(paused ? 'tl.play' : 'tl.pause');
      playBtn.setAttribute('aria-label', playBtn.title);
    }
    function nudge(d) { if (headUs !== null) seek(headUs + d, { quiet: true, resume: false }); }
    function setRate(r) {
      rate = r;
      if (player) player.setRate(r);
      for (const b of speedBtns) b.classList.toggle('active', Number(b.dataset.speed) === r);
    }
    function gotoTime() {
      const m = /^\s*(\d{1,2})[:.hH]?(\d{2})?(?:[:.](\d{2}))?\s*$/.exec(gotoInput.value);
      if (!m || Number(m[1]) > 23 || Number(m[2] || 0) > 59 || Number(m[3] || 0) > 59) { ui.toast(t('tl.bad_time'), 'error'); return; }
      seek(dayStart + (Number(m[1]) * 3600 + Number(m[2] || 0) * 60 + Number(m[3] || 0)) * 1e6);
      if (view.span > 3600e6) zoomTo(3600e6, headUs);
    }
    function updateClock() {
      clock.textContent = headUs === null ? '—' : ctx.fmtDateTime(headUs / 1000);
      clock.dataset.us = headUs === null ? '' : String(Math.round(headUs));
    }

    // The play head follows the picture.
    timers.push(setInterval(() => {
      if (!player || drag) return;
      const w = player.wallUs();
      if (w === null || player.state === 'connecting') return;
      if (Math.abs(w - (headUs ?? 0)) > 1000) {
        headUs = w;
        updateClock();
        if (!paused) ensureVisible(w, true);
        redraw();
      }
    }, 200));

    // ---- selection + export ----
    function mark(which) {
      if (headUs === null || !allows(consent, 'export')) return;
      sel = sel || { a: null, b: null };
      sel[which] = Math.floor(headUs / 1e6) * 1e6;   // the second the clock shows, as an officer writes it down
      if (sel.a !== null && sel.b !== null && sel.a > sel.b) sel = { a: sel.b, b: sel.a };
      if (sel.a === null && sel.b !== null) sel = { a: null, b: sel.b };
      drawSel();
      redraw();
    }
    function selComplete() { return sel && sel.a !== null && sel.b !== null && sel.b > sel.a; }
    function drawSel() {
      if (!canExport) return;
      selText.replaceChildren();
      if (selComplete()) {
        selText.append(h('span', { class: 'mono' }, `${ctx.fmtDateTime(sel.a / 1000)} → ${hms(sel.b)}`), h('span', { class: 'muted' }, ` · ${fmtDur(sel.b - sel.a)}`));
      } else if (sel && (sel.a !== null || sel.b !== null)) {
        selText.append(h('span', { class: 'muted' }, t('tl.sel_half', { t: hms(sel.a ?? sel.b) })));
      } else {
        selText.append(h('span', { class: 'muted' }, t('tl.sel_none')));
      }
      const noExport = !allows(consent, 'export');
      exportBtn.disabled = !selComplete() || noExport;
      exportBtn.title = noExport ? reason('export') : '';
      clearSel.hidden = !sel;
    }

    async function doExport() {
      if (!selComplete() || !allows(consent, 'export')) return;
      exportBtn.disabled = true;
      exportBtn.lastChild.textContent = t('tl.exporting');
      exportResult.hidden = true;
      try {
        const r = await api.post(`/api/v1/cameras/${cam.id}/exports`, { from: isoOf(sel.a), to: isoOf(sel.b), stream });
        const x = r.export || r;
        exportResult.replaceChildren(...exportCard(cam, x, sel));
        exportResult.hidden = false;
        ui.toast(t('tl.export_done', { size: fmtBytes(x.bytes) }));
      } catch (e) {
        ui.toast(t('tl.export_failed', { m: e.message }), 'error');
      } finally {
        exportBtn.lastChild.textContent = t('tl.export');
        exportBtn.disabled = !selComplete() || !allows(consent, 'export');
      }
    }

    // ---- lists ----
    function drawLists() {
      evList.replaceChildren(eventsTable(data.events, (e) => { seek((e.start_us ?? e.peak_us) - 2e6); zoomTo(Math.min(view.span, 3600e6), headUs); }));
      gapList.replaceChildren(gapsTable(data.gaps, (g) => zoomTo(Math.max(MIN_SPAN, Math.min(DAY_US, (g.end_us - g.start_us) * 4)), (g.start_us + g.end_us) / 2)));
      const rec = data.segments.reduce((s, g) => s + Math.max(0, Math.min(g.end_us, dayStart + DAY_US) - Math.max(g.start_us, dayStart)), 0);
      recSummary.textContent = rec ? t('tl.recorded', { d: fmtDur(rec) }) : '';
    }

    // ---- the bar ----
    const xOf = (us, w) => ((us - view.start) / view.span) * w;
    const usOf = (x, w) => view.start + (x / w) * view.span;

    function clampView() {
      view.span = Math.max(MIN_SPAN, Math.min(DAY_US, view.span));
      view.start = Math.max(dayStart, Math.min(dayStart + DAY_US - view.span, view.start));
    }
    function zoomTo(span, center) {
      const c = center ?? (view.start + view.span / 2);
      view.span = span;
      view.start = c - span / 2;
      clampView();
      for (const b of zoomBtns) b.classList.toggle('active', ZOOMS.find(([, k]) => k === b.dataset.zoom)[0] === view.span);
      redraw();
    }
    function ensureVisible(us, follow = false) {
      if (us >= view.start && us <= view.start + view.span) {
        if (!follow || us < view.start + view.span * 0.95) return;
      }
      view.start = follow ? us - view.span * 0.1 : us - view.span / 2;
      clampView();
    }

    let raf = 0;
    function redraw() { if (!raf) raf = requestAnimationFrame(() => { raf = 0; paint(); }); }

    function paint() {
      if (closed) return;
      paintBar(canvas, { view, dayStart, data, sel, headUs, hoverX, dragging: !!drag });
    }

    function showTip(x, us) {
      tip.textContent = hms(us);
      tip.hidden = false;
      const w = canvas.clientWidth;
      tip.style.left = `${Math.max(30, Math.min(w - 30, x))}px`;
    }

    // ---- the bar's pointer and wheel: click plays, drag scrubs, shift-drag selects ----
    function wireBarInput() {
      canvas.addEventListener('pointerdown', (e) => {
        if (e.button !== 0) return;
        const w = canvas.clientWidth;
        const x = e.offsetX;
        const us = usOf(x, w);
        canvas.setPointerCapture(e.pointerId);
        if (canExport && sel && allows(consent, 'export')) {
          for (const k of ['a', 'b']) {
            if (sel[k] !== null && Math.abs(xOf(sel[k], w) - x) <= 7) { drag = { kind: k, x0: x }; return; }
          }
        }
        if (e.shiftKey && canExport && allows(consent, 'export')) {
          sel = { a: us, b: us };
          drag = { kind: 'b', x0: x, fresh: true };
          drawSel();
          redraw();
          return;
        }
        drag = { kind: 'head', x0: x, moved: false };
        headUs = us;
        updateClock();
        showTip(x, us);
        redraw();
      });
      canvas.addEventListener('pointermove', (e) => {
        const w = canvas.clientWidth;
        const x = Math.max(0, Math.min(w, e.offsetX));
        const us = usOf(x, w);
        if (!drag) { hoverX = x; showTip(x, us); redraw(); return; }
        if (Math.abs(x - drag.x0) > 3) drag.moved = true;
        if (drag.kind === 'head') {
          headUs = us;
          updateClock();
          showTip(x, us);
          // Scrubbing inside the buffer is instant; elsewhere wait for the release.
          if (player && player.state !== 'ended') player.seekWithin(us);
        } else {
          sel[drag.kind] = Math.round(us / 1e6) * 1e6;
          showTip(x, sel[drag.kind]);
          drawSel();
        }
        redraw();
      });
      const endDrag = (e) => {
        if (!drag) return;
        const d = drag;
        drag = null;
        if (d.kind === 'head') {
          seek(headUs);
        } else {
          if (sel.a !== null && sel.b !== null && sel.a > sel.b) sel = { a: sel.b, b: sel.a };
          if (d.fresh && !d.moved && sel.a === sel.b) sel = null;
          if (sel) { sel.a = Math.round(sel.a / 1e6) * 1e6; sel.b = Math.round(sel.b / 1e6) * 1e6; }
          drawSel();
          redraw();
        }
        if (e.type === 'pointercancel') tip.hidden = true;
      };
      canvas.addEventListener('pointerup', endDrag);
      canvas.addEventListener('pointercancel', endDrag);
      canvas.addEventListener('pointerleave', () => { hoverX = null; if (!drag) tip.hidden = true; redraw(); });
      canvas.addEventListener('wheel', (e) => {
        e.preventDefault();
        const w = canvas.clientWidth;
        if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
          view.start += ((e.shiftKey ? e.deltaY : e.deltaX) / w) * view.span;
          clampView();
        } else {
          const at = usOf(e.offsetX, w);
          const f = e.deltaY > 0 ? 1.25 : 0.8;
          const span = Math.max(MIN_SPAN, Math.min(DAY_US, view.span * f));
          view.start = at - ((at - view.start) / view.span) * span;
          view.span = span;
          clampView();
          for (const b of zoomBtns) b.classList.toggle('active', ZOOMS.find(([, k]) => k === b.dataset.zoom)[0] === view.span);
        }
        redraw();
      }, { passive: false });
    }

    // ---- keys: space plays/pauses, ← → step, [ ] mark the range ----
    function wireKeys() {
      const onKey = (e) => {
        if (/INPUT|SELECT|TEXTAREA/.test((e.target && e.target.tagName) || '') || e.ctrlKey || e.metaKey || e.altKey) return;
        if (document.querySelector('.modal-back')) return;
        if (e.key === ' ') { e.preventDefault(); togglePlay(); }
        else if (e.key === 'ArrowLeft') { e.preventDefault(); nudge(e.shiftKey ? -60e6 : -5e6); }
        else if (e.key === 'ArrowRight') { e.preventDefault(); nudge(e.shiftKey ? 60e6 : 5e6); }
        else if (e.key === '[' && canExport) mark('a');
        else if (e.key === ']' && canExport) mark('b');
      };
      document.addEventListener('keydown', onKey);
      return () => document.removeEventListener('keydown', onKey);
    }

    wireBarInput();
    const unwireKeys = wireKeys();
    const ro = new ResizeObserver(() => redraw());
    ro.observe(canvas);

    drawStreamSel();
    drawPlay();
    setRate(1);
    drawSel();
    zoomTo(DAY_US, null);
    await load(true, atParam);

    return () => {
      closed = true;
      for (const x of timers) clearInterval(x);
      clearTimeout(note.timer);
      unwireKeys();
      ro.disconnect();
      if (raf) cancelAnimationFrame(raf);
      stopPlayer();
    };
  },
};
