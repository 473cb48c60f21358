/*
 * feed.c — the shared live fragmenter of one stream and its viewers.
 *
 * Ring: RING fragments (about 10 s at 25 fps); seq numbers only grow.
 * last_key is the seq of the newest fragment that starts with a keyframe;
 * a viewer that is new, or that fell off the ring's tail, continues from
 * there.  gen changes at every new camera session (the init segment and
 * possibly the codec change), which ends the viewers of the old one.
 * Sound: a session with a sound track (the camera's audio setting) is
 * muxed with it as track 2 and the codec string names mp4a.40.2; its
 * frames go out in the next video fragment (the GOP cache has no audio,
 * so a new feed's sound starts a little after its picture).
 */
#include "live/live.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"

#define RING 256
#define LIVE_FRAG_US 150000

struct live_feed {
    /* registry */
    struct live_feed *next;
    int refs;
    hub_t *hub;
    int sub_id;
    /* state, under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct fmp4_mux *mux;
    AVCodecParameters *par;
    AVCodecParameters *apar;   /* the session's sound track, NULL = none */
    bool want_open;
    AVBufferRef *init;
    char codec[48];
    int64_t t0_us;
    int gen;
    bool running;
    AVBufferRef *ring[RING];
    bool ring_key[RING];
    int64_t head;      /* seq of the next fragment to be added */
    int64_t last_key;  /* -1 = none yet */
    int64_t fragments;
};

struct live_viewer {
    live_feed_t *f;
    int gen;           /* 0 = not started */
    int64_t next;      /* next seq to send */
    AVBufferRef *cur;
    size_t off;
    int64_t dropped;
};

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct live_feed *reg_head;

static void ring_clear(live_feed_t *f)
{
    for (int i = 0; i < RING; i++) av_buffer_unref(&f->ring[i]);
    f->last_key = -1;
}

static void on_hub(void *opaque, const struct hub_msg *m)
{
    live_feed_t *f = opaque;
    pthread_mutex_lock(&f->mu);
    if (m->ev == HUB_START) {
        /* A new session: the muxer opens at its first frame, so that media
         * time 0 is that frame's wall time. */
        fmp4_mux_close(f->mux);
        f->mux = NULL;
        av_buffer_unref(&f->init);
        ring_clear(f);
        avcodec_parameters_copy(f->par, m->par);
        avcodec_parameters_free(&f->apar);
        if (m->apar && (f->apar = avcodec_parameters_alloc())) avcodec_parameters_copy(f->apar, m->apar);
        fmp4_codec_string_av(m->par, f->apar, f->codec, sizeof f->codec);
        f->gen++;
        f->running = false;
        f->want_open = true;
    } else if (m->ev == HUB_PACKET && m->stream == 1) {
        /* sound goes out with the next video fragment */
        if (f->mux) fmp4_mux_audio(f->mux, m->pkt, m->wall_us);
    } else if (m->ev == HUB_PACKET && (f->mux || f->want_open)) {
        if (!f->mux) {
            if (!m->key) goto out; /* a session starts at a keyframe */
            f->want_open = false;
            if (fmp4_mux_open_av(f->par, f->apar, m->wall_us, &f->mux, &f->init)) goto out;
            /* ~150 ms fragments: each viewer wakes and writes a few times a
             * second instead of per frame, for 150 ms of latency */
            fmp4_mux_set_fragment(f->mux, LIVE_FRAG_US);
            f->t0_us = m->wall_us;
            f->running = true;
            pthread_cond_broadcast(&f->cv);
        }
        AVBufferRef *frag = NULL;
        bool key = false;
        if (fmp4_mux_packet(f->mux, m->pkt, m->wall_us, m->key, &frag, &key) == 0 && frag) {
            int slot = (int)(f->head % RING);
            av_buffer_unref(&f->ring[slot]);
            f->ring[slot] = frag;
            f->ring_key[slot] = key;
            if (key) f->last_key = f->head;
            f->head++;
            f->fragments++;
            pthread_cond_broadcast(&f->cv);
        }
    } else if (m->ev == HUB_STOP) {
        f->running = false;
        f->want_open = false;
        f->gen++;
        pthread_cond_broadcast(&f->cv);
    }
out:
    pthread_mutex_unlock(&f->mu);
}

live_feed_t *live_feed_acquire(hub_t *hub)
{
    pthread_mutex_lock(&reg_mu);
    live_feed_t *f = reg_head;
    while (f && f->hub != hub) f = f->next;
    if (f) {
        f->refs++;
        pthread_mutex_unlock(&reg_mu);
        return f;
    }
    f = ww_calloc(1, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cv, &ca);
    pthread_condattr_destroy(&ca);
    f->hub = hub;
    f->refs = 1;
    f->last_key = -1;
    f->par = avcodec_parameters_alloc();
    f->next = reg_head;
    reg_head = f;
    /* replay: the hub hands us its session start and cached GOP at once */
    f->sub_id = hub_subscribe_av(hub, on_hub, f, true, true);
    pthread_mutex_unlock(&reg_mu);
    return f;
}

void live_feed_release(live_feed_t *f)
{
    if (!f) return;
    pthread_mutex_lock(&reg_mu);
    if (--f->refs > 0) {
        pthread_mutex_unlock(&reg_mu);
        return;
    }
    for (live_feed_t **pp = &reg_head; *pp; pp = &(*pp)->next)
        if (*pp == f) { *pp = f->next; break; }
    pthread_mutex_unlock(&reg_mu);
    hub_unsubscribe(f->hub, f->sub_id); /* after this no callback runs */
    fmp4_mux_close(f->mux);
    av_buffer_unref(&f->init);
    ring_clear(f);
    avcodec_parameters_free(&f->par);
    avcodec_parameters_free(&f->apar);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static void deadline_ts(struct timespec *ts, int64_t wait_us)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    int64_t ns = ts->tv_nsec + (wait_us % 1000000) * 1000;
    ts->tv_sec += wait_us / 1000000 + ns / 1000000000;
    ts->tv_nsec = ns % 1000000000;
}

int live_feed_wait_ready(live_feed_t *f, int64_t timeout_us, char *codec, size_t n, int64_t *t0_us)
{
    struct timespec ts;
    deadline_ts(&ts, timeout_us);
    pthread_mutex_lock(&f->mu);
    while (!f->running) {
        if (pthread_cond_timedwait(&f->cv, &f->mu, &ts) == ETIMEDOUT) break;
    }
    int rc = f->running ? 0 : -EAGAIN;
    if (!rc) {
        snprintf(codec, n, "%s", f->codec);
        *t0_us = f->t0_us;
    }
    pthread_mutex_unlock(&f->mu);
    return rc;
}

int64_t live_feed_fragments(live_feed_t *f)
{
    pthread_mutex_lock(&f->mu);
    int64_t n = f->fragments;
    pthread_mutex_unlock(&f->mu);
    return n;
}

/* Viewers open in this process, over every feed (GET /metrics): one
 * process serves one station, so a process-wide count is the station's. */
static atomic_llong viewers_open;

int64_t live_viewers_open(void) { return atomic_load(&viewers_open); }

live_viewer_t *live_viewer_new(live_feed_t *f)
{
    live_viewer_t *v = ww_calloc(1, sizeof *v);
    v->f = f;
    atomic_fetch_add(&viewers_open, 1);
    return v;
}

void live_viewer_free(live_viewer_t *v)
{
    if (!v) return;
    atomic_fetch_sub(&viewers_open, 1);
    av_buffer_unref(&v->cur);
    free(v);
}

int64_t live_viewer_dropped(const live_viewer_t *v) { return v->dropped; }

/* Picks the next buffer for the viewer, under f->mu.  1 = got one,
 * 0 = nothing yet, WW_EOF = session over. */
static int next_buffer(live_viewer_t *v)
{
    live_feed_t *f = v->f;
    if (!v->gen) {
        if (!f->running || !f->init) return 0;
        v->gen = f->gen;
        v->cur = av_buffer_ref(f->init);
        v->next = f->last_key >= 0 ? f->last_key : f->head;
        return 1;
    }
    if (v->gen != f->gen) return WW_EOF;
    if (v->next < f->head - RING + 1) {
        /* fell behind: skip to the newest keyframe */
        int64_t to = f->last_key >= 0 ? f->last_key : f->head;
        v->dropped += to - v->next;
        v->next = to;
    }
    if (v->next >= f->head) return 0;
    v->cur = av_buffer_ref(f->ring[v->next % RING]);
    v->next++;
    return 1;
}

ssize_t live_viewer_read(live_viewer_t *v, uint8_t *buf, size_t max, int64_t wait_us)
{
    size_t done = 0;
    struct timespec ts;
    deadline_ts(&ts, wait_us);
    while (done < max) {
        if (v->cur) {
            size_t n = (size_t)v->cur->size - v->off;
            if (n > max - done) n = max - done;
            memcpy(buf + done, v->cur->data + v->off, n);
            done += n;
            v->off += n;
            if (v->off == (size_t)v->cur->size) { av_buffer_unref(&v->cur); v->off = 0; }
            continue;
        }
        pthread_mutex_lock(&v->f->mu);
        int rc;
        while ((rc = next_buffer(v)) == 0 && !done) {
            if (pthread_cond_timedwait(&v->f->cv, &v->f->mu, &ts) == ETIMEDOUT) break;
        }
        pthread_mutex_unlock(&v->f->mu);
        if (rc == WW_EOF) return done ? (ssize_t)done : WW_EOF;
        if (rc == 0) break;
    }
    return (ssize_t)done;
}
