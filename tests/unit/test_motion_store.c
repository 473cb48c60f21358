/*
 * test_motion_store.c — the motion event store (catalog/cat_events.h):
 * insert with and without thumbnail, validation, filters (cameras, zone,
 * overlap with a time range, score), newest-first order, offset and keyset
 * paging, count, prune, and per-camera settings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "catalog/cat_events.h"
#include "catalog/catalog.h"

#define S 1000000LL

struct fx {
    char dir[64];
    char *path;
    catalog_t *cat;
    int64_t cam[3];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/ww-motion-store-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    f->path = ww_asprintf("%s/wardwatch.db", f->dir);
    if (catalog_open(f->path, CATALOG_CREATE, &f->cat)) return -1;
    for (int i = 0; i < 3; i++) {
        char name[16], url[32];
        snprintf(name, sizeof name, "cam%d", i + 1);
        snprintf(url, sizeof url, "rtsp://127.0.0.1/x%d", i + 1); /* one device = one camera */
        struct catalog_camera c = {.name = name, .main_url = url, .transport = "tcp",
                               .enabled = true, .retention_days = 30, .direction_deg = -1};
        if (catalog_camera_add(f->cat, &c)) return -1;
        f->cam[i] = c.id;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    catalog_close(f->cat);
    char *wal = ww_asprintf("%s-wal", f->path), *shm = ww_asprintf("%s-shm", f->path);
    unlink(f->path);
    unlink(wal);
    unlink(shm);
    rmdir(f->dir);
    free(wal);
    free(shm);
    free(f->path);
    free(f);
    return 0;
}

static struct catalog_event ev(int64_t cam, int64_t start_s, int64_t len_s, const char *zone, double score)
{
    return (struct catalog_event){.camera_id = cam, .start_us = start_s * S,
                              .end_us = (start_s + len_s) * S, .peak_us = start_s * S,
                              .peak_score = score, .zone = (char *)zone};
}

static void fill(struct fx *f)
{
    /* cam0: events every 100 s from t=1000 to 1900 (10 events), zone gate/yard
     * alternating; cam1: 5 events at 1050..1450; cam2: one long event. */
    for (int i = 0; i < 10; i++) {
        struct catalog_event e = ev(f->cam[0], 1000 + i * 100, 10, i % 2 ? "yard" : "gate", i / 10.0);
        assert_int_equal(catalog_event_add(f->cat, &e, NULL, 0), 0);
        assert_true(e.id > 0);
    }
    struct catalog_event b[5];
    for (int i = 0; i < 5; i++) b[i] = ev(f->cam[1], 1050 + i * 100, 5, "all", 0.5);
    assert_int_equal(catalog_event_add_batch(f->cat, b, 5), 0);
    for (int i = 0; i < 5; i++) assert_true(b[i].id > 0);
    struct catalog_event l = ev(f->cam[2], 500, 3000, "all", 0.9); /* 500..3500 */
    uint8_t jpg[] = {0xFF, 0xD8, 1, 2, 3, 0xFF, 0xD9};
    assert_int_equal(catalog_event_add(f->cat, &l, jpg, sizeof jpg), 0);
    assert_true(l.has_thumbnail);
}

static void test_insert_validation(void **state)
{
    struct fx *f = *state;
    struct catalog_event e = ev(f->cam[0], 100, 10, "gate", 0.5);
    e.end_us = e.start_us - 1;
    assert_int_equal(catalog_event_add(f->cat, &e, NULL, 0), WW_EINVAL);
    e = ev(f->cam[0], 100, 7200, "gate", 0.5); /* longer than an hour */
    assert_int_equal(catalog_event_add(f->cat, &e, NULL, 0), WW_EINVAL);
    e = ev(f->cam[0], 100, 10, "gate", 1.5);
    assert_int_equal(catalog_event_add(f->cat, &e, NULL, 0), WW_EINVAL);
    e = ev(f->cam[0], 100, 10, "gate", 0.5);
    e.peak_us = e.end_us + 1;
    assert_int_equal(catalog_event_add(f->cat, &e, NULL, 0), WW_EINVAL);
    e = ev(99999, 100, 10, "gate", 0.5); /* unknown camera */
    assert_int_not_equal(catalog_event_add(f->cat, &e, NULL, 0), 0);
    struct catalog_event bad[2] = {ev(f->cam[0], 100, 10, "a", 0.1), ev(f->cam[0], 100, 10, "a", 2)};
    assert_int_equal(catalog_event_add_batch(f->cat, bad, 2), WW_EINVAL);
    struct catalog_event_filter all = {0};
    int64_t n;
    assert_int_equal(catalog_event_count(f->cat, &all, &n), 0);
    assert_int_equal(n, 0); /* nothing half-inserted */
}

static void test_query_filters(void **state)
{
    struct fx *f = *state;
    fill(f);
    struct catalog_event *v;
    size_t n;
    int64_t cnt;

    /* everything, newest first */
    struct catalog_event_filter all = {0};
    assert_int_equal(catalog_event_query(f->cat, &all, &v, &n), 0);
    assert_int_equal(n, 16);
    for (size_t i = 1; i < n; i++) assert_true(v[i - 1].start_us >= v[i].start_us);
    assert_int_equal(v[0].start_us, 1900 * S);
    assert_int_equal(v[n - 1].start_us, 500 * S);
    assert_true(v[n - 1].has_thumbnail);
    assert_false(v[0].has_thumbnail);
    catalog_event_list_free(v, n);

    /* one camera, a time range: overlap semantics (an event that started
     * before 'from' but is still going counts) */
    int64_t c0 = f->cam[0], c2 = f->cam[2];
    struct catalog_event_filter one = {.camera_ids = &c0, .n_cameras = 1, .from_us = 1205 * S,
                                   .to_us = 1500 * S};
    assert_int_equal(catalog_event_query(f->cat, &one, &v, &n), 0);
    assert_int_equal(n, 3); /* 1400, 1300, 1200 (1200..1210 overlaps 1205) */
    assert_int_equal(v[0].start_us, 1400 * S);
    assert_int_equal(v[2].start_us, 1200 * S);
    catalog_event_list_free(v, n);
    struct catalog_event_filter longf = {.camera_ids = &c2, .n_cameras = 1, .from_us = 3000 * S,
                                     .to_us = 3100 * S};
    assert_int_equal(catalog_event_count(f->cat, &longf, &cnt), 0);
    assert_int_equal(cnt, 1);

    /* several cameras, zone, score */
    int64_t two[2] = {f->cam[0], f->cam[1]};
    struct catalog_event_filter z = {.camera_ids = two, .n_cameras = 2, .zone = "yard"};
    assert_int_equal(catalog_event_count(f->cat, &z, &cnt), 0);
    assert_int_equal(cnt, 5);
    struct catalog_event_filter sc = {.camera_ids = two, .n_cameras = 2, .min_score = 0.45};
    assert_int_equal(catalog_event_count(f->cat, &sc, &cnt), 0);
    assert_int_equal(cnt, 5 + 5); /* cam0 scores 0.5..0.9, cam1 all 0.5 */

    /* paging: offset and keyset give the same pages */
    struct catalog_event_filter p = {.limit = 4};
    struct catalog_event *pages[5];
    size_t np[5];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(catalog_event_query(f->cat, &p, &pages[i], &np[i]), 0);
        if (np[i]) {
            p.before_start_us = pages[i][np[i] - 1].start_us;
            p.before_id = pages[i][np[i] - 1].id;
        }
    }
    assert_int_equal(np[0] + np[1] + np[2] + np[3], 16);
    struct catalog_event_filter po = {.limit = 4, .offset = 8};
    struct catalog_event *vo;
    size_t no;
    assert_int_equal(catalog_event_query(f->cat, &po, &vo, &no), 0);
    assert_int_equal(no, 4);
    for (size_t i = 0; i < no; i++) assert_int_equal(vo[i].id, pages[2][i].id);
    catalog_event_list_free(vo, no);
    for (int i = 0; i < 4; i++) catalog_event_list_free(pages[i], np[i]);

    /* bad filters */
    struct catalog_event_filter bad = {.from_us = 10 * S, .to_us = 5 * S};
    assert_int_equal(catalog_event_query(f->cat, &bad, &v, &n), WW_EINVAL);
    struct catalog_event_filter big = {.limit = 100000};
    assert_int_equal(catalog_event_query(f->cat, &big, &v, &n), WW_EINVAL);
}

static void test_thumbnail_get_prune(void **state)
{
    struct fx *f = *state;
    fill(f);
    int64_t c2 = f->cam[2];
    struct catalog_event_filter fl = {.camera_ids = &c2, .n_cameras = 1};
    struct catalog_event *v;
    size_t n;
    assert_int_equal(catalog_event_query(f->cat, &fl, &v, &n), 0);
    assert_int_equal(n, 1);
    uint8_t *jpg;
    size_t len;
    assert_int_equal(catalog_event_thumbnail(f->cat, v[0].id, &jpg, &len), 0);
    assert_int_equal(len, 7);
    assert_int_equal(jpg[0], 0xFF);
    free(jpg);
    struct catalog_event one;
    assert_int_equal(catalog_event_get(f->cat, v[0].id, &one), 0);
    assert_string_equal(one.zone, "all");
    assert_int_equal(one.end_us, 3500 * S);
    catalog_event_clear(&one);
    assert_int_equal(catalog_event_get(f->cat, 987654, &one), WW_ENOTFOUND);
    int64_t other = v[0].id - 1; /* a cam1 event, no thumbnail */
    assert_int_equal(catalog_event_thumbnail(f->cat, other, &jpg, &len), WW_ENOTFOUND);
    assert_null(jpg);
    catalog_event_list_free(v, n);

    int64_t del;
    assert_int_equal(catalog_event_prune(f->cat, f->cam[0], 1500 * S, &del), 0);
    assert_int_equal(del, 5);
    assert_int_equal(catalog_event_prune(f->cat, 0, 1000 * S, &del), 0);
    assert_int_equal(del, 1); /* cam2's 500 s event, with its thumbnail */
    struct catalog_event_filter all = {0};
    int64_t cnt;
    assert_int_equal(catalog_event_count(f->cat, &all, &cnt), 0);
    assert_int_equal(cnt, 10);
}

static void test_settings(void **state)
{
    struct fx *f = *state;
    struct catalog_motion_settings s;
    assert_int_equal(catalog_motion_settings_get(f->cat, f->cam[0], &s), WW_ENOTFOUND);
    s = (struct catalog_motion_settings){.camera_id = f->cam[0], .enabled = true, .sensitivity = 70,
                                     .min_area_pct = 1.5, .rate_fps = 4, .keyframes_only = true,
                                     .zones_json = "{\"zones\":[]}"};
    assert_int_equal(catalog_motion_settings_set(f->cat, &s), 0);
    struct catalog_motion_settings g;
    assert_int_equal(catalog_motion_settings_get(f->cat, f->cam[0], &g), 0);
    assert_int_equal(g.sensitivity, 70);
    assert_true(g.min_area_pct == 1.5 && g.rate_fps == 4 && g.keyframes_only && g.enabled);
    assert_string_equal(g.zones_json, "{\"zones\":[]}");
    assert_true(g.updated_us > 0);
    catalog_motion_settings_clear(&g);
    s.sensitivity = 20;
    s.zones_json = NULL;
    assert_int_equal(catalog_motion_settings_set(f->cat, &s), 0);
    assert_int_equal(catalog_motion_settings_get(f->cat, f->cam[0], &g), 0);
    assert_int_equal(g.sensitivity, 20);
    assert_null(g.zones_json);
    catalog_motion_settings_clear(&g);
    s.sensitivity = 0;
    assert_int_equal(catalog_motion_settings_set(f->cat, &s), WW_EINVAL);
    s.sensitivity = 50;
    s.camera_id = 99999;
    assert_int_equal(catalog_motion_settings_set(f->cat, &s), WW_EINVAL);
}

int main(void)
{
    ww_log_set_level(WW_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_insert_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thumbnail_get_prune, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
