/*
 * test_http_audit.c — the audit hash chain: appends from several threads at
 * once form one unbroken chain; the hash covers every field; and each way
 * of tampering (change a row, change it and re-hash it, delete a row, cut
 * the tail, edit the head) is found and blamed on the right row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "catalog/cat_audit.h"

static char dir[64];
static char db[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ww-audit-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/wardwatch.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *p;
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        p = ww_asprintf("%s%s", db, sfx[i]);
        unlink(p);
        free(p);
    }
    rmdir(dir);
    return 0;
}

static void fresh(int rows)
{
    teardown(NULL);
    setup(NULL);
    catalog_t *cat;
    assert_int_equal(catalog_open(db, CATALOG_CREATE, &cat), 0);
    for (int i = 0; i < rows; i++) {
        char detail[64];
        snprintf(detail, sizeof detail, "{\"n\":%d}", i);
        struct catalog_audit a = {.user_id = 1 + i % 3, .username = "officer1", .action = "live_view",
                              .camera_id = 1 + i % 5, .range_from_us = 1000 * i,
                              .range_to_us = 1000 * i + 500, .client_addr = "127.0.0.1",
                              .detail = detail};
        assert_int_equal(catalog_audit_append(cat, &a), 0);
        assert_int_equal(a.id, i + 1);
    }
    catalog_close(cat);
}

static void sql(const char *stmt)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(h, stmt, NULL, NULL, &err);
    if (rc != SQLITE_OK) printf("sql failed: %s\n", err ? err : "?");
    sqlite3_free(err);
    sqlite3_close(h);
    assert_int_equal(rc, SQLITE_OK);
}

/* Verifies; returns the bad row (0 when the chain is whole). */
static int64_t verify(int64_t *rows, const char **why)
{
    catalog_t *cat;
    assert_int_equal(catalog_open(db, 0, &cat), 0);
    int64_t bad;
    int rc = catalog_audit_verify(cat, rows, &bad, why);
    catalog_close(cat);
    if (rc == 0) return 0;
    assert_int_equal(rc, WW_ECORRUPT);
    return bad;
}

static void *writer(void *arg)
{
    intptr_t k = (intptr_t)arg;
    catalog_t *cat;
    if (catalog_open(db, 0, &cat)) return (void *)1;
    for (int i = 0; i < 25; i++) {
        struct catalog_audit a = {.user_id = k, .username = "w", .action = "playback", .camera_id = k};
        if (catalog_audit_append(cat, &a)) { catalog_close(cat); return (void *)1; }
    }
    catalog_close(cat);
    return NULL;
}

static void test_concurrent_appends(void **state)
{
    (void)state;
    fresh(0);
    pthread_t t[4];
    for (intptr_t i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, writer, (void *)(i + 1)), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        assert_null(r);
    }
    int64_t rows;
    const char *why;
    assert_int_equal(verify(&rows, &why), 0);
    assert_int_equal(rows, 100);
}

static void test_hash_covers_fields(void **state)
{
    (void)state;
    struct catalog_audit a = {.id = 7, .at_us = 123, .user_id = 2, .username = "u", .action = "export",
                          .camera_id = 3, .range_from_us = 10, .range_to_us = 20,
                          .client_addr = "10.0.0.1", .detail = "{\"x\":1}"};
    const char *prev = "ab";
    char h0[CATALOG_AUDIT_HASH_HEX], h[CATALOG_AUDIT_HASH_HEX];
    catalog_audit_hash(&a, prev, h0);
    assert_int_equal(strlen(h0), 64);
    catalog_audit_hash(&a, prev, h);
    assert_string_equal(h0, h); /* deterministic */
    struct catalog_audit b;
#define DIFFERS(mutation)                         \
    do {                                          \
        b = a;                                    \
        mutation;                                 \
        catalog_audit_hash(&b, prev, h);              \
        assert_string_not_equal(h0, h);           \
    } while (0)
    DIFFERS(b.id = 8);
    DIFFERS(b.at_us = 124);
    DIFFERS(b.user_id = 0);
    DIFFERS(b.username = NULL);
    DIFFERS(b.username = "");
    DIFFERS(b.action = "exporT");
    DIFFERS(b.camera_id = 4);
    DIFFERS(b.range_from_us = 0);
    DIFFERS(b.range_to_us = 21);
    DIFFERS(b.client_addr = NULL);
    DIFFERS(b.detail = "{\"x\":2}");
    /* field boundaries are unambiguous: moving a character between fields */
    DIFFERS((b.username = "u1", b.client_addr = "0.0.0.1"));
    catalog_audit_hash(&a, "ac", h);
    assert_string_not_equal(h0, h); /* the chain link */
}

static void test_tamper_detected(void **state)
{
    (void)state;
    int64_t rows;
    const char *why;

    fresh(30);
    assert_int_equal(verify(&rows, &why), 0);
    assert_int_equal(rows, 30);

    /* 1. change a field of row 17 */
    sql("UPDATE audit SET username='someone-else' WHERE id=17");
    assert_int_equal(verify(&rows, &why), 17);
    assert_non_null(strstr(why, "hash mismatch"));
    assert_int_equal(rows, 16);

    /* 2. change the footage range (what was looked at) */
    fresh(30);
    sql("UPDATE audit SET range_to_us=range_to_us+1 WHERE id=5");
    assert_int_equal(verify(&rows, &why), 5);

    /* 3. change row 17 and recompute its hash: row 18 no longer links */
    fresh(30);
    {
        catalog_t *cat;
        assert_int_equal(catalog_open(db, 0, &cat), 0);
        struct catalog_audit_filter f = {.before_id = 18, .limit = 1};
        struct catalog_audit *v;
        size_t n;
        assert_int_equal(catalog_audit_query(cat, &f, &v, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(v[0].id, 17);
        free(v[0].username);
        v[0].username = ww_strdup("forged");
        char h[CATALOG_AUDIT_HASH_HEX];
        catalog_audit_hash(&v[0], v[0].prev_hash, h);
        catalog_audit_list_free(v, n);
        catalog_close(cat);
        char *s = ww_asprintf("UPDATE audit SET username='forged', hash='%s' WHERE id=17", h);
        sql(s);
        free(s);
    }
    assert_int_equal(verify(&rows, &why), 18);
    assert_non_null(strstr(why, "broken link"));

    /* 4. delete a row in the middle */
    fresh(30);
    sql("DELETE FROM audit WHERE id=20");
    assert_int_equal(verify(&rows, &why), 21);

    /* 5. cut the tail: the head setting still names row 30 */
    fresh(30);
    sql("DELETE FROM audit WHERE id>27");
    assert_int_equal(verify(&rows, &why), 30);
    assert_non_null(strstr(why, "cut from the end"));

    /* 6. remove the head record */
    fresh(30);
    sql("DELETE FROM settings WHERE key='audit.head'");
    assert_int_equal(verify(&rows, &why), 30);

    /* 7. an empty trail is fine; appends after a verify keep the chain */
    fresh(0);
    assert_int_equal(verify(&rows, &why), 0);
    assert_int_equal(rows, 0);
}

static void test_query_filters(void **state)
{
    (void)state;
    fresh(30);
    catalog_t *cat;
    assert_int_equal(catalog_open(db, 0, &cat), 0);
    struct catalog_audit *v;
    size_t n;
    struct catalog_audit_filter f = {.camera_id = 2};
    assert_int_equal(catalog_audit_query(cat, &f, &v, &n), 0);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++) assert_int_equal(v[i].camera_id, 2);
    assert_true(v[0].id > v[1].id); /* newest first */
    catalog_audit_list_free(v, n);
    struct catalog_audit_filter page = {.limit = 10, .before_id = 25};
    assert_int_equal(catalog_audit_query(cat, &page, &v, &n), 0);
    assert_int_equal(n, 10);
    assert_int_equal(v[0].id, 24);
    assert_int_equal(v[9].id, 15);
    catalog_audit_list_free(v, n);
    struct catalog_audit bad = {.action = "Bad Action"};
    assert_int_equal(catalog_audit_append(cat, &bad), WW_EINVAL);
    catalog_close(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_covers_fields),
        cmocka_unit_test(test_concurrent_appends),
        cmocka_unit_test(test_tamper_detected),
        cmocka_unit_test(test_query_filters),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
