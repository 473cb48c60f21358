// Pieces of the timeline page that only show data: the motion-event and
// gap tables under the player, the export result card, and the length and
// size texts.  They take what they show and callbacks; the page keeps the
// state (timeline.js).
import { h } from '../../lib/ui.js';
import { t, fmtNum, fmtDateTime } from '../../lib/i18n.js';
import { I } from './strings.js';
import { hms, parseTimeParam } from './time.js';

// "1 giờ 5 phút" / "12 giây"
export function fmtDur(us) {
  let s = Math.round(us / 1e6);
  const H = Math.floor(s / 3600), M = Math.floor(s / 60) % 60; s %= 60;
  return [H ? t('tl.dur.h', { n: H }) : null, M ? t('tl.dur.m', { n: M }) : null, (s || (!H && !M)) ? t('tl.dur.s', { n: s }) : null].filter(Boolean).join(' ');
}
export function fmtBytes(b) {
  if (b == null) return '';
  return b >= 1e9 ? `${fmtNum(b / 1e9, 1)} GB` : b >= 1e6 ? `${fmtNum(b / 1e6, 1)} MB` : `${fmtNum(b / 1e3, 1)} kB`;
}
// A zone's name as the detector stores it; 'all' is the whole picture.
export const zoneName = (z) => (!z ? '—' : z === 'all' ? t('zone.all') : z);

// The day's motion events; a click plays the event.
export function eventsTable(events, onPick) {
  if (!events.length) return h('div', { class: 'muted tl-none' }, t('tl.events_none'));
  return h('table', { class: 'grid tl-table' },
    h('thead', {}, h('tr', {}, h('th', {}, t('tl.col.time')), h('th', { class: 'num' }, t('tl.col.dur')), h('th', {}, t('tl.col.zone')))),
    h('tbody', {}, events.map((e) => h('tr', { class: 'clickable', onclick: () => onPick(e) },
      h('td', { class: 'mono' }, hms(e.peak_us ?? e.start_us)),
      h('td', { class: 'num' }, fmtDur((e.end_us ?? e.start_us) - e.start_us)),
      h('td', {}, zoneName(e.zone))))));
}

// The day's missing recordings with their reason; a click zooms to the gap.
export function gapsTable(gaps, onPick) {
  if (!gaps.length) return h('div', { class: 'muted tl-none' }, t('tl.gaps_none'));
  return h('table', { class: 'grid tl-table' },
    h('thead', {}, h('tr', {}, h('th', {}, t('tl.col.time')), h('th', { class: 'num' }, t('tl.col.dur')), h('th', {}, t('tl.col.reason')))),
    h('tbody', {}, gaps.map((g) => h('tr', { class: 'clickable', onclick: () => onPick(g) },
      h('td', { class: 'mono' }, `${hms(g.start_us)} – ${hms(g.end_us)}`),
      h('td', { class: 'num' }, fmtDur(g.end_us - g.start_us)),
      h('td', {}, g.reason || '—')))));
}

// What an export answered (x = the export row), for the officer to download
// and note the SHA-256; sel is the range asked for, used when x lacks one.
export function exportCard(cam, x, sel) {
  const from = parseTimeParam(x.from) ?? sel.a;
  const to = parseTimeParam(x.to) ?? sel.b;
  return [
    h('div', { class: 'tl-export-head' },
      h('strong', {}, `${t('tl.export_title')} #${x.id}`),
      h('span', { class: 'muted' }, `${cam.name} · ${fmtDateTime(from / 1000)} → ${hms(to)}${x.bytes != null ? ` · ${fmtBytes(x.bytes)}` : ''}`)),
    h('div', { class: 'tl-export-sha' }, h('span', { class: 'muted' }, `${t('tl.export_sha')}: `), h('code', { id: 'tl-export-sha' }, x.sha256 || '')),
    h('div', { class: 'tl-export-links' },
      h('a', { class: 'btn btn-primary', id: 'tl-export-file', href: x.file_url, download: '', html: `${I.export}<span>${t('tl.export_file')}</span>` }),
      h('a', { class: 'btn', id: 'tl-export-manifest', href: x.manifest_url, download: '' }, t('tl.export_manifest'))),
    h('p', { class: 'muted tl-export-note' }, t('tl.export_note'))];
}
