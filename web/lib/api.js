// api: the fetch wrapper every page uses.
//   const cams = await api.get('/api/v1/cameras');
//   await api.post('/api/v1/cameras', { name, main_url });
// JSON in and out; state-changing calls carry Content-Type: application/json
// or X-Requested-With (the server's CSRF rule).  A 401 anywhere means the
// session ended: the shell asks for the password again in a dialog over
// whatever is open (issue 17 item 3) and, once signed in, the request is
// sent again — a form being saved simply finishes, nothing typed is lost.
// Other errors throw ApiError with the server's { code, message } and the
// HTTP status.
// Its message is the console's own text for the code (lib/errors.js), in the
// language shown; the server's English stays in serverMessage.
import { apiErrorText } from './errors.js';

export class ApiError extends Error {
  constructor(status, code, message, headers, detail = {}) {
    super(apiErrorText({ status, code, reason: detail.reason, field: detail.field }));
    this.status = status;
    this.code = code;
    this.reason = detail.reason;
    this.field = detail.field;
    this.serverMessage = message || '';
    this.headers = headers;
  }
}

// fn(error) → Promise<boolean>: true once the user is signed in again.
let onUnauthorized = async () => false;
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

async function request(method, path, body, opts = {}) {
  const headers = { 'X-Requested-With': 'wardwatch', ...(opts.headers || {}) };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  if (r.status === 204) return null;
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!r.ok) {
    const err = data && data.error ? data.error : {};
    const e = new ApiError(r.status, err.code, err.message, r.headers, err);
    if (r.status === 401 && !opts.quiet401 && !opts.retried && await onUnauthorized(e)) {
      return request(method, path, body, { ...opts, retried: true });
    }
    throw e;
  }
  return data;
}

// Builds "?a=1&b=x" from an object, skipping empty values.
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const api = {
  get: (path, opts) => request('GET', path, undefined, opts),
  post: (path, body, opts) => request('POST', path, body ?? {}, opts),
  patch: (path, body, opts) => request('PATCH', path, body ?? {}, opts),
  put: (path, body, opts) => request('PUT', path, body ?? {}, opts),
  del: (path, opts) => request('DELETE', path, undefined, opts),
  request,
};
