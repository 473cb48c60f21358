// Every ward's cameras on one map (GET /api/v1/province/map), coloured by
// state, each ward outlined around its cameras.  The map is the station
// console's (web/pages/map.js: makeMap, wedge, wardOutlines, asText): the
// hub serves no tiles and has no map settings, so makeMap draws the plain
// coordinate grid the station uses on a closed network — nothing comes from
// the internet.  Clicking a camera opens the picture panel (onPick).
import * as L from 'leaflet';
import { makeMap, wedge, wardOutlines, asText } from '../pages/map.js';
import { $, el } from './util.js';

// The replicated states (online, dark, unknown) in the station map's colours.
const COLOUR = { online: '#16a34a', dark: '#dc2626', unknown: '#94a3b8' };
const STATE = { dark: 'Mất tín hiệu', online: 'Hoạt động', unknown: 'Chưa rõ' };

let view = null;   // { map, layer, outlines }

// makeMap asks for the station's map settings; at the hub there are none.
const noSettings = { get: async () => { throw new Error('the hub has no map settings'); } };

function legend() {
  $('map-legend').replaceChildren(...Object.entries(STATE).map(([s, t]) =>
    el('span', {}, el('i', { class: 'dot', style: `background:${COLOUR[s]}`, 'aria-hidden': 'true' }), ` ${t}`)));
}

export async function loadMap(cams, onPick) {
  const box = $('map');
  if (!view) {
    const { map } = await makeMap(box, noSettings);
    view = { map, layer: L.layerGroup().addTo(map), outlines: null };
    legend();
  }
  const { map, layer } = view;
  // measured now: the map was made while the page laid out, and labels
  // placed on a stale size stay where they were put
  map.invalidateSize();
  layer.clearLayers();
  if (view.outlines) view.outlines.remove();
  const placed = cams.filter((c) => typeof c.latitude === 'number' && typeof c.longitude === 'number');
  // the view first: Leaflet adds layers (and makes their elements) only once the map has one
  if (placed.length) map.fitBounds(L.latLngBounds(placed.map((c) => [c.latitude, c.longitude])).pad(0.15), { maxZoom: 17 });
  else map.setView([16.0, 106.0], 6);
  // a ward is (station, ward): ward ids are the station's own
  const key = (c) => `${c.station}/${c.ward_id}`;
  const wards = [...new Map(placed.filter((c) => c.ward_id != null).map((c) => [key(c), { id: key(c), name: c.ward ?? '' }])).values()];
  view.outlines = wardOutlines(map, placed.map((c) => ({ ...c, ward_id: key(c) })), wards);
  for (const c of placed) {
    const colour = COLOUR[c.state] ?? COLOUR.unknown;
    if (typeof c.direction_deg === 'number') wedge(c.latitude, c.longitude, c.direction_deg, 45, colour).addTo(layer);
    const m = L.circleMarker([c.latitude, c.longitude], { radius: 8, color: '#0f172a', weight: 1, fillColor: colour, fillOpacity: 0.95 })
      .bindTooltip(asText(`${c.name} · ${c.station_name ?? c.station} · ${STATE[c.state] ?? c.state}`))
      .on('click', () => onPick(c)).addTo(layer);
    // the marker is a button for the keyboard too, and tests find it by its camera
    const path = m.getElement?.();
    if (path) {
      path.setAttribute('data-camera', `${c.station}/${c.id}`);
      path.setAttribute('data-state', c.state);
      path.setAttribute('tabindex', '0');
      path.setAttribute('role', 'button');
      path.setAttribute('aria-label', `Camera ${c.name}, ${STATE[c.state] ?? c.state}`);
      path.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onPick(c); } });
    }
  }
  const missing = cams.length - placed.length;
  $('map-note').textContent = missing ? `${missing} camera chưa có toạ độ nên không hiện trên bản đồ.` : '';
  box.dataset.cameras = String(placed.length);
}

// At sign-out the map goes with everything on it (markers, ward labels):
// the next user's map is made afresh from their own cameras.
export function clearMap() {
  if (view) view.map.remove();
  view = null;
  const box = $('map');
  box.replaceChildren();
  delete box.dataset.cameras;
  $('map-note').textContent = '';
}
