// Station-time helpers for the timeline, in µs since the epoch (UTC).  The
// offset comes from lib/station.js (the server's), read at each call so a
// value set after import is the one used.
import { stationOffsetMs, isoStation, parseStationIso } from '../../lib/station.js';

export const DAY_US = 86400e6;
export const MIN_SPAN = 5 * 60e6;

const offUs = () => stationOffsetMs() * 1000;
const pad = (n, w = 2) => String(n).padStart(w, '0');

// "YYYY-MM-DD" (a station day) → µs of its start, and back
export const dayStartOf = (d) => { const [y, m, dd] = d.split('-').map(Number); return Date.UTC(y, m - 1, dd) * 1000 - offUs(); };
export const dateOf = (us) => new Date((us + offUs()) / 1000).toISOString().slice(0, 10);
export const today = () => dateOf(Date.now() * 1000);
export const shiftDay = (d, k) => dateOf(dayStartOf(d) + k * DAY_US + 3600e6);
// ISO 8601 in station time, as the API takes it: 2026-11-25T08:15:02.000+07:00
export const isoOf = (us) => isoStation(us / 1000);
// "08:15:02" / "08:15" of µs, station time
export const hms = (us) => { const s = Math.floor(((us + offUs()) % DAY_US + DAY_US) % DAY_US / 1e6); return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`; };
export const hm = (us) => hms(us).slice(0, 5);
export const validDate = (d) => /^\d{4}-\d{2}-\d{2}$/.test(d || '') && !Number.isNaN(dayStartOf(d)) && dateOf(dayStartOf(d)) === d;
// The first tick at or after us of a grid of `step` µs aligned to station midnight.
export const firstTick = (us, step) => Math.ceil((us + offUs()) / step) * step - offUs();

// ?at= : epoch seconds, or ISO (no zone = station time) → µs; else null
export function parseTimeParam(v) {
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1e6;
  const ms = parseStationIso(v);
  return ms == null ? null : ms * 1000;
}
