/*
 * notify.c — the notifier: a bounded ring of messages and one thread that
 * delivers them in order.
 *
 * Why a thread per notifier and not per message: messages to one receiver
 * should arrive in the order they were made (raised before cleared), and a
 * dead receiver must cost one thread, not one per message.  Why drop the
 * oldest when full: the newest says the most about now (a camera that went
 * dark and came back sends "back" last).
 *
 * Invariants: the ring, its counters and `stop` change under mu; the
 * thread takes a message out of the ring before it posts it, so producers
 * never wait on a transfer; the stop flag is atomic as well because the
 * transfer reads it (without mu) from libcurl's progress callback.
 */
#include "notify/notify.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "base/base.h"

struct msg {
    char *url, *body;
    struct notify_tag tag;
};

struct notify {
    struct notify_cfg cfg;
    char *name;
    pthread_t thr;
    bool started;
    atomic_bool stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct msg *q;            /* ring of cfg.capacity */
    size_t head, len;
    struct notify_stats st;   /* pending is len */
};

static void msg_free(struct msg *m)
{
    free(m->url);
    free(m->body);
    memset(m, 0, sizeof *m);
}

static void deliver(struct notify *n, struct msg *m)
{
    /* notify.h: POSTs and the done callback run on the notifier's thread
     * only — never on a producer's (a dead receiver must not stall it). */
    WW_ASSERT_ROLE(WW_THREAD_NOTIFY);
    int status = 0, attempts = 0;
    char err[256];
    int rc = notify_http_post(m->url, m->body, n->cfg.timeout_ms, n->cfg.tries, n->cfg.backoff_ms, &n->stop,
                              &status, &attempts, err, sizeof err);
    if (rc && !atomic_load(&n->stop)) {
        char *safe = ww_url_mask(m->url);
        ww_warn(n->name, "notification to %s not delivered after %d attempt(s): %s", safe, attempts, err);
        free(safe);
    }
    pthread_mutex_lock(&n->mu);
    if (rc) n->st.failed++;
    else n->st.sent++;
    pthread_mutex_unlock(&n->mu);
    if (n->cfg.done && attempts > 0) {
        struct notify_result r = {.url = m->url, .ok = rc == 0, .http_status = status, .attempts = attempts,
                                  .error = rc ? err : ""};
        n->cfg.done(n->cfg.done_ud, &m->tag, &r);
    }
}

static void *notify_main(void *arg)
{
    struct notify *n = arg;
    ww_thread_set_role(WW_THREAD_NOTIFY);
    pthread_mutex_lock(&n->mu);
    for (;;) {
        while (!atomic_load(&n->stop) && n->len == 0) pthread_cond_wait(&n->cv, &n->mu);
        if (atomic_load(&n->stop)) break;
        struct msg m = n->q[n->head];
        memset(&n->q[n->head], 0, sizeof m);
        n->head = (n->head + 1) % n->cfg.capacity;
        n->len--;
        pthread_mutex_unlock(&n->mu);
        deliver(n, &m);
        msg_free(&m);
        pthread_mutex_lock(&n->mu);
    }
    pthread_mutex_unlock(&n->mu);
    return NULL;
}

int notify_start(const struct notify_cfg *cfg, notify_t **out)
{
    assert(cfg && out);
    *out = NULL;
    struct notify *n = ww_calloc(1, sizeof *n);
    n->cfg = *cfg;
    if (!n->cfg.capacity) n->cfg.capacity = 256;
    if (n->cfg.timeout_ms <= 0) n->cfg.timeout_ms = 5000;
    if (n->cfg.tries <= 0) n->cfg.tries = 3;
    if (n->cfg.backoff_ms <= 0) n->cfg.backoff_ms = 1000;
    n->name = ww_strdup(cfg->name ? cfg->name : "notify");
    n->cfg.name = n->name;
    n->q = ww_calloc(n->cfg.capacity, sizeof *n->q);
    atomic_init(&n->stop, false);
    pthread_mutex_init(&n->mu, NULL);
    pthread_cond_init(&n->cv, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT); /* refcounted; thread-safe in Debian 12's libcurl */
    int rc = pthread_create(&n->thr, NULL, notify_main, n);
    if (rc) {
        ww_error(n->name, "cannot start the notifier thread: %s", strerror(rc));
        notify_stop(n);
        return -rc;
    }
    n->started = true;
    *out = n;
    return 0;
}

void notify_stop(notify_t *n)
{
    if (!n) return;
    assert(!n->started || !pthread_equal(pthread_self(), n->thr)); /* not from done */
    pthread_mutex_lock(&n->mu);
    atomic_store(&n->stop, true);
    pthread_cond_broadcast(&n->cv);
    pthread_mutex_unlock(&n->mu);
    if (n->started) pthread_join(n->thr, NULL);
    if (n->len) ww_warn(n->name, "stopping with %zu notification(s) not sent", n->len);
    for (; n->len; n->len--, n->head = (n->head + 1) % n->cfg.capacity) msg_free(&n->q[n->head]);
    pthread_cond_destroy(&n->cv);
    pthread_mutex_destroy(&n->mu);
    curl_global_cleanup();
    free(n->q);
    free(n->name);
    free(n);
}

void notify_post(notify_t *n, const char *url, const char *body, const struct notify_tag *tag)
{
    assert(n && url && body);
    pthread_mutex_lock(&n->mu);
    if (n->len == n->cfg.capacity) {
        struct msg *old = &n->q[n->head];
        ww_warn(n->name, "notification queue full (%zu): dropping the oldest (%s %lld)", n->cfg.capacity,
                old->tag.what[0] ? old->tag.what : "message", (long long)old->tag.id);
        msg_free(old);
        n->head = (n->head + 1) % n->cfg.capacity;
        n->len--;
        n->st.dropped++;
    }
    struct msg *m = &n->q[(n->head + n->len) % n->cfg.capacity];
    m->url = ww_strdup(url);
    m->body = ww_strdup(body);
    if (tag) m->tag = *tag;
    n->len++;
    n->st.queued++;
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
}

void notify_get_stats(notify_t *n, struct notify_stats *out)
{
    pthread_mutex_lock(&n->mu);
    *out = n->st;
    out->pending = n->len;
    pthread_mutex_unlock(&n->mu);
}
