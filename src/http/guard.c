/*
 * guard.c — header and body deadlines for console connections.
 *
 * Why: libmicrohttpd's own connection timeout restarts on every byte, so a
 * client that opens a connection and sends its request one byte every few
 * seconds (or half a request and then nothing, for up to the 120 s idle
 * timeout) holds a connection thread for as long as it likes.  A few hundred
 * such connections used to fill the daemon's connection limit and lock
 * everyone out.  Two defences, together: MHD's per-address connection limit
 * (server.c), so one address holds at most N connections, and these
 * deadlines, so what it holds does not last.
 *
 * Each open connection has a slot with a phase and the time it entered it:
 *   HEAD     waiting for a request's headers — from the connection's start,
 *            and again from the end of each request on a kept-alive
 *            connection (an idle keep-alive connection is closed after the
 *            header deadline too: a browser simply opens a new one);
 *   BODY     headers in, body still arriving — the body deadline;
 *   RESPONSE the request is complete and being answered — no deadline:
 *            live views and exports are long streams by design, and a
 *            client that stops reading them is MHD's idle timeout's case.
 * A thread wakes every GUARD_TICK_US and shuts down (shutdown(2),
 * SHUT_RDWR) the socket of every slot past its phase's deadline.  The
 * connection's own thread then sees the end of the stream and MHD closes
 * and frees the connection through its normal path; we never close the fd,
 * so it cannot be reused under us.  The fd stays valid while the slot is
 * in the table: MHD tells us a connection is closed (http_guard_remove)
 * before it closes the socket, and remove takes the same mutex.
 *
 * Closings, and connections MHD refused over its limits (reported through
 * http_guard_refused), are logged at most once per GUARD_LOG_US with the
 * counts since the last line and the latest address, so a flood costs a
 * few lines, and the last of a burst is still told within GUARD_LOG_US.
 *
 * Threads: every function takes g->mu; callbacks from MHD's threads and
 * the guard thread meet only there.  Memory: slots are ww_calloc'd by add
 * and freed by remove.
 */
#include "http/internal.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define GUARD_TICK_US 200000          /* a deadline is enforced at most this late */
#define GUARD_LOG_US (10LL * 1000000) /* at most one line about closings per 10 s */

struct http_guard_slot {
    struct http_guard_slot *prev, *next;
    int fd;
    enum http_guard_phase phase;
    int64_t since_us;                 /* when the phase began (ww_mono_us) */
    bool closed;                      /* shut down by us; waiting for MHD */
    char addr[48];
};

static void *guard_main(void *arg);
static void log_counts(struct http_guard *g, int64_t now, bool force);

int http_guard_init(struct http_guard *g, int64_t header_us, int64_t body_us, int per_ip,
                    unsigned max_conn)
{
    memset(g, 0, sizeof *g);
    g->header_us = header_us;
    g->body_us = body_us;
    g->per_ip = per_ip;
    g->max_conn = max_conn;
    pthread_mutex_init(&g->mu, NULL);
    ww_cond_init_monotonic(&g->cv);
    int rc = pthread_create(&g->thread, NULL, guard_main, g);
    if (rc) {
        pthread_cond_destroy(&g->cv);
        pthread_mutex_destroy(&g->mu);
        return -rc;
    }
    g->running = true;
    return 0;
}

void http_guard_free(struct http_guard *g)
{
    if (!g->running) return;
    pthread_mutex_lock(&g->mu);
    g->stop = true;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
    g->running = false;
    log_counts(g, ww_mono_us(), true); /* what the last interval did not tell */
    /* MHD removed every slot when it closed its connections. */
    assert(!g->head);
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
}

struct http_guard_slot *http_guard_add(struct http_guard *g, int fd, const char *addr)
{
    struct http_guard_slot *s = ww_calloc(1, sizeof *s);
    s->fd = fd;
    s->phase = HTTP_GUARD_HEAD;
    s->since_us = ww_mono_us();
    snprintf(s->addr, sizeof s->addr, "%s", addr && *addr ? addr : "?");
    pthread_mutex_lock(&g->mu);
    s->next = g->head;
    if (g->head) g->head->prev = s;
    g->head = s;
    g->open++;
    pthread_mutex_unlock(&g->mu);
    return s;
}

void http_guard_remove(struct http_guard *g, struct http_guard_slot *s)
{
    if (!s) return;
    pthread_mutex_lock(&g->mu);
    if (s->prev) s->prev->next = s->next;
    else g->head = s->next;
    if (s->next) s->next->prev = s->prev;
    g->open--;
    pthread_mutex_unlock(&g->mu);
    free(s);
}

void http_guard_phase(struct http_guard *g, struct http_guard_slot *s, enum http_guard_phase p)
{
    if (!s) return;
    pthread_mutex_lock(&g->mu);
    if (s->phase != p) {
        s->phase = p;
        s->since_us = ww_mono_us();
    }
    pthread_mutex_unlock(&g->mu);
}

void http_guard_refused(struct http_guard *g)
{
    pthread_mutex_lock(&g->mu);
    g->refused++;
    g->unlogged_refused++;
    pthread_mutex_unlock(&g->mu);
}

void http_guard_get_stats(struct http_guard *g, struct http_guard_stats *st)
{
    pthread_mutex_lock(&g->mu);
    st->open = g->open;
    st->closed_head = g->closed_head;
    st->closed_body = g->closed_body;
    st->refused = g->refused;
    pthread_mutex_unlock(&g->mu);
}

/* The deadline of a slot's phase, or 0 if it has none. */
static int64_t limit_of(const struct http_guard *g, const struct http_guard_slot *s)
{
    switch (s->phase) {
    case HTTP_GUARD_HEAD: return g->header_us;
    case HTTP_GUARD_BODY: return g->body_us;
    case HTTP_GUARD_RESPONSE: return 0;
    }
    return 0;
}

/* One pass over the table (g->mu held). */
static void sweep(struct http_guard *g, int64_t now)
{
    for (struct http_guard_slot *s = g->head; s; s = s->next) {
        int64_t lim = limit_of(g, s);
        if (s->closed || lim <= 0 || now - s->since_us < lim) continue;
        /* Wakes the connection's thread with end-of-stream; MHD closes. */
        shutdown(s->fd, SHUT_RDWR);
        s->closed = true;
        bool head = s->phase == HTTP_GUARD_HEAD;
        if (head) { g->closed_head++; g->unlogged_head++; }
        else { g->closed_body++; g->unlogged_body++; }
        snprintf(g->last_addr[head ? 0 : 1], sizeof g->last_addr[0], "%s", s->addr);
    }
    log_counts(g, now, false);
}

/* The counts since the last line, if any, at most every GUARD_LOG_US
 * unless forced (g->mu held). */
static void log_counts(struct http_guard *g, int64_t now, bool force)
{
    if ((!force && now < g->next_log_us) ||
        !(g->unlogged_head || g->unlogged_body || g->unlogged_refused))
        return;
    if (g->unlogged_head)
        ww_warn("http", "closed %lld connections whose request headers were not in within %g s "
                "(latest from %s)", (long long)g->unlogged_head, (double)g->header_us / 1e6,
                g->last_addr[0]);
    if (g->unlogged_body)
        ww_warn("http", "closed %lld connections whose request body was not in within %g s "
                "(latest from %s)", (long long)g->unlogged_body, (double)g->body_us / 1e6,
                g->last_addr[1]);
    if (g->unlogged_refused && g->per_ip > 0)
        ww_warn("http", "refused %lld connections over the limit of %d per client address or "
                "%u in all", (long long)g->unlogged_refused, g->per_ip, g->max_conn);
    else if (g->unlogged_refused)
        ww_warn("http", "refused %lld connections over the limit of %u in all",
                (long long)g->unlogged_refused, g->max_conn);
    g->unlogged_head = g->unlogged_body = g->unlogged_refused = 0;
    g->next_log_us = now + GUARD_LOG_US;
}

static void *guard_main(void *arg)
{
    struct http_guard *g = arg;
    pthread_mutex_lock(&g->mu);
    while (!g->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += GUARD_TICK_US * 1000;
        if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
        int rc = pthread_cond_timedwait(&g->cv, &g->mu, &ts);
        if (g->stop) break;
        if (rc == ETIMEDOUT || rc == 0) sweep(g, ww_mono_us());
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}
