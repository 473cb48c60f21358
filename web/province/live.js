// The live view in the picture panel: the station console's MSE player
// (web/lib/mseplayer.js) on the forward route …/forward/cameras/{id}/live.
// The stream comes from the station that holds the camera, through the hub
// (the station checks the hub's signature and the owner's consent, and
// audits the view under this user's name); the hub only passes bytes on.
import { MsePlayer } from '../lib/mseplayer.js';
import { $, FORWARD_FAIL, forwardPath } from './util.js';

// The player's states in the station console's words (web/pages/live.js).
const STATE = {
  connecting: 'Đang kết nối…', playing: 'Trực tiếp', waiting: 'Đang chờ hình…', offline: 'Mất tín hiệu',
  forbidden: 'Không có quyền', notfound: 'Không tìm thấy', unsupported: 'Trình duyệt không phát được luồng này',
  ended: 'Đang kết nối lại…', stalled: 'Đang kết nối lại…', error: 'Lỗi phát', stopped: 'Đã dừng',
};

// The station names the stream's codec in X-Codec (and its media time 0 in
// X-Start-Us), and the hub's forward route passes both on.  A hub older than
// that passed neither: then the codec is read where the station put it
// anyway, the avcC/hvcC box of the stream's init segment, which comes first.
// X-Start-Us only places the picture on the wall clock; live follows the
// newest frame without it.
const hex2 = (b) => b.toString(16).padStart(2, '0');

function find(buf, tag) {
  const t = [...tag].map((ch) => ch.charCodeAt(0));
  for (let i = 4; i + 16 < buf.length; i++) {
    if (buf[i] === t[0] && buf[i + 1] === t[1] && buf[i + 2] === t[2] && buf[i + 3] === t[3]) return i + 4;
  }
  return -1;
}

// RFC 6381 codecs string from the init segment's decoder configuration.
export function codecOf(buf) {
  let p = find(buf, 'avcC');
  if (p >= 0) return `avc1.${hex2(buf[p + 1])}${hex2(buf[p + 2])}${hex2(buf[p + 3])}`;
  p = find(buf, 'hvcC');
  if (p < 0) return null;
  const space = buf[p + 1] >> 6, tier = (buf[p + 1] >> 5) & 1, idc = buf[p + 1] & 31;
  let compat = 0;   // general_profile_compatibility_flags, bit-reversed (ISO/IEC 14496-15 E.3)
  for (let i = 0; i < 32; i++) if (buf[p + 2 + (i >> 3)] & (0x80 >> (i & 7))) compat |= 1 << i;
  const cons = [...buf.slice(p + 6, p + 12)];
  while (cons.length && cons[cons.length - 1] === 0) cons.pop();
  return `hvc1.${['', 'A', 'B', 'C'][space]}${idc}.${(compat >>> 0).toString(16)}.${tier ? 'H' : 'L'}${buf[p + 12]}`
    + cons.map((b) => `.${b.toString(16)}`).join('');
}

async function forwardFetch(url, signal) {
  const r = await fetch(url, { signal, credentials: 'same-origin', cache: 'no-store' });
  if (!r.ok || r.headers.get('X-Codec')) return r;
  const reader = r.body.getReader();
  const held = [];
  let size = 0, codec = null;
  while (!codec && size < (1 << 20)) {
    const { value, done } = await reader.read();
    if (done) break;
    held.push(value);
    size += value.length;
    const all = new Uint8Array(size);
    let o = 0;
    for (const h of held) { all.set(h, o); o += h.length; }
    codec = codecOf(all);
  }
  const body = new ReadableStream({
    start(c) { for (const h of held) c.enqueue(h); },
    // stop() aborts the fetch: the read then fails, which ends this stream too
    async pull(c) {
      try {
        const { value, done } = await reader.read();
        if (done) c.close(); else c.enqueue(value);
      } catch (e) { c.error(e); }
    },
    cancel() { return reader.cancel().catch(() => {}); },
  });
  return { ok: true, status: r.status, body, json: () => r.json(),
    headers: { get: (k) => (k.toLowerCase() === 'x-codec' ? codec : r.headers.get(k)) } };
}

let player = null;
let cam = null;

export function stopLive() {
  if (player) player.stop();
  player = null;
  cam = null;
  const v = $('snap-video');
  v.hidden = true;
  v.removeAttribute('data-state');
  $('live-state').textContent = '';
  $('live-stop').hidden = true;
}

export function startLive(c) {
  stopLive();
  cam = c;
  const v = $('snap-video');
  $('snap').hidden = false;
  $('snap-img').hidden = true;
  $('snap-error').textContent = '';
  $('snap-caption').textContent = `${c.name} · ${c.station_name ?? c.station} — trực tiếp từ trạm`;
  v.hidden = false;
  $('live-stop').hidden = false;
  const url = forwardPath(c.station, `cameras/${encodeURIComponent(c.id)}/live`);
  const p = new MsePlayer(v, {
    url,
    fetcher: (signal) => forwardFetch(url, signal),
    live: true,
    onState: (s, info) => {
      if (player !== p) return;
      v.dataset.state = s;
      $('live-state').textContent = STATE[s] ?? s;
      const why = info?.status ? FORWARD_FAIL[info.status] : null;
      $('snap-error').textContent = why && s !== 'playing' ? why : '';
      // a stream that ended (the camera's session restarted) is opened again
      if ((s === 'ended' || s === 'stalled') && cam === c) setTimeout(() => { if (cam === c && player === p) startLive(c); }, 2000);
    },
  });
  player = p;
  p.start();
}

export function wireLive() {
  $('live-stop').addEventListener('click', stopLive);
}
