/*
 * ward_stats.c — security-and-order statistics for a ward or the whole
 * province over a period, set beside the same period a year before.
 *
 * Pure logic over catalog aggregates (catalog_incident_aggregate): at most
 * two index-range aggregate queries per table, one for the period and one
 * for its counterpart, so a quarter of a 500,000-incident province stays
 * within a few tens of milliseconds.
 *
 * The rules (what counts, solved share, "—") are written down in ward.h
 * above struct ward_figures; this file is their only implementation.  No
 * division happens without a non-zero base: ward_change_of and
 * ward_share_pct are the only places that divide.
 */
#include "ward/ward.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- changes and shares ------------------------------------------------ */

struct ward_change ward_change_of(double cur, double prev, bool has_prev)
{
    struct ward_change c = {0};
    if (!has_prev) return c;
    c.defined = true;
    c.diff = cur - prev;
    if (prev != 0) {
        c.pct_defined = true;
        c.pct = (cur - prev) / prev * 100.0;
    }
    return c;
}

bool ward_share_pct(int64_t part, int64_t whole, int *pct)
{
    if (whole <= 0) return false;
    /* whole percent, half up, in integers */
    *pct = (int)((200 * part + whole) / (2 * whole));
    return true;
}

static bool is_vi(const char *lang) { return !lang || strcmp(lang, "en") != 0; }

/* v with `decimals` digits, decimal comma for Vietnamese; sign on request. */
static char *fmt_num(double v, int decimals, bool sign, const char *lang)
{
    char b[64];
    double r = round(v * pow(10, decimals)) / pow(10, decimals);
    if (r == 0) r = 0;  /* no "-0" */
    snprintf(b, sizeof b, sign && r > 0 ? "+%.*f" : "%.*f", decimals, r);
    if (is_vi(lang))
        for (char *p = b; *p; p++) if (*p == '.') *p = ',';
    return ww_strdup(b);
}

char *ward_fmt_diff(struct ward_change c, const char *lang)
{
    if (!c.defined) return ww_strdup("—");
    bool whole = c.diff == floor(c.diff);
    return fmt_num(c.diff, whole ? 0 : 1, true, lang);
}

char *ward_fmt_pct_change(struct ward_change c, const char *lang)
{
    if (!c.pct_defined) return ww_strdup("—");
    char *n = fmt_num(c.pct, 1, true, lang);
    char *s = ww_asprintf("%s %%", n);
    free(n);
    return s;
}

char *ward_fmt_share(int64_t part, int64_t whole, const char *lang)
{
    int pct;
    bool ok = ward_share_pct(part, whole, &pct);
    char p[16];
    if (ok) snprintf(p, sizeof p, "%d %%", pct);
    else snprintf(p, sizeof p, "—");
    if (is_vi(lang)) return ww_asprintf("khám phá %lld/%lld vụ, đạt %s", (long long)part, (long long)whole, p);
    return ww_asprintf("solved %lld of %lld, %s", (long long)part, (long long)whole, p);
}

/* ---- computing ---------------------------------------------------------- */

/* The figures a ward_figures sums, the same names in catalog_incident_agg:
 * one list, so adding a figure is one word here. */
#define WARD_FIGS(X) \
    X(cases) X(solved) X(solvable_cases) X(solvable_solved) X(suspects) X(deaths) X(injuries) X(damage_vnd) X(drug_grams)
#define ADD_FIG(k) t->k += a->k;

static void add_figs(struct ward_figures *t, const struct catalog_incident_agg *a) { WARD_FIGS(ADD_FIG) }

static void sum_figs(struct ward_figures *t, const struct ward_figures *a) { WARD_FIGS(ADD_FIG) }

/* Whether the year-before period [.., prev_to) has a counterpart: some of
 * it lies at or after the register's first incident. */
static int counterpart_exists(catalog_t *cat, int64_t prev_to_us, bool *has)
{
    int64_t first;
    int rc = catalog_incident_first_time(cat, &first);
    if (rc) return rc;
    *has = first != 0 && prev_to_us > first;
    return 0;
}

/* Scope name ("Trường Thi" or "Toàn tỉnh Nghệ An") and the province. */
static void scope_names(catalog_t *cat, int64_t ward_id, char **name, char **province)
{
    struct catalog_ward *v;
    size_t n;
    char *prov = NULL, *wname = NULL;
    bool same = true;
    *name = *province = NULL;
    if (catalog_ward_list(cat, &v, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            if (ward_id && v[i].id != ward_id) continue;
            if (ward_id) wname = ww_strdup(v[i].name);
            if (!v[i].province) { same = false; continue; }
            if (!prov) prov = ww_strdup(v[i].province);
            else if (strcmp(prov, v[i].province)) same = false;
        }
        catalog_ward_list_free(v, n);
    }
    if (!same) { free(prov); prov = NULL; }
    if (ward_id) *name = wname ? wname : ww_asprintf("#%lld", (long long)ward_id);
    else *name = prov ? ww_asprintf("Toàn tỉnh %s", prov) : ww_strdup("Toàn tỉnh");
    *province = prov;
}

void ward_stats_clear(struct ward_stats *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_rows; i++) catalog_incident_category_clear(&s->rows[i].cat);
    free(s->rows);
    free(s->scope_name);
    free(s->province);
    memset(s, 0, sizeof *s);
}

/* The counted bounds of p on `today`, in UTC µs, and whether the
 * counterpart exists (a period not begun has none: nothing to compare). */
static int counted_bounds(catalog_t *cat, const struct ward_period *p, struct ward_date today, int offset_min,
                          struct ward_cut *c, int64_t b[4], bool *has_prev)
{
    ward_period_cut(p, today, c);
    b[0] = ward_date_start_us(c->from, offset_min);
    b[1] = ward_date_start_us(c->to, offset_min);
    b[2] = ward_date_start_us(c->prev_from, offset_min);
    b[3] = ward_date_start_us(c->prev_to, offset_min);
    *has_prev = false;
    return c->not_begun ? 0 : counterpart_exists(cat, b[3], has_prev);
}

int ward_stats_compute(catalog_t *cat, int64_t ward_id, const struct ward_period *p,
                       int offset_min, struct ward_stats *out)
{
    return ward_stats_compute_on(cat, ward_id, p, offset_min, ward_today(offset_min), out);
}

int ward_stats_compute_on(catalog_t *cat, int64_t ward_id, const struct ward_period *p,
                          int offset_min, struct ward_date today, struct ward_stats *out)
{
    memset(out, 0, sizeof *out);
    out->ward_id = ward_id;
    out->period = *p;
    out->today = today;
    ward_period_year_before(p, &out->prev_period);
    int64_t b[4];
    int rc = counted_bounds(cat, p, today, offset_min, &out->cut, b, &out->has_prev);
    if (rc) return rc;
    out->from_us = b[0];
    out->to_us = b[1];
    out->prev_from_us = b[2];
    out->prev_to_us = b[3];

    struct catalog_incident_category *cats = NULL;
    size_t ncats = 0;
    struct catalog_incident_agg *cur = NULL, *prev = NULL;
    size_t ncur = 0, nprev = 0;
    if ((rc = catalog_incident_category_list(cat, &cats, &ncats)) ||
        (rc = catalog_incident_aggregate(cat, ward_id, out->from_us, out->to_us, CATALOG_AGG_CATEGORY,
                                         offset_min, &cur, &ncur)) ||
        (out->has_prev &&
         (rc = catalog_incident_aggregate(cat, ward_id, out->prev_from_us, out->prev_to_us,
                                          CATALOG_AGG_CATEGORY, offset_min, &prev, &nprev))))
        goto out;
    out->rows = ww_calloc(ncats ? ncats : 1, sizeof *out->rows);
    for (size_t i = 0; i < ncats; i++) {
        struct ward_stats_row row = {0};
        for (size_t k = 0; k < ncur; k++) if (cur[k].key == cats[i].id) add_figs(&row.cur, &cur[k]);
        for (size_t k = 0; k < nprev; k++) if (prev[k].key == cats[i].id) add_figs(&row.prev, &prev[k]);
        if (!cats[i].active && row.cur.cases == 0 && row.prev.cases == 0) {
            catalog_incident_category_clear(&cats[i]);
            continue;
        }
        row.cat = cats[i];
        memset(&cats[i], 0, sizeof cats[i]);
        sum_figs(&out->cur, &row.cur);
        sum_figs(&out->prev, &row.prev);
        out->rows[out->n_rows++] = row;
    }
    scope_names(cat, ward_id, &out->scope_name, &out->province);
out:
    catalog_incident_category_list_free(cats, ncats);
    free(cur);
    free(prev);
    if (rc) ward_stats_clear(out);
    return rc;
}

char *ward_stats_period_label(const struct ward_stats *s, bool prev, const char *lang)
{
    bool en = lang && !strcmp(lang, "en");
    char *name = ward_period_label(prev ? &s->prev_period : &s->period, lang);
    char *r;
    if (s->cut.partial) {
        char *t = ward_through_label(prev ? s->cut.prev_through : s->cut.through, lang);
        r = ww_asprintf("%s, %s", name, t);
        free(t);
    } else if (s->cut.not_begun) {
        r = ww_asprintf("%s, %s", name, en ? "not begun yet" : "chưa bắt đầu");
    } else {
        return name;
    }
    free(name);
    return r;
}

/* ---- JSON --------------------------------------------------------------- */

static json_t *figs_json(const struct ward_figures *f)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f}", "cases", (json_int_t)f->cases, "solved",
                     (json_int_t)f->solved, "solvable_cases", (json_int_t)f->solvable_cases,
                     "solvable_solved", (json_int_t)f->solvable_solved, "suspects",
                     (json_int_t)f->suspects, "deaths", (json_int_t)f->deaths, "injuries",
                     (json_int_t)f->injuries, "damage_vnd", (json_int_t)f->damage_vnd, "drug_grams",
                     f->drug_grams);
}

static json_t *change_json(double cur, double prev, bool has_prev, const char *lang)
{
    struct ward_change c = ward_change_of(cur, prev, has_prev);
    char *d = ward_fmt_diff(c, lang), *p = ward_fmt_pct_change(c, lang);
    json_t *o = json_pack("{s:o,s:o,s:s,s:s}", "diff", c.defined ? json_real(c.diff) : json_null(),
                          "pct", c.pct_defined ? json_real(round(c.pct * 10) / 10) : json_null(),
                          "diff_text", d, "pct_text", p);
    free(d);
    free(p);
    return o;
}

static json_t *changes_json(const struct ward_figures *c, const struct ward_figures *p, bool has_prev,
                            const char *lang)
{
    json_t *o = json_object();
    json_object_set_new(o, "cases", change_json((double)c->cases, (double)p->cases, has_prev, lang));
    json_object_set_new(o, "solved", change_json((double)c->solved, (double)p->solved, has_prev, lang));
    json_object_set_new(o, "suspects", change_json((double)c->suspects, (double)p->suspects, has_prev, lang));
    json_object_set_new(o, "deaths", change_json((double)c->deaths, (double)p->deaths, has_prev, lang));
    json_object_set_new(o, "injuries", change_json((double)c->injuries, (double)p->injuries, has_prev, lang));
    json_object_set_new(o, "damage_vnd", change_json((double)c->damage_vnd, (double)p->damage_vnd, has_prev, lang));
    json_object_set_new(o, "drug_grams", change_json(c->drug_grams, p->drug_grams, has_prev, lang));
    return o;
}

static json_t *share_json(int64_t part, int64_t whole, const char *lang)
{
    int pct;
    bool ok = ward_share_pct(part, whole, &pct);
    char *t = ward_fmt_share(part, whole, lang);
    json_t *o = json_pack("{s:I,s:I,s:o,s:s}", "solved", (json_int_t)part, "cases", (json_int_t)whole,
                          "pct", ok ? json_integer(pct) : json_null(), "text", t);
    free(t);
    return o;
}

/* The period as named (kind, text, label, from, to, last_day) and as
 * counted: partial, not_begun, through (the last day counted, ISO, or
 * null), through_label ("đến ngày 02/12/2026" or null) and full_label (the
 * label to show: ward_stats_period_label). */
static json_t *period_json(const struct ward_stats *s, bool prev, const char *lang)
{
    static const char *const kinds[] = {"month", "quarter", "year", "custom"};
    const struct ward_period *p = prev ? &s->prev_period : &s->period;
    char a[16], b[16], c[16], d[16];
    struct ward_date last = ward_date_from_days(ward_date_days(p->to) - 1);
    char *label = ward_period_label(p, lang), *text = ward_period_text(p);
    char *full = ward_stats_period_label(s, prev, lang);
    struct ward_date through = prev ? s->cut.prev_through : s->cut.through;
    char *tl = s->cut.partial ? ward_through_label(through, lang) : NULL;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:o,s:o,s:s}", "kind", kinds[p->kind], "text", text,
                          "label", label, "from", ward_date_iso(p->from, a, sizeof a), "to",
                          ward_date_iso(p->to, b, sizeof b), "last_day", ward_date_iso(last, c, sizeof c),
                          "partial", s->cut.partial, "not_begun", s->cut.not_begun, "through",
                          s->cut.partial ? json_string(ward_date_iso(through, d, sizeof d)) : json_null(),
                          "through_label", tl ? json_string(tl) : json_null(), "full_label", full);
    free(label);
    free(text);
    free(full);
    free(tl);
    return o;
}

json_t *ward_stats_json(const struct ward_stats *s, const char *lang)
{
    json_t *o = json_object();
    json_object_set_new(o, "scope", json_pack("{s:o,s:s}", "ward_id", s->ward_id ? json_integer(s->ward_id) : json_null(),
                                              "name", s->scope_name ? s->scope_name : ""));
    json_object_set_new(o, "period", period_json(s, false, lang));
    json_object_set_new(o, "prev_period", period_json(s, true, lang));
    char t[16];
    json_object_set_new(o, "today", json_string(ward_date_iso(s->today, t, sizeof t)));
    json_object_set_new(o, "has_prev", json_boolean(s->has_prev));
    json_object_set_new(o, "totals", json_pack("{s:o,s:o,s:o,s:o,s:o}", "cur", figs_json(&s->cur), "prev",
                                               s->has_prev ? figs_json(&s->prev) : json_null(), "change",
                                               changes_json(&s->cur, &s->prev, s->has_prev, lang), "share",
                                               share_json(s->cur.solvable_solved, s->cur.solvable_cases, lang),
                                               "prev_share", s->has_prev ? share_json(s->prev.solvable_solved, s->prev.solvable_cases, lang) : json_null()));
    json_t *rows = json_array();
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct ward_stats_row *r = &s->rows[i];
        json_t *cj = ward_category_json(&r->cat);
        json_object_set_new(cj, "cur", figs_json(&r->cur));
        json_object_set_new(cj, "prev", s->has_prev ? figs_json(&r->prev) : json_null());
        json_object_set_new(cj, "change", changes_json(&r->cur, &r->prev, s->has_prev, lang));
        json_object_set_new(cj, "share", share_json(r->cur.solved, r->cur.cases, lang));
        json_array_append_new(rows, cj);
    }
    json_object_set_new(o, "categories", rows);
    return o;
}

/* ---- trend --------------------------------------------------------------- */

/* How many days of month (y, m) have happened on `today`: all of them
 * before today's month, today's day in it, 0 after it. */
static int days_counted(int y, int m, struct ward_date today, int month_days)
{
    if (y < today.y || (y == today.y && m < today.m)) return month_days;
    if (y == today.y && m == today.m) return today.d;
    return 0;
}

int ward_stats_trend(catalog_t *cat, int64_t ward_id, const struct ward_period *p, int months,
                     int offset_min, struct ward_date today, struct ward_trend_point **out, size_t *n)
{
    *out = NULL; *n = 0;
    if (months < 1 || months > 120) return WW_EINVAL;
    struct ward_date last = ward_date_from_days(ward_date_days(p->to) - 1);
    int y0 = last.y, m0 = last.m - (months - 1);
    while (m0 < 1) { m0 += 12; y0--; }
    struct ward_trend_point *v = ww_calloc((size_t)months, sizeof *v);
    for (int i = 0; i < months; i++) {
        int m = m0 + i, y = y0;
        while (m > 12) { m -= 12; y++; }
        v[i].y = y;
        v[i].m = m;
        struct ward_date next = m == 12 ? (struct ward_date){y + 1, 1, 1} : (struct ward_date){y, m + 1, 1};
        v[i].month_days = (int)(ward_date_days(next) - ward_date_days((struct ward_date){y, m, 1}));
        v[i].days = days_counted(y, m, today, v[i].month_days);
        v[i].partial = v[i].days < v[i].month_days || (y == today.y && m == today.m);
    }
    struct ward_date first = {y0, m0, 1};
    struct ward_date end = last.m == 12 ? (struct ward_date){last.y + 1, 1, 1} : (struct ward_date){last.y, last.m + 1, 1};
    for (int pass = 0; pass < 2; pass++) {
        struct ward_date a = first, b = end;
        if (pass) { a.y--; b.y--; }
        struct catalog_incident_agg *ag;
        size_t na;
        int rc = catalog_incident_aggregate(cat, ward_id, ward_date_start_us(a, offset_min),
                                            ward_date_start_us(b, offset_min), CATALOG_AGG_LOCAL_DAY,
                                            offset_min, &ag, &na);
        if (rc) { free(v); return rc; }
        for (size_t k = 0; k < na; k++) {
            struct ward_date d = ward_date_from_days(ag[k].key);
            int idx = (d.y - (pass ? a.y : first.y)) * 12 + d.m - m0;
            if (idx < 0 || idx >= months) continue;
            /* day for day: a partial month counts its first `days` days and
             * its year before the same days — so 28/02 as the last day
             * leaves out a leap year's 29/02, and 29/02 takes the year
             * before's whole February (ward_period_cut's rule) */
            int limit = v[idx].partial ? v[idx].days : 31;
            if (d.d > limit) continue;
            if (pass) { v[idx].prev_cases += ag[k].cases; v[idx].prev_solved += ag[k].solved; }
            else { v[idx].cases += ag[k].cases; v[idx].solved += ag[k].solved; }
        }
        free(ag);
    }
    *out = v;
    *n = (size_t)months;
    return 0;
}

/* ---- per ward ------------------------------------------------------------ */

void ward_compare_list_free(struct ward_compare_row *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) free(v[i].ward_name);
    free(v);
}

int ward_stats_by_ward(catalog_t *cat, const struct ward_period *p, int offset_min,
                       struct ward_date today, struct ward_compare_row **out, size_t *n,
                       bool *has_prev)
{
    *out = NULL; *n = 0;
    struct ward_cut cut;
    int64_t b[4];
    int rc = counted_bounds(cat, p, today, offset_min, &cut, b, has_prev);
    if (rc) return rc;
    int64_t f = b[0], t = b[1], pf = b[2], pt = b[3];
    struct catalog_ward *wards = NULL;
    size_t nw = 0;
    struct catalog_incident_agg *cur = NULL, *prev = NULL;
    size_t ncur = 0, nprev = 0;
    if ((rc = catalog_ward_list(cat, &wards, &nw)) ||
        (rc = catalog_incident_aggregate(cat, 0, f, t, CATALOG_AGG_WARD, offset_min, &cur, &ncur)) ||
        (*has_prev && (rc = catalog_incident_aggregate(cat, 0, pf, pt, CATALOG_AGG_WARD, offset_min, &prev, &nprev))))
        goto out;
    struct ward_compare_row *v = ww_calloc(nw ? nw : 1, sizeof *v);
    for (size_t i = 0; i < nw; i++) {
        v[i].ward_id = wards[i].id;
        v[i].ward_name = wards[i].name;
        wards[i].name = NULL;
        for (size_t k = 0; k < ncur; k++) if (cur[k].key == wards[i].id) add_figs(&v[i].cur, &cur[k]);
        for (size_t k = 0; k < nprev; k++) if (prev[k].key == wards[i].id) add_figs(&v[i].prev, &prev[k]);
    }
    *out = v;
    *n = nw;
out:
    catalog_ward_list_free(wards, nw);
    free(cur);
    free(prev);
    return rc;
}
