// Sidebar icons: 24×24 stroke paths (drawn for wardwatch, no icon font).
const P = {
  live: '<circle cx="12" cy="12" r="3"/><path d="M5.6 5.6a9 9 0 0 0 0 12.8M18.4 5.6a9 9 0 0 1 0 12.8M8.5 8.5a5 5 0 0 0 0 7M15.5 8.5a5 5 0 0 1 0 7"/>',
  playback: '<path d="M3 12a9 9 0 1 0 3-6.7"/><path d="M3 4v5h5"/><path d="M10 9l5 3-5 3z"/>',
  events: '<path d="M13 2 4 14h7l-1 8 9-12h-7z"/>',
  zones: '<path d="M4.5 6.5 13 3.5l6.5 7.5-4.5 8.5-10-3z" stroke-dasharray="3 2"/><circle cx="4.5" cy="6.5" r="1.7"/><circle cx="13" cy="3.5" r="1.7"/><circle cx="19.5" cy="11" r="1.7"/><circle cx="15" cy="19.5" r="1.7"/><circle cx="5" cy="16.5" r="1.7"/>',
  camera: '<path d="M3 7h11l3 3v4l-3 3H3z"/><path d="M17 10l4-2v8l-4-2"/>',
  health: '<path d="M3 12h4l2-5 4 10 2-5h6"/>',
  map: '<path d="M9 4 3 6v14l6-2 6 2 6-2V4l-6 2z"/><path d="M9 4v14M15 6v14"/>',
  incidents: '<path d="M12 3 2 20h20z"/><path d="M12 10v4M12 17v.5"/>',
  stats: '<path d="M4 20V10M10 20V4M16 20v-7M22 20H2"/>',
  criteria: '<path d="M9 11l2 2 4-4"/><rect x="4" y="3" width="16" height="18" rx="2"/>',
  audit: '<path d="M6 3h9l4 4v14H6z"/><path d="M9 11h7M9 15h7M9 7h3"/>',
  users: '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20a6.5 6.5 0 0 1 13 0"/><path d="M16 4.5a3.5 3.5 0 0 1 0 7M18 14a6 6 0 0 1 4 6"/>',
  logout: '<path d="M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10"/>',
  shield: '<path d="M12 2 4 5v6c0 5 3.4 9.3 8 11 4.6-1.7 8-6 8-11V5z"/><path d="m12 7 1.4 2.9 3.1.4-2.3 2.2.6 3.1L12 14l-2.8 1.6.6-3.1-2.3-2.2 3.1-.4z"/>',
};
export function icon(name, cls = 'icon') {
  return `<svg class="${cls}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${P[name] || ''}</svg>`;
}
