// Sidebar icons: 24×24 stroke paths (drawn for wardwatch, no icon font).
const P = {
  live: '<circle cx="12" cy="12" r="3"/><path d="M5.6 5.6a9 9 0 0 0 0 12.8M18.4 5.6a9 9 0 0 1 0 12.8M8.5 8.5a5 5 0 0 0 0 7M15.5 8.5a5 5 0 0 1 0 7"/>',
  playback: '<path d="M3 12a9 9 0 1 0 3-6.7"/><path d="M3 4v5h5"/><path d="M10 9l5 3-5 3z"/>',
  events: '<path d="M13 2 4 14h7l-1 8 9-12h-7z"/>',
  zones: '<path d="M4.5 6.5 13 3.5l6.5 7.5-4.5 8.5-10-3z" stroke-dasharray="3 2"/><circle cx="4.5" cy="6.5" r="1.7"/><circle cx="13" cy="3.5" r="1.7"/><circle cx="19.5" cy="11" r="1.7"/><circle cx="15" cy="19.5" r="1.7"/><circle cx="5" cy="16.5" r="1.7"/>',
  camera: '<path d="M3 7h11l3 3v4l-3 3H3z"/><path d="M17 10l4-2v8l-4-2"/>',
  health: '<path d="M3 12h4l2-5 4 10 2-5h6"/>',
  storage: '<ellipse cx="12" cy="5" rx="8" ry="3"/><path d="M4 5v14c0 1.7 3.6 3 8 3s8-1.3 8-3V5"/><path d="M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3"/>',
  map: '<path d="M9 4 3 6v14l6-2 6 2 6-2V4l-6 2z"/><path d="M9 4v14M15 6v14"/>',
  // "Đã thấy gì ở đây?": a magnifier over a place pin (the map keeps the folded map)
  search: '<path d="M9 2.5a5 5 0 0 0-5 5c0 3.6 5 8.5 5 8.5s5-4.9 5-8.5a5 5 0 0 0-5-5z"/><circle cx="9" cy="7.5" r="1.6"/><circle cx="17" cy="17" r="3.5"/><path d="m19.5 19.5 2.5 2.5"/>',
  // alerts: a bell (incidents keep the warning triangle)
  alerts: '<path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z"/><path d="M10 20.5a2 2 0 0 0 4 0"/>',
  // the owner's own cameras: a house (the camera list keeps the camera)
  owner: '<path d="M3 11.5 12 4l9 7.5"/><path d="M5.5 9.5V20h13V9.5"/><path d="M9.5 20v-5.5h5V20"/>',
  incidents: '<path d="M12 3 2 20h20z"/><path d="M12 10v4M12 17v.5"/>',
  stats: '<path d="M4 20V10M10 20V4M16 20v-7M22 20H2"/>',
  criteria: '<path d="M9 11l2 2 4-4"/><rect x="4" y="3" width="16" height="18" rx="2"/>',
  audit: '<path d="M6 3h9l4 4v14H6z"/><path d="M9 11h7M9 15h7M9 7h3"/>',
  users: '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20a6.5 6.5 0 0 1 13 0"/><path d="M16 4.5a3.5 3.5 0 0 1 0 7M18 14a6 6 0 0 1 4 6"/>',
  menu: '<path d="M4 6h16M4 12h16M4 18h16"/>',
  logout: '<path d="M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10"/>',
  shield: '<path d="M12 2 4 5v6c0 5 3.4 9.3 8 11 4.6-1.7 8-6 8-11V5z"/><path d="m12 7 1.4 2.9 3.1.4-2.3 2.2.6 3.1L12 14l-2.8 1.6.6-3.1-2.3-2.2 3.1-.4z"/>',
};
export function icon(name, cls = 'icon') {
  return `<svg class="${cls}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${P[name] || ''}</svg>`;
}
