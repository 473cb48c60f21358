/* Unit tests for province/: v1 message parsing and validation (every drop
 * cause), and the applied-seq tracker (contiguous mark, gaps, duplicates,
 * the bounded set above a gap). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>

#include "province/province.h"

static const char good[] =
    "{\"v\":1,\"station\":\"st-3f2a\",\"seq\":1042,\"entity\":\"camera\",\"id\":\"17\","
    "\"version\":1042,\"op\":\"upsert\",\"at\":\"2026-12-03T10:15:02Z\",\"data\":{\"name\":\"x\"}}";

static enum prov_cause parse(const char *topic, const char *payload, struct prov_msg *m)
{
    return prov_msg_parse(topic, payload, strlen(payload), m);
}

/* good with one substring replaced */
static enum prov_cause parse_edit(const char *from, const char *to)
{
    char buf[1024];
    const char *p = strstr(good, from);
    assert_non_null(p);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - good), good, to, p + strlen(from));
    struct prov_msg m;
    enum prov_cause c = parse("wardwatch/st-3f2a/camera", buf, &m);
    prov_msg_clear(&m);
    return c;
}

static void test_parse_good(void **st)
{
    (void)st;
    struct prov_msg m;
    assert_int_equal(parse("wardwatch/st-3f2a/camera", good, &m), PROV_OK);
    assert_string_equal(m.station, "st-3f2a");
    assert_string_equal(m.entity, "camera");
    assert_string_equal(m.id, "17");
    assert_string_equal(m.at, "2026-12-03T10:15:02Z");
    assert_int_equal(m.seq, 1042);
    assert_int_equal(m.version, 1042);
    assert_false(m.deleted);
    assert_string_equal(json_string_value(json_object_get(m.data, "name")), "x");
    prov_msg_clear(&m);
    assert_null(m.data);
    assert_int_equal(parse_edit("\"upsert\"", "\"delete\""), PROV_OK);
}

static void test_parse_causes(void **st)
{
    (void)st;
    struct prov_msg m;
    assert_int_equal(parse("wardwatch/st-3f2a/camera", "{\"v\":1,", &m), PROV_BAD_JSON);
    assert_null(m.data);
    assert_int_equal(parse("wardwatch/st-3f2a/camera", "[1]", &m), PROV_BAD_JSON);
    assert_int_equal(parse("other/st-3f2a/camera", good, &m), PROV_BAD_TOPIC);
    assert_int_equal(parse("wardwatch/ST-UPPER/camera", good, &m), PROV_BAD_TOPIC);
    assert_int_equal(parse("wardwatch/st-3f2a/camera/x", good, &m), PROV_BAD_TOPIC);
    assert_int_equal(parse("wardwatch/st-other/camera", good, &m), PROV_MISMATCH);
    assert_int_equal(parse("wardwatch/st-3f2a/owner", good, &m), PROV_MISMATCH);
    assert_null(m.data);
    assert_int_equal(parse_edit("\"v\":1", "\"v\":2"), PROV_BAD_VERSION);
    assert_int_equal(parse_edit("\"v\":1", "\"v\":\"1\""), PROV_BAD_VERSION);
    assert_int_equal(parse_edit("\"camera\"", "\"video\""), PROV_BAD_ENTITY);
    assert_int_equal(parse_edit("\"seq\":1042", "\"seq\":0"), PROV_BAD_FIELD);
    assert_int_equal(parse_edit("\"seq\":1042", "\"seq\":1.5"), PROV_BAD_FIELD);
    assert_int_equal(parse_edit("\"version\":1042", "\"version\":-1"), PROV_BAD_FIELD);
    assert_int_equal(parse_edit("\"upsert\"", "\"merge\""), PROV_BAD_FIELD);
    assert_int_equal(parse_edit("{\"name\":\"x\"}", "[]"), PROV_BAD_FIELD);
    assert_int_equal(parse_edit("\"id\":\"17\"", "\"id\":17"), PROV_BAD_FIELD);
    assert_int_equal(parse_edit("\"id\":\"17\"", "\"id\":\"\""), PROV_BAD_FIELD);
    assert_int_equal(parse_edit("\"st-3f2a\",\"seq\"", "\"st-3f2a\",\"v\":1,\"seq\""), PROV_BAD_JSON);
    assert_string_equal(prov_cause_name(PROV_BAD_JSON), "malformed_json");
    assert_string_equal(prov_cause_name(PROV_BAD_VERSION), "wrong_v");
}

static void test_peek_seq(void **st)
{
    (void)st;
    char station[PROV_STATION_MAX + 1];
    int64_t seq = 0;
    const char *bad_v = "{\"v\":2,\"station\":\"st-a\",\"seq\":9,\"entity\":\"camera\"}";
    assert_true(prov_msg_peek_seq("wardwatch/st-a/camera", bad_v, strlen(bad_v), station, &seq));
    assert_string_equal(station, "st-a");
    assert_int_equal(seq, 9);
    /* another station's seq, census, no seq, not JSON: nothing to mark */
    assert_false(prov_msg_peek_seq("wardwatch/st-b/camera", bad_v, strlen(bad_v), station, &seq));
    assert_false(prov_msg_peek_seq("wardwatch/st-a/census", bad_v, strlen(bad_v), station, &seq));
    const char *no_seq = "{\"station\":\"st-a\"}";
    assert_false(prov_msg_peek_seq("wardwatch/st-a/camera", no_seq, strlen(no_seq), station, &seq));
    assert_false(prov_msg_peek_seq("wardwatch/st-a/camera", "{x", 2, station, &seq));
}

static void test_station_ids(void **st)
{
    (void)st;
    assert_true(prov_station_id_ok("st-3f2a"));
    assert_false(prov_station_id_ok(""));
    assert_false(prov_station_id_ok("st_3f2a"));
    char longid[70];
    memset(longid, 'a', 65);
    longid[65] = 0;
    assert_false(prov_station_id_ok(longid));
    longid[64] = 0;
    assert_true(prov_station_id_ok(longid));
}

static void test_seq_contiguous(void **st)
{
    (void)st;
    struct prov_seq t;
    prov_seq_init(&t, 0);
    for (int64_t s = 1; s <= 5; s++) assert_int_equal(prov_seq_mark(&t, s), 1);
    assert_int_equal(t.contig, 5);
    assert_false(prov_seq_gap(&t));
    assert_int_equal(prov_seq_mark(&t, 3), 0);  /* a replay */
    assert_int_equal(prov_seq_mark(&t, 5), 0);
    assert_int_equal(prov_seq_high(&t), 5);
}

static void test_seq_gap(void **st)
{
    (void)st;
    struct prov_seq t;
    prov_seq_init(&t, 10);
    assert_int_equal(prov_seq_mark(&t, 13), 1);
    assert_int_equal(prov_seq_mark(&t, 15), 1);
    assert_int_equal(prov_seq_mark(&t, 14), 1);
    assert_int_equal(prov_seq_mark(&t, 14), 0);  /* duplicate above the gap */
    assert_true(prov_seq_gap(&t));
    assert_int_equal(t.contig, 10);
    assert_int_equal(prov_seq_high(&t), 15);
    assert_true(prov_seq_seen(&t, 13));
    assert_false(prov_seq_seen(&t, 12));
    assert_int_equal(prov_seq_mark(&t, 11), 1);
    assert_int_equal(t.contig, 11);
    assert_true(prov_seq_gap(&t));
    assert_int_equal(prov_seq_mark(&t, 12), 1);  /* closes it: folds 13..15 */
    assert_int_equal(t.contig, 15);
    assert_false(prov_seq_gap(&t));
    assert_int_equal(t.n, 0);
}

static void test_seq_full(void **st)
{
    (void)st;
    struct prov_seq t;
    prov_seq_init(&t, 0);
    /* seq 1 missing; fill the set above it in reverse order */
    for (int64_t s = PROV_SEQ_ABOVE + 1; s >= 2; s--) assert_int_equal(prov_seq_mark(&t, s), 1);
    assert_int_equal(t.n, PROV_SEQ_ABOVE);
    for (size_t i = 1; i < t.n; i++) assert_true(t.above[i - 1] < t.above[i]);
    assert_int_equal(prov_seq_mark(&t, PROV_SEQ_ABOVE + 5), -ENOSPC);
    assert_false(prov_seq_seen(&t, PROV_SEQ_ABOVE + 5));
    assert_int_equal(prov_seq_mark(&t, 1), 1);
    assert_int_equal(t.contig, PROV_SEQ_ABOVE + 1);
    assert_int_equal(t.n, 0);
    prov_seq_init(&t, -4);
    assert_int_equal(t.contig, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),   cmocka_unit_test(test_parse_causes),
        cmocka_unit_test(test_station_ids),  cmocka_unit_test(test_peek_seq),  cmocka_unit_test(test_seq_contiguous),
        cmocka_unit_test(test_seq_gap),      cmocka_unit_test(test_seq_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
