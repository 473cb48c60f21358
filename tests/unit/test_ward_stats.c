/*
 * test_ward_stats.c — statistics against a hand-computed fixture: counts per
 * category, solved share, change against the same period a year before,
 * periods crossing a year boundary, local-time edges (UTC+7), empty periods
 * ("—", never a division by zero) and the leap day 29/02.
 *
 * The fixture (local times, Asia/Ho_Chi_Minh):
 *   ward A
 *     2023-01-10 10:00 criminal  solved   suspects 2
 *     2023-02-15 09:00 criminal  received
 *     2023-03-31 23:30 drugs     solved   suspects 1, 12.5 g   (still Q1 locally)
 *     2023-04-01 00:30 traffic   closed   deaths 1, injuries 2 (Q2 locally, Q1 in UTC)
 *     2024-01-05 10:00 criminal  solved   suspects 1
 *     2024-01-20 15:00 criminal  verifying
 *     2024-02-29 09:00 criminal  solved                         (leap day)
 *     2024-03-01 08:00 drugs     solved   suspects 1, 3 g
 *     2024-03-15 18:00 traffic   closed   deaths 0, injuries 1
 *     2024-12-31 23:59 fire      closed   damage 5,000,000
 *     2025-01-01 00:00 fire      closed
 *   ward B
 *     2023-02-28 12:00 public_order solved
 *     2024-07-10 12:00 criminal  received
 *
 * Hand-computed expectations are written next to each assertion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ward/ward.h"

#define OFF 420
/* "Today" for the tests of whole past periods: after every fixture date. */
static const struct ward_date TODAY = {2026, 6, 15};

struct fx { char dir[64]; catalog_t *cat; int64_t a, b; };

static int64_t cat_id(catalog_t *cat, const char *code)
{
    int64_t id = 0;
    assert_int_equal(ward_category_find(cat, code, &id), 0);
    return id;
}

static void add(struct fx *f, int64_t ward, const char *code, const char *when, int status, unsigned has,
                int64_t suspects, double grams, int64_t deaths, int64_t injuries, int64_t damage)
{
    struct catalog_incident inc = {.ward_id = ward, .category_id = cat_id(f->cat, code), .status = status,
                               .has = has, .suspects = suspects, .drug_grams = grams, .deaths = deaths,
                               .injuries = injuries, .damage_vnd = damage};
    if (ward_time_parse(when, OFF, &inc.occurred_at)) fail_msg("fixture time '%s' does not parse", when);
    inc.summary = ww_strdup("fixture");
    char *why = NULL;
    int rc = ward_incident_create(f->cat, &inc, "test", &why);
    if (rc) fail_msg("fixture incident %s %s: expected 0, got %s (%s)", code, when, ww_strerror(rc), why ? why : "");
    catalog_incident_clear(&inc);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/ww-test-stats-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    char *db = ww_asprintf("%s/wardwatch.db", f->dir);
    int rc = catalog_open(db, CATALOG_CREATE, &f->cat);
    free(db);
    if (rc) return -1;
    struct catalog_ward wa = {.name = "Phường A", .province = "Nghệ An"}, wb = {.name = "Phường B", .province = "Nghệ An"};
    if (catalog_ward_add(f->cat, &wa) || catalog_ward_add(f->cat, &wb)) return -1;
    f->a = wa.id;
    f->b = wb.id;
    enum { S = CATALOG_FIG_SUSPECTS, G = CATALOG_FIG_DRUG_GRAMS, D = CATALOG_FIG_DEATHS, I = CATALOG_FIG_INJURIES, M = CATALOG_FIG_DAMAGE };
    add(f, f->a, "criminal", "10/01/2023 10:00", CATALOG_INC_SOLVED, S, 2, 0, 0, 0, 0);
    add(f, f->a, "criminal", "15/02/2023 09:00", CATALOG_INC_RECEIVED, 0, 0, 0, 0, 0, 0);
    add(f, f->a, "drugs", "31/03/2023 23:30", CATALOG_INC_SOLVED, S | G, 1, 12.5, 0, 0, 0);
    add(f, f->a, "traffic", "01/04/2023 00:30", CATALOG_INC_CLOSED, D | I, 0, 0, 1, 2, 0);
    add(f, f->a, "criminal", "05/01/2024 10:00", CATALOG_INC_SOLVED, S, 1, 0, 0, 0, 0);
    add(f, f->a, "criminal", "20/01/2024 15:00", CATALOG_INC_VERIFYING, 0, 0, 0, 0, 0, 0);
    add(f, f->a, "criminal", "29/02/2024 09:00", CATALOG_INC_SOLVED, 0, 0, 0, 0, 0, 0);
    add(f, f->a, "drugs", "01/03/2024 08:00", CATALOG_INC_SOLVED, S | G, 1, 3.0, 0, 0, 0);
    add(f, f->a, "traffic", "15/03/2024 18:00", CATALOG_INC_CLOSED, D | I, 0, 0, 0, 1, 0);
    add(f, f->a, "fire", "31/12/2024 23:59", CATALOG_INC_CLOSED, M, 0, 0, 0, 0, 5000000);
    add(f, f->a, "fire", "01/01/2025 00:00", CATALOG_INC_CLOSED, 0, 0, 0, 0, 0, 0);
    add(f, f->b, "public_order", "28/02/2023 12:00", CATALOG_INC_SOLVED, 0, 0, 0, 0, 0, 0);
    add(f, f->b, "criminal", "10/07/2024 12:00", CATALOG_INC_RECEIVED, 0, 0, 0, 0, 0, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    catalog_close(f->cat);
    char *cmd = ww_asprintf("rm -rf '%s'", f->dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", f->dir);
    free(cmd);
    free(f);
    return 0;
}

static const struct ward_stats_row *row(const struct ward_stats *s, const char *code)
{
    for (size_t i = 0; i < s->n_rows; i++)
        if (!strcmp(s->rows[i].cat.code, code)) return &s->rows[i];
    fail_msg("no row for category %s", code);
    return NULL;
}

static void compute(struct fx *f, int64_t ward, const char *period, struct ward_stats *s)
{
    struct ward_period p;
    if (ward_period_parse(period, &p)) fail_msg("period '%s' does not parse", period);
    int rc = ward_stats_compute_on(f->cat, ward, &p, OFF, TODAY, s);
    if (rc) fail_msg("stats %s: expected 0, got %s", period, ww_strerror(rc));
}

/* The statistics of a period as they stand on local date `today`. */
static void compute_on(struct fx *f, int64_t ward, const char *period, struct ward_date today, struct ward_stats *s)
{
    struct ward_period p;
    if (ward_period_parse(period, &p)) fail_msg("period '%s' does not parse", period);
    int rc = ward_stats_compute_on(f->cat, ward, &p, OFF, today, s);
    if (rc) fail_msg("stats %s on %d-%02d-%02d: expected 0, got %s", period, today.y, today.m, today.d, ww_strerror(rc));
}

#define EXPECT_I(what, expected, seen)                                                         \
    do {                                                                                       \
        long long e_ = (expected), s_ = (seen);                                                \
        if (e_ != s_) fail_msg("%s: expected %lld, seen %lld", what, e_, s_);                  \
    } while (0)
#define EXPECT_S(what, expected, seen)                                                         \
    do {                                                                                       \
        char *s_ = (seen);                                                                     \
        if (strcmp((expected), s_)) fail_msg("%s: expected \"%s\", seen \"%s\"", what, expected, s_); \
        free(s_);                                                                              \
    } while (0)

static void test_quarter_counts_share_change(void **state)
{
    struct fx *f = *state;
    struct ward_stats s;
    compute(f, f->a, "2024-Q1", &s);
    /* Q1 2024, ward A: criminal 3 (2 solved), drugs 1 (1 solved), traffic 1 → 5. */
    EXPECT_I("cases Q1 2024", 5, s.cur.cases);
    EXPECT_I("criminal Q1 2024", 3, row(&s, "criminal")->cur.cases);
    EXPECT_I("criminal solved Q1 2024", 2, row(&s, "criminal")->cur.solved);
    EXPECT_I("drugs Q1 2024", 1, row(&s, "drugs")->cur.cases);
    EXPECT_I("traffic Q1 2024", 1, row(&s, "traffic")->cur.cases);
    EXPECT_I("fire Q1 2024", 0, row(&s, "fire")->cur.cases);
    /* Q1 2023: criminal 2, drugs 1 (31/03 23:30 local); the traffic case at
     * 01/04 00:30 local is Q2 even though it is 31/03 in UTC. */
    assert_true(s.has_prev);
    EXPECT_I("cases Q1 2023", 3, s.prev.cases);
    EXPECT_I("traffic Q1 2023", 0, row(&s, "traffic")->prev.cases);
    /* Solved share over solvable categories: 3/4 = 75 %; a year before 2/3 = 67 %. */
    EXPECT_I("solvable cases", 4, s.cur.solvable_cases);
    EXPECT_I("solvable solved", 3, s.cur.solvable_solved);
    EXPECT_S("share text", "khám phá 3/4 vụ, đạt 75 %", ward_fmt_share(s.cur.solvable_solved, s.cur.solvable_cases, "vi"));
    EXPECT_S("prev share text", "khám phá 2/3 vụ, đạt 67 %", ward_fmt_share(s.prev.solvable_solved, s.prev.solvable_cases, "vi"));
    /* Change: 5 vs 3 → +2, +66,7 %; criminal 3 vs 2 → +1, +50,0 %;
     * drugs 1 vs 1 → 0, 0,0 %; traffic 1 vs 0 → +1, "—" (zero base). */
    struct ward_change c = ward_change_of((double)s.cur.cases, (double)s.prev.cases, s.has_prev);
    EXPECT_S("total diff", "+2", ward_fmt_diff(c, "vi"));
    EXPECT_S("total pct", "+66,7 %", ward_fmt_pct_change(c, "vi"));
    EXPECT_S("total pct en", "+66.7 %", ward_fmt_pct_change(c, "en"));
    const struct ward_stats_row *r = row(&s, "criminal");
    c = ward_change_of((double)r->cur.cases, (double)r->prev.cases, true);
    EXPECT_S("criminal pct", "+50,0 %", ward_fmt_pct_change(c, "vi"));
    r = row(&s, "drugs");
    c = ward_change_of((double)r->cur.cases, (double)r->prev.cases, true);
    EXPECT_S("drugs diff", "0", ward_fmt_diff(c, "vi"));
    EXPECT_S("drugs pct", "0,0 %", ward_fmt_pct_change(c, "vi"));
    r = row(&s, "traffic");
    c = ward_change_of((double)r->cur.cases, (double)r->prev.cases, true);
    EXPECT_S("traffic diff", "+1", ward_fmt_diff(c, "vi"));
    EXPECT_S("traffic pct (zero base)", "—", ward_fmt_pct_change(c, "vi"));
    /* Figures: suspects 1+1 = 2 vs 2+1 = 3; drugs 3 g vs 12,5 g; injuries 1 vs 0. */
    EXPECT_I("suspects", 2, s.cur.suspects);
    EXPECT_I("suspects prev", 3, s.prev.suspects);
    assert_true(fabs(s.cur.drug_grams - 3.0) < 1e-9);
    assert_true(fabs(s.prev.drug_grams - 12.5) < 1e-9);
    c = ward_change_of(s.cur.drug_grams, s.prev.drug_grams, true);
    EXPECT_S("drug grams diff", "-9,5", ward_fmt_diff(c, "vi"));
    EXPECT_S("drug grams pct", "-76,0 %", ward_fmt_pct_change(c, "vi"));
    EXPECT_I("injuries", 1, s.cur.injuries);
    EXPECT_I("deaths prev (Q2 case excluded)", 0, s.prev.deaths);
    /* JSON carries the same numbers. */
    json_t *j = ward_stats_json(&s, "vi");
    EXPECT_I("json cases", 5, json_integer_value(json_object_get(json_object_get(json_object_get(j, "totals"), "cur"), "cases")));
    json_t *pct = json_object_get(json_object_get(json_object_get(json_object_get(j, "totals"), "change"), "cases"), "pct");
    assert_true(fabs(json_real_value(pct) - 66.7) < 1e-9);
    json_decref(j);
    ward_stats_clear(&s);

    /* Q2 2023 holds the traffic case of 01/04 00:30 local. */
    compute(f, f->a, "2023-Q2", &s);
    EXPECT_I("traffic Q2 2023", 1, row(&s, "traffic")->cur.cases);
    EXPECT_I("deaths Q2 2023", 1, s.cur.deaths);
    EXPECT_I("injuries Q2 2023", 2, s.cur.injuries);
    ward_stats_clear(&s);
}

static void test_bounds_local_time(void **state)
{
    (void)state;
    struct ward_period p;
    int64_t from, to;
    assert_int_equal(ward_period_quarter(2024, 1, &p), 0);
    ward_period_bounds_us(&p, OFF, &from, &to);
    /* 2024-01-01T00:00+07:00 = 2023-12-31T17:00Z = 1704042000 s */
    EXPECT_I("Q1 start", 1704042000LL * 1000000, from);
    /* 2024-04-01T00:00+07:00 = 2024-03-31T17:00Z = 1711904400 s */
    EXPECT_I("Q1 end", 1711904400LL * 1000000, to);
    char *t = ward_period_label(&p, "vi");
    EXPECT_S("label", "Quý I/2024", t);
    assert_int_equal(ward_period_parse("2024-13", &p), WW_EINVAL);
    assert_int_equal(ward_period_parse("2024-Q5", &p), WW_EINVAL);
    assert_int_equal(ward_period_parse("2023-02-29..2023-03-10", &p), WW_EINVAL);
    assert_int_equal(ward_period_parse("2024-03-10..2024-03-10", &p), WW_EINVAL);
    assert_int_equal(ward_period_parse("01/12/2024..15/01/2025", &p), 0);
    EXPECT_S("custom label", "Từ 01/12/2024 đến 14/01/2025", ward_period_label(&p, "vi"));
}

static void test_year_boundary(void **state)
{
    struct fx *f = *state;
    struct ward_stats s;
    /* Q4 2024 holds the fire of 31/12 23:59; Q1 2025 the one of 01/01 00:00. */
    compute(f, f->a, "2024-Q4", &s);
    EXPECT_I("fire Q4 2024", 1, row(&s, "fire")->cur.cases);
    EXPECT_I("damage Q4 2024", 5000000, s.cur.damage_vnd);
    ward_stats_clear(&s);
    compute(f, f->a, "2025-Q1", &s);
    EXPECT_I("fire Q1 2025", 1, row(&s, "fire")->cur.cases);
    EXPECT_I("cases Q1 2025", 1, s.cur.cases);
    /* its counterpart Q1 2024 had 5 → -4, -80,0 % */
    EXPECT_I("cases Q1 2024 as prev", 5, s.prev.cases);
    EXPECT_S("Q1 2025 pct", "-80,0 %", ward_fmt_pct_change(ward_change_of(1, 5, s.has_prev), "vi"));
    ward_stats_clear(&s);
    /* A custom period across New Year: [15/12/2024, 15/01/2025) → both fires;
     * counterpart [15/12/2023, 15/01/2024) → the criminal case of 05/01/2024. */
    compute(f, f->a, "2024-12-15..2025-01-15", &s);
    EXPECT_I("cases across new year", 2, s.cur.cases);
    EXPECT_I("prev across new year", 1, s.prev.cases);
    EXPECT_S("across new year pct", "+100,0 %",
             ward_fmt_pct_change(ward_change_of((double)s.cur.cases, (double)s.prev.cases, s.has_prev), "vi"));
    ward_stats_clear(&s);
    /* Year 2024 for the province: A has 6, B has 1 → 7; 2023: A 4 + B 1 = 5. */
    compute(f, 0, "2024", &s);
    EXPECT_I("province 2024", 7, s.cur.cases);
    EXPECT_I("province 2023", 5, s.prev.cases);
    assert_string_equal(s.scope_name, "Toàn tỉnh Nghệ An");
    ward_stats_clear(&s);
}

static void test_empty_periods(void **state)
{
    struct fx *f = *state;
    struct ward_stats s;
    /* 2022: nothing, and its counterpart 2021 lies before the register
     * began → no counterpart: every change is "—". */
    compute(f, f->a, "2022-Q1", &s);
    EXPECT_I("cases 2022-Q1", 0, s.cur.cases);
    assert_false(s.has_prev);
    struct ward_change c = ward_change_of((double)s.cur.cases, (double)s.prev.cases, s.has_prev);
    assert_false(c.defined);
    assert_false(c.pct_defined);
    EXPECT_S("diff no counterpart", "—", ward_fmt_diff(c, "vi"));
    EXPECT_S("pct no counterpart", "—", ward_fmt_pct_change(c, "vi"));
    EXPECT_S("share of nothing", "khám phá 0/0 vụ, đạt —", ward_fmt_share(0, 0, "vi"));
    json_t *j = ward_stats_json(&s, "vi");
    assert_true(json_is_null(json_object_get(json_object_get(json_object_get(json_object_get(j, "totals"), "change"), "cases"), "pct")));
    assert_true(json_is_null(json_object_get(json_object_get(json_object_get(j, "totals"), "share"), "pct")));
    json_decref(j);
    ward_stats_clear(&s);
    /* Q3 2024 ward B: 1 case; Q3 2023: 0 → counterpart exists, zero base. */
    compute(f, f->b, "2024-Q3", &s);
    assert_true(s.has_prev);
    c = ward_change_of((double)s.cur.cases, (double)s.prev.cases, s.has_prev);
    EXPECT_S("diff zero base", "+1", ward_fmt_diff(c, "vi"));
    EXPECT_S("pct zero base", "—", ward_fmt_pct_change(c, "vi"));
    ward_stats_clear(&s);
    /* Q3 2023 ward B: 0 vs 0 → diff 0, pct "—". */
    compute(f, f->b, "2023-Q3", &s);
    c = ward_change_of((double)s.cur.cases, (double)s.prev.cases, s.has_prev);
    EXPECT_S("0 vs 0 pct", "—", ward_fmt_pct_change(c, "vi"));
    int pct = -1;
    assert_false(ward_share_pct(0, 0, &pct));
    ward_stats_clear(&s);
    /* The trend over an empty year is all zeros, with no error. */
    struct ward_period p;
    struct ward_trend_point *t;
    size_t n;
    assert_int_equal(ward_period_year(2020, &p), 0);
    assert_int_equal(ward_stats_trend(f->cat, f->a, &p, 12, OFF, TODAY, &t, &n), 0);
    assert_int_equal(n, 12);
    for (size_t i = 0; i < n; i++) assert_int_equal(t[i].cases + t[i].prev_cases, 0);
    free(t);
}

static void test_leap_day(void **state)
{
    struct fx *f = *state;
    struct ward_period p, q;
    char a[16], b[16];
    /* [29/02/2024, 01/03/2024) ↦ [28/02/2023, 01/03/2023) */
    assert_int_equal(ward_period_parse("2024-02-29..2024-03-01", &p), 0);
    ward_period_year_before(&p, &q);
    assert_string_equal(ward_date_iso(q.from, a, sizeof a), "2023-02-28");
    assert_string_equal(ward_date_iso(q.to, b, sizeof b), "2023-03-01");
    /* [01/02/2024, 29/02/2024) (1–28 Feb) ↦ [01/02/2023, 01/03/2023) (1–28 Feb) */
    assert_int_equal(ward_period_parse("2024-02-01..2024-02-29", &p), 0);
    ward_period_year_before(&p, &q);
    assert_string_equal(ward_date_iso(q.to, b, sizeof b), "2023-03-01");
    /* February 2025 ↦ February 2024, 29 days */
    assert_int_equal(ward_period_month(2025, 2, &p), 0);
    ward_period_year_before(&p, &q);
    assert_string_equal(ward_date_iso(q.from, a, sizeof a), "2024-02-01");
    assert_string_equal(ward_date_iso(q.to, b, sizeof b), "2024-03-01");

    struct ward_stats s;
    /* Ward A on the leap day: 1 criminal case; counterpart 28/02/2023: none
     * in A → +1, "—". */
    compute(f, f->a, "2024-02-29..2024-03-01", &s);
    EXPECT_I("leap day A", 1, s.cur.cases);
    EXPECT_I("28/02/2023 A", 0, s.prev.cases);
    EXPECT_S("leap day pct", "—", ward_fmt_pct_change(ward_change_of(1, 0, s.has_prev), "vi"));
    ward_stats_clear(&s);
    /* Province: the counterpart 28/02/2023 holds ward B's public-order case → 1 vs 1. */
    compute(f, 0, "2024-02-29..2024-03-01", &s);
    EXPECT_I("leap day province", 1, s.cur.cases);
    EXPECT_I("28/02/2023 province", 1, s.prev.cases);
    EXPECT_S("leap day province pct", "0,0 %",
             ward_fmt_pct_change(ward_change_of((double)s.cur.cases, (double)s.prev.cases, s.has_prev), "vi"));
    ward_stats_clear(&s);
    /* February 2024 vs February 2023, ward A: 1 (29/02) vs 1 (15/02) */
    compute(f, f->a, "2024-02", &s);
    EXPECT_I("Feb 2024", 1, s.cur.cases);
    EXPECT_I("Feb 2023", 1, s.prev.cases);
    ward_stats_clear(&s);
}

static void test_shares_and_format(void **state)
{
    (void)state;
    int pct;
    assert_true(ward_share_pct(9, 14, &pct));
    EXPECT_I("9/14", 64, pct);
    assert_true(ward_share_pct(1, 8, &pct));
    EXPECT_I("1/8 (12.5 half up)", 13, pct);
    assert_true(ward_share_pct(2, 3, &pct));
    EXPECT_I("2/3", 67, pct);
    assert_true(ward_share_pct(0, 5, &pct));
    EXPECT_I("0/5", 0, pct);
    EXPECT_S("FIELD example", "khám phá 9/14 vụ, đạt 64 %", ward_fmt_share(9, 14, "vi"));
    EXPECT_S("english", "solved 9 of 14, 64 %", ward_fmt_share(9, 14, "en"));
    EXPECT_S("minus", "-3", ward_fmt_diff(ward_change_of(11, 14, true), "vi"));
    EXPECT_S("minus pct", "-21,4 %", ward_fmt_pct_change(ward_change_of(11, 14, true), "vi"));
}

static void test_by_ward_and_trend(void **state)
{
    struct fx *f = *state;
    struct ward_period p;
    struct ward_compare_row *v;
    size_t n;
    bool has_prev;
    assert_int_equal(ward_period_year(2024, &p), 0);
    assert_int_equal(ward_stats_by_ward(f->cat, &p, OFF, TODAY, &v, &n, &has_prev), 0);
    assert_int_equal(n, 2);
    assert_true(has_prev);
    EXPECT_I("A 2024", 6, v[0].cur.cases);
    EXPECT_I("A 2023", 4, v[0].prev.cases);
    EXPECT_I("B 2024", 1, v[1].cur.cases);
    EXPECT_I("B 2023", 1, v[1].prev.cases);
    ward_compare_list_free(v, n);
    /* Monthly trend of 2024 for A: Jan 2, Feb 1, Mar 2, Dec 1; a year before
     * Jan 1, Feb 1, Mar 1 (31/03 23:30), Apr 1 (01/04 00:30). */
    struct ward_trend_point *t;
    assert_int_equal(ward_stats_trend(f->cat, f->a, &p, 12, OFF, TODAY, &t, &n), 0);
    assert_int_equal(n, 12);
    static const int cur[12] = {2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1}, prev[12] = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 12; i++) {
        if (t[i].m != i + 1 || t[i].y != 2024) fail_msg("trend point %d: expected 2024-%02d, seen %d-%02d", i, i + 1, t[i].y, t[i].m);
        if (t[i].cases != cur[i]) fail_msg("trend %d/2024: expected %d, seen %lld", i + 1, cur[i], (long long)t[i].cases);
        if (t[i].prev_cases != prev[i]) fail_msg("trend %d/2023: expected %d, seen %lld", i + 1, prev[i], (long long)t[i].prev_cases);
    }
    free(t);
}

static void test_history_and_update(void **state)
{
    struct fx *f = *state;
    struct catalog_incident_filter flt = {.ward_id = f->b, .status = -1};
    struct catalog_incident *v;
    size_t n;
    assert_int_equal(catalog_incident_search(f->cat, &flt, &v, &n, NULL), 0);
    assert_int_equal(n, 2);
    int64_t id = v[0].id;  /* newest: the criminal case of 10/07/2024, received */
    catalog_incident_list_free(v, n);
    struct catalog_incident inc;
    assert_int_equal(catalog_incident_get(f->cat, id, &inc), 0);
    char *why = NULL;
    json_t *patch = json_pack("{s:s,s:i}", "status", "verifying", "suspects", 2);
    assert_int_equal(ward_incident_apply_json(f->cat, &inc, patch, OFF, &why), 0);
    json_decref(patch);
    assert_int_equal(ward_incident_update(f->cat, &inc, "officer1", false, &why), 0);
    catalog_incident_clear(&inc);
    /* backwards is refused for a non-admin */
    assert_int_equal(catalog_incident_get(f->cat, id, &inc), 0);
    inc.status = CATALOG_INC_RECEIVED;
    assert_int_equal(ward_incident_update(f->cat, &inc, "officer1", false, &why), WW_ECONFLICT);
    free(why);
    why = NULL;
    /* a figure that does not apply is refused: drug grams on a criminal case */
    inc.status = CATALOG_INC_VERIFYING;
    inc.has |= CATALOG_FIG_DRUG_GRAMS;
    inc.drug_grams = 1;
    assert_int_equal(ward_incident_update(f->cat, &inc, "officer1", false, &why), WW_EINVAL);
    assert_non_null(strstr(why, "drug_grams"));
    free(why);
    catalog_incident_clear(&inc);
    json_t *h = ward_incident_history_json(f->cat, id, OFF);
    assert_int_equal(json_array_size(h), 2);
    json_t *upd = json_array_get(h, 1);
    assert_string_equal(json_string_value(json_object_get(upd, "action")), "updated");
    assert_string_equal(json_string_value(json_object_get(upd, "user")), "officer1");
    json_t *d = json_object_get(upd, "diff");
    assert_int_equal(json_object_size(d), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(d, "status"), 0)), "received");
    assert_string_equal(json_string_value(json_array_get(json_object_get(d, "status"), 1)), "verifying");
    assert_int_equal(json_integer_value(json_array_get(json_object_get(d, "suspects"), 1)), 2);
    json_decref(h);
}

static void test_reports(void **state)
{
    struct fx *f = *state;
    struct ward_stats s;
    compute(f, 0, "2024-Q1", &s);
    struct ww_buf b = {0};
    ward_stats_csv(&s, "vi", &b);
    ww_buf_append(&b, "", 1);
    /* total row: 5 cases (A) vs 4 (A 3 + B 1), solvable 4 of which 3 solved = 75 % */
    if (!strstr((const char *)b.data, "\r\ntotal,"))
        fail_msg("stats CSV: expected a total row, seen:\n%s", (const char *)b.data);
    if (!strstr((const char *)b.data, ",5,4,1,25.0,3,4,75,"))
        fail_msg("stats CSV total: expected \",5,4,1,25.0,3,4,75,\" in:\n%s", (const char *)b.data);
    ww_buf_free(&b);
    assert_int_equal(ward_stats_pdf(f->cat, &s, OFF, 1704067200LL * 1000000, &b), 0);
    if (b.len < 2000 || memcmp(b.data, "%PDF-", 5)) fail_msg("PDF: expected a PDF of ≥ 2000 bytes, seen %zu bytes", b.len);
    ww_buf_free(&b);
    ward_stats_clear(&s);
}


/* ---- a period that has not ended (decision 007) ---------------------------- */

#define EXPECT_LABEL(what, expected, s, prev) EXPECT_S(what, expected, ward_stats_period_label((s), (prev), "vi"))

static void test_running_quarter_day_for_day(void **state)
{
    struct fx *f = *state;
    struct ward_stats s;
    /* On 14/03/2024 Q1 2024 has run 01/01–14/03: ward A 05/01, 20/01,
     * 29/02, 01/03 → 4 (15/03 not yet).  The same days of 2023: 10/01,
     * 15/02 → 2 (31/03/2023 is not among them; the whole Q1 2023 had 3). */
    compute_on(f, f->a, "2024-Q1", (struct ward_date){2024, 3, 14}, &s);
    assert_true(s.cut.partial);
    EXPECT_I("Q1 2024 to 14/03", 4, s.cur.cases);
    EXPECT_I("Q1 2023 to 14/03", 2, s.prev.cases);
    EXPECT_LABEL("label", "Quý I/2024, đến ngày 14/03/2024", &s, false);
    EXPECT_LABEL("prev label", "Quý I/2023, đến ngày 14/03/2023", &s, true);
    EXPECT_S("en label", "Q1 2024, to 14/03/2024", ward_stats_period_label(&s, false, "en"));
    /* CSV and JSON say it */
    struct ww_buf b = {0};
    ward_stats_csv(&s, "vi", &b);
    ww_buf_append(&b, "", 1);
    if (!strstr((const char *)b.data, "Quý I/2024, đến ngày 14/03/2024") ||
        !strstr((const char *)b.data, "so với cùng kỳ \"Quý I/2023, đến ngày 14/03/2023\"") ||
        !strstr((const char *)b.data, "kỳ chưa kết thúc"))
        fail_msg("CSV: expected the period \"đến ngày 14/03/2024\" against \"đến ngày 14/03/2023\", seen:\n%s",
                 (const char *)b.data);
    ww_buf_free(&b);
    json_t *j = ward_stats_json(&s, "vi");
    json_t *per = json_object_get(j, "period");
    assert_true(json_is_true(json_object_get(per, "partial")));
    assert_string_equal(json_string_value(json_object_get(per, "through")), "2024-03-14");
    assert_string_equal(json_string_value(json_object_get(per, "through_label")), "đến ngày 14/03/2024");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "prev_period"), "through")), "2023-03-14");
    json_decref(j);
    ward_stats_clear(&s);
}

static void test_quarter_end(void **state)
{
    struct fx *f = *state;
    struct ward_stats s;
    /* The quarter's last day is still running: every day counted, against
     * every day of Q1 2023, including 31/03/2023 23:30 → 5 vs 3. */
    compute_on(f, f->a, "2024-Q1", (struct ward_date){2024, 3, 31}, &s);
    assert_true(s.cut.partial);
    EXPECT_I("Q1 2024 on 31/03", 5, s.cur.cases);
    EXPECT_I("Q1 2023 to 31/03", 3, s.prev.cases);
    EXPECT_LABEL("label on the last day", "Quý I/2024, đến ngày 31/03/2024", &s, false);
    ward_stats_clear(&s);
    /* The day after, the quarter is over: its name alone, the same figures. */
    compute_on(f, f->a, "2024-Q1", (struct ward_date){2024, 4, 1}, &s);
    assert_false(s.cut.partial);
    EXPECT_I("Q1 2024 over", 5, s.cur.cases);
    EXPECT_I("Q1 2023 whole", 3, s.prev.cases);
    EXPECT_LABEL("label when over", "Quý I/2024", &s, false);
    ward_stats_clear(&s);
}

static void test_year_end(void **state)
{
    struct fx *f = *state;
    struct ward_stats s;
    /* 30/12/2024: ward A's 2024 without the fire of 31/12 23:59 → 5;
     * 2023 to 30/12 → 4. */
    compute_on(f, f->a, "2024", (struct ward_date){2024, 12, 30}, &s);
    EXPECT_I("2024 to 30/12", 5, s.cur.cases);
    EXPECT_I("2023 to 30/12", 4, s.prev.cases);
    EXPECT_LABEL("year label", "Năm 2024, đến ngày 30/12/2024", &s, false);
    ward_stats_clear(&s);
    compute_on(f, f->a, "2024", (struct ward_date){2024, 12, 31}, &s);
    EXPECT_I("2024 on 31/12", 6, s.cur.cases);
    ward_stats_clear(&s);
    /* per ward, the same cut */
    struct ward_period p;
    struct ward_compare_row *v;
    size_t n;
    bool has_prev;
    assert_int_equal(ward_period_year(2024, &p), 0);
    assert_int_equal(ward_stats_by_ward(f->cat, &p, OFF, (struct ward_date){2024, 12, 30}, &v, &n, &has_prev), 0);
    EXPECT_I("by ward: A 2024 to 30/12", 5, v[0].cur.cases);
    EXPECT_I("by ward: A 2023 to 30/12", 4, v[0].prev.cases);
    ward_compare_list_free(v, n);
}

static void test_month_end_and_leap_day(void **state)
{
    struct fx *f = *state;
    struct ward_stats s;
    /* Leap February on 28/02/2024: 1–28 Feb 2024 (0: the case is on the
     * 29th) against 1–28 Feb 2023 (15/02 → 1). */
    compute_on(f, f->a, "2024-02", (struct ward_date){2024, 2, 28}, &s);
    EXPECT_I("Feb 2024 to 28/02", 0, s.cur.cases);
    EXPECT_I("Feb 2023 to 28/02", 1, s.prev.cases);
    ward_stats_clear(&s);
    /* On 29/02/2024 (its month end): the year before has no 29/02, so its
     * 28/02 is the twin — the whole of February 2023. */
    compute_on(f, f->a, "2024-02", (struct ward_date){2024, 2, 29}, &s);
    EXPECT_I("Feb 2024 to 29/02", 1, s.cur.cases);
    EXPECT_I("Feb 2023 whole", 1, s.prev.cases);
    EXPECT_LABEL("prev label of 29/02", "Tháng 2/2023, đến ngày 28/02/2023", &s, true);
    ward_stats_clear(&s);
    /* February 2025 on 28/02/2025, its month end, still running: day for
     * day against 1–28 Feb 2024, leaving out 29/02/2024 → 0 ... */
    compute_on(f, f->a, "2025-02", (struct ward_date){2025, 2, 28}, &s);
    EXPECT_I("Feb 2024 to 28/02 (29/02 left out)", 0, s.prev.cases);
    EXPECT_LABEL("prev label", "Tháng 2/2024, đến ngày 28/02/2024", &s, true);
    ward_stats_clear(&s);
    /* ... and once it is over, the whole month against the whole month
     * (29 days): 29/02/2024 counts → 1. */
    compute_on(f, f->a, "2025-02", (struct ward_date){2025, 3, 1}, &s);
    EXPECT_I("Feb 2024 whole", 1, s.prev.cases);
    ward_stats_clear(&s);
}

static void test_not_begun(void **state)
{
    struct fx *f = *state;
    struct ward_stats s;
    compute_on(f, f->a, "2024-Q2", (struct ward_date){2024, 3, 14}, &s);
    assert_true(s.cut.not_begun);
    assert_false(s.has_prev);
    EXPECT_I("Q2 not begun", 0, s.cur.cases);
    EXPECT_I("its year before is not counted", 0, s.prev.cases);
    EXPECT_LABEL("not begun", "Quý II/2024, chưa bắt đầu", &s, false);
    ward_stats_clear(&s);
}

static void test_trend_partial_months(void **state)
{
    struct fx *f = *state;
    struct ward_period p;
    struct ward_trend_point *t;
    size_t n;
    /* 2024 on 14/03/2024, ward A: Jan, Feb whole; March partial, 14 days:
     * 01/03 → 1 (15/03 is later) against 1–14 Mar 2023 (0; 31/03 is later);
     * April–December not begun: 0 against 0 (April 2023's case is not
     * counted: none of April 2024 has happened). */
    assert_int_equal(ward_period_year(2024, &p), 0);
    assert_int_equal(ward_stats_trend(f->cat, f->a, &p, 12, OFF, (struct ward_date){2024, 3, 14}, &t, &n), 0);
    assert_int_equal(n, 12);
    assert_false(t[1].partial);
    EXPECT_I("Feb days", 29, t[1].days);
    EXPECT_I("Feb 2024", 1, t[1].cases);
    EXPECT_I("Feb 2023", 1, t[1].prev_cases);
    assert_true(t[2].partial);
    EXPECT_I("March days counted", 14, t[2].days);
    EXPECT_I("March month days", 31, t[2].month_days);
    EXPECT_I("1–14 Mar 2024", 1, t[2].cases);
    EXPECT_I("1–14 Mar 2023", 0, t[2].prev_cases);
    assert_true(t[3].partial);
    EXPECT_I("April days", 0, t[3].days);
    EXPECT_I("April 2023 not counted", 0, t[3].prev_cases);
    free(t);
    /* on 31/03/2023 the month's last day is still partial but whole in count */
    assert_int_equal(ward_period_quarter(2023, 1, &p), 0);
    assert_int_equal(ward_stats_trend(f->cat, f->a, &p, 3, OFF, (struct ward_date){2023, 3, 31}, &t, &n), 0);
    assert_true(t[2].partial);
    EXPECT_I("March 2023 on 31/03", 1, t[2].cases);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds_local_time),
        cmocka_unit_test(test_shares_and_format),
        cmocka_unit_test_setup_teardown(test_quarter_counts_share_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_year_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_periods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leap_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_by_ward_and_trend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_and_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_running_quarter_day_for_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quarter_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_year_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_month_end_and_leap_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_begun, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trend_partial_months, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
