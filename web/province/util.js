// Helpers the console's newer views share (matrix.js, events.js, map.js,
// live.js): the hub's JSON API, table cells built with textContent only,
// Vietnamese times.  province.js keeps its own copies of the first ones;
// the views are in their own files so each stays small.

export const $ = (id) => document.getElementById(id);

// GET or POST the hub's JSON API.  A POST carries a JSON body, which is
// what the http server's CSRF rule asks of a state-changing request.
export async function api(method, path, body) {
  const opt = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    opt.headers['Content-Type'] = 'application/json';
    opt.body = JSON.stringify(body);
  }
  const r = await fetch(path, opt);
  let json = null;
  try { json = await r.json(); } catch { json = null; }
  return { status: r.status, json };
}

export function el(tag, props = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') e.textContent = String(v);
    else if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of kids.flat()) if (c !== null && c !== undefined) e.append(c);
  return e;
}

export function cell(text, cls) {
  return el('td', { class: cls, text: text === null || text === undefined || text === '' ? '—' : String(text) });
}

const fmt = new Intl.DateTimeFormat('vi-VN', { dateStyle: 'short', timeStyle: 'medium' });
export function when(us) {
  if (us === null || us === undefined) return '';
  const d = new Date(us / 1000);
  return Number.isNaN(d.getTime()) ? String(us) : fmt.format(d);
}

// The station's or the hub's refusal, in the duty officer's words.
export const FORWARD_FAIL = {
  401: 'Phiên đăng nhập đã hết, vui lòng đăng nhập lại.',
  403: 'Trạm từ chối: chủ camera chưa đồng ý, hoặc vai trò này không được xem.',
  404: 'Trạm không có mục này, hoặc nó không thuộc phạm vi của bạn.',
  409: 'Trạm tham gia chưa khai báo địa chỉ (station join --url): cấp tỉnh chưa xem được video của trạm.',
  502: 'Không liên lạc được với trạm, hoặc câu trả lời không mang chữ ký của trạm.',
  503: 'Camera đang không phát hình.',
};

export function forwardPath(station, rest) {
  return `/api/v1/province/stations/${encodeURIComponent(station)}/forward/${rest}`;
}
