// consent: what each camera's owner allows NOW, as the server says it, so a
// page can disable an action (with the reason shown) before the officer
// tries it rather than after a refusal (issue 17 item 7).  The server still
// decides every request (403 no_consent); this only shows its rule early.
//
//   const all = await consentMap(api);          // Map camera id → now
//   allows(all.get(id), 'export')               // true | false
//   const now = await consentOf(api, id);       // one camera
//   reason('export')                            // the sentence to show
//
// "now" is {station_own, in_force, live, record, export, playback, until}
// (docs/api.md, GET /api/v1/cameras/{id}/consents).  Rights: 'live',
// 'playback', 'export', 'record'.
import { t } from './i18n.js';

// All cameras the user may see, in one request (the community list carries
// each camera's consent now).  A failure leaves the map empty: unknown
// consent is shown as unknown, and the server still refuses what it must.
export async function consentMap(api) {
  const m = new Map();
  try {
    const r = await api.get('/api/v1/community/cameras');
    for (const c of r.cameras || []) if (c.consent) m.set(c.id, c.consent);
  } catch { /* unknown: nothing disabled ahead of the server */ }
  return m;
}

export async function consentOf(api, cameraId) {
  try {
    return (await api.get(`/api/v1/cameras/${cameraId}/consents`)).now || null;
  } catch {
    return null;
  }
}

// Unknown consent (null) allows: the console does not guess a refusal.
export function allows(now, right) {
  return !now || !!now[right];
}

export function reason(right) {
  return t(`consent.reason.${right}`);
}
