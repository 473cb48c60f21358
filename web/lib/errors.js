// errors: what the console says when something fails or a camera is down,
// always from a code with a Vietnamese and an English text (issue 17 item
// 6) — never the server's English message, which stays for API users and
// is kept on the error as `serverMessage` (and in the element's title).
//   apiErrorText({ status, code, reason, field }) → "Cần điền «Nội dung»."
//   reasonText('refused', 'connection refused: …') → "Camera từ chối kết nối…"
// The server's codes: error.code (bad_request, no_consent, offline …),
// error.reason (required, range, consent_ended, refused …) and error.field
// (the request field, or the use for a consent refusal); camera states'
// reason_code (engine_reason_code in src/engine/engine.h).
import { t, hasKey } from './i18n.js';

// A field's label: the console's own words for it, else a neutral "a field".
export function fieldLabel(field) {
  if (!field) return '';
  return hasKey(`field.${field}`) ? t(`field.${field}`) : t('field.unknown');
}

export function apiErrorText({ status, code, reason, field } = {}) {
  const vars = { field: fieldLabel(field), use: field && hasKey(`use.${field}`) ? t(`use.${field}`) : '' };
  const keys = [reason && `err.reason.${reason}`, reason && `reason.${reason}`, code && `err.${code}`, status && `err.http.${status}`];
  for (const k of keys) if (k && hasKey(k)) return t(k, vars);
  return t('err.unknown');
}

// A failed connection probe, from its error_code (community/community.h).
export function probeText(code) {
  return hasKey(`probe.${code}`) ? t(`probe.${code}`) : t('probe.camera_error');
}

// Why a camera is offline or in error, from its reason code.
export function reasonText(code, text) {
  if (code && hasKey(`reason.${code}`)) return t(`reason.${code}`);
  return text ? t('reason.other') : '';
}
