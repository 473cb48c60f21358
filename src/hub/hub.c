/*
 * hub.c — fan-out and last-GOP cache for one stream.
 *
 * The GOP cache holds references (not copies) to the packets since the last
 * keyframe; it is cleared at every keyframe, so it costs one GOP of payload
 * (about 1 MB for a 4 Mbit/s stream with a 2 s GOP) and no copying.  A cap
 * guards against a camera that never sends another keyframe.
 *
 * The cache's AVPacket structs are allocated once and kept (gop_clear only
 * drops their references), so a packet costs one av_packet_ref, not a
 * clone: av_packet_alloc goes through posix_memalign, which glibc serves
 * outside its per-thread cache, and at 25 fps per stream that was ~3 % of
 * the recorder's CPU (bench/record.py).  At most GOP_MAX_PACKETS structs
 * (~100 bytes each) per hub; about one GOP's worth in practice.
 */
#include "hub/hub.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define GOP_MAX_PACKETS 600
#define GOP_MAX_BYTES (16 << 20)

struct sub { int id; hub_cb cb; void *opaque; bool audio; };

struct gop_entry { AVPacket *pkt; int64_t wall_us; bool key; };

struct hub {
    pthread_mutex_t mu;
    char *ctx;
    struct sub *subs;
    int nsubs, capsubs, next_id;
    bool running;
    AVCodecParameters *par;
    AVRational tb;
    AVCodecParameters *apar;   /* the session's audio, or NULL */
    AVRational atb;
    struct gop_entry *gop;
    int ngop;
    int nalloc;         /* gop[0..nalloc) have a packet struct (empty past ngop) */
    size_t gop_bytes;
    void *owner;
    pthread_t producer; /* the thread of the last hub_start: publish/stop come from it */
};

void hub_set_owner(hub_t *h, void *owner) { h->owner = owner; }
void *hub_owner(const hub_t *h) { return h->owner; }

hub_t *hub_new(const char *ctx)
{
    hub_t *h = ww_calloc(1, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    h->ctx = ww_strdup(ctx);
    h->par = avcodec_parameters_alloc();
    h->gop = ww_calloc(GOP_MAX_PACKETS, sizeof *h->gop);
    h->next_id = 1;
    return h;
}

/* Drops the cached packets' references; the structs stay for the next GOP. */
static void gop_clear(hub_t *h)
{
    for (int i = 0; i < h->ngop; i++) av_packet_unref(h->gop[i].pkt);
    h->ngop = 0;
    h->gop_bytes = 0;
}

/* Caches a new reference to pkt (not a copy); false if out of memory. */
static bool gop_add(hub_t *h, const AVPacket *pkt, int64_t wall_us, bool key)
{
    assert(h->ngop <= h->nalloc && h->nalloc <= GOP_MAX_PACKETS);
    if (h->ngop == h->nalloc) {
        h->gop[h->nalloc].pkt = av_packet_alloc();
        if (!h->gop[h->nalloc].pkt) return false;
        h->nalloc++;
    }
    struct gop_entry *g = &h->gop[h->ngop];
    if (av_packet_ref(g->pkt, pkt) < 0) return false;
    g->wall_us = wall_us;
    g->key = key;
    h->ngop++;
    return true;
}

void hub_free(hub_t *h)
{
    if (!h) return;
    gop_clear(h);
    for (int i = 0; i < h->nalloc; i++) av_packet_free(&h->gop[i].pkt);
    free(h->gop);
    free(h->subs);
    avcodec_parameters_free(&h->par);
    avcodec_parameters_free(&h->apar);
    pthread_mutex_destroy(&h->mu);
    free(h->ctx);
    free(h);
}

int hub_subscribe(hub_t *h, hub_cb cb, void *opaque, bool replay)
{
    return hub_subscribe_av(h, cb, opaque, replay, false);
}

int hub_subscribe_av(hub_t *h, hub_cb cb, void *opaque, bool replay, bool audio)
{
    pthread_mutex_lock(&h->mu);
    if (h->nsubs == h->capsubs) {
        h->capsubs = h->capsubs ? h->capsubs * 2 : 4;
        h->subs = ww_realloc(h->subs, (size_t)h->capsubs * sizeof *h->subs);
    }
    int id = h->next_id++;
    h->subs[h->nsubs++] = (struct sub){id, cb, opaque, audio};
    if (replay && h->running) {
        cb(opaque, &(struct hub_msg){.ev = HUB_START, .par = h->par, .tb = h->tb,
                                     .apar = audio ? h->apar : NULL, .atb = h->atb});
        for (int i = 0; i < h->ngop; i++)
            cb(opaque, &(struct hub_msg){.ev = HUB_PACKET, .pkt = h->gop[i].pkt,
                                         .wall_us = h->gop[i].wall_us, .key = h->gop[i].key});
    }
    pthread_mutex_unlock(&h->mu);
    return id;
}

void hub_want_audio(hub_t *h, int id)
{
    pthread_mutex_lock(&h->mu);
    for (int i = 0; i < h->nsubs; i++)
        if (h->subs[i].id == id) h->subs[i].audio = true;
    pthread_mutex_unlock(&h->mu);
}

void hub_unsubscribe(hub_t *h, int id)
{
    pthread_mutex_lock(&h->mu);
    for (int i = 0; i < h->nsubs; i++) {
        if (h->subs[i].id == id) {
            h->subs[i] = h->subs[--h->nsubs];
            break;
        }
    }
    pthread_mutex_unlock(&h->mu);
}

int hub_subscribers(hub_t *h)
{
    pthread_mutex_lock(&h->mu);
    int n = h->nsubs;
    pthread_mutex_unlock(&h->mu);
    return n;
}

int hub_get_params(hub_t *h, AVCodecParameters *par, AVRational *tb)
{
    pthread_mutex_lock(&h->mu);
    int rc = -EAGAIN;
    if (h->running) {
        avcodec_parameters_copy(par, h->par);
        *tb = h->tb;
        rc = 0;
    }
    pthread_mutex_unlock(&h->mu);
    return rc;
}

/* Audio (m->stream 1) and the audio parameters of HUB_START go only to
 * subscribers that asked for them: the others (live, motion) are video
 * consumers and stay as they were. */
static void deliver(hub_t *h, const struct hub_msg *m)
{
    for (int i = 0; i < h->nsubs; i++) {
        if (m->ev == HUB_PACKET && m->stream && !h->subs[i].audio) continue;
        struct hub_msg one = *m;
        if (m->ev == HUB_START && !h->subs[i].audio) one.apar = NULL;
        h->subs[i].cb(h->subs[i].opaque, &one);
    }
}

void hub_start_av(hub_t *h, const AVCodecParameters *par, AVRational tb, const AVCodecParameters *apar,
                  AVRational atb)
{
    pthread_mutex_lock(&h->mu);
    h->producer = pthread_self();
    avcodec_parameters_copy(h->par, par);
    h->tb = tb;
    avcodec_parameters_free(&h->apar);
    if (apar && (h->apar = avcodec_parameters_alloc())) avcodec_parameters_copy(h->apar, apar);
    h->atb = atb;
    h->running = true;
    gop_clear(h);
    deliver(h, &(struct hub_msg){.ev = HUB_START, .par = h->par, .tb = h->tb, .apar = h->apar, .atb = h->atb});
    pthread_mutex_unlock(&h->mu);
}

void hub_start(hub_t *h, const AVCodecParameters *par, AVRational tb)
{
    hub_start_av(h, par, tb, NULL, (AVRational){0, 1});
}

void hub_publish_audio(hub_t *h, const AVPacket *pkt, int64_t wall_us)
{
    pthread_mutex_lock(&h->mu);
    assert(h->running && h->apar && pthread_equal(h->producer, pthread_self()));
    deliver(h, &(struct hub_msg){.ev = HUB_PACKET, .pkt = pkt, .wall_us = wall_us, .stream = 1});
    pthread_mutex_unlock(&h->mu);
}

void hub_publish(hub_t *h, const AVPacket *pkt, int64_t wall_us, bool key)
{
    pthread_mutex_lock(&h->mu);
    assert(h->running && pthread_equal(h->producer, pthread_self())); /* hub.h: the ingest thread only */
    if (key) gop_clear(h);
    if (h->ngop < GOP_MAX_PACKETS && h->gop_bytes + (size_t)pkt->size <= GOP_MAX_BYTES &&
        gop_add(h, pkt, wall_us, key))
        h->gop_bytes += (size_t)pkt->size;
    deliver(h, &(struct hub_msg){.ev = HUB_PACKET, .pkt = pkt, .wall_us = wall_us, .key = key});
    pthread_mutex_unlock(&h->mu);
}

void hub_stop(hub_t *h, const char *reason)
{
    pthread_mutex_lock(&h->mu);
    assert(!h->running || pthread_equal(h->producer, pthread_self()));
    if (h->running) {
        h->running = false;
        gop_clear(h);
        deliver(h, &(struct hub_msg){.ev = HUB_STOP, .reason = reason});
    }
    pthread_mutex_unlock(&h->mu);
}
