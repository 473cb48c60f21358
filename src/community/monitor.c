/*
 * monitor.c — the camera-dark monitor of `serve`: alerts, their webhooks,
 * and availability intervals.
 *
 * Why a separate thread fed by engine_status_list: the engine already knows
 * each stream's state, reason and last packet time and hands them out as a
 * snapshot from any thread; the monitor only needs a look every few seconds
 * and must never slow a stream.  It keeps its own catalog connection (the
 * catalog's one-connection-per-thread rule) and writes one transaction per
 * tick.
 *
 * Invariants:
 *   - at most one open alert per camera (the monitor is its only writer;
 *     on start it adopts the open alerts it finds, so a restart neither
 *     duplicates nor loses one);
 *   - "dark since" is the last packet the engine saw, or — for a camera
 *     that has not delivered anything since serve started — the first tick
 *     that saw it dark; the threshold is the ward's (catalog_alert_threshold);
 *   - a camera whose recorder is in `error` (it streams, but nothing can be
 *     written: a muxer refusal, an unsupported codec) is dark too, since its
 *     last written frame, and the alert's reason is the recorder's;
 *   - a camera whose disk is full with only held video left
 *     (REC_DISK_FULL_HELD) is dark the same way, and its alert is raised
 *     at once, not after the ward's threshold: no retry will free space;
 *   - a camera switched off or removed is no longer watched: its open alert
 *     is cleared with that reason ('disabled' / 'removed');
 *   - availability intervals: one open interval per watched camera, ended at
 *     every state change, extended every tick (one UPDATE per camera in the
 *     tick's one transaction: 200 cameras cost 40 small updates a second)
 *     and at stop — so the figures are current to a tick and a crash loses
 *     at most one tick of them, never their consistency;
 *   - webhooks are delivered by the monitor's notifier (notify/: its own
 *     thread, a bounded queue of 256 POSTs, 3 attempts): a dead receiver
 *     costs the monitor nothing; when the queue is full the oldest POST is
 *     dropped and logged (the alert row stays — the catalog is the record,
 *     the webhook a courtesy).  The notifier's thread writes the delivery
 *     rows on a catalog connection of its own (dcat).
 */
#include "community/community.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "catalog/cat_community.h"
#include "catalog/cat_users.h"
#include "notify/notify.h"

#define QCAP 256
#define PRUNE_EVERY_US (3600LL * 1000000)
#define KEEP_UPTIME_US (400LL * 86400 * 1000000)
#define WEBHOOK_TIMEOUT_MS 5000
#define WEBHOOK_TRIES 3

struct track {
    int64_t camera_id;
    int state;                 /* 0 none yet, 1 online, 2 dark */
    int64_t interval_id;
    int64_t dark_seen_us;      /* first tick that saw it dark (0 = not dark) */
    bool live;                 /* seen this tick */
};

struct community_monitor {
    char *db_path;
    engine_t *eng;
    int64_t tick_us;
    pthread_t thr;
    bool thr_started;
    atomic_bool stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    notify_t *hooks;           /* webhook POSTs: its own thread and bounded queue */
    catalog_t *dcat;           /* the notifier thread's, for delivery rows */
    struct track *t;
    size_t nt, capt;
    int64_t last_prune_us;
};

static const char *LC = "alerts";

/* ---- small helpers ---------------------------------------------------------- */

static struct track *track_of(struct community_monitor *m, int64_t id)
{
    for (size_t i = 0; i < m->nt; i++)
        if (m->t[i].camera_id == id) return &m->t[i];
    if (m->nt == m->capt) {
        m->capt = m->capt ? m->capt * 2 : 32;
        m->t = ww_realloc(m->t, m->capt * sizeof *m->t);
    }
    struct track *t = &m->t[m->nt++];
    memset(t, 0, sizeof *t);
    t->camera_id = id;
    return t;
}

static void cond_init_mono(pthread_cond_t *cv)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &a);
    pthread_condattr_destroy(&a);
}

static void deadline_in(struct timespec *ts, int64_t us)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += us / 1000000;
    ts->tv_nsec += (us % 1000000) * 1000;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static json_t *iso(int64_t us)
{
    if (!us) return json_null();
    char b[48];
    return json_string(ww_fmt_time(us, ww_station_offset_min(), b, sizeof b));
}

/* The JSON a webhook receives. */
static char *payload(catalog_t *cat, const struct catalog_alert *a, const char *event)
{
    struct catalog_camera c;
    bool have = catalog_camera_get(cat, a->camera_id, &c) == 0;
    json_t *cam = json_pack("{s:I,s:s,s:o}", "id", (json_int_t)a->camera_id, "name",
                            a->camera_name ? a->camera_name : "", "ward_id",
                            a->ward_id ? json_integer(a->ward_id) : json_null());
    if (have) {
        json_object_set_new(cam, "address", c.address ? json_string(c.address) : json_null());
        json_object_set_new(cam, "latitude", c.has_pos ? json_real(c.latitude) : json_null());
        json_object_set_new(cam, "longitude", c.has_pos ? json_real(c.longitude) : json_null());
        catalog_camera_clear(&c);
    }
    if (a->ward_id) {
        struct catalog_ward *w;
        size_t nw;
        if (catalog_ward_list(cat, &w, &nw) == 0) {
            for (size_t i = 0; i < nw; i++)
                if (w[i].id == a->ward_id) json_object_set_new(cam, "ward", json_string(w[i].name));
            catalog_ward_list_free(w, nw);
        }
    }
    json_t *owner = json_null();
    if (a->owner_name || a->owner_phone)
        owner = json_pack("{s:o,s:s?,s:s?,s:s?}", "id", a->owner_id ? json_integer(a->owner_id) : json_null(),
                          "name", a->owner_name, "phone", a->owner_phone, "kind", a->owner_kind);
    int64_t end = a->cleared_us ? a->cleared_us : ww_wall_us();
    json_t *o = json_pack("{s:s,s:s,s:I,s:o,s:o,s:I,s:o,s:o,s:I,s:s?,s:s?,s:o}",
                          "kind", "wardwatch camera alert",
                          "event", !strcmp(event, "raised") ? "camera_dark" : "camera_back",
                          "alert_id", (json_int_t)a->id, "camera", cam,
                          "since", iso(a->since_us), "since_us", (json_int_t)a->since_us,
                          "raised", iso(a->raised_us), "cleared", iso(a->cleared_us),
                          "dark_for_s", (json_int_t)((end - a->since_us) / 1000000),
                          "reason", a->reason, "cleared_why", a->cleared_why, "owner", owner);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static void enqueue(struct community_monitor *m, catalog_t *cat, const struct catalog_alert *a,
                    const char *event)
{
    struct catalog_webhook *hooks = NULL;
    size_t nh = 0;
    if (catalog_webhook_list(cat, a->ward_id > 0 ? a->ward_id : 0, &hooks, &nh) || !nh) {
        catalog_webhook_list_free(hooks, nh);
        return;
    }
    char *json = payload(cat, a, event);
    struct notify_tag tag = {.id = a->id};
    snprintf(tag.what, sizeof tag.what, "%s", event);
    for (size_t i = 0; json && i < nh; i++) {
        tag.target = hooks[i].id;
        notify_post(m->hooks, hooks[i].url, json, &tag);
    }
    free(json);
    catalog_webhook_list_free(hooks, nh);
}

/* ---- one tick ------------------------------------------------------------------ */

/* The main stream's status of camera id in the snapshot, or NULL when the
 * camera is not running (or has no main stream yet). */
static const struct engine_stream_status *status_of(const struct engine_camera_status *v, size_t n,
                                                    int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].id == id) return v[i].main.present ? &v[i].main : NULL;
    return NULL;
}

static void uptime_step(catalog_t *cat, struct track *t, int state, int64_t now)
{
    if (t->state != state) {
        if (t->interval_id) catalog_uptime_extend(cat, t->interval_id, now);
        t->interval_id = 0;
        catalog_uptime_open(cat, t->camera_id, state == 1 ? "online" : "dark", now, now, &t->interval_id);
        t->state = state;
    } else if (t->interval_id) {
        catalog_uptime_extend(cat, t->interval_id, now);
    }
}

static void raise_alert(struct community_monitor *m, catalog_t *cat, const struct catalog_camera *c,
                        int64_t since, const char *reason, int64_t now)
{
    struct catalog_alert a = {
        .camera_id = c->id, .ward_id = c->ward_id, .camera_name = c->name, .since_us = since,
        .raised_us = now, .reason = (char *)(reason && *reason ? reason : NULL),
    };
    struct catalog_owner o = {0};
    int64_t owner_id = 0;
    bool have_owner = catalog_camera_owner_get(cat, c->id, &owner_id) == 0 && owner_id &&
                      catalog_owner_get(cat, owner_id, &o) == 0;
    if (have_owner) {
        a.owner_id = o.id;
        a.owner_name = o.name;
        a.owner_phone = o.phone;
        a.owner_kind = o.kind;
    }
    if (catalog_alert_raise(cat, &a) == 0) {
        ww_warn(LC, "camera %lld \"%s\" dark for %lld s: alert %lld raised%s%s%s", (long long)c->id,
                c->name, (long long)((now - since) / 1000000), (long long)a.id,
                have_owner ? " (owner " : "", have_owner ? o.name : "", have_owner ? ")" : "");
        enqueue(m, cat, &a, "raised");
    }
    if (have_owner) catalog_owner_clear(&o);
}

static void clear_alert(struct community_monitor *m, catalog_t *cat, int64_t alert_id, const char *why,
                        int64_t now)
{
    if (catalog_alert_clear_open(cat, alert_id, now, why)) return;
    struct catalog_alert a;
    if (catalog_alert_get(cat, alert_id, &a) == 0) {
        ww_info(LC, "camera %lld \"%s\": alert %lld cleared (%s)", (long long)a.camera_id,
                a.camera_name, (long long)a.id, why);
        enqueue(m, cat, &a, "cleared");
        catalog_alert_clear(&a);
    }
}

static void tick(struct community_monitor *m, catalog_t *cat)
{
    int64_t now = ww_wall_us();
    struct engine_camera_status *st = NULL;
    size_t nst = 0;
    if (m->eng) engine_status_list(m->eng, &st, &nst);
    struct catalog_camera *cams = NULL;
    size_t nc = 0;
    struct catalog_alert *open = NULL;
    size_t no = 0;
    struct catalog_alert_filter f = {.all = true, .open_only = true, .limit = 2000};
    if (catalog_camera_list(cat, &cams, &nc) || catalog_alert_list(cat, &f, &open, &no)) {
        free(st);
        catalog_camera_list_free(cams, nc);
        return;
    }
    if (catalog_begin(cat)) goto out;
    for (size_t i = 0; i < m->nt; i++) m->t[i].live = false;
    for (size_t i = 0; i < nc; i++) {
        const struct catalog_camera *c = &cams[i];
        int64_t alert_id = 0;
        for (size_t k = 0; k < no; k++)
            if (open[k].camera_id == c->id) alert_id = open[k].id;
        if (!c->enabled) {
            if (alert_id) clear_alert(m, cat, alert_id, "disabled", now);
            continue;   /* its track, if any, is closed below */
        }
        const struct engine_stream_status *s = status_of(st, nst, c->id);
        if (!s) continue; /* just switched on: not running yet */
        struct track *t = track_of(m, c->id);
        t->live = true;
        /* A camera that streams but whose video cannot be written is as
         * dark as one that sends nothing: nobody can watch it afterwards. */
        bool held_full = s->has_record && s->record.state == REC_DISK_FULL_HELD;
        bool not_written = s->has_record && (s->record.state == REC_ERROR || held_full);
        bool online = s->state == ENGINE_ONLINE && !not_written;
        uptime_step(cat, t, online ? 1 : 2, now);
        if (online) {
            t->dark_seen_us = 0;
            if (alert_id) clear_alert(m, cat, alert_id, "online", now);
            continue;
        }
        if (!t->dark_seen_us) t->dark_seen_us = now;
        if (alert_id) continue;
        int64_t last = not_written ? s->record.last_frame_wall_us : s->last_packet_us;
        int64_t since = last > 0 ? last : t->dark_seen_us;
        int64_t after_s = 900;
        catalog_alert_threshold(cat, c->ward_id, &after_s);
        /* a disk full of held video does not mend itself: tell at once */
        if (held_full || now - since >= after_s * 1000000)
            raise_alert(m, cat, c, since, not_written ? s->record.error_text : s->reason, now);
    }
    /* alerts of cameras that no longer exist */
    for (size_t k = 0; k < no; k++) {
        bool exists = false;
        for (size_t i = 0; i < nc && !exists; i++) exists = cams[i].id == open[k].camera_id;
        if (!exists) clear_alert(m, cat, open[k].id, "removed", now);
    }
    /* tracks of cameras no longer watched: end their interval, forget them */
    for (size_t i = 0; i < m->nt;) {
        if (m->t[i].live) { i++; continue; }
        if (m->t[i].interval_id) {
            bool exists = false;
            for (size_t k = 0; k < nc && !exists; k++) exists = cams[k].id == m->t[i].camera_id;
            if (exists) catalog_uptime_extend(cat, m->t[i].interval_id, now);
        }
        m->t[i] = m->t[--m->nt];
    }
    if (now - m->last_prune_us >= PRUNE_EVERY_US) {
        catalog_uptime_prune(cat, now - KEEP_UPTIME_US);
        m->last_prune_us = now;
    }
    if (catalog_commit(cat)) {
        catalog_rollback(cat);
        ww_warn(LC, "cannot write this tick's alerts and availability; trying again next tick");
    }
out:
    free(st);
    catalog_camera_list_free(cams, nc);
    catalog_alert_list_free(open, no);
}

/* Ends every open interval at stop. */
static void flush_intervals(struct community_monitor *m, catalog_t *cat)
{
    int64_t now = ww_wall_us();
    if (catalog_begin(cat)) return;
    for (size_t i = 0; i < m->nt; i++)
        if (m->t[i].interval_id) catalog_uptime_extend(cat, m->t[i].interval_id, now);
    if (catalog_commit(cat)) catalog_rollback(cat);
}

static void *monitor_main(void *arg)
{
    struct community_monitor *m = arg;
    ww_thread_set_role(WW_THREAD_MONITOR);
    catalog_t *cat = NULL;
    if (catalog_open(m->db_path, 0, &cat)) {
        ww_error(LC, "cannot open the catalog; camera-dark alerts are off");
        return NULL;
    }
    pthread_mutex_lock(&m->mu);
    while (!atomic_load(&m->stop)) {
        struct timespec ts;
        deadline_in(&ts, m->tick_us);
        while (!atomic_load(&m->stop) && pthread_cond_timedwait(&m->cv, &m->mu, &ts) != ETIMEDOUT) {}
        if (atomic_load(&m->stop)) break;
        pthread_mutex_unlock(&m->mu);
        tick(m, cat);
        pthread_mutex_lock(&m->mu);
    }
    pthread_mutex_unlock(&m->mu);
    flush_intervals(m, cat);
    catalog_close(cat);
    return NULL;
}

/* ---- webhook delivery ------------------------------------------------------------- */

/* The notifier's done callback (its thread only): one delivery row per
 * attempted POST, on a catalog connection that only that thread uses. */
static void record_delivery(void *ud, const struct notify_tag *tag, const struct notify_result *r)
{
    struct community_monitor *m = ud;
    if (!m->dcat && catalog_open(m->db_path, 0, &m->dcat)) {
        ww_error(LC, "cannot open the catalog; webhook deliveries are not recorded");
        m->dcat = NULL;
        return;
    }
    struct catalog_delivery d = {
        .alert_id = tag->id, .webhook_id = tag->target, .event = (char *)tag->what, .ok = r->ok,
        .http_status = r->http_status, .attempts = r->attempts, .error = r->ok ? NULL : (char *)r->error,
    };
    catalog_delivery_add(m->dcat, &d);
}

/* ---- life cycle ------------------------------------------------------------------- */

int community_monitor_start(const char *data_dir, engine_t *eng, struct community_monitor **out)
{
    *out = NULL;
    if (!data_dir || !eng) return WW_EINVAL;
    struct community_monitor *m = ww_calloc(1, sizeof *m);
    m->db_path = ww_asprintf("%s/wardwatch.db", data_dir);
    m->eng = eng;
    m->tick_us = ww_env_int("WARDWATCH_MONITOR_TICK_MS") * 1000;
    atomic_init(&m->stop, false);
    pthread_mutex_init(&m->mu, NULL);
    cond_init_mono(&m->cv);
    struct notify_cfg nc = {.name = LC, .capacity = QCAP, .timeout_ms = WEBHOOK_TIMEOUT_MS,
                            .tries = WEBHOOK_TRIES, .done = record_delivery, .done_ud = m};
    int rc = notify_start(&nc, &m->hooks);
    if (rc) rc = -rc;
    if (!rc && (rc = pthread_create(&m->thr, NULL, monitor_main, m)) == 0) m->thr_started = true;
    if (rc) {
        ww_error(LC, "cannot start the monitor threads: %s", strerror(rc));
        community_monitor_stop(m);
        return -rc;
    }
    ww_info(LC, "camera-dark monitor on (every %lld ms)", (long long)(m->tick_us / 1000));
    *out = m;
    return 0;
}

void community_monitor_stop(struct community_monitor *m)
{
    if (!m) return;
    pthread_mutex_lock(&m->mu);
    atomic_store(&m->stop, true);
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    if (m->thr_started) pthread_join(m->thr, NULL);
    notify_stop(m->hooks);          /* after the monitor: it is the producer */
    catalog_close(m->dcat);      /* the notifier thread has ended */
    pthread_cond_destroy(&m->cv);
    pthread_mutex_destroy(&m->mu);
    free(m->t);
    free(m->db_path);
    free(m);
}
