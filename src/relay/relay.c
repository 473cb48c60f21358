/*
 * relay.c — the outbox publisher (relay.h).
 *
 * Drain: rows after `cursor` in seq order, at most WINDOW unacknowledged at
 * once.  Each publish's mid maps to its seq; on_publish (PUBACK) queues the
 * seq, and the relay thread marks it sent — the catalog connection is used
 * by this one thread only.  On every (re)connect the in-flight map is
 * dropped and the drain starts again from the oldest unsent row, so nothing
 * acknowledged-but-unmarked or lost in flight is skipped; the hub ignores a
 * seq it has already applied.
 */
#include "relay/relay.h"

#include <errno.h>
#include <jansson.h>
#include <mosquitto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "catalog/cat_outbox.h"
#include "catalog/catalog.h"

#define WINDOW 64                               /* unacknowledged publishes at most */
#define RETAIN_US (7LL * 24 * 3600 * 1000000)  /* sent rows kept for a resend */
#define RETAIN_ROWS 100000                      /* ... and at least this many rows */

struct inflight { int mid; int64_t seq; };

struct relay {
    char *db_path, *mqtt_override;
    pthread_t thread;
    atomic_bool stop;

    pthread_mutex_t mu; /* guards everything below */
    struct inflight fly[WINDOW];
    int n_fly;
    int64_t acked[WINDOW * 2];
    int n_acked;
    bool connected, reconnected;
    int64_t resend_from; /* > 0: a ctl resend asked for this seq */
    bool snapshot;       /* a ctl snapshot asked for */
    struct relay_stats stats;
    char *station, *hub_key; /* from the settings (the relay thread copies them in) */
    relay_review_fn review_fn;
    void *review_ud;
    bool review_due;     /* a review was stored: apply soon */

    /* the callback thread's own catalog connection (reviews are stored on
     * receipt); opened on the first review, closed by relay_stop */
    catalog_t *loop_cat;
};

/* ---- the broker's callbacks (libmosquitto's thread) --------------------- */

static void on_connect(struct mosquitto *m, void *ud, int rc)
{
    (void)m;
    struct relay *r = ud;
    if (rc) return;
    pthread_mutex_lock(&r->mu);
    r->connected = r->reconnected = true;
    r->n_fly = 0; /* re-sent from the outbox below */
    pthread_mutex_unlock(&r->mu);
}

static void on_disconnect(struct mosquitto *m, void *ud, int rc)
{
    (void)m, (void)rc;
    struct relay *r = ud;
    pthread_mutex_lock(&r->mu);
    r->connected = false;
    r->n_fly = 0;
    pthread_mutex_unlock(&r->mu);
}

static void on_publish(struct mosquitto *m, void *ud, int mid)
{
    (void)m;
    struct relay *r = ud;
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < r->n_fly; i++) {
        if (r->fly[i].mid != mid) continue;
        if (r->n_acked < (int)(sizeof r->acked / sizeof *r->acked)) r->acked[r->n_acked++] = r->fly[i].seq;
        r->fly[i] = r->fly[--r->n_fly];
        break;
    }
    pthread_mutex_unlock(&r->mu);
}

/* A ctl/review message: checked, then stored as pending (applied by the
 * relay thread).  Runs on libmosquitto's thread with its own catalog. */
static void receive_review(struct relay *r, const struct mosquitto_message *msg)
{
    pthread_mutex_lock(&r->mu);
    char *key = r->hub_key ? ww_strdup(r->hub_key) : NULL, *station = r->station ? ww_strdup(r->station) : NULL;
    pthread_mutex_unlock(&r->mu);
    char *body = NULL, *sig = NULL;
    struct relay_review rv;
    const char *why = NULL;
    int rc = relay_review_verify(msg->payload, (size_t)msg->payloadlen, key, station ? station : "", &body, &sig,
                                 &rv, &why);
    free(key);
    free(station);
    if (rc) {
        ww_warn("relay", "a review on %s is refused: %s", msg->topic, why);
        return;
    }
    bool fresh = false;
    if (!r->loop_cat && catalog_open(r->db_path, 0, &r->loop_cat)) r->loop_cat = NULL;
    rc = r->loop_cat ? catalog_province_review_receive(r->loop_cat, rv.review_id, body, sig, &fresh) : WW_EDB;
    if (rc) ww_error("relay", "review %s could not be stored (%s); the hub must send it again", rv.review_id,
                     ww_strerror(rc));
    else if (!fresh) ww_info("relay", "review %s received again; kept once", rv.review_id);
    else {
        ww_info("relay", "review %s from %s received: ward %lld, %d, criterion %d, %s", rv.review_id, rv.reviewer,
                (long long)rv.ward_id, rv.year, rv.criterion, rv.result);
        pthread_mutex_lock(&r->mu);
        r->review_due = true;
        pthread_mutex_unlock(&r->mu);
    }
    relay_review_clear(&rv);
    free(body);
    free(sig);
}

static void on_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
    (void)m;
    struct relay *r = ud;
    size_t tl = strlen(msg->topic);
    if (tl > 11 && !strcmp(msg->topic + tl - 11, "/ctl/review")) {
        receive_review(r, msg);
        return;
    }
    json_t *j = json_loadb(msg->payload, (size_t)msg->payloadlen, 0, NULL);
    if (!j) { ww_warn("relay", "ctl message on %s is not JSON; ignored", msg->topic); return; }
    const char *op = json_string_value(json_object_get(j, "op"));
    json_int_t v = json_integer_value(json_object_get(j, "v"));
    pthread_mutex_lock(&r->mu);
    if (v == 1 && op && !strcmp(op, "resend")) {
        json_int_t from = json_integer_value(json_object_get(j, "from"));
        r->resend_from = from > 0 ? from : 1;
    } else if (v == 1 && op && !strcmp(op, "snapshot")) {
        r->snapshot = true;
    }
    pthread_mutex_unlock(&r->mu);
    if (!(v == 1 && op && (!strcmp(op, "resend") || !strcmp(op, "snapshot"))))
        ww_warn("relay", "ctl message v%lld op %s not understood; ignored", (long long)v, op ? op : "(none)");
    json_decref(j);
}

/* ---- the relay thread ---------------------------------------------------- */

int relay_parse_url(const char *url, char **host, int *port)
{
    *host = NULL;
    if (!url || strncmp(url, "mqtt://", 7)) return WW_EINVAL;
    const char *h = url + 7, *colon = strrchr(h, ':');
    size_t hl = colon ? (size_t)(colon - h) : strcspn(h, "/");
    if (!hl) return WW_EINVAL;
    *port = 1883;
    if (colon) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (p < 1 || p > 65535 || (*end && *end != '/')) return WW_EINVAL;
        *port = (int)p;
    }
    *host = ww_asprintf("%.*s", (int)hl, h);
    return 0;
}

struct conn {
    struct mosquitto *m;
    char *station, *url;
    int64_t cursor;      /* highest seq published on this connection */
    int64_t resend_to;   /* while cursor < resend_to, sent rows are published too */
    bool census_due;
    int64_t last_prune_us;
};

static void conn_close(struct conn *c)
{
    if (c->m) {
        mosquitto_disconnect(c->m);
        mosquitto_loop_stop(c->m, false);
        mosquitto_destroy(c->m);
    }
    free(c->station);
    free(c->url);
    memset(c, 0, sizeof *c);
}

static int conn_open(struct relay *r, struct conn *c, const char *station, const char *url)
{
    char *host;
    int port;
    if (relay_parse_url(url, &host, &port)) {
        ww_error("relay", "broker URL '%s' is not mqtt://HOST:PORT; not publishing", url);
        return WW_EINVAL;
    }
    c->station = ww_strdup(station);
    c->url = ww_strdup(url);
    /* client id = station id, clean_session=false: the broker keeps our session */
    c->m = mosquitto_new(station, false, r);
    int rc = c->m ? 0 : -ENOMEM;
    if (!rc) {
        mosquitto_int_option(c->m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
        mosquitto_connect_callback_set(c->m, on_connect);
        mosquitto_disconnect_callback_set(c->m, on_disconnect);
        mosquitto_publish_callback_set(c->m, on_publish);
        mosquitto_message_callback_set(c->m, on_message);
        mosquitto_reconnect_delay_set(c->m, 1, 10, true); /* backoff 1 s .. 10 s */
        mosquitto_max_inflight_messages_set(c->m, WINDOW);
        /* connect_async fails only on a bad argument; an unreachable broker is
         * retried by the loop thread with the backoff above */
        mosquitto_connect_async(c->m, host, port, 30);
        rc = mosquitto_loop_start(c->m) == MOSQ_ERR_SUCCESS ? 0 : WW_EINVAL;
    }
    free(host);
    if (rc) { conn_close(c); return rc; }
    ww_info("relay", "station %s publishing to %s", station, url);
    return 0;
}

static char *topic(const struct conn *c, const char *entity)
{
    return ww_asprintf("wardwatch/%s/%s", c->station, entity);
}

static char *message(const struct conn *c, const struct catalog_outbox_row *row)
{
    json_t *data = json_loads(row->data, 0, NULL);
    json_t *j = json_pack("{s:i,s:s,s:I,s:s,s:s,s:I,s:s,s:s,s:o}", "v", 1, "station", c->station, "seq",
                          (json_int_t)row->seq, "entity", row->entity, "id", row->id, "version",
                          (json_int_t)row->seq, "op", row->op, "at", row->at, "data",
                          data ? data : json_object());
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return s;
}

/* Publishes up to the free part of the window.  Returns how many. */
static int drain(struct relay *r, catalog_t *cat, struct conn *c)
{
    pthread_mutex_lock(&r->mu);
    int room = WINDOW - r->n_fly;
    pthread_mutex_unlock(&r->mu);
    if (room <= 0) return 0;
    struct catalog_outbox_row *rows;
    size_t n;
    if (catalog_outbox_next(cat, c->cursor, c->cursor < c->resend_to, (size_t)room, &rows, &n)) return 0;
    int sent = 0;
    for (size_t i = 0; i < n; i++) {
        char *t = topic(c, rows[i].entity), *p = message(c, &rows[i]);
        int mid = 0;
        /* hold the lock over publish so on_publish cannot see the mid first */
        pthread_mutex_lock(&r->mu);
        int rc = p ? mosquitto_publish(c->m, &mid, t, (int)strlen(p), p, 1, false) : MOSQ_ERR_NOMEM;
        if (rc == MOSQ_ERR_SUCCESS) r->fly[r->n_fly++] = (struct inflight){mid, rows[i].seq};
        pthread_mutex_unlock(&r->mu);
        free(t);
        free(p);
        if (rc != MOSQ_ERR_SUCCESS) break;
        c->cursor = rows[i].seq;
        sent++;
    }
    catalog_outbox_rows_free(rows, n);
    if (sent) c->census_due = true;
    return sent;
}

static void mark_acked(struct relay *r, catalog_t *cat)
{
    int64_t acked[WINDOW * 2];
    pthread_mutex_lock(&r->mu);
    int n = r->n_acked;
    memcpy(acked, r->acked, (size_t)n * sizeof *acked);
    r->n_acked = 0;
    pthread_mutex_unlock(&r->mu);
    if (!n) return;
    int64_t now = ww_wall_us();
    if (catalog_begin(cat)) return;
    int rc = 0;
    for (int i = 0; !rc && i < n; i++) rc = catalog_outbox_mark_sent(cat, acked[i], now);
    if (rc || catalog_commit(cat)) catalog_rollback(cat);
}

static void publish_census(catalog_t *cat, struct conn *c)
{
    char *census = NULL;
    int64_t backlog, last_sent, max_seq;
    if (catalog_outbox_stats(cat, &backlog, &last_sent, &max_seq) || catalog_outbox_census(cat, &census)) return;
    struct catalog_outbox_row row = {.seq = c->cursor, .entity = "census", .id = "census", .op = "upsert",
                                     .data = census, .at = NULL};
    char at[32];
    time_t now = (time_t)(ww_wall_us() / 1000000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    row.at = at;
    char *t = topic(c, "census"), *p = message(c, &row);
    if (p) mosquitto_publish(c->m, NULL, t, (int)strlen(p), p, 1, true);
    free(t);
    free(p);
    free(census);
    c->census_due = false;
}

/* What the ctl topic asked for, done on this thread's catalog. */
static void take_requests(struct relay *r, catalog_t *cat, struct conn *c)
{
    pthread_mutex_lock(&r->mu);
    int64_t from = r->resend_from;
    bool snap = r->snapshot, re = r->reconnected;
    r->resend_from = 0;
    r->snapshot = r->reconnected = false;
    pthread_mutex_unlock(&r->mu);
    if (re) {
        char *t = topic(c, "ctl/#");
        mosquitto_subscribe(c->m, NULL, t, 1);
        free(t);
        c->cursor = 0; /* from the oldest unsent row */
        c->resend_to = 0;
        c->census_due = true;
    }
    if (from > 0) {
        int64_t backlog, last_sent, max_seq;
        if (!catalog_outbox_stats(cat, &backlog, &last_sent, &max_seq)) {
            ww_info("relay", "hub asked to resend from seq %lld (up to %lld)", (long long)from, (long long)max_seq);
            c->cursor = from - 1;
            c->resend_to = max_seq;
        }
    }
    if (snap) {
        int rc = catalog_outbox_snapshot(cat);
        ww_info("relay", "hub asked for a snapshot: %s", rc ? ww_strerror(rc) : "written");
    }
}

/* Applies the pending reviews through the handler (none installed: they
 * wait).  A review the handler refuses is kept with its reason. */
static void apply_reviews(struct relay *r, catalog_t *cat)
{
    pthread_mutex_lock(&r->mu);
    relay_review_fn fn = r->review_fn;
    void *ud = r->review_ud;
    r->review_due = false;
    pthread_mutex_unlock(&r->mu);
    if (!fn) return;
    for (int k = 0; k < 100; k++) { /* bounded per pass */
        struct catalog_province_review row;
        if (catalog_province_review_next(cat, &row)) return;
        struct relay_review rv;
        const char *perr = NULL;
        int64_t id = 0;
        char *why = NULL;
        if (relay_review_parse_body(row.body, &rv, &perr)) why = ww_strdup(perr);
        else if (fn(ud, cat, &rv, &id, &why) || id <= 0) {
            if (!why) why = ww_strdup("the ward's criteria refused it");
            id = 0;
        }
        int rc = catalog_province_review_done(cat, row.review_id, why ? 0 : id, why);
        if (why) ww_warn("relay", "review %s refused: %s", row.review_id, why);
        else ww_info("relay", "review %s applied as assessment %lld", row.review_id, (long long)id);
        if (rc) ww_error("relay", "review %s: cannot record the outcome (%s)", row.review_id, ww_strerror(rc));
        free(why);
        relay_review_clear(&rv);
        catalog_province_review_clear(&row);
        if (rc) return;
    }
}

void relay_set_review_handler(struct relay *r, relay_review_fn fn, void *ud)
{
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    r->review_fn = fn;
    r->review_ud = ud;
    r->review_due = true; /* reviews stored by an earlier run */
    pthread_mutex_unlock(&r->mu);
}

static void update_stats(struct relay *r, catalog_t *cat, bool joined)
{
    int64_t backlog = 0, last_sent = 0, max_seq = 0;
    if (joined) catalog_outbox_stats(cat, &backlog, &last_sent, &max_seq);
    pthread_mutex_lock(&r->mu);
    bool was = r->stats.connected;
    r->stats.joined = joined;
    r->stats.connected = joined && r->connected;
    r->stats.backlog = backlog;
    r->stats.last_sent = last_sent;
    bool now = r->stats.connected;
    pthread_mutex_unlock(&r->mu);
    if (was != now) /* logged on change only */
        ww_info("relay", "broker %s; backlog %lld, last sent seq %lld", now ? "connected" : "disconnected",
                (long long)backlog, (long long)last_sent);
}

static void setting(catalog_t *cat, const char *key, char **out)
{
    *out = NULL;
    if (catalog_setting_get(cat, key, out)) *out = NULL;
}

static void *relay_main(void *arg)
{
    struct relay *r = arg;
    catalog_t *cat = NULL;
    if (catalog_open(r->db_path, 0, &cat)) {
        ww_error("relay", "cannot open the catalog %s; not publishing", r->db_path);
        return NULL;
    }
    struct conn c = {0};
    int64_t next_poll = 0;
    while (!atomic_load(&r->stop)) {
        int64_t now = ww_mono_us();
        if (now >= next_poll) { /* join/leave and broker changes */
            next_poll = now + 2000000;
            char *station, *url, *key;
            setting(cat, CATALOG_OUTBOX_STATION, &station);
            setting(cat, CATALOG_OUTBOX_MQTT, &url);
            setting(cat, CATALOG_OUTBOX_HUB_KEY, &key);
            pthread_mutex_lock(&r->mu);
            free(r->station);
            free(r->hub_key);
            r->station = station ? ww_strdup(station) : NULL;
            r->hub_key = key;
            r->review_due = true; /* also a periodic look at pending ones */
            pthread_mutex_unlock(&r->mu);
            const char *want = r->mqtt_override ? r->mqtt_override : url;
            bool same = c.m && station && want && !strcmp(c.station, station) && !strcmp(c.url, want);
            if (!same && c.m) conn_close(&c);
            if (!same && station && want) conn_open(r, &c, station, want);
            update_stats(r, cat, station != NULL);
            free(station);
            free(url);
        }
        int sent = 0;
        pthread_mutex_lock(&r->mu);
        bool reviews = r->review_due;
        pthread_mutex_unlock(&r->mu);
        if (reviews) apply_reviews(r, cat);
        if (c.m) {
            take_requests(r, cat, &c);
            mark_acked(r, cat);
            pthread_mutex_lock(&r->mu);
            bool up = r->connected, idle = r->n_fly == 0;
            pthread_mutex_unlock(&r->mu);
            if (up) sent = drain(r, cat, &c);
            if (up && !sent && idle && c.census_due) publish_census(cat, &c);
            if (now - c.last_prune_us > 3600LL * 1000000) {
                c.last_prune_us = now;
                catalog_outbox_prune(cat, ww_wall_us() - RETAIN_US, RETAIN_ROWS, NULL);
            }
        }
        if (!sent) {
            const struct timespec nap = {.tv_nsec = 100 * 1000 * 1000};
            nanosleep(&nap, NULL);
            if (c.m) update_stats(r, cat, true);
        }
    }
    mark_acked(r, cat);
    conn_close(&c);
    catalog_close(cat);
    return NULL;
}

int relay_start(const char *db_path, const char *mqtt_override, struct relay **out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, (void (*)(void))mosquitto_lib_init);
    struct relay *r = ww_calloc(1, sizeof *r);
    r->db_path = ww_strdup(db_path);
    r->mqtt_override = mqtt_override && *mqtt_override ? ww_strdup(mqtt_override) : NULL;
    pthread_mutex_init(&r->mu, NULL);
    int rc = pthread_create(&r->thread, NULL, relay_main, r);
    if (rc) {
        pthread_mutex_destroy(&r->mu);
        free(r->db_path);
        free(r->mqtt_override);
        free(r);
        *out = NULL;
        return -rc;
    }
    *out = r;
    return 0;
}

void relay_stop(struct relay *r)
{
    if (!r) return;
    atomic_store(&r->stop, true);
    pthread_join(r->thread, NULL);
    /* libmosquitto's thread ended with the connection (conn_close) */
    catalog_close(r->loop_cat);
    free(r->station);
    free(r->hub_key);
    pthread_mutex_destroy(&r->mu);
    free(r->db_path);
    free(r->mqtt_override);
    free(r);
}

void relay_stats(struct relay *r, struct relay_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    *out = r->stats;
    pthread_mutex_unlock(&r->mu);
}
