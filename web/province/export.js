// "Trích xuất" in the province console's picture panel: an evidence export
// of the camera shown, made at the station that holds it, through the hub
// (POST …/forward/cameras/{id}/exports; the station checks the hub's
// signature, the owner's consent and audits it under this user's name).
// The file, its manifest and the manifest's signature are then offered
// through the hub's forward GET route, so `wardwatch verify` can check the
// three offline.  Everything goes in through textContent or attributes.

const $ = (id) => document.getElementById(id);

// What a refusal means to the duty officer (the station's message in title).
const FAIL = {
  400: 'Khoảng thời gian không hợp lệ (tối đa 24 giờ, "Đến" phải sau "Từ").',
  401: 'Phiên đăng nhập đã hết, vui lòng đăng nhập lại.',
  403: 'Trạm từ chối: chủ camera chưa đồng ý cho trích xuất, hoặc vai trò này không được trích xuất.',
  404: 'Trạm không có camera này, hoặc không có bản ghi trong khoảng thời gian đó.',
  409: 'Trạm tham gia chưa khai báo địa chỉ (station join --url).',
  413: 'Yêu cầu quá lớn.',
  502: 'Không liên lạc được với trạm, hoặc câu trả lời không mang chữ ký của trạm.',
};

let current = null; // the camera the panel shows: {station, id, name}

// "YYYY-MM-DDTHH:MM" in the browser's local time, for <input type=datetime-local>.
function local(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function forward(station, rest) {
  return `/api/v1/province/stations/${encodeURIComponent(station)}/forward/${rest}`;
}

// The status line; a refusal reads as an error (red), progress and success do not.
function status(text, failed = false, why = '') {
  $('exp-status').textContent = text;
  $('exp-status').title = why;
  $('exp-status').classList.toggle('error', failed);
}

function link(href, text, name) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  a.setAttribute('download', name);
  return a;
}

// Shows the export controls for camera c, from/to the last 10 minutes.
export function showExport(c) {
  current = { station: c.station, id: c.id, name: c.name };
  const now = new Date();
  $('exp-from').value = local(new Date(now.getTime() - 10 * 60 * 1000));
  $('exp-to').value = local(now);
  status('');
  $('exp-links').replaceChildren();
  $('exp-form').hidden = false;
}

// Forgets it all (sign-in, sign-out): the next user sees nothing of it.
export function clearExport() {
  current = null;
  $('exp-form').hidden = true;
  status('');
  $('exp-links').replaceChildren();
}

async function makeExport(e) {
  e.preventDefault();
  if (!current) return;
  const c = current;
  const from = new Date($('exp-from').value).getTime() / 1000;
  const to = new Date($('exp-to').value).getTime() / 1000;
  $('exp-links').replaceChildren();
  if (!(to > from)) {
    status(FAIL[400], true);
    return;
  }
  const btn = $('exp-go');
  btn.disabled = true;
  status('Đang trích xuất tại trạm…');
  try {
    const r = await fetch(forward(c.station, `cameras/${encodeURIComponent(c.id)}/exports`), {
      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from, to }),
    });
    let json = null;
    try { json = await r.json(); } catch { json = null; }
    if (current !== c) return; // signed out, or another camera, meanwhile
    if (r.status !== 201 || !json?.export) {
      status(FAIL[r.status] ?? `Không trích xuất được (HTTP ${r.status}).`, true, json?.error?.message ?? '');
      return;
    }
    const x = json.export;
    const base = x.file_name || `cam${x.camera_id}-export${x.id}.mp4`; // the station's name for the file
    status(`Đã trích xuất ${Math.round(x.bytes / 1024)} KB, SHA-256 ${x.sha256}`);
    $('exp-links').append(
      link(forward(c.station, `exports/${x.id}/file`), 'Tải tệp video', base), ' · ',
      link(forward(c.station, `exports/${x.id}/manifest`), 'Biên bản (manifest)', `${base}.manifest.json`), ' · ',
      link(forward(c.station, `exports/${x.id}/signature`), 'Chữ ký', `${base}.manifest.json.sig`),
    );
  } finally {
    btn.disabled = false;
  }
}

$('exp-form').addEventListener('submit', makeExport);
