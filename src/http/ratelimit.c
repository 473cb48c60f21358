/*
 * ratelimit.c — sign-in failure counting with growing lock-outs.
 *
 * Two keys per attempt: the username ("u:admin") and the client address
 * ("a:10.1.2.3").  The username key stops a slow guess at one account from
 * many addresses; the address key stops one machine trying many accounts.
 * The price of the username key is that anyone can lock a user out for a
 * while by failing on purpose; the lock is short at first (30 s) and only
 * grows with continued failures; restarting the server clears every
 * lock (the counters live in memory only).
 *
 * An attempt is counted before its password is checked (http_rl_begin
 * marks it in flight under the one mutex, and failures + in-flight must stay
 * below the threshold), so N parallel attempts cannot all pass a check made
 * before any of them failed: at most `threshold` reach the hash.
 * http_rl_end turns the in-flight mark into a failure or takes it back.
 *
 * Memory is bounded (HTTP_RL_MAX_KEYS); entries idle for longer than the
 * window are dropped on the way, and when full the stalest entry that is
 * neither locked nor in flight is evicted — never a locked one, since
 * evicting it would lift the lock.  A table full of locks refuses new keys.
 * One mutex; every operation is a linear scan of at most 4096 short
 * strings, only on sign-in requests.
 */
#include "http/internal.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void http_rl_init(struct http_ratelimit *rl)
{
    memset(rl, 0, sizeof *rl);
    pthread_mutex_init(&rl->mu, NULL);
    rl->window_us = 3600LL * 1000000;  /* failures older than an hour are forgotten */
    rl->base_us = 30LL * 1000000;      /* first lock: 30 s, doubling */
    rl->max_us = 15LL * 60 * 1000000;  /* at most 15 min */
}

void http_rl_free(struct http_ratelimit *rl)
{
    for (size_t i = 0; i < rl->n; i++) free(rl->v[i].key);
    free(rl->v);
    pthread_mutex_destroy(&rl->mu);
}

static void drop(struct http_ratelimit *rl, size_t i)
{
    free(rl->v[i].key);
    rl->v[i] = rl->v[--rl->n];
}

/* Drops entries idle past the window that are neither locked nor in
 * flight.  Done once per operation, before any lookup, so the entry
 * pointers an operation holds are never moved by a drop. */
static void sweep(struct http_ratelimit *rl, int64_t now)
{
    for (size_t i = 0; i < rl->n;) {
        struct http_rl_entry *e = &rl->v[i];
        if (now - e->last_us > rl->window_us && now >= e->locked_until_us && e->inflight == 0)
            drop(rl, i);
        else
            i++;
    }
}

/* Finds key; NULL if absent.  Never moves entries. */
static struct http_rl_entry *find(struct http_ratelimit *rl, const char *key, int64_t now)
{
    (void)now;
    for (size_t i = 0; i < rl->n; i++)
        if (!strcmp(rl->v[i].key, key)) return &rl->v[i];
    return NULL;
}

static int secs_left(int64_t until, int64_t now)
{
    if (until <= now) return 0;
    return (int)((until - now + 999999) / 1000000);
}

int http_rl_check(struct http_ratelimit *rl, const char *key, int64_t now_us)
{
    pthread_mutex_lock(&rl->mu);
    sweep(rl, now_us);
    struct http_rl_entry *e = find(rl, key, now_us);
    int s = e ? secs_left(e->locked_until_us, now_us) : 0;
    pthread_mutex_unlock(&rl->mu);
    return s;
}

/* Finds or creates key's entry.  A full table evicts the stalest entry
 * that is not locked; a locked entry is never evicted (evicting it would
 * unlock it).  NULL when every slot holds a lock: the caller refuses. */
static struct http_rl_entry *find_or_add(struct http_ratelimit *rl, const char *key, int64_t now)
{
    struct http_rl_entry *e = find(rl, key, now);
    if (e) return e;
    if (rl->n == HTTP_RL_MAX_KEYS) {
        size_t old = SIZE_MAX;
        for (size_t i = 0; i < rl->n; i++) {
            /* last_us == now: just looked up by the same operation */
            if (rl->v[i].locked_until_us > now || rl->v[i].inflight > 0 || rl->v[i].last_us >= now)
                continue;
            if (old == SIZE_MAX || rl->v[i].last_us < rl->v[old].last_us) old = i;
        }
        if (old == SIZE_MAX) return NULL;
        drop(rl, old);
    }
    if (!rl->v) rl->v = ww_calloc(HTTP_RL_MAX_KEYS, sizeof *rl->v);
    e = &rl->v[rl->n++];
    memset(e, 0, sizeof *e);
    e->key = ww_strdup(key);
    e->last_us = now;
    return e;
}

/* Counts one more failure on e and (re)computes its lock. */
static void count_failure(struct http_ratelimit *rl, struct http_rl_entry *e, int threshold,
                          int64_t now)
{
    e->failures++;
    e->last_us = now;
    if (e->failures >= threshold) {
        int shift = e->failures - threshold;
        int64_t lock = shift >= 20 ? rl->max_us : rl->base_us << shift;
        if (lock > rl->max_us) lock = rl->max_us;
        e->locked_until_us = now + lock;
    }
}

int http_rl_begin(struct http_ratelimit *rl, const char *const *keys, const int *thresholds,
                  size_t n, int64_t now_us)
{
    assert(n <= 4);
    struct http_rl_entry *e[4];
    int wait = 0;
    pthread_mutex_lock(&rl->mu);
    sweep(rl, now_us);
    /* Refuse if any key is locked, or if its failures plus the attempts
     * still being checked already reach the threshold: those in flight may
     * all fail, and together they must not pass it. */
    for (size_t i = 0; i < n; i++) {
        struct http_rl_entry *x = find_or_add(rl, keys[i], now_us);
        if (!x) { if (!wait) wait = 1; continue; }
        x->last_us = now_us;  /* keeps it from being evicted by the next key */
    }
    for (size_t i = 0; i < n && !wait; i++) {
        /* Looked up again: an eviction above may have moved entries. */
        e[i] = find(rl, keys[i], now_us);
        assert(e[i]);
        int s = secs_left(e[i]->locked_until_us, now_us);
        /* Attempts allowed at once: what is left below the threshold, or
         * one after a lock has run out (its failure locks again). */
        int budget = e[i]->failures < thresholds[i] ? thresholds[i] - e[i]->failures : 1;
        if (!s && e[i]->inflight >= budget) s = 1;
        if (s > wait) wait = s;
    }
    if (!wait)
        for (size_t i = 0; i < n; i++) e[i]->inflight++;
    pthread_mutex_unlock(&rl->mu);
    return wait;
}

void http_rl_end(struct http_ratelimit *rl, const char *const *keys, const int *thresholds,
                 const bool *clear, size_t n, bool success, int64_t now_us)
{
    pthread_mutex_lock(&rl->mu);
    for (size_t i = 0; i < n; i++) {
        size_t at = 0;
        while (at < rl->n && strcmp(rl->v[at].key, keys[i])) at++;
        if (at == rl->n) continue;  /* cannot happen: in-flight entries are kept */
        struct http_rl_entry *e = &rl->v[at];
        if (e->inflight > 0) e->inflight--;
        if (!success) count_failure(rl, e, thresholds[i], now_us);
        else if (clear[i] && e->inflight == 0) drop(rl, at);
    }
    pthread_mutex_unlock(&rl->mu);
}

int http_rl_fail(struct http_ratelimit *rl, const char *key, int threshold, int64_t now_us)
{
    pthread_mutex_lock(&rl->mu);
    sweep(rl, now_us);
    struct http_rl_entry *e = find_or_add(rl, key, now_us);
    int s = 1;  /* a table full of locks: treat the key as locked */
    if (e) {
        count_failure(rl, e, threshold, now_us);
        s = secs_left(e->locked_until_us, now_us);
    }
    pthread_mutex_unlock(&rl->mu);
    return s;
}

void http_rl_clear(struct http_ratelimit *rl, const char *key)
{
    pthread_mutex_lock(&rl->mu);
    for (size_t i = 0; i < rl->n; i++)
        if (!strcmp(rl->v[i].key, key)) { drop(rl, i); break; }
    pthread_mutex_unlock(&rl->mu);
}
