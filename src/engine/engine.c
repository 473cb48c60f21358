/*
 * engine.c — cameras, their stream threads, the supervisor and stats.
 *
 * Ownership: the engine owns cams; a cam owns its two streams; a stream
 * owns its hub and writer.  A stream is refcounted because HTTP live
 * handlers may hold its hub (engine_hub_acquire) after the camera stops.
 * cams[] and each stream's rates are guarded by e->mu; the per-packet
 * counters are atomics so the ingest thread never takes a lock for stats.
 */
#include "engine/engine.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include "base/base.h"
#include "catalog/cat_events.h"
#include "catalog/cat_evidence.h"
#include "catalog/catalog.h"
#include "ingest/ingest.h"
#include "motion/motion.h"
#include "notify/notify.h"

#include <jansson.h>

#include <libavutil/log.h>

static const char *const state_names[] = {"connecting", "online", "offline", "error", "stopped"};

const char *engine_state_name(enum engine_state s)
{
    return (unsigned)s < sizeof state_names / sizeof *state_names ? state_names[s] : "?";
}

struct stream {
    atomic_int refs;
    struct engine *e;
    int64_t camera_id, stream_id;
    char kind[8], ctx[48];
    char *url, *username, *password;
    bool udp;
    bool basic_allowed;        /* the camera's auth_basic_allowed */
    bool audio;                /* the camera's audio setting, main stream only: SETUP its sound track */
    hub_t *hub;
    rec_writer_t *writer;
    int writer_sub;
    pthread_t thread;
    bool thread_started;
    atomic_bool stop;
    bool addr_down;    /* ingest thread: the probe saw the address refuse */
    /* stats: counters by the ingest thread, the rest under e->mu */
    atomic_llong frames, bytes, last_packet_us;
    atomic_llong rtp_lost;         /* RTP packets lost, all sessions */
    /* RTP over UDP (lean client), all sessions: the reorder window's counts,
     * datagrams from elsewhere; and access units dropped as damaged (any
     * lean session) */
    atomic_llong udp_received, udp_reordered, udp_duplicate, udp_late, udp_foreign, damaged_aus;
    atomic_bool on_udp;            /* the current session is RTP over UDP */
    enum engine_state state;
    char reason[160];
    char reason_code[24];          /* engine_reason_code's */
    int64_t reconnects, sessions, online_since_us, rebases;
    struct ingest_clock_stats clock; /* the current session's, copied every CLOCK_EVERY packets */
    struct ingest_audio_stats audio_st; /* likewise */
    double fps, kbps;
    int64_t prev_frames, prev_bytes, prev_mono;
    char codec[8];
    int width, height;
    /* motion (sub stream only): decoded inline on this stream's ingest
     * thread — the sub stream feeds nothing that could be stalled by it */
    struct motion_detector *det;
    struct motion_decoder *dec;
    int motion_sub;
    int64_t motion_settings_us;   /* updated_us of the settings applied; -1 = defaults */
    bool motion_consent_known;    /* apply_consent has decided once (under e->mu) */
    atomic_llong motion_events;
    /* the event in progress (under e->evmu): open_start_us 0 = none */
    int64_t open_start_us, open_peak_us;
    double open_peak_score;
    char open_zone[64];
};

struct cam {
    int64_t id;
    char *name, *sig;      /* sig: the config a restart depends on */
    struct stream *main, *sub;
    bool seen;
    bool consent_paused;   /* recording paused: outside the owner's consent */
};

struct engine {
    struct engine_cfg cfg;
    char *data_dir, *stats_path;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stopping;
    struct cam **cams;
    int ncams, capcams;
    rec_syncer_t *syncer;
    catalog_t *cat;           /* supervisor thread only */
    notify_t *hooks;          /* motion webhooks: its own thread, never the supervisor's */
    pthread_t sup;
    bool kicked;              /* reconcile at once (engine_kick) */
    /* motion events from ingest threads, drained by the supervisor */
    pthread_mutex_t evmu;
    struct pending_event *events;
    int nevents, capevents;
    int64_t events_dropped;
    /* cameras being deleted (engine_camera_retire): reconcile must not
     * restart them while their rows still exist; under mu */
    int64_t *retired;
    int nretired, capretired;
};

struct pending_event {
    int64_t camera_id, stream_id;
    struct motion_event ev;
    uint8_t *jpeg;
    size_t jpeg_len;
};

#define MAX_PENDING_EVENTS 1000

static void stream_unref(struct stream *s)
{
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1) return;
    hub_free(s->hub);
    free(s->url);
    free(s->username);
    if (s->password) { explicit_bzero(s->password, strlen(s->password)); free(s->password); }
    free(s);
}

const char *engine_reason_code(int rc, bool connecting)
{
    switch (rc) {
    case WW_EAUTH: return "auth";
    case -ENOENT: return "no_stream";
    case -ECONNREFUSED: return "refused";
    case -ETIMEDOUT: return connecting ? "timeout" : "no_data";
    case -EHOSTUNREACH: case -ENETUNREACH: return "unreachable";
    case WW_EINVAL: return "bad_camera";
    case WW_EOF: return connecting ? "connect_failed" : "closed";
    default: return connecting ? "connect_failed" : "read_error";
    }
}

const char *engine_reason_code_of(const char *text)
{
    static const struct { const char *prefix, *code; } known[] = {
        {"camera refused the credentials", "auth"}, {"camera refused access", "auth"},
        {"camera has no such stream", "no_stream"}, {"connection refused", "refused"},
        {"timed out connecting", "timeout"}, {"host unreachable", "unreachable"},
        {"network unreachable", "unreachable"}, {"camera URL does not parse", "bad_camera"},
        {"camera offers no H.264", "bad_camera"}, {"camera gave no Session", "bad_camera"},
        {"camera does not offer RTP", "bad_camera"}, {"no data from the camera", "no_data"},
        {"the camera closed the stream", "closed"}, {"stream read error", "read_error"},
        {"stream lost", "read_error"}, {"recorder stopping", "recorder_stopped"},
        {REC_GAP_HELD_FULL, "disk_full_held"}, {"recordings folder is full (ENOSPC) and only held", "disk_full_held"},
        {"disk full", "disk_full"}, {"recordings folder is full", "disk_full"}, {"write error", "write_error"},
        {"not recordable", "not_recordable"}, {"cannot write the segment", "write_error"},
        {"no recording consent", "no_recording_consent"}, {"paused", "paused"},
        {"disabled", "disabled"}, {"not running", "not_running"},
    };
    if (!text || !*text) return "";
    static const char offline[] = "camera offline: ";
    if (!strncmp(text, offline, sizeof offline - 1)) text += sizeof offline - 1;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!strncmp(text, known[i].prefix, strlen(known[i].prefix))) return known[i].code;
    return "other";
}

static void set_state(struct stream *s, enum engine_state st, const char *code, const char *reason)
{
    pthread_mutex_lock(&s->e->mu);
    bool changed = s->state != st || strcmp(s->reason, reason ? reason : "");
    s->state = st;
    snprintf(s->reason, sizeof s->reason, "%s", reason ? reason : "");
    snprintf(s->reason_code, sizeof s->reason_code, "%s", code ? code : "");
    if (st == ENGINE_ONLINE) s->online_since_us = ww_wall_us();
    pthread_mutex_unlock(&s->e->mu);
    if (!changed) return;
    if (st == ENGINE_ONLINE) ww_info(s->ctx, "online");
    else if (st == ENGINE_ERROR) ww_error(s->ctx, "error: %s", s->reason);
    else if (st == ENGINE_OFFLINE) ww_warn(s->ctx, "offline: %s", s->reason);
}

/* Does the camera's address accept a TCP connection (within 200 ms)?  A
 * cheap probe: no RTSP, nothing sent; used while a long backoff waits. */
static bool address_answers(const char *url)
{
    const char *h = strstr(url, "://");
    if (!h) return false;
    h += 3;
    const char *end = h + strcspn(h, "/?");
    const char *at = memchr(h, '@', (size_t)(end - h));
    if (at) h = at + 1;
    char host[256], port[8] = "554";
    size_t hl;
    const char *colon = NULL;
    if (*h == '[') {                       /* [v6]:port */
        const char *rb = memchr(h, ']', (size_t)(end - h));
        if (!rb) return false;
        hl = (size_t)(rb - h - 1);
        if (hl >= sizeof host) return false;
        memcpy(host, h + 1, hl);
        colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
    } else {
        colon = memchr(h, ':', (size_t)(end - h));
        hl = (size_t)((colon ? colon : end) - h);
        if (hl >= sizeof host) return false;
        memcpy(host, h, hl);
    }
    host[hl] = 0;
    if (colon && (size_t)(end - colon - 1) < sizeof port && end > colon + 1) {
        memcpy(port, colon + 1, (size_t)(end - colon - 1));
        port[end - colon - 1] = 0;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *ai = NULL;
    if (getaddrinfo(host, port, &hints, &ai) || !ai) return false;
    bool ok = false;
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (rc == 0) ok = true;
        else if (errno == EINPROGRESS) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            int err = 0;
            socklen_t el = sizeof err;
            if (poll(&pfd, 1, 200) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0)
                ok = err == 0;
        }
        close(fd);
    }
    freeaddrinfo(ai);
    return ok;
}

#define PROBE_EVERY_US 500000

/* Sleeps up to us, waking early when the stream is stopped — or, during a
 * long backoff, as soon as the camera's address, having refused, accepts a
 * TCP connection again (probed every 0.5 s), so a camera that returns is retried within
 * about 0.7 s while one that stays down costs one refused connect per
 * probe, not an RTSP session. */
static bool nap(struct stream *s, int64_t us)
{
    int64_t now = ww_mono_us(), end = now + us, next_probe = now + PROBE_EVERY_US;
    bool probe = us > 2 * PROBE_EVERY_US;
    while (!atomic_load(&s->stop) && (now = ww_mono_us()) < end) {
        if (probe && now >= next_probe) {
            /* Only the change down → answering ends the wait: a camera that
             * accepts TCP but refuses RTSP keeps its full backoff. */
            bool up = address_answers(s->url);
            if (up && s->addr_down) { s->addr_down = false; return true; }
            if (!up) s->addr_down = true;
            next_probe = ww_mono_us() + PROBE_EVERY_US;
        }
        usleep(50000);
    }
    return false;
}

static int64_t next_backoff(int64_t cur)
{
    int64_t b = cur ? cur * 3 / 2 : 250000;
    if (b > 30000000) b = 30000000;
    int64_t jitter = b / 10;
    return b - jitter + (int64_t)(random() % (2 * jitter + 1));
}

/* Adds what a session counter grew by since *seen to the stream's total. */
static void add_delta(atomic_llong *total, int64_t now, int64_t *seen)
{
    if (now == *seen) return;
    atomic_fetch_add(total, now - *seen);
    *seen = now;
}

/* How often the wall-clock source is copied out (a lock; ~1 s at 25 fps). */
#define CLOCK_EVERY 25

static void run_session(struct stream *s, ingest_session_t *in)
{
    struct ingest_packet p;
    bool started = false;
    /* this session's counters already added to the stream's totals */
    int64_t lost_seen = 0, dropped_seen = 0;
    struct ingest_udp_stats u, useen = {0};
    int rc;
    while ((rc = ingest_read(in, &p)) == 0) {
        if (p.stream == 1) { /* sound (the camera's setting is on): to the recorder only */
            if (started) hub_publish_audio(s->hub, p.pkt, p.wall_us);
            continue;
        }
        bool udp = ingest_udp_stats(in, &u);
        /* over UDP the window's count (it gives gaps up); the depacketizer
         * sees the same gaps again after it */
        add_delta(&s->rtp_lost, udp ? u.lost : ingest_rtp_lost(in), &lost_seen);
        add_delta(&s->damaged_aus, ingest_dropped(in), &dropped_seen);
        atomic_store(&s->on_udp, udp);
        if (udp) {
            add_delta(&s->udp_received, u.received, &useen.received);
            add_delta(&s->udp_reordered, u.reordered, &useen.reordered);
            add_delta(&s->udp_duplicate, u.duplicate, &useen.duplicate);
            add_delta(&s->udp_late, u.late, &useen.late);
            add_delta(&s->udp_foreign, u.foreign, &useen.foreign);
        }
        if (!started || p.params_changed) {
            const AVCodecParameters *par = ingest_params(in);
            pthread_mutex_lock(&s->e->mu);
            snprintf(s->codec, sizeof s->codec, "%s", par->codec_id == AV_CODEC_ID_HEVC ? "hevc" : "h264");
            s->width = par->width;
            s->height = par->height;
            pthread_mutex_unlock(&s->e->mu);
            /* again on a change: consumers start over */
            hub_start_av(s->hub, par, ingest_time_base(in), ingest_audio_params(in), ingest_audio_time_base(in));
            if (!started) set_state(s, ENGINE_ONLINE, NULL, "");
            started = true;
        }
        if (atomic_load(&s->frames) % CLOCK_EVERY == 0) {
            struct ingest_clock_stats ck;
            ingest_clock_stats(in, &ck);
            struct ingest_audio_stats au;
            ingest_audio_stats(in, &au);
            pthread_mutex_lock(&s->e->mu);
            s->clock = ck;
            s->audio_st = au;
            pthread_mutex_unlock(&s->e->mu);
        }
        atomic_fetch_add(&s->frames, 1);
        atomic_fetch_add(&s->bytes, p.pkt->size);
        atomic_store(&s->last_packet_us, p.wall_us);
        hub_publish(s->hub, p.pkt, p.wall_us, p.key);
    }
    pthread_mutex_lock(&s->e->mu);
    s->rebases += ingest_rebases(in);
    pthread_mutex_unlock(&s->e->mu);
    const char *why = rc == -ETIMEDOUT ? "no data from the camera for 5 s"
                    : rc == WW_EOF     ? "the camera closed the stream"
                                       : "stream read error";
    if (started) hub_stop(s->hub, atomic_load(&s->stop) ? "recorder stopping" : why);
    if (!atomic_load(&s->stop)) set_state(s, ENGINE_OFFLINE, engine_reason_code(rc, false), why);
}

static void *stream_main(void *arg)
{
    struct stream *s = arg;
    ww_thread_set_role(WW_THREAD_INGEST);
    int64_t backoff = 0;
    struct ingest_opts o = {
        .url = s->url, .username = s->username, .password = s->password, .udp = s->udp,
        .read_timeout_us = s->e->cfg.read_timeout_us, .log_ctx = s->ctx,
        .cred_url = s->url, .basic_allowed = s->basic_allowed, .audio = s->audio,
    };
    while (!atomic_load(&s->stop)) {
        ingest_session_t *in = NULL;
        const char *why = NULL;
        int rc = ingest_open(&o, &s->stop, &in, &why);
        if (rc == WW_EOF) break;
        if (rc) {
            bool fatal = rc == WW_EAUTH || rc == -ENOENT || rc == WW_EINVAL;
            set_state(s, fatal ? ENGINE_ERROR : ENGINE_OFFLINE, engine_reason_code(rc, true), why);
            backoff = next_backoff(backoff);
            /* The address came back: start the backoff again from its
             * shortest step (it still grows if the camera keeps failing). */
            if (nap(s, backoff)) backoff = 0;
            continue;
        }
        pthread_mutex_lock(&s->e->mu);
        if (s->sessions++) s->reconnects++;
        pthread_mutex_unlock(&s->e->mu);
        int64_t before = atomic_load(&s->frames);
        run_session(s, in);
        ingest_close(in);
        if (atomic_load(&s->frames) > before) backoff = 0; /* it worked: retry fast */
        if (!atomic_load(&s->stop)) {
            backoff = next_backoff(backoff);
            if (nap(s, backoff)) backoff = 0;
        }
    }
    set_state(s, ENGINE_STOPPED, NULL, "");
    return NULL;
}

/* Motion event from the decoder (ingest thread): queue it for the
 * supervisor, which owns the catalog connection and the webhook notifier. */
static void on_motion_event(void *opaque, int what, const struct motion_event *ev,
                            const uint8_t *jpeg, size_t jpeg_len)
{
    struct stream *s = opaque;
    struct engine *e = s->e;
    if (what == MOTION_CB_OPENED) {
        pthread_mutex_lock(&e->evmu);
        s->open_start_us = ev->start_us;
        s->open_peak_us = ev->peak_us;
        s->open_peak_score = ev->peak_score;
        snprintf(s->open_zone, sizeof s->open_zone, "%s", ev->zone);
        pthread_mutex_unlock(&e->evmu);
        return;
    }
    if (what != MOTION_CB_CLOSED) return;
    pthread_mutex_lock(&e->evmu);
    /* At the detector's maximum length the event is cut and the next piece
     * is already open (no OPENED for it): it starts where this one ends. */
    struct motion_state ms;
    motion_detector_get_state(s->det, &ms);
    if (ms.in_event) {
        s->open_start_us = ev->end_us;
        s->open_peak_us = ev->end_us;
        s->open_peak_score = 0;
        snprintf(s->open_zone, sizeof s->open_zone, "%s", ev->zone);
    } else {
        s->open_start_us = 0;
    }
    if (e->nevents >= MAX_PENDING_EVENTS) {
        e->events_dropped++;
    } else {
        if (e->nevents == e->capevents) {
            e->capevents = e->capevents ? e->capevents * 2 : 16;
            e->events = ww_realloc(e->events, (size_t)e->capevents * sizeof *e->events);
        }
        struct pending_event *p = &e->events[e->nevents++];
        p->camera_id = s->camera_id;
        p->stream_id = s->stream_id;
        p->ev = *ev;
        p->jpeg = NULL;
        p->jpeg_len = 0;
        if (jpeg && jpeg_len) {
            p->jpeg = ww_malloc(jpeg_len);
            memcpy(p->jpeg, jpeg, jpeg_len);
            p->jpeg_len = jpeg_len;
        }
    }
    pthread_mutex_unlock(&e->evmu);
    atomic_fetch_add(&s->motion_events, 1);
}

static void on_motion_hub(void *opaque, const struct hub_msg *m)
{
    struct stream *s = opaque;
    switch (m->ev) {
    case HUB_START: {
        motion_decoder_free(s->dec);
        s->dec = NULL;
        struct motion_decoder_opts o = {
            .time_base_num = m->tb.num, .time_base_den = m->tb.den, .thumbnails = true,
            .on_event = on_motion_event, .opaque = s, .log_ctx = s->ctx,
        };
        if (motion_decoder_new(m->par, s->det, &o, &s->dec))
            ww_warn(s->ctx, "motion: cannot open a decoder for this stream; no motion detection");
        break;
    }
    case HUB_PACKET:
        if (s->dec) motion_decoder_push(s->dec, m->pkt, m->wall_us);
        break;
    case HUB_STOP:
        if (s->dec) motion_decoder_finish(s->dec);
        motion_decoder_free(s->dec);
        s->dec = NULL;
        break;
    }
}

static struct stream *stream_new(struct engine *e, const struct catalog_camera *c, const char *kind,
                                 const char *url)
{
    struct stream *s = ww_calloc(1, sizeof *s);
    atomic_init(&s->refs, 1);
    s->e = e;
    s->camera_id = c->id;
    snprintf(s->kind, sizeof s->kind, "%s", kind);
    snprintf(s->ctx, sizeof s->ctx, "cam=%lld/%s", (long long)c->id, kind);
    s->url = ww_strdup(url);
    s->username = ww_strdup(c->username);
    s->password = ww_strdup(c->password);
    s->udp = c->transport && !strcmp(c->transport, "udp");
    s->basic_allowed = c->auth_basic_allowed;
    /* Sound on the main stream only: the sub stream feeds motion (which never
     * takes sound) and the live wall's tiles (muted); the recorder and the
     * enlarged view are on the main stream.  One sound track per camera. */
    s->audio = c->audio && !strcmp(kind, "main");
    s->hub = hub_new(s->ctx);
    hub_set_owner(s->hub, s);
    s->state = ENGINE_CONNECTING;
    s->prev_mono = ww_mono_us();
    return s;
}

static int stream_start(struct engine *e, struct stream *s, bool record)
{
    if (catalog_stream_ensure(e->cat, s->camera_id, s->kind, &s->stream_id)) return WW_EDB;
    if (record) {
        struct rec_writer_cfg wc = {
            .data_dir = e->data_dir, .camera_id = s->camera_id, .stream_id = s->stream_id,
            .kind = s->kind, .max_segment_us = e->cfg.segment_us,
            .max_fragment_us = e->cfg.fragment_us, .log_ctx = s->ctx,
        };
        rec_writer_new(&wc, e->syncer, &s->writer);
        s->writer_sub = hub_subscribe(s->hub, rec_writer_on_hub, s->writer, false);
        hub_want_audio(s->hub, s->writer_sub); /* sound comes only if the camera's setting is on */
    }
    if (!strcmp(s->kind, "sub")) {
        struct motion_config mc;
        motion_config_default(&mc);
        s->motion_settings_us = -1;
        if (motion_detector_new(&mc, &s->det) == 0) {
            /* Nothing is analysed before the supervisor has read the
             * owner's consent (apply_consent, right after the start). */
            motion_detector_set_paused(s->det, true);
            s->motion_sub = hub_subscribe(s->hub, on_motion_hub, s, false);
        }
    }
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 512 * 1024);
    int rc = pthread_create(&s->thread, &at, stream_main, s);
    pthread_attr_destroy(&at);
    if (rc) return -rc;
    s->thread_started = true;
    return 0;
}

static void stream_stop(struct stream *s)
{
    if (!s) return;
    atomic_store(&s->stop, true);
    if (s->thread_started) pthread_join(s->thread, NULL);
    if (s->writer) {
        hub_unsubscribe(s->hub, s->writer_sub);
        rec_writer_free(s->writer);
        s->writer = NULL;
    }
    if (s->det) {
        hub_unsubscribe(s->hub, s->motion_sub);
        if (s->dec) motion_decoder_finish(s->dec);
        motion_decoder_free(s->dec);
        s->dec = NULL;
        motion_detector_free(s->det);
        s->det = NULL;
    }
    stream_unref(s);
}

static char *camera_sig(const struct catalog_camera *c)
{
    /* audio is in it: turning sound on or off restarts the streams, so a
     * segment never has sound the setting did not allow */
    return ww_asprintf("%s|%s|%s|%s|%s|%d|%d", c->main_url, c->sub_url ? c->sub_url : "",
                       c->username ? c->username : "", c->password ? c->password : "",
                       c->transport ? c->transport : "", c->auth_basic_allowed, c->audio);
}

static void cam_stop(struct cam *c)
{
    /* main and sub stop in parallel: set both flags first */
    if (c->main) atomic_store(&c->main->stop, true);
    if (c->sub) atomic_store(&c->sub->stop, true);
    stream_stop(c->main);
    stream_stop(c->sub);
    free(c->name);
    free(c->sig);
    free(c);
}

static struct cam *cam_start(struct engine *e, const struct catalog_camera *cc)
{
    struct cam *c = ww_calloc(1, sizeof *c);
    c->id = cc->id;
    c->name = ww_strdup(cc->name);
    c->sig = camera_sig(cc);
    c->main = stream_new(e, cc, "main", cc->main_url);
    if (stream_start(e, c->main, e->cfg.record)) ww_error(c->main->ctx, "cannot start the stream");
    if (cc->sub_url && *cc->sub_url) {
        c->sub = stream_new(e, cc, "sub", cc->sub_url);
        if (stream_start(e, c->sub, false)) ww_error(c->sub->ctx, "cannot start the stream");
    }
    ww_info("engine", "camera %lld \"%s\" started", (long long)c->id, c->name);
    return c;
}

/* The ids of the running cameras (*ids: caller frees); with_motion: only
 * those whose sub stream has a detector. */
static size_t cam_ids(struct engine *e, bool with_motion, int64_t **ids)
{
    pthread_mutex_lock(&e->mu);
    size_t n = 0;
    *ids = e->ncams ? ww_calloc((size_t)e->ncams, sizeof **ids) : NULL;
    for (int i = 0; i < e->ncams; i++)
        if (!with_motion || (e->cams[i]->sub && e->cams[i]->sub->det)) (*ids)[n++] = e->cams[i]->id;
    pthread_mutex_unlock(&e->mu);
    return n;
}

/* The running camera with this id, or NULL; e->mu held. */
static struct cam *cam_find_locked(struct engine *e, int64_t id)
{
    for (int i = 0; i < e->ncams; i++)
        if (e->cams[i]->id == id) return e->cams[i];
    return NULL;
}

#define NO_CONSENT "no recording consent from the owner"

/* One consent decision for a camera, applied to everything that records or
 * analyses its pictures: the recorder (main stream) and the motion
 * detector (sub stream).  e->mu held. */
static void cam_apply_consent_locked(struct cam *c, bool pause)
{
    if (c->main && c->main->writer && pause != c->consent_paused) {
        rec_writer_pause(c->main->writer, pause, NO_CONSENT);
        c->consent_paused = pause;
    }
    struct stream *s = c->sub;
    if (s && s->det && (motion_detector_paused(s->det) != pause || !s->motion_consent_known)) {
        motion_detector_set_paused(s->det, pause);
        /* Logged on change; a camera that starts with consent is the normal
         * case and says nothing. */
        if (pause) ww_info(s->ctx, "motion analysis paused: %s", NO_CONSENT);
        else if (s->motion_consent_known) ww_info(s->ctx, "motion analysis resumed: the owner's recording consent is in force");
        s->motion_consent_known = true;
    }
}

/* Pauses or resumes each camera's recorder and motion detector with its
 * owner's recording consent.  Runs on the supervisor thread (the only user
 * of e->cat).  The consent is read with the engine's lock released (a slow
 * SQLite read must not stall status calls or ingest threads) and applied
 * under it, by id: a camera retired meanwhile is simply not found.  A
 * camera whose consent cannot be read keeps its previous state (a new
 * camera's detector starts paused). */
static void apply_consent(struct engine *e)
{
    int64_t now = ww_wall_us();
    int64_t *ids;
    size_t n = cam_ids(e, false, &ids);
    signed char *pause = n ? ww_calloc(n, 1) : NULL;  /* -1 unknown, 0 run, 1 pause */
    for (size_t i = 0; i < n; i++) {
        int may = e->cfg.may(e->cfg.may_arg, e->cat, ids[i], false, now);
        pause[i] = may < 0 ? -1 : !may;
    }
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < n; i++) {
        struct cam *c = pause[i] >= 0 ? cam_find_locked(e, ids[i]) : NULL;
        if (c) cam_apply_consent_locked(c, pause[i] == 1);
    }
    pthread_mutex_unlock(&e->mu);
    free(pause);
    free(ids);
}

/* Stages a settings row in the stream's detector (bad values or zones
 * are logged and the previous ones stay).  e->mu held. */
static void motion_settings_apply(struct stream *s, const struct catalog_motion_settings *ms)
{
    struct motion_config mc;
    motion_config_default(&mc);
    mc.enabled = ms->enabled;
    mc.sensitivity = ms->sensitivity;
    mc.min_area_pct = ms->min_area_pct;
    mc.rate_fps = ms->rate_fps;
    mc.keyframes_only = ms->keyframes_only;
    struct motion_zones z = {0};
    char *err = NULL;
    if (motion_detector_set_config(s->det, &mc) != 0)
        ww_warn(s->ctx, "motion: settings out of range; keeping the previous ones");
    if (ms->zones_json && motion_zones_parse(ms->zones_json, &z, &err) != 0)
        ww_warn(s->ctx, "motion: bad zones (%s); keeping the previous ones", err ? err : "?");
    else
        motion_detector_set_zones(s->det, &z);
    free(err);
    s->motion_settings_us = ms->updated_us;
    ww_info(s->ctx, "motion settings applied (enabled %d, sensitivity %d, rate %.1f fps)",
            mc.enabled, mc.sensitivity, mc.rate_fps);
}

/* Applies changed motion settings to the running detectors (they are safe
 * to reconfigure from this thread while the ingest thread feeds).  As in
 * apply_consent: rows read without the lock, applied under it by id. */
static void apply_motion_settings(struct engine *e)
{
    int64_t *ids;
    size_t n = cam_ids(e, true, &ids);
    struct catalog_motion_settings *ms = n ? ww_calloc(n, sizeof *ms) : NULL;
    bool *have = n ? ww_calloc(n, sizeof *have) : NULL;
    for (size_t i = 0; i < n; i++)
        have[i] = catalog_motion_settings_get(e->cat, ids[i], &ms[i]) == 0; /* no row: defaults stay */
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < n; i++) {
        struct cam *c = have[i] ? cam_find_locked(e, ids[i]) : NULL;
        struct stream *s = c ? c->sub : NULL;
        if (s && s->det && ms[i].updated_us != s->motion_settings_us) motion_settings_apply(s, &ms[i]);
    }
    pthread_mutex_unlock(&e->mu);
    for (size_t i = 0; i < n; i++)
        if (have[i]) catalog_motion_settings_clear(&ms[i]);
    free(have);
    free(ms);
    free(ids);
}

static bool is_retired_locked(struct engine *e, int64_t id)
{
    for (int i = 0; i < e->nretired; i++)
        if (e->retired[i] == id) return true;
    return false;
}

/* Stores queued motion events and hands each to the webhook notifier
 * (setting motion.webhook_url): the catalog row is the record, the webhook
 * a notification, and the supervisor never waits on the network — a dead
 * receiver must not stall reconcile or stats.json. */
static void drain_events(struct engine *e)
{
    pthread_mutex_lock(&e->evmu);
    struct pending_event *v = e->events;
    int n = e->nevents;
    e->events = NULL;
    e->nevents = e->capevents = 0;
    pthread_mutex_unlock(&e->evmu);
    if (!n) return;
    char *hook = NULL;
    catalog_setting_get(e->cat, "motion.webhook_url", &hook);
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&e->mu);
        bool retired = is_retired_locked(e, v[i].camera_id);
        pthread_mutex_unlock(&e->mu);
        struct catalog_camera cc;
        if (retired || catalog_camera_get(e->cat, v[i].camera_id, &cc) != 0) {
            /* The camera was deleted between the event and now: its events
             * go with it. */
            ww_debug("motion", "event of removed camera %lld dropped", (long long)v[i].camera_id);
            free(v[i].jpeg);
            continue;
        }
        catalog_camera_clear(&cc);
        /* The event's picture (its peak) must lie inside the owner's
         * recording consent: this also covers the moments between a
         * withdrawal and the supervisor's next apply_consent. */
        if (e->cfg.may(e->cfg.may_arg, e->cat, v[i].camera_id, true, v[i].ev.peak_us) != 1) {
            ww_info("motion", "event of camera %lld dropped: its moment is outside the owner's recording consent",
                    (long long)v[i].camera_id);
            free(v[i].jpeg);
            continue;
        }
        struct catalog_event ce = {
            .camera_id = v[i].camera_id, .stream_id = v[i].stream_id, .start_us = v[i].ev.start_us,
            .end_us = v[i].ev.end_us, .peak_us = v[i].ev.peak_us, .peak_score = v[i].ev.peak_score,
            .zone = v[i].ev.zone,
        };
        if (catalog_event_add(e->cat, &ce, v[i].jpeg, v[i].jpeg_len) != 0)
            ww_error("motion", "cannot store an event of camera %lld", (long long)v[i].camera_id);
        else if (hook && *hook) {
            char a[48], b[48], c[48];
            int off = ww_station_offset_min();
            json_t *jo = json_pack("{s:I,s:I,s:s,s:s,s:s,s:f,s:s}", "event_id", (json_int_t)ce.id,
                "camera_id", (json_int_t)ce.camera_id, "start", ww_fmt_time(ce.start_us, off, a, sizeof a),
                "end", ww_fmt_time(ce.end_us, off, b, sizeof b), "peak", ww_fmt_time(ce.peak_us, off, c, sizeof c),
                "peak_score", ce.peak_score, "zone", ce.zone);
            char *thumb = ww_asprintf("/api/v1/events/%lld/thumbnail", (long long)ce.id);
            json_object_set_new(jo, "thumbnail", json_string(thumb));
            free(thumb);
            char *j = json_dumps(jo, JSON_COMPACT);
            json_decref(jo);
            struct notify_tag tag = {.id = ce.id, .target = ce.camera_id, .what = "motion"};
            if (e->hooks) notify_post(e->hooks, hook, j, &tag);
            free(j);
        }
        free(v[i].jpeg);
    }
    free(hook);
    free(v);
}

/* Brings the running cameras in line with the catalog. */
static void reconcile(struct engine *e)
{
    struct catalog_camera *v;
    size_t n;
    if (catalog_camera_list(e->cat, &v, &n)) return;
    pthread_mutex_lock(&e->mu);
    for (int i = 0; i < e->ncams; i++) e->cams[i]->seen = false;
    pthread_mutex_unlock(&e->mu);
    for (size_t k = 0; k < n; k++) {
        if (!v[k].enabled) continue;
        pthread_mutex_lock(&e->mu);
        bool retired = is_retired_locked(e, v[k].id);
        pthread_mutex_unlock(&e->mu);
        if (retired) continue; /* being deleted: engine_camera_retire stops it */
        char *sig = camera_sig(&v[k]);
        struct cam *found = NULL, *stale = NULL;
        pthread_mutex_lock(&e->mu);
        for (int i = 0; i < e->ncams; i++) {
            if (e->cams[i]->id != v[k].id) continue;
            if (strcmp(e->cams[i]->sig, sig)) {
                stale = e->cams[i];
                e->cams[i] = e->cams[--e->ncams];
            } else {
                found = e->cams[i];
                found->seen = true;
            }
            break;
        }
        pthread_mutex_unlock(&e->mu);
        free(sig);
        if (stale) { ww_info("engine", "camera %lld changed; restarting", (long long)stale->id); cam_stop(stale); }
        if (found) continue;
        struct cam *c = cam_start(e, &v[k]);
        c->seen = true;
        pthread_mutex_lock(&e->mu);
        if (e->ncams == e->capcams) {
            e->capcams = e->capcams ? e->capcams * 2 : 16;
            e->cams = ww_realloc(e->cams, (size_t)e->capcams * sizeof *e->cams);
        }
        e->cams[e->ncams++] = c;
        pthread_mutex_unlock(&e->mu);
    }
    catalog_camera_list_free(v, n);
    apply_consent(e);
    apply_motion_settings(e);
    for (;;) {
        struct cam *gone = NULL;
        pthread_mutex_lock(&e->mu);
        for (int i = 0; i < e->ncams && !gone; i++)
            if (!e->cams[i]->seen) { gone = e->cams[i]; e->cams[i] = e->cams[--e->ncams]; }
        pthread_mutex_unlock(&e->mu);
        if (!gone) break;
        ww_info("engine", "camera %lld removed or disabled; stopping", (long long)gone->id);
        cam_stop(gone);
    }
}

/* Updates fps/bitrate from the counters (called about once a second). */
static void update_rates(struct stream *s, int64_t now_mono)
{
    if (!s) return;
    int64_t f = atomic_load(&s->frames), b = atomic_load(&s->bytes);
    double dt = (double)(now_mono - s->prev_mono) / 1e6;
    if (dt < 0.5) return;
    s->fps = (double)(f - s->prev_frames) / dt;
    s->kbps = (double)(b - s->prev_bytes) * 8 / 1000 / dt;
    s->prev_frames = f;
    s->prev_bytes = b;
    s->prev_mono = now_mono;
}

/* Copies one stream's status; e->mu held (the rates and state live under it). */
static void stream_status(struct stream *s, struct engine_stream_status *o)
{
    memset(o, 0, sizeof *o);
    if (!s) return;
    o->present = true;
    o->state = s->state;
    snprintf(o->reason, sizeof o->reason, "%s", s->reason);
    snprintf(o->reason_code, sizeof o->reason_code, "%s", s->reason_code);
    o->fps = s->fps;
    o->bitrate_kbps = s->kbps;
    o->frames = atomic_load(&s->frames);
    o->bytes = atomic_load(&s->bytes);
    o->reconnects = s->reconnects;
    o->rtp_lost = atomic_load(&s->rtp_lost);
    o->udp = atomic_load(&s->on_udp);
    o->rtp_received = atomic_load(&s->udp_received);
    o->rtp_reordered = atomic_load(&s->udp_reordered);
    o->rtp_duplicate = atomic_load(&s->udp_duplicate);
    o->rtp_late = atomic_load(&s->udp_late);
    o->rtp_foreign = atomic_load(&s->udp_foreign);
    o->damaged_aus = atomic_load(&s->damaged_aus);
    o->timestamp_rebases = s->rebases;
    o->clock = s->clock;
    o->audio = s->audio_st;
    if (!o->clock.source) o->clock.source = "receive";
    o->last_packet_us = atomic_load(&s->last_packet_us);
    snprintf(o->codec, sizeof o->codec, "%s", s->codec);
    o->width = s->width;
    o->height = s->height;
    if (s->det) {
        struct motion_state ms;
        motion_detector_get_state(s->det, &ms);
        o->has_motion = true;
        o->motion.score = ms.score;
        o->motion.in_event = ms.in_event;
        o->motion.frames_analysed = ms.frames;
        o->motion.events = atomic_load(&s->motion_events);
        o->motion.paused = ms.paused;
        pthread_mutex_lock(&s->e->evmu);
        bool open = ms.in_event && s->open_start_us;
        o->motion.open_start_us = open ? s->open_start_us : 0;
        o->motion.open_peak_us = open ? s->open_peak_us : 0;
        o->motion.open_peak_score = open ? s->open_peak_score : 0;
        snprintf(o->motion.open_zone, sizeof o->motion.open_zone, "%s", open ? s->open_zone : "");
        pthread_mutex_unlock(&s->e->evmu);
    }
    if (s->writer) {
        o->has_record = true;
        rec_writer_stats(s->writer, &o->record);
    }
}

static void cam_status(struct cam *c, struct engine_camera_status *o)
{
    o->id = c->id;
    stream_status(c->main, &o->main);
    stream_status(c->sub, &o->sub);
}

int engine_camera_status(engine_t *e, int64_t camera_id, struct engine_camera_status *out)
{
    int rc = WW_ENOTFOUND;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&e->mu);
    for (int i = 0; i < e->ncams && rc; i++)
        if (e->cams[i]->id == camera_id) { cam_status(e->cams[i], out); rc = 0; }
    pthread_mutex_unlock(&e->mu);
    return rc;
}

/* The snapshot behind engine_status_list; names (for the stats file) are
 * copied too when names is not NULL (each the caller's). */
static void status_list(struct engine *e, struct engine_camera_status **out, char ***names, size_t *n)
{
    pthread_mutex_lock(&e->mu);
    size_t k = (size_t)e->ncams;
    *out = k ? ww_calloc(k, sizeof **out) : NULL;
    if (names) *names = k ? ww_calloc(k, sizeof **names) : NULL;
    for (size_t i = 0; i < k; i++) {
        cam_status(e->cams[i], &(*out)[i]);
        if (names) (*names)[i] = ww_strdup(e->cams[i]->name);
    }
    pthread_mutex_unlock(&e->mu);
    *n = k;
}

void engine_status_list(engine_t *e, struct engine_camera_status **out, size_t *n)
{
    status_list(e, out, NULL, n);
}

/* ---- the stats file (the one JSON view the engine writes itself: it is
 * the engine's own artefact, read by tests, bench and operators) ------------ */

double engine_loss_pct(const struct engine_stream_status *s)
{
    int64_t expected = s->rtp_received + s->rtp_lost;
    return expected > 0 ? 100.0 * (double)s->rtp_lost / (double)expected : 0;
}

static json_t *stream_file_json(const struct engine_stream_status *s)
{
    char ts[48];
    json_t *o = json_pack("{s:s,s:s,s:s,s:f,s:f,s:I,s:I,s:I,s:I,s:s,s:i,s:i}",
                          "state", engine_state_name(s->state), "reason", s->reason,
                          "reason_code", s->reason_code,
                          "fps", s->fps, "bitrate_kbps", s->bitrate_kbps,
                          "frames", (json_int_t)s->frames, "bytes", (json_int_t)s->bytes,
                          "reconnects", (json_int_t)s->reconnects,
                          "timestamp_rebases", (json_int_t)s->timestamp_rebases,
                          "codec", s->codec, "width", s->width, "height", s->height);
    int64_t last = s->last_packet_us;
    json_object_set_new(o, "last_packet_us", last ? json_integer(last) : json_null());
    json_object_set_new(o, "rtp", json_pack("{s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f}", "udp", s->udp,
        "received", (json_int_t)s->rtp_received, "lost", (json_int_t)s->rtp_lost,
        "reordered", (json_int_t)s->rtp_reordered, "duplicate", (json_int_t)s->rtp_duplicate,
        "late", (json_int_t)s->rtp_late,
        "foreign", (json_int_t)s->rtp_foreign, "damaged_aus", (json_int_t)s->damaged_aus,
        "loss_pct", engine_loss_pct(s)));
    const struct ingest_clock_stats *k = &s->clock;
    json_t *ck = json_pack("{s:s,s:I,s:I,s:I}", "source", k->source ? k->source : "receive",
                           "sender_reports", (json_int_t)k->srs,
                           "sr_unknown_ssrc", (json_int_t)k->sr_unknown_ssrc,
                           "untrusted", (json_int_t)k->untrusted);
    json_object_set_new(ck, "camera_offset_s", k->have_sr ? json_real(k->camera_offset_s) : json_null());
    json_object_set_new(ck, "drift_ppm", k->have_drift ? json_real(k->drift_ppm) : json_null());
    json_object_set_new(ck, "correction_ms", json_real(k->correction_ms));
    json_object_set_new(ck, "mapping_error_ms", k->have_mapping ? json_real(k->mapping_error_ms) : json_null());
    json_object_set_new(o, "clock", ck);
    const struct ingest_audio_stats *au = &s->audio;
    json_object_set_new(o, "audio", !au->codec ? json_null() : json_pack("{s:s,s:I,s:I,s:I,s:I,s:f}",
        "codec", au->codec, "frames", (json_int_t)au->frames, "dropped", (json_int_t)au->dropped,
        "bad_packets", (json_int_t)au->bad_packets, "lost", (json_int_t)au->lost,
        "transcode_cpu_ms", (double)au->transcode_cpu_us / 1e3));
    json_object_set_new(o, "last_packet", last ? json_string(ww_fmt_time(last, ww_station_offset_min(), ts, sizeof ts)) : json_null());
    if (s->has_motion)
        json_object_set_new(o, "motion", json_pack("{s:f,s:b,s:I,s:I,s:b}", "score", s->motion.score,
            "in_event", s->motion.in_event, "frames_analysed", (json_int_t)s->motion.frames_analysed,
            "events", (json_int_t)s->motion.events, "paused", s->motion.paused));
    if (s->has_record) {
        const struct rec_writer_stats *ws = &s->record;
        json_object_set_new(o, "record", json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:s}",
            "state", rec_state_name(ws->state), "segments", (json_int_t)ws->segments,
            "frames", (json_int_t)ws->frames, "bytes", (json_int_t)ws->bytes,
            "dropped_frames", (json_int_t)ws->dropped_frames, "gaps", (json_int_t)ws->gaps,
            "ts_corrections", (json_int_t)ws->ts_corrections, "error", ws->error_text));
        json_object_set_new(json_object_get(o, "record"), "audio_frames", json_integer(ws->audio_frames));
        json_object_set_new(json_object_get(o, "record"), "audio_dropped", json_integer(ws->audio_dropped));
    }
    return o;
}

static json_t *stats_file_json(struct engine *e)
{
    struct engine_camera_status *v;
    char **names;
    size_t n;
    status_list(e, &v, &names, &n);
    json_t *cams = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *streams = json_object();
        if (v[i].main.present) json_object_set_new(streams, "main", stream_file_json(&v[i].main));
        if (v[i].sub.present) json_object_set_new(streams, "sub", stream_file_json(&v[i].sub));
        json_array_append_new(cams, json_pack("{s:I,s:s,s:o}", "id", (json_int_t)v[i].id,
                                              "name", names[i], "streams", streams));
        free(names[i]);
    }
    free(names);
    free(v);
    json_t *root = json_pack("{s:o,s:I}", "cameras", cams, "time_us", (json_int_t)ww_wall_us());
    if (e->syncer) {
        struct rec_syncer_stats ss;
        rec_syncer_stats(e->syncer, &ss);
        json_object_set_new(root, "syncer", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
            "commits", (json_int_t)ss.commits, "last_commit_us", (json_int_t)ss.last_commit_us,
            "last_commit_ms", (json_int_t)(ss.last_commit_dur_us / 1000),
            "retention_deleted", (json_int_t)ss.retention_deleted,
            "retention_bytes", (json_int_t)ss.retention_bytes, "last_error", (json_int_t)ss.last_error));
    }
    char *rec = ww_asprintf("%s/rec", e->data_dir);
    /* held bytes apart (issue 13): what retention may not free */
    struct rec_retention_cfg ret;
    engine_retention(e, &ret);
    int64_t held = 0, held_segs = 0, floor = ret.min_free_bytes;
    if (catalog_held_bytes(e->cat, 0, &held, &held_segs)) held = held_segs = -1;
    if (floor == REC_FLOOR_AUTO) floor = rec_free_floor(rec);
    json_object_set_new(root, "disk", json_pack("{s:I,s:I,s:I,s:I}", "free_bytes", (json_int_t)ww_fs_free_bytes(rec),
                                                "floor_bytes", (json_int_t)floor, "held_bytes", (json_int_t)held,
                                                "held_segments", (json_int_t)held_segs));
    free(rec);
    return root;
}

static void write_stats(struct engine *e)
{
    if (!e->stats_path) return;
    json_t *j = stats_file_json(e);
    char *tmp = ww_asprintf("%s.tmp", e->stats_path);
    if (json_dump_file(j, tmp, JSON_INDENT(1)) == 0) rename(tmp, e->stats_path);
    free(tmp);
    json_decref(j);
}

static void *supervisor_main(void *arg)
{
    struct engine *e = arg;
    ww_thread_set_role(WW_THREAD_SUPERVISOR);
    int64_t next_reconcile = 0;
    pthread_mutex_lock(&e->mu);
    while (!e->stopping) {
        pthread_mutex_unlock(&e->mu);
        int64_t now = ww_mono_us();
        pthread_mutex_lock(&e->mu);
        bool kicked = e->kicked;
        e->kicked = false;
        pthread_mutex_unlock(&e->mu);
        if (kicked || now >= next_reconcile) {
            reconcile(e);
            next_reconcile = now + e->cfg.reconcile_us;
        }
        pthread_mutex_lock(&e->mu);
        for (int i = 0; i < e->ncams; i++) {
            update_rates(e->cams[i]->main, now);
            update_rates(e->cams[i]->sub, now);
        }
        pthread_mutex_unlock(&e->mu);
        write_stats(e);
        drain_events(e);
        pthread_mutex_lock(&e->mu);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        if (!e->stopping && !e->kicked) pthread_cond_timedwait(&e->cv, &e->mu, &ts);
    }
    pthread_mutex_unlock(&e->mu);
    return NULL;
}

/* FFmpeg's own messages repeat on every retry of a dead camera; we log the
 * state changes ourselves, so its text goes to debug level only. */
static void av_log_to_ww(void *avcl, int level, const char *fmt, va_list ap)
{
    (void)avcl;
    if (level > AV_LOG_WARNING) return;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n') line[--n] = 0;
    if (n) ww_debug("ffmpeg", "%s", line);
}

void engine_set_retention(engine_t *e, const struct rec_retention_cfg *r)
{
    pthread_mutex_lock(&e->mu);
    e->cfg.retention = *r;
    pthread_mutex_unlock(&e->mu);
    if (e->syncer) rec_syncer_set_retention(e->syncer, r);
}

void engine_retention(engine_t *e, struct rec_retention_cfg *out)
{
    pthread_mutex_lock(&e->mu);
    *out = e->cfg.retention;
    pthread_mutex_unlock(&e->mu);
}

int engine_start(const struct engine_cfg *cfg, engine_t **out)
{
    assert(cfg->may); /* engine.h: the consent rule is not the engine's to guess */
    av_log_set_callback(av_log_to_ww);
    struct engine *e = ww_calloc(1, sizeof *e);
    e->cfg = *cfg;
    e->data_dir = ww_strdup(cfg->data_dir);
    e->stats_path = ww_strdup(cfg->stats_path);
    if (e->cfg.reconcile_us <= 0) e->cfg.reconcile_us = 2000000;
    pthread_mutex_init(&e->mu, NULL);
    pthread_mutex_init(&e->evmu, NULL);
    pthread_cond_init(&e->cv, NULL);
    srandom((unsigned)ww_mono_us());
    char *db = ww_asprintf("%s/wardwatch.db", cfg->data_dir);
    int rc = catalog_open(db, 0, &e->cat);
    free(db);
    /* 3 s a try as before, now with retries on the notifier's thread. */
    struct notify_cfg nc = {.name = "motion", .capacity = 256, .timeout_ms = 3000, .tries = 3};
    if (!rc) rc = notify_start(&nc, &e->hooks);
    if (!rc && cfg->record) rc = rec_syncer_start(cfg->data_dir, cfg->sync_interval_us, &cfg->retention, &e->syncer);
    if (!rc) reconcile(e); /* start cameras now, not a tick later */
    if (!rc && pthread_create(&e->sup, NULL, supervisor_main, e)) rc = -EAGAIN;
    if (rc) {
        engine_stop(e);
        return rc;
    }
    *out = e;
    return 0;
}

void engine_stop(engine_t *e)
{
    if (!e) return;
    pthread_mutex_lock(&e->mu);
    bool had_sup = !e->stopping && e->sup;
    e->stopping = true;
    pthread_cond_signal(&e->cv);
    pthread_mutex_unlock(&e->mu);
    if (had_sup) pthread_join(e->sup, NULL);
    for (int i = 0; i < e->ncams; i++) {
        if (e->cams[i]->main) atomic_store(&e->cams[i]->main->stop, true);
        if (e->cams[i]->sub) atomic_store(&e->cams[i]->sub->stop, true);
    }
    for (int i = 0; i < e->ncams; i++) cam_stop(e->cams[i]);
    free(e->cams);
    e->cams = NULL;
    e->ncams = 0;
    free(e->retired);
    if (e->cat) drain_events(e); /* events closed by the streams' finish */
    notify_stop(e->hooks);       /* interrupts a hanging receiver; what is queued is logged */
    write_stats(e);
    rec_syncer_stop(e->syncer);
    catalog_close(e->cat);
    pthread_cond_destroy(&e->cv);
    pthread_mutex_destroy(&e->evmu);
    pthread_mutex_destroy(&e->mu);
    free(e->data_dir);
    free(e->stats_path);
    free(e);
}

hub_t *engine_hub_acquire(engine_t *e, int64_t camera_id, const char *kind)
{
    hub_t *h = NULL;
    pthread_mutex_lock(&e->mu);
    for (int i = 0; i < e->ncams && !h; i++) {
        struct cam *c = e->cams[i];
        if (c->id != camera_id) continue;
        struct stream *s = !strcmp(kind, "sub") ? c->sub : c->main;
        if (s) { atomic_fetch_add(&s->refs, 1); h = s->hub; }
    }
    pthread_mutex_unlock(&e->mu);
    return h;
}

void engine_hub_release(engine_t *e, hub_t *h)
{
    (void)e;
    if (!h) return;
    /* The hub's owner stream is found through the hub's opaque pointer. */
    struct stream *s = hub_owner(h);
    stream_unref(s);
}

rec_syncer_t *engine_syncer(engine_t *e) { return e->syncer; }

int engine_camera_retire(engine_t *e, int64_t camera_id)
{
    struct cam *c = NULL;
    pthread_mutex_lock(&e->mu);
    if (!is_retired_locked(e, camera_id)) {
        if (e->nretired == e->capretired) {
            e->capretired = e->capretired ? e->capretired * 2 : 8;
            e->retired = ww_realloc(e->retired, (size_t)e->capretired * sizeof *e->retired);
        }
        e->retired[e->nretired++] = camera_id;
    }
    for (int i = 0; i < e->ncams && !c; i++)
        if (e->cams[i]->id == camera_id) { c = e->cams[i]; e->cams[i] = e->cams[--e->ncams]; }
    pthread_mutex_unlock(&e->mu);
    if (c) {
        ww_info("engine", "camera %lld being deleted; stopping", (long long)camera_id);
        cam_stop(c); /* joins its threads and frees its writers: segments closed */
    }
    /* The writers handed their last segments to the syncer: wait until
     * their final rows are committed (or set aside). */
    int rc = rec_syncer_flush_camera(e->syncer, camera_id, 10000000);
    if (rc) ww_warn("engine", "camera %lld: the syncer did not finish its segments in 10 s",
                    (long long)camera_id);
    return rc;
}

void engine_camera_unretire(engine_t *e, int64_t camera_id)
{
    pthread_mutex_lock(&e->mu);
    for (int i = 0; i < e->nretired; i++)
        if (e->retired[i] == camera_id) { e->retired[i] = e->retired[--e->nretired]; break; }
    pthread_mutex_unlock(&e->mu);
    engine_kick(e);
}

void engine_kick(engine_t *e)
{
    pthread_mutex_lock(&e->mu);
    e->kicked = true;
    pthread_cond_signal(&e->cv);
    pthread_mutex_unlock(&e->mu);
}
