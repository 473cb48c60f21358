/*
 * notify: the one way wardwatch sends a notification out — today webhook
 * POSTs (camera-dark alerts from community/, motion events from engine/);
 * an MQTT publisher can join later as another transport behind the same
 * queue.  Producers hand a message to notify_post and go on: it never
 * touches the network, so a dead or slow receiver costs a producer nothing.
 *
 * Each notifier has a bounded queue and its own thread, which POSTs each
 * message with a timeout per attempt, a fixed number of attempts and a
 * doubling pause between them; a stop flag interrupts both a transfer and a
 * pause, so notify_stop returns within about a second (libcurl reads the
 * flag from its progress callback, called about once a second while a
 * transfer waits) even while a receiver hangs.  When the queue is full the oldest message is dropped and
 * a line logged (the producer's own record — an alert row, an event row —
 * is the record; a notification is a courtesy).
 *
 * Threads: notify_start / notify_stop from one owning thread; notify_post
 * and notify_get_stats from any thread.  The done callback runs on the
 * notifier's thread only, once per message that was attempted (not for one
 * dropped or left queued at stop), so it may use resources that only that
 * thread touches.  notify_http_post is a plain blocking call for any thread.
 * Memory: notify_post copies url, body and tag; the result given to done
 * is valid during the call only.
 */
#ifndef WW_NOTIFY_H
#define WW_NOTIFY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct notify notify_t;

/* The producer's names for a message, handed back to done untouched. */
struct notify_tag {
    int64_t id;          /* e.g. the alert or event id */
    int64_t target;      /* e.g. the webhook row id */
    char what[24];       /* e.g. "raised" */
};

struct notify_result {
    const char *url;
    bool ok;             /* a 2xx answer */
    int http_status;     /* last answer's status, 0 = none */
    int attempts;
    const char *error;   /* "" when ok */
};

typedef void (*notify_done_fn)(void *ud, const struct notify_tag *tag, const struct notify_result *r);

struct notify_cfg {
    const char *name;        /* log context ("alerts", "motion") */
    size_t capacity;         /* queued messages; 0 → 256 */
    int timeout_ms;          /* per attempt; 0 → 5000 */
    int tries;               /* attempts per message; 0 → 3 */
    int backoff_ms;          /* pause before the 2nd attempt, doubled after; 0 → 1000 */
    notify_done_fn done;     /* may be NULL */
    void *done_ud;
};

/* Starts the thread; 0 or -errno.  *out is NULL on failure. */
int notify_start(const struct notify_cfg *cfg, notify_t **out);
/* Sets the stop flag, interrupts a transfer or pause, joins, frees.
 * Messages still queued are dropped with one log line.  NULL is a no-op.
 * Must not be called from the done callback. */
void notify_stop(notify_t *n);
/* Queues one POST of body (JSON) to url; never blocks on the network.
 * tag may be NULL.  Full queue: the oldest message is dropped and logged. */
void notify_post(notify_t *n, const char *url, const char *body, const struct notify_tag *tag);

struct notify_stats {
    int64_t queued, sent, failed, dropped;
    size_t pending;          /* in the queue now */
};
void notify_get_stats(notify_t *n, struct notify_stats *out);

/* One bounded, blocking POST of a JSON body: tries attempts (≥ 1) of at most
 * timeout_ms each, backoff_ms then doubling between them, no redirects,
 * http/https only; stop (may be NULL) interrupts.  0 on a 2xx answer, else
 * -EIO / -ENOMEM with err (may be NULL) saying why; *http_status and
 * *attempts are always set. */
int notify_http_post(const char *url, const char *body, int timeout_ms, int tries, int backoff_ms,
                     atomic_bool *stop, int *http_status, int *attempts, char *err, size_t errn);

#endif
