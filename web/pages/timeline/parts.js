// Pieces of the timeline page that only show data: the motion-event and
// gap tables under the player, the export result card, and the length and
// size texts.  They take what they show and callbacks; the page keeps the
// state (timeline.js).
import { h } from '../../lib/ui.js';
import { t, fmtNum, fmtDateTime } from '../../lib/i18n.js';
import { I } from './strings.js';
import { DAY_US, MIN_SPAN, hms, parseTimeParam } from './time.js';
import { reasonText } from '../../lib/errors.js';

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

// The day's motion events; a click plays the event.  onHold (null for a
// role that can't place holds): a "Giữ" button per event.
export function eventsTable(events, onPick, onHold = null) {
  if (!events.length) return h('div', { class: 'muted tl-none' }, t('tl.events_none'));
  return h('table', { class: 'grid tl-table' },
    h('thead', {}, h('tr', {}, h('th', {}, t('tl.col.time')), h('th', { class: 'num' }, t('tl.col.dur')), h('th', {}, t('tl.col.zone')),
      onHold ? h('th', {}, h('span', { class: 'sr-only' }, t('tl.hold'))) : null)),
    h('tbody', {}, events.map((e) => h('tr', { class: 'clickable', onclick: () => onPick(e) },
      h('td', { class: 'mono' }, hms(e.peak_us ?? e.start_us)),
      h('td', { class: 'num' }, fmtDur((e.end_us ?? e.start_us) - e.start_us)),
      h('td', {}, zoneName(e.zone)),
      onHold ? h('td', {}, h('button', { type: 'button', class: 'btn btn-small tl-event-hold', 'data-event': e.id ?? '',
        onclick: (ev) => { ev.stopPropagation(); onHold(e); } }, t('tl.hold'))) : null))));
}

// The day's missing recordings with their reason; a click zooms to the gap.
export function gapsTable(gaps, onPick) {
  if (!gaps.length) return h('div', { class: 'muted tl-none' }, t('tl.gaps_none'));
  return h('table', { class: 'grid tl-table' },
    h('thead', {}, h('tr', {}, h('th', {}, t('tl.col.time')), h('th', { class: 'num' }, t('tl.col.dur')), h('th', {}, t('tl.col.reason')))),
    h('tbody', {}, gaps.map((g) => h('tr', { class: 'clickable', onclick: () => onPick(g) },
      h('td', { class: 'mono' }, `${hms(g.start_us)} – ${hms(g.end_us)}`),
      h('td', { class: 'num' }, fmtDur(g.end_us - g.start_us)),
      h('td', { title: g.reason || '' }, g.reason ? reasonText(g.reason_code, g.reason) : '—')))));
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

// The day's lists under the player (motion events, missing recordings) and
// the "recorded: 3 giờ 5 phút" summary.  listsPart(tl) builds them and adds
// drawLists to the page object (timeline.js explains `tl`): an event plays
// from two seconds before it; a gap zooms to show it.
export function listsPart(tl) {
  const evList = h('div', { class: 'tl-list', id: 'tl-events' });
  const gapList = h('div', { class: 'tl-list', id: 'tl-gaps' });
  tl.drawLists = () => {
    const { data, dayStart } = tl;
    evList.replaceChildren(eventsTable(data.events, (e) => { tl.seek((e.start_us ?? e.peak_us) - 2e6); tl.zoomTo(Math.min(tl.view.span, 3600e6), tl.headUs); },
      tl.holdRange ? (e) => tl.holdRange((e.start_us ?? e.peak_us) - 10e6, (e.end_us ?? e.start_us) + 10e6) : null));
    gapList.replaceChildren(gapsTable(data.gaps, (g) => tl.zoomTo(Math.max(MIN_SPAN, Math.min(DAY_US, (g.end_us - g.start_us) * 4)), (g.start_us + g.end_us) / 2)));
    const rec = data.segments.reduce((s, g) => s + Math.max(0, Math.min(g.end_us, dayStart + DAY_US) - Math.max(g.start_us, dayStart)), 0);
    tl.el.recSummary.textContent = rec ? t('tl.recorded', { d: fmtDur(rec) }) : '';
  };
  return h('div', { class: 'tl-lists' },
    h('div', { class: 'card-box' }, h('h2', {}, t('tl.events')), evList),
    h('div', { class: 'card-box' }, h('h2', {}, t('tl.gaps')), gapList));
}
