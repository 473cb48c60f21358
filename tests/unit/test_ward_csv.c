/*
 * test_ward_csv.c — the incident CSV import is all or nothing with
 * line-numbered errors (wrong columns, bad dates, unknown categories,
 * coordinates out of range, wrong field counts, not UTF-8), and an export
 * imports back.  Fixtures: the CSV files in tests/fixtures/ward, found from this
 * source file.
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

struct fx { char dir[64]; catalog_t *cat; };

static char *fixture(const char *name)
{
    char *src = ww_strdup(__FILE__);
    char *p = ww_asprintf("%s/../fixtures/ward/%s", dirname(src), name);
    free(src);
    char *text = NULL;
    size_t len;
    int rc = ww_read_file(p, 1 << 20, &text, &len);
    if (rc) fail_msg("cannot read fixture %s: %s", p, ww_strerror(rc));
    free(p);
    return text;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/ww-test-csv-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    char *db = ww_asprintf("%s/wardwatch.db", f->dir);
    int rc = catalog_open(db, CATALOG_CREATE, &f->cat);
    free(db);
    if (rc) return -1;
    struct catalog_ward wa = {.name = "Phường A"}, wb = {.name = "Phường B"};
    if (catalog_ward_add(f->cat, &wa) || catalog_ward_add(f->cat, &wb)) return -1;
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

static int64_t count(catalog_t *cat)
{
    struct catalog_incident_filter f = {.status = -1, .limit = 1};
    struct catalog_incident *v;
    size_t n;
    int64_t total = -1;
    assert_int_equal(catalog_incident_search(cat, &f, &v, &n, &total), 0);
    catalog_incident_list_free(v, n);
    return total;
}

/* Imports a fixture expecting failure; checks the error lines and that
 * nothing was written. */
static void expect_bad(struct fx *f, const char *name, const int *lines, size_t nlines, const char *word)
{
    char *text = fixture(name);
    int64_t before = count(f->cat);
    struct ward_csv_result r;
    int rc = ward_csv_import(f->cat, text, strlen(text), "test", OFF, 50, 0, &r);
    free(text);
    if (rc != WW_EINVAL) fail_msg("%s: expected WW_EINVAL, got %s", name, ww_strerror(rc));
    for (size_t i = 0; i < r.n_errors; i++) fprintf(stderr, "  %s:%d: %s\n", name, r.errors[i].line, r.errors[i].msg);
    if (r.n_errors != nlines) fail_msg("%s: expected %zu errors, seen %zu", name, nlines, r.n_errors);
    for (size_t i = 0; i < nlines; i++)
        if (r.errors[i].line != lines[i]) fail_msg("%s: error %zu: expected line %d, seen %d", name, i, lines[i], r.errors[i].line);
    if (word && !strstr(r.errors[0].msg, word)) fail_msg("%s: expected \"%s\" in \"%s\"", name, word, r.errors[0].msg);
    assert_int_equal(r.imported, 0);
    ward_csv_result_clear(&r);
    int64_t after = count(f->cat);
    if (after != before) fail_msg("%s: expected nothing imported (%lld rows), seen %lld", name, (long long)before, (long long)after);
}

static void test_bad_inputs(void **state)
{
    struct fx *f = *state;
    expect_bad(f, "bad-columns.csv", (int[]){1}, 1, "unknown column 'colour'");
    expect_bad(f, "bad-dates.csv", (int[]){3, 4}, 2, "31/02/2024");
    expect_bad(f, "bad-category.csv", (int[]){3}, 1, "unknown category 'bão lụt'");
    expect_bad(f, "bad-coords.csv", (int[]){3, 4, 5}, 3, "latitude 95.5");
    expect_bad(f, "bad-fieldcount.csv", (int[]){3}, 1, "expected 4 fields");

    /* a missing required column, a duplicate one */
    struct ward_csv_result r;
    const char *t = "occurred_at,ward,summary,ward\n05/03/2024 10:00,Phường A,x,Phường A\n";
    assert_int_equal(ward_csv_import(f->cat, t, strlen(t), "test", OFF, 50, 0, &r), WW_EINVAL);
    assert_int_equal(r.n_errors, 2);
    assert_non_null(strstr(r.errors[0].msg, "appears twice"));
    assert_non_null(strstr(r.errors[1].msg, "'category' is missing"));
    ward_csv_result_clear(&r);
    /* not UTF-8 (Windows-1258 byte) on line 2 */
    t = "occurred_at,ward,category,summary\n05/03/2024 10:00,Ph\xf0\x28\x8c\x28,criminal,x\n";
    assert_int_equal(ward_csv_import(f->cat, t, strlen(t), "test", OFF, 50, 0, &r), WW_EINVAL);
    assert_int_equal(r.n_errors, 1);
    assert_int_equal(r.errors[0].line, 2);
    ward_csv_result_clear(&r);
    /* unknown ward, a figure that does not apply, a future date, empty summary */
    t = "occurred_at,ward,category,summary,drug_grams\n"
        "05/03/2024 10:00,Phường Z,criminal,x,\n"
        "05/03/2024 10:00,Phường A,traffic,x,3\n"
        "05/03/2099 10:00,Phường A,criminal,x,\n"
        "05/03/2024 10:00,Phường A,criminal,,\n";
    assert_int_equal(ward_csv_import(f->cat, t, strlen(t), "test", OFF, 50, 0, &r), WW_EINVAL);
    assert_int_equal(r.n_errors, 4);
    assert_non_null(strstr(r.errors[0].msg, "unknown ward"));
    assert_non_null(strstr(r.errors[1].msg, "drug_grams does not apply"));
    assert_non_null(strstr(r.errors[2].msg, "future"));
    assert_non_null(strstr(r.errors[3].msg, "summary"));
    ward_csv_result_clear(&r);
    /* an empty file, an unclosed quote */
    assert_int_equal(ward_csv_import(f->cat, "", 0, "test", OFF, 50, 0, &r), WW_EINVAL);
    ward_csv_result_clear(&r);
    t = "occurred_at,ward,category,summary\n05/03/2024 10:00,Phường A,criminal,\"open\n";
    assert_int_equal(ward_csv_import(f->cat, t, strlen(t), "test", OFF, 50, 0, &r), WW_EINVAL);
    assert_int_equal(r.errors[0].line, 2);
    ward_csv_result_clear(&r);
    assert_int_equal(count(f->cat), 0);
}

static void test_good_import_and_round_trip(void **state)
{
    struct fx *f = *state;
    char *text = fixture("good.csv");
    struct ward_csv_result r;
    int rc = ward_csv_import(f->cat, text, strlen(text), "importer", OFF, 50, 0, &r);
    for (size_t i = 0; i < r.n_errors; i++) fprintf(stderr, "  good.csv:%d: %s\n", r.errors[i].line, r.errors[i].msg);
    free(text);
    assert_int_equal(rc, 0);
    assert_int_equal(r.imported, 3);
    ward_csv_result_clear(&r);
    assert_int_equal(count(f->cat), 3);

    struct catalog_incident_filter flt = {.status = -1};
    struct catalog_incident *v;
    size_t n;
    assert_int_equal(catalog_incident_search(f->cat, &flt, &v, &n, NULL), 0);
    assert_int_equal(n, 3);
    /* newest first: 06/03 21:00 traffic with a multi-line summary */
    assert_string_equal(v[0].category_code, "traffic");
    assert_string_equal(v[0].summary, "Va chạm xe máy\nnhiều dòng");
    assert_string_equal(v[0].address, "Ngã tư \"Quang Trung\"");
    assert_true(v[0].has & CATALOG_FIG_DEATHS);
    assert_int_equal(v[0].injuries, 2);
    assert_string_equal(v[1].category_code, "drugs");
    assert_true(v[1].drug_grams == 1.5);
    assert_string_equal(v[2].created_by, "importer");
    assert_true(v[2].has_pos);
    /* 05/03/2024 14:30 local = 07:30 UTC */
    char t[40];
    assert_string_equal(ward_time_iso(v[2].occurred_at, 0, t, sizeof t), "2024-03-05T07:30:00Z");
    json_t *h = ward_incident_history_json(f->cat, v[2].id, OFF);
    assert_int_equal(json_array_size(h), 1);
    json_decref(h);
    catalog_incident_list_free(v, n);

    /* export → import gives the same rows again */
    struct ww_buf b = {0};
    struct catalog_incident_filter all = {.status = -1};
    assert_int_equal(ward_csv_export(f->cat, &all, OFF, &b), 0);
    assert_int_equal(ward_csv_import(f->cat, (const char *)b.data, b.len, "again", OFF, 50, 0, &r), 0);
    assert_int_equal(r.imported, 3);
    ward_csv_result_clear(&r);
    ww_buf_free(&b);
    assert_int_equal(count(f->cat), 6);
    /* the exported window: only the ward and period asked for */
    struct catalog_incident_filter one = {.status = -1, .ward_id = 2};
    assert_int_equal(ward_csv_export(f->cat, &one, OFF, &b), 0);
    ww_buf_append(&b, "", 1);
    assert_null(strstr((const char *)b.data, "Phường A"));
    assert_non_null(strstr((const char *)b.data, "Phường B"));
    ww_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bad_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_good_import_and_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
