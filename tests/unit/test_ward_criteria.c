/*
 * test_ward_criteria.c — the criteria programme keeps history:
 *  - a ward assessed in 2023 under the 22-criteria set and in 2024 under a
 *    20-criteria set keeps both histories (matrix, progress, assessments);
 *  - editing a set that is in use makes a new version and leaves the old
 *    one (and what points at it) untouched; a set nobody uses is edited in
 *    place;
 *  - self-assessment and province review are kept apart; the matrix shows
 *    the review where there is one;
 *  - the shipped template loads on first use and says it is a template.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ward/ward.h"

#define OFF 420

struct fx { char dir[64]; catalog_t *cat; int64_t a, b; };

static char *src_path(const char *rel)
{
    char *src = ww_strdup(__FILE__);
    char *p = ww_asprintf("%s/%s", dirname(src), rel);
    free(src);
    return p;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/ww-test-crit-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    char *db = ww_asprintf("%s/wardwatch.db", f->dir);
    int rc = catalog_open(db, CATALOG_CREATE, &f->cat);
    free(db);
    if (rc) return -1;
    struct catalog_ward wa = {.name = "Trường Thi"}, wb = {.name = "Nghi Hòa"};
    if (catalog_ward_add(f->cat, &wa) || catalog_ward_add(f->cat, &wb)) return -1;
    f->a = wa.id;
    f->b = wb.id;
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

#define EXPECT_I(what, expected, seen)                                                         \
    do {                                                                                       \
        long long e_ = (expected), s_ = (seen);                                                \
        if (e_ != s_) fail_msg("%s: expected %lld, seen %lld", what, e_, s_);                  \
    } while (0)

static int64_t load(struct fx *f, const char *rel)
{
    char *p = src_path(rel), *why = NULL;
    int64_t id = 0;
    int rc = ward_criteria_import_file(f->cat, p, "admin", &id, &why);
    if (rc) fail_msg("import %s: expected 0, got %s (%s)", p, ww_strerror(rc), why ? why : "");
    free(p);
    return id;
}

static void assess(struct fx *f, int64_t ward, int year, int num, int side, int result, const char *date)
{
    struct ward_assess_in in = {.ward_id = ward, .year = year, .criterion_num = num, .side = side,
                                .result = result, .notes = "ghi chú", .assessor = "tester", .assessed_on = date};
    char *why = NULL;
    int rc = ward_assess(f->cat, &in, OFF, NULL, &why);
    if (rc) fail_msg("assess ward %lld %d #%d: expected 0, got %s (%s)", (long long)ward, year, num, ww_strerror(rc), why ? why : "");
}

static void test_two_sets_keep_both_histories(void **state)
{
    struct fx *f = *state;
    int64_t s22 = load(f, "../../data/criteria/default-22.json");
    int64_t s20 = load(f, "../fixtures/ward/criteria-20.json");
    char *why = NULL;
    assert_int_equal(ward_programme_register(f->cat, f->a, 2023, s22, "admin", &why), 0);
    assert_int_equal(ward_programme_register(f->cat, f->a, 2024, s20, "admin", &why), 0);
    /* twice → conflict; a year outside the set's range → refused */
    assert_int_equal(ward_programme_register(f->cat, f->a, 2024, s20, "admin", &why), WW_ECONFLICT);
    free(why); why = NULL;
    assert_int_equal(ward_programme_register(f->cat, f->b, 2024, s22, "admin", &why), WW_EINVAL);
    free(why); why = NULL;

    /* 2023: all 22 self-assessed met except #4 (station building) */
    for (int k = 1; k <= 22; k++)
        assess(f, f->a, 2023, k, CATALOG_SIDE_SELF, k == 4 ? CATALOG_RES_NOT_MET : CATALOG_RES_MET, "2023-06-01");
    /* later in 2023 the station is finished: #4 met */
    assess(f, f->a, 2023, 4, CATALOG_SIDE_SELF, CATALOG_RES_MET, "2023-11-15");
    /* 2024: criterion 21 does not exist in the 20-set */
    struct ward_assess_in bad = {.ward_id = f->a, .year = 2024, .criterion_num = 21, .side = CATALOG_SIDE_SELF,
                                 .result = CATALOG_RES_MET, .assessor = "tester"};
    assert_int_equal(ward_assess(f->cat, &bad, OFF, NULL, &why), WW_EINVAL);
    assert_non_null(strstr(why, "criterion 21"));
    free(why); why = NULL;
    /* a ward not registered for the year */
    bad.ward_id = f->b;
    bad.criterion_num = 1;
    assert_int_equal(ward_assess(f->cat, &bad, OFF, NULL, &why), WW_EINVAL);
    free(why); why = NULL;
    for (int k = 1; k <= 20; k++)
        assess(f, f->a, 2024, k, CATALOG_SIDE_SELF, k <= 15 ? CATALOG_RES_MET : CATALOG_RES_IN_PROGRESS, "2024-05-10");

    /* Self-assessed only: nothing is met until the province reviews. */
    struct ward_matrix m;
    assert_int_equal(ward_matrix_build(f->cat, 2023, 0, &m), 0);
    assert_int_equal(m.set.n_criteria, 22);
    assert_int_equal(m.n_wards, 1);
    EXPECT_I("2023 met before the review", 0, m.wards[0].met);
    EXPECT_I("2023 self-assessed only", 22, m.wards[0].self_only);
    EXPECT_I("2023 of which the ward says met", 22, m.wards[0].self_only_met);
    EXPECT_I("wards all met before the review", 0, m.wards_all_met);
    json_t *j = ward_matrix_json(&m);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "summary"), "text")),
                        "0/1 phường đạt 22/22 tiêu chí");
    EXPECT_I("summary self_assessed", 22, json_integer_value(json_object_get(json_object_get(j, "summary"), "self_assessed")));
    json_t *c0 = json_array_get(json_object_get(json_array_get(json_object_get(j, "wards"), 0), "cells"), 0);
    assert_string_equal(json_string_value(json_object_get(c0, "cell")), "self");
    assert_string_equal(json_string_value(json_object_get(c0, "self")), "met");
    assert_true(json_is_null(json_object_get(c0, "review")));
    json_decref(j);
    ward_matrix_clear(&m);
    /* the province reviews every 2023 criterion met */
    for (int k = 1; k <= 22; k++) assess(f, f->a, 2023, k, CATALOG_SIDE_REVIEW, CATALOG_RES_MET, "2023-12-01");
    assert_int_equal(ward_matrix_build(f->cat, 2023, 0, &m), 0);
    EXPECT_I("2023 met after the review", 22, m.wards[0].met);
    EXPECT_I("2023 self-only after the review", 0, m.wards[0].self_only);
    EXPECT_I("wards all met after the review", 1, m.wards_all_met);
    j = ward_matrix_json(&m);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "summary"), "text")),
                        "1/1 phường đạt 22/22 tiêu chí");
    json_decref(j);
    ward_matrix_clear(&m);
    /* 2024: 15 self met, 5 self in progress; the province reviews 1–10 met
     * and 11 not met → met 10, not met 1, self-assessed only 9. */
    for (int k = 1; k <= 11; k++)
        assess(f, f->a, 2024, k, CATALOG_SIDE_REVIEW, k <= 10 ? CATALOG_RES_MET : CATALOG_RES_NOT_MET, "2024-06-10");
    assert_int_equal(ward_matrix_build(f->cat, 2024, 0, &m), 0);
    assert_int_equal(m.set.n_criteria, 20);
    EXPECT_I("2024 met (reviewed)", 10, m.wards[0].met);
    EXPECT_I("2024 not met (reviewed)", 1, m.wards[0].not_met);
    EXPECT_I("2024 self-assessed only", 9, m.wards[0].self_only);
    EXPECT_I("2024 of which the ward says met", 4, m.wards[0].self_only_met);
    EXPECT_I("2024 pending", 0, m.wards[0].pending);
    ward_matrix_clear(&m);

    /* progress: both years, each with its own set and timeline */
    j = ward_progress_json(f->cat, f->a);
    json_t *years = json_object_get(j, "years");
    assert_int_equal(json_array_size(years), 2);
    json_t *y23 = json_array_get(years, 0), *y24 = json_array_get(years, 1);
    assert_int_equal(json_integer_value(json_object_get(y23, "n_criteria")), 22);
    assert_int_equal(json_integer_value(json_object_get(y23, "met")), 22);
    assert_int_equal(json_integer_value(json_object_get(y23, "met_self")), 22);
    json_t *tl = json_object_get(y23, "timeline");
    /* 2023-06-01 and 2023-11-15: self-assessments only → 0 met; 2023-12-01:
     * the review → 22 */
    assert_int_equal(json_array_size(tl), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tl, 0), "met")), 0);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tl, 1), "met")), 0);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tl, 2), "met")), 22);
    assert_int_equal(json_integer_value(json_object_get(y24, "n_criteria")), 20);
    EXPECT_I("progress 2024 met (reviewed)", 10, json_integer_value(json_object_get(y24, "met")));
    EXPECT_I("progress 2024 self-assessed only", 9, json_integer_value(json_object_get(y24, "self_assessed")));
    json_decref(j);

    /* the ward page: a self-assessed criterion is never "met" */
    j = ward_assessments_json(f->cat, f->a, 2024);
    json_t *c12 = json_array_get(json_object_get(j, "criteria"), 11);
    assert_string_equal(json_string_value(json_object_get(c12, "cell")), "self");
    assert_true(json_is_null(json_object_get(c12, "review")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "criteria"), 0), "cell")), "met");
    json_decref(j);

    /* 2023's full history is still there, including the superseded answer */
    j = ward_assessments_json(f->cat, f->a, 2023);
    assert_int_equal(json_array_size(json_object_get(j, "history")), 45);
    assert_int_equal(json_array_size(json_object_get(j, "criteria")), 22);
    json_decref(j);
}

static void test_edit_in_use_makes_new_version(void **state)
{
    struct fx *f = *state;
    int64_t s22 = load(f, "../../data/criteria/default-22.json");
    struct catalog_criteria_set before;
    assert_int_equal(catalog_criteria_set_get(f->cat, s22, &before), 0);
    char *old_title = ww_strdup(before.criteria[0].title);
    json_t *edited = ward_criteria_to_json(&before);
    catalog_criteria_set_clear(&before);
    json_t *c1 = json_array_get(json_object_get(json_array_get(json_object_get(edited, "groups"), 0), "criteria"), 0);
    json_object_set_new(c1, "title", json_string("Tiêu chí 1 đã sửa"));

    /* not in use yet: edited in place, same id and version */
    int64_t nid = 0;
    bool newv = true;
    char *why = NULL;
    assert_int_equal(ward_criteria_edit(f->cat, s22, edited, "admin", &nid, &newv, &why), 0);
    assert_false(newv);
    assert_int_equal(nid, s22);
    struct catalog_criteria_set s;
    assert_int_equal(catalog_criteria_set_get(f->cat, s22, &s), 0);
    assert_string_equal(s.criteria[0].title, "Tiêu chí 1 đã sửa");
    assert_int_equal(s.version, 1);
    int64_t crit1 = s.criteria[0].id;
    catalog_criteria_set_clear(&s);

    /* now in use: a ward registered and assessed against it */
    assert_int_equal(ward_programme_register(f->cat, f->a, 2023, s22, "admin", &why), 0);
    assess(f, f->a, 2023, 1, CATALOG_SIDE_SELF, CATALOG_RES_MET, "2023-05-05");
    json_object_set_new(c1, "title", json_string("Tiêu chí 1 — bản 2"));
    assert_int_equal(ward_criteria_edit(f->cat, s22, edited, "admin", &nid, &newv, &why), 0);
    assert_true(newv);
    assert_true(nid != s22);
    assert_int_equal(catalog_criteria_set_get(f->cat, nid, &s), 0);
    assert_int_equal(s.version, 2);
    assert_int_equal(s.replaces_id, s22);
    assert_string_equal(s.family, "model-ward");
    assert_string_equal(s.criteria[0].title, "Tiêu chí 1 — bản 2");
    catalog_criteria_set_clear(&s);
    /* the old version is untouched, and the assessment still points at it */
    assert_int_equal(catalog_criteria_set_get(f->cat, s22, &s), 0);
    assert_string_equal(s.criteria[0].title, "Tiêu chí 1 đã sửa");
    assert_int_equal(s.criteria[0].id, crit1);
    catalog_criteria_set_clear(&s);
    struct ward_matrix m;
    assert_int_equal(ward_matrix_build(f->cat, 2023, 0, &m), 0);
    assert_int_equal(m.set_id, s22);
    assert_int_equal(m.wards[0].self_only, 1);   /* self-assessed, against the old version */
    assert_int_equal(m.wards[0].met, 0);
    ward_matrix_clear(&m);
    /* a malformed edit changes nothing */
    json_t *broken = json_pack("{s:s,s:i,s:i,s:[]}", "name", "x", "year_from", 2021, "year_to", 2023, "groups");
    assert_int_equal(ward_criteria_edit(f->cat, s22, broken, "admin", &nid, &newv, &why), WW_EINVAL);
    free(why);
    json_decref(broken);
    json_decref(edited);
    free(old_title);
}

static void test_self_and_review_apart(void **state)
{
    struct fx *f = *state;
    int64_t s22 = load(f, "../../data/criteria/default-22.json");
    char *why = NULL;
    assert_int_equal(ward_programme_register(f->cat, f->a, 2023, s22, "admin", &why), 0);
    assert_int_equal(ward_programme_register(f->cat, f->b, 2023, 0, "admin", &why), 0);  /* set for the year */
    assess(f, f->a, 2023, 4, CATALOG_SIDE_SELF, CATALOG_RES_MET, "2023-06-01");
    assess(f, f->a, 2023, 5, CATALOG_SIDE_SELF, CATALOG_RES_MET, "2023-06-01");
    assess(f, f->a, 2023, 4, CATALOG_SIDE_REVIEW, CATALOG_RES_NOT_MET, "2023-09-01");
    assess(f, f->b, 2023, 4, CATALOG_SIDE_SELF, CATALOG_RES_NOT_MET, "2023-06-02");
    struct ward_matrix m;
    assert_int_equal(ward_matrix_build(f->cat, 2023, 0, &m), 0);
    assert_int_equal(m.n_wards, 2);
    const struct ward_matrix_ward *a = m.wards[0].ward_id == f->a ? &m.wards[0] : &m.wards[1];
    assert_int_equal(a->self[3], CATALOG_RES_MET);
    assert_int_equal(a->review[3], CATALOG_RES_NOT_MET);
    assert_int_equal(a->cell[3], WARD_CELL_NOT_MET);  /* the review wins */
    assert_int_equal(a->cell[4], WARD_CELL_SELF);     /* self only: not met, shown apart */
    assert_int_equal(a->cell[0], WARD_CELL_PENDING);
    EXPECT_I("ward A met", 0, a->met);
    EXPECT_I("ward A self-assessed only", 1, a->self_only);
    /* #4 is unmet only where the province said so (ward A); ward B's own
     * "not met" is a self-assessment */
    EXPECT_I("wards where #4 is reviewed not met", 1, m.unmet_count[3]);
    const struct ward_matrix_ward *b4 = a == &m.wards[0] ? &m.wards[1] : &m.wards[0];
    assert_int_equal(b4->cell[3], WARD_CELL_SELF);
    EXPECT_I("ward B not met (reviewed)", 0, b4->not_met);
    json_t *j = ward_matrix_json(&m);
    json_t *worst = json_array_get(json_object_get(j, "most_unmet"), 0);
    assert_int_equal(json_integer_value(json_object_get(worst, "num")), 4);
    assert_int_equal(json_integer_value(json_object_get(worst, "wards_not_met")), 1);
    EXPECT_I("summary: self-assessed cells", 2, json_integer_value(json_object_get(json_object_get(j, "summary"), "self_assessed")));
    json_decref(j);
    struct ww_buf b = {0};
    ward_matrix_csv(&m, &b);
    ww_buf_append(&b, "", 1);
    assert_non_null(strstr((const char *)b.data, "ward,TC1,TC2"));
    assert_non_null(strstr((const char *)b.data, "chưa đạt"));
    ww_buf_free(&b);
    ward_matrix_clear(&m);
    /* recognition: once per ward and year */
    assert_int_equal(ward_recognise(f->cat, f->a, 2023, "123/QĐ-BCA", "20/12/2023", NULL, "admin", &why), 0);
    assert_int_equal(ward_recognise(f->cat, f->a, 2023, "124/QĐ-BCA", "21/12/2023", NULL, "admin", &why), WW_ECONFLICT);
    free(why); why = NULL;
    assert_int_equal(ward_recognise(f->cat, f->a, 2023, "125", "31/02/2023", NULL, "admin", &why), WW_EINVAL);
    free(why); why = NULL;
    /* evidence file: stored under the data folder with its hash */
    struct catalog_assessment *cur;
    size_t n;
    assert_int_equal(catalog_assessment_current(f->cat, 2023, f->a, &cur, &n), 0);
    int64_t fid = 0;
    assert_int_equal(ward_assessment_attach(f->cat, f->dir, cur[0].id, "biên bản ../x.pdf", "%PDF-1.4 x", 10,
                                            "officer", &fid, &why), 0);
    catalog_assessment_list_free(cur, n);
    struct catalog_assessment_file file;
    assert_int_equal(catalog_assessment_file_get(f->cat, fid, &file), 0);
    assert_null(strstr(file.stored_path, ".."));
    assert_string_equal(file.file_name, "biên bản ../x.pdf");
    char *p = ww_asprintf("%s/%s", f->dir, file.stored_path);
    char *text = NULL;
    size_t len;
    assert_int_equal(ww_read_file(p, 100, &text, &len), 0);
    assert_int_equal(len, 10);
    free(text);
    free(p);
    free(file.file_name); free(file.stored_path); free(file.sha256); free(file.added_by);
}

static void test_default_template_first_use(void **state)
{
    struct fx *f = *state;
    char *dir = src_path("../../data/criteria");
    setenv("WARDWATCH_CRITERIA_DIR", dir, 1);
    free(dir);
    assert_int_equal(ward_criteria_ensure_default(f->cat), 0);
    assert_int_equal(ward_criteria_ensure_default(f->cat), 0);  /* second call loads nothing */
    struct catalog_criteria_set *v;
    size_t n;
    assert_int_equal(catalog_criteria_set_list(f->cat, &v, &n), 0);
    assert_int_equal(n, 2);
    bool found22 = false;
    for (size_t i = 0; i < n; i++) {
        assert_non_null(strstr(v[i].note, "không phải văn bản chính thức"));
        if (v[i].n_criteria == 22) {
            found22 = true;
            assert_int_equal(v[i].year_from, 2021);
            assert_int_equal(v[i].year_to, 2023);
        }
    }
    assert_true(found22);
    catalog_criteria_set_list_free(v, n);
    struct catalog_criteria_set s;
    int64_t id;
    assert_int_equal(catalog_criteria_set_for_year(f->cat, 2022, &id), 0);
    assert_int_equal(catalog_criteria_set_get(f->cat, id, &s), 0);
    assert_int_equal(s.n_criteria, 22);
    assert_int_equal(s.n_groups, 8);
    for (size_t i = 0; i < s.n_criteria; i++) {
        assert_int_equal(s.criteria[i].num, (int)i + 1);
        assert_non_null(s.criteria[i].evidence);
    }
    catalog_criteria_set_clear(&s);
    unsetenv("WARDWATCH_CRITERIA_DIR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_two_sets_keep_both_histories, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_in_use_makes_new_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_and_review_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_template_first_use, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
