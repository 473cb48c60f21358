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
 * Memory is bounded (HTTP_RL_MAX_KEYS); entries idle for longer than the
 * window are dropped on the way, and when full the stalest entry is evicted.
 * One mutex; every operation is a linear scan of at most 4096 short
 * strings, only on sign-in requests.
 */
#include "http/internal.h"

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

/* Finds key (expiring stale entries on the way); NULL if absent. */
static struct http_rl_entry *find(struct http_ratelimit *rl, const char *key, int64_t now)
{
    for (size_t i = 0; i < rl->n;) {
        struct http_rl_entry *e = &rl->v[i];
        if (now - e->last_us > rl->window_us && now >= e->locked_until_us) {
            drop(rl, i);
            continue;
        }
        if (!strcmp(e->key, key)) return e;
        i++;
    }
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
    struct http_rl_entry *e = find(rl, key, now_us);
    int s = e ? secs_left(e->locked_until_us, now_us) : 0;
    pthread_mutex_unlock(&rl->mu);
    return s;
}

int http_rl_fail(struct http_ratelimit *rl, const char *key, int threshold, int64_t now_us)
{
    pthread_mutex_lock(&rl->mu);
    struct http_rl_entry *e = find(rl, key, now_us);
    if (!e) {
        if (rl->n == HTTP_RL_MAX_KEYS) {
            size_t old = 0;
            for (size_t i = 1; i < rl->n; i++)
                if (rl->v[i].last_us < rl->v[old].last_us) old = i;
            drop(rl, old);
        }
        if (!rl->v) rl->v = ww_calloc(HTTP_RL_MAX_KEYS, sizeof *rl->v);
        e = &rl->v[rl->n++];
        memset(e, 0, sizeof *e);
        e->key = ww_strdup(key);
    }
    e->failures++;
    e->last_us = now_us;
    int s = 0;
    if (e->failures >= threshold) {
        int shift = e->failures - threshold;
        int64_t lock = shift >= 20 ? rl->max_us : rl->base_us << shift;
        if (lock > rl->max_us) lock = rl->max_us;
        e->locked_until_us = now_us + lock;
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
