/*
 * province/web.c — the hub's read API for province users:
 *   GET /api/v1/province/stations   health of every visible station
 *   GET /api/v1/province/cameras    replicated cameras, dark first (?station=)
 *   GET /api/v1/province/alerts     open alerts, newest first (?station=)
 *   GET /api/v1/province/stats      ?from=YYYY-MM-DD&to=YYYY-MM-DD[&station=]
 *   GET /api/v1/province/owners     owners (?station=)
 *   GET /api/v1/province/criteria   ?year=Y[&station=]: the criteria matrix
 *   GET /api/v1/province/events     motion events, newest first, paged
 *                                   (?from&to&station&camera&kind&limit&before)
 *   GET /api/v1/province/map        every camera with its coordinates
 *   POST /api/v1/province/reviews   ?station=: the province's review of one
 *                                   ward's year, sent to the station (review.c)
 *   GET / and /province             302 to the console, /province/index.html
 * Users and sessions are the http server's own (hub-http.db); the data is
 * PostgreSQL, read through pgstore.c.  Who sees what is decided in one
 * place, prov_web_decide, which every handler calls through view() before
 * it reads anything.  Each request opens its own PostgreSQL connection, as
 * enrol.c does (a shared one would need a lock across handler threads).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "catalog/cat_users.h"
#include "catalog/cat_ward_work.h"
#include "http/http.h"
#include "province/province.h"

int prov_web_decide(int role, const char *own_station, const char *asked, struct prov_view *out)
{
    *out = (struct prov_view){0};
    switch (role) {
    case CATALOG_ROLE_ADMIN:
    case CATALOG_ROLE_PROVINCE:
        out->station = asked;
        out->contacts = role == CATALOG_ROLE_ADMIN;
        return 0;
    case CATALOG_ROLE_OFFICER:
        /* a ward-officer without a station sees nothing (a broken account) */
        if (!own_station || !own_station[0]) return WW_EPERM;
        /* another station is "no such station": do not leak that it exists */
        if (asked && strcmp(asked, own_station)) return WW_ENOTFOUND;
        out->station = own_station;
        out->contacts = true;
        return 0;
    case CATALOG_ROLE_NONE:
        return WW_EAUTH;
    default:
        return WW_EPERM;
    }
}

const char *prov_web_own_station(struct http_req *req)
{
    const struct http_user *u = http_req_user(req);
    if (!u || u->role != CATALOG_ROLE_OFFICER || !u->ward_id) return NULL;
    catalog_t *cat = http_req_catalog(req);
    char *name = NULL;
    if (!cat || catalog_ward_name(cat, u->ward_id, &name)) return NULL;
    /* the officer's ward row in hub-http.db is named by its station id */
    const char *own = http_req_strdup(req, name);
    free(name);
    return own;
}

/* The request's view (the matrix above, applied); a station asked for by
 * an all-seeing role must exist, so a typo is a 404 and not an empty list.
 * On failure the answer's message is set; return the code as is. */
static int view(struct http_req *req, prov_pg *pg, struct prov_view *v)
{
    const struct http_user *u = http_req_user(req);
    if (!u) return http_fail(req, WW_EAUTH, "sign in first");
    const char *asked = http_req_query(req, "station");
    const char *own = prov_web_own_station(req);
    int rc = prov_web_decide((int)u->role, own, asked, v);
    if (rc == WW_ENOTFOUND) return http_fail(req, rc, "no such station");
    if (rc) return http_fail(req, rc, "this role has no province view");
    if (asked && !own) {
        bool known = false;
        if (prov_pg_station_known(pg, asked, &known)) return WW_EDB;
        if (!known) return http_fail(req, WW_ENOTFOUND, "no such station");
    }
    return 0;
}

/* The field-level rule for owners, in one place: contact details only when
 * the view allows them.  Stations do not replicate contact details at all
 * (docs/province.md), so an allowed role gets the fields as null with
 * contacts_at = "station" (fetched from the station on request); others do
 * not get the fields. */
static void owner_fields(json_t *owner, const struct prov_view *v)
{
    if (!v->contacts) return;
    json_object_set_new(owner, "phone", json_null());
    json_object_set_new(owner, "address", json_null());
    json_object_set_new(owner, "contacts_at", json_string("station"));
}

typedef int (*read_fn)(prov_pg *pg, const char *station, json_t **out);

/* Opens PostgreSQL, applies the view; *pg closed by the caller. */
static int begin(struct http_req *req, const struct prov_http *h, prov_pg **pg,
                 struct prov_view *v)
{
    *pg = NULL;
    if (!http_req_user(req)) return http_fail(req, WW_EAUTH, "sign in first");
    if (prov_pg_open(h->conninfo, pg))
        return http_error(req, 503, "unavailable", "the province catalog is not reachable");
    int rc = view(req, *pg, v);
    if (rc) {
        prov_pg_close(*pg);
        *pg = NULL;
    }
    return rc;
}

static int list(struct http_req *req, const struct prov_http *h, const char *key, read_fn fn)
{
    prov_pg *pg;
    struct prov_view v;
    int rc = begin(req, h, &pg, &v);
    if (rc || !pg) return rc;
    json_t *a = NULL;
    rc = fn(pg, v.station, &a);
    prov_pg_close(pg);
    if (rc) return http_error(req, 503, "unavailable", "the province catalog failed");
    if (!strcmp(key, "owners")) {
        size_t i;
        json_t *o;
        json_array_foreach(a, i, o) owner_fields(o, &v);
    }
    return http_respond_json(req, 200, json_pack("{s:o}", key, a));
}

static int h_stations(struct http_req *req, void *ud)
{
    return list(req, ud, "stations", prov_pg_read_stations);
}
static int h_cameras(struct http_req *req, void *ud)
{
    return list(req, ud, "cameras", prov_pg_read_cameras);
}
static int h_alerts(struct http_req *req, void *ud)
{
    return list(req, ud, "alerts", prov_pg_read_alerts);
}
static int h_owners(struct http_req *req, void *ud)
{
    return list(req, ud, "owners", prov_pg_read_owners);
}

/* YYYY-MM-DD with a plausible month and day (PostgreSQL checks the rest). */
static bool date_ok(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* Adds row's figures to the entry of key in sums (made on first sight). */
static void add_to(json_t *sums, const char *key, json_t *row, bool ward)
{
    json_t *e = json_object_get(sums, key);
    if (!e) {
        e = ward ? json_pack("{s:O, s:O, s:O, s:I, s:I}", "station", json_object_get(row, "station"),
                             "ward", json_object_get(row, "ward"), "ward_name",
                             json_object_get(row, "ward_name") ? json_object_get(row, "ward_name")
                                                               : json_null(),
                             "cases", (json_int_t)0, "year_ago", (json_int_t)0)
                 : json_pack("{s:I, s:I}", "cases", (json_int_t)0, "year_ago", (json_int_t)0);
        json_object_set_new(sums, key, e);
    }
    for (int k = 0; k < 2; k++) {
        const char *f = k ? "year_ago" : "cases";
        json_int_t n = json_integer_value(json_object_get(e, f)) +
                       json_integer_value(json_object_get(row, f));
        json_object_set_new(e, f, json_integer(n));
    }
}

static int h_stats(struct http_req *req, void *ud)
{
    const char *from = http_req_query(req, "from"), *to = http_req_query(req, "to");
    if (!date_ok(from)) return http_fail_field(req, WW_EINVAL, "required", "from", "from=YYYY-MM-DD");
    if (!date_ok(to)) return http_fail_field(req, WW_EINVAL, "required", "to", "to=YYYY-MM-DD");
    if (strcmp(from, to) >= 0)
        return http_fail_field(req, WW_EINVAL, "range", "to", "to must be after from");
    prov_pg *pg;
    struct prov_view v;
    int rc = begin(req, ud, &pg, &v);
    if (rc || !pg) return rc;
    json_t *rows = NULL;
    rc = prov_pg_stats_rows(pg, from, to, v.station, &rows);
    prov_pg_close(pg);
    if (rc) return http_error(req, 503, "unavailable", "the province catalog failed");
    /* per ward (station, ward) and the total, summed from the same rows */
    json_t *wards = json_object(), *total = json_object(), *row;
    size_t i;
    json_array_foreach(rows, i, row) {
        char *k = http_req_printf(req, "%s/%s", json_string_value(json_object_get(row, "station")),
                                  json_string_value(json_object_get(row, "ward")));
        add_to(wards, k, row, true);
        add_to(total, "total", row, false);
    }
    json_t *wl = json_array(), *w;
    const char *key;
    json_object_foreach(wards, key, w) json_array_append(wl, w);
    json_decref(wards);
    json_t *t = json_object_get(total, "total");
    t = t ? json_incref(t) : json_pack("{s:I, s:I}", "cases", (json_int_t)0, "year_ago", (json_int_t)0);
    json_decref(total);
    return http_respond_json(req, 200,
                             json_pack("{s:s, s:s, s:s?, s:o, s:o, s:o}", "from", from, "to", to,
                                       "station", v.station, "rows", rows, "wards", wl, "total", t));
}

static int h_map(struct http_req *req, void *ud)
{
    return list(req, ud, "cameras", prov_pg_read_map);
}

/* Who may write a review: province-admin and province-staff.  A ward-officer
 * reads its own ward's row; reviewing it would be the ward judging itself.
 * The one rule for the POST route and the matrix's can_review. */
static bool may_review(const struct http_user *u)
{
    return u->role == CATALOG_ROLE_ADMIN || u->role == CATALOG_ROLE_PROVINCE;
}

static int h_criteria(struct http_req *req, void *ud)
{
    int64_t year;
    int rc = http_req_query_i64(req, "year", 2000, 2100, -1, &year);
    if (rc) return rc;
    if (year < 0) return http_fail_field(req, WW_EINVAL, "required", "year", "year=YYYY");
    prov_pg *pg;
    struct prov_view v;
    rc = begin(req, ud, &pg, &v);
    if (rc || !pg) return rc;
    json_t *m = NULL;
    rc = prov_pg_read_criteria(pg, v.station, (int)year, &m);
    prov_pg_close(pg);
    if (rc) return http_error(req, 503, "unavailable", "the province catalog failed");
    /* the console shows the review form only to those the POST route takes */
    json_object_set_new(m, "can_review", json_boolean(may_review(http_req_user(req))));
    return http_respond_json(req, 200, m);
}

/* "START_US:STATION:ID", the `next` of the previous page. */
static bool parse_before(struct http_req *req, const char *s, struct prov_event_query *q)
{
    const char *a = strchr(s, ':'), *b = a ? strchr(a + 1, ':') : NULL;
    if (!a || !b || a == s || b == a + 1 || !b[1]) return false;
    char *end;
    long long us = strtoll(s, &end, 10);
    if (end != a || us < 0) return false;
    char *st = http_req_printf(req, "%.*s", (int)(b - a - 1), a + 1);
    if (!prov_station_id_ok(st) || strlen(b + 1) > PROV_ID_MAX) return false;
    q->before_us = us;
    q->before_station = st;
    q->before_id = b + 1;
    return true;
}

/* A station's camera id: digits only (it is compared as the station sent it). */
static bool camera_ok(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 20) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static int h_events(struct http_req *req, void *ud)
{
    struct prov_event_query q = {.camera = http_req_query(req, "camera")};
    const char *kind = http_req_query(req, "kind"), *before = http_req_query(req, "before");
    int64_t lim;
    int rc = http_req_query_time(req, "from", 0, &q.from_us);
    if (!rc) rc = http_req_query_time(req, "to", INT64_MAX / 2, &q.to_us);
    if (!rc) rc = http_req_query_i64(req, "limit", 1, 500, 50, &lim);
    if (rc) return rc;
    /* motion events are the only kind a station replicates (docs/province.md) */
    if (kind && strcmp(kind, "motion"))
        return http_fail_field(req, WW_EINVAL, "invalid", "kind", "kind: only motion events reach the province");
    if (q.camera && !camera_ok(q.camera)) return http_fail_field(req, WW_EINVAL, "invalid", "camera", "camera=ID");
    if (before && !parse_before(req, before, &q))
        return http_fail_field(req, WW_EINVAL, "invalid", "before", "before: the `next` of the previous page");
    if (q.to_us <= q.from_us) return http_fail_field(req, WW_EINVAL, "range", "to", "to must be after from");
    prov_pg *pg;
    struct prov_view v;
    rc = begin(req, ud, &pg, &v);
    if (rc || !pg) return rc;
    q.station = v.station;
    q.limit = (int)lim + 1; /* one more: `next` is null exactly on the last page */
    json_t *a = NULL;
    rc = prov_pg_read_events(pg, &q, &a);
    prov_pg_close(pg);
    if (rc) return http_error(req, 503, "unavailable", "the province catalog failed");
    json_t *next = json_null();
    if (json_array_size(a) > (size_t)lim) {
        json_array_remove(a, (size_t)lim);
        json_t *last = json_array_get(a, (size_t)lim - 1);
        next = json_sprintf("%" JSON_INTEGER_FORMAT ":%s:%s", json_integer_value(json_object_get(last, "start_us")),
                            json_string_value(json_object_get(last, "station")),
                            json_string_value(json_object_get(last, "id")));
    }
    return http_respond_json(req, 200, json_pack("{s:o, s:o}", "events", a, "next", next ? next : json_null()));
}

/* ---- POST /api/v1/province/reviews?station=ST ----
 * {"ward_id", "year", "results": [{"criterion", "result"}], "notes"?,
 *  "assessed_on"?}: one signed ctl/review message per criterion, through
 * review.c — the same code as `hub review`.  Each is audited at the hub
 * (hub-http.db) before it is published; the station applies it and the
 * assessment comes back through the outbox (202: sent, not yet applied). */

enum { REVIEW_MAX = 200, REVIEW_ANSWERED = 1 /* review_send has sent the answer itself */ };

/* prov_review_publish calls mosquitto_lib_init/cleanup around each message,
 * and libmosquitto counts those in a plain unsigned int: two handler
 * threads reviewing at once would race on it.  Reviews are rare; one at a
 * time costs nothing. */
static pthread_mutex_t review_lock = PTHREAD_MUTEX_INITIALIZER;

struct review_in {
    int64_t ward, year;
    const char *notes, *on;
    size_t n;
    int crit[REVIEW_MAX];
    const char *result[REVIEW_MAX];
};

static int review_parse(struct http_req *req, struct review_in *in)
{
    static const char *const allowed[] = {"ward_id", "year", "results", "notes", "assessed_on", NULL};
    json_t *b;
    int rc = http_req_json(req, allowed, &b);
    if (rc) return rc;
    if ((rc = http_json_i64(req, b, "ward_id", true, 1, INT64_MAX, &in->ward)) < 0) return rc;
    if ((rc = http_json_i64(req, b, "year", true, 2000, 2100, &in->year)) < 0) return rc;
    if ((rc = http_json_str_or_null(req, b, "notes", 4000, &in->notes)) < 0) return rc;
    if ((rc = http_json_str_or_null(req, b, "assessed_on", 10, &in->on)) < 0) return rc;
    /* the station would read "03/12/2026" too, but the API says one form */
    if (in->on && !date_ok(in->on))
        return http_fail_field(req, WW_EINVAL, "invalid", "assessed_on", "assessed_on: YYYY-MM-DD");
    json_t *rs = json_object_get(b, "results"), *r;
    if (!json_is_array(rs) || !json_array_size(rs) || json_array_size(rs) > REVIEW_MAX)
        return http_fail_field(req, WW_EINVAL, "invalid", "results", "results: 1..200 of {criterion, result}");
    size_t i;
    json_array_foreach(rs, i, r) {
        json_t *c = json_object_get(r, "criterion");
        const char *res = json_string_value(json_object_get(r, "result"));
        if (!json_is_integer(c) || json_integer_value(c) < 1 || json_integer_value(c) > 1000)
            return http_fail_field(req, WW_EINVAL, "invalid", "results", "results[%zu].criterion: 1..1000", i);
        if (!res || (strcmp(res, "met") && strcmp(res, "not_met") && strcmp(res, "in_progress")))
            return http_fail_field(req, WW_EINVAL, "invalid", "results",
                                   "results[%zu].result: met, not_met or in_progress", i);
        for (size_t k = 0; k < i; k++)
            if (in->crit[k] == (int)json_integer_value(c))
                return http_fail_field(req, WW_EINVAL, "duplicate", "results",
                                       "criterion %d is named twice", in->crit[k]);
        in->crit[i] = (int)json_integer_value(c);
        in->result[i] = res;
    }
    in->n = json_array_size(rs);
    return 0;
}

/* Signs, audits and publishes each criterion's review; *sent lists them.
 * 0, a failure to answer with, or REVIEW_ANSWERED (the broker refused one:
 * the 503 naming those that went out is already the answer). */
static int review_send(struct http_req *req, const struct prov_http *h, const char *station,
                       const struct review_in *in, json_t *sent)
{
    const struct http_user *u = http_req_user(req);
    const char *by = u->display_name && *u->display_name ? u->display_name : u->username;
    for (size_t i = 0; i < in->n; i++) {
        struct prov_review rv = {.station = station, .ward_id = in->ward, .year = (int)in->year,
                                 .criterion = in->crit[i], .result = in->result[i], .notes = in->notes,
                                 .reviewer = by, .assessed_on = in->on};
        char *payload = NULL, id[33];
        int rc = prov_review_build(&rv, h->hub_dir, &payload, id);
        if (rc == WW_EINVAL)
            return http_fail_field(req, WW_EINVAL, "invalid", "assessed_on",
                                   "not a review a station would take (assessed_on YYYY-MM-DD)");
        if (rc) return http_error(req, 503, "unavailable", "the hub has no key to sign reviews with");
        rc = http_audit(req, "province_review", 0, 0, 0,
                        json_pack("{s:s, s:s, s:I, s:I, s:i, s:s}", "review_id", id, "station", station,
                                  "ward_id", (json_int_t)in->ward, "year", (json_int_t)in->year,
                                  "criterion", in->crit[i], "result", in->result[i]));
        if (rc) {
            free(payload);
            return http_error(req, 500, "audit_failed", "the review could not be audited; nothing more was sent");
        }
        rc = h->mqtt_url ? prov_review_publish(h->mqtt_url, station, payload, 10000) : -ETIMEDOUT;
        free(payload);
        if (rc) {
            ww_log(WW_LOG_ERROR, "province", "review %s for %s: the broker did not take it", id, station);
            rc = http_respond_json(req, 503,
                                   json_pack("{s:{s:s, s:s}, s:O}", "error", "code", "unavailable", "message",
                                             "the broker did not take the review; those in `sent` went out",
                                             "sent", sent));
            return rc ? rc : REVIEW_ANSWERED;
        }
        json_array_append_new(sent, json_pack("{s:i, s:s, s:s}", "criterion", in->crit[i], "result",
                                              in->result[i], "review_id", id));
    }
    return 0;
}

static int h_review(struct http_req *req, void *ud)
{
    const struct prov_http *h = ud;
    const char *station = http_req_query(req, "station");
    if (!station) return http_fail_field(req, WW_EINVAL, "required", "station", "station=ID (the ward's station)");
    prov_pg *pg;
    struct prov_view v;
    int rc = begin(req, h, &pg, &v);
    if (rc || !pg) return rc;
    if (!may_review(http_req_user(req))) {
        prov_pg_close(pg);
        return http_fail(req, WW_EPERM, "only province staff review a ward's criteria");
    }
    struct review_in *in = http_req_alloc(req, sizeof *in);
    rc = review_parse(req, in);
    bool known = false;
    if (!rc && prov_pg_ward_known(pg, station, in->ward, &known)) rc = WW_EDB;
    prov_pg_close(pg);
    if (rc) return rc;
    if (!known) return http_fail(req, WW_ENOTFOUND, "no such ward at this station");
    json_t *sent = json_array();
    pthread_mutex_lock(&review_lock);
    rc = review_send(req, h, station, in, sent);
    pthread_mutex_unlock(&review_lock);
    if (rc) {
        json_decref(sent);
        return rc == REVIEW_ANSWERED ? 0 : rc;
    }
    return http_respond_json(req, 202,
                             json_pack("{s:s, s:I, s:I, s:o}", "station", station, "ward_id", (json_int_t)in->ward,
                                       "year", (json_int_t)in->year, "sent", sent));
}

/* The hub's "/" is the province console: the station console's files in
 * web/ would only call station routes the hub does not have. */
static int h_home(struct http_req *req, void *ud)
{
    (void)ud;
    static const char body[] = "/province/index.html\n";
    int rc = http_resp_header(req, "Location", "/province/index.html");
    return rc ? rc : http_respond_data(req, 302, "text/plain; charset=utf-8", body, sizeof body - 1);
}

int prov_web_register(struct http_server *srv, const struct prov_http *h)
{
    int rc = http_route(srv, "GET", "/", h_home, NULL, HTTP_PUBLIC);
    if (!rc) rc = http_route(srv, "GET", "/province", h_home, NULL, HTTP_PUBLIC);
    if (rc) return rc;
    static const struct { const char *path; http_handler_fn fn; } routes[] = {
        {"/api/v1/province/stations", h_stations}, {"/api/v1/province/cameras", h_cameras},
        {"/api/v1/province/alerts", h_alerts},     {"/api/v1/province/stats", h_stats},
        {"/api/v1/province/owners", h_owners},     {"/api/v1/province/criteria", h_criteria},
        {"/api/v1/province/events", h_events},     {"/api/v1/province/map", h_map},
    };
    for (size_t i = 0; !rc && i < sizeof routes / sizeof routes[0]; i++)
        rc = http_route(srv, "GET", routes[i].path, routes[i].fn, (void *)h, 0);
    if (!rc) rc = http_route(srv, "POST", "/api/v1/province/reviews", h_review, (void *)h, 0);
    return rc;
}
