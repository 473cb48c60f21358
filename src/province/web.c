/*
 * province/web.c — the hub's read API for province users:
 *   GET /api/v1/province/stations   health of every visible station
 *   GET /api/v1/province/cameras    replicated cameras, dark first (?station=)
 *   GET /api/v1/province/alerts     open alerts, newest first (?station=)
 *   GET /api/v1/province/stats      ?from=YYYY-MM-DD&to=YYYY-MM-DD[&station=]
 *   GET /api/v1/province/owners     owners (?station=)
 *   GET / and /province             302 to the console, /province/index.html
 * Users and sessions are the http server's own (hub-http.db); the data is
 * PostgreSQL, read through pgstore.c.  Who sees what is decided in one
 * place, prov_web_decide, which every handler calls through view() before
 * it reads anything.  Each request opens its own PostgreSQL connection, as
 * enrol.c does (a shared one would need a lock across handler threads).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
        {"/api/v1/province/owners", h_owners},
    };
    for (size_t i = 0; !rc && i < sizeof routes / sizeof routes[0]; i++)
        rc = http_route(srv, "GET", routes[i].path, routes[i].fn, (void *)h, 0);
    return rc;
}
