// station: the station's clock, the one place the console knows its UTC
// offset.  The server says it in the session answer
// (GET/POST /api/v1/session → "station": {"utc_offset_min"}); app.js hands
// it to setStationOffset() before any page renders, so every date shown or
// typed is station time whatever zone the browser is in.
//
//   stationParts(ms)          → { y, mo, d, h, mi, s } in station time
//   fromStation(y, mo, d, h, mi, s) → epoch ms
//   isoStation(ms)            → "2026-11-25T08:15:02.000+07:00" (as the API takes it)
//   parseStationIso(s)        → epoch ms of an ISO text; no zone = station time
//
// Times are epoch milliseconds unless a name says otherwise.
let offsetMin = null;

// Called once the session answer is in.  A missing or odd value is kept
// out: the console would otherwise show every time shifted without a word.
export function setStationOffset(min) {
  if (Number.isInteger(min) && Math.abs(min) <= 14 * 60) offsetMin = min;
}

// The offset in minutes.  Before any session answer (the sign-in page shows
// no times) it is 0, so a page that forgot to wait shows UTC rather than
// a guess.
export function stationOffsetMin() { return offsetMin ?? 0; }
export function stationOffsetMs() { return stationOffsetMin() * 60e3; }

const pad = (n, w = 2) => String(n).padStart(w, '0');

// "+07:00" for +420.
export function stationZone() {
  const m = stationOffsetMin();
  const a = Math.abs(m);
  return `${m < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

export function stationParts(ms) {
  const d = new Date(ms + stationOffsetMs());
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
}

export function fromStation(y, mo, d, h = 0, mi = 0, s = 0) {
  return Date.UTC(y, mo - 1, d, h, mi, s) - stationOffsetMs();
}

// The start (epoch ms) of the station day holding ms.
export function stationDayStart(ms) {
  const p = stationParts(ms);
  return fromStation(p.y, p.mo, p.d);
}

// "2026-11-25" (station day of ms).
export function stationDayKey(ms) {
  const p = stationParts(ms);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}`;
}

export function isoStation(ms) {
  return new Date(Math.round(ms + stationOffsetMs())).toISOString().replace('Z', stationZone());
}

export function parseStationIso(v) {
  if (!v) return null;
  let s = String(v);
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(s)) s += stationZone();
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : ms;
}
