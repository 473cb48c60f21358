// The time bar: one camera's day (or the zoomed part of it) painted on a
// canvas — ruler, recorded spans, gaps (red, hatched), motion events, the
// selection, now and the play head.  Pure drawing: the page owns the state
// and input (timeline.js) and calls paintBar() on every change.
import { DAY_US, hms, hm, firstTick } from './time.js';

export const BAR_H = 78;
const Y = { label: 13, trackTop: 20, trackH: 30, evTop: 54, evH: 10 };
const xOfView = (view, us, w) => ((us - view.start) / view.span) * w;

export function paintBar(canvas, { view, dayStart, data, sel, headUs, hoverX, dragging }) {
  const w = canvas.clientWidth;
  const xOf = (us, ww) => xOfView(view, us, ww);
  if (!w) return;
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(BAR_H * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(BAR_H * dpr);
  }
  canvas.dataset.viewStartUs = String(Math.round(view.start));
  canvas.dataset.viewSpanUs = String(Math.round(view.span));
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, BAR_H);
  g.fillStyle = '#0b1220';
  g.fillRect(0, 0, w, BAR_H);
  const { trackTop: tt, trackH: th, evTop, evH } = Y;
  // nothing recorded: dark; the future (today): darker still
  g.fillStyle = '#1a2436';
  g.fillRect(0, tt, w, th);
  const nowUs = Date.now() * 1000;
  if (nowUs < view.start + view.span) {
    const x = Math.max(0, xOf(nowUs, w));
    g.fillStyle = '#0e1524';
    g.fillRect(x, tt, w - x, th);
  }
  // ticks
  const steps = [10e6, 30e6, 60e6, 120e6, 300e6, 600e6, 900e6, 1800e6, 3600e6, 7200e6, 10800e6];
  const step = steps.find((s) => (s / view.span) * w >= (s < 60e6 ? 84 : 64)) || 10800e6;
  const minor = steps.filter((s) => s < step).reverse().find((s) => step % s === 0 && (s / view.span) * w >= 10) || 0;
  g.font = '11px ui-monospace, "DejaVu Sans Mono", monospace';
  g.textBaseline = 'alphabetic';
  if (minor) {
    g.fillStyle = '#334155';
    for (let u = firstTick(view.start, minor); u <= view.start + view.span; u += minor) {
      const x = Math.round(xOf(u, w)) + 0.5;
      g.fillRect(x, tt - 3, 1, 3);
    }
  }
  for (let u = firstTick(view.start, step); u <= view.start + view.span; u += step) {
    const x = Math.round(xOf(u, w)) + 0.5;
    g.fillStyle = '#475569';
    g.fillRect(x, tt - 6, 1, 6);
    g.fillStyle = 'rgba(148,163,184,.12)';
    g.fillRect(x, tt, 1, th);
    const label = u === dayStart + DAY_US ? '24:00' : step < 60e6 ? hms(u) : hm(u);
    g.fillStyle = '#94a3b8';
    const tw = g.measureText(label).width;
    if (x - tw / 2 > 0 && x + tw / 2 < w) g.fillText(label, x - tw / 2, Y.label);
  }
  // recorded spans
  g.fillStyle = '#2563eb';
  for (const s of data.segments) {
    const x0 = xOf(s.start_us, w), x1 = xOf(s.end_us, w);
    if (x1 < 0 || x0 > w) continue;
    g.fillRect(Math.max(0, x0), tt + 3, Math.max(1, Math.min(w, x1) - Math.max(0, x0)), th - 6);
  }
  // gaps: red, hatched
  for (const gp of data.gaps) {
    const x0 = Math.max(0, xOf(gp.start_us, w)), x1 = Math.min(w, xOf(gp.end_us, w));
    if (x1 < 0 || x0 > w) continue;
    const ww = Math.max(2, x1 - x0);
    g.fillStyle = 'rgba(239,68,68,.35)';
    g.fillRect(x0, tt + 3, ww, th - 6);
    g.save();
    g.beginPath(); g.rect(x0, tt + 3, ww, th - 6); g.clip();
    g.strokeStyle = 'rgba(248,113,113,.8)';
    g.lineWidth = 1;
    for (let k = x0 - th; k < x0 + ww; k += 6) { g.beginPath(); g.moveTo(k, tt + th - 3); g.lineTo(k + th - 6, tt + 3); g.stroke(); }
    g.restore();
    g.fillStyle = '#ef4444';
    g.fillRect(x0, tt + 3, Math.min(2, ww), th - 6);
  }
  // events
  g.fillStyle = 'rgba(245,158,11,.22)';
  g.fillRect(0, evTop, w, 0);
  for (const e of data.events) {
    const a = e.start_us ?? e.peak_us, b = e.end_us ?? a;
    const x0 = xOf(a, w), x1 = xOf(b, w);
    if (x1 < -2 || x0 > w + 2) continue;
    g.fillStyle = '#f59e0b';
    g.fillRect(x0, evTop + 2, Math.max(2, x1 - x0), evH - 4);
    if (e.peak_us != null) {
      const xp = xOf(e.peak_us, w);
      g.beginPath(); g.moveTo(xp, evTop - 2); g.lineTo(xp - 3.5, evTop + 3); g.lineTo(xp + 3.5, evTop + 3); g.closePath(); g.fill();
    }
  }
  // selection
  if (sel && (sel.a !== null || sel.b !== null)) {
    const a = sel.a ?? sel.b, b = sel.b ?? sel.a;
    const x0 = xOf(Math.min(a, b), w), x1 = xOf(Math.max(a, b), w);
    g.fillStyle = 'rgba(250,204,21,.18)';
    g.fillRect(x0, tt - 2, Math.max(1, x1 - x0), BAR_H - tt);
    g.fillStyle = '#facc15';
    for (const [x, v] of [[x0, sel.a], [x1, sel.b]]) {
      if (v === null) continue;
      g.fillRect(Math.round(x) - 1, tt - 4, 2, BAR_H - tt + 4);
      g.fillRect(Math.round(x) - 4, tt + th / 2 - 7, 8, 14);
      g.fillStyle = '#0b1220';
      g.fillRect(Math.round(x) - 1, tt + th / 2 - 4, 2, 8);
      g.fillStyle = '#facc15';
    }
  }
  // now (today)
  if (nowUs > view.start && nowUs < view.start + view.span) {
    const x = Math.round(xOf(nowUs, w)) + 0.5;
    g.strokeStyle = 'rgba(34,197,94,.9)'; g.setLineDash([3, 3]); g.lineWidth = 1;
    g.beginPath(); g.moveTo(x, tt - 4); g.lineTo(x, BAR_H); g.stroke(); g.setLineDash([]);
  }
  // hover
  if (hoverX !== null && !dragging) {
    g.fillStyle = 'rgba(255,255,255,.35)';
    g.fillRect(Math.round(hoverX), tt - 4, 1, BAR_H - tt + 4);
  }
  // play head
  if (headUs !== null) {
    const x = Math.round(xOf(headUs, w));
    if (x >= -6 && x <= w + 6) {
      g.fillStyle = '#fff';
      g.fillRect(x - 1, tt - 6, 2, BAR_H - tt + 6);
      g.beginPath(); g.moveTo(x - 6, tt - 9); g.lineTo(x + 6, tt - 9); g.lineTo(x, tt - 2); g.closePath(); g.fill();
    }
  }
}

