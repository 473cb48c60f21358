// Address search on a map (issue 17 item 8): the officer types "Lê Lợi" (or
// "le loi") and lands there.  GET /api/v1/places answers from what the
// station knows — the imported street list, and the cameras, owners and
// incidents the caller may see — matched without marks or case; the list
// shows each place's kind, and choosing one centres the map on it with a
// marker that says what it is.
import * as L from 'leaflet';

export const placeStrings = {
  vi: {
    'places.label': 'Tìm địa chỉ',
    'places.placeholder': 'Tên đường, camera, chủ camera, vụ việc…',
    'places.none': 'Không tìm thấy địa điểm nào.',
    'places.kind.street': 'Đường',
    'places.kind.camera': 'Camera',
    'places.kind.owner': 'Chủ camera',
    'places.kind.incident': 'Vụ việc',
    'places.no_position': 'chưa có tọa độ',
  },
  en: {
    'places.label': 'Find an address',
    'places.placeholder': 'Street, camera, camera owner, incident…',
    'places.none': 'No place found.',
    'places.kind.street': 'Street',
    'places.kind.camera': 'Camera',
    'places.kind.owner': 'Camera owner',
    'places.kind.incident': 'Incident',
    'places.no_position': 'no position yet',
  },
};

// The search box and its result list, bound to a Leaflet map.  Keyboard:
// type, arrow down into the list, Enter chooses.
export function placeSearch(ctx, map) {
  const { api, t, h, ui } = ctx;
  const results = h('div', { id: 'place-results', class: 'place-results', role: 'listbox', 'aria-label': t('places.label') });
  const input = h('input', {
    id: 'place-q', type: 'search', autocomplete: 'off', placeholder: t('places.placeholder'),
    'aria-label': t('places.label'), 'aria-controls': 'place-results',
  });
  let timer = 0;
  let seq = 0;
  let pin = null;

  function land(p) {
    if (p.latitude == null) return;
    if (pin) pin.remove();
    pin = L.circleMarker([p.latitude, p.longitude], { radius: 11, color: '#7c3aed', weight: 3, fillOpacity: 0.15 })
      .bindTooltip(`${t(`places.kind.${p.kind}`)}: ${p.name}`, { permanent: true, direction: 'top' }).addTo(map);
    map.setView([p.latitude, p.longitude], Math.max(map.getZoom(), 17));
    ui.clear(results);
    input.value = p.name;
  }

  async function search() {
    const q = input.value.trim();
    const mine = ++seq;
    if (q.length < 2) { ui.clear(results); return; }
    let places = [];
    try { places = (await api.get(`/api/v1/places?q=${encodeURIComponent(q)}`)).places; } catch (ex) { ui.showError(ex); return; }
    if (mine !== seq) return;          // a newer query is on its way
    ui.clear(results);
    if (!places.length) { results.append(h('div', { class: 'muted', id: 'place-none' }, t('places.none'))); return; }
    for (const p of places) {
      const where = p.latitude == null ? ` (${t('places.no_position')})` : '';
      results.append(h('button', {
        type: 'button', class: 'place-hit', role: 'option', 'data-kind': p.kind, disabled: p.latitude == null,
        onclick: () => land(p),
      }, h('span', { class: 'badge' }, t(`places.kind.${p.kind}`)), ' ', p.name, p.detail ? h('span', { class: 'muted' }, ` — ${p.detail}`) : '', where));
    }
  }

  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 250); });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); clearTimeout(timer); search(); }
    if (e.key === 'ArrowDown') { const first = results.querySelector('button'); if (first) { e.preventDefault(); first.focus(); } }
  });
  results.addEventListener('keydown', (e) => {
    const items = [...results.querySelectorAll('button')];
    const i = items.indexOf(document.activeElement);
    if (e.key === 'ArrowDown' && i < items.length - 1) { e.preventDefault(); items[i + 1].focus(); }
    if (e.key === 'ArrowUp') { e.preventDefault(); (i > 0 ? items[i - 1] : input).focus(); }
  });
  return h('div', { class: 'place-search' }, h('label', { class: 'field-inline', for: 'place-q' }, `${t('places.label')} `, input), results);
}
