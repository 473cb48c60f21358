/*
 * province/sub.c — the hub's MQTT subscriber: one thread, one libmosquitto
 * client (fixed client id, clean_session=false, QoS 1) and one PostgreSQL
 * connection.  Messages are applied inside on_message.
 *
 * libmosquitto PUBACKs a QoS 1 message before on_message returns, so a
 * message whose transaction fails is gone from the broker.  When
 * PostgreSQL fails the hub therefore (1) disconnects from the broker, which
 * keeps every later message in the persistent session, (2) reconnects to
 * PostgreSQL with backoff (0.5 s doubling to 8 s), (3) reloads the applied
 * seqs and asks every station to resend from its first unapplied seq
 * (which covers the message that was acked but not committed), then
 * (4) reconnects to the broker.  A seq gap that stays open gap_wait_ms
 * also gets a resend request; so does every station at start.
 *
 * Batches: a message is parsed, checked against the seq tracker and kept
 * in memory (`pend`); the batch goes to PostgreSQL as ONE statement (its
 * own transaction; prov_pg_apply_batch, decision 014) when the socket has
 * nothing more to read, after BATCH_MAX messages or BATCH_MS after it
 * began, whichever comes first.  Under a trickle a batch is one message
 * (nothing waits); under a flood one round trip and one WAL flush cover
 * hundreds (each round trip waited 5-15 ms for a CPU on the bench box).
 * The tracker is marked when a message is kept: a message PostgreSQL
 * refuses is marked seen anyway (decision 010), and a batch that does not
 * commit is a PostgreSQL failure as above — the seq state is reloaded from
 * what committed and the stations resend.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>

#include "base/base.h"
#include "province/province.h"

enum { BATCH_MAX = 500, BATCH_MS = 50 };

struct sub {
    const struct prov_serve_opts *o;
    prov_pg *pg;
    struct mosquitto *mosq;
    struct prov_station_state *st;
    size_t nst;
    bool pg_failed;      /* a transaction failed: stop consuming */
    bool connected;
    int64_t reload_us;   /* last reload for an unknown station */
    bool unknown_pending; /* dropped one since: reload when the 1 s is up */
    uint64_t dropped[PROV_CAUSES];
    bool logged[PROV_CAUSES];
    uint64_t applied;
    uint64_t seen;       /* messages handed to on_message */
    int batch_n;         /* messages handed in since the batch began */
    int64_t batch_us;    /* when it began */
    struct prov_msg *pend; /* the batch's messages to apply (BATCH_MAX) */
    size_t npend;
    bool *refused;       /* per pend[], from prov_pg_apply_batch */
    int64_t *arrived;    /* per pend[]: when on_message got it (counters) */
    struct {             /* since the last counter line (log_counters) */
        int64_t since_us, pg_us;
        uint64_t batches, msgs;
        int max_batch;
        /* per message, summed: from on_message to the batch's apply
         * (waiting) and the apply itself (working); the longest stay */
        int64_t wait_us, work_us, max_hold_us;
    } ctr;
};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct prov_station_state *find(struct sub *s, const char *id)
{
    for (size_t i = 0; i < s->nst; i++)
        if (!strcmp(s->st[i].id, id)) return &s->st[i];
    return NULL;
}

static void ask_resend(struct sub *s, struct prov_station_state *st);
static void drop(struct sub *s, enum prov_cause c, const char *topic);

/* Applies the batch held in memory and every seq state it changed in one
 * transaction, then empties it.  A failed one sets pg_failed (recover()
 * reloads the seqs and asks for resends). */
static void commit_batch(struct sub *s)
{
    size_t nm = 0;
    struct prov_mark *marks = calloc(s->nst ? s->nst : 1, sizeof *marks);
    for (size_t i = 0; marks && i < s->nst; i++)
        if (s->st[i].dirty) marks[nm++] = (struct prov_mark){s->st[i].id, &s->st[i].seq};
    int64_t t0 = now_us();
    int rc = !marks ? -ENOMEM
           : s->npend || nm ? prov_pg_apply_batch(s->pg, s->pend, s->npend, marks, nm, s->refused)
                            : 0;
    free(marks);
    int64_t t1 = now_us();
    s->ctr.pg_us += t1 - t0;
    for (size_t i = 0; i < s->npend; i++) {
        s->ctr.wait_us += t0 - s->arrived[i];
        s->ctr.work_us += t1 - t0;
        if (t1 - s->arrived[i] > s->ctr.max_hold_us) s->ctr.max_hold_us = t1 - s->arrived[i];
    }
    s->ctr.batches++;
    s->ctr.msgs += s->npend;
    if ((int)s->npend > s->ctr.max_batch) s->ctr.max_batch = (int)s->npend;
    if (rc) s->pg_failed = true;
    for (size_t i = 0; i < s->npend; i++) {
        if (!rc && s->refused[i]) {
            char topic[PROV_STATION_MAX + PROV_ENTITY_MAX + 16];
            snprintf(topic, sizeof topic, "wardwatch/%s/%s", s->pend[i].station, s->pend[i].entity);
            drop(s, PROV_APPLY_FAILED, topic);
        } else if (!rc) {
            s->applied++;
        }
        prov_msg_clear(&s->pend[i]);
    }
    if (!rc)
        for (size_t i = 0; i < s->nst; i++) s->st[i].dirty = false;
    s->npend = 0;
    s->batch_n = 0;
}

/* PostgreSQL failed: what the batch holds was acked at the broker but is
 * not committed; the resends after the reload bring it again. */
static void discard_batch(struct sub *s)
{
    for (size_t i = 0; i < s->npend; i++) prov_msg_clear(&s->pend[i]);
    s->npend = 0;
    s->batch_n = 0;
    for (size_t i = 0; i < s->nst; i++) s->st[i].dirty = false;
}

/* Reloads the stations from PostgreSQL.  The gap and resend timers live
 * only here: they are carried over by id (a reset timer would never fire
 * again for a gap no new message reopens — seen with 50 stations joining
 * at once, bench/province_publish.py), and a station enrolled since the
 * last load is asked to resend at once while connected: its first
 * messages may have come before its enrolment and were dropped. */
static int reload(struct sub *s)
{
    struct prov_station_state *v;
    size_t n;
    /* the open batch first: the load must see its seqs, and its marks
     * live in the table this replaces */
    if (s->batch_n) {
        commit_batch(s);
        if (s->pg_failed) return -EIO;
    }
    int rc = prov_pg_load_stations(s->pg, &v, &n);
    if (rc) return rc;
    bool *fresh = calloc(n ? n : 1, sizeof *fresh);
    if (!fresh) {
        free(v);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        struct prov_station_state *old = find(s, v[i].id);
        if (old) {
            v[i].gap_since_us = prov_seq_gap(&v[i].seq) ? old->gap_since_us : 0;
            v[i].resent_us = old->resent_us;
        }
        if (prov_seq_gap(&v[i].seq) && !v[i].gap_since_us) v[i].gap_since_us = now_us();
        fresh[i] = !old;
    }
    free(s->st);
    s->st = v;
    s->nst = n;
    for (size_t i = 0; i < n; i++)
        if (fresh[i] && s->connected) ask_resend(s, &s->st[i]);
    free(fresh);
    return 0;
}

static void drop(struct sub *s, enum prov_cause c, const char *topic)
{
    s->dropped[c]++;
    if (!s->logged[c]) {  /* once per cause: a flood must not fill the log */
        ww_log(WW_LOG_WARN, "province", "dropped a message on %s: %s (further ones counted only)",
               topic, prov_cause_name(c));
        s->logged[c] = true;
    }
}

static void ask_resend(struct sub *s, struct prov_station_state *st)
{
    char topic[96], body[96];
    snprintf(topic, sizeof topic, "wardwatch/%s/ctl/resend", st->id);
    snprintf(body, sizeof body, "{\"v\":1,\"op\":\"resend\",\"from\":%" PRId64 "}",
             st->seq.contig + 1);
    int rc = mosquitto_publish(s->mosq, NULL, topic, (int)strlen(body), body, 1, false);
    if (rc == MOSQ_ERR_SUCCESS) {
        ww_log(WW_LOG_INFO, "province", "asked %s to resend from %" PRId64, st->id,
               st->seq.contig + 1);
        st->resent_us = now_us();
    }
}

/* A refused message that names its seq: mark the seq so no gap stays open
 * for it (it would be as bad on every resend). */
static void skip_seq(struct sub *s, const struct mosquitto_message *mm)
{
    char station[PROV_STATION_MAX + 1];
    int64_t seq;
    if (!prov_msg_peek_seq(mm->topic, mm->payload, (size_t)mm->payloadlen, station, &seq)) return;
    struct prov_station_state *st = find(s, station);
    if (!st) return;
    struct prov_seq after = st->seq;
    if (prov_seq_mark(&after, seq) != 1) return;
    st->dirty = true; /* written with the batch */
    bool had_gap = prov_seq_gap(&st->seq);
    st->seq = after;
    if (!prov_seq_gap(&after)) st->gap_since_us = 0;
    else if (!had_gap) st->gap_since_us = now_us();
}

static void handle(struct sub *s, const struct mosquitto_message *mm)
{
    /* our own requests come back through the wildcard: not station data */
    if (strstr(mm->topic, "/ctl/")) return;
    struct prov_msg m;
    enum prov_cause c = prov_msg_parse(mm->topic, mm->payload, (size_t)mm->payloadlen, &m);
    if (c != PROV_OK) {
        drop(s, c, mm->topic);
        return skip_seq(s, mm);
    }
    struct prov_station_state *st = find(s, m.station);
    if (!st && now_us() - s->reload_us > 1000000) {  /* enrolled since we loaded? */
        s->reload_us = now_us();
        s->unknown_pending = false;
        if (reload(s)) s->pg_failed = true;
        if (s->pg_failed) goto out; /* recover() reloads; the resend brings it */
        st = find(s, m.station);
    }
    if (!st) {
        s->unknown_pending = true;
        drop(s, PROV_NOT_ENROLLED, mm->topic);
        goto out;
    }
    bool census = !strcmp(m.entity, "census");
    struct prov_seq after = st->seq;
    if (!census) {
        int r = prov_seq_mark(&after, m.seq);
        if (r == 0) goto out;  /* applied before: a duplicate or replay */
        if (r == -ENOSPC) {    /* too far past a gap: it will come again */
            if (now_us() - st->resent_us > 1000LL * s->o->gap_wait_ms) ask_resend(s, st);
            goto out;
        }
    }
    /* kept for the batch; marked now — a message PostgreSQL refuses is
     * marked seen all the same, and a batch that fails reloads the seqs */
    assert(s->npend < BATCH_MAX); /* on_message commits a full batch */
    s->arrived[s->npend] = now_us();
    s->pend[s->npend++] = m;
    m.data = NULL;
    st->dirty = true;
    if (!census) {
        bool had_gap = prov_seq_gap(&st->seq);
        st->seq = after;
        if (!prov_seq_gap(&after)) st->gap_since_us = 0;
        else if (!had_gap) st->gap_since_us = now_us();
    }
out:
    prov_msg_clear(&m);
}

static void on_message(struct mosquitto *mosq, void *ud, const struct mosquitto_message *mm)
{
    (void)mosq;
    struct sub *s = ud;
    s->seen++;
    if (s->pg_failed) return;  /* acked but not applied: the resend after recovery covers it */
    if (!s->batch_n) s->batch_us = now_us();
    handle(s, mm);
    s->batch_n++;
    /* libmosquitto may hand over many messages in one loop call */
    if (s->npend == BATCH_MAX && !s->pg_failed) commit_batch(s);
}

/* Commits the open batch when it is due (or at once when `now`).  A failed
 * commit is a PostgreSQL failure: recover() reloads and asks for resends. */
static void batch_flush(struct sub *s, bool idle, bool now)
{
    if (!s->batch_n || s->pg_failed) return;
    if (!now && !idle && s->batch_n < BATCH_MAX && now_us() - s->batch_us < 1000LL * BATCH_MS)
        return;
    commit_batch(s);
}

/* One line every 10 s (and at stop) while messages flow: how much of the
 * hub's time goes to PostgreSQL (working) against waiting for messages —
 * bench/province_publish.py reads it to split the lag. */
static void log_counters(struct sub *s, bool force)
{
    int64_t now = now_us(), dt = now - s->ctr.since_us;
    if (!s->ctr.since_us) s->ctr.since_us = now;
    if ((!force && dt < 10000000) || !s->ctr.since_us || dt <= 0) return;
    if (s->ctr.msgs) {
        double n = (double)s->ctr.msgs;
        ww_log(WW_LOG_INFO, "province",
               "hub counters: %" PRIu64 " messages in %" PRIu64 " batches (mean %.1f, max %d) in %.1f s;"
               " PostgreSQL busy %.2f s (%.0f %%); a message stays in the hub %.1f ms on average"
               " (waiting for its batch %.1f ms, its batch in PostgreSQL %.1f ms), at most %.1f ms",
               s->ctr.msgs, s->ctr.batches, n / (double)(s->ctr.batches ? s->ctr.batches : 1),
               s->ctr.max_batch, (double)dt / 1e6, (double)s->ctr.pg_us / 1e6,
               100.0 * (double)s->ctr.pg_us / (double)dt,
               (double)(s->ctr.wait_us + s->ctr.work_us) / n / 1e3, (double)s->ctr.wait_us / n / 1e3,
               (double)s->ctr.work_us / n / 1e3, (double)s->ctr.max_hold_us / 1e3);
    }
    memset(&s->ctr, 0, sizeof s->ctr);
    s->ctr.since_us = now;
}

static void on_connect(struct mosquitto *mosq, void *ud, int rc)
{
    struct sub *s = ud;
    if (rc) {
        ww_log(WW_LOG_WARN, "province", "broker refused the connection: %s",
               mosquitto_connack_string(rc));
        return;
    }
    s->connected = true;
    mosquitto_subscribe(mosq, NULL, "wardwatch/+/#", 1);
    /* at every (re)connect: each station resends what we may lack */
    for (size_t i = 0; i < s->nst; i++) ask_resend(s, &s->st[i]);
}

static void on_disconnect(struct mosquitto *mosq, void *ud, int rc)
{
    (void)mosq;
    (void)rc;
    ((struct sub *)ud)->connected = false;
}

/* mqtt://HOST:PORT → host, port. */
static int parse_mqtt(const char *url, char *host, size_t hmax, int *port)
{
    const char *p = url;
    if (!strncmp(p, "mqtt://", 7)) p += 7;
    const char *colon = strrchr(p, ':');
    size_t hl = colon ? (size_t)(colon - p) : strlen(p);
    if (hl == 0 || hl >= hmax) return -EINVAL;
    memcpy(host, p, hl);
    host[hl] = 0;
    *port = colon ? atoi(colon + 1) : 1883;
    return *port > 0 && *port < 65536 ? 0 : -EINVAL;
}

/* PostgreSQL failed: off the broker, back to PG, reload, then back on. */
static void recover(struct sub *s, volatile sig_atomic_t *stop)
{
    ww_log(WW_LOG_WARN, "province", "PostgreSQL failed: leaving the broker until it is back");
    mosquitto_disconnect(s->mosq);
    discard_batch(s);
    int delay_ms = 500;
    while (!*stop) {
        if (prov_pg_reset(s->pg) == 0 && reload(s) == 0) break;
        struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        if (delay_ms < 8000) delay_ms *= 2;
    }
    if (*stop) return;
    ww_log(WW_LOG_INFO, "province", "PostgreSQL back; rejoining the broker");
    s->pg_failed = false;
    mosquitto_reconnect(s->mosq);
}

static void gap_timers(struct sub *s)
{
    int64_t now = now_us(), wait = 1000LL * s->o->gap_wait_ms;
    /* a station's messages all came in the second after a reload: without
     * this it would wait for a message it may never send */
    if (s->unknown_pending && !s->pg_failed && now - s->reload_us > 1000000) {
        s->reload_us = now;
        s->unknown_pending = false;
        if (reload(s)) s->pg_failed = true;
    }
    for (size_t i = 0; i < s->nst; i++) {
        struct prov_station_state *st = &s->st[i];
        if (st->gap_since_us && now - st->gap_since_us >= wait && now - st->resent_us >= wait)
            ask_resend(s, st);
    }
}

static int run_loop(struct sub *s, volatile sig_atomic_t *stop)
{
    char host[256];
    int port;
    if (parse_mqtt(s->o->mqtt_url, host, sizeof host, &port)) {
        ww_log(WW_LOG_ERROR, "province", "bad --mqtt URL %s", s->o->mqtt_url);
        return -EINVAL;
    }
    mosquitto_connect_callback_set(s->mosq, on_connect);
    mosquitto_disconnect_callback_set(s->mosq, on_disconnect);
    mosquitto_message_callback_set(s->mosq, on_message);
    mosquitto_reconnect_delay_set(s->mosq, 1, 8, true);
    if (mosquitto_connect(s->mosq, host, port, 30) != MOSQ_ERR_SUCCESS)
        ww_log(WW_LOG_WARN, "province", "broker %s not reachable yet; retrying", s->o->mqtt_url);
    ww_log(WW_LOG_INFO, "province", "hub subscribed to %s as %s", s->o->mqtt_url,
           s->o->client_id);
    while (!*stop) {
        /* with a batch open, only look whether more is waiting */
        uint64_t seen = s->seen;
        int rc = mosquitto_loop(s->mosq, s->batch_n ? 0 : 200, 1);
        batch_flush(s, s->seen == seen, rc != MOSQ_ERR_SUCCESS);
        if (s->pg_failed) recover(s, stop);
        else if (rc != MOSQ_ERR_SUCCESS) {
            struct timespec ts = {1, 0};
            nanosleep(&ts, NULL);
            mosquitto_reconnect(s->mosq);
        }
        gap_timers(s);
        log_counters(s, false);
    }
    batch_flush(s, true, true);
    discard_batch(s); /* only when that failed: the resend at the next start */
    log_counters(s, true);
    mosquitto_disconnect(s->mosq);
    return 0;
}

int prov_serve(const struct prov_serve_opts *o, volatile sig_atomic_t *stop)
{
    struct sub s = {.o = o};
    s.pend = calloc(BATCH_MAX, sizeof *s.pend);
    s.refused = calloc(BATCH_MAX, sizeof *s.refused);
    s.arrived = calloc(BATCH_MAX, sizeof *s.arrived);
    int rc = s.pend && s.refused && s.arrived ? prov_pg_open(o->conninfo, &s.pg) : -ENOMEM;
    if (rc) {
        free(s.pend);
        free(s.refused);
        free(s.arrived);
        return rc;
    }
    rc = prov_pg_migrate(s.pg);
    if (!rc) rc = reload(&s);
    if (rc) {
        prov_pg_close(s.pg);
        free(s.pend);
        free(s.refused);
        free(s.arrived);
        return rc;
    }
    mosquitto_lib_init();
    s.mosq = mosquitto_new(o->client_id, false, &s);
    if (!s.mosq) rc = -ENOMEM;
    else rc = run_loop(&s, stop);
    ww_log(WW_LOG_INFO, "province", "hub stopping: %" PRIu64 " messages applied", s.applied);
    for (int c = 1; c < PROV_CAUSES; c++)
        if (s.dropped[c])
            ww_log(WW_LOG_INFO, "province", "dropped %" PRIu64 " %s", s.dropped[c],
                   prov_cause_name((enum prov_cause)c));
    mosquitto_destroy(s.mosq);
    mosquitto_lib_cleanup();
    free(s.st);
    free(s.pend);
    free(s.refused);
    free(s.arrived);
    prov_pg_close(s.pg);
    return rc;
}
