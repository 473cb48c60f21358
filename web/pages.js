// The page registry: one line per page.  The shell builds the sidebar from
// it (in this order, grouped by section), routes #/<name> to it, and loads
// the module on first visit.  A page is web/pages/<name>.js exporting
//     export default { title: 'nav.<name>', render(el, ctx) { … } }
// (see web/README.md).  `roles` lists who sees it in the navigation; the
// server refuses the APIs behind it anyway.  A listed page whose file does
// not exist yet shows "not part of this version yet".
const ALL = ['admin', 'province', 'officer', 'viewer', 'owner'];
const WATCH = ['admin', 'province', 'officer', 'viewer'];
const STAFF = ['admin', 'province', 'officer'];

export const pages = [
  { name: 'live', section: 'watch', icon: 'live', roles: WATCH },
  { name: 'timeline', section: 'watch', icon: 'playback', roles: WATCH },
  { name: 'events', section: 'watch', icon: 'events', roles: WATCH },
  { name: 'motion', section: 'watch', icon: 'zones', roles: WATCH },
  { name: 'cameras', section: 'watch', icon: 'camera', roles: ALL },
  { name: 'health', section: 'watch', icon: 'health', roles: ['admin', 'province', 'officer', 'owner'] },
  { name: 'storage', section: 'watch', icon: 'storage', roles: STAFF },
  { name: 'map', section: 'watch', icon: 'map', roles: WATCH },
  { name: 'search', section: 'watch', icon: 'search', roles: WATCH },
  { name: 'alerts', section: 'watch', icon: 'alerts', roles: ALL },
  { name: 'owner', section: 'watch', icon: 'owner', roles: ['owner'] },
  { name: 'incidents', section: 'ward', icon: 'incidents', roles: STAFF },
  { name: 'stats', section: 'ward', icon: 'stats', roles: STAFF },
  { name: 'criteria', section: 'ward', icon: 'criteria', roles: STAFF },
  { name: 'audit', section: 'admin', icon: 'audit', roles: ['admin', 'owner'] },
  { name: 'users', section: 'admin', icon: 'users', roles: ['admin'] },
];

// The page a user lands on: the first of these they may open.
export const HOME = ['live', 'cameras'];

// Loads a page module.  Static paths (not a template) so that a missing file
// is a clean rejection the shell can show.
export function loadPage(name) {
  return import(`./pages/${name}.js`);
}
