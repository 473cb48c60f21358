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

static void add_figs(struct ward_figures *f, const struct cat_incident_agg *a)
{
    f->cases += a->cases;
    f->solved += a->solved;
    f->solvable_cases += a->solvable_cases;
    f->solvable_solved += a->solvable_solved;
    f->suspects += a->suspects;
    f->deaths += a->deaths;
    f->injuries += a->injuries;
    f->damage_vnd += a->damage_vnd;
    f->drug_grams += a->drug_grams;
}

static void sum_figs(struct ward_figures *t, const struct ward_figures *f)
{
    t->cases += f->cases;
    t->solved += f->solved;
    t->solvable_cases += f->solvable_cases;
    t->solvable_solved += f->solvable_solved;
    t->suspects += f->suspects;
    t->deaths += f->deaths;
    t->injuries += f->injuries;
    t->damage_vnd += f->damage_vnd;
    t->drug_grams += f->drug_grams;
}

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
    struct cat_ward *v;
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
        cat_ward_list_free(v, n);
    }
    if (!same) { free(prov); prov = NULL; }
    if (ward_id) *name = wname ? wname : ww_asprintf("#%lld", (long long)ward_id);
    else *name = prov ? ww_asprintf("Toàn tỉnh %s", prov) : ww_strdup("Toàn tỉnh");
    *province = prov;
}

void ward_stats_clear(struct ward_stats *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_rows; i++) cat_incident_category_clear(&s->rows[i].cat);
    free(s->rows);
    free(s->scope_name);
    free(s->province);
    memset(s, 0, sizeof *s);
}

int ward_stats_compute(catalog_t *cat, int64_t ward_id, const struct ward_period *p,
                       int offset_min, struct ward_stats *out)
{
    memset(out, 0, sizeof *out);
    out->ward_id = ward_id;
    out->period = *p;
    ward_period_year_before(p, &out->prev_period);
    ward_period_bounds_us(p, offset_min, &out->from_us, &out->to_us);
    ward_period_bounds_us(&out->prev_period, offset_min, &out->prev_from_us, &out->prev_to_us);
    int rc = counterpart_exists(cat, out->prev_to_us, &out->has_prev);
    if (rc) return rc;

    struct cat_incident_category *cats = NULL;
    size_t ncats = 0;
    struct cat_incident_agg *cur = NULL, *prev = NULL;
    size_t ncur = 0, nprev = 0;
    if ((rc = catalog_incident_category_list(cat, &cats, &ncats)) ||
        (rc = catalog_incident_aggregate(cat, ward_id, out->from_us, out->to_us, CAT_AGG_CATEGORY,
                                         offset_min, &cur, &ncur)) ||
        (out->has_prev &&
         (rc = catalog_incident_aggregate(cat, ward_id, out->prev_from_us, out->prev_to_us,
                                          CAT_AGG_CATEGORY, offset_min, &prev, &nprev))))
        goto out;
    out->rows = ww_calloc(ncats ? ncats : 1, sizeof *out->rows);
    for (size_t i = 0; i < ncats; i++) {
        struct ward_stats_row row = {0};
        for (size_t k = 0; k < ncur; k++) if (cur[k].key == cats[i].id) add_figs(&row.cur, &cur[k]);
        for (size_t k = 0; k < nprev; k++) if (prev[k].key == cats[i].id) add_figs(&row.prev, &prev[k]);
        if (!cats[i].active && row.cur.cases == 0 && row.prev.cases == 0) {
            cat_incident_category_clear(&cats[i]);
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
    cat_incident_category_list_free(cats, ncats);
    free(cur);
    free(prev);
    if (rc) ward_stats_clear(out);
    return rc;
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

static json_t *period_json(const struct ward_period *p, const char *lang)
{
    static const char *const kinds[] = {"month", "quarter", "year", "custom"};
    char a[16], b[16], c[16];
    struct ward_date last = ward_date_from_days(ward_date_days(p->to) - 1);
    char *label = ward_period_label(p, lang), *text = ward_period_text(p);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kind", kinds[p->kind], "text", text, "label", label,
                          "from", ward_date_iso(p->from, a, sizeof a), "to", ward_date_iso(p->to, b, sizeof b),
                          "last_day", ward_date_iso(last, c, sizeof c));
    free(label);
    free(text);
    return o;
}

json_t *ward_stats_json(const struct ward_stats *s, const char *lang)
{
    json_t *o = json_object();
    json_object_set_new(o, "scope", json_pack("{s:o,s:s}", "ward_id", s->ward_id ? json_integer(s->ward_id) : json_null(),
                                              "name", s->scope_name ? s->scope_name : ""));
    json_object_set_new(o, "period", period_json(&s->period, lang));
    json_object_set_new(o, "prev_period", period_json(&s->prev_period, lang));
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

int ward_stats_trend(catalog_t *cat, int64_t ward_id, const struct ward_period *p, int months,
                     int offset_min, struct ward_trend_point **out, size_t *n)
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
    }
    struct ward_date first = {y0, m0, 1};
    struct ward_date end = last.m == 12 ? (struct ward_date){last.y + 1, 1, 1} : (struct ward_date){last.y, last.m + 1, 1};
    for (int pass = 0; pass < 2; pass++) {
        struct ward_date a = first, b = end;
        if (pass) { a.y--; b.y--; }
        struct cat_incident_agg *ag;
        size_t na;
        int rc = catalog_incident_aggregate(cat, ward_id, ward_date_start_us(a, offset_min),
                                            ward_date_start_us(b, offset_min), CAT_AGG_LOCAL_DAY,
                                            offset_min, &ag, &na);
        if (rc) { free(v); return rc; }
        for (size_t k = 0; k < na; k++) {
            struct ward_date d = ward_date_from_days(ag[k].key);
            int idx = (d.y - (pass ? a.y : first.y)) * 12 + d.m - m0;
            if (idx < 0 || idx >= months) continue;
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
                       struct ward_compare_row **out, size_t *n, bool *has_prev)
{
    *out = NULL; *n = 0;
    struct ward_period prevp;
    int64_t f, t, pf, pt;
    ward_period_year_before(p, &prevp);
    ward_period_bounds_us(p, offset_min, &f, &t);
    ward_period_bounds_us(&prevp, offset_min, &pf, &pt);
    int rc = counterpart_exists(cat, pt, has_prev);
    if (rc) return rc;
    struct cat_ward *wards = NULL;
    size_t nw = 0;
    struct cat_incident_agg *cur = NULL, *prev = NULL;
    size_t ncur = 0, nprev = 0;
    if ((rc = catalog_ward_list(cat, &wards, &nw)) ||
        (rc = catalog_incident_aggregate(cat, 0, f, t, CAT_AGG_WARD, offset_min, &cur, &ncur)) ||
        (*has_prev && (rc = catalog_incident_aggregate(cat, 0, pf, pt, CAT_AGG_WARD, offset_min, &prev, &nprev))))
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
    cat_ward_list_free(wards, nw);
    free(cur);
    free(prev);
    return rc;
}
