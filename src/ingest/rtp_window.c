/*
 * rtp_window.c — RTP over UDP in sequence order: a bounded reorder window
 * keyed by the extended (16 → 64-bit, wrap-safe) sequence number, with
 * duplicates dropped and loss counted.
 *
 * Why: over UDP packets come late, twice or not at all; the depacketizer
 * (rtp.c) needs them in order and treats a gap as loss, dropping the access
 * unit it hits.  So a packet that is merely late must wait here for its
 * predecessors, but not for long: a gap is declared lost when the window
 * holds RTPW_SLOTS - 1 packets past it, or its oldest waiting packet has
 * waited RTPW_WAIT_US, whichever comes first.
 *
 * Accounting, per stream:
 *   received   packets pushed that were in range (not duplicates)
 *   lost       sequence numbers given up on (a late one after that is "late")
 *   reordered  packets that came after a higher sequence number
 *   duplicate  a sequence number already held or already delivered
 *   late       came after its gap was declared lost (dropped)
 *   resyncs    a jump of more than RTPW_JUMP either way: the sender
 *              restarted; what was waiting is dropped, counting starts over
 *
 * Pure state (no I/O, times passed in); one per stream, its ingest thread.
 */
#include "ingest/internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define RTPW_JUMP 3000 /* RFC 3550 A.1's MAX_DROPOUT */

void rtp_window_init(struct rtp_window *w)
{
    memset(w, 0, sizeof *w);
}

void rtp_window_free(struct rtp_window *w)
{
    for (int i = 0; i < RTPW_SLOTS; i++) free(w->slot[i].data);
    memset(w, 0, sizeof *w);
}

static struct rtpw_slot *slot_of(struct rtp_window *w, int64_t ext)
{
    return &w->slot[(uint64_t)ext % RTPW_SLOTS];
}

/* Drops every waiting packet (a sender restart). */
static void drop_all(struct rtp_window *w)
{
    for (int i = 0; i < RTPW_SLOTS; i++) w->slot[i].used = false;
    w->count = 0;
}

/* Moves the head past k missing sequence numbers. */
static void skip(struct rtp_window *w, int64_t k)
{
    w->st.lost += k;
    w->next += k;
    w->hist = k >= 64 ? 0 : w->hist << k;
}

int rtp_window_push(struct rtp_window *w, const uint8_t *p, size_t n, int64_t now_us)
{
    if (n < 12 || (p[0] >> 6) != 2 || n > RTPW_MAX_PACKET) { w->st.bad++; return RTPW_DROPPED; }
    uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);
    if (!w->started) {
        w->started = true;
        w->next = w->max = seq;
        w->hist = 0;
    }
    /* the extended number closest to the highest seen */
    int64_t ext = w->max + (int16_t)(uint16_t)(seq - (uint16_t)w->max);
    if (ext > w->max + RTPW_JUMP || ext < w->next - RTPW_JUMP) {
        w->st.resyncs++;
        drop_all(w);
        w->next = w->max = ext;
        w->hist = 0;
    }
    if (ext < w->next) {
        int64_t back = w->next - ext; /* 1 = the last one delivered or skipped */
        if (back <= 64 && (w->hist >> (back - 1) & 1)) w->st.duplicate++;
        else w->st.late++;
        return RTPW_DROPPED;
    }
    if (ext - w->next >= RTPW_SLOTS) {
        if (w->count) { w->want_room = true; w->want_ext = ext; return RTPW_FULL; }
        skip(w, ext - w->next); /* nothing waits: the whole gap is lost at once */
    }
    struct rtpw_slot *s = slot_of(w, ext);
    if (s->used) { /* same slot, and the window spans < RTPW_SLOTS: same number */
        assert(s->ext == ext);
        w->st.duplicate++;
        return RTPW_DROPPED;
    }
    if (s->cap < n) {
        free(s->data);
        s->cap = n < 2048 ? 2048 : n;
        s->data = ww_malloc(s->cap);
    }
    memcpy(s->data, p, n);
    s->len = n;
    s->ext = ext;
    s->at_us = now_us;
    s->used = true;
    w->count++;
    w->st.received++;
    if (ext < w->max) w->st.reordered++;
    else w->max = ext;
    return RTPW_STORED;
}

/* The waiting packet nearest the head (count > 0). */
static struct rtpw_slot *first_waiting(struct rtp_window *w)
{
    for (int64_t e = w->next;; e++) {
        struct rtpw_slot *s = slot_of(w, e);
        if (s->used && s->ext == e) return s;
    }
}

bool rtp_window_pop(struct rtp_window *w, int64_t now_us, const uint8_t **p, size_t *n)
{
    if (!w->count) { w->want_room = false; return false; }
    struct rtpw_slot *s = slot_of(w, w->next);
    if (!(s->used && s->ext == w->next)) {
        struct rtpw_slot *f = first_waiting(w);
        bool give_up = w->want_room || f->ext - w->next >= RTPW_SLOTS - 1 ||
                       w->max - w->next >= RTPW_SLOTS - 1 || now_us - f->at_us >= RTPW_WAIT_US;
        /* the oldest waiting packet, not the first: a late one's neighbours
         * may have waited longer */
        if (!give_up)
            for (int i = 0; i < RTPW_SLOTS && !give_up; i++)
                give_up = w->slot[i].used && now_us - w->slot[i].at_us >= RTPW_WAIT_US;
        if (!give_up) return false;
        skip(w, f->ext - w->next);
        s = f;
    }
    s->used = false;
    w->popped_at_us = s->at_us;
    w->count--;
    w->next++;
    w->hist = w->hist << 1 | 1;
    if (w->want_room && (!w->count || w->want_ext - w->next < RTPW_SLOTS)) w->want_room = false;
    *p = s->data;
    *n = s->len;
    return true;
}

int64_t rtp_window_wait_us(const struct rtp_window *w, int64_t now_us)
{
    if (!w->count) return -1;
    int64_t oldest = now_us;
    for (int i = 0; i < RTPW_SLOTS; i++)
        if (w->slot[i].used && w->slot[i].at_us < oldest) oldest = w->slot[i].at_us;
    int64_t left = oldest + RTPW_WAIT_US - now_us;
    return left < 0 ? 0 : left;
}
