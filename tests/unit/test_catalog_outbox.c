/*
 * test_catalog_outbox.c — the province outbox (catalog/cat_outbox.h): nothing
 * is written before the station is joined; a change's outbox row commits and
 * rolls back with it; seq strictly increases; repl_state carries the latest
 * version and deletes; the census counts live rows and the highest version;
 * the snapshot is framed and gives every live row a newer version; mark_sent,
 * resend (include_sent) and prune; an assessment carries its criterion's
 * number (052).
 */
// clang-format off: cmocka.h needs these first
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "catalog/cat_outbox.h"
#include "catalog/cat_ward_work.h"
#include "catalog/catalog.h"

struct fx {
    char dir[64];
    char path[96];
    catalog_t *cat;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/ww-outbox-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/c.db", f->dir);
    if (catalog_open(f->path, CATALOG_CREATE, &f->cat)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    catalog_close(f->cat);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd)) return -1;
    free(f);
    return 0;
}

static int64_t add_ward(catalog_t *cat, const char *name)
{
    struct catalog_ward w = {.name = (char *)name};
    assert_int_equal(catalog_ward_add(cat, &w), 0);
    return w.id;
}

static void fetch_all(catalog_t *cat, struct catalog_outbox_row **rows, size_t *n)
{
    assert_int_equal(catalog_outbox_next(cat, 0, true, 1000, rows, n), 0);
}

static void test_not_joined_writes_nothing(void **state)
{
    struct fx *f = *state;
    add_ward(f->cat, "W0");
    struct catalog_outbox_row *rows;
    size_t n;
    fetch_all(f->cat, &rows, &n);
    assert_int_equal(n, 0);
    catalog_outbox_rows_free(rows, n);
    assert_int_equal(catalog_outbox_snapshot(f->cat), WW_EINVAL);
    /* storage (no table): put writes nothing before the join, one row after */
    assert_int_equal(catalog_outbox_put(f->cat, "storage", "disk", "{\"free_bytes\":1}"), 0);
    fetch_all(f->cat, &rows, &n);
    assert_int_equal(n, 0);
    catalog_outbox_rows_free(rows, n);
    assert_int_equal(catalog_setting_set(f->cat, CATALOG_OUTBOX_STATION, "st-1"), 0);
    assert_int_equal(catalog_outbox_put(f->cat, "storage", "disk", "{\"free_bytes\":1}"), 0);
    fetch_all(f->cat, &rows, &n);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].entity, "storage");
    assert_string_equal(rows[0].data, "{\"free_bytes\":1}");
    catalog_outbox_rows_free(rows, n);
}

static void test_same_txn_and_seq(void **state)
{
    struct fx *f = *state;
    assert_int_equal(catalog_setting_set(f->cat, CATALOG_OUTBOX_STATION, "st-1"), 0);

    /* rolled back with the change */
    assert_int_equal(catalog_begin(f->cat), 0);
    add_ward(f->cat, "gone");
    catalog_rollback(f->cat);
    struct catalog_outbox_row *rows;
    size_t n;
    fetch_all(f->cat, &rows, &n);
    assert_int_equal(n, 0);
    catalog_outbox_rows_free(rows, n);

    /* committed with it: three wards in one txn, then one alone */
    assert_int_equal(catalog_begin(f->cat), 0);
    add_ward(f->cat, "A");
    add_ward(f->cat, "B");
    add_ward(f->cat, "C");
    assert_int_equal(catalog_commit(f->cat), 0);
    int64_t d = add_ward(f->cat, "D");
    fetch_all(f->cat, &rows, &n);
    assert_int_equal(n, 4);
    for (size_t i = 1; i < n; i++) assert_true(rows[i].seq > rows[i - 1].seq);
    assert_string_equal(rows[0].entity, "ward");
    assert_string_equal(rows[0].op, "upsert");
    assert_non_null(strstr(rows[0].data, "\"name\":\"A\""));
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)d);
    assert_string_equal(rows[3].id, id);
    int64_t last = rows[3].seq;
    catalog_outbox_rows_free(rows, n);

    int64_t backlog, sent, max;
    assert_int_equal(catalog_outbox_stats(f->cat, &backlog, &sent, &max), 0);
    assert_int_equal(backlog, 4);
    assert_int_equal(sent, 0);
    assert_int_equal(max, last);

    /* census: 4 live wards, max_version = last seq */
    char *census = NULL;
    assert_int_equal(catalog_outbox_census(f->cat, &census), 0);
    char want[128];
    snprintf(want, sizeof want, "{\"ward\":{\"count\":4,\"max_version\":%lld}}", (long long)last);
    assert_string_equal(census, want);
    free(census);
}

static void test_mark_sent_resend_prune(void **state)
{
    struct fx *f = *state;
    assert_int_equal(catalog_setting_set(f->cat, CATALOG_OUTBOX_STATION, "st-1"), 0);
    add_ward(f->cat, "A");
    add_ward(f->cat, "B");
    struct catalog_outbox_row *rows;
    size_t n;
    assert_int_equal(catalog_outbox_next(f->cat, 0, false, 10, &rows, &n), 0);
    assert_int_equal(n, 2);
    int64_t s1 = rows[0].seq, s2 = rows[1].seq;
    catalog_outbox_rows_free(rows, n);
    assert_int_equal(catalog_outbox_mark_sent(f->cat, s1, 1000), 0);
    assert_int_equal(catalog_outbox_next(f->cat, 0, false, 10, &rows, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].seq, s2);
    catalog_outbox_rows_free(rows, n);
    /* a resend from s1 serves the sent row again */
    assert_int_equal(catalog_outbox_next(f->cat, s1 - 1, true, 10, &rows, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].seq, s1);
    catalog_outbox_rows_free(rows, n);
    int64_t backlog, sent, max;
    assert_int_equal(catalog_outbox_stats(f->cat, &backlog, &sent, &max), 0);
    assert_int_equal(backlog, 1);
    assert_int_equal(sent, s1);
    /* prune keeps the last row; s1 is sent and old: goes */
    int64_t del = -1;
    assert_int_equal(catalog_outbox_prune(f->cat, 2000, 1, &del), 0);
    assert_int_equal(del, 1);
    /* an unsent row is never pruned */
    assert_int_equal(catalog_outbox_prune(f->cat, 1LL << 60, 0, &del), 0);
    assert_int_equal(del, 0);
}

static void test_repl_state_delete_and_snapshot(void **state)
{
    struct fx *f = *state;
    assert_int_equal(catalog_setting_set(f->cat, CATALOG_OUTBOX_STATION, "st-1"), 0);
    add_ward(f->cat, "A");
    struct catalog_camera c = {.name = "cam", .main_url = "rtsp://10.0.0.1/main", .transport = "tcp",
                               .enabled = true, .retention_days = 30, .direction_deg = -1};
    assert_int_equal(catalog_camera_add(f->cat, &c), 0);
    assert_int_equal(catalog_camera_remove(f->cat, c.id), 0);
    char *census = NULL;
    assert_int_equal(catalog_outbox_census(f->cat, &census), 0);
    /* the removed camera: no live row, but its delete is version 3 */
    assert_string_equal(census, "{\"camera\":{\"count\":0,\"max_version\":3},"
                                "\"ward\":{\"count\":1,\"max_version\":1}}");
    free(census);

    assert_int_equal(catalog_outbox_snapshot(f->cat), 0);
    struct catalog_outbox_row *rows;
    size_t n;
    assert_int_equal(catalog_outbox_next(f->cat, 3, true, 100, &rows, &n), 0);
    /* begin, ward A, end (the camera is deleted; no audit rows yet) */
    assert_int_equal(n, 3);
    assert_string_equal(rows[0].entity, "snapshot");
    assert_non_null(strstr(rows[0].data, "begin"));
    assert_string_equal(rows[1].entity, "ward");
    assert_int_equal(rows[1].seq, 5);
    assert_non_null(strstr(rows[2].data, "end"));
    catalog_outbox_rows_free(rows, n);
    assert_int_equal(catalog_outbox_census(f->cat, &census), 0);
    assert_string_equal(census, "{\"camera\":{\"count\":0,\"max_version\":3},"
                                "\"ward\":{\"count\":1,\"max_version\":5}}");
    free(census);
}

/* 052: an assessment reaches the hub with its criterion's number (what the
 * province matrix and a review name), title, set and notes — when it is
 * added and in the snapshot; criterion_id (the station's row id) stays. */
static void test_assessment_carries_criterion_number(void **state)
{
    struct fx *f = *state;
    int64_t ward = add_ward(f->cat, "A");
    struct catalog_criterion crit[2] = {{.group_num = 1, .num = 1, .title = "Một"},
                                        {.group_num = 1, .num = 7, .title = "Bảy"}};
    struct catalog_criteria_group grp = {.num = 1, .name = "Nhóm"};
    struct catalog_criteria_set set = {.family = "pdh", .version = 2, .name = "Bộ", .year_from = 2026,
                                       .year_to = 2026, .created_us = 1, .created_by = "t",
                                       .groups = &grp, .n_groups = 1, .criteria = crit, .n_criteria = 2};
    assert_int_equal(catalog_begin(f->cat), 0);
    assert_int_equal(catalog_criteria_set_add(f->cat, &set), 0);
    assert_int_equal(catalog_commit(f->cat), 0);
    assert_int_equal(catalog_setting_set(f->cat, CATALOG_OUTBOX_STATION, "st-1"), 0);
    struct catalog_assessment a = {.ward_id = ward, .year = 2026, .criterion_id = crit[1].id,
                                   .side = CATALOG_SIDE_SELF, .result = CATALOG_RES_MET, .notes = "ghi chú",
                                   .assessor = "phường", .assessed_on = "2026-11-01", .at_us = 5};
    assert_int_equal(catalog_assessment_add(f->cat, &a), 0);
    struct catalog_outbox_row *rows;
    size_t n;
    fetch_all(f->cat, &rows, &n);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].entity, "assessment");
    assert_non_null(strstr(rows[0].data, "\"criterion\":7"));
    assert_non_null(strstr(rows[0].data, "\"criterion_title\":\"Bảy\""));
    assert_non_null(strstr(rows[0].data, "\"set_family\":\"pdh\",\"set_version\":2"));
    assert_non_null(strstr(rows[0].data, "\"notes\":\"ghi chú\""));
    char want[48];
    snprintf(want, sizeof want, "\"criterion_id\":%lld", (long long)crit[1].id);
    assert_non_null(strstr(rows[0].data, want));
    catalog_outbox_rows_free(rows, n);
    assert_int_equal(catalog_outbox_snapshot(f->cat), 0);
    assert_int_equal(catalog_outbox_next(f->cat, 1, true, 100, &rows, &n), 0);
    bool seen = false;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].entity, "assessment"))
            seen = strstr(rows[i].data, "\"criterion\":7") && strstr(rows[i].data, "\"set_version\":2");
    assert_true(seen);
    catalog_outbox_rows_free(rows, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_not_joined_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_txn_and_seq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mark_sent_resend_prune, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repl_state_delete_and_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_assessment_carries_criterion_number, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
