// mseplayer: plays the server's fragmented-MP4 HTTP streams — live
// (/api/v1/cameras/{id}/live) and recorded (/api/v1/cameras/{id}/playback) —
// in a <video> with Media Source Extensions.  No library, no transcoding.
//
// Why progressive HTTP (fetch + ReadableStream) and not a WebSocket:
//   - it is a plain GET: it passes every proxy, VPN and firewall a station
//     may sit behind, carries the session cookie and the same auth/audit
//     path as every other API call, and needs no upgrade handshake;
//   - one request per viewer and nothing to say back: the server keeps ONE
//     fragmenter per camera stream and only fans its bytes out to each
//     viewer's response (a slow viewer skips to the next keyframe there);
//   - TCP flow control is the back-pressure: for playback we simply stop
//     reading when enough is buffered, and the server's writer waits;
//   - stopping is fetch's AbortController; seeking is a new request.
//
// Stream contract (docs/api.md): `X-Codec` is the MSE codecs string,
// `X-Start-Us` the wall-clock µs of media time 0, so the wall time on screen
// is X-Start-Us + currentTime·1e6.  Live streams start at the cached last
// keyframe (first picture at once) and their media time starts near the
// first fragment's time, not 0.  Recorded streams start at the keyframe at
// or before `at`; gaps in the recordings are gaps in media time.
//
//   const p = new MsePlayer(video, { url, live: true, onState: (s, info) => … });
//   p.start();  …  p.stop();          // stop() aborts the fetch, frees the blob URL
//
// States passed to onState: connecting, playing, waiting, offline (503),
// forbidden (403), notfound (404), unsupported (codec cannot play here),
// ended (the stream finished: camera session restarted, end of recordings),
// stalled (a seek did not complete: start a new request), error, stopped.  info: { message, code, codec, status }.
// The video element carries data-state, data-codec, data-start-us, and for
// playback data-target-us (the wall time asked for), data-play-wall-us (where
// playing started: X-Start-Us + currentTime) and data-first-frame-us (the
// first picture presented), so that tests and tools can read them.

import { apiErrorText } from './errors.js';

export function codecSupported(codec) {
  return !!(codec && window.MediaSource && MediaSource.isTypeSupported(`video/mp4; codecs="${codec}"`));
}

// "avc1.640028" → "H.264", "hvc1.1.6.L120.B0" → "H.265".
export function codecName(codec) {
  if (!codec) return '';
  if (/^(avc1|avc3)/.test(codec)) return 'H.264';
  if (/^(hvc1|hev1)/.test(codec)) return 'H.265';
  return codec;
}

const LIVE_JUMP_S = 2.0;      // further behind the live edge than this: jump
const LIVE_CATCHUP_S = 1.0;   // behind by more than this: play a little faster
const LIVE_EDGE_S = 0.35;     // where a jump lands, behind the newest frame
const LIVE_KEEP_S = 10;       // keep this much behind the play head (live)
const PLAY_KEEP_S = 30;       // … (playback: short backward jumps stay instant)
const PLAY_AHEAD_S = 20;      // read-ahead for playback, × playbackRate
const STALL_MS = 10000;       // live: no bytes for this long → ended (reconnect)
const SEEK_STALL_MS = 5000;   // a seek still not done after this long → stalled
const MAX_QUEUE = 4 << 20;    // bytes waiting for appendBuffer before we stop reading
const MAX_APPEND = 256 << 10; // bytes per appendBuffer

export class MsePlayer {
  constructor(video, { url, live = true, targetUs = null, rate = 1, onState = () => {}, fetcher = null } = {}) {
    this.video = video;
    this.url = url;
    this.fetcher = fetcher;            // (signal) => Promise<Response-like>; default fetch(url)
    this.live = live;
    this.targetUs = targetUs;          // playback: wall µs to show first
    this.rate = rate;
    this.onState = onState;
    this.state = 'idle';
    this.startUs = null;
    this.codec = null;
    this.stopped = false;
    this.queue = [];
    this.queued = 0;
    this.done = false;                 // the response body ended
    this.positioned = false;           // currentTime set after the first data
    this.firstFrame = false;
    this.lastBytes = 0;
    this.timer = null;
    video.muted = true;
    video.playsInline = true;
    video.autoplay = false;
  }

  // Wall-clock µs of the picture on screen (null before the stream starts).
  wallUs() {
    if (this.startUs === null || !this.positioned) return null;
    return this.startUs + Math.round(this.video.currentTime * 1e6);
  }

  // Buffered ranges in wall µs: [[from, to], …].
  bufferedUs() {
    const out = [];
    if (!this.sb || this.startUs === null) return out;
    let b;
    try { b = this.sb.buffered; } catch { return out; }
    for (let i = 0; i < b.length; i++) out.push([this.startUs + b.start(i) * 1e6, this.startUs + b.end(i) * 1e6]);
    return out;
  }

  // Seeks inside what is already buffered; false if the time is not there
  // (then the caller starts a new request at that time).
  seekWithin(wallUs) {
    if (!this.positioned || this.startUs === null) return false;
    const t = (wallUs - this.startUs) / 1e6;
    for (const [a, b] of this.bufferedUs()) {
      if (wallUs >= a && wallUs <= b - 0.2e6) {
        const v = this.video;
        this.targetUs = wallUs;
        v.dataset.targetUs = String(Math.round(wallUs));
        delete v.dataset.firstFrameUs;
        // As for a new request: hold the clock while the decoder gets to
        // the frame, play once the seek is done; the first picture is the
        // first frame presented at or after the target (or, paused, the
        // seeked position itself).
        const done = (mt) => {
          if (this.targetUs !== wallUs || this.stopped || v.dataset.firstFrameUs) return;
          v.dataset.firstFrameUs = String(this.startUs + Math.round(mt * 1e6));
        };
        const cb = (now, meta) => {
          if (this.targetUs !== wallUs || this.stopped) return;
          if (meta.mediaTime < t - 0.1) { v.requestVideoFrameCallback(cb); return; }
          done(meta.mediaTime);
        };
        v.pause();
        const onSeeked = () => {
          if (this.targetUs !== wallUs || this.stopped) return;
          if (v.seeking) { v.addEventListener('seeked', onSeeked, { once: true }); return; }   // an earlier seek's event
          if (this.userPaused || !v.requestVideoFrameCallback) { done(v.currentTime); return; }
          v.requestVideoFrameCallback(cb);
          this.notePlayStart(wallUs);
          v.play().catch(() => {});
        };
        v.addEventListener('seeked', onSeeked, { once: true });
        this.seekSince = performance.now();
        v.currentTime = t;
        return true;
      }
    }
    return false;
  }

  setRate(r) {
    this.rate = r;
    if (!this.live) this.video.playbackRate = r;
  }

  setState(s, info = {}) {
    if (this.stopped && s !== 'stopped') return;
    if (s === this.state && !info.message) return;
    this.state = s;
    this.video.dataset.state = s;
    try { this.onState(s, { codec: this.codec, ...info }); } catch (e) { console.error(e); }
  }

  async start() {
    this.t0 = performance.now();
    this.marks = {};
    delete this.video.dataset.marks;
    delete this.video.dataset.firstFrameUs;
    this.setState('connecting');
    this.ac = new AbortController();
    const v = this.video;
    let r;
    try {
      r = this.fetcher ? await this.fetcher(this.ac.signal) : await fetch(this.url, {
        signal: this.ac.signal, credentials: 'same-origin', cache: 'no-store',
        headers: { 'X-Requested-With': 'wardwatch' },
      });
    } catch (e) {
      if (!this.stopped) this.setState('error', { detail: e.message });
      return;
    }
    if (this.stopped) { this.ac.abort(); return; }
    if (!r.ok) {
      let err = {};
      try { err = (await r.json()).error || {}; } catch { /* not JSON */ }
      const s = { 503: 'offline', 403: 'forbidden', 404: 'notfound', 401: 'unauthorized' }[r.status] || 'error';
      this.setState(s, { status: r.status, code: err.code, reason: err.reason, message: apiErrorText({ status: r.status, ...err }), serverMessage: err.message });
      return;
    }
    this.mark('headers');
    this.codec = r.headers.get('X-Codec') || '';
    this.startUs = Number(r.headers.get('X-Start-Us'));
    if (!Number.isFinite(this.startUs)) this.startUs = 0;
    v.dataset.codec = this.codec;
    v.dataset.startUs = String(this.startUs);
    if (this.targetUs !== null) v.dataset.targetUs = String(Math.round(this.targetUs));
    if (!codecSupported(this.codec)) {
      this.ac.abort();
      this.setState('unsupported', { codec: this.codec });
      return;
    }
    this.ms = new MediaSource();
    this.objUrl = URL.createObjectURL(this.ms);
    const opened = new Promise((res) => this.ms.addEventListener('sourceopen', res, { once: true }));
    v.src = this.objUrl;
    await opened;
    URL.revokeObjectURL(this.objUrl);   // the element keeps the source attached
    this.objUrl = null;
    if (this.stopped) return;
    try {
      this.sb = this.ms.addSourceBuffer(`video/mp4; codecs="${this.codec}"`);
    } catch (e) {
      this.ac.abort();
      this.setState('unsupported', { codec: this.codec, detail: e.message });
      return;
    }
    this.sb.mode = 'segments';
    this.sb.addEventListener('updateend', () => this.onAppended());
    this.sb.addEventListener('error', () => this.setState('error', { detail: 'SourceBuffer error' }));
    v.addEventListener('error', this.onVideoError = () => {
      const e = v.error;
      if (e && !this.stopped) this.setState('error', { detail: e.message || `media error ${e.code}` });
    });
    // A short stall (a slow decoder, a frame arriving late) is not worth a
    // spinner: say 'waiting' only after half a second of it.
    v.addEventListener('waiting', this.onWaiting = () => {
      clearTimeout(this.waitTimer);
      this.waitTimer = setTimeout(() => {
        if (this.firstFrame && this.state === 'playing' && v.readyState < 3 && !v.paused) this.setState('waiting');
      }, 500);
    });
    v.addEventListener('playing', this.onPlaying = () => { clearTimeout(this.waitTimer); if (this.firstFrame) this.setState('playing'); });
    this.timer = setInterval(() => this.tick(), 250);
    this.lastBytes = performance.now();
    this.read(r.body.getReader());
  }

  async read(reader) {
    this.reader = reader;
    try {
      for (;;) {
        // Back-pressure: a recorded stream comes as fast as the disk reads;
        // stop reading (TCP then slows the server) while enough is ahead.
        while (!this.stopped && (this.queued > MAX_QUEUE || (!this.live && this.aheadS() > PLAY_AHEAD_S * Math.max(1, this.rate)) ||
               (!this.live && this.positioned && !this.firstFrame && this.queued > MAX_APPEND))) {
          await new Promise((res) => setTimeout(res, 200));
        }
        if (this.stopped) return;
        const { done, value } = await reader.read();
        if (this.stopped) return;
        if (done) break;
        this.lastBytes = performance.now();
        this.mark('first_bytes');
        this.queue.push(value);
        this.queued += value.byteLength;
        this.pump();
      }
    } catch (e) {
      if (this.stopped) return;
      if (this.live) { this.setState('ended', { message: e.message }); return; }
    }
    this.done = true;
    this.pump();
  }

  aheadS() {
    if (!this.sb || !this.positioned) return 0;
    try {
      const b = this.sb.buffered;
      return b.length ? b.end(b.length - 1) - this.video.currentTime : 0;
    } catch { return 0; }
  }

  pump() {
    if (this.stopped || !this.sb || this.sb.updating || this.ms.readyState !== 'open') return;
    if (!this.queue.length) {
      if (this.done && !this.ended) {
        this.ended = true;
        try { this.ms.endOfStream(); } catch { /* already closed */ }
        if (this.live) this.setState('ended', { message: 'stream ended' });
      }
      return;
    }
    // Append at most MAX_APPEND bytes at a time: one huge append (a
    // recording arrives much faster than real time) keeps the media
    // pipeline busy parsing and delays the seek and the first picture.
    let n = 0, size = 0;
    while (n < this.queue.length && (n === 0 || size + this.queue[n].byteLength <= MAX_APPEND)) size += this.queue[n++].byteLength;
    let buf;
    if (n === 1) buf = this.queue[0];
    else {
      buf = new Uint8Array(size);
      let o = 0;
      for (let i = 0; i < n; i++) { buf.set(this.queue[i], o); o += this.queue[i].byteLength; }
    }
    try {
      this.sb.appendBuffer(buf);
      this.queue.splice(0, n);
      this.queued -= size;
    } catch (e) {
      if (e.name === 'QuotaExceededError') {
        // Full: keep the data, free what is behind the play head and retry.
        this.queue.splice(0, n, buf);
        this.trim(2);
      } else {
        this.setState('error', { detail: e.message });
      }
    }
  }

  // Called after each append (or remove) completes.
  onAppended() {
    if (this.stopped) return;
    const v = this.video;
    let b;
    try { b = this.sb.buffered; } catch { return; }
    if (b.length) this.mark('first_append');
    if (!this.positioned && b.length) this.position(b);
    if (this.positioned && !this.trimming) this.trim(this.live ? LIVE_KEEP_S : PLAY_KEEP_S);
    else this.trimming = false;
    if (this.positioned && this.live) this.followEdge();
    this.pump();
    if (this.positioned && this.firstFrame && v.paused && !v.seeking && !this.userPaused && !this.ended) v.play().catch(() => {});
  }

  // The first data is in: put the play head where the picture should be.
  position(b) {
    const v = this.video;
    let at;
    if (this.live) {
      at = b.start(0);                          // the cached keyframe: a picture at once
    } else {
      const want = this.targetUs === null ? b.start(0) : (this.targetUs - this.startUs) / 1e6;
      at = null;
      for (let i = 0; i < b.length; i++) {
        if (want >= b.start(i) && want < b.end(i)) { at = want; break; }
        if (b.start(i) > want) { at = b.start(i); break; }   // `at` fell in a gap: next recording
      }
      if (at === null) {
        if (!this.done) return;                 // not there yet: keep reading
        at = b.start(b.length - 1);
      }
      v.playbackRate = this.rate;
    }
    this.positioned = true;
    this.mark('positioned');
    // The first picture: requestVideoFrameCallback says which frame was
    // presented (its media time), so the wall time of the first picture is
    // known exactly (data-first-frame-us).  A frame from before the seek
    // does not count.
    const first = (now, meta) => {
      if (this.stopped || this.firstFrame) return;
      const mt = meta && typeof meta.mediaTime === 'number' ? meta.mediaTime : v.currentTime;
      if (meta && mt < at - 0.1 && performance.now() - this.t0 < 15000) { v.requestVideoFrameCallback(first); return; }
      this.firstFrame = true;
      this.firstFrameUs = this.startUs + Math.round(mt * 1e6);
      v.dataset.firstFrameUs = String(this.firstFrameUs);
      this.mark('first_frame');
      this.setState('playing');
    };
    // Play once the seek is done, so that the first picture is the one
    // asked for and the clock does not run while the decoder catches up.
    const go = () => {
      this.mark('seeked');
      // (A paused element does not call requestVideoFrameCallback.)
      if (v.requestVideoFrameCallback && !this.userPaused) v.requestVideoFrameCallback(first);
      else setTimeout(() => first(), 50);
      if (!this.userPaused && !this.stopped) { this.notePlayStart(this.targetUs); v.play().catch(() => {}); }
    };
    if (Math.abs(v.currentTime - at) > 0.0005) {
      v.addEventListener('seeked', go, { once: true });
      v.currentTime = at;
    } else {
      go();
    }
  }

  // Records where playback starts after a seek: data-play-wall-us =
  // X-Start-Us + currentTime when the element starts playing.
  notePlayStart(targetUs) {
    const v = this.video;
    delete v.dataset.playWallUs;
    const on = () => {
      if (this.stopped || this.targetUs !== targetUs) return;
      v.dataset.playWallUs = String(this.startUs + Math.round(v.currentTime * 1e6));
    };
    v.addEventListener('playing', on, { once: true });
  }

  // Timing marks (ms since start()) for tools and tests: data-marks.
  mark(name) {
    if (!this.t0) return;
    this.marks = this.marks || {};
    if (!(name in this.marks)) {
      this.marks[name] = Math.round(performance.now() - this.t0);
      this.video.dataset.marks = JSON.stringify(this.marks);
    }
  }

  trim(keep) {
    if (!this.sb || this.sb.updating) return;
    const b = this.sb.buffered;
    if (!b.length) return;
    const cut = this.video.currentTime - keep;
    if (cut - b.start(0) > 5 || (keep < 5 && cut > b.start(0))) {
      try { this.trimming = true; this.sb.remove(b.start(0), cut); } catch { this.trimming = false; }
    }
  }

  // Live: stay within ~1 s of the newest frame.
  followEdge() {
    const v = this.video;
    const b = this.sb.buffered;
    if (!b.length || !this.firstFrame || v.seeking || this.userPaused) return;
    const end = b.end(b.length - 1);
    const lag = end - v.currentTime;
    if (lag > LIVE_JUMP_S) {
      v.currentTime = Math.max(b.start(b.length - 1), end - LIVE_EDGE_S);
      v.playbackRate = 1;
    } else if (lag > LIVE_CATCHUP_S) {
      if (v.playbackRate === 1) v.playbackRate = 1.25;
    } else if (lag < 0.5 && v.playbackRate !== 1) {
      v.playbackRate = 1;
    }
  }

  tick() {
    if (this.stopped || !this.sb) return;
    const v = this.video;
    // A seek that never completes (seen rarely with a busy decoder): say
    // so; the page starts a new request there.
    if (v.seeking) {
      this.seekSince = this.seekSince || performance.now();
      if (performance.now() - this.seekSince > SEEK_STALL_MS) { this.setState('stalled', { message: 'seek did not complete' }); this.ac.abort(); return; }
    } else this.seekSince = 0;
    if (this.live) {
      if (performance.now() - this.lastBytes > STALL_MS && !this.done) {
        this.setState('ended', { message: 'no data' });
        this.ac.abort();
        return;
      }
      if (this.positioned) this.followEdge();
      return;
    }
    if (!this.positioned) {
      try { if (this.sb.buffered.length && !this.sb.updating) this.position(this.sb.buffered); } catch { /* detached */ }
      return;
    }
    // Playback: a gap in the recordings is a gap in media time; when the
    // play head reaches the end of a range, go on at the next one.
    if (v.seeking) return;
    let b;
    try { b = this.sb.buffered; } catch { return; }
    const t = v.currentTime;
    let idx = -1;
    for (let i = 0; i < b.length; i++) if (t >= b.start(i) - 0.05 && t <= b.end(i)) { idx = i; break; }
    if (idx < 0) {
      for (let i = 0; i < b.length; i++) if (b.start(i) > t) { v.currentTime = b.start(i); return; }
    } else if (t >= b.end(idx) - 0.15 && idx + 1 < b.length) {
      v.currentTime = b.start(idx + 1);      // the browser would stall at the gap
      return;
    }
    if (this.ended && b.length && t >= b.end(b.length - 1) - 0.15 && this.state !== 'ended') {
      this.setState('ended', { message: 'end of recordings' });
    }
  }

  pause() { this.userPaused = true; this.video.pause(); }
  play() { this.userPaused = false; this.video.play().catch(() => {}); }

  stop() {
    if (this.stopped) return;
    this.setState('stopped');
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.waitTimer);
    try { if (this.ac) this.ac.abort(); } catch { /* already */ }
    try { if (this.reader) this.reader.cancel().catch(() => {}); } catch { /* already */ }
    const v = this.video;
    if (this.onVideoError) v.removeEventListener('error', this.onVideoError);
    if (this.onWaiting) v.removeEventListener('waiting', this.onWaiting);
    if (this.onPlaying) v.removeEventListener('playing', this.onPlaying);
    try { if (this.ms && this.ms.readyState === 'open' && this.sb && !this.sb.updating) this.ms.endOfStream(); } catch { /* closed */ }
    try { v.pause(); } catch { /* gone */ }
    v.removeAttribute('src');
    try { v.load(); } catch { /* gone */ }
    if (this.objUrl) { URL.revokeObjectURL(this.objUrl); this.objUrl = null; }
    this.queue = [];
    this.sb = null;
    this.ms = null;
  }
}

// The wall's cameras over ONE request (GET /api/v1/live/wall): browsers open
// at most six HTTP/1.1 connections to a server, so a 9 or 16 tile wall
// cannot hold one request per tile.  The server frames each camera's fMP4
// ("WW", type, 0, camera u32, length u32, payload); open(id) hands a player
// a Response-like object for its camera, so MsePlayer plays it unchanged.
// Each camera can be opened once; a tile that retries later uses its own
// request.  The request ends when every opened camera has been stopped.
export class WallMux {
  constructor(ids, stream) {
    this.ac = new AbortController();
    this.cams = new Map(ids.map((id) => [id, { header: null, chunks: [], wake: null, done: false, claimed: false, stopped: false }]));
    this.waiters = new Map();
    this.closed = false;
    this.run(`/api/v1/live/wall?cameras=${ids.join(',')}&stream=${stream}`);
  }

  has(id) { const c = this.cams.get(id); return !!c && !c.claimed && !this.closed; }

  async run(url) {
    let buf = new Uint8Array(0);
    try {
      const r = await fetch(url, { signal: this.ac.signal, credentials: 'same-origin', cache: 'no-store',
        headers: { 'X-Requested-With': 'wardwatch' } });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const reader = r.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const nb = new Uint8Array(buf.length + value.length);
        nb.set(buf); nb.set(value, buf.length); buf = nb;
        let o = 0;
        while (buf.length - o >= 12) {
          const dv = new DataView(buf.buffer, buf.byteOffset + o, 12);
          if (buf[o] !== 87 || buf[o + 1] !== 87) throw new Error('bad wall frame');
          const type = buf[o + 2], cam = dv.getUint32(4), len = dv.getUint32(8);
          if (buf.length - o - 12 < len) break;
          this.frame(type, cam, buf.slice(o + 12, o + 12 + len));
          o += 12 + len;
        }
        buf = buf.slice(o);
      }
    } catch (e) { /* aborted or failed: every camera ends below */ }
    this.closed = true;
    for (const [id, c] of this.cams) {
      c.done = true;
      if (!c.header) this.resolve(id, { error: { code: 'ended', message: 'stream ended' } });
      if (c.wake) c.wake();
    }
  }

  frame(type, id, body) {
    const c = this.cams.get(id);
    if (!c) return;
    if (type === 1) {
      c.header = JSON.parse(new TextDecoder().decode(body));
      this.resolve(id, c.header);
    } else if (type === 2 && !c.stopped) {
      c.chunks.push(body);
      if (c.wake) c.wake();
    } else if (type === 3) {
      c.done = true;
      if (c.wake) c.wake();
    }
  }

  resolve(id, header) {
    const w = this.waiters.get(id);
    if (w) { this.waiters.delete(id); w(header); }
  }

  // A Response-like object for one camera (status, headers, json, body).
  async open(id, signal) {
    const c = this.cams.get(id);
    c.claimed = true;
    const header = c.header || await new Promise((res) => this.waiters.set(id, res));
    const stop = () => { c.stopped = true; c.done = true; c.chunks = []; if (c.wake) c.wake(); this.maybeEnd(); };
    if (signal) signal.addEventListener('abort', stop, { once: true });
    if (header.error) {
      stop();
      const status = { offline: 503, forbidden: 403, no_consent: 403, not_found: 404 }[header.error.code] || 500;
      return { ok: false, status, headers: new Map(), json: async () => ({ error: header.error }) };
    }
    const hdrs = new Map([['X-Codec', header.codec], ['X-Start-Us', String(header.start_us)]]);
    return {
      ok: true, status: 200, headers: { get: (k) => hdrs.get(k) ?? null },
      body: { getReader: () => ({
        read: async () => {
          for (;;) {
            if (c.chunks.length) return { done: false, value: c.chunks.shift() };
            if (c.done) return { done: true, value: undefined };
            await new Promise((res) => { c.wake = res; });
            c.wake = null;
          }
        },
        cancel: async () => stop(),
      }) },
    };
  }

  maybeEnd() {
    for (const c of this.cams.values()) if (!c.stopped && !(c.done && !c.chunks.length)) return;
    this.close();
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.ac.abort();
  }
}
