/*
 * stats.c — /api/v1/stats: security-and-order statistics of a ward or the
 * whole province for a period, beside the same period a year before.
 *
 *   GET /api/v1/stats             JSON: {stats, trend, wards}
 *   GET /api/v1/stats.csv         the category table as CSV
 *   GET /api/v1/stats/report.pdf  the printable report (cairo + pango)
 *
 * Query: ward_id (absent: the whole province for admin/province staff, the
 * caller's own ward for an officer); the period as period=2024-Q2 | 2024-05
 * | 2024 | 2024-01-01..2024-03-15, or from=YYYY-MM-DD&to=YYYY-MM-DD (to
 * exclusive), default the current quarter; months (trend length, default
 * 12); lang=vi|en (texts).  Periods are in the station's local time.
 * A period that has not ended is counted to today, day for day against the
 * same days a year before, and labelled so (decision 007; ward_period_cut):
 * stats.period.partial / through / through_label / full_label, and each
 * trend month's partial / days.
 *
 * Permissions: READ on the ward (admin, province, the ward's officer);
 * viewer and owner are refused by the route gate.  Only read.
 */
#include "api/api.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ward/ward.h"

/* Scope and period from the query. */
static int read_query(struct http_req *req, int64_t *ward_id, struct ward_period *p, const char **lang)
{
    int rc;
    if ((rc = http_req_query_i64(req, "ward_id", 1, INT64_MAX, 0, ward_id))) return rc;
    const char *l = http_req_query(req, "lang");
    *lang = l && !strcmp(l, "en") ? "en" : "vi";
    const char *ps = http_req_query(req, "period");
    const char *from = http_req_query(req, "from"), *to = http_req_query(req, "to");
    if (ps && *ps) {
        if (ward_period_parse(ps, p))
            return http_fail(req, WW_EINVAL, "period: 2024-05, 2024-Q2, 2024 or 2024-01-01..2024-03-15");
    } else if ((from && *from) || (to && *to)) {
        struct ward_date f, t;
        if (!from || !to || ward_date_parse(from, &f) || ward_date_parse(to, &t) || ward_period_custom(f, t, p))
            return http_fail(req, WW_EINVAL, "from and to: dates (YYYY-MM-DD or DD/MM/YYYY), to after from");
    } else {
        struct ward_date today = ward_date_of_us(ww_wall_us(), ww_station_offset_min());
        ward_period_quarter(today.y, (today.m - 1) / 3 + 1, p);
    }
    if (*ward_id) return http_authz_ward(req, *ward_id, AUTHZ_WARD_READ);
    rc = api_read_ward(req, ward_id);
    return rc == 1 ? http_fail(req, WW_EPERM, "your role may not read statistics") : rc;
}

static json_t *trend_json(const struct ward_trend_point *t, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:i,s:i,s:I,s:I,s:I,s:I,s:b,s:i,s:i}", "year", t[i].y, "month", t[i].m,
                                           "cases", (json_int_t)t[i].cases, "solved", (json_int_t)t[i].solved,
                                           "prev_cases", (json_int_t)t[i].prev_cases, "prev_solved",
                                           (json_int_t)t[i].prev_solved, "partial", t[i].partial, "days", t[i].days,
                                           "month_days", t[i].month_days));
    return a;
}

static json_t *wards_json(const struct ward_compare_row *v, size_t n, bool has_prev, const char *lang)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        struct ward_change c = ward_change_of((double)v[i].cur.cases, (double)v[i].prev.cases, has_prev);
        char *d = ward_fmt_diff(c, lang), *p = ward_fmt_pct_change(c, lang);
        char *share = ward_fmt_share(v[i].cur.solvable_solved, v[i].cur.solvable_cases, lang);
        int pct = 0;
        bool ok = ward_share_pct(v[i].cur.solvable_solved, v[i].cur.solvable_cases, &pct);
        json_array_append_new(a, json_pack("{s:I,s:s,s:I,s:o,s:o,s:o,s:s,s:s,s:I,s:I,s:o,s:s,s:I,s:I}",
                                           "ward_id", (json_int_t)v[i].ward_id, "ward", v[i].ward_name,
                                           "cases", (json_int_t)v[i].cur.cases,
                                           "prev_cases", has_prev ? json_integer(v[i].prev.cases) : json_null(),
                                           "diff", c.defined ? json_real(c.diff) : json_null(),
                                           "pct", c.pct_defined ? json_real(round(c.pct * 10) / 10) : json_null(),
                                           "diff_text", d, "pct_text", p,
                                           "solvable_cases", (json_int_t)v[i].cur.solvable_cases,
                                           "solvable_solved", (json_int_t)v[i].cur.solvable_solved,
                                           "share_pct", ok ? json_integer(pct) : json_null(), "share_text", share,
                                           "deaths", (json_int_t)v[i].cur.deaths, "injuries", (json_int_t)v[i].cur.injuries));
        free(d);
        free(p);
        free(share);
    }
    return a;
}

/* The three answers' common start: scope and period from the query, and
 * the figures counted for them (ward_stats_clear them). */
struct counted {
    catalog_t *cat;
    int64_t ward_id;
    struct ward_period p;
    const char *lang;
    int off;
    struct ward_stats s;
};

static int count(struct http_req *req, struct counted *c)
{
    int rc = read_query(req, &c->ward_id, &c->p, &c->lang);
    if (rc) return rc;
    if (!(c->cat = http_req_catalog(req))) return WW_EDB;
    c->off = ww_station_offset_min();
    return ward_stats_compute(c->cat, c->ward_id, &c->p, c->off, &c->s);
}

static int h_stats(struct http_req *req, void *ud)
{
    (void)ud;
    struct counted c;
    int rc = count(req, &c);
    if (rc) return rc;
    int64_t months;
    if ((rc = http_req_query_i64(req, "months", 1, 60, 12, &months))) {
        ward_stats_clear(&c.s);
        return rc;
    }
    json_t *o = json_pack("{s:o}", "stats", ward_stats_json(&c.s, c.lang));
    struct ward_trend_point *t;
    size_t nt;
    if ((rc = ward_stats_trend(c.cat, c.ward_id, &c.p, (int)months, c.off, c.s.today, &t, &nt)) == 0) {
        json_object_set_new(o, "trend", trend_json(t, nt));
        free(t);
    }
    if (!rc && !c.ward_id) {
        struct ward_compare_row *v;
        size_t n;
        bool has_prev;
        if ((rc = ward_stats_by_ward(c.cat, &c.p, c.off, c.s.today, &v, &n, &has_prev)) == 0) {
            json_object_set_new(o, "wards", wards_json(v, n, has_prev, c.lang));
            ward_compare_list_free(v, n);
        }
    }
    ward_stats_clear(&c.s);
    if (rc) { json_decref(o); return rc; }
    return http_respond_json(req, 200, o);
}

/* The CSV or PDF in b, named after the scope and period. */
static int respond_file(struct http_req *req, const struct ward_stats *s, bool attachment, const char *ext,
                        const char *type, const struct ww_buf *b)
{
    char *pt = ward_period_text(&s->period);
    if (s->ward_id) http_resp_filename(req, attachment, "thong-ke-phuong-%lld-%s.%s", (long long)s->ward_id, pt, ext);
    else http_resp_filename(req, attachment, "thong-ke-toan-tinh-%s.%s", pt, ext);
    free(pt);
    return http_respond_data(req, 200, type, b->data, b->len);
}

/* GET stats.csv and stats/report.pdf: the same figures as a file to save
 * (the table) or to show (the printable report). */
static int respond_stats_file(struct http_req *req, bool pdf)
{
    struct counted c;
    int rc = count(req, &c);
    if (rc) return rc;
    struct ww_buf b = {0};
    if (pdf) rc = ward_stats_pdf(c.cat, &c.s, c.off, ww_wall_us(), &b);
    else ward_stats_csv(&c.s, c.lang, &b);
    if (!rc)
        rc = respond_file(req, &c.s, !pdf, pdf ? "pdf" : "csv", pdf ? "application/pdf" : "text/csv; charset=utf-8",
                          &b);
    ww_buf_free(&b);
    ward_stats_clear(&c.s);
    return rc;
}

static int h_csv(struct http_req *req, void *ud) { (void)ud; return respond_stats_file(req, false); }

static int h_pdf(struct http_req *req, void *ud) { (void)ud; return respond_stats_file(req, true); }

int api_stats_register(struct http_server *srv, const struct api_ctx *ctx)
{
    void *ud = (void *)ctx;
    int rc = http_route(srv, "GET", "/api/v1/stats", h_stats, ud, HTTP_ROLES_STAFF);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/stats.csv", h_csv, ud, HTTP_ROLES_STAFF);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/stats/report.pdf", h_pdf, ud, HTTP_ROLES_STAFF);
    return rc;
}
