// The timeline bar's view and input.  barPart(tl) adds to the page object
// (timeline.js explains `tl`): the view (clampView, zoomTo, ensureVisible —
// which part of the day the bar shows, 5 minutes to 24 hours), painting
// (redraw coalesces to one animation frame; timeline/bar.js draws), and
// wires the input: a click plays from that second, a drag scrubs,
// shift-drag (or dragging a mark) selects, the wheel zooms or pans; keys
// (anywhere on the page but in a control that has its own use for them):
// space plays/pauses, ← → step (shift: a minute), [ ] mark the range; with
// the bar focused also Enter (plays from the cursor, as a click there does)
// and Home/End (the start/end of the part shown).
// It returns the function that unwires the document-level keys.
import { allows } from '../../lib/consent.js';
import { paintBar } from './bar.js';
import { ZOOMS } from './player.js';
import { DAY_US, MIN_SPAN, hms } from './time.js';

export function barPart(tl) {
  const { canvas, tip, zoomBtns } = tl.el;
  const xOf = (us, w) => ((us - tl.view.start) / tl.view.span) * w;
  const usOf = (x, w) => tl.view.start + (x / w) * tl.view.span;
  let raf = 0;

  function clampView() {
    const v = tl.view;
    v.span = Math.max(MIN_SPAN, Math.min(DAY_US, v.span));
    v.start = Math.max(tl.dayStart, Math.min(tl.dayStart + DAY_US - v.span, v.start));
  }
  function drawZoom() {
    for (const b of zoomBtns) b.classList.toggle('active', ZOOMS.find(([, k]) => k === b.dataset.zoom)[0] === tl.view.span);
  }
  function zoomTo(span, center) {
    const c = center ?? (tl.view.start + tl.view.span / 2);
    tl.view.span = span;
    tl.view.start = c - span / 2;
    clampView();
    drawZoom();
    redraw();
  }
  // Bring us into the bar: centred, or (following the playing picture) near
  // the left once it reaches the right edge.
  function ensureVisible(us, follow = false) {
    const v = tl.view;
    if (us >= v.start && us <= v.start + v.span) {
      if (!follow || us < v.start + v.span * 0.95) return;
    }
    v.start = follow ? us - v.span * 0.1 : us - v.span / 2;
    clampView();
  }
  function redraw() { if (!raf) raf = requestAnimationFrame(() => { raf = 0; paint(); }); }
  function paint() {
    if (tl.closed) return;
    paintBar(canvas, { view: tl.view, dayStart: tl.dayStart, data: tl.data, sel: tl.sel, headUs: tl.headUs, hoverX: tl.hoverX, dragging: !!tl.drag });
  }
  function showTip(x, us) {
    tip.textContent = hms(us);
    tip.hidden = false;
    const w = canvas.clientWidth;
    tip.style.left = `${Math.max(30, Math.min(w - 30, x))}px`;
  }
  const mayMark = () => tl.canExport && allows(tl.consent, 'export');

  // pointer down: on a mark → drag it; shift → a new range; else the head
  function onDown(e) {
    if (e.button !== 0) return;
    const w = canvas.clientWidth;
    const x = e.offsetX;
    const us = usOf(x, w);
    canvas.setPointerCapture(e.pointerId);
    const sel = tl.sel;
    if (sel && mayMark()) {
      for (const k of ['a', 'b']) {
        if (sel[k] !== null && Math.abs(xOf(sel[k], w) - x) <= 7) { tl.drag = { kind: k, x0: x }; return; }
      }
    }
    if (e.shiftKey && mayMark()) {
      tl.sel = { a: us, b: us };
      tl.drag = { kind: 'b', x0: x, fresh: true };
      tl.drawSel();
      redraw();
      return;
    }
    tl.drag = { kind: 'head', x0: x, moved: false };
    tl.headUs = us;
    tl.updateClock();
    showTip(x, us);
    redraw();
  }
  function onMove(e) {
    const w = canvas.clientWidth;
    const x = Math.max(0, Math.min(w, e.offsetX));
    const us = usOf(x, w);
    const drag = tl.drag;
    if (!drag) { tl.hoverX = x; showTip(x, us); redraw(); return; }
    if (Math.abs(x - drag.x0) > 3) drag.moved = true;
    if (drag.kind === 'head') {
      tl.headUs = us;
      tl.updateClock();
      showTip(x, us);
      // Scrubbing inside the buffer is instant; elsewhere wait for the release.
      if (tl.player && tl.player.state !== 'ended') tl.player.seekWithin(us);
    } else {
      tl.sel[drag.kind] = Math.round(us / 1e6) * 1e6;
      showTip(x, tl.sel[drag.kind]);
      tl.drawSel();
    }
    redraw();
  }
  function onEnd(e) {
    const d = tl.drag;
    if (!d) return;
    tl.drag = null;
    if (d.kind === 'head') {
      tl.seek(tl.headUs);
    } else {
      let sel = tl.sel;
      if (sel.a !== null && sel.b !== null && sel.a > sel.b) sel = { a: sel.b, b: sel.a };
      if (d.fresh && !d.moved && sel.a === sel.b) sel = null;
      if (sel) { sel.a = Math.round(sel.a / 1e6) * 1e6; sel.b = Math.round(sel.b / 1e6) * 1e6; }
      tl.sel = sel;
      tl.drawSel();
      redraw();
    }
    if (e.type === 'pointercancel') tip.hidden = true;
  }
  // the wheel zooms around the pointer; shift or a sideways wheel pans
  function onWheel(e) {
    e.preventDefault();
    const w = canvas.clientWidth;
    const v = tl.view;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      v.start += ((e.shiftKey ? e.deltaY : e.deltaX) / w) * v.span;
      clampView();
    } else {
      const at = usOf(e.offsetX, w);
      const span = Math.max(MIN_SPAN, Math.min(DAY_US, v.span * (e.deltaY > 0 ? 1.25 : 0.8)));
      v.start = at - ((at - v.start) / v.span) * span;
      v.span = span;
      clampView();
      drawZoom();
    }
    redraw();
  }
  // ← → with no cursor yet (a day with nothing recorded) put it at the
  // start of the part shown first, so the keys always move something.
  function step(d) {
    if (tl.headUs === null) { tl.seek(tl.view.start, { quiet: true, resume: false }); return; }
    tl.nudge(d);
  }
  function onKey(e) {
    const tg = e.target || document.body;
    if (e.defaultPrevented || /INPUT|SELECT|TEXTAREA/.test(tg.tagName || '') || tg.isContentEditable || e.ctrlKey || e.metaKey || e.altKey) return;
    if (document.querySelector('.modal-back')) return;
    // Space on a focused button, link or row presses that, not play/pause
    const onControl = tg !== canvas && tg !== document.body && !!tg.closest && !!tg.closest('button, a[href], [tabindex], summary');
    if (e.key === ' ' && !onControl) { e.preventDefault(); tl.togglePlay(); }
    else if (e.key === 'ArrowLeft') { e.preventDefault(); step(e.shiftKey ? -60e6 : -5e6); }
    else if (e.key === 'ArrowRight') { e.preventDefault(); step(e.shiftKey ? 60e6 : 5e6); }
    else if (e.key === '[' && tl.canExport) tl.mark('a');
    else if (e.key === ']' && tl.canExport) tl.mark('b');
  }
  // the bar's own keys: what a click on it does, from the keyboard
  function onBarKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'Enter') { e.preventDefault(); tl.seek(tl.headUs ?? tl.view.start); }
    else if (e.key === 'Home') { e.preventDefault(); tl.seek(tl.view.start, { quiet: true, resume: false }); }
    else if (e.key === 'End') { e.preventDefault(); tl.seek(tl.view.start + tl.view.span - 1e6, { quiet: true, resume: false }); }
  }

  canvas.addEventListener('pointerdown', onDown);
  canvas.addEventListener('pointermove', onMove);
  canvas.addEventListener('pointerup', onEnd);
  canvas.addEventListener('pointercancel', onEnd);
  canvas.addEventListener('pointerleave', () => { tl.hoverX = null; if (!tl.drag) tip.hidden = true; redraw(); });
  canvas.addEventListener('wheel', onWheel, { passive: false });
  canvas.addEventListener('keydown', onBarKey);
  document.addEventListener('keydown', onKey);
  const ro = new ResizeObserver(() => redraw());
  ro.observe(canvas);

  Object.assign(tl, { clampView, zoomTo, ensureVisible, redraw });
  return () => {
    document.removeEventListener('keydown', onKey);
    ro.disconnect();
    if (raf) cancelAnimationFrame(raf);
  };
}
