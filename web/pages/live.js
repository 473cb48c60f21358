// Live wall (#/live): the cameras the user may see in a 1/4/9/16 grid, each
// tile an MSE player on the camera's sub stream (main if it has none), with
// name, state and the time of the picture.  Click a tile to enlarge it on
// the main stream (or Tab to it, Enter or Space; Esc closes and the focus
// goes back to the tile).  Tiles that leave the page (grid or page change, leaving
// #/live) stop their players: fetch aborted, blob URL revoked.
import { consentMap, allows, reason } from '../lib/consent.js';
import { WallMux, MsePlayer, codecName } from '../lib/mseplayer.js';
import { pressable, modalKeys } from '../lib/ui.js';

const GRIDS = [1, 4, 9, 16];
const RETRY_OFFLINE_S = 10;
const ROTATE_S = 30;
const CONSENT_REFRESH_MS = 15000;   // how often the owners' consent is re-read

const strings = {
  vi: {
    'live.title': 'Xem trực tiếp',
    'live.grid': 'Lưới',
    'live.grid_n': 'Lưới {n} ô',
    'live.page': 'Trang {p}/{n}',
    'live.prev': 'Trang trước',
    'live.next': 'Trang sau',
    'live.rotate': 'Tự chuyển trang',
    'live.rotate_help': 'Chuyển trang mỗi {s} giây',
    'live.fullscreen': 'Toàn màn hình',
    'live.empty': 'Chưa có camera nào bạn được xem.',
    'live.count': '{n} camera · {on} đang phát',
    'live.hint': 'Bấm vào một ô (hoặc Tab tới ô đó rồi Enter) để phóng to (luồng chính); Esc để đóng.',
    'live.state.idle': '…',
    'live.state.connecting': 'Đang kết nối…',
    'live.state.playing': 'Trực tiếp',
    'live.state.waiting': 'Đang chờ hình…',
    'live.state.offline': 'Mất tín hiệu',
    'live.state.forbidden': 'Không có quyền',
    'live.state.notfound': 'Không tìm thấy',
    'live.state.unauthorized': 'Hết phiên',
    'live.state.unsupported': 'Không phát được',
    'live.state.ended': 'Đang kết nối lại…',
    'live.state.stalled': 'Đang kết nối lại…',
    'live.state.error': 'Lỗi phát',
    'live.state.stopped': 'Đã dừng',
    'live.state.disabled': 'Tạm dừng',
    'live.state.queued': 'Chờ kết nối',
    'live.msg.queued': 'Đang chờ kết nối',
    'live.msg.queued_help': 'Trình duyệt chỉ mở được vài kết nối cùng lúc tới máy chủ, nên tối đa {n} ô phát trực tiếp một lúc. Bấm vào ô để xem lớn, hoặc chọn lưới nhỏ hơn.',
    'live.msg.offline': 'Camera mất tín hiệu',
    'live.msg.retry': 'Tự thử lại sau {s} giây',
    'live.msg.retry_wait': 'Sẽ thử lại khi có kết nối trống',
    'live.msg.forbidden': 'Bạn không được xem trực tiếp camera này.',
    'live.msg.no_consent': 'Chủ camera chưa đồng ý cho xem trực tiếp.',
    'live.msg.notfound': 'Không tìm thấy luồng trực tiếp của camera này.',
    'live.msg.unsupported': 'Trình duyệt này không phát được video {codec}.',
    'live.msg.unsupported_help': 'Hãy xem luồng phụ H.264, hoặc dùng trình duyệt có hỗ trợ HEVC (Edge, Safari, Chrome có tăng tốc phần cứng).',
    'live.msg.disabled': 'Camera đang tạm dừng: không ghi hình, không xem trực tiếp.',
    'live.msg.error': 'Không phát được',
    'live.retry': 'Thử lại',
    'live.close': 'Đóng (Esc)',
    'live.playback': 'Xem lại camera này',
    'live.sound_on': 'Bật tiếng',
    'live.sound_off': 'Tắt tiếng',
    'live.sound_help': 'Camera này ghi cả âm thanh. Nghe là một lần xem, được ghi vào nhật ký như hình.',
    'live.main': 'Luồng chính',
    'live.sub': 'Luồng phụ',
    'live.fallback_sub': 'Luồng chính mã hóa {codec}, trình duyệt này không phát được — đang hiện luồng phụ.',
    'live.picture_at': 'Thời điểm hình',
  },
  en: {
    'live.title': 'Live view',
    'live.grid': 'Grid',
    'live.grid_n': '{n}-tile grid',
    'live.page': 'Page {p}/{n}',
    'live.prev': 'Previous page',
    'live.next': 'Next page',
    'live.rotate': 'Rotate pages',
    'live.rotate_help': 'Next page every {s} seconds',
    'live.fullscreen': 'Full screen',
    'live.empty': 'There are no cameras you may watch.',
    'live.count': '{n} cameras · {on} playing',
    'live.hint': 'Click a tile (or Tab to it and press Enter) to enlarge it (main stream); Esc closes.',
    'live.state.idle': '…',
    'live.state.connecting': 'Connecting…',
    'live.state.playing': 'Live',
    'live.state.waiting': 'Waiting for picture…',
    'live.state.offline': 'Offline',
    'live.state.forbidden': 'Not allowed',
    'live.state.notfound': 'Not found',
    'live.state.unauthorized': 'Session ended',
    'live.state.unsupported': 'Cannot play',
    'live.state.ended': 'Reconnecting…',
    'live.state.stalled': 'Reconnecting…',
    'live.state.error': 'Playback error',
    'live.state.stopped': 'Stopped',
    'live.state.disabled': 'Paused',
    'live.state.queued': 'Waiting',
    'live.msg.queued': 'Waiting for a connection',
    'live.msg.queued_help': 'The browser opens only a few connections to the server at once, so at most {n} tiles play live together. Click the tile to enlarge it, or choose a smaller grid.',
    'live.msg.offline': 'Camera offline',
    'live.msg.retry': 'Retrying in {s} s',
    'live.msg.retry_wait': 'Will retry when a connection is free',
    'live.msg.forbidden': 'You may not watch this camera live.',
    'live.msg.no_consent': 'The camera\'s owner has not agreed to live viewing.',
    'live.msg.notfound': 'No live stream for this camera.',
    'live.msg.unsupported': 'This browser cannot play {codec} video.',
    'live.msg.unsupported_help': 'Watch the H.264 sub stream, or use a browser with HEVC support (Edge, Safari, Chrome with hardware decoding).',
    'live.msg.disabled': 'Camera paused: not recording, no live view.',
    'live.msg.error': 'Cannot play',
    'live.retry': 'Retry',
    'live.close': 'Close (Esc)',
    'live.playback': 'Play back this camera',
    'live.sound_on': 'Sound on',
    'live.sound_off': 'Sound off',
    'live.sound_help': 'This camera records sound too. Listening is part of the look, audited like the picture.',
    'live.main': 'Main stream',
    'live.sub': 'Sub stream',
    'live.fallback_sub': 'The main stream is {codec}, which this browser cannot play — showing the sub stream.',
    'live.picture_at': 'Picture time',
  },
};

const SVG = {
  grid: (n) => {
    const k = Math.sqrt(n), s = 14 / k, r = [];
    for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) {
      r.push(`<rect x="${1 + x * s + 0.6}" y="${1 + y * s + 0.6}" width="${s - 1.2}" height="${s - 1.2}" rx="0.6"/>`);
    }
    return `<svg class="icon" viewBox="0 0 16 16" fill="currentColor" aria-hidden="true">${r.join('')}</svg>`;
  },
  off: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M3 7h11l3 3v4l-3 3H3z"/><path d="M17 10l4-2v8l-4-2"/><path d="M2 3l20 18"/></svg>',
  warn: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M12 3 2 20h20z"/><path d="M12 10v4M12 17v.5"/></svg>',
  lock: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" aria-hidden="true"><rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V8a4 4 0 0 1 8 0v3"/></svg>',
  wait: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" aria-hidden="true"><circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/></svg>',
  pause: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" aria-hidden="true"><circle cx="12" cy="12" r="9"/><path d="M10 9v6M14 9v6"/></svg>',
  full: '<svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" aria-hidden="true"><path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5"/></svg>',
  close: '<svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6 6 18"/></svg>',
  back: '<svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M3 12a9 9 0 1 0 3-6.7"/><path d="M3 4v5h5"/></svg>',
};

const STATE_KIND = { playing: 'live', connecting: 'wait', waiting: 'wait', ended: 'wait', stalled: 'wait', idle: 'wait', queued: 'wait',
  offline: 'bad', error: 'bad', forbidden: 'bad', notfound: 'bad', unauthorized: 'bad', unsupported: 'warn', disabled: 'off', stopped: 'off' };

// Connection slots.  Browsers open at most 6 HTTP/1.1 connections to one
// server, and every live tile holds one for as long as it plays; a 7th
// stream would wait forever and so would every API call behind it (the
// console would freeze).  So over HTTP/1.1 at most 5 tiles stream at once
// and the others wait for a slot and say so; over HTTP/2 (the server behind
// a TLS proxy that speaks h2) streams share one connection and the cap is
// lifted.  Tiles that fail (offline, unsupported) give their slot back at
// once, so their messages still show.
class Slots {
  constructor() {
    const nav = performance.getEntriesByType ? performance.getEntriesByType('navigation')[0] : null;
    const proto = (nav && nav.nextHopProtocol) || '';
    this.cap = /^h[23]/.test(proto) ? 32 : 5;
    this.held = new Set();
    this.waiting = [];
  }

  take(v) {
    if (this.held.has(v)) return true;
    if (this.held.size < this.cap) {
      this.held.add(v);
      this.waiting = this.waiting.filter((x) => x !== v);
      return true;
    }
    if (!this.waiting.includes(v)) this.waiting.push(v);
    return false;
  }

  give(v) {
    this.waiting = this.waiting.filter((x) => x !== v);
    if (!this.held.delete(v)) return;
    const next = this.waiting.shift();
    if (next) setTimeout(() => next.start(), 0);
  }
}

// One camera's player with its overlay, retrying on its own.  Used by the
// wall tiles and the enlarged view.
class CameraView {
  constructor(ctx, cam, { stream, slots, large = false, mux = null }) {
    const { h, t } = ctx;
    this.ctx = ctx;
    this.slots = slots;
    this.mux = mux;             // the wall's shared request, used for the first start
    this.cam = cam;
    this.stream = stream;
    this.retryIn = 0;
    this.failures = 0;
    this.video = h('video', { muted: true, playsinline: true, disablepictureinpicture: true, 'data-camera': cam.id });
    this.dot = h('span', { class: 'cv-dot' });
    this.stateText = h('span', { class: 'cv-state' });
    this.clock = h('span', { class: 'cv-clock', title: t('live.picture_at') });
    this.msg = h('div', { class: 'cv-msg', hidden: true });
    this.spin = h('div', { class: 'cv-spin', hidden: true });
    this.el = h('div', { class: `cv ${large ? 'cv-large' : ''}`, 'data-camera': cam.id },
      this.video, this.spin, this.msg,
      h('div', { class: 'cv-top' },
        h('span', { class: 'cv-name', title: cam.address || '' }, cam.name),
        h('span', { class: 'cv-badge' }, this.dot, this.stateText)),
      h('div', { class: 'cv-bottom' },
        h('span', { class: 'cv-addr' }, cam.address || ''),
        this.clock));
    this.clockTimer = setInterval(() => this.drawClock(), 500);
    this.consent = null;        // the owner's consent now (lib/consent.js); null = unknown
  }

  // A newer answer about the owner's consent: stop at once when live is no
  // longer allowed, start again when it is allowed again.
  setConsent(now) {
    const before = allows(this.consent, 'live');
    this.consent = now;
    const after = allows(now, 'live');
    if (before && !after) { this.stopPlayer(); this.show('forbidden', { code: 'no_consent' }); }
    else if (!before && after && !this.suspended) this.start();
  }

  url() { return `/api/v1/cameras/${this.cam.id}/live?stream=${this.stream}`; }

  start() {
    if (this.closed || this.suspended) return;
    clearTimeout(this.retryTimer);
    clearInterval(this.countdown);
    this.stopPlayer();
    // the owner's consent now does not cover live viewing: say so, ask
    // nothing (first: switching the camera on would not change it)
    if (!allows(this.consent, 'live')) { this.show('forbidden', { code: 'no_consent' }); return; }
    if (!this.cam.enabled) { this.show('disabled'); return; }
    if (this.mux && this.mux.has(this.cam.id)) {   // no connection of its own
      const id = this.cam.id;
      this.player = new MsePlayer(this.video, { url: this.url(), live: true, onState: (s, info) => this.onState(s, info),
        fetcher: (signal) => this.mux.open(id, signal) });
      this.player.start();
      return;
    }
    if (!this.slots.take(this)) {                  // started again when a slot frees
      if (this.state === 'offline') {
        const r = this.msg.querySelector('.cv-retry');
        if (r) r.textContent = this.ctx.t('live.msg.retry_wait');
      } else this.show('queued');
      return;
    }
    this.player = new MsePlayer(this.video, { url: this.url(), live: true, onState: (s, info) => this.onState(s, info) });
    this.player.start();
  }

  stopPlayer() {
    if (this.player) this.player.stop();
    this.player = null;
    this.slots.give(this);
  }

  onState(s, info) {
    if (this.closed || s === 'stopped') return;
    if (s === 'playing') this.failures = 0;
    // The request is over (refused, unplayable, ended): free its slot.
    if (!['connecting', 'playing', 'waiting'].includes(s)) this.slots.give(this);
    if (s === 'unsupported' && this.onUnsupported && this.onUnsupported(info)) return;
    this.show(s, info);
    if (this.onAnyState) this.onAnyState(s, info);
    if (s === 'offline') this.retry(RETRY_OFFLINE_S);
    else if (s === 'ended' || s === 'error' || s === 'stalled') {
      this.failures++;
      this.retry(Math.min(15, this.failures <= 1 ? 1 : 2 * this.failures));
    }
  }

  retry(secs) {
    clearTimeout(this.retryTimer);
    clearInterval(this.countdown);
    this.retryIn = secs;
    this.drawRetry();
    this.countdown = setInterval(() => { this.retryIn = Math.max(0, this.retryIn - 1); this.drawRetry(); }, 1000);
    this.retryTimer = setTimeout(() => this.start(), secs * 1000);
  }

  drawRetry() {
    const r = this.msg.querySelector('.cv-retry');
    if (r && this.retryIn > 0) r.textContent = this.ctx.t('live.msg.retry', { s: this.retryIn });
  }

  show(s, info = {}) {
    const { h, t } = this.ctx;
    this.state = s;
    this.el.dataset.state = s;
    this.el.dataset.kind = STATE_KIND[s] || 'wait';
    this.stateText.textContent = t(`live.state.${s}`);
    this.spin.hidden = !['connecting', 'waiting', 'ended', 'stalled'].includes(s);
    const retryBtn = () => h('button', { class: 'btn btn-small cv-retry-btn', onclick: (e) => { e.stopPropagation(); this.failures = 0; this.start(); } }, t('live.retry'));
    let body = null;
    if (s === 'offline') {
      body = [h('div', { class: 'cv-icon', html: SVG.off }), h('strong', {}, t('live.msg.offline')),
        info.message ? h('small', {}, info.message) : null, h('small', { class: 'cv-retry' }), retryBtn()];
    } else if (s === 'unsupported') {
      const c = codecName(info.codec) || info.codec || '?';
      body = [h('div', { class: 'cv-icon', html: SVG.warn }), h('strong', {}, t('live.msg.unsupported', { codec: c })),
        h('small', {}, t('live.msg.unsupported_help'))];
    } else if (s === 'forbidden' || s === 'unauthorized') {
      body = [h('div', { class: 'cv-icon', html: SVG.lock }), h('strong', {}, t(info.code === 'no_consent' ? 'live.msg.no_consent' : 'live.msg.forbidden'))];
    } else if (s === 'notfound') {
      body = [h('div', { class: 'cv-icon', html: SVG.warn }), h('strong', {}, t('live.msg.notfound'))];
    } else if (s === 'queued') {
      body = [h('div', { class: 'cv-icon', html: SVG.wait }), h('strong', {}, t('live.msg.queued')),
        h('small', {}, t('live.msg.queued_help', { n: this.slots.cap }))];
    } else if (s === 'disabled') {
      body = [h('div', { class: 'cv-icon', html: SVG.pause }), h('strong', {}, t('live.msg.disabled'))];
    } else if (s === 'error') {
      body = [h('div', { class: 'cv-icon', html: SVG.warn }), h('strong', {}, t('live.msg.error')),
        info.message ? h('small', {}, info.message) : null, h('small', { class: 'cv-retry' })];
    }
    this.msg.replaceChildren(...(body || []).filter(Boolean));
    this.msg.hidden = !body;
    this.video.classList.toggle('cv-hidden', !!body);
    this.drawRetry();
  }

  drawClock() {
    const us = this.player && this.state === 'playing' ? this.player.wallUs() : null;
    this.clock.textContent = us ? this.ctx.fmtTime(us / 1000) : '';
  }

  // Pauses the picture (no decoding) but keeps the stream for now.
  hold() {
    this.suspended = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.countdown);
    if (this.player) this.player.pause();
  }

  // Stops the player but keeps the tile (while the enlarged view covers
  // the wall: a station PC decodes one picture instead of seventeen).
  suspend() {
    this.suspended = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.countdown);
    this.stopPlayer();
  }

  close() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.countdown);
    clearInterval(this.clockTimer);
    this.stopPlayer();
  }
}

export default {
  title: 'live.title',
  strings,
  async render(el, ctx) {
    const { api, t, h } = ctx;
    const cams = (await api.get('/api/v1/cameras')).cameras;
    let n = Number(localStorage.getItem('ww.live.grid')) || 4;
    if (!GRIDS.includes(n)) n = 4;
    let page = 0;
    let views = [];
    let zoom = null;
    let rotateTimer = null;
    let mux = null;
    const slots = new Slots();
    // each camera's consent now; re-asked every CONSENT_REFRESH_MS
    let consents = await consentMap(api);

    const wall = h('div', { class: 'wall', id: 'live-wall' });
    const pageLabel = h('span', { class: 'wall-page' });
    const prev = h('button', { class: 'btn btn-small', title: t('live.prev'), onclick: () => go(page - 1) }, '‹');
    const next = h('button', { class: 'btn btn-small', title: t('live.next'), onclick: () => go(page + 1) }, '›');
    const pager = h('div', { class: 'wall-pager' }, prev, pageLabel, next);
    const summary = h('span', { class: 'muted wall-summary' });
    const gridBtns = GRIDS.map((g) => h('button', {
      class: 'btn btn-small grid-btn', 'data-grid': g, title: t('live.grid_n', { n: g }), 'aria-label': t('live.grid_n', { n: g }),
      onclick: () => { n = g; localStorage.setItem('ww.live.grid', String(g)); page = 0; draw(); },
      html: SVG.grid(g) + `<span>${g}</span>`,
    }));
    const rotate = h('input', { type: 'checkbox', id: 'live-rotate', onchange: () => setRotate(rotate.checked) });
    const full = h('button', { class: 'btn btn-small', id: 'live-fullscreen', title: t('live.fullscreen'),
      onclick: () => { const w = el.querySelector('.wall-frame'); if (w.requestFullscreen) w.requestFullscreen().catch(() => {}); },
      html: SVG.full });

    const pages = () => Math.max(1, Math.ceil(cams.length / n));
    function go(p) { page = (p + pages()) % pages(); draw(); }
    function setRotate(on) {
      clearInterval(rotateTimer);
      rotateTimer = on ? setInterval(() => { if (!zoom && pages() > 1) go(page + 1); }, ROTATE_S * 1000) : null;
    }

    function countPlaying() {
      const on = views.filter((v) => v.state === 'playing').length;
      summary.textContent = t('live.count', { n: cams.length, on });
    }

    function draw() {
      for (const v of views) v.close();
      views = [];
      if (mux) { mux.close(); mux = null; }
      for (const b of gridBtns) b.classList.toggle('active', Number(b.dataset.grid) === n);
      if (page >= pages()) page = pages() - 1;
      pageLabel.textContent = t('live.page', { p: page + 1, n: pages() });
      pager.hidden = pages() <= 1;
      wall.className = `wall wall-${n}`;
      wall.replaceChildren();
      if (!cams.length) {
        wall.append(h('div', { class: 'wall-empty' }, t('live.empty')));
        countPlaying();
        return;
      }
      const shown = cams.slice(page * n, page * n + n);
      // All tiles of the page share one request (GET /api/v1/live/wall);
      // only a tile that retries later opens its own (within the slots).
      const ids = shown.filter((c) => c.enabled && allows(consents.get(c.id), 'live')).map((c) => c.id);
      if (ids.length > 1) mux = new WallMux(ids, 'sub');
      for (const cam of shown) {
        const v = new CameraView(ctx, cam, { stream: cam.has_sub_stream === false ? 'main' : 'sub', slots, mux });
        v.consent = consents.get(cam.id) || null;
        v.onAnyState = () => countPlaying();
        v.el.classList.add('tile');
        v.el.addEventListener('click', () => enlarge(cam));
        // Enter/Space open it once: pressable() cancels the Enter, which
        // would otherwise also press the close button enlarge() focuses.
        // A group named after the camera, not a button: an offline tile
        // holds its own retry button, and a button may not hold another.
        // The hint under the wall says what Enter does.
        pressable(v.el, () => enlarge(cam), { role: 'group' });
        v.el.setAttribute('aria-label', cam.name);
        v.el.setAttribute('aria-describedby', 'live-hint');
        views.push(v);
        wall.append(v.el);
        v.start();
      }
      for (let i = shown.length; i < n && n > 1; i++) wall.append(h('div', { class: 'tile tile-empty' }));
      countPlaying();
    }

    function enlarge(cam) {
      closeZoom(false);
      // The enlarged view covers the wall: the clicked tile's stream stops
      // at once (its connection goes to the main stream); the others pause
      // now and stop once the enlarged picture shows, so that tearing down
      // their decoders does not compete with the first picture.
      const clicked = views.find((w) => w.cam.id === cam.id);
      if (clicked) clicked.suspend();
      for (const w of views) if (w !== clicked) w.hold();
      if (slots.held.size >= slots.cap) { const w = views.find((x) => slots.held.has(x)); if (w) w.suspend(); }
      let released = false;
      const releaseWall = () => {
        if (released) return;
        released = true;
        for (const w of views) if (w.suspended) w.suspend();
      };
      const releaseTimer = setTimeout(releaseWall, 2000);
      let fellBack = false;
      const note = h('div', { class: 'zoom-note', hidden: true });
      const info = h('span', { class: 'zoom-info' });
      const v = new CameraView(ctx, cam, { stream: 'main', slots, large: true });
      v.consent = consents.get(cam.id) || null;
      const mayPlay = allows(v.consent, 'playback');
      // Sound (issue 12 item 6): shown for a stream with a sound track
      // (X-Codec names mp4a), off until the officer turns it on; a
      // reconnect is a new player, which starts muted, so it is set again.
      let soundOn = false;
      const sound = h('button', { class: 'btn btn-small zoom-btn', id: 'live-zoom-sound', hidden: true, 'aria-pressed': 'false',
        title: t('live.sound_help'), onclick: () => {
          soundOn = !soundOn;
          v.video.muted = !soundOn;
          sound.textContent = t(soundOn ? 'live.sound_off' : 'live.sound_on');
          sound.setAttribute('aria-pressed', String(soundOn));
        } }, t('live.sound_on'));
      v.onAnyState = (s, i) => {
        if (s !== 'connecting') { clearTimeout(releaseTimer); releaseWall(); }
        if (s === 'playing') {
          sound.hidden = !/(^|,)\s*mp4a\./.test(i.codec || '');
          v.video.muted = !soundOn;
          const vid = v.video;
          const res = vid.videoWidth ? ` · ${vid.videoWidth}×${vid.videoHeight}` : '';
          info.textContent = `${t(v.stream === 'main' ? 'live.main' : 'live.sub')} · ${codecName(i.codec)}${res}`;
        }
      };
      // Main stream in a codec this browser cannot play (H.265): show the
      // sub stream instead, and say so.
      v.onUnsupported = (i) => {
        if (fellBack || v.stream !== 'main' || cam.has_sub_stream === false) return false;
        fellBack = true;
        note.textContent = t('live.fallback_sub', { codec: codecName(i.codec) || i.codec });
        note.hidden = false;
        v.stream = 'sub';
        setTimeout(() => v.start(), 0);
        return true;
      };
      const close = h('button', { class: 'btn zoom-close', id: 'live-zoom-close', title: t('live.close'), 'aria-label': t('live.close'), onclick: () => closeZoom(), html: SVG.close });
      const canPlayback = ctx.is('admin', 'province', 'officer', 'viewer');
      const box = h('div', { class: 'zoom', id: 'live-zoom', role: 'dialog', 'aria-modal': 'true', 'aria-label': cam.name },
        h('div', { class: 'zoom-head' },
          h('div', { class: 'zoom-title' }, h('strong', {}, cam.name), cam.address ? h('span', { class: 'zoom-addr' }, cam.address) : null),
          info,
          h('div', { class: 'zoom-actions' },
            sound,
            canPlayback ? h('button', { class: 'btn btn-small zoom-btn', id: 'live-zoom-playback', disabled: !mayPlay, title: mayPlay ? null : reason('playback'),
              onclick: () => { closeZoom(false); ctx.navigate(`#/timeline?camera=${cam.id}`); }, html: SVG.back + `<span>${t('live.playback')}</span>` }) : null,
            canPlayback && !mayPlay ? h('small', { class: 'zoom-reason', id: 'live-zoom-reason' }, reason('playback')) : null,
            close)),
        note,
        h('div', { class: 'zoom-body' }, v.el));
      const back = h('div', { class: 'zoom-back', onclick: (e) => { if (e.target === back) closeZoom(); } }, box);
      document.body.append(back);
      // Tab stays in the dialog (aria-modal: the wall behind it is covered);
      // Esc is the page's own key below (it closes and resumes the wall)
      zoom = { v, back, camId: cam.id, release: modalKeys(box, null, close) };
      v.start();
    }

    function closeZoom(resume = true) {
      if (!zoom) return;
      const { camId, release } = zoom;
      const hadFocus = zoom.back.contains(document.activeElement);
      zoom.v.close();
      zoom.back.remove();
      zoom = null;
      release();
      if (resume && mux) draw();   // a fresh shared request for the whole page
      else if (resume) for (const w of views) { w.suspended = false; w.start(); }
      // back to the tile it was opened from (draw() may have made it anew)
      if (resume && hadFocus) {
        const tile = wall.querySelector(`.tile[data-camera="${camId}"]`);
        if (tile) tile.focus();
      }
    }

    const onKey = (e) => {
      if (e.key === 'Escape' && zoom) { closeZoom(); return; }
      if (zoom || /INPUT|SELECT|TEXTAREA/.test((e.target && e.target.tagName) || '')) return;
      if (e.key === 'PageDown' || e.key === ']') go(page + 1);
      else if (e.key === 'PageUp' || e.key === '[') go(page - 1);
    };
    document.addEventListener('keydown', onKey);

    el.append(
      h('div', { class: 'page-head' },
        h('div', { class: 'wall-headline' }, h('h1', {}, t('live.title')), summary),
        h('div', { class: 'page-actions' },
          h('div', { class: 'seg', role: 'group', 'aria-label': t('live.grid') }, gridBtns),
          pager,
          h('label', { class: 'wall-rotate', title: t('live.rotate_help', { s: ROTATE_S }) }, rotate, t('live.rotate')),
          full)),
      h('div', { class: 'wall-frame' }, wall),
      h('p', { class: 'muted wall-hint', id: 'live-hint' }, t('live.hint')));
    draw();
    const consentTimer = setInterval(async () => {
      consents = await consentMap(api);
      for (const v of views) v.setConsent(consents.get(v.cam.id) || null);
      if (zoom) zoom.v.setConsent(consents.get(zoom.v.cam.id) || null);
    }, CONSENT_REFRESH_MS);

    return () => {
      clearInterval(consentTimer);
      document.removeEventListener('keydown', onKey);
      clearInterval(rotateTimer);
      closeZoom(false);
      for (const v of views) v.close();
      views = [];
      if (mux) { mux.close(); mux = null; }
      if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    };
  },
};
